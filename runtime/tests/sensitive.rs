//! RSA-OAEP interop with OpenSSL: ciphertext made once by `openssl pkeyutl`
//! (`fixtures/make_oaep.sh`, SHA-1 and MGF1-SHA-1 as WeChat Pay specifies)
//! under the shared vectors' test-only key opens with this runtime, so the
//! scheme is the standard one and not merely self-consistent.

use wechatpay_runtime::sensitive::{self, Encrypted};
use wechatpay_runtime::{PrivateKey, PublicKey};

fn fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/oaep-openssl.json")).expect("fixture")
}

fn key() -> PrivateKey {
    PrivateKey::from_pem_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/vectors/merchant_test_key.pem"
    ))
    .expect("the shared test key")
}

#[test]
fn openssl_ciphertext_opens() {
    let fixture = fixture();
    let sealed = Encrypted::new(fixture["ciphertext"].as_str().expect("ciphertext"));
    assert_eq!(
        sealed.decrypt(&key()).expect("opens").expose(),
        fixture["plaintext"].as_str().expect("plaintext")
    );
}

#[test]
fn our_ciphertext_opens_with_the_matching_key_only() {
    let public = PublicKey::from_pem_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/vectors/merchant_test_pubkey.pem"
    ))
    .expect("public key");
    let sealed = sensitive::seal(&public, "13800138000").expect("sealed");
    // 2048-bit RSA: 256 bytes, 344 base64 characters, like OpenSSL's.
    assert_eq!(sealed.len(), 344);
    // The other direction, by hand: write ours out and open it with
    // `base64 -d | openssl pkeyutl -decrypt -inkey merchant_test_key.pem
    // -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1`.
    if let Ok(path) = std::env::var("WECHATPAY_PRINT_OAEP") {
        std::fs::write(path, &sealed).expect("written");
    }
    assert_eq!(
        sensitive::open(&key(), &sealed).expect("opens"),
        "13800138000"
    );
}
