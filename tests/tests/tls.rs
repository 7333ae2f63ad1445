//! The client's TLS, as users get it by default (graviola, no C compiler; or
//! aws-lc-rs with that feature): a real handshake with a certificate chain
//! made here, in front of the sandbox, and the refusal of a chain it cannot
//! trust.
//!
//! A TLS-terminating relay on loopback holds a leaf certificate for
//! `localhost`, issued by a test-only root made at test time; behind it the
//! sandbox speaks plain HTTP. The client calls the relay by name, so the
//! certificate, its name and its issuer are all checked as against
//! `api.mch.weixin.qq.com`.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::Sha256;
use tokio::net::{TcpListener, TcpStream};
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::{
    ListCouponCodesQuery, UploadCouponCodesBody,
};
use wechatpay_e2e::sandbox;
use wechatpay_runtime::{Error, PrivateKey};
use wechatpay_sandbox::DEFAULT_STOCK;
use x509_cert::builder::profile::cabf::tls::{CertificateType, Subscriber};
use x509_cert::builder::{Builder, CertificateBuilder, profile};
use x509_cert::der::Encode;
use x509_cert::der::asn1::Ia5String;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// A root, and a `localhost` leaf it issued: (root DER, leaf DER).
fn chain(root_key: &PrivateKey, leaf_key: &PrivateKey) -> (Vec<u8>, Vec<u8>) {
    let rsa_key = |key: &PrivateKey| rsa::PrivateKey::from_pkcs8_pem(&key.to_pem()).unwrap();
    let spki = |key: &PrivateKey| {
        let der = rsa_key(key).to_public_key().to_public_key_der().unwrap();
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes()).unwrap()
    };
    let validity = Validity::from_now(Duration::from_secs(24 * 3600)).unwrap();
    let root_name =
        Name::from_str("CN=wechatpay-rs test-only TLS root,O=wechatpay-rs tests,C=CN").unwrap();
    let root_signer = SigningKey::<Sha256>::new(rsa_key(root_key));

    let root = CertificateBuilder::new(
        profile::cabf::Root::new(false, root_name.clone()).unwrap(),
        SerialNumber::new(&[1]).unwrap(),
        validity,
        spki(root_key),
    )
    .unwrap()
    .build::<_, rsa::pkcs1v15::Signature>(&root_signer)
    .unwrap();

    let names = vec![GeneralName::DnsName(Ia5String::new("localhost").unwrap())];
    let mut leaf = CertificateBuilder::new(
        Subscriber {
            certificate_type: CertificateType::domain_validated(
                Name::from_str("CN=localhost").unwrap(),
                names.clone(),
            )
            .unwrap(),
            issuer: root_name,
            client_auth: false,
        },
        SerialNumber::new(&[2]).unwrap(),
        validity,
        spki(leaf_key),
    )
    .unwrap();
    // The profile leaves the names to the caller; webpki checks them.
    leaf.add_extension(&SubjectAltName(names)).unwrap();
    let leaf = leaf
        .build::<_, rsa::pkcs1v15::Signature>(&root_signer)
        .unwrap();
    (root.to_der().unwrap(), leaf.to_der().unwrap())
}

/// Terminates TLS with `leaf` on an ephemeral loopback port and relays each
/// connection, decrypted, to `behind`. Returns the port.
async fn tls_relay(leaf: Vec<u8>, leaf_key: &PrivateKey, behind: std::net::SocketAddr) -> u16 {
    let key_der = rsa_pkcs8_der(leaf_key);
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(server_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key_der.into()),
        )
        .unwrap();
    // The sandbox behind speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake (the untrusting client) ends here.
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(behind).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

fn rsa_pkcs8_der(key: &PrivateKey) -> Vec<u8> {
    use rsa::pkcs8::EncodePrivateKey;
    rsa::PrivateKey::from_pkcs8_pem(&key.to_pem())
        .unwrap()
        .to_pkcs8_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// The server side uses another implementation (aws-lc, the C library behind
/// AWS's TLS), so that the two ends are not one library agreeing with itself.
fn server_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

#[tokio::test]
async fn the_default_tls_completes_a_verified_call_through_a_certificate_chain() {
    let sandbox = sandbox().await;
    let keys = sandbox.keys();
    let (root, leaf) = chain(&keys.merchant_key, &keys.certificate.key);
    let port = tls_relay(leaf, &keys.certificate.key, sandbox.addr()).await;

    let client = sandbox
        .client_builder()
        .base_url(format!("https://localhost:{port}"))
        .add_root_certificate(root)
        .build()
        .unwrap();
    let codes = vec!["TLS-1".to_owned(), "TLS-2".to_owned()];
    let answer = client
        .upload_coupon_codes(DEFAULT_STOCK, UploadCouponCodesBody::new(codes, "tls-1"))
        .await
        .expect("a signed call over TLS succeeds");
    assert_eq!(answer.success_count, Some(2));
    // What counts is the server's state, not the client's summary.
    let held = sandbox.codes(DEFAULT_STOCK);
    assert!(held.contains(&"TLS-1".to_owned()) && held.contains(&"TLS-2".to_owned()));
    assert!(matches!(
        wechatpay_runtime::tls::PROVIDER,
        "graviola" | "aws-lc-rs" | "ring"
    ));
}

#[tokio::test]
async fn a_chain_the_client_does_not_trust_is_refused_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let keys = sandbox.keys();
    let (_root, leaf) = chain(&keys.merchant_key, &keys.certificate.key);
    let port = tls_relay(leaf, &keys.certificate.key, sandbox.addr()).await;
    let received_before = sandbox.stats().requests;

    let client = sandbox
        .client_builder()
        .base_url(format!("https://localhost:{port}"))
        .retry(wechatpay_e2e::quick_retries())
        .build()
        .unwrap();
    let error = client
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
        .expect_err("an unknown issuer is refused");
    let text = format!("{error:?}");
    assert!(
        matches!(error, Error::Transport { .. } | Error::AfterRetries { .. }),
        "{text}"
    );
    assert!(
        text.contains("UnknownIssuer"),
        "the error names the certificate: {text}"
    );
    assert_eq!(
        sandbox.stats().requests,
        received_before,
        "nothing reached the server"
    );
}
