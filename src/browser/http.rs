//! `fetch` for the core's `HttpRequest`s: CORS, no credentials, no cache, no referrer, and
//! an abort after the configured timeout.

use super::{describe, timer::Timeout, window};
use account_link_core::http::{HttpRequest, HttpResponse, TransportError};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReferrerPolicy, RequestCache, RequestCredentials, RequestInit,
    RequestMode, Response,
};

/// Response headers the core reads (CORS exposes only these anyway).
const READ_HEADERS: [&str; 5] = [
    "content-type",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

pub async fn send(
    request: &HttpRequest,
    timeout_seconds: u64,
) -> Result<HttpResponse, TransportError> {
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    let headers = Headers::new().map_err(|e| TransportError::Network(describe(&e)))?;
    for (name, value) in &request.headers {
        headers
            .set(name, value)
            .map_err(|e| TransportError::Network(describe(&e)))?;
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&body.into());
    }
    let controller = AbortController::new().map_err(|e| TransportError::Network(describe(&e)))?;
    init.set_signal(Some(&controller.signal()));
    let timed_out = Rc::new(Cell::new(false));
    let flag = timed_out.clone();
    let millis = u32::try_from(timeout_seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
    let _timer = Timeout::new(millis, move || {
        flag.set(true);
        controller.abort();
    });
    let outcome = async {
        let response: Response =
            JsFuture::from(window().fetch_with_str_and_init(&request.url, &init))
                .await?
                .dyn_into()?;
        let text = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        Ok::<_, wasm_bindgen::JsValue>((response, text))
    }
    .await;
    match outcome {
        Ok((response, body)) => {
            let headers = READ_HEADERS
                .iter()
                .filter_map(|name| {
                    response
                        .headers()
                        .get(name)
                        .ok()
                        .flatten()
                        .map(|v| ((*name).to_owned(), v))
                })
                .collect();
            Ok(HttpResponse {
                status: response.status(),
                headers,
                body,
            })
        }
        Err(_) if timed_out.get() => Err(TransportError::Timeout),
        Err(e) => Err(TransportError::Network(describe(&e))),
    }
}
