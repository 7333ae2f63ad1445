//! Value types generated code uses for shapes plain Rust types cannot express.

use std::borrow::Cow;

use bytes::Bytes;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
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

impl<T: JsonSchema> JsonSchema for JsonString<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("JsonString_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let inner = generator.subschema_for::<T>();
        json_schema!({
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": inner,
        })
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

/// The JSON Schema (draft 2020-12) of a generated type, as the docs state it:
/// an optional field may be absent, but is never `null` (the bindings never send
/// `null`, and WeChat Pay omits what it does not return), so schemars' `null`
/// alternatives for `Option` fields are removed.
pub fn json_schema_for<T: JsonSchema>() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(NotNullable)
        .into_generator()
        .into_root_schema_for::<T>()
}

#[derive(Clone)]
struct NotNullable;

impl schemars::transform::Transform for NotNullable {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            if let Some(serde_json::Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".into(), only);
                }
            }
            let any_of_with_null = object
                .get("anyOf")
                .and_then(|v| v.as_array())
                .filter(|alternatives| alternatives.len() == 2)
                .and_then(|alternatives| {
                    let is_null =
                        |v: &serde_json::Value| v.get("type").is_some_and(|t| t == "null");
                    match (is_null(&alternatives[0]), is_null(&alternatives[1])) {
                        (true, false) => Some(alternatives[1].clone()),
                        (false, true) => Some(alternatives[0].clone()),
                        _ => None,
                    }
                });
            if let Some(serde_json::Value::Object(kept)) = any_of_with_null {
                object.remove("anyOf");
                for (key, value) in kept {
                    object.entry(key).or_insert(value);
                }
            }
        }
        schemars::transform::transform_subschemas(self, schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
    struct Meta {
        sha256: String,
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
        let schema = schemars::schema_for!(JsonString<Meta>);
        assert_eq!(schema.get("contentMediaType").unwrap(), "application/json");
    }

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Optional {
        name: Option<String>,
        meta: Option<Meta>,
        list: Option<Vec<String>>,
    }

    #[test]
    fn optional_fields_are_absent_not_null() {
        let schema = serde_json::to_value(json_schema_for::<Optional>()).unwrap();
        let properties = &schema["properties"];
        assert_eq!(properties["name"]["type"], "string");
        assert_eq!(properties["meta"]["$ref"], "#/$defs/Meta");
        assert!(properties["meta"].get("anyOf").is_none());
        assert_eq!(properties["list"]["type"], "array");
        assert!(!schema.to_string().contains("null"), "{schema}");
    }
}
