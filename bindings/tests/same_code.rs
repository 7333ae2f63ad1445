//! The proc-macro and the checked-in crate are the same code: the macro expands
//! to `wechatpay_codegen::generate(..).inline()`, and that is, item for item, what
//! `cargo xtask codegen` wrote to `bindings/src/generated`.

use std::path::{Path, PathBuf};

use wechatpay_runtime::Validate;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn file_items(path: &Path) -> Vec<syn::Item> {
    let text = std::fs::read_to_string(path).unwrap();
    syn::parse_file(&text).unwrap().items
}

/// Items as code: doc comments read back from a file are raw strings, so tokens
/// are compared through their formatting rather than literally.
fn code(items: Vec<syn::Item>) -> String {
    let mut file = syn::parse_file("").expect("an empty file parses");
    file.items = items;
    prettyplease::unparse(&file)
}

#[test]
fn checked_in_files_are_the_inline_expansion_item_for_item() {
    let spec = wechatpay_spec::Spec::from_json(
        &std::fs::read_to_string(workspace().join("spec/couponcodes.json")).unwrap(),
    )
    .unwrap();
    let mut settings = wechatpay_codegen::Settings::new();
    settings
        .with_source("spec/couponcodes.json")
        .with_features(true)
        .with_json_schema_feature(true);
    let generated = wechatpay_codegen::generate(&spec, &settings).unwrap();
    let inline: syn::File = syn::parse2(generated.inline()).unwrap();
    let generated_dir = workspace().join("bindings/src/generated");

    let mut root_items = Vec::new();
    let mut compared = 0;
    for item in inline.items {
        match item {
            syn::Item::Mod(module)
                if module.content.is_some()
                    && generated_dir.join(format!("{}.rs", module.ident)).exists() =>
            {
                let file = generated_dir.join(format!("{}.rs", module.ident));
                let (_, items) = module.content.unwrap();
                assert_eq!(
                    code(items),
                    code(file_items(&file)),
                    "module {}",
                    module.ident
                );
                compared += 1;
            }
            other => root_items.push(other),
        }
    }
    assert_eq!(compared, 6, "every path module was compared");
    // mod.rs declares the path modules as files; the rest is the root items.
    let on_disk: Vec<syn::Item> = file_items(&generated_dir.join("mod.rs"))
        .into_iter()
        .filter(|item| !matches!(item, syn::Item::Mod(m) if m.content.is_none()))
        .collect();
    assert_eq!(code(root_items), code(on_disk), "mod.rs");
}

mod from_macro {
    wechatpay_macros::bindings!(
        "../spec/couponcodes.json",
        features = true,
        json_schema_feature = true
    );
}

#[test]
fn the_macro_expansion_behaves_like_the_checked_in_crate() {
    use from_macro::v3::marketing::busifavor::stocks::stock_id::couponcodes as macro_codes;
    use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes as crate_codes;
    let codes = vec!["A".to_owned(), "B c".to_owned()];
    let from_macro = macro_codes::UploadCouponCodesBody::new(codes.clone(), "no-1");
    let from_crate = crate_codes::UploadCouponCodesBody::new(codes, "no-1");
    assert_eq!(
        serde_json::to_value(&from_macro).unwrap(),
        serde_json::to_value(&from_crate).unwrap()
    );
    assert_eq!(from_macro.validate(), from_crate.validate());
    let schemas = |list: Vec<(&'static str, schemars::Schema)>| -> Vec<_> {
        list.into_iter()
            .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap()))
            .collect()
    };
    assert_eq!(
        schemas(from_macro::json_schemas()),
        schemas(wechatpay_bindings::json_schemas())
    );
}
