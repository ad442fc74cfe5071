//! From a verified secondary to the outcome: the decision (somebody's yes, or none
//! needed), the link request with the primary token, and the identities read again when
//! its answer cannot tell whether it linked.

use super::{
    Effect, Facts, LinkFlow, LinkToken, Linked, Next, Outcome, Report, RequestPurpose, State,
    TokenFailure, DECISION_WINDOW_SECONDS, RECHECK_DELAYS_SECONDS,
};
use crate::encoding::quoted;
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::http::{HttpResponse, TransportError};
use crate::id_token::VerifiedIdToken;
use crate::management::{self, Identity};
use crate::primary::PrimaryToken;
use crate::secret::AccessToken;

impl LinkFlow {
    /// A verified secondary that may be linked: the session asks somebody and hands the
    /// decision back; when nobody is asked, it is a yes.
    pub(super) fn verified<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        env: &E,
    ) -> Next {
        let now = env.now();
        if !facts.asks_first {
            return self.decided(facts, verified, now, env);
        }
        self.report(Report::Asks(Box::new(verified.profile().clone())));
        (
            State::AwaitingDecision {
                verified,
                since: now,
            },
            vec![],
        )
    }

    /// The yes: link, unless what was read about the secondary is too old to go on.
    pub(super) fn decided<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        since: u64,
        env: &E,
    ) -> Next {
        let waited = env.now().saturating_sub(since);
        if waited > DECISION_WINDOW_SECONDS {
            let e = LinkError::new(
                ErrorCode::Timeout,
                format!("the yes to linking {} came {waited} s after the account was read (at most {DECISION_WINDOW_SECONDS} s); sign in with the account again", quoted(verified.sub())),
            );
            return self.fail(e, vec![]);
        }
        match std::mem::replace(&mut self.link_token, LinkToken::NotAsked) {
            // Asked early (nobody confirms), answered while the ID token was verified.
            LinkToken::Got(result) => self.link(facts, verified, result, env),
            // Asked already (or the proof of the sign-in ahead of the click is on its
            // way): its answer completes GettingLinkToken.
            waiting @ (LinkToken::Pending | LinkToken::Silent) => {
                self.link_token = waiting;
                (State::GettingLinkToken(verified), vec![])
            }
            LinkToken::NotAsked => (
                State::GettingLinkToken(verified),
                vec![Effect::GetPrimaryToken],
            ),
        }
    }

    /// The link request (the secondary's settings carried first, when asked), with the
    /// primary token `getAccessToken` gave for it.
    pub(super) fn link<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: Result<AccessToken, TokenFailure>,
        env: &E,
    ) -> Next {
        match self.check_token(facts, token, env) {
            Err(e) => self.fail(e, vec![]),
            Ok(token) => self.carry_then_link(facts, verified, token),
        }
    }

    pub(super) fn send_link(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: PrimaryToken,
    ) -> Next {
        match management::prepare_link(&self.config, &token, &verified, facts.identities) {
            Err(e) => self.fail(e, vec![]),
            Ok(request) => (
                State::Linking {
                    sub: verified.sub().to_owned(),
                    token,
                },
                vec![Effect::Send {
                    purpose: RequestPurpose::Link,
                    request,
                }],
            ),
        }
    }

    pub(super) fn link_answered<E: Env>(
        &mut self,
        sub: String,
        token: PrimaryToken,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Next {
        // Whether the server may have linked although the answer says otherwise, or a
        // conflict whose owner only the identity list tells (the user, or another user):
        // both read the identities again.
        let ambiguous = match &result {
            Err(_) => true,
            Ok(r) => r.status >= 500 || r.is_success() || r.status == 409,
        };
        match result
            .map_err(|e| management::transport_error(&e, "POST /api/v2/users/{id}/identities"))
            .and_then(|r| management::process_link(env.json(), &r, env.now()))
        {
            Ok(identities) if identities.iter().any(|i| i.full_user_id() == sub) => {
                self.linked(sub, identities, Some(&token))
            }
            // A success whose list lacks the account proves nothing: read again.
            Ok(_) => {
                let error = LinkError::new(
                    ErrorCode::UnexpectedResponse,
                    format!(
                        "the link answered success but its identities lack {}",
                        quoted(&sub)
                    ),
                );
                self.recheck(sub, error, token, 0)
            }
            Err(error) if ambiguous => self.recheck(sub, error, token, 0),
            Err(e) => self.fail(e, vec![]),
        }
    }

    /// Reads the identities again (read number `reads`, from 0).
    pub(super) fn recheck(
        &self,
        sub: String,
        error: LinkError,
        token: PrimaryToken,
        reads: usize,
    ) -> Next {
        let request = management::prepare_get_user(&self.config, &token);
        (
            State::Rechecking {
                sub,
                error,
                token,
                reads,
            },
            vec![Effect::Send {
                purpose: RequestPurpose::Recheck,
                request,
            }],
        )
    }

    pub(super) fn rechecked<E: Env>(
        &mut self,
        sub: String,
        error: LinkError,
        token: PrimaryToken,
        reads: usize,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Next {
        let reread = result
            .map_err(|e| management::transport_error(&e, "GET /api/v2/users/{id}"))
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()));
        let conflict = error.code() == ErrorCode::LinkedToAnotherUser;
        let has = |user: &management::PrimaryUser| {
            user.identities.iter().any(|i| i.full_user_id() == sub)
        };
        match reread {
            // A conflict over an identity the user has: it was linked already (another
            // tab, another device), not by this call.
            Ok(user) if conflict && has(&user) => self.fail(LinkError::already_linked(), vec![]),
            Ok(user) if has(&user) => {
                let end = (!self.carried.is_empty())
                    .then_some(user.user_metadata)
                    .flatten();
                self.ended_linked(sub, user.identities, end)
            }
            // The 409 is definite: nothing was linked, whoever has the identity.
            Ok(_) | Err(_) if conflict => self.fail(error, vec![]),
            // Not (yet) there: the server may still apply a request that timed out. Wait
            // and read again before saying anything.
            _ if reads < RECHECK_DELAYS_SECONDS.len() => (
                State::WaitingToRecheck {
                    sub,
                    error,
                    token,
                    reads: reads + 1,
                },
                vec![Effect::Wait {
                    seconds: RECHECK_DELAYS_SECONDS[reads],
                }],
            ),
            // The server answered an error (5xx) and the list agrees after waiting.
            Ok(_) if error.code() == ErrorCode::ServerError => {
                self.fail(error.confirmed_not_linked(), vec![])
            }
            // A time-out, a network error, an unreadable or contradicting success: nothing
            // proves either way.
            _ => self.fail(error.with_link_outcome_unknown(), vec![]),
        }
    }

    /// Linked. When settings were carried, the primary is read again first (with `token`)
    /// for the end state the host hears.
    pub(super) fn linked(
        &mut self,
        sub: String,
        identities: Vec<Identity>,
        token: Option<&PrimaryToken>,
    ) -> Next {
        match token {
            Some(token) if !self.carried.is_empty() => (
                State::ReadingLinked { sub, identities },
                vec![Effect::Send {
                    purpose: RequestPurpose::LinkedUser,
                    request: management::prepare_get_user(&self.config, token),
                }],
            ),
            _ => self.ended_linked(sub, identities, None),
        }
    }

    /// The primary read again after a link that carried settings: its identities and
    /// `user_metadata` are the end state (a failed read keeps the link's answer).
    pub(super) fn linked_read<E: Env>(
        &mut self,
        sub: String,
        identities: Vec<Identity>,
        result: Result<HttpResponse, TransportError>,
        env: &E,
    ) -> Next {
        match result
            .ok()
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()).ok())
        {
            Some(user) => self.ended_linked(sub, user.identities, user.user_metadata),
            None => self.ended_linked(sub, identities, None),
        }
    }

    fn ended_linked(
        &mut self,
        sub: String,
        identities: Vec<Identity>,
        user_metadata: Option<crate::json::Json>,
    ) -> Next {
        let linked = Linked {
            identities,
            secondary_user_id: sub,
            carried_user_metadata: std::mem::take(&mut self.carried),
            user_metadata,
        };
        self.report(Report::Ended(Outcome::Linked(linked)));
        (State::Linked, vec![])
    }
}
