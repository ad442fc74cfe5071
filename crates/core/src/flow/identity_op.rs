//! Listing or unlinking identities: get the token, send one request, read the answer.
//! The pin and the list are the session's: each step is handed them ([`Facts`]).

use super::{check_primary_token, Facts, TokenFailure};
use crate::config::LinkConfig;
use crate::env::Env;
use crate::error::LinkError;
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::management::{self, Identity, IdentityRef};
use crate::primary::Purpose;
use crate::secret::AccessToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityOpKind {
    List,
    Unlink(IdentityRef),
}

#[derive(Debug)]
pub enum IdentityOpEvent {
    PrimaryToken(Result<AccessToken, TokenFailure>),
    Response(Result<HttpResponse, TransportError>),
}

/// Browser work for the runner.
#[derive(Debug)]
pub enum IdentityOpEffect {
    GetPrimaryToken,
    Send(HttpRequest),
}

/// What a step of an operation leads to.
#[derive(Debug)]
pub enum OpStep {
    Effect(IdentityOpEffect),
    /// The operation is over: the user's identities after it (listed, or what remains
    /// after an unlink), and the primary user whose token it used (once one passed).
    Done {
        result: Result<Vec<Identity>, LinkError>,
        acted_for: Option<String>,
    },
}

#[derive(Debug)]
enum OpState {
    GettingToken,
    Sending { acted_for: String },
    Done,
}

/// One list or unlink operation.
#[derive(Debug)]
pub struct IdentityOp {
    config: LinkConfig,
    kind: IdentityOpKind,
    state: OpState,
}

impl IdentityOp {
    /// Returns the op and its first effect (get the token).
    pub fn new(config: LinkConfig, kind: IdentityOpKind) -> (Self, IdentityOpEffect) {
        (
            IdentityOp {
                config,
                kind,
                state: OpState::GettingToken,
            },
            IdentityOpEffect::GetPrimaryToken,
        )
    }

    /// With `facts.pin`, a token for another user is `user_mismatch` and nothing is sent;
    /// an unlink refuses what `facts.identities` says it cannot remove.
    pub fn step<E: Env>(
        &mut self,
        facts: &Facts,
        event: IdentityOpEvent,
        env: &mut E,
    ) -> Option<OpStep> {
        let state = std::mem::replace(&mut self.state, OpState::Done);
        match (state, event) {
            (OpState::GettingToken, IdentityOpEvent::PrimaryToken(result)) => {
                let purpose = match self.kind {
                    IdentityOpKind::List => Purpose::ReadIdentities,
                    IdentityOpKind::Unlink(_) => Purpose::ChangeIdentities,
                };
                let checked = check_primary_token(result, &self.config, env, purpose, facts.pin);
                let request = checked.and_then(|token| {
                    let request = match &self.kind {
                        IdentityOpKind::List => {
                            Ok(management::prepare_get_user(&self.config, &token))
                        }
                        IdentityOpKind::Unlink(target) => management::prepare_unlink(
                            &self.config,
                            &token,
                            target,
                            facts.identities,
                        ),
                    };
                    request.map(|r| (token.user_id().to_owned(), r))
                });
                Some(match request {
                    Ok((acted_for, r)) => {
                        self.state = OpState::Sending { acted_for };
                        OpStep::Effect(IdentityOpEffect::Send(r))
                    }
                    Err(e) => OpStep::Done {
                        result: Err(e),
                        acted_for: None,
                    },
                })
            }
            (OpState::Sending { acted_for }, IdentityOpEvent::Response(result)) => {
                let what = match self.kind {
                    IdentityOpKind::List => "GET /api/v2/users/{id}",
                    IdentityOpKind::Unlink(_) => {
                        "DELETE /api/v2/users/{id}/identities/{provider}/{user_id}"
                    }
                };
                let result = result
                    .map_err(|e| management::transport_error(&e, what))
                    .and_then(|r| match self.kind {
                        IdentityOpKind::List => {
                            management::process_get_user(env.json(), &r, env.now())
                                .map(|user| user.identities)
                        }
                        IdentityOpKind::Unlink(_) => {
                            management::process_unlink(env.json(), &r, env.now())
                        }
                    });
                Some(OpStep::Done {
                    result,
                    acted_for: Some(acted_for),
                })
            }
            (state, _) => {
                self.state = state;
                None
            }
        }
    }
}
