//! From the authorization response to a verified secondary: the callback validated, the
//! code exchanged, the JWKS (refreshed once on an unknown `kid`), the signature verdict,
//! the refusals that need no request, and the secondary's own user read.

use super::{Effect, Event, Facts, LinkFlow, LinkToken, Next, Report, RequestPurpose, State};
use crate::config::LinkConfig;
use crate::encoding::quoted;
use crate::env::Env;
use crate::error::{ErrorCode, IdTokenReason, LinkError};
use crate::http::{HttpResponse, TransportError};
use crate::id_token::{self, Expectations, PendingSignature, VerifiedIdToken};
use crate::management::{self, Identity};
use crate::secret::{AccessToken, IdToken, Nonce, OpaqueBytes};
use crate::token;
use crate::transaction::{CallbackResponse, LoginPurpose, Transaction, ValidatedCallback};

impl LinkFlow {
    /// An authorization response for the pending login: a code means the secondary signed
    /// in at the tenant; then the response is validated and the code exchanged.
    pub(super) fn exchange(
        &mut self,
        facts: &Facts,
        txn: Transaction,
        response: CallbackResponse,
        effects: Vec<Effect>,
    ) -> Next {
        if response.code.is_some() && txn.purpose() == LoginPurpose::Secondary {
            self.report(Report::SecondarySignedIn);
        }
        self.validate(facts, txn, response, effects)
    }

    pub(super) fn validate(
        &mut self,
        facts: &Facts,
        txn: Transaction,
        response: CallbackResponse,
        mut effects: Vec<Effect>,
    ) -> Next {
        self.leg = txn.purpose();
        self.link_token = LinkToken::NotAsked;
        self.secondary_token = None;
        let reauthenticated = match self.leg {
            // The primary's sign-in again answers now: no token of it is kept yet.
            LoginPurpose::Reauthenticate => {
                self.reauth_token = None;
                false
            }
            // The secondary's login, after the primary signed in again in this page: the
            // link request uses the access token of that sign-in.
            LoginPurpose::Secondary => match self.reauth_token.take() {
                Some(fresh) => {
                    self.link_token = LinkToken::Got(Ok(fresh));
                    true
                }
                // Started on the code of the sign-in ahead of the click: its proof is
                // the link request's token, and it is on its way.
                None if self.on_silent_code => {
                    self.link_token = LinkToken::Silent;
                    true
                }
                None => false,
            },
        };
        match txn.validate_callback(response, &self.config) {
            Err(e) if self.leg == LoginPurpose::Reauthenticate => {
                self.fail(e.in_reauthentication(), effects)
            }
            Err(e) => self.fail(e, effects),
            Ok(callback) => {
                let (checking, exchange) = Checking::exchange(&self.config, &callback);
                effects.push(exchange);
                if !facts.asks_first && !reauthenticated && self.leg == LoginPurpose::Secondary {
                    // Nobody confirms: the link token can be fetched while the ID token
                    // is exchanged and verified.
                    self.link_token = LinkToken::Pending;
                    effects.push(Effect::GetPrimaryToken);
                }
                (State::Checking(checking), effects)
            }
        }
    }

    /// From the code to a verified ID token ([`Checking`]), then the secondary's own user
    /// read; the early link token meanwhile.
    pub(super) fn verifying<E: Env>(
        &mut self,
        facts: &Facts,
        state: State,
        event: Event,
        env: &mut E,
    ) -> Next {
        match (state, event) {
            // The early link token (no confirm step): kept until the ID token is verified.
            (state, Event::PrimaryToken(result))
                if matches!(self.link_token, LinkToken::Pending) =>
            {
                self.link_token = LinkToken::Got(result);
                (state, vec![])
            }
            (State::Checking(checking), event) => {
                // The same checks for both logins; the primary's sign-in again sent its own
                // `max_age` (Auth0's max-age page leaves checking `auth_time` to the
                // application).
                let again = self.leg == LoginPurpose::Reauthenticate;
                let max_age = match again {
                    true => self.config.reauthenticate_max_age_seconds(),
                    false => self.config.max_age_seconds(),
                };
                let token = match again {
                    true => &mut self.reauth_token,
                    false => &mut self.secondary_token,
                };
                match checking.step(&self.config, max_age, event, token, env) {
                    Checked::Next(checking, effects) => (State::Checking(checking), effects),
                    Checked::Failed(e) => self.fail(e, vec![]),
                    Checked::Refused(e) if again => self.fail(e.in_reauthentication(), vec![]),
                    Checked::Refused(e) => self.fail(e, vec![]),
                    Checked::Verified(v) if again => self.reauthenticated(facts, *v, env),
                    Checked::Verified(v) => self.secondary_verified(facts, *v),
                }
            }
            (State::ReadingSecondary(verified), Event::SecondaryUserResponse(result)) => {
                self.secondary_read(facts, verified, result, env)
            }
            (state, _) => (state, vec![]),
        }
    }

    /// The secondary's ID token verified: refusals that need no request, then its own user
    /// read.
    fn secondary_verified(&mut self, facts: &Facts, verified: VerifiedIdToken) -> Next {
        self.report(Report::SecondaryVerified(verified.sub().to_owned()));
        if let Err(e) = self.precheck(facts, &verified) {
            return self.fail(e, vec![]);
        }
        match self.secondary_token.take() {
            Some(token) => {
                let request =
                    management::prepare_get_secondary_user(&self.config, verified.sub(), &token);
                (
                    State::ReadingSecondary(verified),
                    vec![Effect::Send {
                        purpose: RequestPurpose::SecondaryUser,
                        request,
                    }],
                )
            }
            // Fail closed: without the read, a merge of a whole user cannot be ruled out.
            None => self.fail(LinkError::new(ErrorCode::TokenExchangeFailed, format!("the secondary login returned no access token for {} (read:current_user), which tells whether the account is an existing user with other logins; check the application may request it (Application Access Policy → User-Delegated Access)", self.config.management_audience())), vec![]),
        }
    }

    /// The secondary's own user: one login — the one just used — is a plain link; more
    /// are a whole user that a link would merge into the primary (its logins move; its
    /// profile, metadata and the host's records under its id do not). Refused unless the
    /// host allows merging and someone is asked (the user's merge screen, or the host's
    /// confirm or beforeLink). An answer about another user, or one that lists no login
    /// or another one, is refused too: without it, a merge cannot be ruled out.
    pub(super) fn secondary_read<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Next {
        let user = match result
            .map_err(|e| management::transport_error(&e, "GET /api/v2/users/{secondary}"))
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()))
        {
            Ok(user) => user,
            Err(e) => return self.fail(e, vec![]),
        };
        // What a link would discard, whatever else the read says.
        let verified =
            verified.with_metadata(user.user_metadata.clone(), user.app_metadata.clone());
        let sub = verified.sub();
        let unusable = |why: String| {
            LinkError::new(
                ErrorCode::UnexpectedResponse,
                format!("GET /api/v2/users/{{secondary}} answered {why}; whether linking would merge a whole user cannot be told, so nothing was linked"),
            )
        };
        if user.user_id != sub {
            let e = unusable(format!(
                "about {}, not the login's user {}",
                quoted(&user.user_id),
                quoted(sub)
            ));
            return self.fail(e, vec![]);
        }
        match user.identities.as_slice() {
            [] => return self.fail(unusable("a user without logins".to_owned()), vec![]),
            [only] if only.full_user_id() == sub => return self.verified(facts, verified, env),
            [only] => {
                let e = unusable(format!(
                    "with one login, {}, that is not the one just used",
                    quoted(&only.full_user_id())
                ));
                return self.fail(e, vec![]);
            }
            _ => {}
        }
        let profile = verified.profile();
        let account = profile
            .email
            .clone()
            .or_else(|| profile.name.clone())
            .unwrap_or_else(|| sub.to_owned());
        let logins: Vec<String> = user.identities.iter().map(Identity::full_user_id).collect();
        if !(self.config.allow_merge() && facts.asks_first) {
            let why = if self.config.allow_merge() {
                "allowMerge needs someone to confirm the merge (the widget's dialog, or linkWithPopup's confirm or beforeLink)"
            } else {
                "set allowMerge to offer the user a merge"
            };
            let e = LinkError::new(
                ErrorCode::SecondaryHasOtherLogins,
                format!(
                    "the secondary login is {}, an existing user with {} logins ({}); linking it would merge that whole user into the primary: refused ({why})",
                    quoted(sub),
                    logins.len(),
                    logins.join(", ")
                ),
            )
            .about_account(account);
            return self.fail(e, vec![]);
        }
        let merge = management::MergeFacts {
            user_id: user.user_id,
            identities: user.identities,
        };
        self.verified(facts, verified.with_merge(merge), env)
    }

    /// Refusals that need no request: the login signed in as the primary user, or as an
    /// identity already in the list.
    pub(super) fn precheck(
        &self,
        facts: &Facts,
        verified: &VerifiedIdToken,
    ) -> Result<(), LinkError> {
        let sub = verified.sub();
        let ids = facts.identities.unwrap_or_default();
        if facts.pin == Some(sub) || ids.first().is_some_and(|p| p.full_user_id() == sub) {
            return Err(self.primary_signed_in(facts, sub));
        }
        if ids.iter().any(|i| i.full_user_id() == sub) {
            return Err(LinkError::already_linked());
        }
        Ok(())
    }

    /// The login came back as the primary user. Auth0 signs a login that is already linked
    /// to a user in as that user: when the attempt named a connection that only a linked
    /// identity of the list has, that login is already linked; otherwise it is the
    /// primary's own login (or the login page's choice, which the ID token does not name).
    pub(super) fn primary_signed_in(&self, facts: &Facts, sub: &str) -> LinkError {
        let ids = facts.identities.unwrap_or_default();
        let linked = self.connection.as_deref().and_then(|connection| {
            let primary_uses_it = ids.first().is_some_and(|p| p.connection == connection);
            let mut linked = ids.iter().skip(1).filter(|i| i.connection == connection);
            match (primary_uses_it, linked.next(), linked.next()) {
                (false, Some(only), None) => Some(only),
                _ => None,
            }
        });
        match linked {
            Some(identity) => LinkError::new(
                ErrorCode::AlreadyLinked,
                format!(
                    "the {} login signed in as the primary user {}: it is already linked to it (identity {})",
                    quoted(&identity.connection),
                    quoted(sub),
                    quoted(&identity.full_user_id())
                ),
            ),
            None => LinkError::new(
                ErrorCode::SameAccount,
                "the secondary login returned the primary user (same sub)",
            ),
        }
    }
}

fn fetch_jwks(config: &LinkConfig, bypass_cache: bool) -> Effect {
    Effect::FetchJwks {
        request: token::prepare_jwks_request(config),
        bypass_cache,
    }
}

/// From an authorization code to a verified ID token: the token endpoint's answer, the
/// JWKS (refreshed once on an unknown `kid`: the tenant may have rotated its keys), the
/// WebCrypto verdict on the signature, the claims. One pipeline for every login an attempt
/// checks: the window's (the account to link, the primary's sign-in again) and the hidden
/// frame's.
#[derive(Debug)]
pub(super) enum Checking {
    Exchanging(Nonce),
    LoadingJwks {
        id_token: IdToken,
        nonce: Nonce,
        refreshed: bool,
    },
    Signature(Box<PendingSignature>, Nonce),
}

/// Where one answer took a [`Checking`].
pub(super) enum Checked {
    /// On its way: the work it asks for next (none: the answer was not for it).
    Next(Checking, Vec<Effect>),
    /// A request failed or answered what cannot be used.
    Failed(LinkError),
    /// The ID token failed a check.
    Refused(LinkError),
    Verified(Box<VerifiedIdToken>),
}

impl Checking {
    /// The exchange for a validated callback, and the request that makes it.
    pub(super) fn exchange(config: &LinkConfig, callback: &ValidatedCallback) -> (Self, Effect) {
        (
            Checking::Exchanging(callback.nonce().clone()),
            Effect::Send {
                purpose: RequestPurpose::TokenExchange,
                request: token::prepare_token_request(config, callback),
            },
        )
    }

    /// One answer. The exchange's access token goes to `access_token`; `max_age` bounds
    /// `auth_time` (required when given).
    pub(super) fn step<E: Env>(
        self,
        config: &LinkConfig,
        max_age: Option<u64>,
        event: Event,
        access_token: &mut Option<AccessToken>,
        env: &E,
    ) -> Checked {
        match (self, event) {
            (Checking::Exchanging(nonce), Event::TokenResponse(result)) => match result
                .map_err(|e| management::transport_error(&e, "POST /oauth/token"))
                .and_then(|r| token::process_token_answer(env.json(), &r))
            {
                Err(e) => Checked::Failed(e),
                Ok(answer) => {
                    *access_token = answer.access_token;
                    let next = Checking::LoadingJwks {
                        id_token: answer.id_token,
                        nonce,
                        refreshed: false,
                    };
                    Checked::Next(next, vec![fetch_jwks(config, false)])
                }
            },
            (
                Checking::LoadingJwks {
                    id_token,
                    nonce,
                    refreshed,
                },
                Event::JwksResponse(result),
            ) => {
                let jwks = match result
                    .map_err(|e| management::transport_error(&e, "GET /.well-known/jwks.json"))
                    .and_then(|r| token::process_jwks_response(env.json(), &r))
                {
                    Ok(jwks) => jwks,
                    Err(e) => return Checked::Failed(e),
                };
                match id_token::begin(env.json(), id_token.clone(), &jwks) {
                    Err(e) if e.reason() == Some(IdTokenReason::KeyNotFound) && !refreshed => {
                        let next = Checking::LoadingJwks {
                            id_token,
                            nonce,
                            refreshed: true,
                        };
                        Checked::Next(next, vec![fetch_jwks(config, true)])
                    }
                    Err(e) => Checked::Failed(e),
                    Ok(pending) => {
                        let effect = Effect::VerifySignature {
                            key: pending.key().clone(),
                            message: OpaqueBytes::new(pending.signing_input()),
                            signature: OpaqueBytes::new(pending.signature()),
                        };
                        Checked::Next(Checking::Signature(Box::new(pending), nonce), vec![effect])
                    }
                }
            }
            (Checking::Signature(pending, nonce), Event::SignatureChecked(valid)) => {
                let expect = Expectations {
                    config,
                    nonce: &nonce,
                    now: env.now(),
                };
                match pending.finish_with_max_age(valid, expect, max_age) {
                    Ok(verified) => Checked::Verified(Box::new(verified)),
                    Err(e) => Checked::Refused(e),
                }
            }
            (checking, _) => Checked::Next(checking, vec![]),
        }
    }
}
