//! The proc-macro and the checked-in crate are the same code: the macro expands
//! to `wechatpay_codegen::generate(..).inline()`, and that is, item for item, what
//! `cargo xtask codegen` wrote to `bindings/src/generated` and the area crates
//! under `bindings/areas` from the whole spec. The macro here expands the
//! couponcodes slice of it, and behaves like the crate's modules of the same
//! paths.

use std::path::{Path, PathBuf};

use wechatpay_runtime::Validate;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A generated file's items with every `mod x;` replaced by the module's
/// file, inline, as the compiler reads them: `x.rs` beside the file for
/// `mod.rs`, `<file stem>/x.rs` below any other file; and every area crate
/// re-exported as a module (`pub use ::wechatpay_bindings_v3_bill as bill;`)
/// replaced by that crate's root module, `generated.rs` of
/// `bindings/areas/v3-bill/src`.
fn resolved_items(path: &Path, count: &mut usize) -> Vec<syn::Item> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = syn::parse_file(&text).unwrap();
    *count += 1;
    let dir = if path.file_name().is_some_and(|name| name == "mod.rs") {
        path.parent().unwrap().to_owned()
    } else {
        path.with_extension("")
    };
    resolve(file.items, &dir, count)
}

fn resolve(items: Vec<syn::Item>, dir: &Path, count: &mut usize) -> Vec<syn::Item> {
    items
        .into_iter()
        .map(|item| match item {
            syn::Item::Mod(mut module) => {
                let child_dir = dir.join(module.ident.to_string());
                match module.content.take() {
                    Some((brace, items)) => {
                        module.content = Some((brace, resolve(items, &child_dir, count)));
                    }
                    None => {
                        let file = dir.join(format!("{}.rs", module.ident));
                        let text = std::fs::read_to_string(&file).unwrap();
                        let parsed = syn::parse_file(&text).unwrap();
                        *count += 1;
                        module.attrs.extend(parsed.attrs);
                        module.content = Some((
                            syn::token::Brace::default(),
                            resolve(parsed.items, &child_dir, count),
                        ));
                        module.semi = None;
                    }
                }
                syn::Item::Mod(module)
            }
            syn::Item::Use(re_export) => match area_crate(&re_export) {
                Some((name, feature)) => {
                    let src = workspace()
                        .join("bindings/areas")
                        .join(&feature)
                        .join("src");
                    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
                    assert!(
                        lib.ends_with("#[rustfmt::skip]\nmod generated;\npub use generated::*;\n"),
                        "the area crate is its module `generated`, re-exported: {lib}"
                    );
                    *count += 1;
                    let root = src.join("generated.rs");
                    let text = std::fs::read_to_string(&root).unwrap();
                    let parsed = syn::parse_file(&text).unwrap();
                    *count += 1;
                    let mut module: syn::ItemMod = syn::parse_quote!(pub mod #name {});
                    // `#[doc(inline)]` only tells rustdoc to show the crate as the
                    // module. The events' crate is behind the facade's `events`
                    // feature, which only the split layout has: unsplit, the
                    // events module is always there.
                    let events = feature == wechatpay_codegen::EVENTS_FEATURE;
                    module.attrs = re_export
                        .attrs
                        .into_iter()
                        .filter(|attr| match &attr.meta {
                            syn::Meta::List(list) => {
                                let dropped = list.path.is_ident("doc")
                                    || (events && list.path.is_ident("cfg"));
                                !dropped
                            }
                            _ => true,
                        })
                        .collect();
                    module.attrs.extend(parsed.attrs);
                    let items = resolve(parsed.items, &root.with_extension(""), count);
                    module.content = Some((syn::token::Brace::default(), items));
                    syn::Item::Mod(module)
                }
                None => syn::Item::Use(re_export),
            },
            other => other,
        })
        .collect()
}

/// The module name and the area feature of `pub use ::wechatpay_bindings_<feature> as <name>;`.
fn area_crate(item: &syn::ItemUse) -> Option<(syn::Ident, String)> {
    let syn::UseTree::Rename(rename) = &item.tree else {
        return None;
    };
    let package = rename.ident.to_string();
    let feature = package
        .strip_prefix("wechatpay_bindings_")?
        .replace('_', "-");
    Some((rename.rename.clone(), feature))
}

/// Items as code: doc comments read back from a file are raw strings, so tokens
/// are compared through their formatting rather than literally. Inside a
/// macro call prettyplease adds a trailing comma where it breaks a long list
/// (`required(3, "a_long_name",)`) and drops one from a list it keeps on one
/// line, and the file then has what the tokens have not: a trailing comma is
/// not a difference.
fn code(items: Vec<syn::Item>) -> String {
    let mut file = syn::parse_file("").expect("an empty file parses");
    file.items = items;
    let tokens = without_trailing_commas(quote::ToTokens::into_token_stream(file));
    prettyplease::unparse(&syn::parse2(tokens).expect("the items parse again"))
}

fn without_trailing_commas(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut inner: Vec<TokenTree> = without_trailing_commas(group.stream())
                    .into_iter()
                    .collect();
                if group.delimiter() != Delimiter::None
                    && matches!(inner.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',')
                {
                    inner.pop();
                }
                let mut rebuilt = Group::new(group.delimiter(), inner.into_iter().collect());
                rebuilt.set_span(group.span());
                TokenTree::Group(rebuilt)
            }
            other => other,
        })
        .collect()
}

#[test]
fn checked_in_files_are_the_inline_expansion_item_for_item() {
    let spec = wechatpay_spec::Spec::from_json(
        &std::fs::read_to_string(workspace().join("spec/wechatpay.json")).unwrap(),
    )
    .unwrap();
    let settings = wechatpay_codegen::Settings::for_bindings("spec/wechatpay.json");
    let generated = wechatpay_codegen::generate(&spec, &settings).unwrap();
    let inline: syn::File = syn::parse2(generated.inline()).unwrap();
    let mut files = 0;
    let on_disk = resolved_items(
        &workspace().join("bindings/src/generated/mod.rs"),
        &mut files,
    );
    assert_same(&code(inline.items), &code(on_disk));
    let on_disk_files = walk(&workspace().join("bindings/src/generated"))
        + walk(&workspace().join("bindings/areas"));
    assert_eq!(files, on_disk_files, "every generated file was compared");
    assert!(files > 1000, "the path modules are files of their own");
}

/// Equal, or a panic at the first line that differs: the whole API is too
/// long to read in an `assert_eq!` message.
fn assert_same(inline: &str, on_disk: &str) {
    let first_difference = inline
        .lines()
        .zip(on_disk.lines())
        .position(|(a, b)| a != b)
        .or_else(|| (inline.lines().count() != on_disk.lines().count()).then_some(0));
    if let Some(at) = first_difference {
        let around = |text: &str| -> String {
            let lines: Vec<&str> = text.lines().collect();
            lines[at.saturating_sub(3)..(at + 3).min(lines.len())].join("\n")
        };
        panic!(
            "line {} of the expansion differs:\ninline:\n{}\nfiles:\n{}",
            at + 1,
            around(inline),
            around(on_disk)
        );
    }
}

/// How many `.rs` files are below `dir`.
fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                usize::from(path.extension().is_some_and(|e| e == "rs"))
            }
        })
        .sum()
}

mod from_macro {
    wechatpay_macros::bindings!(
        "../spec/couponcodes.json",
        features = true,
        split_areas = ["v3-marketing"],
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
    // The crate's test build enables more of the API than the slice holds:
    // every schema of the slice is the crate's schema of the same name.
    let from_crate: std::collections::BTreeMap<_, _> = schemas(wechatpay_bindings::json_schemas())
        .into_iter()
        .collect();
    let from_macro = schemas(from_macro::json_schemas());
    assert!(from_macro.len() >= 10, "{from_macro:?}");
    for (name, schema) in from_macro {
        assert_eq!(Some(&schema), from_crate.get(name), "{name}");
    }
}
