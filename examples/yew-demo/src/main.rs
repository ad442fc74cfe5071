//! The Yew demo: a Rust SPA whose primary user signs in with an unmodified auth0-spa-js
//! (bound through wasm-bindgen) and links and unlinks accounts with the `AccountLink`
//! component, used only through the crate's public API, as a Rust app would.
//!
//! Built by `trunk build` (the top-level `Trunk.toml`) into `www/yew`, served by the dev
//! tenant at `/yew/`.

use auth0_account_link::core::config::ConnectionOption;
use auth0_account_link::spa_js::{SpaClient, SpaUser};
use auth0_account_link::{AccountLink, Identity, LinkConfig, LinkError, LinkOptions, Linked};
use serde::Deserialize;
use std::rc::Rc;
use yew::prelude::*;

/// What the dev tenant's `/config.json` says.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoConfig {
    domain: String,
    client_id: String,
    spa_js: String,
}

/// Waits for an auth0-spa-js call the page does not otherwise wait for, and puts its
/// failure in the events panel.
fn report(
    call: impl std::future::Future<Output = Result<(), String>> + 'static,
    log: UseReducerDispatcher<EventLog>,
) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = call.await {
            log.dispatch(format!("error: {e}"));
        }
    });
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Loads /config.json, the widget's options and auth0-spa-js (through the crate's
/// `auth0-spa-js` feature), and finishes a sign-in redirect when the URL carries one.
async fn start() -> Result<(SpaClient, LinkConfig, Option<SpaUser>), String> {
    let response = gloo_net::http::Request::get("/config.json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    let json = js_sys::JSON::parse(&text).map_err(|_| "/config.json is not JSON".to_owned())?;
    let config: DemoConfig = serde_wasm_bindgen::from_value(json).map_err(|e| e.to_string())?;
    let link = link_config(&config).map_err(|e| e.to_string())?;
    let client = SpaClient::create(&config.spa_js, &link, &format!("{}/yew/", origin())).await?;
    client.handle_redirect().await?;
    let user = client.user().await?;
    Ok((client, link, user))
}

enum Phase {
    Loading,
    Failed(String),
    Ready {
        client: SpaClient,
        config: Box<LinkConfig>,
        user: Option<SpaUser>,
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
                        config: Box::new(config),
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
                let client = client.clone();
                report(
                    async move { client.login_with_redirect().await },
                    log.clone(),
                );
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
                    let client = client.clone();
                    let return_to = format!("{}/yew/", origin());
                    report(async move { client.logout(&return_to).await }, log.clone());
                })
            };
            let widget = {
                {
                    let log = events.dispatcher();
                    let on_linked = {
                        let log = log.clone();
                        Callback::from(move |linked: Linked| {
                            log.dispatch(describe_identities("linked", &linked.identities))
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
                        <AccountLink config={(**config).clone()} token={client.token_source()} {on_linked} {on_unlinked} {on_error} />
                    }
                }
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
