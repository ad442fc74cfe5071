//! `cargo run -p dev-tenant -- [--port 4000] [--test-mode] [--app-origin URL]… [--app-dir DIR --app-port N] [--spa-js FILE] [--require-recent-auth SECONDS]`

use dev_tenant::{app, AppState, TenantConfig};
use std::path::PathBuf;

const USAGE: &str = "usage: dev-tenant [--port N] [--fixtures DIR] [--test-mode] [--rate-limit N] \
[--app-origin URL]... [--app-dir DIR --app-port N] [--spa-js FILE] [--custom-domain HOST:PORT] \
[--require-recent-auth SECONDS]";

struct Args {
    port: u16,
    fixtures: PathBuf,
    test_mode: bool,
    rate_limit: u32,
    app_origins: Vec<String>,
    app_dir: Option<PathBuf>,
    app_port: Option<u16>,
    spa_js: Option<PathBuf>,
    custom_domain: Option<String>,
    require_recent_auth: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 4000,
        fixtures: TenantConfig::default_fixture_dir(),
        test_mode: false,
        rate_limit: 100,
        app_origins: Vec::new(),
        app_dir: None,
        app_port: None,
        spa_js: None,
        custom_domain: None,
        require_recent_auth: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => {
                args.port = value()?
                    .parse()
                    .map_err(|_| "--port must be a number".to_owned())?
            }
            "--fixtures" => args.fixtures = PathBuf::from(value()?),
            "--test-mode" => args.test_mode = true,
            "--rate-limit" => {
                args.rate_limit = value()?
                    .parse()
                    .map_err(|_| "--rate-limit must be a number".to_owned())?
            }
            "--app-origin" => args.app_origins.push(value()?),
            "--app-dir" => args.app_dir = Some(PathBuf::from(value()?)),
            "--app-port" => {
                args.app_port = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--app-port must be a number".to_owned())?,
                )
            }
            "--spa-js" => args.spa_js = Some(PathBuf::from(value()?)),
            "--custom-domain" => args.custom_domain = Some(value()?),
            "--require-recent-auth" => {
                args.require_recent_auth =
                    Some(value()?.parse().map_err(|_| {
                        "--require-recent-auth must be a number of seconds".to_owned()
                    })?)
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    if args.app_dir.is_some() != args.app_port.is_some() {
        return Err("--app-dir and --app-port go together".into());
    }
    if let Some(port) = args.app_port {
        args.app_origins.push(format!("http://127.0.0.1:{port}"));
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let mut state = match AppState::from_fixture_dir(
        &args.fixtures,
        args.port,
        &args.app_origins,
        args.test_mode,
    ) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("dev-tenant: {message}");
            std::process::exit(2);
        }
    };
    {
        let config =
            std::sync::Arc::get_mut(&mut state.config).expect("unreachable: config not shared yet");
        config.rate_limit_per_minute = args.rate_limit;
        config.spa_js = args.spa_js.clone();
        config.custom_domain = args.custom_domain.clone();
        config.require_recent_auth_secs = args.require_recent_auth;
    }
    // Loopback only: this tenant is for local development and tests.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .unwrap_or_else(|e| {
            eprintln!("dev-tenant: cannot bind 127.0.0.1:{}: {e}", args.port);
            std::process::exit(1);
        });
    let issuer = state.config.issuer.clone();
    eprintln!(
        "dev-tenant: issuer {issuer}{}",
        if args.test_mode {
            " (TEST MODE: misbehaviour switches enabled)"
        } else {
            ""
        }
    );
    if let (Some(dir), Some(port)) = (args.app_dir, args.app_port) {
        let app_listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| {
                eprintln!("dev-tenant: cannot bind the app port 127.0.0.1:{port}: {e}");
                std::process::exit(1);
            });
        eprintln!(
            "dev-tenant: serving {} at http://127.0.0.1:{port}/",
            dir.display()
        );
        let site = dev_tenant::static_app(dir, &issuer, "demo-spa-client");
        let site = if args.test_mode {
            dev_tenant::record_requests(site, state.clone(), "app")
        } else {
            site
        };
        tokio::spawn(async move {
            if let Err(e) = axum::serve(app_listener, site).await {
                eprintln!("dev-tenant: app server stopped: {e}");
            }
        });
    }
    let shutdown = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("dev-tenant: cannot listen for Ctrl-C ({e}); stop the process to shut down");
            std::future::pending::<()>().await;
        }
    };
    if let Err(e) = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("dev-tenant: server stopped: {e}");
        std::process::exit(1);
    }
}
