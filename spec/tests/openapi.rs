//! The OpenAPI 3.1 export of the docs tree and of the committed spec: valid
//! against the OpenAPI 3.1 schema, and in agreement with the spec on every field.

mod common;

use std::path::PathBuf;

use serde_json::Value;
use wechatpay_docs_parser::parse_tree;
use wechatpay_spec::openapi::to_openapi;
use wechatpay_spec::{Field, Kind, Operation, RequestBody, Response, Spec};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/openapi-3.1")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn validate_openapi(document: &Value) -> Vec<String> {
    let registry = jsonschema::Registry::new()
        .add(
            "https://spec.openapis.org/oas/3.1/schema/2021-04-15",
            fixture("schema.json"),
        )
        .unwrap()
        .add(
            "https://spec.openapis.org/oas/3.1/dialect/base",
            fixture("dialect-base.json"),
        )
        .unwrap()
        .add(
            "https://spec.openapis.org/oas/3.1/meta/base",
            fixture("meta-base.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&fixture("schema-base.json"))
        .unwrap();
    validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

fn specs() -> Vec<(String, Spec)> {
    let current = parse_tree(&common::shared_dir().join("docs/current")).unwrap();
    let committed = |name: &str| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(name);
        let spec = Spec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        (name.to_owned(), spec)
    };
    vec![
        ("../shared/docs/current".to_owned(), current.spec),
        committed("spec/couponcodes.json"),
        committed("spec/wechatpay.json"),
    ]
}

#[test]
fn the_export_is_valid_openapi_3_1() {
    for (name, spec) in specs() {
        let document = to_openapi(&spec, "test");
        let errors = validate_openapi(&document);
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
    // The validator does reject what is not OpenAPI.
    let mut broken = to_openapi(&specs().remove(1).1, "test");
    broken["paths"]["/v3/marketing/busifavor/stocks/{stock_id}/couponcodes"]["post"]["responses"] =
        Value::Null;
    assert!(!validate_openapi(&broken).is_empty());
}

/// Compares a field with its schema: type (and array nesting), enum, limits and,
/// for objects, every property and the `required` list.
fn agree(at: &str, field: &Field, schema: &Value, errors: &mut Vec<String>) {
    let mut schema = schema;
    for level in 0..field.array_depth {
        if schema["type"] != "array" {
            errors.push(format!("{at}: level {level} is not an array: {schema}"));
            return;
        }
        if level == 0 {
            check_limits(at, "minItems", field.limits.min_items, schema, errors);
            check_limits(at, "maxItems", field.limits.max_items, schema, errors);
        }
        schema = &schema["items"];
    }
    let limits = if field.is_array() {
        &field.item_limits
    } else {
        &field.limits
    };
    check_limits(at, "minLength", limits.min_length, schema, errors);
    check_limits(at, "maxLength", limits.max_length, schema, errors);
    if limits.pattern.as_deref() != schema["pattern"].as_str() {
        errors.push(format!(
            "{at}: pattern {:?} vs {}",
            limits.pattern, schema["pattern"]
        ));
    }
    match field.kind {
        Kind::String if field.encoded.is_some() && !field.children.is_empty() => {
            if schema["contentMediaType"] != "application/json" {
                errors.push(format!(
                    "{at}: JSON-encoded string without contentMediaType"
                ));
            }
            agree_object(at, &field.children, &schema["contentSchema"], errors);
        }
        Kind::Object if !field.children.is_empty() => {
            agree_object(at, &field.children, schema, errors)
        }
        kind => {
            if schema["type"] != kind.as_str() {
                errors.push(format!(
                    "{at}: type {} vs {}",
                    kind.as_str(),
                    schema["type"]
                ));
            }
            let values: Vec<String> = schema["enum"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if values != field.enum_values {
                errors.push(format!("{at}: enum {:?} vs {values:?}", field.enum_values));
            }
        }
    }
}

fn check_limits(
    at: &str,
    key: &str,
    expected: Option<u32>,
    schema: &Value,
    errors: &mut Vec<String>,
) {
    if expected.map(u64::from) != schema[key].as_u64() {
        errors.push(format!("{at}: {key} {expected:?} vs {}", schema[key]));
    }
}

fn agree_object(at: &str, fields: &[Field], schema: &Value, errors: &mut Vec<String>) {
    if schema["type"] != "object" {
        errors.push(format!("{at}: not an object: {schema}"));
        return;
    }
    let properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if properties.len() != fields.len() {
        errors.push(format!(
            "{at}: {} fields vs {} properties",
            fields.len(),
            properties.len()
        ));
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for field in fields {
        let here = format!("{at}.{}", field.name);
        if field.required != required.contains(&field.name.as_str()) {
            errors.push(format!(
                "{here}: required {} vs {required:?}",
                field.required
            ));
        }
        match properties.get(&field.name) {
            Some(property) => {
                // File parts of multipart bodies are binary strings in OpenAPI.
                if !(field.kind == Kind::Object
                    && field.children.is_empty()
                    && property["contentMediaType"] == "application/octet-stream")
                {
                    agree(&here, field, property, errors);
                }
            }
            None => errors.push(format!("{here}: missing from the schema")),
        }
    }
}

fn agree_operation(op: &Operation, document: &Value, errors: &mut Vec<String>) {
    let object = &document["paths"][&op.path][op.method.lower()];
    if object.is_null() {
        errors.push(format!("{}: missing", op.id()));
        return;
    }
    let parameters = object["parameters"].as_array().cloned().unwrap_or_default();
    let params = |location: &str, fields: &[Field], errors: &mut Vec<String>| {
        for field in fields {
            let at = format!("{} {location}.{}", op.id(), field.name);
            match parameters
                .iter()
                .find(|p| p["in"] == location && p["name"] == field.name.as_str())
            {
                Some(parameter) => {
                    let required = field.required || location == "path";
                    if parameter["required"] != required {
                        errors.push(format!(
                            "{at}: required {required} vs {}",
                            parameter["required"]
                        ));
                    }
                    agree(&at, field, &parameter["schema"], errors);
                }
                None => errors.push(format!("{at}: no parameter")),
            }
        }
    };
    params("path", &op.path_params, errors);
    params(
        "query",
        op.query.as_ref().map_or(&[][..], |q| &q.fields),
        errors,
    );
    params(
        "header",
        op.headers.as_ref().map_or(&[][..], |h| &h.fields),
        errors,
    );
    let content = |media: &str| object["requestBody"]["content"][media]["schema"].clone();
    match &op.request_body {
        Some(RequestBody::Json { fields, .. }) => agree_object(
            &format!("{} body", op.id()),
            fields,
            &content("application/json"),
            errors,
        ),
        Some(RequestBody::Xml { fields, .. }) => agree_object(
            &format!("{} body", op.id()),
            fields,
            &content("application/xml"),
            errors,
        ),
        Some(RequestBody::Multipart { parts, .. }) => agree_object(
            &format!("{} body", op.id()),
            parts,
            &content("multipart/form-data"),
            errors,
        ),
        None => {
            if !object["requestBody"].is_null() {
                errors.push(format!("{}: unexpected requestBody", op.id()));
            }
        }
    }
    match &op.response {
        Response::Json { fields } => agree_object(
            &format!("{} response", op.id()),
            fields,
            &object["responses"]["200"]["content"]["application/json"]["schema"],
            errors,
        ),
        Response::Empty if object["responses"]["204"].is_null() => {
            errors.push(format!("{}: an empty response is a 204", op.id()));
        }
        Response::FileStream
            if object["responses"]["200"]["content"]["application/octet-stream"].is_null() =>
        {
            errors.push(format!(
                "{}: a file stream is application/octet-stream",
                op.id()
            ));
        }
        _ => {}
    }
}

#[test]
fn the_export_agrees_with_the_spec_on_every_field() {
    for (name, spec) in specs() {
        let document = to_openapi(&spec, "test");
        let mut errors = Vec::new();
        for op in &spec.operations {
            agree_operation(op, &document, &mut errors);
        }
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
    // The walk does notice a disagreement.
    let (_, spec) = specs().remove(1);
    let mut document = to_openapi(&spec, "test");
    let body = &mut document["paths"]["/v3/marketing/busifavor/stocks/{stock_id}/couponcodes"]["post"]
        ["requestBody"]["content"]["application/json"]["schema"];
    body["required"] = serde_json::json!(["coupon_code_list"]);
    body["properties"]["coupon_code_list"]["items"]["maxLength"] = serde_json::json!(64);
    let mut errors = Vec::new();
    for op in &spec.operations {
        agree_operation(op, &document, &mut errors);
    }
    assert_eq!(errors.len(), 2, "{errors:#?}");
}
