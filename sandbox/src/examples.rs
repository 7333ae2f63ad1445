//! Every documented operation and notification, rehearsable: answers and
//! notification resources built from the pages (`spec/wechatpay.json`, kept
//! in the binary), as OpenAPI mock servers build them from a spec. Each
//! documented field gets a value of its type (the first documented value of
//! an enumeration, a time for a time, one item for a list), so a client sees
//! every field typed.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use wechatpay_spec::{
    Field, Kind, Method, Notification, NotificationFormat, Operation, Response, Spec,
};

/// The spec the examples come from.
fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        // `wechatpay.json` is a link to `spec/wechatpay.json`, so that the
        // packaged crate carries the spec (Cargo copies what a link points at).
        Spec::from_json(include_str!("../wechatpay.json"))
            .expect("the checked-in spec reads (cargo xtask spec --check)")
    })
}

/// What a documented operation answers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A JSON body.
    Json(Value),
    /// No content.
    Empty,
}

/// The operation `method path` names, if the docs have one: the template
/// with the most literal segments that matches.
pub(crate) fn operation(method: &str, path: &str) -> Option<&'static Operation> {
    let method = Method::from_anchor(method)?;
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    spec()
        .operations
        .iter()
        .filter(|op| op.method == method && op.path.starts_with("/v3/"))
        .filter_map(|op| {
            let template: Vec<&str> = op.path.trim_end_matches('/').split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (t, s) in template.iter().zip(&segments) {
                if t.starts_with('{') && t.ends_with('}') {
                    if s.is_empty() {
                        return None;
                    }
                } else if t == s {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, op))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, op)| op)
}

/// The answer of an operation, built from its page.
pub(crate) fn answer(operation: &Operation, now: &str) -> Answer {
    match &operation.response {
        Response::Json { fields } => Answer::Json(object(fields, now)),
        Response::Empty | Response::Redirect { .. } => Answer::Empty,
        Response::FileStream | Response::Xml { .. } | Response::Undocumented => {
            Answer::Json(json!({}))
        }
    }
}

/// The APIv3 notification an event type is routed to.
pub(crate) fn notification(event_type: &str) -> Option<&'static Notification> {
    spec().notification(event_type)
}

/// Every APIv3 event type the docs name.
pub fn event_types() -> Vec<&'static str> {
    let mut types: Vec<&str> = spec()
        .notifications
        .iter()
        .filter(|n| n.format == NotificationFormat::Json)
        .flat_map(|n| n.event_types.iter().map(String::as_str))
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// A notification's decrypted resource, built from its page.
pub(crate) fn resource(notification: &Notification, now: &str) -> Value {
    object(&notification.resource, now)
}

fn object(fields: &[Field], now: &str) -> Value {
    let mut object = Map::new();
    for field in fields {
        object.insert(field.name.clone(), value(field, now));
    }
    Value::Object(object)
}

fn value(field: &Field, now: &str) -> Value {
    let mut value = scalar(field, now);
    for _ in 0..field.array_depth {
        value = Value::Array(vec![value]);
    }
    value
}

/// One value of the field's type (of an item, for arrays).
fn scalar(field: &Field, now: &str) -> Value {
    if let Some(value) = field.constant.as_ref().or(field.enum_values.first()) {
        return typed(field.kind, value);
    }
    let name = field.name.as_str();
    match field.kind {
        Kind::String if field.encoded.is_some() && !field.children.is_empty() => {
            Value::String(object(&field.children, now).to_string())
        }
        Kind::String if name == "time" || name.ends_with("_time") || name.starts_with("time_") => {
            Value::String(now.to_owned())
        }
        Kind::String => Value::String(format!("sandbox-{name}")),
        Kind::Integer | Kind::Number => json!(100),
        Kind::Boolean => json!(true),
        Kind::Object => object(&field.children, now),
        Kind::Any => json!({}),
    }
}

fn typed(kind: Kind, text: &str) -> Value {
    match kind {
        Kind::Integer | Kind::Number => serde_json::from_str(text).unwrap_or_else(|_| json!(text)),
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
    fn paths_find_their_operation_literal_segments_first() {
        let op = operation("GET", "/v3/pay/transactions/out-trade-no/ORDER-1").unwrap();
        assert_eq!(op.path, "/v3/pay/transactions/out-trade-no/{out_trade_no}");
        let op = operation("GET", "/v3/pay/transactions/id/4200001").unwrap();
        assert_eq!(op.path, "/v3/pay/transactions/id/{transaction_id}");
        assert!(operation("GET", "/v3/no/such/thing").is_none());
    }

    #[test]
    fn every_documented_answer_field_has_a_value() {
        let op = operation("GET", "/v3/pay/transactions/out-trade-no/ORDER-1").unwrap();
        let Answer::Json(body) = answer(op, "2026-12-01T10:00:00+08:00") else {
            panic!()
        };
        assert_eq!(body["amount"]["total"], 100);
        assert_eq!(body["trade_state"], "SUCCESS", "the first documented value");
        assert_eq!(body["success_time"], "2026-12-01T10:00:00+08:00");
        assert!(event_types().len() >= 100, "{}", event_types().len());
    }
}
