//! `cargo xtask spec`: docs tree -> spec file.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use wechatpay_docs_parser::{Severity, parse_tree};
use wechatpay_spec::Spec;
use wechatpay_spec::overrides::Overrides;

use crate::fresh::ensure_file_contents;
use crate::workspace_root;

#[derive(Args)]
pub(crate) struct SpecArgs {
    /// Docs tree laid out like the site (`openapi/v3/...`). Default: `spec/docs`.
    #[arg(long)]
    docs: Option<PathBuf>,
    /// Where to write the spec. Default: `spec/couponcodes.json` for the default
    /// docs; none (summary only) for another tree.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overrides to apply. Default: `spec/overrides.toml` for the default docs.
    #[arg(long)]
    overrides: Option<PathBuf>,
    /// Fail if the written files would change instead of writing them.
    #[arg(long)]
    check: bool,
    /// Report pages and rows that cannot be read, keep the rest and succeed.
    #[arg(long)]
    lenient: bool,
}

pub(crate) fn run(args: SpecArgs) -> Result<(), String> {
    let root = workspace_root();
    let default_tree = args.docs.is_none();
    let docs = args.docs.unwrap_or_else(|| root.join("spec/docs"));
    let out = args
        .out
        .or_else(|| default_tree.then(|| root.join("spec/couponcodes.json")));
    let overrides = args
        .overrides
        .or_else(|| default_tree.then(|| root.join("spec/overrides.toml")));

    let started = Instant::now();
    let mut spec = read_docs(&docs, args.lenient)?;
    let elapsed = started.elapsed();

    if let Some(path) = &overrides {
        apply_overrides(&mut spec, path)?;
    }
    if let Some(out) = &out {
        ensure_file_contents(out, &spec.to_json(), args.check)?;
    }
    if default_tree {
        ensure_file_contents(
            &root.join("spec/spec.schema.json"),
            &Spec::json_schema(),
            args.check,
        )?;
    }
    eprintln!(
        "{} operations read in {:.1} ms",
        spec.operations.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// Reads a docs tree, printing every diagnostic; errors fail unless `lenient`.
pub(crate) fn read_docs(docs: &Path, lenient: bool) -> Result<Spec, String> {
    let result = parse_tree(docs).map_err(|e| e.to_string())?;
    for diagnostic in &result.diagnostics {
        eprintln!("{diagnostic}");
    }
    let errors = result.errors().count();
    let mut by_kind: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for diagnostic in &result.diagnostics {
        if diagnostic.severity == Severity::Warning {
            let kind = diagnostic.kind.map_or("other", |kind| kind.name());
            *by_kind.entry(kind).or_default() += 1;
        }
    }
    let warnings: usize = by_kind.values().sum();
    let kinds = if by_kind.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = by_kind
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    eprintln!(
        "{}: {} pages ({} not API pages), {} operations, {} notifications, {errors} errors, {warnings} warnings{kinds}",
        docs.display(),
        result.pages,
        result.other_pages.len(),
        result.spec.operations.len(),
        result.spec.notifications.len(),
    );
    if errors > 0 && !lenient {
        return Err(format!(
            "{errors} rows or pages could not be read (see above); fix them or pass --lenient"
        ));
    }
    Ok(result.spec)
}

pub(crate) fn apply_overrides(spec: &mut Spec, path: &Path) -> Result<(), String> {
    let shown = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    Overrides::from_toml(&text, &shown)
        .and_then(|o| o.apply(spec, &shown))
        .map_err(|e| e.to_string())
}
