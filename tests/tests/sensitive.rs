//! Sensitive fields end to end: the generated `add_profit_sharing_receiver`
//! sends `name` as a `Sensitive`; the sandbox decrypts it with the private half
//! of the key the request named in `Wechatpay-Serial` and keeps the plaintext,
//! which is what these tests check, in either key mode. The answer's `name`
//! comes back encrypted for the merchant and opens with `Client::decrypt`. A
//! client with no key to encrypt with sends nothing.

use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::profitsharing::receivers::add::{
    AddProfitSharingReceiverBody, AddProfitSharingReceiverRelationType,
    AddProfitSharingReceiverRequest, AddProfitSharingReceiverType,
};
use wechatpay_e2e::sandbox;
use wechatpay_runtime::sensitive::{Sealer, Sensitive, SensitiveError, sealed};
use wechatpay_runtime::{Client, Error, Operation};
use wechatpay_sandbox::Receiver;

fn receiver(account: &str, name: &str) -> AddProfitSharingReceiverBody {
    AddProfitSharingReceiverBody::new(
        "wxSandboxAppid0001",
        AddProfitSharingReceiverType::MerchantId,
        account,
        AddProfitSharingReceiverRelationType::Partner,
    )
    .with_name(Sensitive::new(name))
}

async fn add_and_check(client: &Client, sandbox: &wechatpay_sandbox::Sandbox, account: &str) {
    let name = "深圳市测试科技有限公司";
    let answer = client
        .add_profit_sharing_receiver(receiver(account, name))
        .await
        .expect("added");
    // The server's record: the plaintext it decrypted.
    let stored: Vec<Receiver> = sandbox
        .receivers()
        .into_iter()
        .filter(|r| r.account == account)
        .collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name.as_deref(), Some(name));
    // The answer's name is ciphertext for the merchant, not plaintext.
    let sealed = answer.name.expect("name in the answer");
    assert!(!sealed.ciphertext().contains(name));
    assert!(!format!("{sealed:?}").contains(name));
    assert_eq!(client.decrypt(&sealed).expect("opens").expose(), name);
}

#[tokio::test]
async fn a_sensitive_field_reaches_the_server_encrypted_in_either_key_mode() {
    let sandbox = sandbox().await;
    let public_key_mode = sandbox.client_builder().build().unwrap();
    add_and_check(&public_key_mode, &sandbox, "1900000109").await;
    let certificate_mode = sandbox.certificate_client_builder().build().unwrap();
    add_and_check(&certificate_mode, &sandbox, "1900000110").await;
}

#[tokio::test]
async fn without_a_key_to_encrypt_with_nothing_is_sent() {
    let sandbox = sandbox().await;
    let keyless = Client::builder()
        .base_url(sandbox.base_url())
        .merchant(sandbox.keys().merchant_credentials())
        .danger_accept_unverified_responses()
        .build()
        .unwrap();
    let before = sandbox.stats().requests;
    let error = keyless
        .add_profit_sharing_receiver(receiver("1900000111", "张三"))
        .await
        .expect_err("refused");
    assert!(
        matches!(error, Error::Sensitive(SensitiveError::NoKey)),
        "{error:?}"
    );
    assert!(error.never_sent());
    assert_eq!(
        sandbox.stats().requests,
        before,
        "nothing reached the server"
    );
    assert!(sandbox.receivers().is_empty());
}

#[test]
fn a_sensitive_body_does_not_serialize_as_plaintext_outside_the_client() {
    let body = receiver("1900000112", "张三");
    let error = serde_json::to_string(&body).expect_err("refused");
    assert!(error.to_string().contains("unencrypted"), "{error}");
    assert!(!format!("{body:?}").contains("张三"));
    // On purpose, for a payload check or a test: plaintext, said out loud.
    let plain = sealed(&body, &Sealer::plaintext()).expect("sealed as plaintext");
    assert_eq!(serde_json::to_value(&plain).unwrap()["name"], "张三");
    // The request the client builds from the same body: sealed for the key it names.
    let key = wechatpay_runtime::PrivateKey::generate().unwrap();
    let sealer = Sealer::new("PUB_KEY_ID_0001", key.public_key());
    let request = AddProfitSharingReceiverRequest::new(body)
        .to_request(&sealer)
        .expect("built");
    assert_eq!(sealer.serial_used(), Some("PUB_KEY_ID_0001"));
    let sent: serde_json::Value = serde_json::from_slice(request.body.signed_bytes()).unwrap();
    let name = sent["name"].as_str().expect("name");
    assert_eq!(
        wechatpay_runtime::sensitive::open(&key, name).unwrap(),
        "张三"
    );
}
