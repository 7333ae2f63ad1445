//! `cargo xtask codegen`: spec -> the checked-in bindings and their JSON Schemas.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::process::Command;

use clap::Args;
use wechatpay_codegen::{Settings, generate};
use wechatpay_spec::Spec;

use crate::fresh::ensure_dir_contents;
use crate::workspace_root;

/// The spec the checked-in bindings are generated from.
pub(crate) const SPEC: &str = "spec/couponcodes.json";
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
    let generated = generate(&spec, &settings).map_err(|e| e.to_string())?;
    for skipped in generated.skipped() {
        eprintln!("not generated: {}: {}", skipped.operation, skipped.reason);
    }
    let files = generated.files().map_err(|e| e.to_string())?;
    ensure_dir_contents(&root.join(GENERATED_DIR), "rs", &files, args.check)?;
    check_features(generated.features())?;
    write_schemas(args.check)?;
    eprintln!(
        "{} operations in {} modules",
        generated.operation_count(),
        files.len() - 1
    );
    Ok(())
}

/// Every API area the code is gated on must be a feature of the bindings crate.
fn check_features(features: &BTreeSet<String>) -> Result<(), String> {
    let manifest = fs::read_to_string(workspace_root().join("bindings/Cargo.toml"))
        .map_err(|e| format!("bindings/Cargo.toml: {e}"))?;
    let missing: Vec<&String> = features
        .iter()
        .filter(|f| {
            !manifest
                .lines()
                .any(|line| line.trim_start().starts_with(&format!("{f} =")))
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "bindings/Cargo.toml must declare the features {missing:?} used by the generated code"
        ))
    }
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
