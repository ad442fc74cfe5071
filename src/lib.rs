//! # auth0-account-link
//!
//! A browser widget that links a second account to a signed-in Auth0 user with the
//! secure flow only (`{"link_with": <verified ID token>}` with the primary user's token).
//!
//! ```no_run
//! use auth0_account_link::{token_source, AccountLink, LinkConfig, LinkError, LinkOptions};
//! use yew::prelude::*;
//!
//! #[function_component(LinkedAccounts)]
//! fn linked_accounts() -> Html {
//!     // Checked once: a wrong option is `config_invalid`, naming it and the fix.
//!     let config = use_memo((), |_| {
//!         LinkConfig::new(&LinkOptions {
//!             domain: Some("tenant.eu.auth0.com".into()),
//!             client_id: Some("YOUR_SPA_CLIENT_ID".into()),
//!             app_origin: Some("https://app.example.com".into()),
//!             ..Default::default()
//!         })
//!     });
//!     // The primary user's Management API token, from your own sign-in (for example
//!     // auth0-spa-js `getTokenSilently` with audience `https://{domain}/api/v2/` and
//!     // scope `read:current_user update:current_user_identities`).
//!     let token = token_source(|| Box::pin(async { Ok(String::from("eyJ…")) }));
//!     // The stable code, who must act (`e.actor()`), a sentence for the user.
//!     let on_error = Callback::from(|e: LinkError| report(e.code().as_str()));
//!     match &*config {
//!         Ok(config) => html! {
//!             <>
//!                 <style>{ auth0_account_link::STYLESHEET }</style>
//!                 <AccountLink config={config.clone()} {token} {on_error} />
//!             </>
//!         },
//!         Err(e) => html! { <p>{ e.detail().to_owned() }</p> },
//!     }
//! }
//! # fn report(_code: &str) {}
//! ```
//!
//! - [`AccountLink`]: the Yew component, the one renderer: Yew apps use it directly,
//!   `mount()` and the `<auth0-account-link>` element render it from JS;
//! - [`component::use_account_link`]: the session behind the widget, for a Yew app that
//!   draws its own UI;
//! - [`runner::Runner`] (a session's driver) and [`runner::identity_op`]: the headless
//!   Rust API;
//! - [`options::options`]: the widget's options in Rust terms (a builder: enums, `Duration`,
//!   the page's origin by default, errors that name Rust fields);
//! - [`STYLESHEET`]: the widget's CSS, for a Yew app to put on its page;
//! - with the `auth0-spa-js` feature: `spa_js::SpaClient`, a thin auth0-spa-js binding
//!   that gives the widget its token source (the Rust route to the primary token);
//! - with the `js-api` feature: `mount`, `linkWithPopup`, `listIdentities`, `unlink`,
//!   `resumeRedirect`, the JS API (wasm-bindgen, `--target web`) of the npm package, plus
//!   the `<auth0-account-link>` element in `js/`. A Yew app leaves it off.
//!
//! Protocol decisions live in `auth0-account-link-core`; this crate is the browser shell.

pub mod browser;
#[cfg(feature = "widget")]
pub mod component;
pub mod host;
pub mod messages;
pub mod options;
pub mod runner;

#[cfg(all(target_arch = "wasm32", feature = "js-api"))]
mod js_api;

#[cfg(feature = "auth0-spa-js")]
pub mod spa_js;

/// The widget's stylesheet (the npm package's `auth0-account-link.css`): without it the
/// rows run together. Put it on the page once, e.g. in a `<style>` element:
/// `html! { <style>{ auth0_account_link::STYLESHEET }</style> }`. Its custom properties
/// (`--aal-*`) theme the widget.
pub const STYLESHEET: &str = include_str!("../js/auth0-account-link.css");

pub use auth0_account_link_core as core;
/// The options of a widget, checked by [`LinkConfig::new`] (from the core).
pub use auth0_account_link_core::config::{LinkConfig, LinkOptions, ViewOptions};
/// One of the user's identities, as the Management API lists them (from the core).
pub use auth0_account_link_core::flow::Linked;
pub use auth0_account_link_core::management::Identity;
/// Every failure, with its stable code, who must act, and a user sentence (from the core).
pub use auth0_account_link_core::{ErrorCode, LinkError};
#[cfg(feature = "widget")]
pub use component::{AccountLink, AccountLinkProps};
pub use runner::{identity_op, token_source, Host, MergeUserMetadata, Runner, TokenSource};
