//! A config object as plain JSON, checked on the way in. Two things a config may hold that JSON
//! cannot: a NaN or an infinity (a JS number), which `serde_json::Value` would silently turn into
//! `null` so that the error said "invalid type: null"; and a nesting deep enough to overflow the
//! stack of whatever walks it next. Both are refused here by name, with the path of the value.

use crate::limits::MAX_JSON_DEPTH;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Converts what `deserializer` holds (a JS object through `serde_wasm_bindgen`, JSON text through
/// `serde_json`) into a `Value`, or names the first non-finite number or too-deep nesting:
/// "learningRate: must be a finite number, got NaN".
pub fn plain_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, String> {
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(deserializer, &mut track);
    Plain { depth: 0 }
        .deserialize(tracked)
        .map_err(|e| super::path_message(&track.path().to_string(), &e.to_string()))
}

/// One value at nesting `depth` (the top-level object is at 0).
#[derive(Clone, Copy)]
struct Plain {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Plain {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Plain {
    /// The seed for a value inside this one, or the refusal once the nesting reaches the bound.
    fn inner<E: de::Error>(self) -> Result<Plain, E> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(E::custom(format!(
                "nested more than {MAX_JSON_DEPTH} levels deep (objects and arrays inside each other)"
            )));
        }
        Ok(Plain {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for Plain {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a plain value (object, array, string, finite number, boolean or null)")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        match serde_json::Number::from_f64(v) {
            Some(n) => Ok(Value::Number(n)),
            None => {
                let what = if v.is_nan() {
                    "NaN".to_string()
                } else {
                    format!("{v}")
                };
                Err(E::custom(format!("must be a finite number, got {what}")))
            }
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(inner)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}
