//! The generated `events` module on a notification made by an independent
//! implementation (Python's `cryptography`: `runtime/tests/fixtures`), and on an
//! event type the docs do not list.

use std::path::PathBuf;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use wechatpay_bindings::events::{CouponSendSendChannel, Event};
use wechatpay_runtime::notify::NotificationParser;
use wechatpay_runtime::verify::Verifier;
use wechatpay_runtime::{PrivateKey, aead, sign};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixture's headers and body re-signed now (`Event::parse` checks the
/// clock), with the resource optionally replaced; and a parser for it.
fn notification(edit: impl FnOnce(&mut Value, &[u8])) -> (HeaderMap, String, NotificationParser) {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(
            workspace().join("runtime/tests/fixtures/coupon-send-notification.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let key =
        PrivateKey::from_pem_file(workspace().join("../shared/vectors/merchant_test_key.pem"))
            .unwrap();
    let apiv3_key = fixture["apiv3_key"].as_str().unwrap().as_bytes().to_vec();
    let mut body: Value = serde_json::from_str(fixture["body"].as_str().unwrap()).unwrap();
    edit(&mut body, &apiv3_key);
    let body = body.to_string();
    let mut headers = HeaderMap::new();
    for (name, value) in fixture["headers"].as_object().unwrap() {
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let nonce = headers["Wechatpay-Nonce"].to_str().unwrap().to_owned();
    headers.insert("Wechatpay-Timestamp", now.parse().unwrap());
    headers.insert(
        "Wechatpay-Signature",
        key.sign(&sign::response_message(&now, &nonce, body.as_bytes()))
            .parse()
            .unwrap(),
    );
    let verifier =
        Verifier::new().with_public_key(fixture["serial"].as_str().unwrap(), key.public_key());
    (
        headers,
        body,
        NotificationParser::new(verifier, &apiv3_key).unwrap(),
    )
}

#[tokio::test]
async fn coupon_send_is_typed() {
    let (headers, body, parser) = notification(|_, _| {});
    let event = Event::parse(&parser, &headers, body.as_bytes())
        .await
        .unwrap();
    assert_eq!(event.id(), "EV-2026120212332000001");
    assert_eq!(event.event_type(), "COUPON.SEND");
    let Event::CouponSend(sent) = event else {
        panic!("{event:?}")
    };
    assert_eq!(sent.resource.coupon_code.as_deref(), Some("WX22FYSGVP7U"));
    assert_eq!(sent.resource.stock_id.as_deref(), Some("98065001"));
    assert_eq!(
        sent.resource.send_channel,
        Some(CouponSendSendChannel::BusicouponSendChannelApi)
    );
    assert_eq!(
        sent.resource.attach_info.unwrap().hall_belong_mch_id,
        Some(1900000001)
    );
}

#[tokio::test]
async fn an_unknown_event_type_is_kept_as_json() {
    let (headers, body, parser) = notification(|body, key| {
        body["event_type"] = Value::from("COUPON.SOMETHING_NEW");
        body["resource"]["ciphertext"] = Value::from(
            aead::encrypt(key, "Nl6ygFg2xGxd", "coupon", br#"{"new_field":true}"#).unwrap(),
        );
    });
    let event = Event::parse(&parser, &headers, body.as_bytes())
        .await
        .unwrap();
    let Event::Unknown(unknown) = event else {
        panic!("{event:?}")
    };
    assert_eq!(unknown.event_type, "COUPON.SOMETHING_NEW");
    assert_eq!(unknown.resource["new_field"], true);
}

/// A resource with only some of the documented fields: what is absent is
/// `None` (never a made-up value), what the docs do not list is kept.
#[tokio::test]
async fn a_known_event_with_fields_absent_or_unlisted_decodes() {
    let (headers, body, parser) = notification(|body, key| {
        body["resource"]["ciphertext"] = Value::from(
            aead::encrypt(
                key,
                "Nl6ygFg2xGxd",
                "coupon",
                br#"{"coupon_code":"A","stock_id":"1","brand_new":{"x":1}}"#,
            )
            .unwrap(),
        );
    });
    let event = Event::parse(&parser, &headers, body.as_bytes())
        .await
        .unwrap();
    let Event::CouponSend(sent) = event else {
        panic!("{event:?}")
    };
    assert_eq!(sent.resource.coupon_code.as_deref(), Some("A"));
    assert_eq!(sent.resource.openid, None);
    assert_eq!(sent.resource.extra["brand_new"]["x"], 1);
    let back = serde_json::to_value(&sent.resource).unwrap();
    assert_eq!(
        back,
        serde_json::json!({"coupon_code": "A", "stock_id": "1", "brand_new": {"x": 1}}),
        "re-serialized, nothing is lost or added"
    );
}

/// A resource whose value has another type than documented still reaches the
/// handler, as JSON, with where and what kind of mismatch, and no value in
/// the error's text.
#[tokio::test]
async fn a_known_event_that_does_not_decode_reaches_the_handler_as_json() {
    let (headers, body, parser) = notification(|body, key| {
        body["resource"]["ciphertext"] = Value::from(
            aead::encrypt(
                key,
                "Nl6ygFg2xGxd",
                "coupon",
                br#"{"coupon_code":"A","stock_id":"1","openid":"o-secret","send_time":987654321}"#,
            )
            .unwrap(),
        );
    });
    let event = Event::parse(&parser, &headers, body.as_bytes())
        .await
        .unwrap();
    assert_eq!(event.event_type(), "COUPON.SEND");
    let Event::Undecoded(undecoded) = event else {
        panic!("{event:?}")
    };
    assert_eq!(undecoded.notification.resource["openid"], "o-secret");
    assert_eq!(undecoded.error.pointer, "/send_time");
    let shown = format!("{} {:?}", undecoded.error, undecoded);
    assert!(shown.contains("found an integer"), "{shown}");
    assert!(
        !shown.contains("o-secret") && !shown.contains("987654321"),
        "{shown}"
    );
}
