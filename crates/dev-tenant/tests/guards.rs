//! The dev tenant's own guards: only its own host names (DNS rebinding), test routes that
//! no cross-site page can call, and a static server that never leaves its folder.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_request_for_another_host_name_is_refused() {
    let t = tenant();
    for foreign in [
        "evil.example",
        "evil.example:4000",
        "127.0.0.1:4001",
        "127.0.0.2:4000",
    ] {
        let r = t
            .get_with("/.well-known/openid-configuration", &[("host", foreign)])
            .await;
        assert_eq!(r.status, 421, "{foreign}");
    }
    for own in [
        "127.0.0.1:4000",
        "localhost:4000",
        "LOCALHOST:4000",
        "[::1]:4000",
    ] {
        let r = t
            .get_with("/.well-known/openid-configuration", &[("host", own)])
            .await;
        assert_eq!(r.status, 200, "{own}");
    }
    // The custom domain is one of its names.
    let t = tenant_with(|c| c.custom_domain = Some("login.localhost:4443".into()));
    let r = t
        .get_with(
            "/.well-known/jwks.json",
            &[("host", "login.localhost:4443")],
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn test_routes_take_only_json_so_no_cross_site_form_can_reach_them() {
    let t = tenant();
    t.arm("mgmt_server_error", json!({})).await;
    // A cross-site form posts as a simple request (no preflight): refused, nothing reset.
    for content_type in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
    ] {
        let r = t
            .post_raw("/test/reset", None, content_type, String::new())
            .await;
        assert_eq!(r.status, 415, "{content_type}");
    }
    let r = t
        .send(
            Request::post("/test/reset")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, 415, "no content type");
    let armed = t.get("/test/misbehave").await.json();
    assert_eq!(
        armed.as_array().map(Vec::len),
        Some(1),
        "still armed: {armed}"
    );
    // JSON (what the tests send, after a preflight a foreign page never gets) works.
    let r = t.post_json("/test/reset", None, &json!({})).await;
    assert_eq!(r.status, 204);
    let r = t
        .send(
            Request::post("/test/reset")
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from("{}"))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn the_static_server_never_leaves_its_folder() {
    let dir = std::env::temp_dir().join(format!("aal-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).expect("dir");
    std::fs::write(dir.join("index.html"), "<p>home</p>").expect("write");
    std::fs::write(dir.join("sub/page.js"), "export {};").expect("write");
    // Names a Windows server would read as a way out of the folder: on this platform they
    // are plain files, so serving them would prove the check missing.
    std::fs::write(dir.join("sub\\..\\..\\win.ini"), "x").expect("write");
    std::fs::write(dir.join("c:secret"), "x").expect("write");
    let app = dev_tenant::static_app(dir.clone(), "http://127.0.0.1:4000/", "demo-spa-client");
    let status = |path: &str| {
        let app = app.clone();
        let path = path.to_owned();
        async move {
            use tower::ServiceExt;
            app.oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("answer")
                .status()
                .as_u16()
        }
    };
    assert_eq!(status("/").await, 200);
    assert_eq!(status("/sub/page.js").await, 200);
    for escape in [
        "/../etc/passwd",
        "/sub/../../etc/passwd",
        "/sub/..\\..\\etc\\passwd",
        "/..\\secret",
        "/sub\\..\\..\\win.ini",
        "/C:/Windows/win.ini",
        "/c:secret",
        "/.git/config",
        "//etc/passwd",
        "/sub//page.js",
    ] {
        assert_eq!(status(escape).await, 404, "{escape}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_page_asked_with_coop_gets_only_a_policy_browsers_know() {
    let dir = std::env::temp_dir().join(format!("aal-coop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("index.html"), "<p>home</p>").expect("write");
    std::fs::write(dir.join("app.js"), "export {};").expect("write");
    let app = dev_tenant::static_app(dir.clone(), "http://127.0.0.1:4000/", "demo-spa-client");
    let policy = |path: &str| {
        let app = app.clone();
        let path = path.to_owned();
        async move {
            use tower::ServiceExt;
            let response = app
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("answer");
            response
                .headers()
                .get("cross-origin-opener-policy")
                .map(|v| v.to_str().expect("ascii").to_owned())
        }
    };
    assert_eq!(
        policy("/?coop=same-origin").await.as_deref(),
        Some("same-origin")
    );
    assert_eq!(
        policy("/?x=1&coop=same-origin-allow-popups")
            .await
            .as_deref(),
        Some("same-origin-allow-popups")
    );
    assert_eq!(policy("/").await, None);
    // Anything else sends nothing: no header value comes from the URL as it is.
    for refused in [
        "/?coop=evil",
        "/?coop=same-origin%0d%0aSet-Cookie:%20x=1",
        "/app.js?coop=same-origin",
    ] {
        assert_eq!(policy(refused).await, None, "{refused}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
