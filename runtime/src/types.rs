//! Value types generated code uses for shapes plain Rust types cannot express.

use std::borrow::Cow;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validate::{Validate, ValidationError};

/// A string field whose content is JSON (`data-encoded` in the docs): on the wire a
/// string such as `"{\"sha256\":\"...\"}"`, in Rust the decoded value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonString<T>(pub T);

impl<T> JsonString<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        JsonString(value)
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for JsonString<T> {
    fn from(value: T) -> Self {
        JsonString(value)
    }
}

impl<T: Serialize> JsonString<T> {
    /// The JSON text the string holds.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.0)
    }
}

/// The JSON text, as it goes into a query parameter, a path segment or a header
/// (where generated code writes values with `to_string()`).
impl<T: Serialize> std::fmt::Display for JsonString<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(&self.0).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

impl<T: Serialize> Serialize for JsonString<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonString<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        serde_json::from_str(&text)
            .map(JsonString)
            .map_err(|e| serde::de::Error::custom(format!("JSON-encoded string: {e}")))
    }
}

impl<T: Validate> Validate for JsonString<T> {
    fn validate_into(&self, pointer: &str, errors: &mut Vec<ValidationError>) {
        self.0.validate_into(pointer, errors);
    }
}

/// The file part of a `multipart/form-data` upload.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    /// The file name sent with the part.
    pub name: String,
    /// The media type, e.g. `image/jpeg`.
    pub content_type: String,
    /// The bytes.
    pub bytes: Bytes,
}

impl FilePart {
    /// A part from its name, media type and bytes.
    pub fn new(
        name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        FilePart {
            name: name.into(),
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Meta {
        sha256: String,
    }

    #[test]
    fn json_strings_display_as_their_json_text() {
        let value = JsonString(serde_json::json!({"type": "x", "n": 1}));
        assert_eq!(value.to_string(), r#"{"type":"x","n":1}"#);
    }

    #[test]
    fn json_strings_round_trip() {
        let value = JsonString(Meta {
            sha256: "ab".into(),
        });
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(text, r#""{\"sha256\":\"ab\"}""#);
        assert_eq!(
            serde_json::from_str::<JsonString<Meta>>(&text).unwrap(),
            value
        );
        assert!(serde_json::from_str::<JsonString<Meta>>(r#""nope""#).is_err());
    }
}
