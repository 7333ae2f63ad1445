//! Notifications: one made by an independent implementation (Python's
//! `cryptography`, `fixtures/make_notification.py`) is accepted and decoded, and
//! a table of tampered ones is refused at the right step with the right answer.

use std::path::PathBuf;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use wechatpay_runtime::notify::{NotificationError, NotificationParser, Undecoded, receive};
use wechatpay_runtime::sign::response_message;
use wechatpay_runtime::verify::Verifier;
use wechatpay_runtime::{PrivateKey, SignatureError, aead};

fn shared_vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

struct Fixture {
    apiv3_key: Vec<u8>,
    serial: String,
    headers: HeaderMap,
    body: String,
    plaintext: String,
    timestamp: i64,
}

fn fixture() -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/coupon-send-notification.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in json["headers"].as_object().unwrap() {
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    Fixture {
        apiv3_key: json["apiv3_key"].as_str().unwrap().as_bytes().to_vec(),
        serial: json["serial"].as_str().unwrap().to_owned(),
        timestamp: headers["Wechatpay-Timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap(),
        headers,
        body: json["body"].as_str().unwrap().to_owned(),
        plaintext: json["plaintext"].as_str().unwrap().to_owned(),
    }
}

/// The test key of `../shared/vectors`, standing in for WeChat Pay's.
fn wechatpay_key() -> PrivateKey {
    PrivateKey::from_pem_file(shared_vectors().join("merchant_test_key.pem")).unwrap()
}

fn parser(fixture: &Fixture) -> NotificationParser {
    let verifier =
        Verifier::new().with_public_key(fixture.serial.clone(), wechatpay_key().public_key());
    NotificationParser::new(verifier, &fixture.apiv3_key).unwrap()
}

/// Headers signing `body` as WeChat Pay would, at the fixture's time.
fn signed(fixture: &Fixture, body: &str) -> HeaderMap {
    let mut headers = fixture.headers.clone();
    let timestamp = fixture.headers["Wechatpay-Timestamp"].to_str().unwrap();
    let nonce = fixture.headers["Wechatpay-Nonce"].to_str().unwrap();
    let signature = wechatpay_key().sign(&response_message(timestamp, nonce, body.as_bytes()));
    headers.insert("Wechatpay-Signature", signature.parse().unwrap());
    headers
}

/// The fixture's envelope with its resource replaced.
fn with_resource(fixture: &Fixture, edit: impl FnOnce(&mut Value)) -> String {
    let mut body: Value = serde_json::from_str(&fixture.body).unwrap();
    edit(&mut body);
    body.to_string()
}

/// The documented `COUPON.SEND` resource, as a receiver would type it.
#[derive(Debug, Deserialize, PartialEq)]
struct CouponSend {
    event_type: Option<String>,
    coupon_code: String,
    stock_id: String,
    send_time: String,
    openid: Option<String>,
    send_channel: String,
    send_merchant: String,
}

/// The fixture's headers signed now, for `receive`, which checks the clock.
fn fresh_headers(fixture: &Fixture) -> HeaderMap {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut headers = fixture.headers.clone();
    headers.insert("Wechatpay-Timestamp", now.parse().unwrap());
    let nonce = headers["Wechatpay-Nonce"].to_str().unwrap().to_owned();
    let signature = wechatpay_key().sign(&response_message(&now, &nonce, fixture.body.as_bytes()));
    headers.insert("Wechatpay-Signature", signature.parse().unwrap());
    headers
}

fn request(method: &str, headers: &HeaderMap, body: &str) -> http::Request<Bytes> {
    let mut request = http::Request::builder()
        .method(method)
        .uri("/notify")
        .body(Bytes::from(body.to_owned()))
        .unwrap();
    *request.headers_mut() = headers.clone();
    request
}

fn post(headers: &HeaderMap, body: &str) -> http::Request<Bytes> {
    request("POST", headers, body)
}

#[test]
fn a_notification_from_an_independent_implementation_is_accepted() {
    let fixture = fixture();
    let notification = parser(&fixture)
        .parse_at::<CouponSend>(&fixture.headers, fixture.body.as_bytes(), fixture.timestamp)
        .unwrap();
    assert_eq!(notification.id, "EV-2026120212332000001");
    assert_eq!(notification.event_type, "COUPON.SEND");
    assert_eq!(notification.original_type, "coupon");
    assert_eq!(notification.resource.coupon_code, "WX22FYSGVP7U");
    assert_eq!(notification.resource.stock_id, "98065001");
    assert_eq!(
        notification.resource.openid.as_deref(),
        Some("o4GgauInH_RCEdvrrNGrntXDuXXX")
    );
    // The plaintext as the other implementation encrypted it.
    let untyped = parser(&fixture)
        .parse_at::<Value>(&fixture.headers, fixture.body.as_bytes(), fixture.timestamp)
        .unwrap();
    assert_eq!(
        untyped.resource,
        serde_json::from_str::<Value>(&fixture.plaintext).unwrap()
    );
    // Logging a notification does not log what it carries.
    let debug = format!("{notification:?}");
    assert!(!debug.contains("o4GgauInH"), "{debug}");
    assert!(!format!("{:?}", parser(&fixture)).contains("TEST-ONLY"));
}

#[test]
fn tampered_notifications_are_refused_at_the_right_step() {
    let fixture = fixture();
    let now = fixture.timestamp;
    let body = fixture.body.clone();
    let truncated = with_resource(&fixture, |b| {
        let text = b["resource"]["ciphertext"].as_str().unwrap().to_owned();
        b["resource"]["ciphertext"] = Value::from(&text[..text.len() - 8]);
    });
    let other_aad = with_resource(&fixture, |b| {
        b["resource"]["associated_data"] = Value::from("certificate")
    });
    let other_algorithm = with_resource(&fixture, |b| {
        b["resource"]["algorithm"] = Value::from("AEAD_SM4_GCM")
    });
    let not_envelope = r#"{"id":"x","resource":{}}"#.to_owned();
    let mut wrong_serial = fixture.headers.clone();
    wrong_serial.insert("Wechatpay-Serial", "PUB_KEY_ID_OTHER".parse().unwrap());
    let mut probe = fixture.headers.clone();
    probe.insert(
        "Wechatpay-Signature",
        "WECHATPAY/SIGNTEST/fYiHNJXzSH3SzUebAYnXgxK4brpQpDcM"
            .parse()
            .unwrap(),
    );
    let other_key_parser = {
        let verifier =
            Verifier::new().with_public_key(fixture.serial.clone(), wechatpay_key().public_key());
        NotificationParser::new(verifier, b"TEST-ONLY-another-key-0123456789").unwrap()
    };

    type Check = fn(&NotificationError) -> bool;
    /// (what changed, headers, body, when it is received, the parser if not the
    /// default one, what the error must be)
    type Case<'p> = (
        &'static str,
        HeaderMap,
        String,
        i64,
        Option<&'p NotificationParser>,
        Check,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "body changed",
            fixture.headers.clone(),
            body.replace("COUPON.SEND", "COUPON.USE"),
            now,
            None,
            |e| matches!(e, NotificationError::Signature(SignatureError::Invalid)),
        ),
        (
            "wrong serial",
            wrong_serial,
            body.clone(),
            now,
            None,
            |e| matches!(e, NotificationError::Signature(SignatureError::UnknownSerial(s)) if s == "PUB_KEY_ID_OTHER"),
        ),
        (
            "stale timestamp",
            fixture.headers.clone(),
            body.clone(),
            now + 300,
            None,
            |e| {
                matches!(
                    e,
                    NotificationError::Signature(SignatureError::Stale { .. })
                )
            },
        ),
        (
            "timestamp from the future",
            fixture.headers.clone(),
            body.clone(),
            now - 301,
            None,
            |e| {
                matches!(
                    e,
                    NotificationError::Signature(SignatureError::Stale { .. })
                )
            },
        ),
        ("probe signature", probe, body.clone(), now, None, |e| {
            matches!(e, NotificationError::Signature(SignatureError::Invalid))
        }),
        (
            "wrong APIv3 key",
            fixture.headers.clone(),
            body.clone(),
            now,
            Some(&other_key_parser),
            |e| matches!(e, NotificationError::Decrypt(_)),
        ),
        (
            "truncated ciphertext",
            signed(&fixture, &truncated),
            truncated,
            now,
            None,
            |e| matches!(e, NotificationError::Decrypt(_)),
        ),
        (
            "other associated data",
            signed(&fixture, &other_aad),
            other_aad,
            now,
            None,
            |e| matches!(e, NotificationError::Decrypt(_)),
        ),
        (
            "other algorithm",
            signed(&fixture, &other_algorithm),
            other_algorithm,
            now,
            None,
            |e| matches!(e, NotificationError::UnsupportedAlgorithm(a) if a == "AEAD_SM4_GCM"),
        ),
        (
            "not the envelope",
            signed(&fixture, &not_envelope),
            not_envelope,
            now,
            None,
            |e| matches!(e, NotificationError::Envelope(_)),
        ),
    ];
    let default_parser = parser(&fixture);
    for (name, headers, body, now, parser, check) in cases {
        let parser = parser.unwrap_or(&default_parser);
        let error = parser
            .parse_at::<Value>(&headers, body.as_bytes(), now)
            .expect_err(name);
        assert!(check(&error), "{name}: {error:?}");
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("TEST-ONLY"),
            "{name} shows the key: {shown}"
        );
        assert!(
            !shown.contains("o4GgauInH"),
            "{name} shows plaintext: {shown}"
        );
    }

    for header in [
        "Wechatpay-Timestamp",
        "Wechatpay-Nonce",
        "Wechatpay-Signature",
        "Wechatpay-Serial",
    ] {
        let mut headers = fixture.headers.clone();
        headers.remove(header);
        let error = default_parser
            .parse_at::<Value>(&headers, fixture.body.as_bytes(), now)
            .unwrap_err();
        assert!(
            matches!(error, NotificationError::Signature(SignatureError::MissingHeader(h)) if h == header),
            "{header}: {error:?}"
        );
    }
}

#[test]
fn an_unknown_event_type_is_accepted_with_its_json() {
    let fixture = fixture();
    let plaintext = r#"{"event_type":"EVENT_TYPE_FROM_THE_FUTURE","anything":[1,2,3]}"#;
    let ciphertext = aead::encrypt(
        &fixture.apiv3_key,
        "Nl6ygFg2xGxd",
        "coupon",
        plaintext.as_bytes(),
    )
    .unwrap();
    let body = with_resource(&fixture, |b| {
        b["event_type"] = Value::from("COUPON.NEW_THING");
        b["resource"]["ciphertext"] = Value::from(ciphertext);
    });
    let notification = parser(&fixture)
        .parse_at::<Value>(&signed(&fixture, &body), body.as_bytes(), fixture.timestamp)
        .unwrap();
    assert_eq!(notification.event_type, "COUPON.NEW_THING");
    assert_eq!(
        notification.resource["anything"],
        serde_json::json!([1, 2, 3])
    );
}

#[test]
fn a_resource_that_does_not_decode_says_where_without_quoting_it() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        openid: u64,
    }
    let fixture = fixture();
    let error = parser(&fixture)
        .parse_at::<Wrong>(&fixture.headers, fixture.body.as_bytes(), fixture.timestamp)
        .unwrap_err();
    let NotificationError::Decode {
        event_type,
        error: decode,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(event_type, "COUPON.SEND");
    assert_eq!(decode.pointer, "/openid");
    assert_eq!(
        decode.to_string(),
        "at /openid: expected u64, found a string"
    );
    assert!(!format!("{error} {error:?}").contains("o4GgauInH"));
    // Asked for a type it does not fit: not acknowledged. Receivers never get
    // here (see `a_receiver_hands_over_what_does_not_decode`).
    assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_receiver_hands_over_what_does_not_decode() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        openid: u64,
    }
    let fixture = fixture();
    let headers = fresh_headers(&fixture);
    let mut handed = Vec::new();
    let answer = receive(
        &parser(&fixture),
        post(&headers, &fixture.body),
        |n: Result<wechatpay_runtime::notify::Notification<Wrong>, Box<Undecoded>>| {
            handed.push(n.map(|_| ()).map_err(|undecoded| {
                (
                    undecoded.error.pointer.clone(),
                    undecoded.notification.resource["coupon_code"].clone(),
                )
            }));
            async { Ok::<_, std::io::Error>(()) }
        },
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT, "acknowledged");
    assert_eq!(
        handed,
        [Err(("/openid".to_owned(), Value::from("WX22FYSGVP7U")))]
    );
}

#[tokio::test]
async fn the_receiver_acknowledges_only_handled_notifications() {
    // `receive` checks against the clock, so sign a fresh copy of the fixture.
    let fixture = fixture();
    let headers = fresh_headers(&fixture);
    let parser = parser(&fixture);

    let mut stored = Vec::new();
    let answer = receive(
        &parser,
        request("POST", &headers, &fixture.body),
        |n: Result<wechatpay_runtime::notify::Notification<CouponSend>, Box<Undecoded>>| {
            let n = n.unwrap();
            stored.push((n.id.clone(), n.resource.coupon_code.clone()));
            async { Ok::<_, std::io::Error>(()) }
        },
    )
    .await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        stored,
        [(
            "EV-2026120212332000001".to_owned(),
            "WX22FYSGVP7U".to_owned()
        )]
    );

    let answer = receive(
        &parser,
        request("POST", &headers, &fixture.body),
        |_: wechatpay_runtime::notify::Notification<Value>| async { Err("the database is down") },
    )
    .await;
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = serde_json::from_slice(answer.body()).unwrap();
    assert_eq!(body["code"], "FAIL");
    assert_eq!(body["message"], "the database is down");

    let forged = fixture
        .body
        .replace("EV-2026120212332000001", "EV-2026120212332000002");
    assert_ne!(forged, fixture.body);
    let answer = receive(
        &parser,
        request("POST", &headers, &forged),
        |_: wechatpay_runtime::notify::Notification<Value>| async {
            panic!("a forged notification reached the handler");
            #[allow(unreachable_code)]
            Ok::<_, String>(())
        },
    )
    .await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        serde_json::from_slice::<Value>(answer.body()).unwrap()["code"],
        "FAIL"
    );

    let answer = receive(
        &parser,
        request("GET", &headers, ""),
        |_: wechatpay_runtime::notify::Notification<Value>| async { Ok::<_, String>(()) },
    )
    .await;
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
}
