//! Snapshots of the generated code for pages showing every construct of the docs
//! format (multipart upload, file streams, empty responses, headers, encrypted and
//! JSON-encoded fields, `base_uri`, deep nesting, several methods on a page).
//!
//! Each snapshot is a module of `tests/output`, a crate of the workspace, so every
//! snapshot must also compile and pass clippy. After a deliberate change, run
//! `EXPECTORATE=overwrite cargo test -p wechatpay-codegen --test snapshots` and
//! review the diff.

use std::path::PathBuf;

use wechatpay_codegen::{Settings, generate};
use wechatpay_docs_parser::parse_page;
use wechatpay_spec::Spec;

/// (snapshot name, page under `../shared/docs/current`).
const PAGES: &[(&str, &str)] = &[
    ("billdownload", "openapi/v3/billdownload/file.md"),
    ("certificates", "openapi/v3/certificates.md"),
    ("applyments", "openapi/v3/ecommerce/applyments/index.md"),
    (
        "contracts",
        "openapi/v3/edu-papay/contracts/{contract_id}.md",
    ),
    (
        "global_merchants",
        "openapi/v3/global/merchants/{sub_mchid}.md",
    ),
    (
        "busifavor_stock",
        "openapi/v3/marketing/busifavor/stocks/{stock_id}.md",
    ),
    ("media_upload", "openapi/v3/merchant/media/upload.md"),
    (
        "violation_notifications",
        "openapi/v3/merchant-risk-manage/violation-notifications.md",
    ),
    (
        "negotiation_historys",
        "openapi/v3/merchant-service/complaints-v2/{complaint_id}/negotiation-historys.md",
    ),
    ("statements", "openapi/v3/statements.md"),
];

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/current")
}

#[test]
fn generated_code_matches_the_snapshots() {
    let mut modules = Vec::new();
    for (name, page) in PAGES {
        let text = std::fs::read_to_string(shared().join(page)).unwrap();
        let result = parse_page(page, &text);
        assert!(!result.has_errors(), "{page}: {:?}", result.diagnostics);
        let spec = Spec::new(result.operations);
        let mut settings = Settings::new();
        settings.with_source(*page);
        let code = generate(&spec, &settings).unwrap().single_file().unwrap();
        expectorate::assert_contents(format!("tests/output/src/{name}.rs"), &code);
        modules.push(*name);
    }
    let mut lib = String::from(
        "//! Snapshots of the generated code (see `codegen/tests/snapshots.rs`); each module must compile.\n\n",
    );
    for name in modules {
        lib.push_str(&format!(
            "#[rustfmt::skip]\n#[allow(missing_docs)]\npub mod {name};\n"
        ));
    }
    expectorate::assert_contents("tests/output/src/lib.rs", &lib);
}
