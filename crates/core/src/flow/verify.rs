//! From the authorization response to a verified secondary: the callback validated, the
//! code exchanged, the JWKS (refreshed once on an unknown `kid`), the signature verdict,
//! the refusals that need no request, and the secondary's own user read.

use super::silent::KeyStep;
use super::{Effect, Event, Facts, LinkFlow, LinkToken, Next, Report, RequestPurpose, State};
use crate::encoding::quoted;
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::http::{HttpResponse, TransportError};
use crate::id_token::{Expectations, PendingSignature, VerifiedIdToken};
use crate::management::{self, Identity};
use crate::secret::{IdToken, Nonce};
use crate::token;
use crate::transaction::{CallbackResponse, LoginPurpose, Transaction};

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
                let request = token::prepare_token_request(&self.config, &callback);
                effects.push(Effect::Send {
                    purpose: RequestPurpose::TokenExchange,
                    request,
                });
                if !facts.asks_first && !reauthenticated && self.leg == LoginPurpose::Secondary {
                    // Nobody confirms: the link token can be fetched while the ID token
                    // is exchanged and verified.
                    self.link_token = LinkToken::Pending;
                    effects.push(Effect::GetPrimaryToken);
                }
                (State::Exchanging(callback.nonce().clone()), effects)
            }
        }
    }

    /// From the code to a verified ID token: the token response, the JWKS (refreshed
    /// once on an unknown `kid`), the signature; the early link token meanwhile.
    pub(super) fn verifying<E: Env>(
        &mut self,
        facts: &Facts,
        state: State,
        event: Event,
        env: &mut E,
    ) -> Next {
        match (state, event) {
            (State::Exchanging(nonce), Event::TokenResponse(result)) => {
                let outcome = result
                    .map_err(|e| management::transport_error(&e, "POST /oauth/token"))
                    .and_then(|r| token::process_token_answer(env.json(), &r));
                match outcome {
                    Err(e) => self.fail(e, vec![]),
                    Ok(token::TokenAnswer {
                        id_token,
                        access_token,
                    }) => {
                        match self.leg {
                            LoginPurpose::Secondary => self.secondary_token = access_token,
                            LoginPurpose::Reauthenticate => self.reauth_token = access_token,
                        }
                        (
                            State::LoadingJwks {
                                id_token,
                                nonce,
                                refreshed: false,
                            },
                            vec![self.fetch_jwks(false)],
                        )
                    }
                }
            }
            (
                State::LoadingJwks {
                    id_token,
                    nonce,
                    refreshed,
                },
                Event::JwksResponse(result),
            ) => self.keys_loaded(id_token, nonce, refreshed, result, env),
            // The early link token (no confirm step): kept until the ID token is verified.
            (state, Event::PrimaryToken(result))
                if matches!(self.link_token, LinkToken::Pending) =>
            {
                self.link_token = LinkToken::Got(result);
                (state, vec![])
            }
            (State::CheckingSignature(pending, nonce), Event::SignatureChecked(valid)) => {
                self.signature_checked(facts, *pending, nonce, valid, env)
            }
            (State::ReadingSecondary(verified), Event::SecondaryUserResponse(result)) => {
                self.secondary_read(facts, verified, result, env)
            }
            (state, _) => (state, vec![]),
        }
    }

    pub(super) fn fetch_jwks(&self, bypass_cache: bool) -> Effect {
        Effect::FetchJwks {
            request: token::prepare_jwks_request(&self.config),
            bypass_cache,
        }
    }

    pub(super) fn keys_loaded<E: Env>(
        &mut self,
        id_token: IdToken,
        nonce: Nonce,
        refreshed: bool,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Next {
        match super::silent::key_for(env, &id_token, refreshed, result) {
            Ok(KeyStep::Refetch) => (
                State::LoadingJwks {
                    id_token,
                    nonce,
                    refreshed: true,
                },
                vec![self.fetch_jwks(true)],
            ),
            Err(e) => self.fail(e, vec![]),
            Ok(KeyStep::Verify(pending)) => {
                let effect = super::silent::verify_effect(&pending);
                (State::CheckingSignature(pending, nonce), vec![effect])
            }
        }
    }

    pub(super) fn signature_checked<E: Env>(
        &mut self,
        facts: &Facts,
        pending: PendingSignature,
        nonce: Nonce,
        valid: bool,
        env: &mut E,
    ) -> Next {
        let expect = Expectations {
            config: &self.config,
            nonce: &nonce,
            now: env.now(),
        };
        // The same checks for both logins; the primary's sign-in again sent its own
        // `max_age` (Auth0's max-age page leaves checking `auth_time` to the application).
        let again = self.leg == LoginPurpose::Reauthenticate;
        let max_age = match again {
            true => self.config.reauthenticate_max_age_seconds(),
            false => self.config.max_age_seconds(),
        };
        let verified = match pending.finish_with_max_age(valid, expect, max_age) {
            Ok(v) if again => return self.reauthenticated(facts, v, env),
            Ok(v) => v,
            Err(e) if again => return self.fail(e.in_reauthentication(), vec![]),
            Err(e) => return self.fail(e, vec![]),
        };
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
