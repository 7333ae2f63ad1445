//! `couponcodes list` and `couponcodes reconcile`: what WeChat Pay holds for a
//! stock, fetched several pages at a time, written so that an incomplete export
//! never passes for a complete one.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use wechatpay_bindings::couponcodes::{ExportError, export_codes};
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::{
    ListCouponCodesDataItem, ListCouponCodesQuery, ListCouponCodesStatus,
};
use wechatpay_runtime::Client;

use crate::Failure;
use crate::input::{InputOptions, Lines, shown};

/// How many pages are fetched at once by default.
const DEFAULT_CONCURRENCY: usize = 4;

/// Output formats of `list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated values with a header line.
    Csv,
}

/// Arguments of `list`.
#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    /// The stock (批次号).
    #[arg(long)]
    pub stock_id: String,
    /// Only codes in this state (AVAILABLE, DISPATCHED, or another state the
    /// docs list; others are refused).
    #[arg(long, value_parser = status)]
    pub status: Option<ListCouponCodesStatus>,
    /// Only codes dispatched through this appid.
    #[arg(long)]
    pub appid: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Codes per request.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..))]
    pub page_size: i64,
    /// Pages fetched at once (1-16).
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY as u8, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub concurrency: u8,
    /// Write the export to this file: it appears only once complete (written to
    /// a `.<file>.*.partial` of its own beside it and renamed), so a failed
    /// export leaves no file behind that looks whole.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn header(format: Format) -> Option<String> {
    match format {
        Format::Table => Some(format!(
            "{:<34} {:<12} {:<26} {}",
            "CODE", "STATUS", "UPLOADED", "DISPATCHED"
        )),
        Format::Csv => Some("code,code_status,upload_time,dispatched_time,openid".to_owned()),
        Format::Jsonl => None,
    }
}

fn row(format: Format, item: &ListCouponCodesDataItem) -> Result<String, String> {
    let code = item.code.clone().unwrap_or_default();
    let status = item
        .code_status
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let text = |time: &Option<wechatpay_runtime::DateTime>| {
        time.as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default()
    };
    let uploaded = text(&item.upload_time);
    let dispatched = text(&item.dispatched_time);
    Ok(match format {
        Format::Table => format!("{code:<34} {status:<12} {uploaded:<26} {dispatched}"),
        Format::Jsonl => serde_json::to_string(item).map_err(|e| e.to_string())?,
        Format::Csv => [
            code,
            status,
            uploaded,
            dispatched,
            item.openid.clone().unwrap_or_default(),
        ]
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(","),
    })
}

fn describe(error: &ExportError) -> String {
    match error {
        ExportError::Call(error) => crate::explain(error),
        other => other.to_string(),
    }
}

/// The `--status` value, if it is one the docs list.
fn status(text: &str) -> Result<ListCouponCodesStatus, String> {
    match ListCouponCodesStatus::from(text) {
        ListCouponCodesStatus::Unrecognized(_) => Err(format!(
            "{text:?} is not a code state the docs list (one of {})",
            ListCouponCodesStatus::VALUES.join(", ")
        )),
        known => Ok(known),
    }
}

/// Where an export is written until it is complete: a file of its own in the
/// output's folder (two exports to the same output never share one), removed
/// if the export fails, renamed over the output once it is whole. The output
/// is checked before anything is fetched.
fn partial_for(output: &Path) -> Result<tempfile::NamedTempFile, String> {
    if output.is_dir() {
        return Err(format!(
            "--output {} is a folder; name a file",
            output.display()
        ));
    }
    let folder = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = output
        .file_name()
        .ok_or_else(|| format!("--output {} names no file", output.display()))?;
    tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".partial")
        .tempfile_in(folder)
        .map_err(|e| format!("cannot write in {}: {e}", folder.display()))
}

/// Runs `list`.
pub async fn list(client: &Client, args: ListArgs) -> Result<ExitCode, Failure> {
    let mut query = ListCouponCodesQuery::new().with_limit(args.page_size);
    if let Some(status) = &args.status {
        query = query.with_status(status.clone());
    }
    if let Some(appid) = &args.appid {
        query = query.with_appid(appid.clone());
    }
    let partial = args
        .output
        .as_deref()
        .map(partial_for)
        .transpose()
        .map_err(Failure::Input)?;
    let sink: Box<dyn Write> = match &partial {
        Some(file) => Box::new(
            file.reopen()
                .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(sink);
    let write_error = |e: std::io::Error| format!("writing the export failed: {e}");
    let mut pages = std::pin::pin!(export_codes(
        client,
        args.stock_id.clone(),
        query,
        usize::from(args.concurrency)
    ));
    let mut count = 0u64;
    let mut header_written = false;
    let mut failure = None;
    while let Some(page) = pages.next().await {
        let items = match page {
            Ok(items) => items,
            Err(error) => {
                failure = Some(describe(&error));
                break;
            }
        };
        // The header goes out with the first codes, so that a failed first page
        // prints nothing on standard output.
        if !header_written {
            if let Some(header) = header(args.format) {
                writeln!(out, "{header}").map_err(write_error)?;
            }
            header_written = true;
        }
        for item in &items {
            writeln!(out, "{}", row(args.format, item)?).map_err(write_error)?;
        }
        count += items.len() as u64;
    }
    if failure.is_none()
        && !header_written
        && let Some(header) = header(args.format)
    {
        writeln!(out, "{header}").map_err(write_error)?;
    }
    out.flush().map_err(write_error)?;
    drop(out);
    if let Some(error) = failure {
        // The partial file goes with `partial`.
        return Err(Failure::Run(format!(
            "the export is incomplete after {count} codes: {error}"
        )));
    }
    if let (Some(partial), Some(output)) = (partial, &args.output) {
        partial
            .as_file()
            .sync_all()
            .map_err(|e| format!("writing the export failed: {e}"))?;
        partial.persist(output).map_err(|e| {
            format!(
                "cannot move {} to {}: {}",
                e.file.path().display(),
                output.display(),
                e.error
            )
        })?;
    }
    eprintln!("{count} codes");
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `reconcile`.
#[derive(Args, Debug, Clone)]
pub struct ReconcileArgs {
    /// The stock (批次号).
    #[arg(long)]
    pub stock_id: String,
    /// The file of codes that was uploaded (one per line), or `-` for standard input.
    pub input: String,
    #[command(flatten)]
    pub reading: InputOptions,
    /// The stock may hold codes that are not in the file (from other uploads).
    #[arg(long)]
    pub allow_extra: bool,
    /// Codes per list request.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..))]
    pub page_size: i64,
    /// Pages fetched at once (1-16).
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY as u8, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub concurrency: u8,
    /// Print the report as JSON, with every missing and extra code.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Reconciliation {
    stock_id: String,
    file_codes: u64,
    invalid_lines: u64,
    server_codes: u64,
    missing_from_server: Vec<String>,
    not_in_file: Vec<String>,
    matches: bool,
}

/// Codes of each list shown in the text report.
const SHOWN: usize = 20;

/// Runs `reconcile`: which codes of the file WeChat Pay lacks, and which it
/// holds that the file does not have. Exit status 0 when they match, 1 when
/// they do not, 2 for an input to fix, 3 when the stock cannot be listed.
pub async fn reconcile(client: &Client, args: ReconcileArgs) -> Result<ExitCode, Failure> {
    let options = args.reading;
    let lines = if args.input == "-" {
        Lines::new(std::io::stdin(), options)
    } else {
        Lines::open(std::path::Path::new(&args.input), options).map_err(Failure::Input)?
    };
    let mut expected: HashSet<String> = HashSet::new();
    let mut invalid = 0u64;
    for line in lines {
        let (_, checked) =
            line.map_err(|e| Failure::Input(format!("reading {} failed: {e}", args.input)))?;
        match checked {
            Ok(code) => {
                expected.insert(code);
            }
            Err(_) => invalid += 1,
        }
    }
    let file_codes = expected.len() as u64;
    let query = ListCouponCodesQuery::new().with_limit(args.page_size);
    let mut pages = std::pin::pin!(export_codes(
        client,
        args.stock_id.clone(),
        query,
        usize::from(args.concurrency)
    ));
    let mut server_codes = 0u64;
    let mut not_in_file = Vec::new();
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} codes listed  {per_sec}")
                .expect("a valid template"),
        );
        bar
    });
    while let Some(page) = pages.next().await {
        let items =
            page.map_err(|e| Failure::Run(format!("cannot list the stock: {}", describe(&e))))?;
        if let Some(bar) = &progress {
            bar.inc(items.len() as u64);
        }
        for item in items {
            let Some(code) = item.code else { continue };
            server_codes += 1;
            if !expected.remove(&code) {
                not_in_file.push(code);
            }
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut missing: Vec<String> = expected.into_iter().collect();
    missing.sort();
    let matches = missing.is_empty() && (args.allow_extra || not_in_file.is_empty());
    let report = Reconciliation {
        stock_id: args.stock_id.clone(),
        file_codes,
        invalid_lines: invalid,
        server_codes,
        missing_from_server: missing,
        not_in_file,
        matches,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        println!("stock {}", report.stock_id);
        println!("  distinct codes in the file:       {}", report.file_codes);
        if report.invalid_lines > 0 {
            println!(
                "  lines that are not codes:         {} (not compared)",
                report.invalid_lines
            );
        }
        println!(
            "  codes WeChat Pay holds:           {}",
            report.server_codes
        );
        println!(
            "  missing from WeChat Pay:          {}",
            report.missing_from_server.len()
        );
        println!(
            "  on WeChat Pay, not in the file:   {}",
            report.not_in_file.len()
        );
        for code in report.missing_from_server.iter().take(SHOWN) {
            println!("    missing: {}", shown(code));
        }
        for code in report.not_in_file.iter().take(SHOWN) {
            println!("    extra:   {}", shown(code));
        }
        if !report.missing_from_server.is_empty() {
            eprintln!(
                "note: upload the file again to add the missing codes (codes WeChat Pay holds come back as already existing)"
            );
        }
    }
    Ok(if report.matches {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
