//! The Yew `AccountLink` component in headless Chromium (the one renderer: `mount()` and
//! the custom element draw this same component): markup and ARIA, IdP strings kept as
//! text, keyed rows, unlink with a focused confirmation, a failing token reported with a
//! way forward, new props without a restart, and a clean unmount.
//!
//! The Management API answers from a fake `fetch` installed for each test: the dev tenant
//! cannot run inside the test page (the e2e tests run the same component against it).
#![cfg(target_arch = "wasm32")]

use auth0_account_link::browser::window;
use auth0_account_link::runner::{token_source, TokenSource};
use auth0_account_link::{AccountLink, AccountLinkProps};
use auth0_account_link_core::config::{ConnectionOption, LinkConfig, LinkOptions};
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::LinkError;
use js_sys::Reflect;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::{AppHandle, Callback};

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{eventually, frame_settled, page_options, primary_token, sleep, TENANT};

const PRIMARY_AND_GITHUB: &str = r#"{"user_id":"auth0|primary","identities":[
    {"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"},
    {"connection":"github","user_id":"7","provider":"github","profileData":{"email":"a@github.example"}}]}"#;
const PRIMARY_ONLY: &str =
    r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"}]"#;

fn host() -> Element {
    let document = window().document().expect("document");
    let host = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append host");
    host
}

fn options() -> LinkOptions {
    LinkOptions {
        connections: Some(vec![ConnectionOption {
            name: "google-oauth2".into(),
            label: None,
        }]),
        ..page_options("spa-client")
    }
}

fn config() -> LinkConfig {
    LinkConfig::new(&options()).expect("config")
}

/// The host's token makes the change (no sign-in again first): the unlink dialog's own
/// behaviour, without a login window.
fn config_without_reauthentication() -> LinkConfig {
    LinkConfig::new(&LinkOptions {
        reauthenticate: Some(false),
        ..options()
    })
    .expect("config")
}

fn q(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("{selector} is rendered"))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("selector")
        .length()
}

fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().expect("html element").click();
}

async fn wait_for(root: &Element, selector: &str) -> Element {
    eventually(selector, || count(root, selector) > 0).await;
    q(root, selector)
}

fn active_class() -> Option<String> {
    window()
        .document()
        .and_then(|d| d.active_element())
        .map(|e| e.class_name())
}

fn good_token() -> TokenSource {
    token_source(|| Box::pin(async { Ok(primary_token()) }))
}

/// A token source whose call number `n` (from 1) never settles; the others answer.
fn hanging_only_on_call(n: u32) -> TokenSource {
    hanging_calls(move |call| call == n)
}

/// A token source that answers its first `n - 1` calls, then never settles.
fn hanging_from_call(n: u32) -> TokenSource {
    hanging_calls(move |call| call >= n)
}

fn hanging_calls(hangs: impl Fn(u32) -> bool + 'static) -> TokenSource {
    let calls = Rc::new(Cell::new(0));
    token_source(move || {
        calls.set(calls.get() + 1);
        if hangs(calls.get()) {
            Box::pin(std::future::pending())
        } else {
            Box::pin(async { Ok(primary_token()) })
        }
    })
}

/// Options that wait long for a token (the tests cancel first).
fn patient_config() -> LinkConfig {
    LinkConfig::new(&LinkOptions {
        request_timeout_seconds: Some(60.0),
        ..options()
    })
    .expect("config")
}

fn failing_token() -> TokenSource {
    token_source(|| Box::pin(async { Err("no session".to_owned()) }))
}

/// Replaces `window.fetch` while it lives: GET answers `user`, DELETE `after_unlink`,
/// anything else a 500. `calls()` lists "METHOD url" in order.
struct FakeManagementApi {
    calls: js_sys::Array,
    original: JsValue,
}

impl FakeManagementApi {
    fn install(user: &str, after_unlink: &str) -> Self {
        let calls = js_sys::Array::new();
        let fetch = js_sys::Function::new_with_args(
            "calls, user, afterUnlink",
            "return (input, init) => { const url = typeof input === 'string' ? input : input.url; \
             const method = (init && init.method) || (typeof input === 'string' ? 'GET' : input.method); \
             calls.push(method + ' ' + url); \
             const body = method === 'GET' ? user : method === 'DELETE' ? afterUnlink : '{}'; \
             const status = method === 'GET' || method === 'DELETE' ? 200 : 500; \
             return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } })); };",
        )
        .call3(&JsValue::NULL, &calls, &user.into(), &after_unlink.into())
        .expect("fake fetch");
        let original = Reflect::get(&window(), &"fetch".into()).expect("fetch");
        Reflect::set(&window(), &"fetch".into(), &fetch).expect("replace fetch");
        FakeManagementApi { calls, original }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.iter().filter_map(|c| c.as_string()).collect()
    }
}

impl Drop for FakeManagementApi {
    fn drop(&mut self) {
        Reflect::set(&window(), &"fetch".into(), &self.original).expect("restore fetch");
    }
}

#[derive(Default)]
struct Heard {
    errors: RefCell<Vec<ErrorCode>>,
    unlinked: RefCell<Vec<usize>>,
}

fn props(config: LinkConfig, token: TokenSource, heard: &Rc<Heard>) -> AccountLinkProps {
    let (e, u) = (heard.clone(), heard.clone());
    AccountLinkProps {
        config,
        token,
        on_linked: Callback::noop(),
        on_unlinked: Callback::from(move |ids: Vec<Identity>| {
            u.unlinked.borrow_mut().push(ids.len())
        }),
        on_error: Callback::from(move |err: LinkError| e.errors.borrow_mut().push(err.code())),
        messages: Default::default(),
        load_messages: None,
        before_link: None,
        carry_user_metadata: None,
        view: Default::default(),
    }
}

fn render(host: &Element, props: AccountLinkProps) -> AppHandle<AccountLink> {
    yew::Renderer::<AccountLink>::with_root_and_props(host.clone(), props).render()
}

#[wasm_bindgen_test]
async fn renders_the_identities_with_aria_and_a_button_per_connection() {
    let api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let host = host();
    let app = render(&host, props(config(), good_token(), &Rc::default()));
    wait_for(&host, ".aal-status[data-status=ready]").await;
    let root = q(&host, "section.aal");
    assert_eq!(root.get_attribute("tabindex").as_deref(), Some("-1"));
    assert_eq!(count(&root, "li.aal-identity"), 2);
    // The primary is never offered for unlinking.
    assert_eq!(count(&root, "li.aal-identity:first-child .aal-unlink"), 0);
    assert_eq!(count(&root, "li.aal-identity .aal-unlink"), 1);
    assert_eq!(
        q(&root, "li[data-provider=github] .aal-who").text_content(),
        Some("a@github.example".into())
    );
    let status = q(&root, ".aal-status");
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        count(&root, ".aal-link"),
        2,
        "google-oauth2 + another account"
    );
    assert_eq!(count(&root, ".aal-link[disabled]"), 0);
    assert_eq!(
        q(&root, ".aal-link[data-connection=google-oauth2]").text_content(),
        Some("Link Google".into())
    );
    assert_eq!(
        api.calls(),
        vec![format!("GET {TENANT}/api/v2/users/auth0%7Cprimary")]
    );
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn idp_strings_are_text_never_markup() {
    let evil = r#"<img src=x onerror=\"window.__pwned=1\">"#;
    let user = format!(
        r#"{{"user_id":"auth0|primary","identities":[
        {{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"}},
        {{"connection":"github","user_id":"<b>1</b>","provider":"github","profileData":{{"email":"{evil}"}}}}]}}"#
    );
    let _api = FakeManagementApi::install(&user, PRIMARY_ONLY);
    let host = host();
    let app = render(&host, props(config(), good_token(), &Rc::default()));
    wait_for(&host, "li[data-provider=github]").await;
    assert_eq!(count(&host, "img"), 0);
    assert_eq!(count(&host, "b"), 0);
    assert_eq!(
        q(&host, "li[data-provider=github] .aal-who").text_content(),
        Some(evil.replace('\\', ""))
    );
    assert_eq!(
        q(&host, "li[data-provider=github]")
            .get_attribute("data-user-id")
            .as_deref(),
        Some("<b>1</b>")
    );
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn lists_and_unlinks_with_a_focused_confirmation() {
    let api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let app = render(
        &host,
        props(config_without_reauthentication(), good_token(), &heard),
    );
    wait_for(&host, ".aal-status[data-status=ready]").await;
    let kept_row = q(&host, "li[data-provider=auth0]");
    click(&q(&host, "li[data-provider=github] .aal-unlink"));
    wait_for(&host, ".aal-confirm-unlink").await;
    sleep(0).await;
    // The dialog takes the focus on the safe answer.
    assert_eq!(active_class().as_deref(), Some("aal-cancel"));
    assert_eq!(
        q(&host, ".aal-dialog .aal-who").text_content(),
        Some("GitHub · a@github.example".into())
    );
    click(&q(&host, ".aal-confirm-unlink"));
    eventually("the unlinked row goes", || {
        count(&host, "li.aal-identity") == 1
    })
    .await;
    assert_eq!(*heard.unlinked.borrow(), vec![1]);
    // Keyed rows: the primary's row is the same element after the list changed.
    assert!(kept_row.is_same_node(Some(&q(&host, "li[data-provider=auth0]"))));
    assert_eq!(
        q(&host, ".aal-notice").get_attribute("role").as_deref(),
        Some("status")
    );
    // The focus (on the dialog's Cancel, now gone) did not fall to the page body.
    let active = window()
        .document()
        .and_then(|d| d.active_element())
        .expect("active element");
    assert!(host.contains(Some(&active)), "{:?}", active_class());
    assert_eq!(
        api.calls(),
        vec![
            format!("GET {TENANT}/api/v2/users/auth0%7Cprimary"),
            format!("DELETE {TENANT}/api/v2/users/auth0%7Cprimary/identities/github/7"),
        ]
    );
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn a_failing_token_is_reported_and_the_widget_stays_usable() {
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let app = render(&host, props(config(), failing_token(), &heard));
    let notice = wait_for(&host, ".aal-notice[data-code=primary_token_unavailable]").await;
    assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
    let retry = wait_for(&host, ".aal-retry").await;
    assert!(heard
        .errors
        .borrow()
        .iter()
        .all(|c| *c == ErrorCode::PrimaryTokenUnavailable));
    let before = heard.errors.borrow().len();
    assert!(before > 0, "the host heard about it");
    // Dismiss works; retry runs the flow again (and fails the same way).
    click(&q(&host, ".aal-dismiss"));
    eventually("the notice goes", || count(&host, ".aal-notice") == 0).await;
    click(&retry);
    eventually("retry runs again", || heard.errors.borrow().len() > before).await;
    app.destroy();
    sleep(0).await;
    assert_eq!(host.child_element_count(), 0, "unmount removes the markup");
    host.remove();
}

#[wasm_bindgen_test]
async fn new_props_with_a_new_token_function_or_locale_never_restart_the_flow() {
    let api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let mut app = render(
        &host,
        props(config_without_reauthentication(), good_token(), &heard),
    );
    wait_for(&host, ".aal-status[data-status=ready]").await;
    let section = q(&host, "section.aal");

    // A new token function and a relabelled connection: same widget, no second list.
    let second_token_calls = Rc::new(Cell::new(0));
    let calls = second_token_calls.clone();
    let next_token: TokenSource = token_source(move || {
        calls.set(calls.get() + 1);
        Box::pin(async { Ok(primary_token()) })
    });
    let relabelled = LinkConfig::new(&LinkOptions {
        connections: Some(vec![ConnectionOption {
            name: "google-oauth2".into(),
            label: Some("Google Workspace".into()),
        }]),
        reauthenticate: Some(false),
        ..options()
    })
    .expect("config");
    app.update(props(relabelled, next_token, &heard));
    eventually("the new label shows", || {
        q(&host, ".aal-link[data-connection=google-oauth2]").text_content()
            == Some("Link Google Workspace".into())
    })
    .await;
    assert!(section.is_same_node(Some(&q(&host, "section.aal"))));
    assert_eq!(api.calls().len(), 1, "no restart: {:?}", api.calls());
    assert_eq!(
        q(&host, ".aal-status")
            .get_attribute("data-status")
            .as_deref(),
        Some("ready")
    );

    // The next request asks the new function for its token.
    click(&q(&host, "li[data-provider=github] .aal-unlink"));
    click(&wait_for(&host, ".aal-confirm-unlink").await);
    eventually("unlinked", || heard.unlinked.borrow().len() == 1).await;
    assert!(
        second_token_calls.get() >= 1,
        "the new getAccessToken was used"
    );

    // Other options (here a timeout) are taken by the next attempt: nothing is read again.
    let before = api.calls().len();
    let other_timeout = LinkConfig::new(&LinkOptions {
        request_timeout_seconds: Some(5.0),
        reauthenticate: Some(false),
        ..options()
    })
    .expect("config");
    app.update(props(other_timeout, good_token(), &heard));
    sleep(100).await;
    assert_eq!(api.calls().len(), before, "no restart: {:?}", api.calls());

    // The host naming its primary user is another session: the widget lists again.
    let named_user = LinkConfig::new(&LinkOptions {
        primary_user_id: Some("auth0|primary".into()),
        reauthenticate: Some(false),
        ..options()
    })
    .expect("config");
    app.update(props(named_user, good_token(), &heard));
    eventually("a new session lists again", || api.calls().len() > before).await;
    app.destroy();
    host.remove();
}

/// Replaces `window.open` while it lives: records each URL and answers `null` (blocked).
struct RecordingWindowOpen {
    urls: js_sys::Array,
    original: JsValue,
}

impl RecordingWindowOpen {
    fn install() -> Self {
        let urls = js_sys::Array::new();
        let open = js_sys::Function::new_with_args(
            "urls",
            "return (url) => { urls.push(url); return null; };",
        )
        .call1(&JsValue::NULL, &urls)
        .expect("fake open");
        let original = Reflect::get(&window(), &"open".into()).expect("open");
        Reflect::set(&window(), &"open".into(), &open).expect("replace open");
        RecordingWindowOpen { urls, original }
    }

    fn last(&self) -> String {
        self.urls
            .get(self.urls.length() - 1)
            .as_string()
            .expect("a URL")
    }
}

impl Drop for RecordingWindowOpen {
    fn drop(&mut self) {
        Reflect::set(&window(), &"open".into(), &self.original).expect("restore open");
    }
}

/// Replaces `window.open` while it lives with a window that stays open (a plain object
/// the runner can point elsewhere and close): records each URL.
struct OpenWindow {
    urls: js_sys::Array,
    windows: js_sys::Array,
    original: JsValue,
}

impl OpenWindow {
    fn install() -> Self {
        let (urls, windows) = (js_sys::Array::new(), js_sys::Array::new());
        let open = js_sys::Function::new_with_args(
            "urls, windows",
            "return (url) => { urls.push(url); const w = { closed: false, close() { this.closed = true; } }; \
             w.location = { set href(u) { urls.push(u); } }; windows.push(w); return w; };",
        )
        .call2(&JsValue::NULL, &urls, &windows)
        .expect("fake open");
        let original = Reflect::get(&window(), &"open".into()).expect("open");
        Reflect::set(&window(), &"open".into(), &open).expect("replace open");
        OpenWindow {
            urls,
            windows,
            original,
        }
    }

    /// The user closes the last window.
    fn close_last(&self) {
        let w = self.windows.get(self.windows.length() - 1);
        Reflect::set(&w, &"closed".into(), &true.into()).expect("close");
    }

    fn first(&self) -> String {
        self.urls.get(0).as_string().expect("a URL")
    }
}

impl Drop for OpenWindow {
    fn drop(&mut self) {
        Reflect::set(&window(), &"open".into(), &self.original).expect("restore open");
    }
}

#[wasm_bindgen_test]
async fn the_window_first_asks_the_signed_in_user_to_confirm_it_is_them() {
    const ALICE: &str = r#"{"user_id":"auth0|primary","email":"alice@example.com","identities":[
        {"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"}]}"#;
    let _api = FakeManagementApi::install(ALICE, PRIMARY_ONLY);
    let opened = OpenWindow::install();
    let host = host();
    let heard: Rc<Heard> = Rc::default();
    let app = render(&host, props(config(), good_token(), &heard));
    wait_for(&host, ".aal-status[data-status=ready]").await;
    // The sign-in ahead of the click cannot be answered here: the window asks.
    frame_settled().await;
    click(&q(&host, ".aal-link[data-connection=google-oauth2]"));
    wait_for(&host, ".aal-status[data-status=reauthenticating]").await;
    assert_eq!(
        q(&host, ".aal-status").text_content().as_deref(),
        Some("Confirm it's you, alice@example.com: sign in again in the window, then with the account to link.")
    );
    let url = opened.first();
    assert!(
        url.contains("login_hint=alice%40example.com")
            && url.contains("connection=Username-Password-Authentication")
            && url.contains("max_age=600"),
        "{url}"
    );
    // The user closes the window instead: its own code, nothing sent but reads (the
    // list, the keys fetched ahead, the page's own opener policy).
    opened.close_last();
    wait_for(&host, ".aal-notice[data-code=reauthentication_failed]").await;
    let calls = _api.calls();
    assert!(
        calls
            .iter()
            .all(|c| c.starts_with("GET ") || c.starts_with("HEAD ")),
        "{calls:?}"
    );
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn unlink_opens_the_sign_in_again_in_the_click_and_a_closed_window_removes_nothing() {
    let api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let opened = OpenWindow::install();
    let host = host();
    let heard: Rc<Heard> = Rc::default();
    let app = render(&host, props(config(), good_token(), &heard));
    wait_for(&host, ".aal-status[data-status=ready]").await;
    click(&q(&host, "li[data-provider=github] .aal-unlink"));
    wait_for(&host, ".aal-confirm-unlink").await;
    click(&q(&host, ".aal-confirm-unlink"));
    // In the click: the window signs the primary in again before anything is removed.
    assert!(opened.first().contains("max_age=600"), "{}", opened.first());
    wait_for(&host, ".aal-status[data-status=reauthenticating]").await;
    opened.close_last();
    wait_for(&host, ".aal-notice[data-code=reauthentication_failed]").await;
    assert!(
        !api.calls().iter().any(|c| c.starts_with("DELETE")),
        "{:?}",
        api.calls()
    );
    assert_eq!(count(&host, "li[data-provider=github]"), 1, "still linked");
    assert_eq!(count(&host, ".aal-confirm-unlink"), 0, "the question ended");
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn a_new_locale_goes_to_the_next_login_page_as_ui_locales() {
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let opened = RecordingWindowOpen::install();
    let host = host();
    let heard: Rc<Heard> = Rc::default();
    let with_locale = |locale: &str| {
        let mut o = options();
        o.locale = Some(locale.into());
        LinkConfig::new(&o).expect("config")
    };
    let mut app = render(&host, props(with_locale("de"), good_token(), &heard));
    wait_for(&host, ".aal-status[data-status=ready]").await;
    app.update(props(with_locale("fr-CA"), good_token(), &heard));
    sleep(50).await;
    frame_settled().await;
    click(&q(&host, ".aal-link[data-connection=google-oauth2]"));
    assert!(
        opened.last().contains("ui_locales=fr-CA"),
        "the login page gets the current locale: {}",
        opened.last()
    );
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn an_unmount_while_a_request_is_pending_settles_nothing() {
    // A token that never resolves until released: the list request is still pending
    // when the widget goes.
    let release: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let r = release.clone();
    let token: TokenSource = token_source(move || {
        let r = r.clone();
        Box::pin(async move {
            let promise = js_sys::Promise::new(&mut |resolve, _| *r.borrow_mut() = Some(resolve));
            wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .map(|_| primary_token())
                .map_err(|_| "rejected".to_owned())
        })
    });
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let app = render(&host, props(config(), token, &heard));
    eventually("the token is asked for", || release.borrow().is_some()).await;
    app.destroy();
    sleep(0).await;
    let resolve = release.borrow_mut().take().expect("resolver");
    resolve.call0(&JsValue::NULL).expect("release the token");
    sleep(50).await;
    assert_eq!(host.child_element_count(), 0);
    assert!(heard.errors.borrow().is_empty());
    assert!(heard.unlinked.borrow().is_empty());
    host.remove();
}

#[wasm_bindgen_test]
async fn a_token_source_that_hangs_ends_in_timeout_and_a_retry() {
    // getAccessToken never settles (a getTokenSilently waiting on a lost iframe).
    let hung: TokenSource = token_source(|| Box::pin(std::future::pending()));
    let config = LinkConfig::new(&LinkOptions {
        request_timeout_seconds: Some(1.0),
        ..options()
    })
    .expect("config");
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let app = render(&host, props(config, hung, &heard));
    wait_for(&host, ".aal-notice[data-code=timeout]").await;
    wait_for(&host, ".aal-retry").await;
    assert!(heard.errors.borrow().contains(&ErrorCode::Timeout));
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn an_unmount_aborts_the_requests_in_flight() {
    // fetch never answers; it keeps the signal of each request it got.
    let signals = js_sys::Array::new();
    let fetch = js_sys::Function::new_with_args(
        "signals",
        "return (input, init) => { signals.push((init && init.signal) || input.signal); return new Promise(() => {}); };",
    )
    .call1(&JsValue::NULL, &signals)
    .expect("hanging fetch");
    let original = Reflect::get(&window(), &"fetch".into()).expect("fetch");
    Reflect::set(&window(), &"fetch".into(), &fetch).expect("replace fetch");

    let host = host();
    let app = render(&host, props(config(), good_token(), &Rc::default()));
    eventually("the list request is sent", || signals.length() > 0).await;
    let signal = signals.get(0);
    let aborted = || {
        Reflect::get(&signal, &"aborted".into())
            .map(|v| v.is_truthy())
            .unwrap_or(false)
    };
    assert!(!aborted());
    app.destroy();
    sleep(0).await;
    assert!(aborted(), "the request went with the widget");
    Reflect::set(&window(), &"fetch".into(), &original).expect("restore fetch");
    host.remove();
}

#[wasm_bindgen_test]
async fn a_slow_start_can_be_cancelled_and_tried_again() {
    // The list gets its token; the next getAccessToken (getting the link ready) hangs for
    // longer than the user wants to wait.
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let app = render(&host, props(patient_config(), hanging_from_call(2), &heard));
    // Not at once (a normal start takes milliseconds), but after a moment.
    wait_for(&host, ".aal-status[data-status=preparing]").await;
    assert_eq!(count(&host, ".aal-cancel-prepare"), 0);
    sleep(1600).await;
    let cancel = wait_for(&host, ".aal-cancel-prepare").await;
    click(&cancel);
    wait_for(&host, ".aal-notice[data-code=cancelled]").await;
    wait_for(&host, ".aal-retry").await;
    assert!(heard.errors.borrow().contains(&ErrorCode::Cancelled));
    app.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn a_hung_identity_list_can_be_cancelled_and_read_again() {
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    // The first getAccessToken (for the list) hangs; later ones answer.
    let heard: Rc<Heard> = Rc::default();
    let host = host();
    let app = render(
        &host,
        props(patient_config(), hanging_only_on_call(1), &heard),
    );
    wait_for(&host, ".aal-loading").await;
    sleep(1600).await;
    click(&wait_for(&host, ".aal-cancel-prepare").await);
    // Said as the flow's own cancel is: a status, not an error alert.
    let notice = wait_for(&host, ".aal-notice[data-code=cancelled]").await;
    assert_eq!(notice.get_attribute("role").as_deref(), Some("status"));
    assert!(heard.errors.borrow().contains(&ErrorCode::Cancelled));
    // Try again reads the list (with a token that answers now) and gets ready.
    click(&wait_for(&host, ".aal-retry").await);
    wait_for(&host, ".aal-status[data-status=ready]").await;
    assert_eq!(count(&host, "li.aal-identity"), 2);
    app.destroy();
    host.remove();
}

/// A shipped catalog module (`export default {…};`) as key/text pairs.
fn catalog(module: &str) -> Vec<(String, String)> {
    let start = module.find('{').expect("an object");
    let end = module.rfind('}').expect("an object");
    let value = js_sys::JSON::parse(&module[start..=end]).expect("the catalog is JSON");
    js_sys::Object::entries(value.unchecked_ref())
        .iter()
        .map(|entry| {
            let entry: js_sys::Array = entry.unchecked_into();
            (
                entry.get(0).as_string().expect("key"),
                entry.get(1).as_string().expect("text"),
            )
        })
        .collect()
}

const CATALOGS: [(&str, &str); 5] = [
    ("ar", include_str!("../js/locales/ar.js")),
    ("de", include_str!("../js/locales/de.js")),
    ("es", include_str!("../js/locales/es.js")),
    ("fr", include_str!("../js/locales/fr.js")),
    ("ja", include_str!("../js/locales/ja.js")),
];

/// The `{name}` placeholders of a text, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    names.sort();
    names
}

#[wasm_bindgen_test]
fn every_shipped_catalog_translates_every_message_with_the_same_placeholders() {
    use auth0_account_link::messages::{english, keys};
    let all: Vec<String> = keys().map(|k| k.into_owned()).collect();
    for (locale, module) in CATALOGS {
        let pairs = catalog(module);
        let mut found: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        found.sort_unstable();
        let mut expected: Vec<&str> = all.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(found, expected, "{locale}: keys");
        for (key, text) in &pairs {
            let source = english(key).expect("known key");
            assert!(!text.trim().is_empty(), "{locale}: {key} is empty");
            assert_eq!(placeholders(text), placeholders(&source), "{locale}: {key}");
        }
        auth0_account_link::messages::Messages::new(pairs).expect("every key is known");
    }
    // The keys are public: typed in index.d.ts and listed in the package README.
    let (types, readme) = (
        include_str!("../js/index.d.ts"),
        include_str!("../js/README.md"),
    );
    // (Each error code's key is one pattern there: `error.${AccountLinkErrorCode}`.)
    let exact: Vec<_> = auth0_account_link_core::error::Sentence::EXACT
        .into_iter()
        .map(auth0_account_link::messages::sentence_key)
        .collect();
    for key in all
        .iter()
        .filter(|k| !k.starts_with("error.") || exact.iter().any(|e| e == *k))
    {
        assert!(
            types.contains(&format!("\"{key}\"")),
            "index.d.ts lacks {key}"
        );
        assert!(
            readme.contains(&format!("`{key}`")),
            "the README lacks {key}"
        );
    }
}

/// The message keys the component's source names: first arguments of `texts.get(…)` and
/// `texts.fill(…)`, and the `status.*` keys it picks by status.
fn keys_named_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for call in [".get(", ".fill("] {
        for (at, _) in source.match_indices(call) {
            let rest = source[at + call.len()..].trim_start();
            if let Some(literal) = rest.strip_prefix('"') {
                keys.push(literal.split('"').next().unwrap_or_default().to_owned());
            }
        }
    }
    for (at, _) in source.match_indices("\"status.") {
        keys.push(
            source[at + 1..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    keys
}

#[wasm_bindgen_test]
fn every_key_the_component_names_is_in_the_catalog() {
    let sources = [
        include_str!("../src/component/mod.rs"),
        // The status line's and the notice's words (`Texts::status`, `Texts::notice`).
        include_str!("../src/messages.rs"),
        include_str!("../src/component/identity_list.rs"),
        include_str!("../src/component/identity_row.rs"),
        include_str!("../src/component/unlink_dialog.rs"),
        include_str!("../src/component/confirm_dialog.rs"),
        include_str!("../src/component/link_actions.rs"),
        include_str!("../src/component/recovery.rs"),
    ];
    let named: Vec<String> = sources.iter().flat_map(|s| keys_named_in(s)).collect();
    assert!(named.len() > 30, "the scan finds the keys: {named:?}");
    for key in named {
        assert!(
            auth0_account_link::messages::english(&key).is_some(),
            "{key} is used but not in the catalog"
        );
    }
}

fn catalog_loader() -> auth0_account_link::component::MessageLoader {
    type Done = auth0_account_link::component::Reply<
        Result<Option<auth0_account_link::messages::Messages>, String>,
    >;
    auth0_account_link::component::MessageLoader::from(|(locale, done): (String, Done)| {
        wasm_bindgen_futures::spawn_local(async move {
            sleep(30).await;
            // As the package's loader: the whole tag, else its language.
            let language = locale.split('-').next().unwrap_or_default().to_owned();
            let module = CATALOGS
                .iter()
                .find(|(l, _)| *l == locale)
                .or_else(|| CATALOGS.iter().find(|(l, _)| *l == language))
                .map(|(_, m)| *m);
            done(Ok(module.map(|m| {
                auth0_account_link::messages::Messages::new(catalog(m)).expect("catalog")
            })))
        })
    })
}

/// The component's props in `locale`, with a loader of the shipped catalogs.
fn localized(locale: &str) -> AccountLinkProps {
    let mut o = options();
    o.locale = Some(locale.into());
    let mut p = props(
        LinkConfig::new(&o).expect("config"),
        good_token(),
        &Rc::default(),
    );
    p.load_messages = Some(catalog_loader());
    p
}

#[wasm_bindgen_test]
async fn a_locale_loads_its_catalog_with_no_english_flash_also_when_it_changes() {
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let host = host();
    let p = localized("de-AT");
    let app = render(&host, p);
    sleep(0).await;
    let section = q(&host, "section.aal");
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(
        section.text_content().unwrap_or_default(),
        "",
        "no English flash"
    );
    wait_for(&host, ".aal-status[data-status=ready]").await;
    let section = q(&host, "section.aal");
    assert_eq!(section.get_attribute("lang").as_deref(), Some("de-AT"));
    assert_eq!(section.get_attribute("dir").as_deref(), Some("ltr"));
    assert_eq!(
        q(&host, "h2.aal-title").text_content().as_deref(),
        Some("Verknüpfte Konten")
    );
    assert_eq!(
        q(&host, ".aal-link[data-connection=google-oauth2]")
            .text_content()
            .as_deref(),
        Some("Google verknüpfen")
    );
    assert_eq!(
        q(&host, "li[data-provider=github] .aal-unlink")
            .get_attribute("aria-label")
            .as_deref(),
        Some("GitHub a@github.example trennen")
    );
    app.destroy();
    // A locale change through new props loads the new catalog without a restart.
    let host = self::host();
    let p = localized("fr");
    let mut app = render(&host, p);
    wait_for(&host, ".aal-status[data-status=ready]").await;
    assert_eq!(
        q(&host, "h2.aal-title").text_content().as_deref(),
        Some("Comptes associés")
    );
    let p = localized("es");
    app.update(p);
    eventually("the Spanish catalog shows", || {
        count(&host, "h2.aal-title") == 1
            && q(&host, "h2.aal-title").text_content().as_deref() == Some("Cuentas vinculadas")
    })
    .await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_right_to_left_locale_sets_dir_and_an_unknown_one_falls_back_to_english() {
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let host = host();
    let p = localized("ar");
    let app = render(&host, p);
    wait_for(&host, ".aal-status[data-status=ready]").await;
    assert_eq!(
        q(&host, "section.aal").get_attribute("dir").as_deref(),
        Some("rtl")
    );
    assert_eq!(
        q(&host, "h2.aal-title").text_content().as_deref(),
        Some("الحسابات المرتبطة")
    );
    app.destroy();
    let host = self::host();
    let p = localized("sv");
    let app = render(&host, p);
    wait_for(&host, ".aal-status[data-status=ready]").await;
    assert_eq!(
        q(&host, "h2.aal-title").text_content().as_deref(),
        Some("Linked accounts")
    );
    assert_eq!(
        q(&host, "section.aal").get_attribute("lang").as_deref(),
        Some("sv")
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn host_messages_override_any_text_and_unknown_keys_are_refused() {
    use auth0_account_link::messages::Messages;
    assert_eq!(
        Messages::new([("titel".to_owned(), "x".to_owned())]).expect_err("typo"),
        "titel"
    );
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let host = host();
    let mut p = props(config(), good_token(), &Rc::default());
    p.messages = Messages::new([
        ("title".to_owned(), "Sign-in methods".to_owned()),
        ("link_with".to_owned(), "Add {provider}".to_owned()),
    ])
    .expect("known keys");
    let app = render(&host, p);
    wait_for(&host, ".aal-status[data-status=ready]").await;
    assert_eq!(
        q(&host, ".aal-title").text_content().as_deref(),
        Some("Sign-in methods")
    );
    assert_eq!(
        q(&host, ".aal-link[data-connection=google-oauth2]")
            .text_content()
            .as_deref(),
        Some("Add Google")
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn heading_level_theme_group_and_every_row_saying_who() {
    let user = r#"{"user_id":"auth0|primary","email":"alice@example.test","identities":[
        {"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"},
        {"connection":"github","user_id":"7","provider":"github","profileData":{"email":"a@github.example"}},
        {"connection":"corp","user_id":"9","provider":"samlp","profileData":{"email":"a@corp.example"}}]}"#;
    let _api = FakeManagementApi::install(user, PRIMARY_ONLY);
    let host = host();
    // The package's stylesheet, as a page links it: the badge's capital comes from it.
    let document = window().document().expect("document");
    let style = document.create_element("style").expect("style");
    style.set_text_content(Some(include_str!("../js/auth0-account-link.css")));
    document
        .head()
        .expect("head")
        .append_child(&style)
        .expect("append style");
    let mut o = options();
    o.heading_level = Some(4.0);
    o.theme = Some("dark".into());
    let mut p = props(
        LinkConfig::new(&o).expect("config"),
        good_token(),
        &Rc::default(),
    );
    p.view = auth0_account_link_core::config::ViewOptions::new(&o).expect("view");
    let app = render(&host, p);
    wait_for(&host, ".aal-status[data-status=ready]").await;
    assert_eq!(count(&host, "h4.aal-title"), 1);
    assert_eq!(count(&host, "h2"), 0);
    assert_eq!(
        q(&host, "section.aal")
            .get_attribute("data-theme")
            .as_deref(),
        Some("dark")
    );
    let group = q(&host, ".aal-actions");
    assert_eq!(group.get_attribute("role").as_deref(), Some("group"));
    assert_eq!(
        group.get_attribute("aria-label").as_deref(),
        Some("Link another account")
    );
    assert_eq!(
        q(&host, "li[data-provider=auth0] .aal-who")
            .text_content()
            .as_deref(),
        Some("alice@example.test"),
        "the primary row names the person, not the connection"
    );
    assert_eq!(
        q(&host, "li[data-provider=auth0] .aal-provider")
            .text_content()
            .as_deref(),
        Some("Email and password")
    );
    assert_eq!(
        q(&host, "li[data-provider=github] .aal-badge")
            .get_attribute("data-provider")
            .as_deref(),
        Some("github")
    );
    // A provider without a logo or a known name: its first letter, capitalised by the
    // stylesheet (the DOM keeps the letter as the name has it).
    let letter = q(&host, "li[data-provider=samlp] .aal-badge");
    assert_eq!(letter.text_content().as_deref(), Some("s"));
    assert_eq!(
        letter
            .dyn_ref::<HtmlElement>()
            .expect("html element")
            .inner_text(),
        "S"
    );
    app.destroy();
    style.remove();
}

fn press_escape(on: &Element) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    on.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn escape_closes_the_unlink_question_and_keeps_the_identity() {
    let api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let host = host();
    let app = render(&host, props(config(), good_token(), &Rc::default()));
    wait_for(&host, "li[data-provider=github] .aal-unlink").await;
    click(&q(&host, "li[data-provider=github] .aal-unlink"));
    let cancel = wait_for(&host, ".aal-dialog .aal-cancel").await;
    press_escape(&cancel);
    eventually("the question closes", || count(&host, ".aal-dialog") == 0).await;
    assert_eq!(count(&host, "li[data-provider=github]"), 1);
    assert!(
        api.calls().iter().all(|c| !c.starts_with("DELETE")),
        "{:?}",
        api.calls()
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_picture_shows_only_from_https_and_falls_back_to_the_badge() {
    // The GitHub row's picture cannot load (nothing listens there); Google's is http.
    let user = r#"{"user_id":"auth0|primary","identities":[
        {"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"},
        {"connection":"github","user_id":"7","provider":"github","profileData":{"email":"a@github.example","picture":"https://127.0.0.1:9/missing.png"}},
        {"connection":"google-oauth2","user_id":"8","provider":"google-oauth2","profileData":{"email":"a@gmail.example","picture":"http://127.0.0.1/plain.png"}}]}"#;
    let _api = FakeManagementApi::install(user, PRIMARY_ONLY);
    let host = host();
    let app = render(&host, props(config(), good_token(), &Rc::default()));
    wait_for(&host, "li[data-provider=github]").await;
    assert_eq!(
        count(&host, "li[data-provider=google-oauth2] img"),
        0,
        "no http picture"
    );
    let img = q(&host, "li[data-provider=github] img.aal-picture");
    assert_eq!(img.get_attribute("alt").as_deref(), Some(""));
    assert_eq!(
        img.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );
    eventually("the broken picture hides itself", || {
        img.has_attribute("hidden")
    })
    .await;
    assert_eq!(count(&host, "li[data-provider=github] .aal-badge"), 1);
    app.destroy();
    host.remove();
}

/// An app that draws its own UI from the widget's hook: the same session, none of the
/// widget's markup.
mod own_ui {
    use auth0_account_link::component::{use_account_link, Events};
    use auth0_account_link::runner::TokenSource;
    use auth0_account_link_core::config::LinkConfig;
    use auth0_account_link_core::session::{Command, Position};
    use yew::prelude::*;

    #[derive(Properties, PartialEq)]
    pub struct OwnUiProps {
        pub config: LinkConfig,
        pub token: TokenSource,
    }

    #[function_component(OwnUi)]
    pub fn own_ui(props: &OwnUiProps) -> Html {
        let (state, on_command) = use_account_link(&props.config, &props.token, &Events::default());
        let view = &state.view;
        let link = on_command.reform(|_: MouseEvent| Command::Link(Some("google-oauth2".into())));
        html! {
            <div class="own" data-position={view.position.name()}>
                <span class="own-count">{ view.identities.as_ref().map_or(0, Vec::len) }</span>
                <button class="own-link" disabled={view.position != Position::Ready} onclick={link}>
                    { "Link Google" }
                </button>
            </div>
        }
    }
}

#[wasm_bindgen_test]
async fn a_rust_app_draws_its_own_ui_with_the_widgets_hook() {
    let _api = FakeManagementApi::install(PRIMARY_AND_GITHUB, PRIMARY_ONLY);
    let opened = RecordingWindowOpen::install();
    let host = host();
    let app = yew::Renderer::<own_ui::OwnUi>::with_root_and_props(
        host.clone(),
        own_ui::OwnUiProps {
            config: config(),
            token: good_token(),
        },
    )
    .render();
    wait_for(&host, ".own[data-position=ready]").await;
    assert_eq!(q(&host, ".own-count").text_content().as_deref(), Some("2"));
    assert_eq!(
        count(&host, "section.aal"),
        0,
        "none of the widget's markup"
    );
    frame_settled().await;
    click(&q(&host, ".own-link"));
    // The window opens on the primary's sign-in again (the chosen login follows in it).
    assert!(opened.last().contains("max_age=600"), "{}", opened.last());
    // The (fake) browser blocked the window: the session says so.
    wait_for(&host, ".own[data-position=popup_blocked]").await;
    app.destroy();
    host.remove();
}
