//! Multipart uploads end to end: the generated `upload_media` sends a file and
//! its `meta`; the signature covers `meta` only (the sandbox checks it over
//! that part); the sandbox recomputes the file's SHA-256 and keeps what it
//! received, which is what these tests check.

use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::merchant::media::upload::{UploadMediaBody, UploadMediaMeta};
use wechatpay_e2e::sandbox;
use wechatpay_runtime::{Error, FilePart, JsonString};
use wechatpay_sandbox::{MAX_IMAGE, MAX_PDF};

/// A PNG signature followed by `len - 8` bytes of a pattern.
fn image(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len - 8).map(|i| (i * 31 % 251) as u8));
    bytes
}

fn body_for(file: FilePart) -> UploadMediaBody {
    let meta = UploadMediaMeta::new(file.sha256(), file.name());
    UploadMediaBody::new(file, JsonString(meta))
}

#[tokio::test]
async fn a_five_mib_image_streams_from_disk_and_arrives_whole() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("storefront.png");
    let bytes = image(MAX_IMAGE);
    std::fs::write(&path, &bytes).unwrap();
    let file = FilePart::from_path(&path).await.unwrap();
    assert_eq!(file.content_type(), "image/png");
    let sha256 = file.sha256().to_owned();

    let answer = client.upload_media(body_for(file)).await.expect("uploaded");
    let stored = sandbox
        .media(answer.media_id.as_deref().unwrap())
        .expect("the sandbox has it");
    assert_eq!(stored.len, MAX_IMAGE);
    assert_eq!(stored.sha256, sha256);
    assert_eq!(stored.filename, "storefront.png");
}

#[tokio::test]
async fn bytes_in_memory_upload_the_same_way() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let file = FilePart::from_bytes("logo.jpg", "image/jpeg", image(40_000));
    let answer = client.upload_media(body_for(file)).await.expect("uploaded");
    assert_eq!(
        sandbox
            .media(answer.media_id.as_deref().unwrap())
            .expect("stored")
            .len,
        40_000
    );
}

#[tokio::test]
async fn a_meta_digest_that_is_not_the_files_is_refused_before_sending() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let file = FilePart::from_bytes("logo.png", "image/png", image(1000));
    let wrong = UploadMediaMeta::new("0".repeat(64), "logo.png");
    let before = sandbox.stats().requests;
    let error = client
        .upload_media(UploadMediaBody::new(file, JsonString(wrong)))
        .await
        .expect_err("refused");
    let Error::Validation(errors) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(errors.0[0].pointer, "/meta/sha256");
    assert_eq!(sandbox.stats().requests, before);
}

#[tokio::test]
async fn the_sandbox_refuses_an_image_over_five_mib() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let file = FilePart::from_bytes("huge.png", "image/png", image(MAX_IMAGE + 1));
    let error = client
        .upload_media(body_for(file))
        .await
        .expect_err("too big");
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (api.status.as_u16(), api.code.as_deref()),
        (400, Some("PARAM_ERROR"))
    );
}

#[tokio::test]
async fn a_pdf_up_to_seven_and_a_half_mib_is_accepted_and_one_byte_more_is_not() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let pdf = |len: usize| {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.resize(len, b' ');
        FilePart::from_bytes("licence.pdf", "application/pdf", bytes)
    };
    let answer = client
        .upload_media(body_for(pdf(MAX_PDF)))
        .await
        .expect("uploaded");
    let stored = sandbox
        .media(answer.media_id.as_deref().unwrap())
        .expect("stored");
    assert_eq!(
        (stored.len, stored.filename.as_str()),
        (MAX_PDF, "licence.pdf")
    );

    let error = client
        .upload_media(body_for(pdf(MAX_PDF + 1)))
        .await
        .expect_err("too big");
    assert!(
        matches!(&error, Error::Api(api) if api.status.as_u16() == 400),
        "{error:?}"
    );
}

/// The docs name the file in `meta`; they ask nothing of the file part's own
/// `Content-Disposition` file name, which some HTTP libraries leave out. Sent
/// by hand, signed over `meta` as the protocol says.
#[tokio::test]
async fn a_file_part_without_its_own_file_name_is_accepted() {
    use reqwest::multipart::{Form, Part};
    use sha2::{Digest, Sha256};

    let sandbox = sandbox().await;
    let bytes = image(1000);
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let meta = serde_json::json!({ "filename": "shop.png", "sha256": sha256 }).to_string();
    let path = "/v3/merchant/media/upload";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let authorization = sandbox.keys().merchant_credentials().authorize(
        "POST",
        path,
        now,
        &wechatpay_runtime::sign::nonce(),
        meta.as_bytes(),
    );
    let form = Form::new()
        .part(
            "meta",
            Part::text(meta).mime_str("application/json").unwrap(),
        )
        // No `.file_name(..)`: the part's header says only `name="file"`.
        .part("file", Part::bytes(bytes).mime_str("image/png").unwrap());
    let answer = wechatpay_e2e::http_client()
        .post(format!("{}{path}", sandbox.base_url()))
        .header("Authorization", authorization)
        .header("Accept", "application/json")
        .header("User-Agent", "a multipart test")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body: serde_json::Value =
        serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap_or_default();
    assert_eq!(status.as_u16(), 200, "{body}");
    let stored = sandbox
        .media(body["media_id"].as_str().unwrap())
        .expect("stored");
    assert_eq!(
        (stored.filename.as_str(), stored.sha256.as_str()),
        ("shop.png", sha256.as_str())
    );
}
