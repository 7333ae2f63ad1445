//! Generated `to_request` seals every sensitive value it writes, wherever the
//! page puts it: a query parameter list (each item sealed on its own) and a
//! field inside a JSON-encoded query parameter (the copy is sealed, then
//! encoded). The request names no key unless one sealed something, and the
//! caller's values stay plaintext.

use codegen_snapshots::torture_encoded::v3::torture::encoded::filter::{
    CreateEncodedBody, CreateEncodedHeaders, CreateEncodedKind, CreateEncodedPartner,
    CreateEncodedQuery, CreateEncodedRequest, CreateEncodedType, CreateEncodedWechatpayContext,
};
use wechatpay_runtime::sensitive::{Sealer, Sensitive, SensitiveError, open};
use wechatpay_runtime::{Error, JsonString, Operation, PrivateKey};

fn request(partner: CreateEncodedPartner, phones: Option<Vec<Sensitive>>) -> CreateEncodedRequest {
    let mut query = CreateEncodedQuery::new(JsonString::new(partner));
    query.phones = phones;
    let filter = serde_json::json!({ "kind": CreateEncodedKind::A }).to_string();
    CreateEncodedRequest::new(
        filter,
        CreateEncodedBody::new(),
        query,
        CreateEncodedHeaders::new(JsonString::new(CreateEncodedWechatpayContext::new("t-1"))),
    )
}

fn query_value<'a>(request: &'a wechatpay_runtime::Request, name: &str) -> &'a str {
    request
        .query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_else(|| panic!("no query parameter {name}"))
}

#[test]
fn every_sensitive_query_value_is_sealed_with_the_key_named() {
    let key = PrivateKey::generate().expect("a test key");
    let partner =
        CreateEncodedPartner::new(CreateEncodedType::Merchant).with_contact(Sensitive::new("王五"));
    let operation = request(
        partner,
        Some(vec![
            Sensitive::new("13800000000"),
            Sensitive::new("13900000000"),
        ]),
    );
    let sealer = Sealer::new("PUB_KEY_ID_TEST", key.public_key());
    let built = operation.to_request(&sealer).expect("built");
    assert_eq!(sealer.serial_used(), Some("PUB_KEY_ID_TEST"));

    let phones: Vec<String> = query_value(&built, "phones")
        .split(',')
        .map(|sealed| open(&key, sealed).expect("each phone opens"))
        .collect();
    assert_eq!(phones, ["13800000000", "13900000000"]);

    let partner: serde_json::Value =
        serde_json::from_str(query_value(&built, "partner")).expect("JSON text");
    assert_eq!(partner["type"], "MERCHANT");
    let contact = partner["contact"].as_str().expect("contact sealed");
    assert_ne!(contact, "王五");
    assert_eq!(open(&key, contact).expect("opens"), "王五");

    // What the caller holds was not changed by the sealing.
    assert!(
        !operation
            .query
            .partner
            .0
            .contact
            .as_ref()
            .unwrap()
            .is_sealed()
    );
}

#[test]
fn no_key_means_no_request_and_nothing_sensitive_needs_none() {
    let with_contact =
        CreateEncodedPartner::new(CreateEncodedType::Appid).with_contact(Sensitive::new("王五"));
    let refused = request(with_contact, None)
        .to_request(&Sealer::without_key())
        .expect_err("no key to seal with");
    assert!(
        matches!(refused, Error::Sensitive(SensitiveError::NoKey)),
        "{refused:?}"
    );

    // Without a sensitive value the same request needs no key and names none.
    let sealer = Sealer::without_key();
    let plain = request(CreateEncodedPartner::new(CreateEncodedType::Appid), None)
        .to_request(&sealer)
        .expect("nothing to seal");
    assert_eq!(sealer.serial_used(), None);
    assert_eq!(query_value(&plain, "partner"), r#"{"type":"APPID"}"#);
}
