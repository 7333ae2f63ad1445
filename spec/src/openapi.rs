//! OpenAPI 3.1 export of a spec, for generators, validators and API explorers
//! that are not written in Rust.
//!
//! Every operation with its parameters, request body (JSON, XML or multipart) and
//! response (JSON, empty as 204, file streams as `application/octet-stream`);
//! `required` arrays, `enum`, the override limits, JSON-encoded strings as
//! `contentMediaType: application/json` with a `contentSchema`, the APIv3
//! signature scheme and the `Wechatpay-*` response headers.

use serde_json::{Map, Value, json};

use crate::{
    Field, Kind, Limits, NotificationFormat, Operation, Params, RequestBody, Response, Spec,
};

/// The response headers every signed answer carries.
const RESPONSE_HEADERS: [(&str, &str); 6] = [
    (
        "Request-ID",
        "WeChat Pay's id of the request; quote it when asking about a call.",
    ),
    (
        "Wechatpay-Timestamp",
        "Unix seconds when the answer was signed (rejected when 5 minutes or more from now).",
    ),
    ("Wechatpay-Nonce", "Random string covered by the signature."),
    (
        "Wechatpay-Signature",
        "Base64 RSASSA-PKCS1-v1_5 SHA-256 signature of `TIMESTAMP\\nNONCE\\nBODY\\n`.",
    ),
    (
        "Wechatpay-Serial",
        "The key that signed: a `PUB_KEY_ID_...` public key id or a platform certificate serial.",
    ),
    ("Wechatpay-Signature-Type", "`WECHATPAY2-SHA256-RSA2048`."),
];

/// The OpenAPI 3.1 document of `spec`.
pub fn to_openapi(spec: &Spec, title: &str) -> Value {
    let mut paths = Map::new();
    for operation in &spec.operations {
        let item = paths
            .entry(operation.path.clone())
            .or_insert_with(|| json!({}));
        item[operation.method.lower()] = operation_object(operation);
    }
    let headers: Map<String, Value> = RESPONSE_HEADERS
        .iter()
        .map(|(name, description)| {
            (
                (*name).to_owned(),
                json!({"description": description, "schema": {"type": "string"}}),
            )
        })
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": format!("spec-format-{}", spec.format_version),
            "description": "Generated from the WeChat Pay docs tables and the reviewed overrides by wechatpay-rs. Facts from the overrides carry `x-wechatpay-overridden`.",
        },
        "servers": [
            {"url": "https://api.mch.weixin.qq.com", "description": "production"},
            {"url": "https://api2.mch.weixin.qq.com", "description": "backup host"},
        ],
        "security": [{"WechatPayV3": []}],
        "paths": paths,
        "webhooks": webhooks(spec),
        "components": {
            "securitySchemes": {
                "WechatPayV3": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`WECHATPAY2-SHA256-RSA2048 mchid=\"...\",nonce_str=\"...\",timestamp=\"...\",serial_no=\"...\",signature=\"...\"`: an RSASSA-PKCS1-v1_5 SHA-256 signature with the merchant API key of `METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`, URL being the path and query exactly as sent. Send `Wechatpay-Serial` with the id of the key WeChat Pay should sign the answer with; verify every 2xx answer's `Wechatpay-Signature`.",
                },
            },
            "headers": headers,
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "description": "PARAM_ERROR, INVALID_REQUEST, SIGN_ERROR, NO_AUTH, RESOURCE_NOT_EXISTS, FREQUENCY_LIMITED, SYSTEM_ERROR, ..."},
                        "message": {"type": "string"},
                        "detail": {"description": "Free-form details; kept as raw JSON."},
                    },
                },
            },
        },
    })
}

/// The notifications, as OpenAPI 3.1 `webhooks`: one per event type, the body
/// as sent, with the decrypted resource's schema under
/// `x-wechatpay-decrypted` on the `ciphertext` property.
fn webhooks(spec: &Spec) -> Value {
    let mut webhooks = Map::new();
    for notification in &spec.notifications {
        let media = match notification.format {
            NotificationFormat::Json => "application/json",
            NotificationFormat::Xml => "text/xml",
        };
        let mut body = match notification.format {
            NotificationFormat::Json => object_schema(&notification.envelope),
            NotificationFormat::Xml => object_schema(&notification.resource),
        };
        if notification.format == NotificationFormat::Json
            && let Some(ciphertext) = body
                .pointer_mut("/properties/resource/properties/ciphertext")
                .and_then(Value::as_object_mut)
        {
            ciphertext.insert(
                "x-wechatpay-decrypted".into(),
                object_schema(&notification.resource),
            );
            if let Some(algorithm) = &notification.algorithm {
                ciphertext.insert("x-wechatpay-algorithm".into(), json!(algorithm));
            }
        }
        let parameters: Vec<Value> = notification
            .headers
            .iter()
            .map(|field| parameter(field, "header", field.required))
            .collect();
        for event_type in &notification.event_types {
            let mut operation = json!({
                "summary": notification.summary,
                "operationId": event_type,
                "parameters": parameters,
                "requestBody": {"required": true, "content": {media: {"schema": body}}},
                "responses": {
                    "200": {"description": "Handled (a 204 with no body does too)."},
                    "default": {
                        "description": "Not handled: WeChat Pay sends the notification again.",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"code": {"const": "FAIL"}, "message": {"type": "string"}},
                        }}},
                    },
                },
            });
            if !notification.description.is_empty() {
                operation["description"] = json!(notification.description);
            }
            if let Some(link) = notification.doc_links.first() {
                operation["externalDocs"] = json!({"url": link});
            }
            webhooks.insert(event_type.clone(), json!({"post": operation}));
        }
    }
    Value::Object(webhooks)
}

fn operation_object(operation: &Operation) -> Value {
    let mut object = Map::new();
    object.insert(
        "operationId".into(),
        json!(
            operation
                .name
                .clone()
                .unwrap_or_else(|| operation_id(operation))
        ),
    );
    object.insert("summary".into(), json!(operation.summary));
    if !operation.description.is_empty() {
        object.insert("description".into(), json!(operation.description));
    }
    if let Some(link) = operation.doc_links.first() {
        object.insert("externalDocs".into(), json!({"url": link}));
    }
    if let Some(base) = &operation.base_uri {
        object.insert("servers".into(), json!([{"url": base}]));
    }
    if operation
        .notices
        .iter()
        .any(|n| n.class.contains("deprecated"))
    {
        object.insert("deprecated".into(), json!(true));
    }
    object.insert(
        "x-wechatpay-source".into(),
        json!(operation.source.to_string()),
    );
    if !operation.overridden.is_empty() {
        object.insert("x-wechatpay-overridden".into(), json!(operation.overridden));
    }
    if !operation.client_options.is_empty() {
        let options = operation
            .client_options
            .iter()
            .map(|field| named_value(field, field.required));
        object.insert(
            "x-wechatpay-client-options".into(),
            Value::Array(options.collect()),
        );
    }
    let mut parameters = Vec::new();
    for field in &operation.path_params {
        parameters.push(parameter(field, "path", true));
    }
    for (params, location) in [(&operation.query, "query"), (&operation.headers, "header")] {
        if let Some(Params { fields, .. }) = params {
            for field in fields {
                parameters.push(parameter(field, location, field.required));
            }
        }
    }
    if !parameters.is_empty() {
        object.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = &operation.request_body {
        object.insert("requestBody".into(), request_body(body));
    }
    object.insert(
        "responses".into(),
        responses(&operation.response, &operation.error_fields),
    );
    Value::Object(object)
}

fn operation_id(operation: &Operation) -> String {
    let mut id = operation.method.lower().to_owned();
    for segment in operation.path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        id.extend(
            segment
                .trim_matches(|c| c == '{' || c == '}')
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
    }
    if operation.path.ends_with('/') {
        id.push_str("_index");
    }
    id
}

fn parameter(field: &Field, location: &str, required: bool) -> Value {
    let mut parameter = named_value(field, required || location == "path");
    parameter["in"] = json!(location);
    parameter
}

/// What a parameter and a client option share: name, requiredness, schema and
/// description.
fn named_value(field: &Field, required: bool) -> Value {
    let mut value = json!({
        "name": field.name,
        "required": required,
        "schema": field_schema(field),
    });
    if !field.description.is_empty() {
        value["description"] = json!(field.description);
    }
    value
}

fn request_body(body: &RequestBody) -> Value {
    match body {
        RequestBody::Json { required, fields } => json!({
            "required": *required || fields.iter().any(|f| f.required),
            "content": {"application/json": {"schema": object_schema(fields)}},
        }),
        RequestBody::Xml { required, fields } => json!({
            "required": *required,
            "content": {"application/xml": {"schema": object_schema(fields)}},
        }),
        RequestBody::Multipart { required, parts } => {
            let mut schema = object_schema(parts);
            let mut encoding = Map::new();
            if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for part in parts {
                    if part.kind == Kind::Object && part.children.is_empty() {
                        // A file part: its bytes, with the media type of the file.
                        let mut file = json!({"type": "string", "contentMediaType": "application/octet-stream"});
                        if !part.description.is_empty() {
                            file["description"] = json!(part.description);
                        }
                        properties.insert(part.name.clone(), file);
                        encoding.insert(part.name.clone(), json!({"contentType": "image/jpeg, image/png, image/bmp, application/pdf, application/octet-stream"}));
                    } else if part.encoded.is_some() {
                        encoding.insert(
                            part.name.clone(),
                            json!({"contentType": "application/json"}),
                        );
                    }
                }
            }
            json!({
                "required": *required,
                "content": {"multipart/form-data": {"schema": schema, "encoding": encoding}},
            })
        }
    }
}

fn responses(response: &Response, error_fields: &[Field]) -> Value {
    let headers: Map<String, Value> = RESPONSE_HEADERS
        .iter()
        .map(|(name, _)| {
            (
                (*name).to_owned(),
                json!({"$ref": format!("#/components/headers/{name}")}),
            )
        })
        .collect();
    let error_schema = if error_fields.is_empty() {
        json!({"$ref": "#/components/schemas/Error"})
    } else {
        object_schema(error_fields)
    };
    let error = json!({
        "description": "An error answer: status, `Request-ID` and a `{code, message, detail}` body.",
        "content": {"application/json": {"schema": error_schema}},
    });
    let mut responses = Map::new();
    let success = match response {
        Response::Json { fields } => (
            "200",
            json!({"description": "OK", "headers": headers, "content": {"application/json": {"schema": object_schema(fields)}}}),
        ),
        Response::Xml { fields } => (
            "200",
            json!({"description": "OK", "content": {"application/xml": {"schema": object_schema(fields)}}}),
        ),
        Response::Empty => (
            "204",
            json!({"description": "No content.", "headers": headers}),
        ),
        Response::FileStream => (
            "200",
            json!({"description": "A file stream (not signed).", "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}}),
        ),
        Response::Redirect { description } => ("302", json!({"description": description})),
        Response::Undocumented => ("200", json!({"description": "Not documented."})),
    };
    responses.insert(success.0.into(), success.1);
    responses.insert("4XX".into(), error.clone());
    responses.insert("5XX".into(), error);
    Value::Object(responses)
}

/// The schema of an object with these fields.
pub fn object_schema(fields: &[Field]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        properties.insert(field.name.clone(), field_schema(field));
        if field.required {
            required.push(json!(field.name));
        }
    }
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

fn apply_limits(schema: &mut Map<String, Value>, limits: &Limits) {
    let entries = [
        ("minLength", limits.min_length.map(Value::from)),
        ("maxLength", limits.max_length.map(Value::from)),
        ("pattern", limits.pattern.clone().map(Value::from)),
        ("minItems", limits.min_items.map(Value::from)),
        ("maxItems", limits.max_items.map(Value::from)),
        ("minimum", limits.minimum.map(Value::from)),
        ("maximum", limits.maximum.map(Value::from)),
    ];
    for (key, value) in entries {
        if let Some(value) = value {
            schema.insert(key.into(), value);
        }
    }
}

/// A value of `kind` with its enumeration, for the items of arrays too.
fn scalar(kind: Kind, field: &Field) -> Map<String, Value> {
    let mut schema = Map::new();
    if kind == Kind::Any {
        // No `type`: any JSON value matches.
        return schema;
    }
    if kind == Kind::Object {
        if field.children.is_empty() {
            schema.insert("type".into(), json!("object"));
        } else if let Value::Object(object) = object_schema(&field.children) {
            schema = object;
        }
        return schema;
    }
    if kind == Kind::String && field.encoded.is_some() && !field.children.is_empty() {
        schema.insert("type".into(), json!("string"));
        schema.insert("contentMediaType".into(), json!("application/json"));
        schema.insert("contentSchema".into(), object_schema(&field.children));
        return schema;
    }
    schema.insert("type".into(), json!(kind.as_str()));
    if !field.enum_values.is_empty() {
        let values: Vec<Value> = field
            .enum_values
            .iter()
            .map(|v| match kind {
                Kind::Integer | Kind::Number => typed(kind, v),
                _ => json!(v),
            })
            .collect();
        schema.insert("enum".into(), Value::Array(values));
    }
    schema
}

/// The schema of one field (arrays wrap the value schema once per level).
pub fn field_schema(field: &Field) -> Value {
    let mut schema = scalar(field.kind, field);
    if field.is_array() {
        apply_limits(&mut schema, &field.item_limits);
        for _ in 0..field.array_depth {
            let mut array = Map::new();
            array.insert("type".into(), json!("array"));
            array.insert("items".into(), Value::Object(schema));
            schema = array;
        }
        apply_limits(&mut schema, &field.limits);
    } else {
        apply_limits(&mut schema, &field.limits);
    }
    if !field.description.is_empty() {
        schema.insert("description".into(), json!(field.description));
    }
    if let Some(value) = &field.default_value {
        schema.insert("default".into(), typed(field.kind, value));
    }
    if let Some(value) = &field.constant {
        schema.insert("const".into(), typed(field.kind, value));
    }
    if let Some(how) = &field.encrypted {
        schema.insert("x-wechatpay-encrypted".into(), json!(how));
    }
    if !field.overridden.is_empty() {
        schema.insert("x-wechatpay-overridden".into(), json!(field.overridden));
    }
    Value::Object(schema)
}

fn typed(kind: Kind, text: &str) -> Value {
    match kind {
        Kind::Integer => text
            .parse::<i64>()
            .map_or_else(|_| json!(text), Value::from),
        // As the page writes it: `1` stays an integer, `0.5` a fraction
        // (parsing into f64 would turn `1` into `1.0`).
        Kind::Number => serde_json::from_str::<serde_json::Number>(text.trim())
            .map_or_else(|_| json!(text), Value::Number),
        Kind::Boolean => text
            .parse::<bool>()
            .map_or_else(|_| json!(text), Value::from),
        _ => json!(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_enums_keep_the_pages_spelling() {
        let mut field = Field::new("level", Kind::Number, 1);
        field.enum_values = vec!["1".into(), "2".into(), "0.5".into()];
        assert_eq!(field_schema(&field)["enum"], json!([1, 2, 0.5]));
        assert_eq!(field_schema(&field)["enum"].to_string(), "[1,2,0.5]");
        let mut field = Field::new("kind", Kind::Integer, 1);
        field.enum_values = vec!["3".into(), "x".into()];
        assert_eq!(field_schema(&field)["enum"], json!([3, "x"]));
    }

    #[test]
    fn fields_become_schemas() {
        let mut codes = Field::new("codes", Kind::String, 1);
        codes.array_depth = 1;
        codes.required = true;
        codes.limits.max_items = Some(200);
        codes.item_limits.max_length = Some(32);
        let schema = object_schema(&[codes]);
        assert_eq!(schema["required"], json!(["codes"]));
        let codes = &schema["properties"]["codes"];
        assert_eq!(codes["type"], "array");
        assert_eq!(codes["maxItems"], 200);
        assert_eq!(codes["items"], json!({"type": "string", "maxLength": 32}));

        let mut meta = Field::new("meta", Kind::String, 2);
        meta.encoded = Some("json".into());
        meta.children = vec![Field::new("sha256", Kind::String, 3)];
        let meta = field_schema(&meta);
        assert_eq!(meta["contentMediaType"], "application/json");
        assert_eq!(
            meta["contentSchema"]["properties"]["sha256"]["type"],
            "string"
        );

        let mut day = Field::new("week_day", Kind::Integer, 4);
        day.array_depth = 1;
        day.enum_values = vec!["0".into(), "6".into()];
        assert_eq!(field_schema(&day)["items"]["enum"], json!([0, 6]));
    }
}
