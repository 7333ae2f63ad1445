//! The generated bindings through the runtime client against the sandbox, over
//! real loopback sockets: all four operations, every way a response can be wrong,
//! retries, timeouts, both key modes, pagination and the escape hatch.

use std::time::Duration;

use futures_util::TryStreamExt;
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::couponcodes::{export_codes, list_all};
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::coupon_code::{
    DeleteCouponCodeQuery, GetCouponCodeCodeStatus, GetCouponCodeQuery,
};
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::{
    ListCouponCodesCodeStatus, ListCouponCodesQuery, ListCouponCodesStatus, UploadCouponCodesBody,
    UploadCouponCodesRequest,
};
use wechatpay_e2e::{http_client, keys, quick_retries, sandbox, sandbox_with};
use wechatpay_runtime::blocking::BlockingClient;
use wechatpay_runtime::{Error, Method, PrivateKey, RetryPolicy, SignatureError};
use wechatpay_sandbox::{
    DEFAULT_STOCK, Fault, FaultPlan, SandboxConfig, SigningMode, WECHATPAY_MODE_STOCK,
};

fn body(codes: &[&str], request_no: &str) -> UploadCouponCodesBody {
    UploadCouponCodesBody::new(codes.iter().map(|c| (*c).to_owned()).collect(), request_no)
}

#[tokio::test]
async fn the_four_operations_by_name() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();

    let uploaded = client
        .upload_coupon_codes(
            DEFAULT_STOCK,
            body(&["CODE-1", "CODE-2", "CODE-1"], "upload-1"),
        )
        .await
        .unwrap();
    assert_eq!(uploaded.stock_id.as_deref(), Some(DEFAULT_STOCK));
    assert_eq!(uploaded.total_count, Some(2));
    assert_eq!(uploaded.success_count, Some(2));
    assert_eq!(
        uploaded.success_codes.as_deref(),
        Some(&["CODE-1".to_owned(), "CODE-2".to_owned()][..])
    );
    assert_eq!(
        uploaded.duplicate_codes.as_deref(),
        Some(&["CODE-1".to_owned()][..])
    );
    let success_time = uploaded.success_time.unwrap();
    assert!(success_time.as_str().ends_with("+08:00"), "{success_time}");
    assert_eq!(
        success_time.datetime().unwrap().offset().whole_hours(),
        8,
        "read as a time"
    );

    let page = client
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new().with_limit(10))
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(2));
    let data = page.data.unwrap();
    assert_eq!(data[0].code.as_deref(), Some("CODE-1"));
    assert_eq!(
        data[0].code_status,
        Some(ListCouponCodesCodeStatus::Available)
    );

    let one = client
        .get_coupon_code(DEFAULT_STOCK, "CODE-2", GetCouponCodeQuery::new())
        .await
        .unwrap();
    let information = one.code_information.unwrap();
    assert_eq!(information.code.as_deref(), Some("CODE-2"));
    assert_eq!(
        information.code_status,
        Some(GetCouponCodeCodeStatus::Available)
    );
    assert!(
        one.coupon_information.is_none(),
        "only dispatched codes have coupon information"
    );

    let deleted = client
        .delete_coupon_code(
            DEFAULT_STOCK,
            "CODE-2",
            DeleteCouponCodeQuery::new("delete-1"),
        )
        .await
        .unwrap();
    assert_eq!(deleted.stock_id.as_deref(), Some(DEFAULT_STOCK));
    assert_eq!(sandbox.codes(DEFAULT_STOCK), ["CODE-1"]);
}

#[tokio::test]
async fn friendly_names_and_dispatched_codes() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    client
        .upload_coupon_codes(DEFAULT_STOCK, body(&["A1", "A2"], "friendly-1"))
        .await
        .unwrap();
    sandbox.dispatch(DEFAULT_STOCK, "A1", "oUser").unwrap();
    let one = client
        .get_coupon_code(DEFAULT_STOCK, "A1", GetCouponCodeQuery::new())
        .await
        .unwrap();
    assert_eq!(
        one.code_information.as_ref().unwrap().openid.as_deref(),
        Some("oUser")
    );
    let coupon = one
        .coupon_information
        .expect("dispatched codes carry coupon information");
    assert_eq!(coupon.stock_type.as_ref().unwrap().as_str(), "NORMAL");
    let dispatched = client
        .list_coupon_codes(
            DEFAULT_STOCK,
            ListCouponCodesQuery::new().with_status(ListCouponCodesStatus::Dispatched),
        )
        .await
        .unwrap();
    assert_eq!(dispatched.total_count, Some(1));
    let refused = client
        .delete_coupon_code(
            DEFAULT_STOCK,
            "A1",
            DeleteCouponCodeQuery::new("del-dispatched"),
        )
        .await
        .unwrap_err();
    let api = refused.api().expect("an API error");
    assert_eq!(
        (api.status.as_u16(), api.code.as_deref()),
        (400, Some("INVALID_REQUEST"))
    );
    assert!(api.request_id.is_some());
}

#[test]
fn the_blocking_client() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(sandbox());
    let client = BlockingClient::new(sandbox.client_builder()).unwrap();
    let request =
        UploadCouponCodesRequest::new(DEFAULT_STOCK, body(&["B1", "B2", "B3"], "blocking-1"));
    let uploaded = client.execute(&request).unwrap();
    assert_eq!(uploaded.success_count, Some(3));
    let codes: Vec<_> = client
        .paginate(
            wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesRequest::new(
                DEFAULT_STOCK,
                ListCouponCodesQuery::new().with_limit(2),
            ),
        )
        .map(|item| item.unwrap().code.unwrap())
        .collect();
    assert_eq!(codes, ["B1", "B2", "B3"]);
}

#[tokio::test]
async fn codes_with_reserved_characters_are_signed_as_sent() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let awkward = "a b/c\\d=e|f-_";
    client
        .upload_coupon_codes(DEFAULT_STOCK, body(&[awkward], "awkward-1"))
        .await
        .unwrap();
    let one = client
        .get_coupon_code(
            DEFAULT_STOCK,
            awkward,
            GetCouponCodeQuery::new().with_appid("wx233544546545989"),
        )
        .await
        .unwrap();
    assert_eq!(
        one.code_information.as_ref().unwrap().code.as_deref(),
        Some(awkward)
    );
    client
        .delete_coupon_code(
            DEFAULT_STOCK,
            awkward,
            DeleteCouponCodeQuery::new("awkward del/1"),
        )
        .await
        .unwrap();
    assert!(sandbox.codes(DEFAULT_STOCK).is_empty());
}

#[tokio::test]
async fn broken_limits_are_refused_before_anything_is_sent() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let too_many: Vec<String> = (0..201).map(|i| format!("C{i}")).collect();
    let long = "x".repeat(33);
    let mut invalid = UploadCouponCodesBody::new(too_many, "too-many");
    invalid.coupon_code_list[3] = long;
    invalid.coupon_code_list[4] = "tab\there".to_owned();
    let Err(Error::Validation(errors)) = client.upload_coupon_codes(DEFAULT_STOCK, invalid).await
    else {
        panic!("expected a validation error");
    };
    let pointers: Vec<_> = errors.0.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/coupon_code_list",
            "/coupon_code_list/3",
            "/coupon_code_list/3",
            "/coupon_code_list/4"
        ]
    );
    let Err(Error::Validation(errors)) = client.upload_coupon_codes("", body(&["A"], "x")).await
    else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.0[0].pointer, "/path/stock_id");
    assert_eq!(sandbox.stats().requests, 0, "nothing reached the server");
}

#[tokio::test]
async fn every_kind_of_bad_response_is_a_typed_error() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let list = || client.list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new());
    let cases = [
        (Fault::TamperedBody, "invalid"),
        (Fault::ProbeSignature, "invalid"),
        (Fault::StaleTimestamp, "stale"),
        (Fault::Unsigned, "missing"),
    ];
    for (fault, expected) in cases {
        sandbox.push_faults(&[fault]);
        match list().await {
            Err(Error::Signature {
                source, request_id, ..
            }) => {
                let matches = matches!(
                    (expected, &source),
                    ("invalid", SignatureError::Invalid)
                        | ("stale", SignatureError::Stale { .. })
                        | ("missing", SignatureError::MissingHeader(_))
                );
                assert!(matches, "{fault:?}: {source:?}");
                assert!(request_id.is_some(), "{fault:?}");
            }
            other => panic!("{fault:?}: expected a signature error, got {other:?}"),
        }
    }
    // A proxy's HTML page keeps its raw body and is worth retrying.
    sandbox.push_faults(&[Fault::BadGatewayHtml]);
    let error = list().await.unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.code, None);
    assert!(String::from_utf8_lossy(&api.body).contains("502 Bad Gateway"));
    assert!(error.is_retryable());
    // Business errors are not.
    let error = client
        .upload_coupon_codes(WECHATPAY_MODE_STOCK, body(&["A"], "wrong-mode"))
        .await
        .unwrap_err();
    assert_eq!(
        error.api().unwrap().code.as_deref(),
        Some("INVALID_REQUEST")
    );
    assert!(!error.is_retryable());
    let error = client
        .get_coupon_code(DEFAULT_STOCK, "missing", GetCouponCodeQuery::new())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_wrong_serial_is_reported() {
    let sandbox = sandbox().await;
    // The client trusts a key under another id: the sandbox signs with its own.
    let client = wechatpay_runtime::Client::builder()
        .base_url(sandbox.base_url())
        .merchant(sandbox.keys().merchant_credentials())
        .wechatpay_public_key(
            "PUB_KEY_ID_SOMEONE_ELSE",
            sandbox.keys().wechatpay_public_key(),
        )
        .build()
        .unwrap();
    let error = client
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Signature { source: SignatureError::UnknownSerial(serial), .. } if serial == &sandbox.keys().public_key_id),
        "{error:?}"
    );
}

#[tokio::test]
async fn requests_signed_with_another_key_get_sign_error_with_nested_detail() {
    let sandbox = sandbox().await;
    let mut credentials = sandbox.keys().merchant_credentials();
    credentials.key = PrivateKey::from_pem(&keys().public_key_signer.to_pem()).unwrap();
    let client = sandbox
        .client_builder()
        .merchant(credentials)
        .build()
        .unwrap();
    let error = client
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        (api.status.as_u16(), api.code.as_deref()),
        (401, Some("SIGN_ERROR"))
    );
    assert_eq!(
        api.detail.as_ref().unwrap()["detail"]["issue"],
        "signature does not match the request"
    );
    assert!(!error.is_retryable());
    assert_eq!(sandbox.stats().rejected, 1);
}

#[tokio::test]
async fn missing_user_agent_and_accept_are_rejected() {
    let sandbox = sandbox().await;
    let http = http_client();
    let url = format!(
        "{}/v3/marketing/busifavor/stocks/{DEFAULT_STOCK}/couponcodes",
        sandbox.base_url()
    );
    let response = http
        .get(&url)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["code"], "INVALID_REQUEST");
    // reqwest always sends `Accept: */*`, so this one goes over a raw socket.
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .unwrap();
    let request = format!(
        "GET /v3/marketing/busifavor/stocks/{DEFAULT_STOCK}/couponcodes HTTP/1.1\r\nHost: sandbox\r\nUser-Agent: x\r\nConnection: close\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("INVALID_REQUEST") && answer.contains("Accept"),
        "{answer}"
    );
    let response = http
        .get(&url)
        .header("User-Agent", "x")
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().contains_key("Request-ID"));
}

#[tokio::test]
async fn retries_recover_from_429_5xx_202_and_broken_connections_without_uploading_twice() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .retry(quick_retries())
        .build()
        .unwrap();
    for (i, fault) in [
        Fault::RateLimited,
        Fault::ServerError,
        Fault::Unavailable,
        Fault::Accepted,
        Fault::BadGatewayHtml,
        Fault::DropBeforeHandling,
        Fault::DropAfterHandling,
        Fault::TruncatedResponse,
    ]
    .into_iter()
    .enumerate()
    {
        sandbox.push_faults(&[fault]);
        let request_no = format!("retry-{i}");
        let code = format!("R{i}");
        let uploaded = client
            .upload_coupon_codes(DEFAULT_STOCK, body(&[&code], &request_no))
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        // A retry of a request the server already handled gets the first answer.
        assert_eq!(uploaded.success_count, Some(1), "{fault:?}");
    }
    assert_eq!(sandbox.codes(DEFAULT_STOCK).len(), 8);
    assert!(sandbox.stats().upload_replays >= 2, "{:?}", sandbox.stats());
}

#[tokio::test]
async fn timeouts_are_retried_or_reported() {
    let sandbox = sandbox_with(SandboxConfig {
        faults: FaultPlan {
            delay: Duration::from_millis(600),
            ..FaultPlan::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let impatient = sandbox
        .client_builder()
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.push_faults(&[Fault::Delay]);
    let error = impatient
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(error.is_retryable());

    let patient = sandbox
        .client_builder()
        .timeout(Duration::from_millis(200))
        .retry(quick_retries())
        .build()
        .unwrap();
    sandbox.push_faults(&[Fault::Delay]);
    let uploaded = patient
        .upload_coupon_codes(DEFAULT_STOCK, body(&["T1"], "timeout-1"))
        .await
        .unwrap();
    assert_eq!(uploaded.success_codes.unwrap(), ["T1"]);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(sandbox.codes(DEFAULT_STOCK), ["T1"], "imported once");
}

#[tokio::test]
async fn platform_certificate_mode_and_both_modes_at_once() {
    let sandbox = sandbox_with(SandboxConfig {
        signing: SigningMode::PlatformCertificate,
        ..SandboxConfig::default()
    })
    .await;
    let client = sandbox.certificate_client_builder().build().unwrap();
    let uploaded = client
        .upload_coupon_codes(DEFAULT_STOCK, body(&["P1"], "cert-1"))
        .await
        .unwrap();
    assert_eq!(uploaded.success_count, Some(1));
    // A client that knows both keys verifies whichever signs.
    let both = sandbox
        .client_builder()
        .platform_certificates(
            wechatpay_runtime::verify::PlatformCertificates::new(
                sandbox.keys().apiv3_key.as_bytes(),
            )
            .unwrap(),
        )
        .build()
        .unwrap();
    let page = both
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(1));
    // A wrong APIv3 key cannot decrypt the certificates.
    let wrong = sandbox.client_builder().platform_certificates(
        wechatpay_runtime::verify::PlatformCertificates::new(*b"0123456789abcdef0123456789abcdef")
            .unwrap(),
    );
    let error = wrong
        .build()
        .unwrap()
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
        .unwrap_err();
    // The list request itself was never sent.
    assert!(
        matches!(&error, Error::Certificates(download) if matches!(**download, Error::Config(_))),
        "{error:?}"
    );
    assert!(error.never_sent() && !error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn pagination_walks_every_page() {
    // A server that caps pages at 100 without refusing a larger limit.
    let sandbox = sandbox_with(SandboxConfig {
        cap_page: true,
        ..SandboxConfig::default()
    })
    .await;
    let client = sandbox.client_builder().build().unwrap();
    let codes: Vec<String> = (0..250).map(|i| format!("P{i:03}")).collect();
    for (i, chunk) in codes.chunks(200).enumerate() {
        client
            .upload_coupon_codes(
                DEFAULT_STOCK,
                UploadCouponCodesBody::new(chunk.to_vec(), format!("page-{i}")),
            )
            .await
            .unwrap();
    }
    let listed: Vec<String> = list_all(
        &client,
        DEFAULT_STOCK,
        ListCouponCodesQuery::new().with_limit(30),
    )
    .map_ok(|item| item.code.unwrap())
    .try_collect()
    .await
    .unwrap();
    assert_eq!(listed, codes);
    // The server caps pages at 100; asking for more still walks everything.
    let listed: Vec<_> = list_all(
        &client,
        DEFAULT_STOCK,
        ListCouponCodesQuery::new()
            .with_limit(1000)
            .with_offset(200),
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(listed.len(), 50);
    // The concurrent export takes its page size from the first answer, in order.
    let exported: Vec<Vec<_>> = export_codes(
        &client,
        DEFAULT_STOCK,
        ListCouponCodesQuery::new().with_limit(1000),
        3,
    )
    .try_collect()
    .await
    .unwrap();
    assert_eq!(
        exported.iter().map(Vec::len).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    let exported: Vec<String> = exported
        .into_iter()
        .flatten()
        .map(|item| item.code.unwrap())
        .collect();
    assert_eq!(exported, codes);
}

#[tokio::test]
async fn the_untyped_escape_hatch_is_signed_and_verified() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .retry(quick_retries())
        .build()
        .unwrap();
    let response = client
        .request(
            Method::POST,
            "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes",
        )
        .path_param("stock_id", DEFAULT_STOCK)
        .json(&serde_json::json!({"coupon_code_list": ["E1"], "upload_request_no": "raw-1"}))
        .idempotent(true)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["success_codes"][0], "E1");
    let response = client
        .request(
            Method::GET,
            "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes",
        )
        .path_param("stock_id", DEFAULT_STOCK)
        .query("offset", 0)
        .query("limit", 5)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<serde_json::Value>().unwrap()["total_count"],
        1
    );
    let list = || {
        client
            .request(
                Method::GET,
                "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes",
            )
            .path_param("stock_id", DEFAULT_STOCK)
            .send()
    };
    // A tampered answer is not an answer: the GET is asked again, and the
    // real one is used.
    sandbox.push_faults(&[Fault::TamperedBody]);
    let response = list().await.unwrap();
    assert_eq!(
        response.json::<serde_json::Value>().unwrap()["total_count"],
        1
    );
    assert_eq!(sandbox.faults_injected()[&Fault::TamperedBody], 1);
    // Tampered every time: the verification error, after the retries.
    sandbox.push_faults(&[Fault::TamperedBody; 4]);
    let error = list().await.unwrap_err();
    assert!(matches!(error, Error::Signature { .. }), "{error:?}");
    assert_eq!(sandbox.faults_injected()[&Fault::TamperedBody], 5);
}

/// A loopback address where nothing listens: connections are refused.
fn unreachable() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn an_unreachable_host_fails_over_to_the_backup() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .base_url(unreachable())
        .backup_base_url(sandbox.base_url())
        .retry(quick_retries())
        .build()
        .unwrap();
    let answer = client
        .upload_coupon_codes(DEFAULT_STOCK, body(&["BACKUP1"], "backup-1"))
        .await
        .expect("sent through the backup host");
    assert_eq!(answer.success_codes, Some(vec!["BACKUP1".to_owned()]));
    assert_eq!(sandbox.codes(DEFAULT_STOCK), vec!["BACKUP1".to_owned()]);

    // Without a backup the same failure is reported, typed.
    let alone = sandbox
        .client_builder()
        .base_url(unreachable())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = alone
        .upload_coupon_codes(DEFAULT_STOCK, body(&["BACKUP2"], "backup-2"))
        .await
        .expect_err("unreachable");
    assert!(error.never_sent(), "{error:?}");
}

#[tokio::test]
async fn operations_on_another_documented_host_go_where_the_client_maps_it() {
    let sandbox = sandbox().await;
    let client = sandbox
        .client_builder()
        .base_url(unreachable())
        .host("https://apihk.mch.weixin.qq.com", sandbox.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    // What generated code sets for an operation whose page has a `base_uri` row.
    let mut request = wechatpay_runtime::Request::new(
        Method::GET,
        "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes",
        format!("/v3/marketing/busifavor/stocks/{DEFAULT_STOCK}/couponcodes"),
    );
    request.base_uri = Some("https://apihk.mch.weixin.qq.com");
    let response = client.send(request).await.expect("sent to the mapped host");
    let page: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(page["total_count"], 0);
}

/// The benchmark's transport floor: a sandbox started unsigned takes requests
/// with no signature, runs its business rules (the codes are stored), and
/// answers unsigned, so a client that verifies refuses every answer.
#[tokio::test]
async fn an_unsigned_sandbox_skips_the_crypto_and_nothing_else() {
    let sandbox = sandbox_with(SandboxConfig {
        unsigned: true,
        ..SandboxConfig::default()
    })
    .await;
    let url = format!(
        "{}/v3/marketing/busifavor/stocks/{DEFAULT_STOCK}/couponcodes",
        sandbox.base_url()
    );
    let answer = http_client()
        .post(&url)
        .header("Authorization", "not a signature")
        .header("User-Agent", "floor")
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(r#"{"coupon_code_list":["FLOOR-1","FLOOR-2"],"upload_request_no":"floor-1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("Wechatpay-Signature").is_none());
    assert_eq!(sandbox.codes(DEFAULT_STOCK), ["FLOOR-1", "FLOOR-2"]);

    let client = sandbox
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    match client
        .list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new())
        .await
    {
        Err(Error::Signature {
            source: SignatureError::MissingHeader(_),
            ..
        }) => {}
        other => panic!("expected the unsigned answer refused, got {other:?}"),
    }
}
