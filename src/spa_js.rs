//! A thin binding to auth0-spa-js (feature `auth0-spa-js`): the Rust route to the primary
//! user's Management API token, for a Yew app whose users sign in with Auth0's SPA SDK.
//!
//! ```no_run
//! # async fn example() -> Result<(), String> {
//! use auth0_account_link::spa_js::SpaClient;
//! use auth0_account_link::{LinkConfig, LinkOptions};
//!
//! let config = LinkConfig::new(&LinkOptions {
//!     domain: Some("tenant.eu.auth0.com".into()),
//!     client_id: Some("YOUR_SPA_CLIENT_ID".into()),
//!     app_origin: Some("https://app.example.com".into()),
//!     ..Default::default()
//! })
//! .map_err(|e| e.to_string())?;
//! // Your copy of auth0-spa-js's ES module build (`auth0-spa-js.production.esm.js`).
//! let client = SpaClient::create("/auth0-spa-js.production.esm.js", &config, "https://app.example.com/").await?;
//! client.handle_redirect().await?; // the host's own sign-in; the widget's returns are left alone
//! if client.user().await?.is_some() {
//!     let token = client.token_source(); // for <AccountLink {token} … />
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The client is created with the recommended host configuration (refresh tokens kept
//! across page loads: `useRefreshTokens`, `cacheLocation: "localstorage"`), so the page
//! stays its user's whatever the tenant's session becomes after a secondary login that
//! ended without a link. Refresh tokens reach a browser only with Refresh Token Rotation
//! enabled for the application (docs/real-tenant.md).

use crate::runner::{TokenFuture, TokenSource};
use auth0_account_link_core::config::LinkConfig;
use auth0_account_link_core::transaction::is_widget_state;
use js_sys::{Function, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// auth0-spa-js is an ES module loaded at run time with `import()`, which Rust cannot spell.
#[wasm_bindgen(inline_js = "export function importModule(url) { return import(url); }")]
extern "C" {
    #[wasm_bindgen(js_name = importModule)]
    fn import_module(url: &str) -> Promise;
}

// The parts of auth0-spa-js's `Auth0Client` used here.
#[wasm_bindgen]
extern "C" {
    #[derive(Clone, Debug)]
    type Auth0Client;
    #[wasm_bindgen(method, js_name = isAuthenticated)]
    fn is_authenticated(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = loginWithRedirect)]
    fn login_with_redirect(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = handleRedirectCallback)]
    fn handle_redirect_callback(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = getTokenSilently)]
    fn get_token_silently(this: &Auth0Client, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = getUser)]
    fn get_user(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method)]
    fn logout(this: &Auth0Client, options: &JsValue) -> Promise;
}

/// The scopes the widget's requests need from the primary user's token.
const SCOPE: &str = "openid profile email read:current_user update:current_user_identities";

#[derive(Serialize)]
struct AuthorizationParams<'a> {
    redirect_uri: &'a str,
    audience: &'a str,
    scope: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions<'a> {
    domain: &'a str,
    client_id: &'a str,
    cache_location: &'static str,
    use_refresh_tokens: bool,
    authorization_params: AuthorizationParams<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenOptions<'a> {
    authorization_params: TokenParams<'a>,
}

#[derive(Serialize)]
struct TokenParams<'a> {
    audience: &'a str,
    scope: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogoutOptions<'a> {
    logout_params: LogoutParams<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogoutParams<'a> {
    return_to: &'a str,
}

/// The signed-in user, as auth0-spa-js's `getUser()` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SpaUser {
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// An auth0-spa-js client for the widget's tenant, application and Management API.
#[derive(Clone, Debug)]
pub struct SpaClient {
    client: Auth0Client,
    audience: String,
}

fn describe(value: &JsValue) -> String {
    crate::browser::describe(value)
}

async fn call(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
}

impl SpaClient {
    /// Imports auth0-spa-js from `module_url` and creates its client for `config`'s tenant
    /// and application, signing in with `redirect_uri` (registered in Allowed Callback
    /// URLs) and asking for the Management API audience and the widget's scopes.
    pub async fn create(
        module_url: &str,
        config: &LinkConfig,
        redirect_uri: &str,
    ) -> Result<SpaClient, String> {
        let module = call(import_module(module_url)).await?;
        let create: Function = Reflect::get(&module, &"createAuth0Client".into())
            .map_err(|e| describe(&e))?
            .dyn_into()
            .map_err(|_| {
                format!(
                    "{module_url} has no createAuth0Client: is it auth0-spa-js's ES module build?"
                )
            })?;
        let audience = config.management_audience().to_owned();
        let options = to_js(&ClientOptions {
            domain: config.domain().origin(),
            client_id: config.client_id(),
            cache_location: "localstorage",
            use_refresh_tokens: true,
            authorization_params: AuthorizationParams {
                redirect_uri,
                audience: &audience,
                scope: SCOPE,
            },
        })?;
        let created = create
            .call1(&JsValue::UNDEFINED, &options)
            .map_err(|e| describe(&e))?;
        let client: Auth0Client = call(created.unchecked_into()).await?.unchecked_into();
        Ok(SpaClient { client, audience })
    }

    /// Finishes the host's own sign-in when this page's URL carries its answer, and takes
    /// it out of the URL. A redirect return of the widget's (its `state`) is left for the
    /// widget. Returns whether a sign-in was finished.
    pub async fn handle_redirect(&self) -> Result<bool, String> {
        let Some(window) = web_sys::window() else {
            return Ok(false);
        };
        let search = window.location().search().unwrap_or_default();
        let params = web_sys::UrlSearchParams::new_with_str(&search).map_err(|e| describe(&e))?;
        let ours = params.get("code").is_some()
            && params
                .get("state")
                .is_some_and(|state| !is_widget_state(&state));
        if !ours {
            return Ok(false);
        }
        call(self.client.handle_redirect_callback()).await?;
        let path = window.location().pathname().unwrap_or_else(|_| "/".into());
        window
            .history()
            .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&path)))
            .map_err(|e| describe(&e))?;
        Ok(true)
    }

    /// The signed-in user, if any.
    pub async fn user(&self) -> Result<Option<SpaUser>, String> {
        if !call(self.client.is_authenticated()).await?.is_truthy() {
            return Ok(None);
        }
        let user = call(self.client.get_user()).await?;
        serde_wasm_bindgen::from_value(user)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// Sends the page to the tenant's login page (`loginWithRedirect`).
    pub async fn login_with_redirect(&self) -> Result<(), String> {
        call(self.client.login_with_redirect()).await.map(drop)
    }

    /// Signs out at the tenant and comes back to `return_to` (Allowed Logout URLs).
    pub async fn logout(&self, return_to: &str) -> Result<(), String> {
        let options = to_js(&LogoutOptions {
            logout_params: LogoutParams { return_to },
        })?;
        call(self.client.logout(&options)).await.map(drop)
    }

    /// The widget's token source: `getTokenSilently` for the Management API audience and
    /// the widget's scopes (from the cache, a refresh token or the tenant's session).
    pub fn token_source(&self) -> TokenSource {
        let (client, audience) = (self.client.clone(), self.audience.clone());
        TokenSource::from(move |()| {
            let options = to_js(&TokenOptions {
                authorization_params: TokenParams {
                    audience: &audience,
                    scope: SCOPE,
                },
            });
            // Called now, not at the first poll (the runner asks inside click handlers).
            let pending = options.map(|o| client.get_token_silently(&o));
            Box::pin(async move {
                call(pending?).await?.as_string().ok_or_else(|| {
                    "getTokenSilently resolved to something other than a string".to_owned()
                })
            }) as TokenFuture
        })
    }
}
