//! `cargo xtask spec`: docs tree -> spec file.
//!
//! The default tree is the site's pages kept under `spec/docs`; it writes the
//! whole API (`spec/wechatpay.json`, what the bindings are generated from) and
//! the couponcodes slice of it (`spec/couponcodes.json`).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use wechatpay_docs_parser::{Severity, parse_tree};
use wechatpay_spec::Spec;
use wechatpay_spec::overrides::Overrides;

use crate::fresh::ensure_file_contents;
use crate::workspace_root;

#[derive(Args, Default)]
pub(crate) struct SpecArgs {
    /// Docs tree laid out like the site (`openapi/v3/...`). Default: `spec/docs`.
    #[arg(long)]
    docs: Option<PathBuf>,
    /// Where to write the spec. Default: `spec/wechatpay.json` and the slice
    /// `spec/couponcodes.json` for the default docs; none (summary only) for
    /// another tree.
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

/// The spec of every page kept under `spec/docs`.
pub(crate) const WHOLE_SPEC: &str = "spec/wechatpay.json";
/// The slice the proc-macro tests, the examples and the benchmarks read.
const COUPONCODES_SPEC: &str = "spec/couponcodes.json";
/// The pages of the couponcodes slice: the pre-stored code endpoints, their two
/// notifications, and one operation of each kind beyond a JSON exchange (a
/// download, a file upload, a sensitive field, a bill request), so that a small
/// spec still holds every construct the generator and the runtime support.
const COUPONCODES_PAGES: &[&str] = &[
    "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md",
    "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}.md",
    "openapi/v3/bill/tradebill.md",
    "openapi/v3/billdownload/file.md",
    "openapi/v3/merchant/media/upload.md",
    "openapi/v3/profitsharing/receivers/add.md",
    "webhook/v3/COUPON.SEND.md",
    "webhook/v3/COUPON.USE.md",
];

pub(crate) fn run(args: SpecArgs) -> Result<(), String> {
    run_in(&workspace_root(), args)
}

/// [`run`] on the workspace at `root` (a scratch copy in tests).
pub(crate) fn run_in(root: &Path, args: SpecArgs) -> Result<(), String> {
    let default_tree = args.docs.is_none();
    let docs = args.docs.unwrap_or_else(|| root.join("spec/docs"));
    let out = args
        .out
        .or_else(|| default_tree.then(|| root.join(WHOLE_SPEC)));
    let overrides = args
        .overrides
        .or_else(|| default_tree.then(|| root.join("spec/overrides.toml")));

    let started = Instant::now();
    let mut spec = read_docs(&docs, args.lenient)?;
    let elapsed = started.elapsed();

    if let Some(path) = &overrides {
        apply_overrides(&mut spec, path)?;
    }
    // After the overrides: their names (the official SDKs') are kept.
    wechatpay_spec::names::assign(&mut spec);
    if let Some(out) = &out {
        ensure_file_contents(out, &spec.to_json(), args.check)?;
    }
    if default_tree {
        let slice = couponcodes_slice(&spec)?;
        ensure_file_contents(&root.join(COUPONCODES_SPEC), &slice.to_json(), args.check)?;
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

/// The operations and notifications of [`COUPONCODES_PAGES`]; every page must
/// still be there.
fn couponcodes_slice(spec: &Spec) -> Result<Spec, String> {
    let wanted = |page: &str| COUPONCODES_PAGES.contains(&page);
    let slice = Spec {
        format_version: spec.format_version,
        operations: spec
            .operations
            .iter()
            .filter(|o| wanted(&o.source.page))
            .cloned()
            .collect(),
        notifications: spec
            .notifications
            .iter()
            .filter(|n| wanted(&n.source.page))
            .cloned()
            .collect(),
    };
    let missing: Vec<&str> = COUPONCODES_PAGES
        .iter()
        .copied()
        .filter(|page| {
            !slice.operations.iter().any(|o| o.source.page == *page)
                && !slice.notifications.iter().any(|n| n.source.page == *page)
        })
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{COUPONCODES_SPEC}: pages of the slice are gone from spec/docs: {}",
            missing.join(", ")
        ));
    }
    Ok(slice)
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
        let first: Vec<String> = result.errors().take(3).map(ToString::to_string).collect();
        let more = if errors > first.len() { ", ..." } else { "" };
        return Err(format!(
            "{errors} rows or pages could not be read ({}{more}); fix them or pass --lenient",
            first.join("; ")
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
