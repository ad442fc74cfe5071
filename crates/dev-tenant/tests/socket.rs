//! One test over a real loopback socket: discovery and JWKS through HTTP.

use dev_tenant::{app, AppState, TenantConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_over_a_real_socket() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let state = AppState::from_fixture_dir(&TenantConfig::default_fixture_dir(), port, &[], false)
        .expect("fixtures");
    tokio::spawn(async move { axum::serve(listener, app(state)).await.expect("serve") });
    let base = format!("http://127.0.0.1:{port}");
    let body = tokio::task::spawn_blocking(move || {
        ureq::get(&format!("{base}/.well-known/openid-configuration"))
            .call()
            .expect("GET")
            .into_string()
            .expect("body")
    })
    .await
    .expect("join");
    let d: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        d["issuer"],
        serde_json::json!(format!("http://127.0.0.1:{port}/"))
    );
}
