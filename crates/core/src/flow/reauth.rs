//! The primary user's sign-in again, before a login is added: its ID token checked like
//! the secondary's (signature, `iss`, `aud`, nonce, expiry) plus `auth_time` within
//! `reauthenticateMaxAgeSeconds` (Auth0's `max_age` page leaves that check to the
//! application) and `sub` = the pinned primary; its access token kept for the link
//! request; then the secondary's login, in the same window or this tab again.

use super::silent::Ahead;
use super::{Effect, Event, Facts, LinkFlow, Next, Outcome, Report, RequestPurpose, State, Via};
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::http::{HttpResponse, TransportError};
use crate::id_token::VerifiedIdToken;
use crate::management::{self, IdentityRef};
use crate::primary::PrimaryToken;
use crate::secret::{OpaqueBytes, Sha256Digest};
use crate::transaction::Transaction;
use crate::transaction::TransactionDraft;

impl LinkFlow {
    /// The primary's ID token, verified (its `auth_time` within
    /// `reauthenticateMaxAgeSeconds`): it must be the primary user; then its access token
    /// is checked like any primary token and kept for the link (or makes the unlink), and
    /// the secondary's login is prepared.
    pub(super) fn reauthenticated<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        env: &mut E,
    ) -> Next {
        let raw = self.reauth_token.take();
        let token = match self.prove(facts, verified.sub(), raw, env) {
            Ok(t) => t,
            Err(e) => return self.fail(e, vec![]),
        };
        self.report(Report::Reauthenticated);
        if let Some(target) = self.unlink.clone() {
            // No second login: the window goes, the token removes the login.
            return self.unlink_with(facts, &token, &target);
        }
        self.reauth_token = Some(token.raw().clone());
        let draft = TransactionDraft::new(&mut super::RandomOf(env));
        let input = OpaqueBytes::new(draft.digest_input());
        (
            State::PreparingSecondary {
                draft,
                connection: self.connection.clone(),
                auth_time: verified.auth_time(),
            },
            vec![Effect::ComputeSha256(input)],
        )
    }

    /// The secondary's PKCE hash: then its login, in the window the primary signed in
    /// with (or this tab, carrying when the primary signed in again).
    pub(super) fn preparing_secondary<E: Env>(
        &mut self,
        facts: &Facts,
        draft: TransactionDraft,
        connection: Option<String>,
        auth_time: Option<u64>,
        event: Event,
        env: &mut E,
    ) -> Next {
        match event {
            Event::Sha256(Ok(Sha256Digest(digest))) => {
                let txn = draft
                    .finish(digest)
                    .with_connection(connection)
                    .after_reauthentication(auth_time);
                let via = self.via;
                if via == Via::Redirect {
                    // A page that leaves keeps no token: the return page links with the
                    // host's token, the widget's check held by the transaction.
                    self.reauth_token = None;
                }
                self.show_login(facts, txn, via, env.now(), vec![])
            }
            Event::Sha256(Err(why)) => self.fail(
                LinkError::new(
                    ErrorCode::UnexpectedResponse,
                    format!("SHA-256 is unavailable in this environment ({why})"),
                ),
                vec![],
            ),
            _ => (
                State::PreparingSecondary {
                    draft,
                    connection,
                    auth_time,
                },
                vec![],
            ),
        }
    }

    /// The user removes a login: the primary's sign-in again answered ahead of the click
    /// sends the unlink when it is proven (a window opened in the click for it closes);
    /// otherwise the window opened in this click signs the primary in again, then that
    /// sign-in's token sends it.
    pub(super) fn start_unlink<E: Env>(
        &mut self,
        facts: &Facts,
        txn: Transaction,
        target: IdentityRef,
        env: &mut E,
    ) -> Next {
        if self.config.reauthenticate_max_age_seconds().is_none() {
            // Not this machine's to do: the session unlinks with the host's token.
            return (State::Ready(txn), vec![]);
        }
        self.connection = None;
        self.unlink = Some(target.clone());
        self.attempted = true;
        if let Ahead::Proven(token, _) = self.take_proof(facts, env) {
            return self.unlink_with(facts, &token, &target);
        }
        let txn = txn.with_connection(None).for_reauthentication();
        self.show_login(facts, txn, Via::Popup, env.now(), vec![])
    }

    /// The unlink request with the token of the primary's sign-in again; no window is
    /// needed any more.
    fn unlink_with(&mut self, facts: &Facts, token: &PrimaryToken, target: &IdentityRef) -> Next {
        match management::prepare_unlink(&self.config, token, target, facts.identities) {
            Err(e) => self.fail(e, vec![Effect::ClosePopup]),
            Ok(request) => (
                State::Unlinking,
                vec![
                    Effect::ClosePopup,
                    Effect::Send {
                        purpose: RequestPurpose::Unlink,
                        request,
                    },
                ],
            ),
        }
    }

    pub(super) fn unlink_answered<E: Env>(
        &mut self,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Next {
        self.unlink = None;
        match result
            .map_err(|e| {
                management::transport_error(
                    &e,
                    "DELETE /api/v2/users/{id}/identities/{provider}/{user_id}",
                )
            })
            .and_then(|r| management::process_unlink(env.json(), &r, env.now()))
        {
            Ok(ids) => {
                self.report(Report::Ended(Outcome::Unlinked(ids)));
                (State::Unlinked, vec![])
            }
            Err(e) => self.fail(e, vec![]),
        }
    }
}
