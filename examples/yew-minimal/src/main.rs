//! The smallest Yew app with the `AccountLink` component: the user signs in with
//! auth0-spa-js (the crate's `auth0-spa-js` feature) and links and unlinks accounts.
//!
//! Against the bundled dev tenant: in the repository, `scripts/demo --app-origin
//! http://127.0.0.1:8080` (the tenant on :4000, with this app's origin allowed), then
//! `trunk serve` in this folder and open http://127.0.0.1:8080/. For your tenant, change
//! the three constants (docs/real-tenant.md has the dashboard settings).

use auth0_account_link::options::options;
use auth0_account_link::spa_js::{SpaClient, SpaUser};
use auth0_account_link::{AccountLink, LinkConfig, STYLESHEET};
use std::rc::Rc;
use yew::prelude::*;

/// The tenant (`"YOUR_TENANT.eu.auth0.com"` for a real one).
const DOMAIN: &str = "http://127.0.0.1:4000";
/// The SPA application's client id.
const CLIENT_ID: &str = "demo-spa-client";
/// auth0-spa-js's ES module build (the dev tenant serves one; serve your own copy).
const SPA_JS: &str = "http://127.0.0.1:4000/auth0-spa-js.production.esm.js";

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

struct SignedIn {
    client: SpaClient,
    config: LinkConfig,
    user: Option<SpaUser>,
}

async fn start() -> Result<SignedIn, String> {
    // This page's origin by default; a wrong option names the Rust field and the fix.
    let config = options(DOMAIN, CLIENT_ID)
        .build()
        .map_err(|e| e.to_string())?;
    let client = SpaClient::create(SPA_JS, &config, &format!("{}/", origin())).await?;
    client.handle_redirect().await?;
    let user = client.user().await?;
    Ok(SignedIn {
        client,
        config,
        user,
    })
}

#[function_component(App)]
fn app() -> Html {
    let state = use_state(|| None::<Rc<Result<SignedIn, String>>>);
    let sign_in_failed = use_state(|| None::<String>);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(
                async move { state.set(Some(Rc::new(start().await))) },
            );
        });
    }
    let Some(started) = &*state else {
        return html! { <p>{ "Loading…" }</p> };
    };
    match &**started {
        Err(e) => html! { <p>{ format!("Error: {e}") }</p> },
        Ok(SignedIn {
            client, user: None, ..
        }) => {
            let (client, failed) = (client.clone(), sign_in_failed.clone());
            let sign_in = Callback::from(move |_: MouseEvent| {
                let (client, failed) = (client.clone(), failed.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = client.login_with_redirect().await {
                        failed.set(Some(e));
                    }
                });
            });
            html! {
                <>
                    <button type="button" onclick={sign_in}>{ "Sign in" }</button>
                    if let Some(e) = &*sign_in_failed {
                        <p>{ format!("Sign-in failed: {e}") }</p>
                    }
                </>
            }
        }
        Ok(SignedIn {
            client,
            config,
            user: Some(user),
        }) => html! {
            <>
                <style>{ STYLESHEET }</style>
                <p>{ format!("Signed in as {}", user.email.as_deref().unwrap_or(&user.sub)) }</p>
                <AccountLink config={config.clone()} token={client.token_source()} />
            </>
        },
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
