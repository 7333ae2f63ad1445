//! `cargo xtask corpus --docs DIR`: the generator on a whole docs tree. Every page
//! is parsed, a crate with every operation (by default a facade and a crate per
//! API area, so areas compile in parallel) is generated into
//! `target/corpus/<name>`, and `cargo check` compiles it — with every API area
//! (without and with the JSON Schema derives), and with one area alone, since
//! users compile only the areas they enable.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Args;
use wechatpay_codegen::{AreaCrate, Generated, Settings, generate};

use crate::area_crates::{self, Home, area_manifest, facade_dependencies, facade_features};
use crate::codegen_task::report_skipped;
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
    let mut spec = read_docs(&args.docs, !args.strict)?;
    wechatpay_spec::names::assign(&mut spec);
    let parsed = started.elapsed();
    let mut settings = Settings::new();
    let source = args.docs.display().to_string();
    settings
        .with_source(source.as_str())
        .with_features(true)
        .with_json_schema_feature(true);
    let generated = generate(&spec, &settings).map_err(|e| e.to_string())?;
    report_skipped(generated.skipped());
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
    area_crates::area_package(FACADE, feature)
}

/// The formatted files of a corpus, before they are written.
pub(crate) struct Rendered {
    layout: Layout,
    features: Vec<String>,
    /// The facade's `src/generated` files.
    facade: BTreeMap<String, String>,
    /// Split: each area's crate.
    areas: BTreeMap<String, AreaCrate>,
}

impl Rendered {
    /// Lines of Rust in every file.
    pub(crate) fn lines(&self) -> usize {
        let area_files = self.areas.values().flat_map(|area| area.files.values());
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
    let home = Home::Standalone {
        runtime: root.join("runtime").display().to_string(),
    };
    let features: BTreeSet<String> = rendered.features.iter().cloned().collect();
    let areas: BTreeSet<String> = rendered.areas.keys().cloned().collect();
    let (feature_lines, area_dependencies) = match rendered.layout {
        Layout::Single => {
            let mut lines: String = features.iter().map(|f| format!("{f} = []\n")).collect();
            lines.push_str("json-schema = [\"dep:schemars\", \"wechatpay-runtime/json-schema\"]\n");
            (lines, String::new())
        }
        Layout::Split => {
            for (feature, area) in &rendered.areas {
                let area_dir = dir.join("areas").join(feature);
                for (file, text) in &area.files {
                    write(area_dir.join("src").join(file), text)?;
                }
                let header =
                    format!("# Written by `cargo xtask corpus`: the `{feature}` API area.\n");
                let manifest = area_manifest(&home, &header, FACADE, feature, area);
                write(area_dir.join("Cargo.toml"), &manifest)?;
            }
            (
                facade_features(FACADE, &features, &areas, &BTreeMap::new()),
                facade_dependencies(FACADE, &areas, "areas", None),
            )
        }
    };
    for (file, text) in &rendered.facade {
        write(dir.join("src/generated").join(file), text)?;
    }
    let defaults: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    let dependencies = home.dependencies();
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
{feature_lines}"#,
        defaults = defaults.join(", "),
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
    Ok(areas.into_iter().map(|area| area_package(&area)).collect())
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
