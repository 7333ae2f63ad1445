//! `couponcodes upload`: a file of codes, checked in full first, uploaded in
//! chunks of 200 with progress, resumable after a crash, and summarised so that
//! every line of the input ends in exactly one bucket.
//!
//! Resuming: the batch id comes from the server, the merchant, the stock and the
//! file's SHA-256, and each chunk's request number adds the chunk's number and
//! digest; the same command on the same file against the same server repeats the
//! same request numbers. The journal (see [`crate::journal`]) records each chunk
//! WeChat Pay answered, and a rerun skips those without sending them again. A
//! chunk that was in flight when the run stopped is sent again with its request
//! number, and WeChat Pay answers it from the first import instead of importing
//! twice.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::Args;
use futures_util::stream;
use serde::Serialize;
use sha2::{Digest, Sha256};
use wechatpay_bindings::couponcodes::bulk::{BulkOptions, ChunkReport, MAX_BATCH_ID};
use wechatpay_bindings::couponcodes::upload_codes;
use wechatpay_runtime::ClientBuilder;

use crate::input::{self, InputOptions, InvalidLine, Lines, SHOWN_INVALID, shown};
use crate::journal::{ChunkRecord, FailedCode, Header, Journal};

mod progress;
mod settle;

use progress::Progress;
use settle::{Settled, Settlement};

/// Arguments of `upload`.
#[derive(Args, Debug, Clone)]
pub struct UploadArgs {
    /// The stock (批次号) the codes belong to.
    #[arg(long)]
    pub stock_id: String,
    /// File with one code per line, or `-` for standard input (read in full
    /// and checked before anything is sent).
    #[arg(default_value = "-")]
    pub input: String,
    #[command(flatten)]
    pub reading: InputOptions,
    /// Upload the valid codes even when some lines are invalid (they are reported).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Requests in flight at once (1-64).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// At most this many requests a second.
    #[arg(long, value_parser = crate::flags::positive_rate)]
    pub rate: Option<f64>,
    /// Prefix of the request numbers (1-80 characters of `0-9 a-z A-Z _ -`);
    /// derived from the server, merchant, stock and file by default.
    #[arg(long, value_parser = batch_id)]
    pub batch_id: Option<String>,
    /// Journal file; default `<file>.<batch id>.journal` beside the input
    /// (`couponcodes-<batch id>.journal` for standard input).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

fn batch_id(text: &str) -> Result<String, String> {
    let ok = (1..=MAX_BATCH_ID).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "a batch id is 1 to {MAX_BATCH_ID} characters of 0-9 a-z A-Z _ -"
        ))
    }
}

/// A code whose fate is unknown, and why.
#[derive(Debug, Clone, Serialize)]
struct UnknownCode {
    line: u64,
    code: String,
    reason: String,
}

/// The final report. Every input line is in exactly one of `uploaded`,
/// `already_existed`, `duplicates_in_input`, `invalid`, `failed`, `unknown` and
/// `not_tried`, which add up to `lines`.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// The stock.
    pub stock_id: String,
    /// The prefix of the request numbers.
    pub batch_id: String,
    /// The server.
    pub base_url: String,
    /// Lines in the input.
    pub lines: u64,
    /// Imported by this run or, for chunks from the journal, an earlier one.
    pub uploaded: u64,
    /// Held by WeChat Pay before (or repeated in another chunk of the input).
    pub already_existed: u64,
    /// Repeated within a chunk.
    pub duplicates_in_input: u64,
    /// Not codes; not sent.
    pub invalid: u64,
    /// Blank lines, skipped as `--trim` asks.
    pub blank: u64,
    /// Not imported: rejected, or their request was refused or never sent.
    pub failed: u64,
    /// WeChat Pay may or may not hold them.
    pub unknown: u64,
    /// Never sent: the run stopped first.
    pub not_tried: u64,
    /// Of the above, lines whose outcome was taken from the journal.
    pub from_journal: u64,
    /// Chunks taken from the journal.
    pub resumed_chunks: u64,
    /// Whether every line ended uploaded or already present.
    pub complete: bool,
    /// The first failed codes.
    pub failures: Vec<FailedCode>,
    /// The first codes of unknown fate.
    unknowns: Vec<UnknownCode>,
    /// The first invalid lines.
    pub invalid_lines: Vec<InvalidLine>,
    /// The journal's path.
    pub journal: String,
    /// Why the run stopped before the end of the input.
    pub stopped_early: Option<String>,
    /// What to do about it.
    pub next_steps: Vec<String>,
}

/// How an upload ended.
#[derive(Debug)]
pub enum Finished {
    /// The input must be fixed first; nothing was sent. Says why (the
    /// invalid lines themselves went to standard error).
    Refused(String),
    /// It ran, to the end or until stopped.
    Ran {
        /// What happened to every line.
        summary: Box<Summary>,
        /// Whether `interrupt` cut it short.
        interrupted: bool,
    },
}

/// Failures and unknowns listed in the summary (all are counted).
const SHOWN_CODES: usize = 20;

impl Summary {
    fn add_record(&mut self, record: &ChunkRecord) {
        self.uploaded += record.uploaded;
        self.already_existed += record.existed;
        self.duplicates_in_input += record.duplicates;
        self.failed += record.failed.len() as u64;
        let room = SHOWN_CODES.saturating_sub(self.failures.len());
        self.failures
            .extend(record.failed.iter().take(room).cloned());
    }
}

/// Whether two paths name the same file (the second may not exist yet).
/// Says so when a journal of the same input names the same address,
/// merchant and stock but another WeChat Pay key: the server that answered
/// it is gone (a sandbox restarted), so its chunks count for nothing here.
fn say_if_the_server_changed(input: &Path, header: &Header) {
    let (Some(dir), Some(name)) = (input.parent(), input.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !(file.starts_with(&prefix) && file.ends_with(".journal")) {
            continue;
        }
        let Some(other) = Header::read(&entry.path()) else {
            continue;
        };
        let moved = Header {
            server_key: header.server_key.clone(),
            ..other.clone()
        };
        if other.server_key != header.server_key && moved.same_target(header) {
            eprintln!(
                "note: the journal {} was written against {} signed by another WeChat Pay key ({}; now {}): \
                 the server there is not the one that answered it (a sandbox that restarted?), so every code is sent again",
                entry.path().display(),
                header.base_url,
                other.server_key,
                header.server_key
            );
        }
    }
}

fn same_file(existing: &Path, other: &Path) -> bool {
    let Ok(existing) = std::fs::canonicalize(existing) else {
        return false;
    };
    let other = match std::fs::canonicalize(other) {
        Ok(path) => path,
        Err(_) => {
            let parent = other.parent().filter(|p| !p.as_os_str().is_empty());
            let parent = std::fs::canonicalize(parent.unwrap_or(Path::new(".")));
            match (parent, other.file_name()) {
                (Ok(parent), Some(name)) => parent.join(name),
                _ => return false,
            }
        }
    };
    existing == other
}

/// The input must be fixed before anything is sent.
fn refuse(message: String) -> Result<Finished, String> {
    Ok(Finished::Refused(message))
}

/// Runs `upload` until it is done or `interrupt` resolves (Ctrl-C), prints the
/// summary and says the exit status: 0 complete, 1 incomplete, 2 refused, 130
/// interrupted.
pub async fn run(
    builder: ClientBuilder,
    args: UploadArgs,
    interrupt: impl Future<Output = ()>,
) -> Result<ExitCode, String> {
    let json = args.json;
    Ok(match execute(builder, args, interrupt).await? {
        Finished::Refused(message) => {
            crate::say_failure(&crate::Failure::Input(message), json);
            ExitCode::from(2)
        }
        Finished::Ran {
            summary,
            interrupted,
        } => {
            print_summary(&summary, json);
            if interrupted {
                ExitCode::from(130)
            } else if summary.complete {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    })
}

/// The input as the upload reads it, scanned in full, with the invalid lines
/// said on standard error.
struct Input {
    source: Source,
    /// The input as the user named it (`<stdin>` for standard input).
    name: String,
    scan: input::Scan,
}

/// What the upload reads: never the named file itself, which may still be
/// being written, but a copy that holds still.
enum Source {
    /// Standard input, spooled to a temporary file.
    Stdin(tempfile::NamedTempFile),
    /// A snapshot of the file taken as the upload started.
    File(input::Snapshot),
}

impl Source {
    fn path(&self) -> &Path {
        match self {
            Source::Stdin(spool) => spool.path(),
            Source::File(snapshot) => snapshot.path(),
        }
    }

    fn is_stdin(&self) -> bool {
        matches!(self, Source::Stdin(_))
    }
}

impl Input {
    /// Reads and checks the input; says why it must be fixed first when it
    /// must (nothing is sent then).
    fn read(args: &UploadArgs) -> Result<Input, String> {
        let source = if args.input == "-" {
            // Standard input is read in full first, so that it is checked like
            // a file and its digest gives the batch id, as a file's does.
            Source::Stdin(input::spool_stdin()?)
        } else {
            // A file is read from a copy taken now: the scan and the upload
            // see the same lines even if the file is still being written.
            Source::File(input::Snapshot::take(Path::new(&args.input))?)
        };
        let name = if source.is_stdin() {
            "<stdin>".to_owned()
        } else {
            args.input.clone()
        };
        let scan = input::scan(source.path(), args.reading)?;
        for bad in &scan.invalid {
            eprintln!("{name}:{}: {}", bad.line, bad.reason);
        }
        if scan.invalid_count as usize > scan.invalid.len() {
            eprintln!(
                "... and {} more invalid lines",
                scan.invalid_count as usize - scan.invalid.len()
            );
        }
        if scan.lines == 0 {
            return Err(format!("{name} holds no codes"));
        }
        if let (Some(line), true) = (scan.unterminated, source.is_stdin()) {
            eprintln!(
                "warning: standard input ended without a line ending: line {line} may have been cut short by the program that wrote it"
            );
        }
        if scan.invalid_count > 0 && !args.skip_invalid {
            return Err(format!(
                "{} of {} lines are not valid codes; fix them, or pass --skip-invalid to upload the {} valid ones (nothing was sent)",
                scan.invalid_count, scan.lines, scan.valid
            ));
        }
        if scan.valid == 0 {
            return Err(format!("{name} holds no valid codes"));
        }
        Ok(Input { source, name, scan })
    }
}

/// Runs `upload` until it is done or `interrupt` resolves, and reports what
/// happened to every line without printing it.
pub async fn execute(
    builder: ClientBuilder,
    args: UploadArgs,
    interrupt: impl Future<Output = ()>,
) -> Result<Finished, String> {
    let Input { source, name, scan } = match Input::read(&args) {
        Ok(input) => input,
        Err(message) => return refuse(message),
    };
    let name = name.as_str();

    let mut builder = builder;
    if let Some(rate) = args.rate {
        builder = builder.rate_limit(rate, u32::from(args.concurrency));
    }
    let client = builder.build().map_err(|e| crate::explain(&e))?;
    let server_key = server_key(&client).await?;
    let batch_id = derived_batch_id(&args, &client, &server_key, &scan);
    let journal_path = args.journal.clone().unwrap_or_else(|| {
        if source.is_stdin() {
            PathBuf::from(format!("couponcodes-{batch_id}.journal"))
        } else {
            PathBuf::from(format!("{}.{batch_id}.journal", args.input))
        }
    });
    if !source.is_stdin() && same_file(Path::new(&args.input), &journal_path) {
        return refuse(format!(
            "the journal {} is the input file; pass another --journal",
            journal_path.display()
        ));
    }
    let mut journal = open_journal(
        &args,
        &source,
        &client,
        &server_key,
        &batch_id,
        &journal_path,
    )?;
    let request_prefix = journal.request_prefix().to_owned();

    let mut progress = Progress::new(scan.valid);
    let summary = Summary {
        stock_id: args.stock_id.clone(),
        batch_id: request_prefix.clone(),
        base_url: client.base_url().to_owned(),
        lines: scan.lines,
        invalid: scan.invalid_count,
        blank: scan.blank,
        invalid_lines: scan.invalid.clone(),
        journal: journal_path.display().to_string(),
        ..Summary::default()
    };
    let mut options = BulkOptions::new(request_prefix);
    options.concurrency = usize::from(args.concurrency);
    let done: Arc<BTreeMap<u64, String>> = Arc::new(journal.digests());
    options.skip_chunk =
        Box::new(move |index, digest| done.get(&index).is_some_and(|d| d == digest));

    // The engine reads valid lines only: invalid ones were counted by the scan.
    let pulled = Arc::new(AtomicU64::new(0));
    let mut read_error = None;
    let lines = Lines::open(source.path(), args.reading)?;
    let codes = {
        let pulled = pulled.clone();
        let read_error = &mut read_error;
        stream::iter(
            lines
                .map_while(move |line| match line {
                    Ok(line) => Some(line),
                    Err(e) => {
                        *read_error = Some(e.to_string());
                        None
                    }
                })
                .filter_map(|(number, checked)| checked.ok().map(|code| (number, code)))
                .inspect(move |_| {
                    pulled.fetch_add(1, Ordering::Relaxed);
                }),
        )
    };
    let mut settlement = Settlement::new(summary, &mut journal);
    let mut on_chunk = |report: &ChunkReport| progress.advance(settlement.settle(report));
    let finished = {
        let upload = upload_codes(&client, &args.stock_id, codes, options, &mut on_chunk);
        tokio::select! {
            result = upload => Some(result),
            () = interrupt => None,
        }
    };
    progress.finish();
    let interrupted = finished.is_none();
    let stopped_early = match finished {
        Some(Ok(bulk)) => bulk.stopped,
        Some(Err(e)) => return Err(crate::explain(&e)),
        None => Some("interrupted".to_owned()),
    };
    let stopped_early = match read_error {
        Some(e) => Some(format!("reading {name} failed: {e}")),
        None => stopped_early,
    };
    let Settled {
        mut summary,
        in_flight,
        journal_error,
    } = settlement.finish(scan.valid, pulled.load(Ordering::Relaxed), stopped_early);
    if let Some(e) = journal_error {
        eprintln!(
            "warning: could not write the journal {}: {e}",
            journal_path.display()
        );
    }
    summary.next_steps = next_steps(&summary, &args, in_flight);
    if let Source::File(snapshot) = &source
        && snapshot.changed_since(Path::new(&args.input))
    {
        summary.next_steps.push(format!(
            "{} changed while it was uploaded: the upload took its {} lines as they were when it started; run the same command again to upload what it holds now",
            args.input, summary.lines
        ));
    }
    Ok(Finished::Ran {
        summary: Box::new(summary),
        interrupted,
    })
}

/// The server, named by the key that verifies its answers as well as by its
/// address: another WeChat Pay at the same address (a sandbox that restarted
/// empty) signs with another key, and must get every code.
async fn server_key(client: &wechatpay_runtime::Client) -> Result<String, String> {
    if let Some(key) = client.verifying_key_id() {
        return Ok(key);
    }
    client
        .refresh_certificates(std::time::Duration::ZERO)
        .await
        .map_err(|e| crate::explain(&e))?;
    Ok(client.verifying_key_id().unwrap_or_default())
}

/// The upload's batch id, unless `--batch-id` gives one: named by the
/// server, the merchant, the stock and the input's digest, so that the same
/// upload run again finds its journal.
fn derived_batch_id(
    args: &UploadArgs,
    client: &wechatpay_runtime::Client,
    server_key: &str,
    scan: &input::Scan,
) -> String {
    args.batch_id.clone().unwrap_or_else(|| {
        let identity = format!(
            "{}\n{}\n{}\n{}\n{}",
            client.base_url(),
            server_key,
            client.mchid(),
            args.stock_id,
            scan.sha256
        );
        format!(
            "cc{}",
            &base16ct::lower::encode_string(&Sha256::digest(identity.as_bytes()))[..24]
        )
    })
}

/// The upload's journal at `journal_path`, opened or resumed.
fn open_journal(
    args: &UploadArgs,
    source: &Source,
    client: &wechatpay_runtime::Client,
    server_key: &str,
    batch_id: &str,
    journal_path: &Path,
) -> Result<Journal, String> {
    // A new journal is a new upload, with request numbers of its own; an
    // explicit batch id is used as it is.
    let fresh_prefix = match &args.batch_id {
        Some(batch_id) => batch_id.clone(),
        None => format!("{batch_id}{}", &crate::unique_token(batch_id)[..8]),
    };
    let header = Header::new(
        client.base_url(),
        server_key,
        client.mchid(),
        &args.stock_id,
        batch_id,
        &fresh_prefix,
    );
    if !source.is_stdin() && !journal_path.exists() {
        say_if_the_server_changed(Path::new(&args.input), &header);
    }
    let journal = Journal::open(journal_path, &header)?;
    if journal.unreadable > 0 {
        eprintln!(
            "note: {} lines of the journal {} cannot be read (cut short by a crash); their chunks are sent again",
            journal.unreadable,
            journal_path.display()
        );
    }
    if !journal.is_empty() {
        eprintln!(
            "resuming: {} chunks already answered (journal {})",
            journal.len(),
            journal_path.display()
        );
    }
    Ok(journal)
}

/// What to do about what the summary says, in plain words.
fn next_steps(summary: &Summary, args: &UploadArgs, in_flight: u64) -> Vec<String> {
    let rerun = "run the same command again";
    let reconcile = format!(
        "couponcodes reconcile --stock-id {} {}",
        args.stock_id, args.input
    );
    let mut steps = Vec::new();
    if let Some(reason) = &summary.stopped_early {
        steps.push(format!(
            "the run stopped early ({reason}): {} lines were not tried; fix the cause and {rerun} to continue (journal {})",
            summary.not_tried, summary.journal
        ));
    }
    if summary.unknown > 0 {
        let why = if in_flight > 0 {
            "their requests were in flight when the run stopped, or their answers were lost or could not be verified"
        } else {
            "their answers were lost or could not be verified"
        };
        steps.push(format!(
            "{} codes may or may not be on WeChat Pay ({why}); {rerun}: it repeats their request numbers, so WeChat Pay answers from the first import. Or check with `{reconcile}`",
            summary.unknown
        ));
    }
    if summary.resumed_chunks > 0 {
        steps.push(format!(
            "{} chunks were taken from the journal without asking WeChat Pay again; `{reconcile}` checks that the stock holds every code",
            summary.resumed_chunks
        ));
    }
    steps
}

fn print_summary(summary: &Summary, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(summary).expect("summaries serialize")
        );
    } else {
        println!(
            "stock {} at {} (request numbers {}-N-...)",
            summary.stock_id, summary.base_url, summary.batch_id
        );
        println!("  lines read:              {}", summary.lines);
        println!("  uploaded:                {}", summary.uploaded);
        println!("  already existed:         {}", summary.already_existed);
        println!("  duplicates in the input: {}", summary.duplicates_in_input);
        println!("  invalid lines:           {}", summary.invalid);
        if summary.blank > 0 {
            println!("  blank lines (--trim):    {}", summary.blank);
        }
        println!("  failed:                  {}", summary.failed);
        println!("  unknown:                 {}", summary.unknown);
        println!("  not tried:               {}", summary.not_tried);
        if summary.from_journal > 0 {
            println!(
                "  (of these, {} lines in {} chunks are from the journal)",
                summary.from_journal, summary.resumed_chunks
            );
        }
        let mut reasons: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for failure in &summary.failures {
            *reasons
                .entry((&failure.error, &failure.message))
                .or_default() += 1;
        }
        for ((error, message), count) in reasons {
            println!("    {count} x {error}: {message}");
        }
        for failure in &summary.failures {
            println!(
                "    line {}: {} failed: {}",
                failure.line,
                shown(&failure.code),
                failure.error
            );
        }
        for unknown in &summary.unknowns {
            println!(
                "    line {}: {} unknown: {}",
                unknown.line,
                shown(&unknown.code),
                unknown.reason
            );
        }
        for bad in summary.invalid_lines.iter().take(SHOWN_INVALID) {
            println!("    line {}: {}", bad.line, bad.reason);
        }
        println!("  journal: {}", summary.journal);
    }
    // What to do next goes to the terminal in either mode.
    for step in &summary.next_steps {
        eprintln!("note: {step}");
    }
}
