//! Compile times, clean beyond dependencies: the runtime (the baseline), the
//! bindings by area, a generated crate of a thousand pages, and progenitor's
//! crate for the same operations when it is installed.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wechatpay_codegen::{Settings, generate};

use super::{cargo, run_ok, timed};
use crate::area_crates::area_package;
use crate::codegen_task;
use crate::corpus_task::{FACADE, Layout, render, write_crate};
use crate::spec_task::read_docs;

/// Clean `cargo check` and (with `build`) `cargo build` of `package` beyond
/// its dependencies: they are built first, then only `package` and
/// `also_clean` (dependencies generated with it, such as a corpus's area
/// crates) are cleaned.
fn clean_times(
    root: &Path,
    manifest: &Path,
    package: &str,
    also_clean: &[String],
    features: &[&str],
    build: bool,
) -> Result<(Duration, Option<Duration>), String> {
    let target = root.join("target/bench-compile");
    let with = |verb: &str| {
        let mut command = cargo(root);
        command
            .args([verb, "--quiet", "--offline", "--manifest-path"])
            .arg(manifest)
            .args(["-p", package])
            .args(features)
            .env("CARGO_TARGET_DIR", &target);
        command
    };
    let clean = || {
        let mut command = cargo(root);
        command
            .args(["clean", "--quiet", "--offline", "--manifest-path"])
            .arg(manifest)
            .args(["-p", package])
            .args(also_clean.iter().flat_map(|other| ["-p", other.as_str()]))
            .env("CARGO_TARGET_DIR", &target);
        command
    };
    run_ok(&mut with("check"))?;
    if build {
        run_ok(&mut with("build"))?;
    }
    run_ok(&mut clean())?;
    let check = timed(&mut with("check"))?;
    if !build {
        return Ok((check, None));
    }
    run_ok(&mut clean())?;
    let build = timed(&mut with("build"))?;
    Ok((check, Some(build)))
}

/// The runtime is the baseline; `bindings` adds the bindings crate and
/// progenitor's, `site` (a docs tree) a crate of a thousand pages.
pub(super) fn compile_times(
    root: &Path,
    bindings: bool,
    site: Option<&Path>,
    progenitor: Option<&Path>,
) -> Result<String, String> {
    eprintln!("measuring compile times");
    let mut rows: Vec<CompileRow> = Vec::new();
    let (check, build) = clean_times(
        root,
        &root.join("Cargo.toml"),
        "wechatpay-runtime",
        &[],
        &[],
        true,
    )?;
    rows.push((
        "wechatpay-runtime, hand-written (baseline)".into(),
        rust_lines(&root.join("runtime/src")),
        check,
        build,
    ));
    let mut progenitor_note = String::new();
    if bindings {
        compile_bindings(root, progenitor, &mut rows, &mut progenitor_note)?;
    }
    if let Some(docs) = site {
        compile_site(root, docs, &mut rows)?;
    }
    let base = (
        rows[0].2.as_secs_f64(),
        rows[0].3.map_or(f64::NAN, |build| build.as_secs_f64()),
    );
    let mut out = String::from(
        "\n## Compile time, clean beyond dependencies (dev profile)\n\n\
         | crate | lines | cargo check | ratio | cargo build | ratio |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for (name, lines, check, build) in &rows {
        let lines = if *lines == 0 {
            "-".to_owned()
        } else {
            lines.to_string()
        };
        let build = match build {
            Some(build) => format!(
                "{:.1} s | {:.2}",
                build.as_secs_f64(),
                build.as_secs_f64() / base.1
            ),
            None => "- | -".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {name} | {lines} | {:.1} s | {:.2} | {build} |",
            check.as_secs_f64(),
            check.as_secs_f64() / base.0,
        );
    }
    out.push_str(&progenitor_note);
    Ok(out)
}

/// Name, lines of Rust, clean check, clean build (when measured).
type CompileRow = (String, usize, Duration, Option<Duration>);

/// Lines of the `.rs` files under `dir`.
fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                fs::read_to_string(&path).map_or(0, |text| text.lines().count())
            } else {
                0
            }
        })
        .sum()
}

fn compile_bindings(
    root: &Path,
    progenitor: Option<&Path>,
    rows: &mut Vec<CompileRow>,
    note: &mut String,
) -> Result<(), String> {
    let manifest = root.join("Cargo.toml");
    // The area crates are the bindings' own code: cleaned with the facade.
    let areas_dir = root.join("bindings/areas");
    let mut areas: Vec<String> = fs::read_dir(&areas_dir)
        .map_err(|e| format!("{}: {e}", areas_dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| area_package(codegen_task::FACADE, &entry.file_name().to_string_lossy()))
        .collect();
    areas.sort();
    // Lines are given once, on the first row: the variants compile the same
    // files. Every area together is only checked: building it as well would
    // double the longest part of the run for a figure no user waits for twice.
    let variants: [(&str, usize, &[&str], bool); 6] = [
        (
            "wechatpay-bindings, default features (`couponcodes`: busifavor and its helpers; lines: every generated file)",
            rust_lines(&root.join("bindings/src/generated")) + rust_lines(&areas_dir),
            &[],
            true,
        ),
        (
            "only the couponcodes area, generated code only (`--no-default-features --features v3-marketing-busifavor`)",
            0,
            &[
                "--no-default-features",
                "--features",
                "v3-marketing-busifavor",
            ],
            true,
        ),
        (
            "the same, with `json-schema`",
            0,
            &[
                "--no-default-features",
                "--features",
                "v3-marketing-busifavor,json-schema",
            ],
            true,
        ),
        (
            "only the biggest area, `/v3/marketing` (`--no-default-features --features v3-marketing`)",
            0,
            &["--no-default-features", "--features", "v3-marketing"],
            true,
        ),
        (
            "every area (`--features all-areas`)",
            0,
            &["--features", "all-areas"],
            false,
        ),
        (
            "every area with `json-schema` (`--all-features`)",
            0,
            &["--all-features"],
            false,
        ),
    ];
    for (name, lines, features, build) in variants {
        let (check, build) = clean_times(
            root,
            &manifest,
            "wechatpay-bindings",
            &areas,
            features,
            build,
        )?;
        rows.push((name.into(), lines, check, build));
    }
    match progenitor {
        Some(tool) => {
            let (lines, check, build) = progenitor_times(root, tool)?;
            rows.push((
                "progenitor, the couponcodes slice's operations from its OpenAPI export (3.0)".into(),
                lines,
                check,
                build,
            ));
        }
        None => note.push_str(
            "\nprogenitor: not measured (`cargo install cargo-progenitor`, or `--progenitor PATH`).\n",
        ),
    }
    Ok(())
}

fn compile_site(root: &Path, docs: &Path, rows: &mut Vec<CompileRow>) -> Result<(), String> {
    let tree = root.join("target/bench/thousand-pages");
    let pages = wechatpay_bench::thousand_page_tree(docs, &tree)
        .map_err(|e| format!("{}: {e}", docs.display()))?;
    let mut spec = read_docs(&tree, true)?;
    wechatpay_spec::names::assign(&mut spec);
    let mut settings = Settings::new();
    settings
        .with_source("a thousand pages")
        .with_features(true)
        .with_json_schema_feature(true);
    let generated = generate(&spec, &settings).map_err(|e| e.to_string())?;
    let what = format!(
        "{pages} pages: {} operations, {} areas",
        generated.operation_count(),
        generated.features().len()
    );
    let area = generated
        .features()
        .iter()
        .next()
        .cloned()
        .ok_or("the thousand pages have no API area")?;
    // Split by area, as a crate of this size would ship: the one-crate layout
    // (`cargo xtask corpus --layout single`) takes about twice as long on two cores.
    let dir = root.join("target/corpus/thousand-pages");
    let rendered = render(&generated, Layout::Split)?;
    let areas = write_crate(&dir, &rendered)?;
    let manifest = dir.join("Cargo.toml");
    let (check, build) = clean_times(root, &manifest, FACADE, &areas, &[], true)?;
    rows.push((
        format!("{what}, a crate per area behind a facade"),
        rendered.lines(),
        check,
        build,
    ));
    let (check, build) = clean_times(
        root,
        &manifest,
        FACADE,
        &areas,
        &["--features", "json-schema"],
        true,
    )?;
    rows.push(("the same, with `json-schema`".into(), 0, check, build));
    let (check, build) = clean_times(
        root,
        &manifest,
        FACADE,
        &areas,
        &["--no-default-features", "--features", &area],
        true,
    )?;
    rows.push((format!("the same, only `{area}`"), 0, check, build));
    Ok(())
}

pub(super) fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// progenitor on the couponcodes operations: the project's OpenAPI export,
/// brought down to the 3.0 progenitor reads, generated into a crate whose clean
/// compile times are measured like ours. Returns its lines, check and build.
fn progenitor_times(
    root: &Path,
    tool: &Path,
) -> Result<(usize, Duration, Option<Duration>), String> {
    eprintln!("generating the couponcodes operations with progenitor");
    let spec_text =
        fs::read_to_string(root.join("spec/couponcodes.json")).map_err(|e| e.to_string())?;
    let spec = wechatpay_spec::Spec::from_json(&spec_text).map_err(|e| e.to_string())?;
    let mut document = wechatpay_spec::openapi::to_openapi(&spec, "couponcodes");
    to_openapi_30(&mut document);
    let dir = root.join("target/bench/progenitor");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let input = dir.join("openapi-3.0.json");
    fs::write(
        &input,
        serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let output = dir.join("crate");
    run_ok(
        Command::new(tool)
            .arg("progenitor")
            .arg("-i")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .args(["-n", "couponcodes-progenitor", "-v", "0.1.0"]),
    )?;
    let manifest = output.join("Cargo.toml");
    // Out of this workspace (it lives under its target directory).
    let mut text = fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    text.push_str("\n[workspace]\n");
    fs::write(&manifest, text).map_err(|e| e.to_string())?;
    // Its own dependencies (progenitor-client, its reqwest) come from the registry.
    run_ok(
        cargo(root)
            .arg("fetch")
            .arg("--manifest-path")
            .arg(&manifest),
    )?;
    let lines = rust_lines(&output.join("src"));
    let (check, build) = clean_times(root, &manifest, "couponcodes-progenitor", &[], &[], true)?;
    Ok((lines, check, build))
}

/// OpenAPI 3.1 -> 3.0 for what the export uses: the version, `type` lists with
/// `"null"` (-> `nullable`), `const` (-> a one-value `enum`) and `examples`
/// (-> `example`).
fn to_openapi_30(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.get("openapi").is_some_and(Value::is_string) {
                map.insert("openapi".into(), "3.0.3".into());
            }
            map.remove("jsonSchemaDialect");
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let nullable = types.iter().any(|t| t == "null");
                let rest: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
                if let [only] = rest.as_slice() {
                    map.insert("type".into(), only.clone());
                }
                if nullable {
                    map.insert("nullable".into(), true.into());
                }
            }
            if let Some(constant) = map.remove("const") {
                map.insert("enum".into(), Value::Array(vec![constant]));
            }
            if let Some(Value::Array(examples)) = map.remove("examples")
                && let Some(first) = examples.into_iter().next()
            {
                map.insert("example".into(), first);
            }
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    // Field names, not keywords: a field may be called `const`.
                    ("properties", Value::Object(fields)) => {
                        fields.values_mut().for_each(to_openapi_30)
                    }
                    (_, child) => to_openapi_30(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_openapi_30),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::to_openapi_30;

    #[test]
    fn openapi_31_keywords_become_30_and_field_names_stay() {
        let mut document = json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "components": {"schemas": {"A": {
                "type": "object",
                "properties": {
                    "const": {"type": ["string", "null"], "examples": ["x", "y"]},
                    "kind": {"const": "FIXED"}
                }
            }}}
        });
        to_openapi_30(&mut document);
        assert_eq!(
            document,
            json!({
                "openapi": "3.0.3",
                "components": {"schemas": {"A": {
                    "type": "object",
                    "properties": {
                        "const": {"type": "string", "nullable": true, "example": "x"},
                        "kind": {"enum": ["FIXED"]}
                    }
                }}}
            })
        );
    }
}
