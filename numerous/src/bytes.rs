//! Binary values between widgets and the app: `{"$bytes": "<base64>"}` on the wire.

use std::fmt;

use base64::Engine as _;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes in a widget's state or a message: a `DataView` in the browser (as anywidget gives
/// binary traits), `{"$bytes": "<base64>"}` on the wire. Use it for an `#[input]` field of a
/// custom widget that a module sets with an `ArrayBuffer`, `DataView` or typed array; the
/// `buffers` of `model.send` reach handlers as [`Session::buffers`](crate::Session::buffers).
///
/// Binary values count towards the message size limit in their base64 form (a third larger).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

/// The wire key of a binary value.
pub(crate) const KEY: &str = "$bytes";

pub(crate) fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD.decode(text)
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(KEY, &encode(&self.0))?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"binary data, {"$bytes": "<base64>"}"#)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Bytes, M::Error> {
                let mut value = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key != KEY || value.is_some() {
                        return Err(de::Error::unknown_field(&key, &[KEY]));
                    }
                    let text: std::borrow::Cow<'de, str> = map.next_value()?;
                    value = Some(decode(&text).map_err(de::Error::custom)?);
                }
                value
                    .map(Bytes)
                    .ok_or_else(|| de::Error::missing_field(KEY))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_travel_as_base64_objects() {
        let b = Bytes(vec![0, 1, 2, 255]);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"{"$bytes":"AAEC/w=="}"#);
        assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), b);
        for bad in [r#"{"$bytes":"***"}"#, r#"{"bytes":"AA=="}"#, "[1,2]", "{}"] {
            assert!(serde_json::from_str::<Bytes>(bad).is_err(), "{bad}");
        }
    }
}
