//! `../shared/vectors/vectors.json`: signatures and AES-GCM values a correct
//! implementation reproduces byte for byte (the key is a public test key from the
//! official Go SDK's tests).

use std::path::PathBuf;

use serde_json::Value;
use wechatpay_runtime::{PrivateKey, PublicKey, aead};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

fn vectors() -> Value {
    let text =
        std::fs::read_to_string(vectors_dir().join("vectors.json")).expect("../shared/vectors");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn signatures_are_reproduced_byte_for_byte() {
    let key = PrivateKey::from_pem_file(vectors_dir().join("merchant_test_key.pem")).unwrap();
    let public = PublicKey::from_pem_file(vectors_dir().join("merchant_test_pubkey.pem")).unwrap();
    assert_eq!(key.public_key(), public);
    let cases = vectors()["sign"].as_array().unwrap().clone();
    assert!(cases.len() >= 3);
    for case in cases {
        let message = case["message"].as_str().unwrap();
        let expected = case["signature"].as_str().unwrap();
        assert_eq!(key.sign(message.as_bytes()), expected, "{}", case["source"]);
        assert_eq!(public.verify(message.as_bytes(), expected), Ok(()));
    }
}

#[test]
fn request_messages_match_the_vectors() {
    // The upload vector's message is what the client builds for that request.
    let case = &vectors()["sign"][1];
    let body =
        br#"{"coupon_code_list":["ABC9588200"],"upload_request_no":"100002322019090134234sfdf"}"#;
    let message = wechatpay_runtime::sign::request_message(
        "POST",
        "/v3/marketing/busifavor/stocks/98065001/couponcodes",
        1554208460,
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        body,
    );
    assert_eq!(message, case["message"].as_str().unwrap().as_bytes());
}

#[test]
fn aes_gcm_vectors_decrypt_and_encrypt() {
    for case in vectors()["aead_aes_256_gcm"].as_array().unwrap() {
        let key = case["key"].as_str().unwrap().as_bytes();
        let nonce = case["nonce"].as_str().unwrap();
        let aad = case["associated_data"].as_str().unwrap();
        let plaintext = case["plaintext"].as_str().unwrap();
        let ciphertext = case["ciphertext_base64"].as_str().unwrap();
        assert_eq!(
            aead::decrypt(key, nonce, aad, ciphertext).unwrap(),
            plaintext.as_bytes()
        );
        assert_eq!(
            aead::encrypt(key, nonce, aad, plaintext.as_bytes()).unwrap(),
            ciphertext
        );
    }
}

/// The front-end payment parameters (调起支付) of the vectors, computed with
/// Python `cryptography`, reproduced field by field and byte for byte.
#[test]
fn front_end_payment_parameters_are_reproduced() {
    use wechatpay_runtime::payment::{AppPayment, JsapiPayment};
    let key = PrivateKey::from_pem_file(vectors_dir().join("merchant_test_key.pem")).unwrap();
    let cases = &vectors()["request_payment"];

    let jsapi = &cases["jsapi"];
    let params = &jsapi["params"];
    let prepay_id = params["package"]
        .as_str()
        .unwrap()
        .strip_prefix("prepay_id=")
        .unwrap();
    let signed = JsapiPayment::sign_at(
        &key,
        params["appId"].as_str().unwrap(),
        prepay_id,
        params["timeStamp"].as_str().unwrap().parse().unwrap(),
        params["nonceStr"].as_str().unwrap(),
    );
    let mut expected = params.clone();
    expected["paySign"] = jsapi["paySign"].clone();
    assert_eq!(serde_json::to_value(&signed).unwrap(), expected);

    let app = &cases["app"];
    let params = &app["params"];
    let signed = AppPayment::sign_at(
        &key,
        params["appid"].as_str().unwrap(),
        params["partnerid"].as_str().unwrap(),
        params["prepayid"].as_str().unwrap(),
        params["timestamp"].as_str().unwrap().parse().unwrap(),
        params["noncestr"].as_str().unwrap(),
    );
    let mut expected = params.clone();
    expected["sign"] = app["sign"].clone();
    assert_eq!(serde_json::to_value(&signed).unwrap(), expected);
}
