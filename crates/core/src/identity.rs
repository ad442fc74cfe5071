//! What a user's identities are, as the Management API returns them: the data the
//! session, the attempt and the view share (kept apart from the requests that read them).

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// Profile data of a linked identity (Auth0 keeps the secondary's profile here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ProfileData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
}

/// One identity of a user, as the Management API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Identity {
    pub connection: String,
    /// The id without the provider prefix. Some providers send a number: kept as text.
    #[serde(deserialize_with = "string_or_number")]
    pub user_id: String,
    pub provider: String,
    #[serde(rename = "isSocial", default)]
    pub is_social: bool,
    #[serde(
        rename = "profileData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_data: Option<ProfileData>,
}

/// A secondary login that is an existing user with other logins: what linking it moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeFacts {
    /// The existing user's id: the host's own records kept under it are not moved.
    pub user_id: String,
    /// Every login of that user (the one just used among them): all move to the primary.
    pub identities: Vec<Identity>,
}

impl Identity {
    /// `provider|user_id`: the Auth0 user id this identity had on its own.
    pub fn full_user_id(&self) -> String {
        format!("{}|{}", self.provider, self.user_id)
    }
}

/// A visitor rather than an untagged enum (serde would buffer the value into its generic
/// `Content` first: kilobytes of wasm).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Forms;
    impl<'de> Visitor<'de> for Forms {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or a whole number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<String, E> {
            Err(E::custom("user_id is not an integer"))
        }
        // JSON numbers arrive as f64 from JS; ids are integers well inside u64.
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            if v.fract() == 0.0 && (0.0..1.8e19).contains(&v) {
                Ok((v as u64).to_string())
            } else {
                Err(E::custom("user_id is not an integer"))
            }
        }
    }
    d.deserialize_any(Forms)
}
