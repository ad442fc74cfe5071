//! The Yew demo: a Rust SPA whose primary user signs in with an unmodified auth0-spa-js
//! (bound through wasm-bindgen) and links and unlinks accounts with the `AccountLink`
//! component, used only through the crate's public API, as a Rust app would.
//!
//! Built by `trunk build` (the top-level `Trunk.toml`) into `www/yew`, served by the dev
//! tenant at `/yew/`.

use auth0_account_link::core::config::{ConnectionOption, LinkConfig, LinkOptions};
use auth0_account_link::core::management::Identity;
use auth0_account_link::core::LinkError;
use auth0_account_link::runner::TokenFuture;
use auth0_account_link::{AccountLink, TokenSource};
use js_sys::{Function, Promise, Reflect};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

// auth0-spa-js is loaded from the tenant's URL (given by /config.json) with a dynamic
// `import()`, which Rust cannot spell: this one-line module does it.
#[wasm_bindgen(inline_js = "export function importModule(url) { return import(url); }")]
extern "C" {
    #[wasm_bindgen(js_name = importModule)]
    fn import_module(url: &str) -> Promise;
}

// The parts of auth0-spa-js's `Auth0Client` the demo uses.
#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    type Auth0Client;
    #[wasm_bindgen(method, js_name = isAuthenticated)]
    fn is_authenticated(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = loginWithRedirect)]
    fn login_with_redirect(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = handleRedirectCallback)]
    fn handle_redirect_callback(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = getTokenSilently)]
    fn get_token_silently(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method, js_name = getUser)]
    fn get_user(this: &Auth0Client) -> Promise;
    #[wasm_bindgen(method)]
    fn logout(this: &Auth0Client, options: &JsValue) -> Promise;
}

/// What the dev tenant's `/config.json` says.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoConfig {
    domain: String,
    client_id: String,
    spa_js: String,
}

#[derive(Serialize)]
struct AuthorizationParams {
    redirect_uri: String,
    audience: String,
    scope: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    domain: String,
    client_id: String,
    /// The recommended host configuration (docs/sessions-and-custom-domains.md): refresh
    /// tokens kept across page loads, so the page stays its user's whatever the tenant's
    /// session becomes after a secondary login that ended without a link.
    cache_location: &'static str,
    use_refresh_tokens: bool,
    authorization_params: AuthorizationParams,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogoutParams {
    return_to: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogoutOptions {
    logout_params: LogoutParams,
}

/// Waits for an auth0-spa-js call the page does not otherwise wait for, and puts its
/// failure in the events panel.
fn report(promise: Promise, log: UseReducerDispatcher<EventLog>) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = call(promise).await {
            log.dispatch(format!("error: {e}"));
        }
    });
}

#[derive(Deserialize, Default)]
struct User {
    name: Option<String>,
    email: Option<String>,
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "an unknown error".to_owned())
}

async fn call(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

fn window() -> web_sys::Window {
    web_sys::window().expect_throw("the demo runs in a browser window")
}

fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// Loads /config.json and auth0-spa-js, creates the client and finishes a sign-in
/// redirect when the URL carries one.
async fn start() -> Result<(Auth0Client, DemoConfig, Option<User>), String> {
    let response = gloo_net::http::Request::get("/config.json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    let json = js_sys::JSON::parse(&text).map_err(|e| describe(&e))?;
    let config: DemoConfig = serde_wasm_bindgen::from_value(json).map_err(|e| e.to_string())?;

    let module = call(import_module(&config.spa_js)).await?;
    let create: Function = Reflect::get(&module, &"createAuth0Client".into())
        .map_err(|e| describe(&e))?
        .dyn_into()
        .map_err(|_| "auth0-spa-js has no createAuth0Client".to_owned())?;
    let options = ClientOptions {
        domain: config.domain.clone(),
        client_id: config.client_id.clone(),
        cache_location: "localstorage",
        use_refresh_tokens: true,
        authorization_params: AuthorizationParams {
            redirect_uri: format!("{}/yew/", origin()),
            audience: format!("{}/api/v2/", config.domain),
            scope: "openid profile email read:current_user update:current_user_identities",
        },
    };
    let options = options
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())?;
    let client: Auth0Client = call(
        create
            .call1(&JsValue::UNDEFINED, &options)
            .map_err(|e| describe(&e))?
            .unchecked_into(),
    )
    .await?
    .unchecked_into();

    let search = window().location().search().unwrap_or_default();
    if search.contains("code=") && search.contains("state=") {
        call(client.handle_redirect_callback()).await?;
        // The code and state leave the URL.
        window()
            .history()
            .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some("/yew/")))
            .map_err(|e| describe(&e))?;
    }
    let user = if call(client.is_authenticated()).await?.is_truthy() {
        let user = call(client.get_user()).await?;
        Some(serde_wasm_bindgen::from_value(user).unwrap_or_default())
    } else {
        None
    };
    Ok((client, config, user))
}

enum Phase {
    Loading,
    Failed(String),
    Ready {
        client: Auth0Client,
        config: DemoConfig,
        user: Option<User>,
    },
}

/// The widget's options, as a Rust app builds them.
fn link_config(config: &DemoConfig) -> Result<LinkConfig, LinkError> {
    let connection = |name: &str, label: &str| ConnectionOption {
        name: name.into(),
        label: Some(label.into()),
    };
    LinkConfig::new(&LinkOptions {
        domain: Some(config.domain.clone()),
        client_id: Some(config.client_id.clone()),
        app_origin: Some(origin()),
        connections: Some(vec![
            connection("google-oauth2", "Google"),
            connection("github", "GitHub"),
            connection("Username-Password-Authentication", "Email and password"),
        ]),
        ..Default::default()
    })
}

/// The primary user's Management API token, from auth0-spa-js.
fn token_source(client: &Auth0Client) -> TokenSource {
    let client = client.clone();
    TokenSource::from(move |()| {
        let client = client.clone();
        Box::pin(async move {
            call(client.get_token_silently())
                .await?
                .as_string()
                .ok_or_else(|| "getTokenSilently resolved to something other than a string".into())
        }) as TokenFuture
    })
}

fn describe_identities(what: &str, ids: &[Identity]) -> String {
    let names: Vec<&str> = ids.iter().map(|i| i.provider.as_str()).collect();
    format!("{what}: {} identities ({})", ids.len(), names.join(", "))
}

#[function_component(App)]
fn app() -> Html {
    let phase = use_state(|| Phase::Loading);
    let events = use_reducer(EventLog::default);
    {
        let phase = phase.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                phase.set(match start().await {
                    Ok((client, config, user)) => Phase::Ready {
                        client,
                        config,
                        user,
                    },
                    Err(e) => Phase::Failed(e),
                });
            });
        });
    }
    let body = match &*phase {
        Phase::Loading => html! { <p id="status" role="status">{ "Loading…" }</p> },
        Phase::Failed(e) => {
            html! { <p id="status" role="status" class="error">{ format!("Error: {e}") }</p> }
        }
        Phase::Ready {
            client, user: None, ..
        } => {
            let (client, log) = (client.clone(), events.dispatcher());
            let sign_in = Callback::from(move |_: MouseEvent| {
                report(client.login_with_redirect(), log.clone());
            });
            html! {
                <>
                    <p id="status" role="status">{ "Signed out." }</p>
                    <button id="sign-in" type="button" onclick={sign_in}>{ "Sign in" }</button>
                </>
            }
        }
        Phase::Ready {
            client,
            config,
            user: Some(user),
        } => {
            let sign_out = {
                let (client, log) = (client.clone(), events.dispatcher());
                Callback::from(move |_: MouseEvent| {
                    let options = LogoutOptions {
                        logout_params: LogoutParams {
                            return_to: format!("{}/yew/", origin()),
                        },
                    };
                    match serde_wasm_bindgen::to_value(&options) {
                        Ok(options) => report(client.logout(&options), log.clone()),
                        Err(e) => log.dispatch(format!("error: {e}")),
                    }
                })
            };
            let widget = match link_config(config) {
                Ok(link) => {
                    let log = events.dispatcher();
                    let on_linked = {
                        let log = log.clone();
                        Callback::from(move |ids: Vec<Identity>| {
                            log.dispatch(describe_identities("linked", &ids))
                        })
                    };
                    let on_unlinked = {
                        let log = log.clone();
                        Callback::from(move |ids: Vec<Identity>| {
                            log.dispatch(describe_identities("unlinked", &ids))
                        })
                    };
                    let on_error = Callback::from(move |e: LinkError| {
                        log.dispatch(format!("error: {}", e.code().as_str()))
                    });
                    html! {
                        <AccountLink config={link} token={token_source(client)} {on_linked} {on_unlinked} {on_error} />
                    }
                }
                Err(e) => html! { <p class="error">{ e.to_string() }</p> },
            };
            html! {
                <>
                    <p id="status" role="status">{ "Signed in." }</p>
                    <p id="user">{ format!(
                        "Signed in as {} <{}>",
                        user.name.as_deref().unwrap_or("?"),
                        user.email.as_deref().unwrap_or("?"),
                    ) }</p>
                    <button id="sign-out" type="button" onclick={sign_out}>{ "Sign out" }</button>
                    <section aria-labelledby="widget-title">
                        <h2 id="widget-title">{ "The AccountLink component" }</h2>
                        <div id="account-link">{ widget }</div>
                    </section>
                </>
            }
        }
    };
    html! {
        <>
            <header>
                <h1>{ "auth0-account-link · Yew demo" }</h1>
                <p class="note">
                    { "A Rust app built with Trunk, using the AccountLink component against the bundled dev tenant. " }
                    <a href="/">{ "The JavaScript demo" }</a>
                </p>
            </header>
            <main>
                { body }
                <section aria-labelledby="events-title">
                    <h2 id="events-title">{ "Events" }</h2>
                    <ol id="events">
                        { for events.lines.iter().map(|line| html! { <li>{ line }</li> }) }
                    </ol>
                </section>
            </main>
        </>
    }
}

/// The events panel: what the component told the app, in order.
#[derive(Default, PartialEq)]
struct EventLog {
    lines: Vec<String>,
}

impl Reducible for EventLog {
    type Action = String;

    fn reduce(self: Rc<Self>, line: String) -> Rc<Self> {
        let mut lines = self.lines.clone();
        lines.push(line);
        Rc::new(EventLog { lines })
    }
}

fn main() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    yew::Renderer::<App>::with_root(body.into()).render();
}
