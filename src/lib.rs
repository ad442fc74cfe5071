//! # auth0-account-link
//!
//! A browser widget that links a second account to a signed-in Auth0 user with the
//! secure flow only (`{"link_with": <verified ID token>}` with the primary user's token).
//!
//! - [`AccountLink`]: the Yew component, the one renderer: Yew apps use it directly,
//!   `mount()` and the `<auth0-account-link>` element render it from JS;
//! - [`component::use_account_link`]: the session behind the widget, for a Yew app that
//!   draws its own UI;
//! - [`runner::Runner`] (a session's driver) and [`runner::identity_op`]: the headless
//!   Rust API;
//! - `mount`, `linkWithPopup`, `listIdentities`, `unlink`, `resumeRedirect`: the JS API
//!   (wasm-bindgen, `--target web`), plus the `<auth0-account-link>` element in `js/`.
//!
//! Protocol decisions live in `account-link-core`; this crate is the browser shell.

pub mod browser;
pub mod component;
pub mod messages;
pub mod runner;

#[cfg(target_arch = "wasm32")]
mod js_api;

pub use account_link_core as core;
pub use component::{AccountLink, AccountLinkProps};
pub use runner::{identity_op, token_source, Host, Runner, TokenSource};
