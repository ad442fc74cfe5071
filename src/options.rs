//! The widget's options in Rust terms: a builder with typed values (`ResponseMode`,
//! `Theme`, `Duration`), the page's own origin by default, and errors that name the Rust
//! fields (`redirect_uri`, not `redirectUri`). It fills the same `LinkOptions` the JS API
//! reads, and `LinkConfig::new` checks them: one set of rules for both.
//!
//! ```no_run
//! use auth0_account_link::options::options;
//! use auth0_account_link::core::config::ResponseMode;
//! use std::time::Duration;
//!
//! let config = options("tenant.eu.auth0.com", "YOUR_SPA_CLIENT_ID")
//!     .connection("google-oauth2", "Google")
//!     .connection("github", "GitHub")
//!     .response_mode(ResponseMode::WebMessage)
//!     .request_timeout(Duration::from_secs(15))
//!     .build();
//! // Err(config_invalid) names the field and the fix, in Rust terms.
//! ```

use auth0_account_link_core::config::{
    ConnectionOption, LinkConfig, LinkOptions, ResponseMode, Theme, ViewOptions,
};
use auth0_account_link_core::LinkError;
use std::time::Duration;

/// Options for `domain` (the tenant, or `http://127.0.0.1:PORT` for the dev tenant) and
/// the SPA application `client_id`; everything else has the widget's defaults.
pub fn options(domain: &str, client_id: &str) -> Options {
    Options(LinkOptions {
        domain: Some(domain.to_owned()),
        client_id: Some(client_id.to_owned()),
        ..LinkOptions::default()
    })
}

/// A builder of the widget's options ([`options`]).
#[derive(Debug, Clone, Default)]
pub struct Options(LinkOptions);

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

impl Options {
    /// A connection the widget offers a button for, with its label.
    pub fn connection(mut self, name: &str, label: &str) -> Self {
        self.0
            .connections
            .get_or_insert_with(Vec::new)
            .push(ConnectionOption {
                name: name.to_owned(),
                label: Some(label.to_owned()),
            });
        self
    }
    /// The page that resumes a login that left the tab (`redirect_uri`), needed for
    /// `ResponseMode::Query` and for "Continue in this tab".
    pub fn redirect_uri(mut self, uri: &str) -> Self {
        self.0.redirect_uri = Some(uri.to_owned());
        self
    }
    pub fn response_mode(mut self, mode: ResponseMode) -> Self {
        self.0.response_mode = Some(mode.as_str().to_owned());
        self
    }
    /// The widget's language (also sent to the login page as `ui_locales`).
    pub fn locale(mut self, locale: &str) -> Self {
        self.0.locale = Some(locale.to_owned());
        self
    }
    pub fn theme(mut self, theme: Theme) -> Self {
        self.0.theme = Some(theme.as_str().to_owned());
        self
    }
    /// The level of the widget's heading, 2 to 6.
    pub fn heading_level(mut self, level: u8) -> Self {
        self.0.heading_level = Some(f64::from(level));
        self
    }
    /// How long the login window may take (`popup_timeout_seconds`).
    pub fn popup_timeout(mut self, timeout: Duration) -> Self {
        self.0.popup_timeout_seconds = Some(seconds(timeout));
        self
    }
    /// How long a request or the token source may take (`request_timeout_seconds`).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.0.request_timeout_seconds = Some(seconds(timeout));
        self
    }
    /// Clock skew allowed on the ID token's times (`leeway_seconds`).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.0.leeway_seconds = Some(seconds(leeway));
        self
    }
    /// `max_age` for the secondary login, with `auth_time` checked (`max_age_seconds`).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.0.max_age_seconds = Some(seconds(max_age));
        self
    }
    /// How recent the primary user's sign-in must be before a login is added (default 10
    /// minutes): older, the login window asks them to sign in again first
    /// (`reauthenticate_max_age_seconds`).
    pub fn reauthenticate_within(mut self, max_age: Duration) -> Self {
        self.0.reauthenticate = Some(true);
        self.0.reauthenticate_max_age_seconds = Some(seconds(max_age));
        self
    }
    /// Only the secondary account signs in (`reauthenticate: false`); a tenant may still
    /// grant the link scope to recent sign-ins only.
    pub fn without_reauthentication(mut self) -> Self {
        self.0.reauthenticate = Some(false);
        self.0.reauthenticate_max_age_seconds = None;
        self
    }
    pub fn require_verified_email(mut self, require: bool) -> Self {
        self.0.require_verified_email = Some(require);
        self
    }
    /// Before the link, the secondary's saved settings (`user_metadata`) the primary user
    /// lacks are written to the primary (a link discards them; the token then needs
    /// `update:current_user_metadata`). For a rule of your own, give the component's
    /// `carry_user_metadata` function instead.
    pub fn carry_user_metadata(mut self) -> Self {
        self.0.carry_user_metadata = Some("primary-wins".to_owned());
        self
    }
    pub fn allow_merge(mut self, allow: bool) -> Self {
        self.0.allow_merge = Some(allow);
        self
    }
    /// The primary user, from your own sign-in (recommended: the widget then refuses any
    /// other user from the first token on).
    pub fn primary_user_id(mut self, user_id: &str) -> Self {
        self.0.primary_user_id = Some(user_id.to_owned());
        self
    }
    /// With a custom `domain`: the Management API's identifier.
    pub fn management_audience(mut self, audience: &str) -> Self {
        self.0.management_audience = Some(audience.to_owned());
        self
    }
    /// This page's origin (by default the window's).
    pub fn app_origin(mut self, origin: &str) -> Self {
        self.0.app_origin = Some(origin.to_owned());
        self
    }

    /// The checked configuration. `config_invalid` names the field (Rust spelling) and
    /// the fix.
    pub fn build(&self) -> Result<LinkConfig, LinkError> {
        let mut options = self.0.clone();
        if options.app_origin.is_none() {
            options.app_origin = web_sys::window().and_then(|w| w.location().origin().ok());
        }
        LinkConfig::new(&options).map_err(LinkError::in_rust_terms)
    }

    /// The view's options (theme, heading level) for the `view` prop.
    pub fn view(&self) -> Result<ViewOptions, LinkError> {
        ViewOptions::new(&self.0).map_err(LinkError::in_rust_terms)
    }
}
