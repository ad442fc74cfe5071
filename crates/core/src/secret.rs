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
