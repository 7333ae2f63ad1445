//! Decoding answers into the generated types against parsing the same bytes
//! into `serde_json::Value` (the target: within 1.2x), on payloads of the
//! corpus (`bindings/tests/corpus`) and a page of 100 codes.

use serde::de::DeserializeOwned;
use wechatpay_bench::{median, row};
use wechatpay_bindings::events::{RefundSuccessResource, TransactionSuccessResource};
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesResponse;

fn payload(file: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../bindings/tests/corpus")
        .join(file);
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_vec(&document["payload"]).unwrap()
}

fn code_page() -> Vec<u8> {
    let data: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            serde_json::json!({
                "code": format!("CODE{i:08}"),
                "code_status": "DISPATCHED",
                "upload_time": "2026-12-01T10:00:00+08:00",
                "dispatched_time": "2026-12-02T11:30:00+08:00",
                "openid": format!("o4GgauInH_RCEdvrrNGrntXDu{i:04}")
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "stock_id": "98065001", "total_count": 100000, "limit": 100, "offset": 0, "data": data
    }))
    .unwrap()
}

/// The typed decode's median time over the `Value` parse's, per payload.
fn compare<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> f64 {
    let rounds = 20_000_000 / bytes.len().max(1);
    // Both must succeed, or the comparison means nothing.
    serde_json::from_slice::<T>(bytes).unwrap();
    let value = median(9, || {
        for _ in 0..rounds {
            std::hint::black_box(serde_json::from_slice::<serde_json::Value>(bytes).unwrap());
        }
    });
    let typed = median(9, || {
        for _ in 0..rounds {
            std::hint::black_box(serde_json::from_slice::<T>(bytes).unwrap());
        }
    });
    let ratio = typed.as_secs_f64() / value.as_secs_f64();
    row(&[
        what.to_owned(),
        bytes.len().to_string(),
        format!("{:.2} µs", value.as_secs_f64() * 1e6 / rounds as f64),
        format!("{:.2} µs", typed.as_secs_f64() * 1e6 / rounds as f64),
        format!("{ratio:.2}x"),
    ]);
    ratio
}

fn main() {
    println!(
        "Decoding into the generated types against serde_json::Value (target: 1.2x or less)\n"
    );
    row(&[
        "payload".into(),
        "bytes".into(),
        "Value".into(),
        "typed".into(),
        "typed / Value".into(),
    ]);
    row(&vec!["---".to_owned(); 5]);
    let ratios = [
        compare::<TransactionSuccessResource>(
            "TRANSACTION.SUCCESS resource (wechatpay-go Transaction)",
            &payload("go-payments-transaction-full.json"),
        ),
        compare::<RefundSuccessResource>(
            "REFUND.SUCCESS resource (wechatpay-java RefundNotification)",
            &payload("java-refund-notification-full.json"),
        ),
        compare::<ListCouponCodesResponse>("a page of 100 pre-stored codes", &code_page()),
    ];
    let worst = ratios.iter().copied().fold(0.0, f64::max);
    println!(
        "\nworst {worst:.2}x: the 1.2x target is {}",
        if worst <= 1.2 { "met" } else { "not met" }
    );
}
