//! A JSON value of any shape, for what the widget carries without reading it: a user's
//! `user_metadata` and `app_metadata`. Parsed by the host's parser (`JSON.parse` in the
//! browser) through [`serde`], shown by its keys, handed to the host as it came.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JSON value; an object keeps its properties in their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

// JSON has no NaN: the numbers a parser gives are equal to themselves.
impl Eq for Json {}

impl Json {
    /// The property names of an object, in order (none for any other value).
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Json::Object(fields) => fields.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// An object with at least one property.
    pub fn has_properties(&self) -> bool {
        matches!(self, Json::Object(fields) if !fields.is_empty())
    }

    /// The value of an object's property `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The `user_metadata` patch that carries `secondary`'s settings to `primary`, the
    /// primary's winning: the secondary's root properties the primary does not have.
    /// Auth0 merges `user_metadata` at the root on `PATCH /api/v2/users/{id}`, so sending
    /// only these leaves every property of the primary as it was, and sending them again
    /// (a retry) writes nothing new.
    pub fn primary_wins(primary: &Json, secondary: &Json) -> Json {
        let carried = match secondary {
            Json::Object(fields) => fields
                .iter()
                .filter(|(k, _)| primary.get(k).is_none())
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        Json::Object(carried)
    }

    /// The `user_metadata` patch that turns `current` into `wanted` under Auth0's
    /// semantics: a root property that differs is sent whole (a nested object replaces the
    /// one there), one `wanted` lacks is sent as `null` (which deletes it), an equal one is
    /// not sent. Empty when they are equal.
    pub fn patch_to(current: &Json, wanted: &Json) -> Json {
        let mut patch: Vec<(String, Json)> = match wanted {
            Json::Object(fields) => fields
                .iter()
                .filter(|(k, v)| current.get(k) != Some(v))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        if let Json::Object(fields) = current {
            for (k, _) in fields {
                if wanted.get(k).is_none() {
                    patch.push((k.clone(), Json::Null));
                }
            }
        }
        Json::Object(patch)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
                Json::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
                Ok(Json::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut fields = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Json>()? {
                    fields.push((key, value));
                }
                Ok(Json::Object(fields))
            }
        }
        d.deserialize_any(Any)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            // A whole number stays one (3, not 3.0) where the receiver tells them apart.
            Json::Number(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
                s.serialize_i64(*n as i64)
            }
            Json::Number(n) => s.serialize_f64(*n),
            Json::String(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}
