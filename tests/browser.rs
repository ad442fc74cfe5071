//! Browser adapters in headless Chromium (wasm-bindgen-test): the `message` filter, the
//! listener's RAII, popup close and timeout through the runner, WebCrypto SHA-256 and RS256
//! on a real signature, and sessionStorage clean-up.
#![cfg(target_arch = "wasm32")]

use auth0_account_link::browser::env::JsJson;
use auth0_account_link::browser::popup::{accept, MessageListener};
use auth0_account_link::browser::{crypto, storage, window};
use auth0_account_link::runner::{token_source, Host, Runner, TokenSource};
use auth0_account_link_core::config::{LinkConfig, LinkOptions};
use auth0_account_link_core::encoding::base64url_encode;
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::id_token::{self, Expectations};
use auth0_account_link_core::jwt::Jwks;
use auth0_account_link_core::secret::{IdToken, Nonce};
use auth0_account_link_core::session::{Command, Policy, Position, Tell, View};
use js_sys::{Function, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::{MessageEvent, MessageEventInit};

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{frame_settled, hidden_frame, page_options, primary_token, sleep, TENANT};

fn authorization_response(kind: &str) -> JsValue {
    let data = Object::new();
    let response = Object::new();
    Reflect::set(&response, &"code".into(), &"the-code".into()).expect("set");
    Reflect::set(&response, &"state".into(), &"the-state".into()).expect("set");
    Reflect::set(&data, &"type".into(), &kind.into()).expect("set");
    Reflect::set(&data, &"response".into(), &response).expect("set");
    data.into()
}

fn message(origin: &str, source: Option<&Object>, data: &JsValue) -> MessageEvent {
    let init = MessageEventInit::new();
    init.set_data(data);
    init.set_origin(origin);
    init.set_source(source);
    MessageEvent::new_with_event_init_dict("message", &init).expect("MessageEvent")
}

#[wasm_bindgen_test]
fn the_response_from_the_tenant_and_the_popup_is_accepted() {
    let popup: Object = window().into();
    let event = message(
        TENANT,
        Some(&popup),
        &authorization_response("authorization_response"),
    );
    let response = accept(&event, TENANT, &popup.clone().into()).expect("accepted");
    assert_eq!(
        (response.code.as_deref(), response.state.as_deref()),
        (Some("the-code"), Some("the-state"))
    );
}

#[wasm_bindgen_test]
fn messages_from_another_origin_are_ignored() {
    let popup: Object = window().into();
    for origin in [
        "https://evil.example.com",
        "http://tenant.example.com",
        "https://tenant.example.com:444",
        "",
    ] {
        let event = message(
            origin,
            Some(&popup),
            &authorization_response("authorization_response"),
        );
        assert!(
            accept(&event, TENANT, &popup.clone().into()).is_none(),
            "{origin}"
        );
    }
}

#[wasm_bindgen_test]
fn messages_from_another_window_are_ignored() {
    let popup: Object = window().into();
    // Another real window: an iframe's.
    let document = window().document().expect("document");
    let iframe = document.create_element("iframe").expect("iframe");
    document
        .body()
        .expect("body")
        .append_child(&iframe)
        .expect("append");
    let other: Object = Reflect::get(&iframe, &"contentWindow".into())
        .expect("contentWindow")
        .into();
    let event = message(
        TENANT,
        Some(&other),
        &authorization_response("authorization_response"),
    );
    assert!(accept(&event, TENANT, &popup.clone().into()).is_none());
    let event = message(
        TENANT,
        None,
        &authorization_response("authorization_response"),
    );
    assert!(accept(&event, TENANT, &popup.into()).is_none());
}

#[wasm_bindgen_test]
fn other_message_types_are_ignored() {
    let popup: Object = window().into();
    for data in [
        authorization_response("other"),
        JsValue::from_str("authorization_response"),
        JsValue::NULL,
    ] {
        let event = message(TENANT, Some(&popup), &data);
        assert!(accept(&event, TENANT, &popup.clone().into()).is_none());
    }
}

#[wasm_bindgen_test]
async fn the_listener_is_removed_when_dropped() {
    let origin = window().location().origin().expect("origin");
    let source: Object = window().into();
    let count = Rc::new(RefCell::new(0));
    let c = count.clone();
    let listener = MessageListener::new(origin.clone(), source.clone().into(), move |_| {
        *c.borrow_mut() += 1
    });
    let send = || {
        window()
            .dispatch_event(&message(
                &origin,
                Some(&source),
                &authorization_response("authorization_response"),
            ))
            .expect("dispatch")
    };
    send();
    assert_eq!(*count.borrow(), 1);
    drop(listener);
    send();
    assert_eq!(*count.borrow(), 1, "a dropped listener hears nothing");
}

#[wasm_bindgen_test]
async fn webcrypto_sha256_matches_rfc7636() {
    let digest = crypto::sha256(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        .await
        .expect("digest");
    assert_eq!(
        base64url_encode(&digest),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[derive(serde::Deserialize)]
struct Fixture {
    jwks: Jwks,
    token: String,
    nonce: String,
}

fn fixture() -> Fixture {
    use auth0_account_link_core::env::JsonParser;
    JsJson
        .parse(include_str!("fixtures/webcrypto.json"))
        .expect("fixture")
}

fn fixture_config() -> LinkConfig {
    LinkConfig::new(&LinkOptions {
        domain: Some("tenant.example.com".into()),
        client_id: Some("spa-client".into()),
        app_origin: Some("https://app.example.com".into()),
        ..Default::default()
    })
    .expect("config")
}

#[wasm_bindgen_test]
async fn webcrypto_verifies_a_good_token() {
    let f = fixture();
    let pending = id_token::begin(&JsJson, IdToken::new(f.token), &f.jwks).expect("header and key");
    let valid = crypto::verify_rs256(pending.key(), pending.signing_input(), pending.signature())
        .await
        .expect("webcrypto");
    assert!(valid);
    let config = fixture_config();
    let nonce = Nonce::new(f.nonce);
    let verified = pending
        .finish(
            valid,
            Expectations {
                config: &config,
                nonce: &nonce,
                now: 1_800_000_100,
            },
        )
        .expect("verified");
    assert_eq!(verified.sub(), "google-oauth2|123");
}

#[wasm_bindgen_test]
async fn webcrypto_rejects_a_tampered_token() {
    let f = fixture();
    let parts: Vec<&str> = f.token.split('.').collect();
    let forged_claims = r#"{"iss":"https://tenant.example.com/","sub":"auth0|attacker","aud":"spa-client","iat":1800000000,"exp":4000000000,"nonce":"fixture-nonce"}"#;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64url_encode(forged_claims.as_bytes()),
        parts[2]
    );
    let pending = id_token::begin(&JsJson, IdToken::new(forged), &f.jwks).expect("header and key");
    assert!(
        !crypto::verify_rs256(pending.key(), pending.signing_input(), pending.signature())
            .await
            .expect("webcrypto")
    );
    let config = fixture_config();
    let nonce = Nonce::new(f.nonce.clone());
    let e = pending
        .finish(
            false,
            Expectations {
                config: &config,
                nonce: &nonce,
                now: 1_800_000_100,
            },
        )
        .expect_err("refused");
    assert_eq!(e.reason().map(|r| r.as_str()), Some("signature"));
    // One flipped signature bit is refused too.
    let mut sig = auth0_account_link_core::encoding::base64url_decode(parts[2]).expect("sig");
    sig[0] ^= 1;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], base64url_encode(&sig));
    let pending = id_token::begin(&JsJson, IdToken::new(flipped), &f.jwks).expect("header and key");
    assert!(
        !crypto::verify_rs256(pending.key(), pending.signing_input(), pending.signature())
            .await
            .expect("webcrypto")
    );
}

#[wasm_bindgen_test]
fn storage_keeps_only_the_transaction_and_deletes_it_on_use() {
    assert!(storage::save_transaction("client-a", "v1.pending"));
    assert_eq!(
        storage::take_transaction("client-a").as_deref(),
        Some("v1.pending")
    );
    assert_eq!(
        storage::take_transaction("client-a"),
        None,
        "deleted on use"
    );
    assert!(storage::save_transaction("client-a", "v1.pending"));
    storage::clear_transaction("client-a");
    let session = window()
        .session_storage()
        .expect("storage")
        .expect("storage");
    assert_eq!(session.length().expect("length"), 0);
}

/// Replaces `window.open` with a fake popup the test can close.
fn fake_window_open() {
    let open = Function::new_with_args(
        "url, name, features",
        "const w = { url, name, closed: false, close() { this.closed = true; }, location: { set href(v) { w.url = v; } } }; window.__opened = w; return w;",
    );
    Reflect::set(&window(), &"open".into(), &open).expect("override window.open");
}

fn opened() -> JsValue {
    Reflect::get(&window(), &"__opened".into()).expect("__opened")
}

/// What a runner's host heard: every view and every tell.
#[derive(Default)]
struct Heard {
    views: RefCell<Vec<View>>,
    tells: RefCell<Vec<Tell>>,
}

fn recording_host(heard: &Rc<Heard>) -> Host {
    let (v, t) = (heard.clone(), heard.clone());
    Host {
        view: Rc::new(move |view| v.views.borrow_mut().push(view)),
        tell: Rc::new(move |tell| t.tells.borrow_mut().push(tell)),
        ask: Rc::new(|_| {}),
    }
}

fn quiet_host() -> Host {
    recording_host(&Rc::default())
}

fn good_token() -> TokenSource {
    token_source(|| Box::pin(async { Ok(primary_token()) }))
}

/// A runner ready for the click. `reauthenticate`: whether the first window is the
/// primary's sign-in again (the default) or the secondary's login.
async fn ready_runner(popup_timeout: Option<f64>) -> (Runner, Rc<Heard>) {
    ready_runner_with(popup_timeout, Some(false)).await
}

async fn ready_runner_with(
    popup_timeout: Option<f64>,
    reauthenticate: Option<bool>,
) -> (Runner, Rc<Heard>) {
    fake_window_open();
    let config = LinkConfig::new(&LinkOptions {
        popup_timeout_seconds: popup_timeout,
        reauthenticate,
        ..page_options("spa-client")
    })
    .expect("config");
    let heard: Rc<Heard> = Rc::default();
    let runner = Runner::new(
        config,
        Policy::headless(false, false),
        good_token(),
        recording_host(&heard),
    );
    runner.open();
    let ready = || {
        heard
            .views
            .borrow()
            .iter()
            .any(|v| v.position == Position::Ready)
    };
    for _ in 0..50 {
        if ready() {
            break;
        }
        sleep(20).await;
    }
    assert!(ready(), "prepared");
    (runner, heard)
}

fn failure(heard: &Rc<Heard>) -> Option<ErrorCode> {
    heard.tells.borrow().iter().find_map(|t| match t {
        Tell::Failed(e) => Some(e.code()),
        _ => None,
    })
}

/// This page's own `Cross-Origin-Opener-Policy`, as the server sent it.
async fn page_opener_policy() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    gloo_net::http::RequestBuilder::new(&href)
        .method(gloo_net::http::Method::HEAD)
        .send()
        .await
        .ok()?
        .headers()
        .get("cross-origin-opener-policy")
}

/// A login window that reads as closed: `popup_closed`, unless this page is served with
/// `Cross-Origin-Opener-Policy: same-origin` (wasm-bindgen-test's runner serves its page
/// so), which cuts the page off from the windows it opens on other origins: then the
/// window was cut off, `popup_blocked`. (The e2e suite closes real windows on pages
/// without that policy, in three browsers.)
#[wasm_bindgen_test]
async fn a_closed_login_window_is_popup_closed_or_cut_off_by_the_pages_opener_policy() {
    let expected = match page_opener_policy().await.as_deref() {
        Some("same-origin") => ErrorCode::PopupBlocked,
        _ => ErrorCode::PopupClosed,
    };
    let (runner, heard) = ready_runner(None).await;
    runner.command(Command::Link(Some("github".into())));
    let url = Reflect::get(&opened(), &"url".into())
        .expect("url")
        .as_string()
        .expect("string");
    assert!(
        url.starts_with("https://tenant.example.com/authorize?"),
        "{url}"
    );
    assert!(url.contains("connection=github") && url.contains("code_challenge_method=S256"));
    Reflect::set(&opened(), &"closed".into(), &true.into()).expect("close");
    sleep(1000).await;
    assert_eq!(failure(&heard), Some(expected));
    runner.dispose();
}

/// With re-authentication on (the default), the sign-in again is first asked ahead of the
/// click in a hidden frame; here the tenant cannot answer it (its host does not resolve), so
/// the click's window waits blank, and once the frame has given up the window is the
/// primary's sign-in again (`max_age`); closing it ends with its own code, nothing sent.
#[wasm_bindgen_test]
async fn the_first_window_signs_the_primary_in_again() {
    let cut_off = page_opener_policy().await.as_deref() == Some("same-origin");
    // The session reads the list first (the primary's email and connection name whom the
    // window asks for): a tenant answering it.
    let original = Reflect::get(&window(), &"fetch".into()).expect("fetch");
    let fetch = Function::new_with_args(
        "original",
        "return (input, init) => String(input.url ?? input).startsWith('https://tenant.example.com/') \
         ? Promise.resolve(new Response(JSON.stringify({ user_id: 'auth0|primary', email: 'alice@example.com', \
         identities: [{ connection: 'Username-Password-Authentication', user_id: 'primary', provider: 'auth0' }] }), \
         { status: 200, headers: { 'content-type': 'application/json' } })) : original(input, init);",
    )
    .call1(&JsValue::NULL, &original)
    .expect("fake fetch");
    Reflect::set(&window(), &"fetch".into(), &fetch).expect("replace fetch");
    let (runner, heard) = ready_runner_with(None, None).await;
    let frame = hidden_frame().expect("the hidden frame of the sign-in ahead of the click");
    let asked = frame.get_attribute("src").expect("src");
    assert!(
        asked.contains("prompt=none") && asked.contains("max_age=600"),
        "{asked}"
    );
    runner.command(Command::Link(Some("github".into())));
    let url = || {
        Reflect::get(&opened(), &"url".into())
            .expect("url")
            .as_string()
            .expect("string")
    };
    assert_eq!(url(), "about:blank", "the window waits for the frame");
    // The frame loads the browser's error page and posts nothing: it goes well before
    // its time-out, and the window asks instead.
    let started = js_sys::Date::now();
    frame_settled().await;
    assert!(
        js_sys::Date::now() - started < 3000.0,
        "no need to wait for the time-out"
    );
    let url = url();
    assert!(
        url.contains("max_age=600") && !url.contains("connection=github"),
        "{url}"
    );
    assert!(url.contains("update%3Acurrent_user_identities"), "{url}");
    assert!(
        url.contains("login_hint=alice%40example.com")
            && url.contains("connection=Username-Password-Authentication"),
        "{url}"
    );
    Reflect::set(&opened(), &"closed".into(), &true.into()).expect("close");
    sleep(1000).await;
    let expected = if cut_off {
        ErrorCode::PopupBlocked
    } else {
        ErrorCode::ReauthenticationFailed
    };
    assert_eq!(failure(&heard), Some(expected));
    runner.dispose();
    Reflect::set(&window(), &"fetch".into(), &original).expect("restore fetch");
}

#[wasm_bindgen_test]
async fn no_answer_in_time_ends_with_timeout_and_closes_the_popup() {
    let (runner, heard) = ready_runner(Some(10.0)).await;
    runner.command(Command::Link(None));
    sleep(10_600).await;
    assert_eq!(failure(&heard), Some(ErrorCode::Timeout));
    assert_eq!(
        Reflect::get(&opened(), &"closed".into())
            .expect("closed")
            .as_bool(),
        Some(true),
        "the popup was closed"
    );
    runner.dispose();
}

#[wasm_bindgen_test]
async fn dispose_closes_the_popup_and_ignores_late_events() {
    let (runner, heard) = ready_runner(None).await;
    runner.command(Command::Link(None));
    runner.dispose();
    assert_eq!(
        Reflect::get(&opened(), &"closed".into())
            .expect("closed")
            .as_bool(),
        Some(true)
    );
    let before = heard.views.borrow().len() + heard.tells.borrow().len();
    sleep(600).await;
    assert_eq!(
        heard.views.borrow().len() + heard.tells.borrow().len(),
        before,
        "no timer or poll fires after dispose"
    );
}

fn set_search(search: &str) {
    let path = window().location().pathname().expect("pathname");
    window()
        .history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")))
        .expect("replaceState");
}

#[wasm_bindgen_test]
fn the_hosts_own_callback_is_left_alone() {
    let config = LinkConfig::new(&page_options("host-callback-client")).expect("config");
    let runner = Runner::new(
        config,
        Policy::headless(false, false),
        good_token(),
        quiet_host(),
    );
    // No pending widget transaction: auth0-spa-js's code and state stay in the URL.
    set_search("?code=host-code&state=host-state");
    assert!(!runner.resume());
    assert_eq!(
        window().location().search().expect("search"),
        "?code=host-code&state=host-state"
    );
    // A pending widget transaction with another state: still not ours, still untouched.
    let a = "A".repeat(43);
    assert!(storage::save_transaction(
        "host-callback-client",
        &format!("v4.{a}.{a}.{a}.{a}...0.s.")
    ));
    assert!(!runner.resume());
    assert_eq!(
        window().location().search().expect("search"),
        "?code=host-code&state=host-state"
    );
    assert!(
        storage::take_transaction("host-callback-client").is_some(),
        "the widget's transaction is kept for its own return"
    );
    set_search("");
    runner.dispose();
}

#[wasm_bindgen_test]
fn each_popup_gets_a_window_name_of_its_own() {
    use auth0_account_link::browser::popup::Popup;
    fake_window_open();
    let name = || {
        Reflect::get(&opened(), &"name".into())
            .expect("name")
            .as_string()
            .expect("a string")
    };
    let first = Popup::open("about:blank").expect("opened");
    let first_name = name();
    let second = Popup::open("about:blank").expect("opened");
    let second_name = name();
    assert!(
        first_name.starts_with("auth0-account-link-"),
        "{first_name}"
    );
    assert_eq!(
        first_name.len(),
        "auth0-account-link-".len() + 16,
        "96 random bits"
    );
    assert_ne!(
        first_name, second_name,
        "no popup can be reached by another's name"
    );
    drop((first, second));
}

#[wasm_bindgen_test]
fn a_redirect_return_removes_only_the_authorization_response_from_the_url() {
    use auth0_account_link_core::config::ResponseMode;
    use auth0_account_link_core::env::RandomSource;
    use auth0_account_link_core::transaction::TransactionDraft;
    struct Counter(u8);
    impl RandomSource for Counter {
        fn fill(&mut self, buf: &mut [u8]) {
            for b in buf {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
        }
    }
    let config = LinkConfig::new(&page_options("redirect-return-client")).expect("config");
    let txn = TransactionDraft::new(&mut Counter(0)).finish([9; 32]);
    let authorize = txn.authorize_url(&config, ResponseMode::Query);
    let state = authorize
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .expect("state")
        .to_owned();
    assert!(storage::save_transaction(
        "redirect-return-client",
        &txn.persist()
    ));
    let host_state = Object::new();
    Reflect::set(&host_state, &"page".into(), &"accounts".into()).expect("set");
    let path = window().location().pathname().expect("path");
    window()
        .history()
        .expect("history")
        .replace_state_with_url(
            &host_state,
            "",
            Some(&format!(
                "{path}?tab=accounts&code=c0de&state={state}&iss=x#section"
            )),
        )
        .expect("replaceState");

    let runner = Runner::new(
        config,
        Policy::headless(false, false),
        good_token(),
        quiet_host(),
    );
    assert!(runner.resume(), "our own response");
    let location = window().location();
    assert_eq!(location.search().expect("search"), "?tab=accounts");
    assert_eq!(location.hash().expect("hash"), "#section");
    let kept = window().history().expect("history").state().expect("state");
    assert_eq!(
        Reflect::get(&kept, &"page".into())
            .expect("page")
            .as_string()
            .as_deref(),
        Some("accounts"),
        "the host's history state is kept"
    );
    assert_eq!(
        storage::take_transaction("redirect-return-client"),
        None,
        "used once"
    );
    runner.dispose();
    set_search("");
}

#[wasm_bindgen_test]
async fn the_jwks_cache_keeps_only_a_key_set() {
    use auth0_account_link::runner::jwks;
    use auth0_account_link_core::http::{HttpRequest, Method};
    // The first answer is a 200 that is no key set; the second is one.
    let calls = js_sys::Array::new();
    let fetch = Function::new_with_args(
        "calls",
        "return () => { calls.push(1); const body = calls.length === 1 ? '<html>maintenance</html>' : \
         '{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}'; \
         return Promise.resolve(new Response(body, { status: 200 })); };",
    )
    .call1(&JsValue::NULL, &calls)
    .expect("fake fetch");
    let original = Reflect::get(&window(), &"fetch".into()).expect("fetch");
    Reflect::set(&window(), &"fetch".into(), &fetch).expect("replace fetch");
    let request = || HttpRequest {
        method: Method::Get,
        url: "https://jwks-cache.example/.well-known/jwks.json".into(),
        headers: vec![],
        body: None,
    };
    let signal = web_sys::AbortController::new()
        .expect("controller")
        .signal();
    let first = jwks(request(), 5, false, signal.clone())
        .await
        .expect("answer");
    assert_eq!(first.body, "<html>maintenance</html>");
    let second = jwks(request(), 5, false, signal.clone())
        .await
        .expect("answer");
    assert!(second.body.contains("keys"), "not served from the cache");
    let third = jwks(request(), 5, false, signal).await.expect("answer");
    assert!(third.body.contains("keys"));
    assert_eq!(
        calls.length(),
        2,
        "the key set was cached, the HTML page was not"
    );
    Reflect::set(&window(), &"fetch".into(), &original).expect("restore fetch");
}

#[wasm_bindgen_test]
fn the_rust_options_builder_fills_the_same_options_and_speaks_rust() {
    use auth0_account_link::options::options;
    use auth0_account_link_core::config::ResponseMode;
    use std::time::Duration;
    // The page's origin by default; Durations in seconds.
    let config = options("tenant.example.com", "client")
        .connection("github", "GitHub")
        .request_timeout(Duration::from_secs(15))
        .build()
        .expect("valid");
    assert_eq!(config.request_timeout_seconds(), 15);
    assert_eq!(config.connections().len(), 1);
    let origin = window().location().origin().expect("origin");
    assert!(
        config.redirect_uri().starts_with(&origin),
        "{}",
        config.redirect_uri()
    );
    // A wrong option is config_invalid naming the Rust field, never the JS option.
    let e = options("tenant.example.com", "client")
        .response_mode(ResponseMode::Query)
        .build()
        .expect_err("query needs a redirect_uri");
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    assert!(e.detail().contains("redirect_uri"), "{}", e.detail());
    assert!(!e.detail().contains("redirectUri"), "{}", e.detail());
    // The primary's sign-in again: on by default, its bound a Duration, or off.
    let base = || options("tenant.example.com", "client");
    let on = base().build().expect("valid");
    assert_eq!(on.reauthenticate_max_age_seconds(), Some(600));
    let five = base()
        .reauthenticate_within(Duration::from_secs(300))
        .build()
        .expect("valid");
    assert_eq!(five.reauthenticate_max_age_seconds(), Some(300));
    let off = base().without_reauthentication().build().expect("valid");
    assert_eq!(off.reauthenticate_max_age_seconds(), None);
    let e = base()
        .reauthenticate_within(Duration::from_secs(2 * 86_400))
        .build()
        .expect_err("over a day");
    assert!(
        e.detail().contains("reauthenticate_max_age_seconds"),
        "{}",
        e.detail()
    );
}
