//! Writes (or with `--check`, checks) the JSON Schema of every payload of the
//! generated bindings into a directory: `cargo xtask codegen` runs it.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "schemas".to_owned()));
    let check = args.any(|a| a == "--check");
    let mut stale = Vec::new();
    let mut expected = std::collections::BTreeSet::new();
    for (name, schema) in wechatpay_bindings::json_schemas() {
        let file = dir.join(format!("{name}.json"));
        expected.insert(file.clone());
        let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
        text.push('\n');
        if std::fs::read_to_string(&file).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if check {
            stale.push(file.display().to_string());
        } else {
            std::fs::create_dir_all(&dir).expect("schemas directory");
            std::fs::write(&file, text).expect("schema file");
            eprintln!("updated {}", file.display());
        }
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") && !expected.contains(&path) {
            if check {
                stale.push(format!("{} (no longer generated)", path.display()));
            } else {
                std::fs::remove_file(&path).expect("remove stale schema");
                eprintln!("removed {}", path.display());
            }
        }
    }
    if stale.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "stale JSON Schemas: {}; run `cargo xtask codegen` and commit the result",
            stale.join(", ")
        );
        ExitCode::FAILURE
    }
}
