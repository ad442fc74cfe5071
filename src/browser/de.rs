//! A serde `Deserializer` over a JS value (the output of `JSON.parse`, or the options
//! object): the core's types are read with their serde derives and no JSON parser in the
//! wasm.
//!
//! Why not serde-wasm-bindgen's `from_value` (serde-wasm-bindgen still turns the widget's
//! answers into JS values): it does not refuse unknown fields of a JS object
//! (`deny_unknown_fields`: a misspelt option would be ignored), its errors neither name
//! the path nor keep the value out (they print it through serde's `Unexpected`, and a
//! value may be token material), and that formatting costs bytes (docs/size.md has the
//! two packages measured side by side). Errors here name the
//! path (`connections[0].name: expected a string, found a number`) and the *kind* of
//! value found, never the value. Unit enums are read from their variant's name.

use js_sys::{Array, Object, Reflect};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Expected, Unexpected, Visitor};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// Above this a JS number is no longer an exact integer (2^53).
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// What did not fit, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeError {
    /// `connections[0].name`; empty at the top level.
    path: String,
    message: String,
}

impl DeError {
    /// Puts the segment the error happened under (`key` or `[index]`) in front of the path.
    #[inline(never)]
    fn at(mut self, segment: &str) -> Self {
        let dot = !self.path.is_empty() && !self.path.starts_with('[');
        self.path = format!("{segment}{}{}", if dot { "." } else { "" }, self.path);
        self
    }

    /// Where: `connections[0].name`, or empty for the value itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What: `expected a string, found a number`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DeError {
            path: String::new(),
            message: message.to_string(),
        }
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        found(kind_of(&unexpected), expected)
    }

    /// The right kind of value, but not one the type accepts (a negative or fractional
    /// number for an integer, say).
    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        let kind = kind_of(&unexpected);
        let noun = kind
            .strip_prefix("an ")
            .or(kind.strip_prefix("a "))
            .unwrap_or(kind);
        found(&format!("a {noun} it does not accept"), expected)
    }
}

#[inline(never)]
fn found(kind: &str, expected: &dyn Expected) -> DeError {
    de::Error::custom(format_args!("expected {expected}, found {kind}"))
}

/// The kind of value serde saw, without the value.
fn kind_of<'a>(unexpected: &Unexpected<'a>) -> &'a str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) => "a string",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Seq => "an array",
        Unexpected::Map | Unexpected::StructVariant => "an object",
        Unexpected::Other(other) => other,
        _ => "another kind of value",
    }
}

/// The kind of a JS value, without the value.
#[inline(never)]
fn kind_of_js(value: &JsValue) -> &'static str {
    if value.is_null() || value.is_undefined() {
        "null"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.is_string() {
        "a string"
    } else if Array::is_array(value) {
        "an array"
    } else if value.is_function() {
        "a function"
    } else {
        "an object"
    }
}

/// Reads `value` as a `T`.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, DeError> {
    T::deserialize(JsDeserializer(value))
}

/// One JS value being read.
#[derive(Debug)]
pub struct JsDeserializer(pub JsValue);

impl JsDeserializer {
    fn wrong(&self, expected: &dyn Expected) -> DeError {
        found(kind_of_js(&self.0), expected)
    }

    fn is_plain_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0) && !self.0.is_function()
    }
}

impl<'de> de::Deserializer<'de> for JsDeserializer {
    type Error = DeError;

    /// Only untagged enums (`aud`: string or array; numeric ids) get here.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = self.0.as_bool() {
            visitor.visit_bool(b)
        } else if self.0.as_f64().is_some() {
            self.deserialize_u64(visitor)
        } else if self.0.is_string() {
            self.deserialize_string(visitor)
        } else if Array::is_array(&self.0) {
            self.deserialize_seq(visitor)
        } else {
            self.deserialize_map(visitor)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => Err(self.wrong(&visitor)),
        }
    }

    /// Whole numbers as integers (so integer fields take them), others as floats.
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..MAX_SAFE).contains(&n) => {
                visitor.visit_u64(n as u64)
            }
            Some(n) if n.fract() == 0.0 && (-MAX_SAFE..0.0).contains(&n) => {
                visitor.visit_i64(n as i64)
            }
            Some(n) => visitor.visit_f64(n),
            None => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_f64() {
            Some(n) => visitor.visit_f64(n),
            None => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_string() {
            Some(s) => visitor.visit_string(s),
            None => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if !Array::is_array(&self.0) {
            return Err(self.wrong(&visitor));
        }
        visitor.visit_seq(Elements {
            array: self.0.unchecked_into(),
            index: 0,
        })
    }

    /// Every own key is shown to the type: it ignores the ones it does not know, or
    /// refuses them (`deny_unknown_fields`).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if !self.is_plain_object() {
            return Err(self.wrong(&visitor));
        }
        let keys = Object::keys(self.0.unchecked_ref::<Object>());
        visitor.visit_map(Entries {
            object: self.0,
            keys,
            index: 0,
            key: String::new(),
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    /// Unit variants, from their name (`"web_message"`); a variant the type does not
    /// know is refused by its visitor, naming the ones it knows.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0.as_string() {
            Some(name) => visitor.visit_enum(de::value::StringDeserializer::<DeError>::new(name)),
            None => Err(self.wrong(&visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u128 f32 char bytes byte_buf
        unit unit_struct tuple tuple_struct
    }
}

struct Elements {
    array: Array,
    index: u32,
}

impl<'de> de::SeqAccess<'de> for Elements {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.index >= self.array.length() {
            return Ok(None);
        }
        let index = self.index;
        self.index += 1;
        seed.deserialize(JsDeserializer(self.array.get(index)))
            .map(Some)
            .map_err(|e| e.at(&format!("[{index}]")))
    }
}

/// An object's own keys, in order.
struct Entries {
    object: JsValue,
    keys: Array,
    index: u32,
    key: String,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if self.index >= self.keys.length() {
            return Ok(None);
        }
        self.key = self.keys.get(self.index).as_string().unwrap_or_default();
        self.index += 1;
        seed.deserialize(de::value::StrDeserializer::new(&self.key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let value =
            Reflect::get(&self.object, &JsValue::from_str(&self.key)).unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(JsDeserializer(value))
            .map_err(|e| e.at(&self.key))
    }
}
