//! `cargo xtask corpus --docs DIR`: the generator on a whole docs tree. Every page
//! is parsed, a crate with every operation (by default a facade and a crate per
//! API area, so areas compile in parallel) is generated into
//! `target/corpus/<name>`, and `cargo check` compiles it — with every API area
//! (without and with the JSON Schema derives), and with one area alone, since
//! users compile only the areas they enable.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Args;
use wechatpay_codegen::{Generated, Settings, generate};

use crate::spec_task::read_docs;
use crate::workspace_root;

#[derive(Args)]
pub(crate) struct CorpusArgs {
    /// Docs tree laid out like the site (`openapi/v3/...`).
    #[arg(long)]
    docs: PathBuf,
    /// Fail when a page or row cannot be read (default: report and go on).
    #[arg(long)]
    strict: bool,
    /// Generate the crate but do not compile it.
    #[arg(long)]
    no_check: bool,
    /// One crate per API area behind a facade (areas compile in parallel), or
    /// everything in one crate.
    #[arg(long, value_enum, default_value = "split")]
    layout: Layout,
}

pub(crate) fn run(args: CorpusArgs) -> Result<(), String> {
    let started = Instant::now();
    let spec = read_docs(&args.docs, !args.strict)?;
    let parsed = started.elapsed();
    let mut settings = Settings::new();
    let source = args.docs.display().to_string();
    settings
        .with_source(source.as_str())
        .with_features(true)
        .with_json_schema_feature(true);
    let generated = generate(&spec, &settings).map_err(|e| e.to_string())?;
    for skipped in generated.skipped() {
        eprintln!("not generated: {}: {}", skipped.operation, skipped.reason);
    }
    let name = args
        .docs
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "docs".to_owned());
    let dir = workspace_root().join("target/corpus").join(sanitize(&name));
    let rendered = render(&generated, args.layout)?;
    let formatted = started.elapsed();
    let areas = write_crate(&dir, &rendered)?;
    eprintln!(
        "{} operations parsed in {:.1} ms; {} generated ({} skipped) and formatted in {:.1} ms, written in {:.1} ms: {} lines of Rust, {} areas, {} packages, in {}",
        spec.operations.len(),
        parsed.as_secs_f64() * 1000.0,
        generated.operation_count(),
        generated.skipped().len(),
        (formatted - parsed).as_secs_f64() * 1000.0,
        (started.elapsed() - formatted).as_secs_f64() * 1000.0,
        rendered.lines(),
        generated.features().len(),
        areas.len() + 1,
        dir.display(),
    );
    if args.no_check {
        return Ok(());
    }
    let mut checks: Vec<(String, Vec<&str>)> = vec![
        ("every area".into(), vec![]),
        (
            "every area with `json-schema`".into(),
            vec!["--features", "json-schema"],
        ),
    ];
    if let Some(first) = generated.features().iter().next() {
        checks.push((
            format!("only `{first}`"),
            vec!["--no-default-features", "--features", first],
        ));
    }
    for (what, extra) in checks {
        let check_started = Instant::now();
        cargo_check(&dir, &extra)?;
        eprintln!(
            "cargo check, {what}: {:.1} s",
            check_started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// How the generated crate is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub(crate) enum Layout {
    /// A facade crate and one crate per API area: areas compile in parallel.
    Split,
    /// Every module in one crate.
    Single,
}

/// The facade package of a written corpus.
pub(crate) const FACADE: &str = "wechatpay-corpus";

/// The package of an area's modules.
pub(crate) fn area_package(feature: &str) -> String {
    format!("{FACADE}-{feature}")
}

/// The formatted files of a corpus, before they are written.
pub(crate) struct Rendered {
    layout: Layout,
    features: Vec<String>,
    /// The facade's `src/generated` files.
    facade: BTreeMap<String, String>,
    /// Split: each area's `src` files.
    areas: BTreeMap<String, BTreeMap<String, String>>,
}

impl Rendered {
    /// Lines of Rust in every file.
    pub(crate) fn lines(&self) -> usize {
        let area_files = self.areas.values().flat_map(BTreeMap::values);
        self.facade
            .values()
            .chain(area_files)
            .map(|text| text.lines().count())
            .sum()
    }
}

/// Formats the generated code for `layout` (most of the generator's time).
pub(crate) fn render(generated: &Generated, layout: Layout) -> Result<Rendered, String> {
    let (facade, areas) = match layout {
        Layout::Single => (
            generated.files().map_err(|e| e.to_string())?,
            BTreeMap::new(),
        ),
        Layout::Split => {
            let split = generated
                .area_files(area_package)
                .map_err(|e| e.to_string())?;
            (split.facade, split.areas)
        }
    };
    Ok(Rendered {
        layout,
        features: generated.features().iter().cloned().collect(),
        facade,
        areas,
    })
}

/// Writes a standalone workspace (its own `[workspace]`, this runtime as a
/// path dependency) with the generated code: the `wechatpay-corpus` facade,
/// each area a feature, `json-schema` a feature; split, each area's modules in
/// a crate of its own. Returns the packages written besides the facade.
pub(crate) fn write_crate(dir: &Path, rendered: &Rendered) -> Result<Vec<String>, String> {
    let root = workspace_root();
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let write = |path: PathBuf, text: &str| -> Result<(), String> {
        fs::create_dir_all(path.parent().expect("files are written inside `dir`"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let runtime = root.join("runtime").display().to_string();
    let dependencies = format!(
        r#"wechatpay-runtime = {{ path = {runtime:?} }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
schemars = {{ version = "1", optional = true }}
"#
    );
    let features = &rendered.features;
    let mut packages = Vec::new();
    let mut area_dependencies = String::new();
    let mut feature_lines = String::new();
    let mut schema_features = vec![
        "\"dep:schemars\"".to_owned(),
        "\"wechatpay-runtime/json-schema\"".to_owned(),
    ];
    match rendered.layout {
        Layout::Single => {
            for feature in features {
                feature_lines.push_str(&format!("{feature} = []\n"));
            }
        }
        Layout::Split => {
            for (feature, files) in &rendered.areas {
                let package = area_package(feature);
                for (file, text) in files {
                    write(dir.join("areas").join(feature).join("src").join(file), text)?;
                }
                let manifest = format!(
                    r#"# Written by `cargo xtask corpus`: the `{feature}` API area.
[package]
name = "{package}"
version = "0.0.0"
edition = "2024"
publish = false

[lib]
doctest = false

[dependencies]
{dependencies}
[features]
json-schema = ["dep:schemars", "wechatpay-runtime/json-schema"]
"#
                );
                write(
                    dir.join("areas").join(feature).join("Cargo.toml"),
                    &manifest,
                )?;
                area_dependencies.push_str(&format!(
                    "{package} = {{ path = \"areas/{feature}\", optional = true }}\n"
                ));
                feature_lines.push_str(&format!("{feature} = [\"dep:{package}\"]\n"));
                schema_features.push(format!("\"{package}?/json-schema\""));
                packages.push(package);
            }
        }
    }
    for (file, text) in &rendered.facade {
        write(dir.join("src/generated").join(file), text)?;
    }
    let defaults: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    let manifest = format!(
        r#"# Written by `cargo xtask corpus`.
[package]
name = "{FACADE}"
version = "0.0.0"
edition = "2024"
publish = false

[lib]
doctest = false

[workspace]
{members}
[dependencies]
{dependencies}{area_dependencies}
[features]
default = [{defaults}]
json-schema = [{schema_features}]
{feature_lines}"#,
        defaults = defaults.join(", "),
        schema_features = schema_features.join(", "),
        // A tree of notifications only has no area crate to glob.
        members = match rendered.layout {
            Layout::Split if !area_dependencies.is_empty() => "members = [\"areas/*\"]\n",
            _ => "",
        },
    );
    write(dir.join("Cargo.toml"), &manifest)?;
    write(
        dir.join("src/lib.rs"),
        "//! Every operation of a docs tree, generated by `cargo xtask corpus`.\n\n#[rustfmt::skip]\nmod generated;\n\npub use generated::*;\n",
    )?;
    // The same dependency versions as the workspace, resolved without the network.
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    Ok(packages)
}

pub(crate) fn cargo_check(dir: &Path, extra: &[&str]) -> Result<(), String> {
    let status = Command::new(env!("CARGO"))
        .current_dir(dir)
        // Share the workspace's target directory: the dependencies are already built.
        .env("CARGO_TARGET_DIR", workspace_root().join("target"))
        .args(["check", "--quiet", "--offline"])
        .args(extra)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the generated crate in {} does not compile",
            dir.display()
        ))
    }
}
