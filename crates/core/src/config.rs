//! Options as given by the host (`LinkOptions`, camelCase as in the JS API) and the
//! validated `LinkConfig`, which only `LinkConfig::new` can make. Invalid options give
//! `config_invalid` naming the option and the fix, before any request is sent.

use crate::error::LinkError;
use serde::Deserialize;

pub const DEFAULT_LEEWAY_SECONDS: u64 = 60;
pub const MAX_LEEWAY_SECONDS: u64 = 300;
pub const DEFAULT_POPUP_TIMEOUT_SECONDS: u64 = 300;
/// auth0-spa-js's own default: a request (or `getAccessToken`) that takes longer ends
/// in `timeout`.
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: u64 = 10;
/// How recent the primary user's sign-in must be before a login is added or removed
/// (`reauthenticateMaxAgeSeconds`): 10 minutes, the bound Clerk's reverification uses by
/// default for connecting or removing an external account. Older, the login window asks
/// the primary user's credentials first (OIDC `max_age`).
pub const DEFAULT_REAUTHENTICATE_MAX_AGE_SECONDS: u64 = 600;
/// The largest `reauthenticateMaxAgeSeconds`: a day. A longer bound proves nothing a
/// token would not.
pub const MAX_REAUTHENTICATE_MAX_AGE_SECONDS: u64 = 86_400;

/// What happens to the secondary account's `user_metadata` (its saved settings), which a
/// link discards (`carryUserMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CarryUserMetadata {
    /// Not carried (the default): the confirm screen and `beforeLink` say what is lost.
    #[default]
    Off,
    /// The secondary's root properties the primary lacks are written to the primary
    /// before the link.
    PrimaryWins,
    /// The host's function gives the primary's new `user_metadata`; what differs is
    /// written before the link.
    Host,
}

/// Options as the host passes them (the JS object, minus `getAccessToken`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkOptions {
    pub domain: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub connections: Option<Vec<ConnectionOption>>,
    pub response_mode: Option<String>,
    pub locale: Option<String>,
    /// `"auto"` (follows `prefers-color-scheme`, the default), `"light"` or `"dark"`.
    pub theme: Option<String>,
    /// The level of the widget's heading, 2 to 6 (default 2).
    pub heading_level: Option<f64>,
    pub popup_timeout_seconds: Option<f64>,
    pub request_timeout_seconds: Option<f64>,
    pub leeway_seconds: Option<f64>,
    pub require_verified_email: Option<bool>,
    /// Offer to merge a secondary login that is an existing user with other logins of its
    /// own (default `false`: refused with `secondary_has_other_logins`). The user is shown
    /// what moves and what does not before anything is linked.
    pub allow_merge: Option<bool>,
    pub max_age_seconds: Option<f64>,
    /// Before a login is added or removed, the primary user signs in again in the same
    /// window unless their sign-in is recent (default `true`): see
    /// `reauthenticateMaxAgeSeconds`.
    pub reauthenticate: Option<bool>,
    /// How recent the primary user's sign-in must be (default 600 s).
    pub reauthenticate_max_age_seconds: Option<f64>,
    /// `"primary-wins"`: before the link, the secondary's `user_metadata` properties the
    /// primary does not have are written to the primary (a link discards them). A host
    /// function instead: the shell takes it ([`LinkConfig::merging_user_metadata_with_host`]).
    /// Default: not carried.
    pub carry_user_metadata: Option<String>,
    pub primary_user_id: Option<String>,
    /// The Management API's identifier, when `domain` is a custom domain: tokens keep
    /// `https://{tenant}.auth0.com/api/v2/` as their audience while the calls go to
    /// `domain`. Defaults to `https://{domain}/api/v2/`.
    pub management_audience: Option<String>,
    /// Filled by the browser shell with `window.location.origin`: the `web_message`
    /// redirect target when `redirectUri` is not given.
    pub app_origin: Option<String>,
}

impl LinkOptions {
    /// Option names, as hosts spell them (plus `getAccessToken`, the `on*` callbacks,
    /// `beforeLink`, `messages` and `loadMessages`, which the shell takes).
    pub const NAMES: [&'static str; 27] = [
        "domain",
        "clientId",
        "redirectUri",
        "connections",
        "responseMode",
        "locale",
        "theme",
        "headingLevel",
        "messages",
        "loadMessages",
        "beforeLink",
        "popupTimeoutSeconds",
        "requestTimeoutSeconds",
        "leewaySeconds",
        "requireVerifiedEmail",
        "allowMerge",
        "maxAgeSeconds",
        "reauthenticate",
        "reauthenticateMaxAgeSeconds",
        "carryUserMetadata",
        "primaryUserId",
        "managementAudience",
        "appOrigin",
        "getAccessToken",
        "onLinked",
        "onUnlinked",
        "onError",
    ];

    /// Refuses option names the widget does not know (a typo would otherwise be ignored
    /// silently), suggesting the right spelling when only the case differs.
    pub fn check_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), LinkError> {
        for name in names {
            if Self::NAMES.contains(&name) {
                continue;
            }
            let fix = match Self::NAMES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(name))
            {
                Some(known) => format!("did you mean `{known}`?"),
                None => format!("known options are {}", Self::NAMES.join(", ")),
            };
            return Err(LinkError::config(
                name,
                "is not an option of auth0-account-link",
                fix,
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConnectionOption {
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// How the authorization server returns the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// `postMessage` to the opener, accepted only from the tenant origin and the popup.
    WebMessage,
    /// Redirect to `redirect_uri` with `?code&state`; a callback page hands it over.
    Query,
}

impl ResponseMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::WebMessage => "web_message",
            ResponseMode::Query => "query",
        }
    }
}

/// A connection the user can pick (`connection=` on `/authorize`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    name: String,
    label: String,
}

impl Connection {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// The tenant: `scheme://host[:port]`, https except on loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    origin: String,
}

impl Domain {
    /// `https://host` (no trailing slash): the origin `web_message` responses must come from.
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// `https://host/`: the `iss` of the tenant's tokens.
    pub fn issuer(&self) -> String {
        format!("{}/", self.origin)
    }
    /// `https://host/api/v2/`: the Management API audience.
    pub fn management_audience(&self) -> String {
        format!("{}/api/v2/", self.origin)
    }
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.origin, path.trim_start_matches('/'))
    }
}

/// Validated configuration. Only [`LinkConfig::new`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConfig {
    domain: Domain,
    client_id: String,
    redirect_uri: String,
    /// The origin of `redirect_uri` (the page's own, `appOrigin`).
    redirect_origin: String,
    redirect_uri_explicit: bool,
    connections: Vec<Connection>,
    response_mode: ResponseMode,
    popup_timeout_seconds: u64,
    request_timeout_seconds: u64,
    leeway_seconds: u64,
    require_verified_email: bool,
    allow_merge: bool,
    max_age_seconds: Option<u64>,
    /// `None`: no re-authentication (`reauthenticate: false`).
    reauthenticate_max_age_seconds: Option<u64>,
    carry_user_metadata: CarryUserMetadata,
    primary_user_id: Option<String>,
    management_audience: String,
    locale: String,
    /// Whether the host chose the locale (then it is sent as `ui_locales`).
    locale_explicit: bool,
}

/// What only the view uses: the colour scheme and the heading level. Read from the same
/// options object and validated here; held by the component (the session never sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewOptions {
    theme: Theme,
    heading_level: u8,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            theme: Theme::Auto,
            heading_level: 2,
        }
    }
}

impl ViewOptions {
    pub fn new(options: &LinkOptions) -> Result<Self, LinkError> {
        let theme = match options.theme.as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(other) => {
                return Err(LinkError::config(
                    "theme",
                    format!(
                        "expected \"auto\", \"light\" or \"dark\", found {}",
                        crate::encoding::quoted(other)
                    ),
                    "leave it out to follow the page's prefers-color-scheme",
                ))
            }
        };
        let heading_level = match options.heading_level {
            None => 2,
            Some(level) if level.fract() == 0.0 && (2.0..=6.0).contains(&level) => level as u8,
            // No float in the message: formatting one would ship float printing (docs/size.md).
            Some(_) => {
                return Err(LinkError::config(
                    "headingLevel",
                    "expected a whole number from 2 to 6, found another value",
                    "use the level that fits your page's outline (2 for h2 … 6 for h6)",
                ))
            }
        };
        Ok(ViewOptions {
            theme,
            heading_level,
        })
    }
    pub fn theme(&self) -> Theme {
        self.theme
    }
    pub fn heading_level(&self) -> u8 {
        self.heading_level
    }
}

/// The widget's colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follows the page's `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// A BCP 47 language tag as browsers and Auth0's `ui_locales` take it: a 2–3 letter
/// language, then subtags of 1–8 letters or digits (`en`, `de-AT`, `zh-Hant-TW`).
fn parse_locale(given: &str) -> Result<String, LinkError> {
    let mut parts = given.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if language_ok && rest_ok && given.len() <= 35 {
        Ok(given.to_owned())
    } else {
        Err(LinkError::config(
            "locale",
            format!("{} is not a language tag", crate::encoding::quoted(given)),
            "use a BCP 47 tag such as \"en\", \"de\", \"fr-CA\" or \"ar\"",
        ))
    }
}

impl LinkConfig {
    pub fn new(options: &LinkOptions) -> Result<Self, LinkError> {
        let domain = parse_domain(options.domain.as_deref())?;
        let client_id = parse_client_id(options.client_id.as_deref())?;
        let response_mode = match options.response_mode.as_deref() {
            None | Some("web_message") => ResponseMode::WebMessage,
            Some("query") => ResponseMode::Query,
            Some(other) => {
                return Err(LinkError::config(
                    "responseMode",
                    format!(
                        "expected \"web_message\" or \"query\", found {}",
                        crate::encoding::quoted(other)
                    ),
                    "use \"web_message\" (popup) or \"query\" (callback page)",
                ))
            }
        };
        let redirect_uri = match (&options.redirect_uri, response_mode) {
            (Some(uri), _) => parse_redirect_uri("redirectUri", uri)?,
            (None, ResponseMode::Query) => {
                return Err(LinkError::config("redirectUri", "missing", "responseMode \"query\" needs the absolute URL of your callback page, registered in the application's Allowed Callback URLs"))
            }
            (None, ResponseMode::WebMessage) => match &options.app_origin {
                Some(origin) => {
                    let uri = parse_redirect_uri("appOrigin", origin)?;
                    if uri.trim_end_matches('/').matches('/').count() != 2 {
                        return Err(LinkError::config("appOrigin", "must be an origin", "pass window.location.origin"));
                    }
                    uri.trim_end_matches('/').to_owned()
                }
                None => return Err(LinkError::config("redirectUri", "missing and no page origin is known", "set redirectUri to your page's origin")),
            },
        };
        // The callback page hands its answer to this page (query mode) or resumes the
        // redirect here (the fallback): both only work on the page's own origin.
        if let (Some(uri), Some(app_origin)) = (&options.redirect_uri, &options.app_origin) {
            let page = url_origin(app_origin.trim_end_matches('/'));
            let found = url_origin(&redirect_uri);
            if found != page {
                return Err(LinkError::config(
                    "redirectUri",
                    format!(
                        "{} is on {found}, not on this page's origin {page}",
                        crate::encoding::quoted(uri)
                    ),
                    "use a callback page on this page's origin (its answer and the stored login stay in this origin)",
                ));
            }
        }
        let connections = parse_connections(options.connections.as_deref())?;
        let popup_timeout_seconds = seconds(
            "popupTimeoutSeconds",
            options.popup_timeout_seconds,
            DEFAULT_POPUP_TIMEOUT_SECONDS,
            10,
            3600,
        )?;
        let request_timeout_seconds = seconds(
            "requestTimeoutSeconds",
            options.request_timeout_seconds,
            DEFAULT_REQUEST_TIMEOUT_SECONDS,
            1,
            300,
        )?;
        let leeway_seconds = seconds(
            "leewaySeconds",
            options.leeway_seconds,
            DEFAULT_LEEWAY_SECONDS,
            0,
            MAX_LEEWAY_SECONDS,
        )?;
        let max_age_seconds = match options.max_age_seconds {
            None => None,
            Some(v) => Some(seconds("maxAgeSeconds", Some(v), 0, 0, 60 * 60 * 24 * 365)?),
        };
        let reauthenticate_max_age_seconds = match (
            options.reauthenticate,
            options.reauthenticate_max_age_seconds,
        ) {
            (Some(false), Some(_)) => {
                return Err(LinkError::config(
                    "reauthenticateMaxAgeSeconds",
                    "is set while reauthenticate is false",
                    "omit one: reauthenticate: false turns the check off, the bound only applies with it on",
                ))
            }
            (Some(false), None) => None,
            (_, given) => Some(seconds(
                "reauthenticateMaxAgeSeconds",
                given,
                DEFAULT_REAUTHENTICATE_MAX_AGE_SECONDS,
                0,
                MAX_REAUTHENTICATE_MAX_AGE_SECONDS,
            )?),
        };
        let carry_user_metadata = match options.carry_user_metadata.as_deref() {
            None => CarryUserMetadata::Off,
            Some("primary-wins") => CarryUserMetadata::PrimaryWins,
            Some(other) => {
                return Err(LinkError::config(
                    "carryUserMetadata",
                    format!("is {}", crate::encoding::quoted(other)),
                    "use \"primary-wins\", or a function (primary, secondary) => the primary's new user_metadata, or leave it out",
                ))
            }
        };
        let primary_user_id = match &options.primary_user_id {
            None => None,
            Some(id) if id.trim().is_empty() || id.chars().any(char::is_control) => {
                return Err(LinkError::config(
                    "primaryUserId",
                    "is empty or has control characters",
                    "omit it to use the access token's sub",
                ))
            }
            Some(id) => Some(id.clone()),
        };
        let management_audience = match &options.management_audience {
            None => domain.management_audience(),
            Some(given) => parse_management_audience(given)?,
        };
        let locale = match &options.locale {
            Some(given) => parse_locale(given)?,
            None => "en".to_owned(),
        };
        Ok(LinkConfig {
            domain,
            client_id,
            redirect_origin: url_origin(&redirect_uri),
            redirect_uri,
            redirect_uri_explicit: options.redirect_uri.is_some(),
            connections,
            response_mode,
            popup_timeout_seconds,
            request_timeout_seconds,
            leeway_seconds,
            require_verified_email: options.require_verified_email.unwrap_or(true),
            allow_merge: options.allow_merge.unwrap_or(false),
            max_age_seconds,
            reauthenticate_max_age_seconds,
            carry_user_metadata,
            primary_user_id,
            management_audience,
            locale,
            locale_explicit: options.locale.is_some(),
        })
    }

    pub fn domain(&self) -> &Domain {
        &self.domain
    }
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }
    /// The callback page for the redirect fallback: only an explicit `redirectUri`.
    pub fn redirect_fallback_uri(&self) -> Option<&str> {
        self.redirect_uri_explicit
            .then_some(self.redirect_uri.as_str())
    }
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }
    pub fn connection(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }
    pub fn response_mode(&self) -> ResponseMode {
        self.response_mode
    }
    /// The only origin a popup's authorization response may come from: the tenant for
    /// `web_message`; for `query`, the callback page's (the `redirectUri`'s origin, which
    /// is the page's: `appOrigin`, checked at construction).
    pub fn response_message_origin(&self) -> &str {
        match self.response_mode {
            ResponseMode::WebMessage => self.domain.origin(),
            ResponseMode::Query => &self.redirect_origin,
        }
    }
    pub fn popup_timeout_seconds(&self) -> u64 {
        self.popup_timeout_seconds
    }
    pub fn request_timeout_seconds(&self) -> u64 {
        self.request_timeout_seconds
    }
    pub fn leeway_seconds(&self) -> u64 {
        self.leeway_seconds
    }
    pub fn require_verified_email(&self) -> bool {
        self.require_verified_email
    }
    pub fn allow_merge(&self) -> bool {
        self.allow_merge
    }
    pub fn max_age_seconds(&self) -> Option<u64> {
        self.max_age_seconds
    }
    /// How recent the primary user's sign-in must be before a login is added or removed;
    /// `None` when the host turned the check off.
    pub fn reauthenticate_max_age_seconds(&self) -> Option<u64> {
        self.reauthenticate_max_age_seconds
    }
    pub fn carry_user_metadata(&self) -> CarryUserMetadata {
        self.carry_user_metadata
    }
    /// The host gives a function for the primary's new `user_metadata` (the shell holds it
    /// and answers [`crate::flow::Effect::MergeUserMetadata`]).
    pub fn merging_user_metadata_with_host(mut self) -> Self {
        self.carry_user_metadata = CarryUserMetadata::Host;
        self
    }
    pub fn primary_user_id(&self) -> Option<&str> {
        self.primary_user_id.as_deref()
    }
    pub fn locale(&self) -> &str {
        &self.locale
    }
    /// The locale the login page should use (`ui_locales`): only one the host chose.
    pub fn ui_locales(&self) -> Option<&str> {
        self.locale_explicit.then_some(self.locale.as_str())
    }
    /// The `aud` the primary access token must hold: `managementAudience`, else
    /// `https://{domain}/api/v2/`.
    pub fn management_audience(&self) -> &str {
        &self.management_audience
    }
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Splits `host[:port]`, checking the host's characters and the port's range.
fn check_authority(option: &str, authority: &str) -> Result<String, LinkError> {
    let fix = "give the tenant host, e.g. \"tenant.eu.auth0.com\"";
    if authority.is_empty() {
        return Err(LinkError::config(option, "has no host", fix));
    }
    if authority.contains('@') {
        return Err(LinkError::config(
            option,
            "must not contain user info (`user@`)",
            fix,
        ));
    }
    let (host, port) = if authority.starts_with('[') {
        let end = authority
            .find(']')
            .ok_or_else(|| LinkError::config(option, "has an unclosed IPv6 bracket", fix))?;
        (&authority[..=end], authority[end + 1..].strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = if host.starts_with('[') {
        host == "[::1]"
    } else {
        !host.is_empty()
            && !host.starts_with('.')
            && !host.ends_with('.')
            && !host.contains("..")
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    if !host_ok {
        return Err(LinkError::config(
            option,
            format!(
                "host {} is not a valid host name",
                crate::encoding::quoted(host)
            ),
            fix,
        ));
    }
    if let Some(port) = port {
        if port.is_empty()
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u16>().map_or(true, |p| p == 0)
        {
            return Err(LinkError::config(
                option,
                format!("port {} is not a valid port", crate::encoding::quoted(port)),
                fix,
            ));
        }
    }
    Ok(host.to_ascii_lowercase())
}

fn parse_domain(value: Option<&str>) -> Result<Domain, LinkError> {
    let raw = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            LinkError::config(
                "domain",
                "missing",
                "set it to your Auth0 tenant domain, e.g. \"tenant.eu.auth0.com\"",
            )
        })?;
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_owned(), raw),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err(LinkError::config(
            "domain",
            format!(
                "{} has a path, query or fragment",
                crate::encoding::quoted(raw)
            ),
            "give only the host, e.g. \"tenant.eu.auth0.com\"",
        ));
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LinkError::config(
            "domain",
            "contains whitespace",
            "remove it",
        ));
    }
    let host = check_authority("domain", rest)?;
    match scheme.as_str() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(LinkError::config(
                "domain",
                format!("http is only allowed for 127.0.0.1, localhost or [::1], found {host}"),
                "use https (or just the host name)",
            ))
        }
        other => {
            return Err(LinkError::config(
                "domain",
                format!("scheme {} is not supported", crate::encoding::quoted(other)),
                "use https (or just the host name)",
            ))
        }
    }
    Ok(Domain {
        origin: origin_of(&scheme, rest),
    })
}

/// `scheme://authority` as browsers spell an origin: lower case, without the scheme's
/// default port (`https://tenant:443` is `https://tenant`; `MessageEvent.origin` never
/// carries it, so the exact origin check would otherwise ignore every answer).
fn origin_of(scheme: &str, authority: &str) -> String {
    let authority = authority.to_ascii_lowercase();
    let default_port = match scheme {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    let authority = match authority.strip_suffix(default_port) {
        Some(host) if !default_port.is_empty() => host.to_owned(),
        _ => authority,
    };
    format!("{scheme}://{authority}")
}

/// `https://{tenant}.auth0.com/api/v2/` (or any https host) exactly as the API's
/// identifier is spelled: Auth0 compares audiences as strings.
fn parse_management_audience(given: &str) -> Result<String, LinkError> {
    let fix = "give the Management API's identifier, e.g. \"https://tenant.eu.auth0.com/api/v2/\"";
    let (https, rest) = match (
        given.strip_prefix("https://"),
        given.strip_prefix("http://"),
    ) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => {
            return Err(LinkError::config(
                "managementAudience",
                "must be an https URL",
                fix,
            ))
        }
    };
    let authority = rest
        .strip_suffix("/api/v2/")
        .ok_or_else(|| LinkError::config("managementAudience", "must end with /api/v2/", fix))?;
    let host = check_authority("managementAudience", authority)?;
    // As for `domain`: http only for a tenant on this machine (the dev tenant).
    if !https && !is_loopback(&host) {
        return Err(LinkError::config(
            "managementAudience",
            "must be an https URL",
            fix,
        ));
    }
    Ok(given.to_owned())
}

/// The origin of an absolute URL that [`parse_redirect_uri`] accepted.
fn url_origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    origin_of(scheme, rest.split(['/', '?']).next().unwrap_or(""))
}

fn parse_client_id(value: Option<&str>) -> Result<String, LinkError> {
    match value {
        None => Err(LinkError::config(
            "clientId",
            "missing",
            "set it to the Client ID of your SPA application in Auth0",
        )),
        Some(v) if v.trim().is_empty() => Err(LinkError::config(
            "clientId",
            "is empty",
            "set it to the Client ID of your SPA application in Auth0",
        )),
        Some(v) if v.chars().any(|c| c.is_whitespace() || c.is_control()) => {
            Err(LinkError::config(
                "clientId",
                "contains whitespace",
                "copy the Client ID exactly",
            ))
        }
        Some(v) => Ok(v.to_owned()),
    }
}

/// Absolute http(s) URL without fragment or user info; https unless loopback.
fn parse_redirect_uri(option: &str, uri: &str) -> Result<String, LinkError> {
    let fix = "give the absolute URL registered in the application's Allowed Callback URLs";
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
        LinkError::config(
            option,
            format!("{} is not an absolute URL", crate::encoding::quoted(uri)),
            fix,
        )
    })?;
    if uri.contains('#') {
        return Err(LinkError::config(
            option,
            "must not contain a fragment (#)",
            fix,
        ));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LinkError::config(option, "contains whitespace", fix));
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = check_authority(option, authority)?;
    match scheme {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(LinkError::config(
                option,
                format!("http is only allowed on loopback hosts, found {host}"),
                "use https",
            ))
        }
        other => {
            return Err(LinkError::config(
                option,
                format!("scheme {} is not allowed", crate::encoding::quoted(other)),
                "use https",
            ))
        }
    }
    Ok(uri.to_owned())
}

fn parse_connections(list: Option<&[ConnectionOption]>) -> Result<Vec<Connection>, LinkError> {
    let mut out: Vec<Connection> = Vec::new();
    for (i, c) in list.unwrap_or_default().iter().enumerate() {
        let option = format!("connections[{i}].name");
        if c.name.trim().is_empty()
            || c.name
                .chars()
                .any(|ch| ch.is_whitespace() || ch.is_control())
        {
            return Err(LinkError::config(
                &option,
                format!(
                    "{} is not a connection name",
                    crate::encoding::quoted(&c.name)
                ),
                "use the connection's name in Auth0, e.g. \"google-oauth2\"",
            ));
        }
        if out.iter().any(|o| o.name == c.name) {
            return Err(LinkError::config(
                &option,
                format!("{} is listed twice", crate::encoding::quoted(&c.name)),
                "list each connection once",
            ));
        }
        let label = c
            .label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| default_label(&c.name));
        out.push(Connection {
            name: c.name.clone(),
            label,
        });
    }
    Ok(out)
}

/// A readable label for well-known connection names.
pub fn default_label(name: &str) -> String {
    match name {
        "google-oauth2" => "Google".into(),
        "github" => "GitHub".into(),
        "facebook" => "Facebook".into(),
        "apple" => "Apple".into(),
        "windowslive" => "Microsoft".into(),
        "linkedin" => "LinkedIn".into(),
        "twitter" => "X (Twitter)".into(),
        "Username-Password-Authentication" => "Email and password".into(),
        other => other.to_owned(),
    }
}

fn seconds(
    option: &str,
    value: Option<f64>,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, LinkError> {
    let Some(v) = value else { return Ok(default) };
    if !v.is_finite() || v.fract() != 0.0 || v < min as f64 || v > max as f64 {
        return Err(LinkError::config(
            option,
            format!(
                "expected a whole number of seconds from {min} to {max}, found {}",
                if v.is_finite() {
                    "a fraction or a value out of range"
                } else {
                    "a non-finite number"
                }
            ),
            format!("omit it for the default ({default})"),
        ));
    }
    Ok(v as u64)
}
