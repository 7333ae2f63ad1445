//! Snapshots of the generated code for pages showing every construct of the docs
//! format (multipart upload, file streams, empty responses, headers, encrypted and
//! JSON-encoded fields, `base_uri`, deep nesting, several methods on a page),
//! and of pages written for the tests (`tests/pages`) for what the site shows
//! rarely.
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

/// (snapshot name, page under `../shared/docs/site`): constructs the current
/// pages do not have.
const SITE_PAGES: &[(&str, &str)] = &[
    // A query parameter that is a JSON-encoded object (`partner`).
    ("partnerships", "openapi/v3/marketing/partnerships.md"),
];

/// (snapshot name, page under `tests/pages`): pages written for these tests in
/// the site's format, one per construct the site has only a few of or not yet
/// (a JSON-encoded object in a path parameter, a query, a header, a body and a
/// multipart part; arrays of arrays; enums at every depth; keywords, non-ASCII
/// names and names that collide once made Rust).
const TORTURE_PAGES: &[(&str, &str)] = &[
    ("torture_encoded", "openapi/v3/torture/encoded/{filter}.md"),
    (
        "torture_encoded_upload",
        "openapi/v3/torture/encoded/upload.md",
    ),
    ("torture_names", "openapi/v3/torture/names/{type}.md"),
];

fn torture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pages")
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/current")
}

fn site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/site")
}

#[test]
fn generated_code_matches_the_snapshots() {
    let mut modules = Vec::new();
    let pages = PAGES
        .iter()
        .map(|(name, page)| (name, page, shared()))
        .chain(SITE_PAGES.iter().map(|(name, page)| (name, page, site())))
        .chain(
            TORTURE_PAGES
                .iter()
                .map(|(name, page)| (name, page, torture())),
        );
    for (name, page, root) in pages {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
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

fn spec_of(pages: &[&str]) -> Spec {
    let mut operations = Vec::new();
    for page in pages {
        let text = std::fs::read_to_string(shared().join(page)).unwrap();
        let result = parse_page(page, &text);
        assert!(!result.has_errors(), "{page}: {:?}", result.diagnostics);
        operations.extend(result.operations);
    }
    Spec::new(operations)
}

#[test]
fn json_schema_derives_can_sit_behind_a_feature() {
    // The couponcodes spec: its overrides add limits, which become schemars attributes.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/couponcodes.json");
    let spec = Spec::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    // Without whitespace: prettyplease breaks long derives over lines.
    let code = |settings: &Settings| -> String {
        let text = generate(&spec, settings).unwrap().single_file().unwrap();
        text.split_whitespace().collect()
    };
    let mut settings = Settings::new();
    let always = code(&settings);
    assert!(always.contains("::serde::Serialize,::schemars::JsonSchema)]"));
    assert!(!always.contains("cfg_attr"));

    settings.with_json_schema_feature(true);
    let gated = code(&settings);
    let derives = gated.matches("::serde::Serialize)]").count()
        + gated.matches("::serde::Serialize,)]").count();
    assert!(derives > 0);
    assert_eq!(
        gated
            .matches("#[cfg_attr(feature=\"json-schema\",derive(::schemars::JsonSchema))]")
            .count(),
        derives,
        "every serde type keeps its JsonSchema derive under the feature"
    );
    assert_eq!(gated.matches("::schemars::JsonSchema").count(), derives);
    assert!(gated.contains("#[cfg_attr(feature=\"json-schema\",schemars("));
    assert!(
        !gated.contains("]#[schemars("),
        "no limit attribute left ungated"
    );
    assert!(gated.contains("#[cfg(feature=\"json-schema\")]pubfnjson_schemas()"));
}

#[test]
fn split_by_area_the_facade_re_exports_each_area_crate() {
    let spec = spec_of(&[
        "openapi/v3/billdownload/file.md",
        "openapi/v3/certificates.md",
        "openapi/v3/marketing/busifavor/stocks/{stock_id}.md",
        "openapi/v3/marketing/favor/coupon-stocks.md",
    ]);
    let mut settings = Settings::new();
    settings.with_features(true).with_split_area("v3-marketing");
    let generated = generate(&spec, &settings).unwrap();
    let whole = generated.files().unwrap();
    let split = generated
        .area_files(|feature| format!("corpus-{feature}"))
        .unwrap();

    let areas: Vec<&str> = split.areas.keys().map(String::as_str).collect();
    assert_eq!(
        areas,
        [
            "v3-billdownload",
            "v3-certificates",
            "v3-marketing-busifavor",
            "v3-marketing-favor"
        ]
    );
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let v3 = words(&split.facade["v3.rs"]);
    assert!(
        v3.contains(
            "#[cfg(feature = \"v3-billdownload\")] #[doc(inline)] pub use ::corpus_v3_billdownload as billdownload;"
        ),
        "{v3}"
    );
    assert!(
        v3.contains("pub fn json_schemas()"),
        "the facade keeps what is above the areas: {v3}"
    );
    // A split area's module stays in the facade, each product a crate.
    let marketing = words(&split.facade["v3/marketing.rs"]);
    assert!(
        marketing.contains(
            "#[cfg(feature = \"v3-marketing-busifavor\")] #[doc(inline)] pub use ::corpus_v3_marketing_busifavor as busifavor;"
        ),
        "{marketing}"
    );
    let facade_files: Vec<&str> = split.facade.keys().map(String::as_str).collect();
    assert_eq!(facade_files, ["mod.rs", "v3.rs", "v3/marketing.rs"]);
    assert_eq!(split.facade["mod.rs"], whole["mod.rs"]);
    // Above the areas the facade is the whole crate's files, each area's
    // `pub mod x;` a `#[doc(inline)] pub use ::crate as x;`.
    for (file, text) in &split.facade {
        let mut as_modules = text.clone();
        for area in ["billdownload", "certificates", "busifavor", "favor"] {
            let package = match area {
                "busifavor" | "favor" => format!("corpus_v3_marketing_{area}"),
                _ => format!("corpus_v3_{area}"),
            };
            as_modules = as_modules.replace(
                &format!("#[doc(inline)]\npub use ::{package} as {area};"),
                &format!("pub mod {area};"),
            );
        }
        assert_eq!(as_modules, whole[file], "{file}");
    }
    for (feature, area_crate) in &split.areas {
        let files = &area_crate.files;
        // The area crate is the area's module: its root `generated.rs` is
        // `v3/billdownload.rs`, and each file below the same file below.
        let area = feature
            .trim_start_matches("v3-")
            .replacen("marketing-", "marketing/", 1);
        assert_eq!(files["generated.rs"], whole[&format!("v3/{area}.rs")]);
        for (file, text) in files {
            let Some(below) = file.strip_prefix("generated/") else {
                continue;
            };
            let in_crate = format!("v3/{area}/{below}");
            assert_eq!(text, &whole[&in_crate], "{file} is {in_crate} either way");
        }
        let lib = words(&files["lib.rs"]);
        assert!(
            lib.ends_with(
                "#![deny(missing_docs)] #[rustfmt::skip] mod generated; pub use generated::*;"
            ),
            "{lib}"
        );
        assert!(lib.contains(&format!("`{feature}` feature")), "{lib}");
        assert_eq!(area_crate.title, format!("The `/v3/{area}` API area"));
        assert!(lib.contains(&area_crate.title), "{lib}");
    }
    // Without area features there is nothing to split by.
    let unsplit = generate(&spec, &Settings::new()).unwrap();
    assert!(unsplit.area_files(|f| f.to_owned()).is_err());
}

/// The events are a crate of their own when split, the same items as the
/// `events` module of the unsplit code, re-exported by the facade under the
/// `events` feature.
#[test]
fn split_the_events_are_a_crate_behind_their_feature() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/couponcodes.json");
    let spec = Spec::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        !spec.notifications.is_empty(),
        "the slice has notifications"
    );
    let mut settings = Settings::new();
    settings.with_features(true);
    let generated = generate(&spec, &settings).unwrap();
    let whole = generated.files().unwrap();
    let split = generated
        .area_files(|feature| format!("corpus-{feature}"))
        .unwrap();

    let events = &split.areas[wechatpay_codegen::EVENTS_FEATURE];
    assert_eq!(events.title, "The typed notifications (回调通知)");
    let facade = &split.facade["mod.rs"];
    assert!(
        facade.contains(
            "#[cfg(feature = \"events\")]\n#[doc(inline)]\npub use ::corpus_events as events;"
        ),
        "{facade}"
    );
    assert!(!facade.contains("pub mod events"), "{facade}");
    // Token for token, whatever the indentation did to the line breaks
    // (prettyplease ends a list it breaks with a comma a one-line list lacks).
    let tokens = |text: &str| {
        let mut text: String = text
            .parse::<proc_macro2::TokenStream>()
            .unwrap()
            .to_string()
            .split_whitespace()
            .collect();
        for close in [")", "]", "}", ">"] {
            text = text.replace(&format!(",{close}"), close);
        }
        text
    };
    let inline = &whole["mod.rs"];
    let start = inline
        .find("pub mod events {")
        .expect("unsplit, events are a module");
    let body = &inline[start + "pub mod events {".len()..inline.rfind('}').unwrap()];
    let body = body.split_once("over them all.\n").unwrap().1;
    let crate_items = events.files["generated.rs"]
        .split_once("over them all.\n")
        .unwrap()
        .1;
    assert_eq!(tokens(crate_items), tokens(body));
    assert!(tokens(crate_items).contains("pubenumEvent"));
    let lib = &events.files["lib.rs"];
    assert!(lib.contains("`events` feature"), "{lib}");
    assert!(
        lib.contains("mod generated;\npub use generated::*;"),
        "{lib}"
    );
}
