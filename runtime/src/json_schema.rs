//! JSON Schemas of generated types (feature `json-schema`): schemars impls for
//! the runtime's own types and the schema settings the bindings are exported with.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::types::JsonString;

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

/// The schema of an open enum (`open_enum!`): a string with the documented
/// values. A function rather than `schemars::json_schema!` in the macro,
/// whose `json!` expansion each of the bindings' 1,568 enums would compile.
pub fn string_enum_schema(values: &[&str]) -> Schema {
    let mut schema = serde_json::Map::new();
    schema.insert("type".into(), "string".into());
    schema.insert(
        "enum".into(),
        values
            .iter()
            .map(|&value| serde_json::Value::from(value))
            .collect(),
    );
    Schema::from(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Meta {
        sha256: String,
    }

    #[test]
    fn json_strings_are_strings_with_a_content_schema() {
        let schema = schemars::schema_for!(JsonString<Meta>);
        assert_eq!(schema.get("type").unwrap(), "string");
        assert_eq!(schema.get("contentMediaType").unwrap(), "application/json");
        assert_eq!(schema.get("contentSchema").unwrap()["$ref"], "#/$defs/Meta");
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
