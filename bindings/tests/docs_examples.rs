//! The example payloads of the docs pages (the PHP samples' literal arguments,
//! kept in the spec) round-trip through the generated types and validate against
//! the JSON Schemas.

use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wechatpay_bindings::v3::bill::tradebill::{ApplyTradeBillQuery, ApplyTradeBillTarType};
use wechatpay_bindings::v3::billdownload::file::DownloadBillQuery;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::coupon_code::*;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::*;
use wechatpay_bindings::v3::profitsharing::receivers::add::AddProfitSharingReceiverBody;
use wechatpay_runtime::Validate;
use wechatpay_runtime::schema::{EnumCheck, SchemaValidator};
use wechatpay_runtime::sensitive::{Sealer, Sensitive, sealed};

fn examples() -> Vec<(String, Value)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/couponcodes.json");
    let spec = wechatpay_spec::Spec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec.operations
        .into_iter()
        // The upload's sample passes a file stream, not literals.
        .filter(|op| op.name.as_deref() != Some("upload_media"))
        .map(|op| {
            (
                op.name.expect("the bindings' operations are named"),
                op.request_example
                    .expect("every other page has a literal sample"),
            )
        })
        .collect()
}

fn round_trip<T: Serialize + DeserializeOwned>(example: &Value) -> T {
    let typed: T = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        example,
        "serde round trip"
    );
    typed
}

/// For the types that have documented limits (the others do not implement
/// `Validate`).
fn valid<T: Validate>(typed: T) -> T {
    assert_eq!(
        typed.validate(),
        Ok(()),
        "the example respects the documented limits"
    );
    typed
}

fn schema(name: &str) -> SchemaValidator {
    let (_, schema) = wechatpay_bindings::json_schemas()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no schema {name}"));
    SchemaValidator::new(schema.as_value()).unwrap()
}

#[test]
fn every_request_example_round_trips_and_validates() {
    let examples = examples();
    assert_eq!(examples.len(), 7);
    for (name, example) in examples {
        match name.as_str() {
            "upload_coupon_codes" => {
                let body: UploadCouponCodesBody = valid(round_trip(&example["json"]));
                assert_eq!(body.upload_request_no, "100002322019090134234sfdf");
                assert_eq!(example["stock_id"], "98065001");
                schema("upload_coupon_codes.body")
                    .validate(&example["json"], EnumCheck::Strict)
                    .unwrap();
            }
            "list_coupon_codes" => {
                let query: ListCouponCodesQuery = valid(round_trip(&example["query"]));
                assert_eq!(query.status, Some(ListCouponCodesStatus::Sended));
                assert_eq!(query.limit, Some(20));
                schema("list_coupon_codes.query")
                    .validate(&example["query"], EnumCheck::Strict)
                    .unwrap();
            }
            "get_coupon_code" => {
                let query: GetCouponCodeQuery = round_trip(&example["query"]);
                assert_eq!(query.appid.as_deref(), Some("wx233544546545989"));
                schema("get_coupon_code.query")
                    .validate(&example["query"], EnumCheck::Strict)
                    .unwrap();
            }
            "delete_coupon_code" => {
                let query: DeleteCouponCodeQuery = valid(round_trip(&example["query"]));
                assert!(!query.delete_request_no.is_empty());
                schema("delete_coupon_code.query")
                    .validate(&example["query"], EnumCheck::Strict)
                    .unwrap();
            }
            "apply_trade_bill" => {
                let query: ApplyTradeBillQuery = round_trip(&example["query"]);
                assert_eq!(query.tar_type, Some(ApplyTradeBillTarType::Gzip));
                schema("apply_trade_bill.query")
                    .validate(&example["query"], EnumCheck::Strict)
                    .unwrap();
            }
            "download_bill" => {
                let query: DownloadBillQuery = round_trip(&example["query"]);
                assert_eq!(query.token, "dN7J6yDgUzbX8Uk3sD4a4e");
            }
            "add_profit_sharing_receiver" => {
                // The sample's `name` stands for ciphertext, which a
                // `Sensitive` (plaintext) is not read from.
                let refused =
                    serde_json::from_value::<AddProfitSharingReceiverBody>(example["json"].clone())
                        .expect_err("ciphertext is not taken for plaintext");
                assert!(
                    refused.to_string().contains("not read from JSON"),
                    "{refused}"
                );
                // Without it the rest reads, and with the name given as
                // plaintext and sealed as plaintext on purpose, the body is the
                // sample again.
                let mut rest = example["json"].clone();
                let name = rest
                    .as_object_mut()
                    .and_then(|json| json.remove("name"))
                    .expect("the sample has a name");
                let body: AddProfitSharingReceiverBody = serde_json::from_value(rest).unwrap();
                let body = body.with_name(Sensitive::new(name.as_str().unwrap()));
                let plain = sealed(&body, &Sealer::plaintext()).expect("sealed as plaintext");
                assert_eq!(serde_json::to_value(&plain).unwrap(), example["json"]);
                schema("add_profit_sharing_receiver.body")
                    .validate(&example["json"], EnumCheck::Strict)
                    .unwrap();
            }
            other => panic!("unexpected operation {other}"),
        }
    }
}

/// Answers shaped like the docs' response tables decode, and unknown enum values
/// and fields are kept rather than refused.
#[test]
fn responses_decode_and_tolerate_what_is_new() {
    let upload: UploadCouponCodesResponse = serde_json::from_value(serde_json::json!({
        "stock_id": "98065001",
        "total_count": 500,
        "success_count": 20,
        "success_codes": ["MMAA12345"],
        "success_time": "2015-05-20T13:29:35.120+08:00",
        "fail_count": 10,
        "fail_codes": [{"coupon_code": "ABCD23456", "code": "LENGTH_LIMIT", "message": "长度超过最大值32位"},
                       {"coupon_code": "ABCD23457", "code": "SOMETHING_NEW", "message": "?"}],
        "exist_codes": ["ABCD2345"],
        "duplicate_codes": ["AACC2345"],
        "a_field_added_later": true
    }))
    .unwrap();
    let fails = upload.fail_codes.clone().unwrap();
    assert_eq!(fails[0].code, Some(UploadCouponCodesCode::LengthLimit));
    assert_eq!(
        fails[1].code,
        Some(UploadCouponCodesCode::Unrecognized("SOMETHING_NEW".into()))
    );
    assert_eq!(fails[1].code.as_ref().unwrap().as_str(), "SOMETHING_NEW");
    assert_eq!(upload.extra["a_field_added_later"], true);
    assert_eq!(
        serde_json::to_value(&upload).unwrap()["a_field_added_later"],
        true,
        "kept when encoded again"
    );

    // The answer side promises no field (answer tables merge product
    // variants): a sparse answer decodes, its absent fields `None`.
    let sparse: UploadCouponCodesResponse =
        serde_json::from_value(serde_json::json!({"stock_id": "98065001"})).unwrap();
    assert_eq!(sparse.total_count, None);

    let strict = schema("list_coupon_codes.response");
    let page = serde_json::json!({
        "stock_id": "98065001", "total_count": 1, "limit": 1, "offset": 0,
        "data": [{"code": "A", "code_status": "RECYCLED", "upload_time": "2015-05-20T13:29:35+08:00"}]
    });
    let decoded: ListCouponCodesResponse = serde_json::from_value(page.clone()).unwrap();
    assert_eq!(
        decoded.data.unwrap()[0].code_status,
        Some(ListCouponCodesCodeStatus::Unrecognized("RECYCLED".into()))
    );
    let errors = strict.validate(&page, EnumCheck::Strict).unwrap_err();
    assert_eq!(errors.0[0].pointer, "/data/0/code_status");
    assert!(strict.validate(&page, EnumCheck::Open).is_ok());
}

/// Payloads that break the documented rules are refused by the JSON Schema with
/// the pointer of what is wrong, and the generated `validate()` (what the client
/// runs before sending) agrees wherever the payload can be typed at all.
#[test]
fn invalid_payloads_are_rejected_with_their_pointer() {
    let codes = |n: usize| -> Vec<String> { (0..n).map(|i| format!("CODE{i}")).collect() };
    let upload =
        |codes: Vec<String>| json!({"coupon_code_list": codes, "upload_request_no": "n-1"});
    let mut long = codes(5);
    long[3] = "x".repeat(33);
    let mut tab = codes(2);
    tab[0] = "AB\tC".into();
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "missing required",
            "upload_coupon_codes.body",
            json!({"coupon_code_list": ["A"]}),
            "",
        ),
        (
            "201 codes",
            "upload_coupon_codes.body",
            upload(codes(201)),
            "/coupon_code_list",
        ),
        (
            "no codes",
            "upload_coupon_codes.body",
            upload(vec![]),
            "/coupon_code_list",
        ),
        (
            "a 33-character code",
            "upload_coupon_codes.body",
            upload(long),
            "/coupon_code_list/3",
        ),
        (
            "a tab in a code",
            "upload_coupon_codes.body",
            upload(tab),
            "/coupon_code_list/0",
        ),
        (
            "a string for the list",
            "upload_coupon_codes.body",
            json!({"coupon_code_list": "A", "upload_request_no": "n-1"}),
            "/coupon_code_list",
        ),
        (
            "a number for a string",
            "upload_coupon_codes.body",
            json!({"coupon_code_list": ["A"], "upload_request_no": 42}),
            "/upload_request_no",
        ),
        (
            "a string for a number",
            "list_coupon_codes.query",
            json!({"limit": "20"}),
            "/limit",
        ),
        (
            "a negative offset",
            "list_coupon_codes.query",
            json!({"offset": -1}),
            "/offset",
        ),
        (
            "an unknown status, strict",
            "list_coupon_codes.query",
            json!({"status": "FROZEN"}),
            "/status",
        ),
    ];
    for (case, schema_name, payload, pointer) in cases {
        let errors = schema(schema_name)
            .validate(&payload, EnumCheck::Strict)
            .expect_err(case);
        assert!(
            errors.0.iter().all(|e| e.pointer == pointer),
            "{case}: {errors}"
        );
        // The generated checks: the same pointer, or the payload cannot even be
        // typed (a missing required field, a wrong type).
        let typed = match schema_name {
            "upload_coupon_codes.body" => {
                serde_json::from_value::<UploadCouponCodesBody>(payload.clone())
                    .map(|body| body.validate())
            }
            _ => serde_json::from_value::<ListCouponCodesQuery>(payload.clone())
                .map(|query| query.validate()),
        };
        match typed {
            Ok(Ok(())) => assert!(
                case.contains("unknown status"),
                "{case}: the generated validation let it through"
            ),
            Ok(Err(errors)) => assert!(
                errors.0.iter().all(|e| e.pointer == pointer),
                "{case}: {errors}"
            ),
            Err(error) => assert!(
                case.starts_with("missing")
                    || case.starts_with("a string for")
                    || case.starts_with("a number for")
                    || case.contains("negative"),
                "{case}: {error}"
            ),
        }
    }
    // Open enumerations accept what WeChat Pay may add.
    schema("list_coupon_codes.query")
        .validate(&json!({"status": "FROZEN"}), EnumCheck::Open)
        .unwrap();
}
