//! # auth0-account-link-core
//!
//! The sans-IO protocol core of auth0-account-link: everything the widget decides about
//! Auth0's secure account-linking flow, with no browser, async runtime or network inside.
//!
//! Each request is made by a pure `prepare_*` function and each response read by a pure
//! `process_*` function; a link attempt is [`flow::LinkFlow::step`] and the whole session around it [`session::Session::step`]. Time, randomness,
//! JSON parsing, SHA-256 and RSA verification are the host's (see [`mod@env`]).
//!
//! Security properties, enforced by types:
//! - only [`transaction::Transaction::validate_callback`] makes a `ValidatedCallback`,
//!   the only input to the token request;
//! - only [`id_token::PendingSignature::finish`] makes a `VerifiedIdToken`, the only input
//!   to the link request, whose body is exactly `{"link_with": …}`: there is no way to
//!   build the deprecated `user_id`/`provider` body;
//! - secrets print `[redacted]`.

pub mod config;
pub mod encoding;
pub mod env;
pub mod error;
pub mod flow;
pub mod http;
pub mod id_token;
pub mod identity;
pub mod json;
pub mod jwt;
pub mod management;
pub mod primary;
pub mod secret;
pub mod session;
pub mod token;
pub mod transaction;

pub use config::{LinkConfig, LinkOptions};
pub use error::{ErrorCode, IdTokenReason, LinkError};
pub use flow::{Effect, Event, LinkFlow, Outcome, Via};
pub use session::{Command, Input, Output, Policy, Position, Session, View};
