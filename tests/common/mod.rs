//! Helpers shared by the browser test files (each file is its own test crate).
#![allow(dead_code)]

use auth0_account_link::browser::window;
use auth0_account_link_core::encoding::base64url_encode;
use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

pub const TENANT: &str = "https://tenant.example.com";

pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("sleep");
}

/// A primary access token for `TENANT` and `spa-client` that passes the pre-flight (the
/// widget never verifies it: the Management API does).
pub fn primary_token() -> String {
    let header = base64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let now = (js_sys::Date::now() / 1000.0) as u64;
    let claims = format!(
        r#"{{"iss":"{TENANT}/","sub":"auth0|primary","aud":["{TENANT}/api/v2/"],"azp":"spa-client","exp":{},"scope":"read:current_user update:current_user_identities"}}"#,
        now + 3600
    );
    format!("{header}.{}.c2ln", base64url_encode(claims.as_bytes()))
}

/// Waits (up to 2 s) until `condition` holds; panics naming `what` otherwise.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..100 {
        if condition() {
            return;
        }
        sleep(20).await;
    }
    panic!("{what}: never happened");
}

/// Options for `TENANT`, `client_id`, and this test page's origin.
pub fn page_options(client_id: &str) -> auth0_account_link_core::config::LinkOptions {
    auth0_account_link_core::config::LinkOptions {
        domain: Some(TENANT.into()),
        client_id: Some(client_id.into()),
        app_origin: Some(window().location().origin().expect("origin")),
        ..Default::default()
    }
}

/// The hidden frame of the sign-in ahead of the click, while it is out.
pub fn hidden_frame() -> Option<web_sys::Element> {
    window()
        .document()
        .expect("document")
        .query_selector("iframe[aria-hidden='true']")
        .expect("selector")
}

/// Waits until the sign-in ahead of the click has settled: `TENANT` does not resolve here,
/// so its frame loads the browser's error page, posts nothing, and goes (at the latest when
/// it times out). A click after this finds no proof: its window is the sign-in again.
pub async fn frame_settled() {
    let limit = auth0_account_link_core::flow::SILENT_SECONDS * 1000 + 500;
    let mut waited = 0;
    while hidden_frame().is_some() {
        assert!(waited < limit, "the hidden frame never went");
        sleep(50).await;
        waited += 50;
    }
}
