//! `cargo xtask codegen`: spec -> the checked-in bindings and their JSON Schemas.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::process::Command;

use clap::Args;
use wechatpay_codegen::{Settings, generate};
use wechatpay_spec::Spec;

use crate::fresh::{ensure_dir_contents, ensure_file_contents};
use crate::workspace_root;

/// The spec the checked-in bindings are generated from.
pub(crate) const SPEC: &str = crate::spec_task::WHOLE_SPEC;
/// API areas too big to compile whole for one of their products: each product
/// (`/v3/marketing/busifavor`) gets a feature of its own (`v3-marketing-busifavor`),
/// and the area's feature enables them all. Marketing is 14 products and about
/// 150 operations; a user of busifavor should compile busifavor.
const SPLIT_AREAS: &[&str] = &["v3-marketing"];
/// Where the generated modules go.
const GENERATED_DIR: &str = "bindings/src/generated";
/// Where the JSON Schemas of the payloads go.
const SCHEMAS_DIR: &str = "schemas";

#[derive(Args)]
pub(crate) struct CodegenArgs {
    /// Fail if anything generated is stale instead of writing it.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: CodegenArgs) -> Result<(), String> {
    let root = workspace_root();
    let text = fs::read_to_string(root.join(SPEC)).map_err(|e| format!("{SPEC}: {e}"))?;
    let spec = Spec::from_json(&text).map_err(|e| format!("{SPEC}: {e}"))?;
    let mut settings = Settings::new();
    settings
        .with_source(SPEC)
        .with_features(true)
        .with_json_schema_feature(true);
    for area in SPLIT_AREAS {
        settings.with_split_area(*area);
    }
    let generated = generate(&spec, &settings).map_err(|e| e.to_string())?;
    for skipped in generated.skipped() {
        eprintln!("not generated: {}: {}", skipped.operation, skipped.reason);
    }
    let files = generated.files().map_err(|e| e.to_string())?;
    ensure_dir_contents(&root.join(GENERATED_DIR), "rs", &files, args.check)?;
    write_features(
        generated.features(),
        generated.umbrella_features(),
        args.check,
    )?;
    write_schemas(args.check)?;
    eprintln!(
        "{} operations in {} modules",
        generated.operation_count(),
        files.len() - 1
    );
    Ok(())
}

const AREAS_BEGIN: &str = "# @generated API areas: begin";
const AREAS_END: &str = "# @generated API areas: end";

/// The API areas the code is gated on are the bindings crate's features, one
/// per `/v3/<area>`, plus `all-areas`: a block of `bindings/Cargo.toml`
/// between two marker lines, written (or checked) like the generated code.
fn write_features(
    features: &BTreeSet<String>,
    umbrellas: &BTreeMap<String, BTreeSet<String>>,
    check: bool,
) -> Result<(), String> {
    let path = workspace_root().join("bindings/Cargo.toml");
    let manifest = fs::read_to_string(&path).map_err(|e| format!("bindings/Cargo.toml: {e}"))?;
    let (Some(begin), Some(end)) = (manifest.find(AREAS_BEGIN), manifest.find(AREAS_END)) else {
        return Err(format!(
            "bindings/Cargo.toml: the lines `{AREAS_BEGIN}` and `{AREAS_END}` mark where the API area features go"
        ));
    };
    let mut block = format!("{AREAS_BEGIN}\n");
    let quoted = |features: &BTreeSet<String>| -> String {
        let quoted: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
        quoted.join(", ")
    };
    let mut every: BTreeSet<&String> = features.iter().collect();
    every.extend(umbrellas.keys());
    for feature in every {
        let enables = umbrellas.get(feature).map(quoted).unwrap_or_default();
        block.push_str(&format!("{feature} = [{enables}]\n"));
    }
    block.push_str("# Every API area.\n");
    block.push_str(&format!("all-areas = [{}]\n", quoted(features)));
    let updated = format!("{}{block}{}", &manifest[..begin], &manifest[end..]);
    ensure_file_contents(&path, &updated, check).map(|_| ())
}

/// The schemas are derived by schemars from the compiled bindings, so a program
/// built from the freshly generated code prints them, and they are written (or
/// checked) like the generated code.
fn write_schemas(check: bool) -> Result<(), String> {
    let output = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "run",
            "--quiet",
            "--package",
            "wechatpay-bindings",
            "--features",
            "json-schema",
            "--example",
            "json-schemas",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("printing the JSON Schemas failed (see above)".into());
    }
    let schemas: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("the JSON Schemas printed are not a JSON object: {e}"))?;
    let files: BTreeMap<String, String> = schemas
        .into_iter()
        .map(|(name, schema)| {
            let mut text = serde_json::to_string_pretty(&schema).expect("values serialize");
            text.push('\n');
            (format!("{name}.json"), text)
        })
        .collect();
    ensure_dir_contents(&workspace_root().join(SCHEMAS_DIR), "json", &files, check)
}
