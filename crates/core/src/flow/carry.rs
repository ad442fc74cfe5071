//! The secondary account's saved settings carried to the primary user before the link
//! discards them (`carryUserMetadata`). With the token the link request uses (with the
//! sign-in again, that sign-in's): the primary is read, the new `user_metadata` made (the
//! primary's properties winning, or the host's function), and only what differs is written
//! (`PATCH /api/v2/users/{primary}`, Auth0's root-level merge, `null` deleting). A failed
//! write links nothing; a link that fails after it says what was written; a retry reads
//! the primary again, so what was written is not written twice.

use super::{Effect, Facts, LinkFlow, Next, RequestPurpose, State};
use crate::config::CarryUserMetadata;
use crate::env::Env;
use crate::error::LinkError;
use crate::http::{HttpResponse, TransportError};
use crate::id_token::VerifiedIdToken;
use crate::json::Json;
use crate::management;
use crate::primary::{PrimaryToken, SCOPE_UPDATE_METADATA};

impl LinkFlow {
    /// The link request, or first the secondary's settings carried to the primary (when
    /// the host asks for it and the secondary has some): the token must be able to write
    /// them, or nothing is sent.
    pub(super) fn carry_then_link(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: PrimaryToken,
    ) -> Next {
        let has_settings = verified
            .profile()
            .user_metadata
            .as_ref()
            .is_some_and(Json::has_properties);
        if self.config.carry_user_metadata() == CarryUserMetadata::Off || !has_settings {
            return self.send_link(facts, verified, token);
        }
        if let Err(e) = token.require_scope(
            SCOPE_UPDATE_METADATA,
            " (carryUserMetadata writes the secondary's settings to the primary user before the link)",
        ) {
            return self.fail(e, vec![]);
        }
        let request = management::prepare_get_user(&self.config, &token);
        (
            State::ReadingPrimary { verified, token },
            vec![Effect::Send {
                purpose: RequestPurpose::PrimaryUser,
                request,
            }],
        )
    }

    /// The primary's `user_metadata` as it is now: the patch by the primary-wins rule, or
    /// the host's function asked for the new one.
    pub(super) fn primary_read<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: PrimaryToken,
        result: Result<HttpResponse, TransportError>,
        env: &E,
    ) -> Next {
        let primary = match result
            .map_err(|e| management::transport_error(&e, "GET /api/v2/users/{id}"))
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()))
        {
            Ok(user) => user.user_metadata.unwrap_or(Json::Object(Vec::new())),
            Err(e) => return self.fail(not_carried(e), vec![]),
        };
        let secondary = verified
            .profile()
            .user_metadata
            .clone()
            .unwrap_or(Json::Object(Vec::new()));
        if self.config.carry_user_metadata() == CarryUserMetadata::Host {
            let effect = Effect::MergeUserMetadata {
                primary: primary.clone(),
                secondary,
            };
            return (
                State::MergingUserMetadata {
                    verified,
                    token,
                    primary,
                },
                vec![effect],
            );
        }
        let patch = Json::primary_wins(&primary, &secondary);
        self.write_settings(facts, verified, token, patch, env)
    }

    /// The host's function answered: what differs from the primary's is written.
    pub(super) fn settings_merged<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: PrimaryToken,
        primary: Json,
        merged: Result<Json, String>,
        env: &E,
    ) -> Next {
        match merged {
            Ok(wanted @ Json::Object(_)) => {
                let patch = Json::patch_to(&primary, &wanted);
                self.write_settings(facts, verified, token, patch, env)
            }
            Ok(_) => self.fail(
                LinkError::config(
                    "carryUserMetadata",
                    "returned something other than an object",
                    "return the primary's new user_metadata (an object); nothing was linked",
                ),
                vec![],
            ),
            Err(why) => self.fail(
                LinkError::config(
                    "carryUserMetadata",
                    format!("threw: {why}"),
                    "return the primary's new user_metadata; nothing was linked",
                ),
                vec![],
            ),
        }
    }

    /// Writes `patch` (nothing to write: the link at once).
    fn write_settings<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: PrimaryToken,
        patch: Json,
        env: &E,
    ) -> Next {
        if !patch.has_properties() {
            return self.send_link(facts, verified, token);
        }
        let keys = patch.keys().into_iter().map(str::to_owned).collect();
        let request =
            management::prepare_patch_user_metadata(env.json(), &self.config, &token, &patch);
        (
            State::CarryingUserMetadata {
                verified,
                token,
                keys,
            },
            vec![Effect::Send {
                purpose: RequestPurpose::PatchUserMetadata,
                request,
            }],
        )
    }

    /// The write's answer: on success the link goes, remembering what was written (for a
    /// link that then fails, and for the host); a failure links nothing.
    pub(super) fn settings_written<E: Env>(
        &mut self,
        facts: &Facts,
        verified: VerifiedIdToken,
        token: PrimaryToken,
        keys: Vec<String>,
        result: Result<HttpResponse, TransportError>,
        env: &E,
    ) -> Next {
        match result
            .map_err(|e| management::transport_error(&e, "PATCH /api/v2/users/{id}"))
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()))
        {
            Ok(_) => {
                self.carried = keys;
                self.send_link(facts, verified, token)
            }
            Err(e) => self.fail(not_carried(e), vec![]),
        }
    }
}

fn not_carried(e: LinkError) -> LinkError {
    e.with_detail(
        "; the secondary's settings were not (or not surely) written to the primary user, and nothing was linked",
    )
}
