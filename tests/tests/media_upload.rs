//! Multipart uploads end to end: the generated `upload_media` sends a file and
//! its `meta`; the signature covers `meta` only (the sandbox checks it over
//! that part); the sandbox recomputes the file's SHA-256 and keeps what it
//! received, which is what these tests check.

use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::merchant::media::upload::{UploadMediaBody, UploadMediaMeta};
use wechatpay_e2e::sandbox;
use wechatpay_runtime::{Error, FilePart, JsonString};
use wechatpay_sandbox::MAX_IMAGE;

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
