//! `bindings!("spec/couponcodes.json")` expands to the same code `cargo xtask
//! codegen` checks in: every module of the spec inline, the typed call path, the
//! `WechatPayApi` trait and `json_schemas()`.
//!
//! ```ignore
//! mod wechatpay {
//!     wechatpay_macros::bindings!("spec/couponcodes.json");
//! }
//! ```
//!
//! The path is relative to the invoking crate's `Cargo.toml`. The expansion embeds
//! the spec with `include_str!`, so Cargo rebuilds when it changes. Add
//! `features = true` to gate each API area behind a Cargo feature (`v3-marketing`),
//! `split_areas = ["v3-marketing"]` to give each product of an area a feature of
//! its own (`v3-marketing-busifavor`), and `json_schema_feature = true` to put the `JsonSchema` derives and
//! `json_schemas()` behind a `json-schema` feature. The invoking crate needs
//! `wechatpay-runtime` (with its `json-schema` feature wherever the derives are
//! compiled), `serde`, `serde_json` and `schemars` as dependencies. Every problem
//! is a compile error at the path.

#![deny(missing_docs)]

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitBool, LitStr, Token};

struct Arguments {
    path: LitStr,
    features: bool,
    split_areas: Vec<String>,
    json_schema_feature: bool,
}

impl Parse for Arguments {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut features = false;
        let mut json_schema_feature = false;
        let mut split_areas = Vec::new();
        while input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let name: syn::Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            match name.to_string().as_str() {
                "features" => features = input.parse::<LitBool>()?.value,
                "json_schema_feature" => json_schema_feature = input.parse::<LitBool>()?.value,
                "split_areas" => {
                    let list;
                    syn::bracketed!(list in input);
                    let areas = list.parse_terminated(|item| item.parse::<LitStr>(), Token![,])?;
                    split_areas.extend(areas.iter().map(LitStr::value));
                }
                other => {
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "unknown option `{other}` (expected `features`, `split_areas` or `json_schema_feature`)"
                        ),
                    ));
                }
            }
        }
        Ok(Arguments {
            path,
            features,
            split_areas,
            json_schema_feature,
        })
    }
}

/// Generates the bindings of a spec file at compile time.
#[proc_macro]
pub fn bindings(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    expand(input.into(), &PathBuf::from(manifest_dir)).into()
}

/// The expansion, from the macro's input and the invoking crate's directory.
fn expand(input: TokenStream, manifest_dir: &std::path::Path) -> TokenStream {
    let arguments: Arguments = match syn::parse2(input) {
        Ok(arguments) => arguments,
        Err(error) => return error.to_compile_error(),
    };
    match generate(&arguments, manifest_dir) {
        Ok(tokens) => tokens,
        Err(message) => syn::Error::new(arguments.path.span(), message).to_compile_error(),
    }
}

fn generate(arguments: &Arguments, manifest_dir: &std::path::Path) -> Result<TokenStream, String> {
    let relative = arguments.path.value();
    let path = manifest_dir.join(&relative);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the spec {}: {e}", path.display()))?;
    let spec = wechatpay_spec::Spec::from_json(&text).map_err(|e| format!("{relative}: {e}"))?;
    let mut settings = wechatpay_codegen::Settings::new();
    settings
        .with_source(relative.as_str())
        .with_features(arguments.features)
        .with_json_schema_feature(arguments.json_schema_feature);
    for area in &arguments.split_areas {
        settings.with_split_area(area.as_str());
    }
    let generated =
        wechatpay_codegen::generate(&spec, &settings).map_err(|e| format!("{relative}: {e}"))?;
    let code = generated.inline();
    let absolute = LitStr::new(&path.display().to_string(), Span::call_site());
    Ok(quote! {
        // Makes Cargo rebuild when the spec changes.
        const _: &str = include_str!(#absolute);
        #code
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn expands_to_the_codegen_output() {
        let expanded = expand(quote!("spec/couponcodes.json"), &workspace()).to_string();
        let spec = wechatpay_spec::Spec::from_json(
            &std::fs::read_to_string(workspace().join("spec/couponcodes.json")).unwrap(),
        )
        .unwrap();
        let mut settings = wechatpay_codegen::Settings::new();
        settings.with_source("spec/couponcodes.json");
        let inline = wechatpay_codegen::generate(&spec, &settings)
            .unwrap()
            .inline()
            .to_string();
        assert!(expanded.contains("include_str"));
        assert!(expanded.ends_with(&inline));
    }

    #[test]
    fn problems_are_compile_errors() {
        let missing = expand(quote!("spec/nope.json"), &workspace()).to_string();
        assert!(
            missing.contains("compile_error") && missing.contains("cannot read the spec"),
            "{missing}"
        );
        let not_a_spec = expand(quote!("Cargo.toml"), &workspace()).to_string();
        assert!(
            not_a_spec.contains("compile_error") && not_a_spec.contains("not a valid spec"),
            "{not_a_spec}"
        );
        let bad_option =
            expand(quote!("spec/couponcodes.json", colour = true), &workspace()).to_string();
        assert!(
            bad_option.contains("unknown option `colour`"),
            "{bad_option}"
        );
        let not_a_string = expand(quote!(42), &workspace()).to_string();
        assert!(not_a_string.contains("compile_error"), "{not_a_string}");
    }
}
