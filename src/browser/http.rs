//! The core's `HttpRequest`s over gloo-net: CORS, no credentials, no cache, no referrer,
//! and an abort after the configured timeout.

use super::describe;
use auth0_account_link_core::http::{HttpRequest, HttpResponse, Method, TransportError};
use gloo_events::EventListener;
use gloo_net::http::RequestBuilder;
use gloo_timers::callback::Timeout;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::{
    AbortController, AbortSignal, ReferrerPolicy, RequestCache, RequestCredentials, RequestMode,
};

/// Response headers the core reads (CORS exposes only these anyway).
const READ_HEADERS: [&str; 5] = [
    "content-type",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

fn network(e: gloo_net::Error) -> TransportError {
    // Not `to_string()`: gloo-net's `Display` reaches serde_json's error formatting (Yew
    // turns on gloo-net's `json` feature), which the bundle would then carry for nothing.
    TransportError::Network(match e {
        gloo_net::Error::JsError(js) => js.message,
        gloo_net::Error::GlooError(message) => message,
        #[allow(unreachable_patterns)]
        _ => "the request failed".to_owned(),
    })
}

/// Sends `request`; a response that has not fully arrived after `timeout_seconds` is
/// aborted and reported as [`TransportError::Timeout`]. When `lifetime` aborts (the widget
/// was removed), so does the request.
pub async fn send(
    request: &HttpRequest,
    timeout_seconds: u64,
    lifetime: Option<&AbortSignal>,
) -> Result<HttpResponse, TransportError> {
    if lifetime.is_some_and(AbortSignal::aborted) {
        return Err(TransportError::Network("the widget was removed".to_owned()));
    }
    let controller = AbortController::new().map_err(|e| TransportError::Network(describe(&e)))?;
    // Dropped (removed) when this future ends.
    let _follow_lifetime = lifetime.map(|signal| {
        let controller = controller.clone();
        EventListener::once(signal, "abort", move |_| controller.abort())
    });
    let method = match request.method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Patch => gloo_net::http::Method::PATCH,
        Method::Delete => gloo_net::http::Method::DELETE,
    };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .mode(RequestMode::Cors)
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
        .referrer_policy(ReferrerPolicy::NoReferrer)
        .abort_signal(Some(&controller.signal()));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = match &request.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(network)?;

    let timed_out = Rc::new(Cell::new(false));
    let flag = timed_out.clone();
    let millis = u32::try_from(timeout_seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
    // Dropped (cleared) when this future ends or is dropped.
    let _timer = Timeout::new(millis, move || {
        flag.set(true);
        controller.abort();
    });
    let outcome = async {
        let response = built.send().await?;
        let body = response.text().await?;
        Ok::<_, gloo_net::Error>((response, body))
    }
    .await;
    match outcome {
        Ok((response, body)) => {
            let received = response.headers();
            let headers = READ_HEADERS
                .iter()
                .filter_map(|name| received.get(name).map(|v| ((*name).to_owned(), v)))
                .collect();
            Ok(HttpResponse {
                status: response.status(),
                headers,
                body,
            })
        }
        Err(_) if timed_out.get() => Err(TransportError::Timeout),
        Err(e) => Err(network(e)),
    }
}
