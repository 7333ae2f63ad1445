//! Payloads as WeChat Pay sends them, built from the official SDKs' models
//! (`tests/corpus/README.md`): each decodes into every typed answer it is
//! listed for, encodes back to itself, and has every member typed.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wechatpay_bindings::events::{
    RefundAbnormalResource, RefundClosedResource, RefundSuccessResource, TransactionSuccessResource,
};
use wechatpay_bindings::v3::pay::partner::transactions as partner;
use wechatpay_bindings::v3::pay::transactions;
use wechatpay_bindings::v3::refund::domestic::refunds;
use wechatpay_spec::{Field, Method, Spec};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn spec() -> Spec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/wechatpay.json");
    Spec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Decodes `payload` as `T` and encodes it again.
fn round_trip<T: DeserializeOwned + Serialize>(payload: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(payload.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// The typed answer a `decodes_as` entry names, as a round trip.
fn decoder(target: &str) -> fn(&Value) -> Result<Value, String> {
    match target {
        "response GET /v3/pay/transactions/id/{transaction_id}" => {
            round_trip::<transactions::id::transaction_id::QueryOrderByIdResponse>
        }
        "response GET /v3/pay/transactions/out-trade-no/{out_trade_no}" => {
            round_trip::<transactions::out_trade_no::out_trade_no::QueryOrderByOutTradeNoResponse>
        }
        "response GET /v3/pay/partner/transactions/id/{transaction_id}" => {
            round_trip::<partner::id::transaction_id::PartnerQueryOrderByIdResponse>
        }
        "response GET /v3/pay/partner/transactions/out-trade-no/{out_trade_no}" => {
            round_trip::<partner::out_trade_no::out_trade_no::PartnerQueryOrderByOutTradeNoResponse>
        }
        "response POST /v3/pay/transactions/jsapi" => {
            round_trip::<transactions::jsapi::JsapiPrepayResponse>
        }
        "response POST /v3/pay/transactions/app" => {
            round_trip::<transactions::app::AppPrepayResponse>
        }
        "response POST /v3/pay/transactions/native" => {
            round_trip::<transactions::native::NativePrepayResponse>
        }
        "response POST /v3/pay/transactions/h5" => round_trip::<transactions::h5::H5PrepayResponse>,
        "response POST /v3/refund/domestic/refunds" => round_trip::<refunds::CreateRefundResponse>,
        "response GET /v3/refund/domestic/refunds/{out_refund_no}" => {
            round_trip::<refunds::out_refund_no::QueryRefundByOutRefundNoResponse>
        }
        "notification TRANSACTION.SUCCESS" => round_trip::<TransactionSuccessResource>,
        "notification REFUND.SUCCESS" => round_trip::<RefundSuccessResource>,
        "notification REFUND.ABNORMAL" => round_trip::<RefundAbnormalResource>,
        "notification REFUND.CLOSED" => round_trip::<RefundClosedResource>,
        other => panic!("tests/corpus names a target this test does not know: {other}"),
    }
}

/// The spec's fields of a `decodes_as` target.
fn spec_fields<'a>(spec: &'a Spec, target: &str) -> &'a [Field] {
    let (kind, rest) = target.split_once(' ').unwrap();
    if kind == "notification" {
        return &spec.notification(rest).unwrap().resource;
    }
    let (method, path) = rest.split_once(' ').unwrap();
    let method = Method::from_anchor(method).unwrap();
    spec.operation(method, path).unwrap().response_fields()
}

/// Members of `payload` that are not typed fields of `fields`, as pointers.
fn untyped(payload: &Value, fields: &[Field], at: &str, out: &mut Vec<String>) {
    let Value::Object(members) = payload else {
        return;
    };
    for (name, value) in members {
        let here = format!("{at}/{name}");
        let Some(field) = fields.iter().find(|f| &f.name == name) else {
            out.push(here);
            continue;
        };
        match value {
            Value::Array(items) => {
                for item in items {
                    untyped(item, &field.children, &here, out);
                }
            }
            value => untyped(value, &field.children, &here, out),
        }
    }
}

fn corpus() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "the corpus is at {}",
        corpus_dir().display()
    );
    files
        .iter()
        .map(|path| {
            (
                name_of(path),
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
            )
        })
        .collect()
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_payload_decodes_typed_and_encodes_back_unchanged() {
    let spec = spec();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (file, document) in corpus() {
        let source = &document["source"];
        assert!(
            source["repository"].is_string()
                && source["commit"].is_string()
                && source["path"].is_string(),
            "{file}: every payload records its source"
        );
        let payload = &document["payload"];
        for target in document["decodes_as"].as_array().unwrap() {
            let target = target.as_str().unwrap();
            checked += 1;
            match decoder(target)(payload) {
                Ok(back) if &back == payload => {}
                Ok(back) => failures.push(format!(
                    "{file} as {target}: encodes back differently:\n  {payload}\n  {back}"
                )),
                Err(error) => failures.push(format!("{file} as {target}: {error}")),
            }
            let mut missing = Vec::new();
            untyped(payload, spec_fields(&spec, target), "", &mut missing);
            if !missing.is_empty() {
                failures.push(format!(
                    "{file} as {target}: not typed (kept in `extra` only): {}",
                    missing.join(", ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 30, "{checked} decodings");
}

/// Amounts are integers wherever the corpus has them: a payment's amount in
/// 分 decodes as `i64`, and a fractional amount is refused, not rounded.
#[test]
fn amounts_are_integers() {
    let payment: TransactionSuccessResource = serde_json::from_value(serde_json::json!({
        "amount": {"total": 100, "payer_total": 90, "currency": "CNY"}
    }))
    .unwrap();
    let amount = payment.amount.unwrap();
    assert_eq!(
        (amount.total, amount.payer_total),
        (Some(100_i64), Some(90_i64))
    );
    assert!(
        serde_json::from_value::<TransactionSuccessResource>(serde_json::json!({
            "amount": {"total": 100.5}
        }))
        .is_err()
    );
}
