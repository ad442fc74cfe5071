//! # auth0-account-link
//!
//! A browser widget that links a second account to a signed-in Auth0 user with the
//! secure flow only (`{"link_with": <verified ID token>}` with the primary user's token).
//!
//! - `component::AccountLink` (feature `yew`): the Yew component, for Yew apps;
//! - [`runner::Runner`] and [`runner::identity_op`]: the headless Rust API;
//! - [`widget::Widget`] + [`view::render`]: the widget's behaviour and markup, shared by
//!   the Yew component and `mount()`'s framework-free DOM renderer (`dom`);
//! - `mount`, `linkWithPopup`, `listIdentities`, `unlink`, `resumeRedirect`: the JS API
//!   (wasm-bindgen, `--target web`), plus the `<auth0-account-link>` element in `js/`.
//!
//! Protocol decisions live in `account-link-core`; this crate is the browser shell.

pub mod browser;
#[cfg(feature = "yew")]
pub mod component;
#[cfg(target_arch = "wasm32")]
pub mod dom;
pub mod messages;
pub mod runner;
pub mod view;
pub mod widget;

#[cfg(target_arch = "wasm32")]
mod js_api;

pub use account_link_core as core;
#[cfg(feature = "yew")]
pub use component::{AccountLink, AccountLinkProps};
pub use runner::{identity_op, Runner, Status, TokenSource, Update};
pub use widget::{Command, Hooks, Widget, WidgetState};
