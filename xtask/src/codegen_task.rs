//! `cargo xtask codegen`: spec -> the checked-in bindings and their JSON Schemas.

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use clap::Args;
use wechatpay_codegen::{Settings, generate};
use wechatpay_spec::Spec;

use crate::fresh::ensure_file_contents;
use crate::workspace_root;

/// The spec the checked-in bindings are generated from.
pub(crate) const SPEC: &str = "spec/couponcodes.json";
/// Where the generated modules go.
const GENERATED_DIR: &str = "bindings/src/generated";

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
    let dir = root.join(GENERATED_DIR);
    for (name, contents) in &files {
        ensure_file_contents(&dir.join(name), contents, args.check)?;
    }
    // Files of paths that are no longer generated must not linger.
    if let Ok(entries) = fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") && !files.contains_key(&name) {
                if args.check {
                    return Err(format!(
                        "{GENERATED_DIR}/{name} is no longer generated: run `cargo xtask codegen` and commit the result"
                    ));
                }
                fs::remove_file(entry.path()).map_err(|e| format!("{name}: {e}"))?;
                eprintln!("removed {GENERATED_DIR}/{name}");
            }
        }
    }
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

/// The schemas are derived by schemars from the compiled bindings, so they are
/// written by a program built from the freshly generated code.
fn write_schemas(check: bool) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(workspace_root()).args([
        "run",
        "--quiet",
        "--package",
        "wechatpay-bindings",
        "--features",
        "json-schema",
        "--example",
        "json-schemas",
        "--",
        "schemas",
    ]);
    if check {
        command.arg("--check");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("writing the JSON Schemas failed (see above)".into())
    }
}
