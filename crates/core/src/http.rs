//! Transport-neutral HTTP values: the core builds `HttpRequest`s and reads `HttpResponse`s.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to send. Header values may hold a bearer token: `Debug` redacts them.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if k.eq_ignore_ascii_case("authorization") {
                        "[redacted]"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// A response as received. Header names compare case-insensitively. The body may hold
/// tokens (the token endpoint's answer): `Debug` prints only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl core::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// A URL whose query may carry `state`, `nonce` and the PKCE challenge: `Debug` shows it
/// up to the `?`.
pub struct UrlWithoutQuery<'a>(pub &'a str);

impl core::fmt::Debug for UrlWithoutQuery<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0.split_once('?') {
            Some((base, _)) => write!(f, "\"{base}?[redacted]\""),
            None => write!(f, "{:?}", self.0),
        }
    }
}

impl HttpResponse {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no HTTP response at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Offline, DNS, refused connection, CORS refusal (the browser cannot tell these apart).
    Network(String),
    /// No response within the configured request timeout.
    Timeout,
}
