//! Secret newtypes: `Debug` prints `[redacted]`, the value comes out only through the
//! one method named `secret()`.

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            /// The secret itself. Every use is a place a token could leak: keep them few.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// The primary user's Management API access token.
    AccessToken
);
secret_type!(
    /// A raw (not yet verified) ID token.
    IdToken
);
secret_type!(
    /// PKCE `code_verifier`.
    CodeVerifier
);
secret_type!(
    /// OAuth `state`.
    State
);
secret_type!(
    /// OIDC `nonce`.
    Nonce
);
secret_type!(
    /// The authorization `code` from the callback.
    AuthorizationCode
);
secret_type!(
    /// A pending login as stored for redirect mode (state, nonce, verifier): sessionStorage
    /// only, deleted on use.
    PersistedTransaction
);

/// An authorize URL: its query carries `state`, `nonce` and the PKCE challenge, so `Debug`
/// shows it only up to the `?`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizeUrl(String);

impl AuthorizeUrl {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The whole URL, for the window or the tab that opens it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for AuthorizeUrl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        crate::http::UrlWithoutQuery(&self.0).fmt(f)
    }
}

/// Bytes a log has no use for (a PKCE verifier to hash, a signing input, a signature):
/// `Debug` shows only their length.
#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueBytes(Vec<u8>);

impl OpaqueBytes {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
    pub fn secret(&self) -> &[u8] {
        &self.0
    }
}

impl core::fmt::Debug for OpaqueBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "[{} bytes]", self.0.len())
    }
}

/// A SHA-256 digest the host computed (the PKCE challenge before it is encoded): `Debug`
/// does not show it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sha256Digest(pub [u8; 32]);

impl core::fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Sha256Digest([redacted])")
    }
}
