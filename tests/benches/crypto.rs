//! Signing and verifying with the `rsa` crate (the default), with aws-lc-rs, and
//! with `openssl speed rsa2048` in the same run; what validating and
//! (de)serializing one payload costs, against one signature; and decoding a
//! list response with the generated `impl_deserialize!` against serde's derive.

use std::process::Command;
use std::time::Duration;

use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::Sha256;
use wechatpay_bench::{median, per_second, row};
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::{
    ListCouponCodesCodeStatus, ListCouponCodesResponse, UploadCouponCodesBody,
};
use wechatpay_runtime::Validate;
use wechatpay_runtime::schema::{EnumCheck, SchemaValidator};

const MESSAGE: &[u8] = b"POST\n/v3/marketing/busifavor/stocks/98065001/couponcodes\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"coupon_code_list\":[\"ABC9588200\"],\"upload_request_no\":\"100002322019090134234sfdf\"}\n";

fn openssl_speed() -> Option<(f64, f64)> {
    let output = Command::new("openssl")
        .args(["speed", "-seconds", "2", "rsa2048"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().find(|l| l.starts_with("rsa 2048 bits"))?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // "rsa 2048 bits 0.000250s 0.000017s 3996.5 59949.6": the last two are sign/s and verify/s.
    Some((numbers[numbers.len() - 2], numbers[numbers.len() - 1]))
}

fn rate(iterations: usize, mut op: impl FnMut()) -> f64 {
    let elapsed = median(5, || {
        for _ in 0..iterations {
            op();
        }
    });
    per_second(iterations, elapsed)
}

fn main() {
    let key = wechatpay_runtime::PrivateKey::generate().unwrap();
    let public = key.public_key();
    let rsa_key = rsa::PrivateKey::from_pkcs8_pem(&key.to_pem()).unwrap();
    let signing = SigningKey::<Sha256>::new(rsa_key.clone());
    let verifying = VerifyingKey::<Sha256>::new(rsa_key.to_public_key());
    let rsa_signature: Signature = signing.sign(MESSAGE);
    let der = rsa_key.to_pkcs8_der().unwrap();
    let lc_pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).unwrap();
    let lc_rng = aws_lc_rs::rand::SystemRandom::new();
    let lc_public = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        aws_lc_rs::signature::KeyPair::public_key(&lc_pair)
            .as_ref()
            .to_vec(),
    );
    let mut lc_signature = vec![0; lc_pair.public_modulus_len()];
    lc_pair
        .sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &lc_rng,
            MESSAGE,
            &mut lc_signature,
        )
        .unwrap();
    assert_eq!(
        lc_signature,
        rsa_signature.to_vec(),
        "both backends sign the same bytes"
    );
    let runtime_signature = key.sign(MESSAGE);

    let openssl = openssl_speed();
    let rsa_sign = rate(200, || drop(std::hint::black_box(signing.sign(MESSAGE))));
    let rsa_verify = rate(5000, || verifying.verify(MESSAGE, &rsa_signature).unwrap());
    let lc_sign = rate(1000, || {
        let mut out = vec![0; lc_pair.public_modulus_len()];
        lc_pair
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &lc_rng,
                MESSAGE,
                &mut out,
            )
            .unwrap();
    });
    let lc_verify = rate(20000, || lc_public.verify(MESSAGE, &lc_signature).unwrap());
    let runtime_sign = rate(200, || drop(std::hint::black_box(key.sign(MESSAGE))));
    let runtime_verify = rate(5000, || public.verify(MESSAGE, &runtime_signature).unwrap());

    println!(
        "\n## RSA-2048 PKCS#1 v1.5 SHA-256 (runtime backend: {})\n",
        wechatpay_runtime::PrivateKey::backend()
    );
    row(&[
        "implementation".into(),
        "sign/s".into(),
        "verify/s".into(),
        "sign vs OpenSSL".into(),
        "verify vs OpenSSL".into(),
    ]);
    row(&[
        "---".into(),
        "---".into(),
        "---".into(),
        "---".into(),
        "---".into(),
    ]);
    let (ossl_sign, ossl_verify) = openssl.unwrap_or((f64::NAN, f64::NAN));
    for (name, sign, verify) in [
        ("openssl speed rsa2048 (baseline)", ossl_sign, ossl_verify),
        ("rsa 0.10 (default)", rsa_sign, rsa_verify),
        ("aws-lc-rs (feature `aws-lc-rs`)", lc_sign, lc_verify),
        ("runtime PrivateKey/PublicKey", runtime_sign, runtime_verify),
    ] {
        row(&[
            name.into(),
            format!("{sign:.0}"),
            format!("{verify:.0}"),
            format!("{:.2}", sign / ossl_sign),
            format!("{:.2}", verify / ossl_verify),
        ]);
    }

    // One upload of 200 codes: validation and serde against one signature.
    let codes: Vec<String> = (0..200).map(|i| format!("BENCH{i:06}")).collect();
    let body = UploadCouponCodesBody::new(codes, "bench-0001");
    let json = serde_json::to_vec(&body).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let (_, schema) = wechatpay_bindings::json_schemas()
        .into_iter()
        .find(|(name, _)| *name == "upload_coupon_codes.body")
        .unwrap();
    let validator = SchemaValidator::new(schema.as_value()).unwrap();
    let per_op = |iterations: usize, mut op: Box<dyn FnMut() + '_>| -> Duration {
        median(7, || {
            for _ in 0..iterations {
                op();
            }
        }) / iterations as u32
    };
    let sign_time = per_op(
        100,
        Box::new(|| drop(std::hint::black_box(key.sign(&json)))),
    );
    let rows: Vec<(&str, Duration)> = vec![
        ("one signature (baseline)", sign_time),
        (
            "serialize the body",
            per_op(
                2000,
                Box::new(|| drop(std::hint::black_box(serde_json::to_vec(&body).unwrap()))),
            ),
        ),
        (
            "deserialize the body",
            per_op(
                2000,
                Box::new(|| {
                    drop(std::hint::black_box(
                        serde_json::from_slice::<UploadCouponCodesBody>(&json).unwrap(),
                    ))
                }),
            ),
        ),
        (
            "generated validate() (the client's default)",
            per_op(2000, Box::new(|| body.validate().unwrap())),
        ),
        (
            "JSON Schema validation (jsonschema, compiled once)",
            per_op(
                2000,
                Box::new(|| validator.validate(&value, EnumCheck::Open).unwrap()),
            ),
        ),
    ];
    println!("\n## One 200-code upload body, against one signature\n");
    row(&[
        "work".into(),
        "µs per payload".into(),
        "ratio to one signature".into(),
    ]);
    row(&["---".into(), "---".into(), "---".into()]);
    for (name, time) in rows {
        row(&[
            name.into(),
            format!("{:.1}", time.as_secs_f64() * 1e6),
            format!("{:.3}", time.as_secs_f64() / sign_time.as_secs_f64()),
        ]);
    }

    decoding_against_the_derive();
}

/// The fields of `ListCouponCodesResponse`, decoded by `#[derive(Deserialize)]`.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedList {
    stock_id: String,
    total_count: i64,
    limit: i64,
    offset: i64,
    #[serde(default)]
    data: Option<Vec<DerivedItem>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DerivedItem {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    code_status: Option<ListCouponCodesCodeStatus>,
    #[serde(default)]
    upload_time: Option<String>,
    #[serde(default)]
    dispatched_time: Option<String>,
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    unionid: Option<String>,
    #[serde(default)]
    coupon_code: Option<String>,
}

/// A page of 100 codes, decoded by the generated impl and by the derive.
fn decoding_against_the_derive() {
    let items: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"code":"BENCH{i:06}","code_status":"DISPATCHED","upload_time":"2025-07-30T10:00:00+08:00","dispatched_time":"2025-07-30T11:00:00+08:00","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","coupon_code":"WX{i:010}"}}"#
            )
        })
        .collect();
    let page = format!(
        r#"{{"stock_id":"98065001","total_count":100,"limit":100,"offset":0,"data":[{}]}}"#,
        items.join(",")
    );
    let page = page.as_bytes();
    let time = |decode: &dyn Fn()| -> Duration {
        median(7, || {
            for _ in 0..500 {
                decode();
            }
        }) / 500
    };
    let derived = time(&|| {
        drop(std::hint::black_box(
            serde_json::from_slice::<DerivedList>(page).unwrap(),
        ))
    });
    let generated = time(&|| {
        drop(std::hint::black_box(
            serde_json::from_slice::<ListCouponCodesResponse>(page).unwrap(),
        ))
    });
    println!("\n## Decoding a list response of 100 codes\n");
    row(&["decoder".into(), "µs per page".into(), "ratio".into()]);
    row(&["---".into(), "---".into(), "---".into()]);
    for (name, time) in [
        ("`#[derive(Deserialize)]` (baseline)", derived),
        ("generated `impl_deserialize!`", generated),
    ] {
        row(&[
            name.into(),
            format!("{:.1}", time.as_secs_f64() * 1e6),
            format!("{:.2}", time.as_secs_f64() / derived.as_secs_f64()),
        ]);
    }
}
