//! `couponcodes upload`: a file of codes, validated first, uploaded in chunks of
//! 200 with progress, resumable after a crash, summarised at the end.
//!
//! Resuming: the request numbers come from the stock id and the file's SHA-256, so
//! the same command on the same file repeats the same request numbers; a journal
//! beside the file records each chunk WeChat Pay answered, and a rerun skips those
//! without sending them again. A chunk that was in flight when the run stopped is
//! sent again with its request number, and WeChat Pay answers it from the first
//! import instead of importing twice.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::stream;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wechatpay_bindings::couponcodes::{check_code, upload_codes};
use wechatpay_runtime::ClientBuilder;
use wechatpay_runtime::bulk::{BulkOptions, ChunkReport, Outcome};

/// Arguments of `upload`.
#[derive(Args, Debug, Clone)]
pub struct UploadArgs {
    /// The stock (批次号) the codes belong to.
    #[arg(long)]
    pub stock_id: String,
    /// File with one code per line, or `-` for standard input.
    #[arg(default_value = "-")]
    pub input: String,
    /// Upload the valid codes even when some lines are invalid (they are reported).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// At most this many requests a second.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Prefix of the request numbers; derived from the stock and the file by
    /// default (give one to resume an upload from standard input).
    #[arg(long)]
    pub batch_id: Option<String>,
    /// Journal file; default `<file>.<batch id>.journal` beside the input.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One line of the journal: a chunk WeChat Pay answered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct ChunkRecord {
    chunk: u64,
    request_no: String,
    codes: u64,
    uploaded: u64,
    existed: u64,
    duplicates: u64,
    failed: Vec<FailedCode>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct FailedCode {
    line: u64,
    code: String,
    error: String,
    message: String,
}

/// The final report.
#[derive(Debug, Default, Serialize)]
struct Summary {
    stock_id: String,
    batch_id: String,
    lines: u64,
    uploaded: u64,
    already_existed: u64,
    duplicates_in_input: u64,
    failed: u64,
    invalid: u64,
    resumed_chunks: u64,
    failures: Vec<FailedCode>,
    invalid_lines: Vec<InvalidLine>,
    journal: String,
    stopped_early: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct InvalidLine {
    line: u64,
    reason: String,
}

/// At most this many invalid lines are listed (all are counted).
const SHOWN_INVALID: usize = 20;

/// Reads the input's lines: `\r\n` and `\n` endings, nothing else is trimmed
/// (a code may contain spaces).
fn lines(reader: impl Read) -> impl Iterator<Item = std::io::Result<(u64, String)>> {
    BufReader::new(reader).lines().enumerate().map(|(i, line)| {
        line.map(|l| {
            (
                i as u64 + 1,
                l.strip_suffix('\r').map(str::to_owned).unwrap_or(l),
            )
        })
    })
}

/// The first pass over a file: every invalid line, the count of valid ones and
/// the file's digest.
struct Scan {
    valid: u64,
    invalid: Vec<InvalidLine>,
    invalid_count: u64,
    sha256: String,
}

fn scan(path: &Path) -> Result<Scan, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    let sha256 = hex(&hasher.finalize());
    let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut scan = Scan {
        valid: 0,
        invalid: Vec::new(),
        invalid_count: 0,
        sha256,
    };
    for line in lines(file) {
        let (number, code) = line.map_err(|e| format!("{}: {e}", path.display()))?;
        match check_code(&code) {
            Ok(()) => scan.valid += 1,
            Err(reason) => {
                scan.invalid_count += 1;
                if scan.invalid.len() < SHOWN_INVALID {
                    scan.invalid.push(InvalidLine {
                        line: number,
                        reason: describe_invalid(&code, &reason),
                    });
                }
            }
        }
    }
    Ok(scan)
}

fn describe_invalid(code: &str, reason: &str) -> String {
    if code.is_empty() {
        return "empty line".to_owned();
    }
    // The documented limits live in `check_code`; a character that fails alone is the culprit.
    if let Some(bad) = code.chars().find(|c| check_code(&c.to_string()).is_err()) {
        return format!(
            "{code:?} has the character {bad:?}; codes may only use 0-9 a-z A-Z, space and - _ \\ / = |"
        );
    }
    format!("{code:?} {reason}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_journal(path: &Path, batch_id: &str) -> Result<BTreeMap<u64, ChunkRecord>, String> {
    let mut done = BTreeMap::new();
    let Ok(file) = File::open(path) else {
        return Ok(done);
    };
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("journal {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        // A line cut short by a crash is ignored: its chunk is simply sent again.
        let Ok(record) = serde_json::from_str::<ChunkRecord>(&line) else {
            eprintln!(
                "note: ignoring an unreadable line {} of the journal {}",
                i + 1,
                path.display()
            );
            continue;
        };
        if !record.request_no.starts_with(batch_id) {
            return Err(format!(
                "the journal {} belongs to another upload (request numbers {}); remove it or pass --journal",
                path.display(),
                record.request_no
            ));
        }
        done.insert(record.chunk, record);
    }
    Ok(done)
}

/// Progress on a terminal (a bar with rate and ETA), or a plain line every few seconds.
enum Progress {
    Bar(ProgressBar),
    Lines {
        total: u64,
        done: u64,
        started: Instant,
        last: Instant,
    },
}

impl Progress {
    fn new(total: u64) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40.cyan/blue} {pos}/{len} codes  {per_sec}  ETA {eta}",
                )
                .expect("a valid template"),
            );
            Progress::Bar(bar)
        } else {
            let now = Instant::now();
            Progress::Lines {
                total,
                done: 0,
                started: now,
                last: now,
            }
        }
    }

    fn advance(&mut self, codes: u64) {
        match self {
            Progress::Bar(bar) => bar.inc(codes),
            Progress::Lines {
                total,
                done,
                started,
                last,
            } => {
                *done += codes;
                if last.elapsed() >= Duration::from_secs(2) || *done >= *total {
                    let rate = *done as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    eprintln!("progress: {done}/{total} codes ({rate:.0}/s)");
                    *last = Instant::now();
                }
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

pub async fn run(builder: ClientBuilder, args: UploadArgs) -> Result<ExitCode, String> {
    let from_stdin = args.input == "-";
    let (scan, batch_id) = if from_stdin {
        let batch = args.batch_id.clone().unwrap_or_else(|| {
            let batch = format!("cc{}", &hex(&Sha256::digest(format!("{:?}", Instant::now()).as_bytes()))[..24]);
            eprintln!("note: reading standard input; pass --batch-id {batch} to resume this upload if it stops");
            batch
        });
        (None, batch)
    } else {
        let path = Path::new(&args.input);
        let scan = scan(path)?;
        let batch = args.batch_id.clone().unwrap_or_else(|| {
            let digest = Sha256::digest(format!("{}\n{}", args.stock_id, scan.sha256).as_bytes());
            format!("cc{}", &hex(&digest)[..24])
        });
        (Some(scan), batch)
    };
    if let Some(scan) = &scan
        && scan.invalid_count > 0
    {
        for bad in &scan.invalid {
            eprintln!("{}:{}: {}", args.input, bad.line, bad.reason);
        }
        if scan.invalid_count as usize > scan.invalid.len() {
            eprintln!(
                "... and {} more invalid lines",
                scan.invalid_count as usize - scan.invalid.len()
            );
        }
        if !args.skip_invalid {
            eprintln!(
                "error: {} of {} lines are not valid codes; fix them, or pass --skip-invalid to upload the {} valid ones",
                scan.invalid_count,
                scan.invalid_count + scan.valid,
                scan.valid
            );
            return Ok(ExitCode::from(2));
        }
    }
    let journal_path = args.journal.clone().unwrap_or_else(|| {
        if from_stdin {
            PathBuf::from(format!("couponcodes-{batch_id}.journal"))
        } else {
            PathBuf::from(format!("{}.{batch_id}.journal", args.input))
        }
    });
    let done = read_journal(&journal_path, &batch_id)?;
    if !done.is_empty() {
        eprintln!(
            "resuming: {} chunks already answered (journal {})",
            done.len(),
            journal_path.display()
        );
    }
    let mut journal = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_path)
        .map_err(|e| format!("cannot write the journal {}: {e}", journal_path.display()))?;

    let mut builder = builder;
    if let Some(rate) = args.rate {
        builder = builder.rate_limit(rate, args.concurrency.max(1) as u32);
    }
    let client = builder.build().map_err(|e| e.to_string())?;

    let total = scan.as_ref().map_or(0, |s| s.valid);
    let mut progress = Progress::new(total);
    let mut summary = Summary {
        stock_id: args.stock_id.clone(),
        batch_id: batch_id.clone(),
        journal: journal_path.display().to_string(),
        ..Summary::default()
    };
    let mut options = BulkOptions::new(batch_id.clone());
    options.concurrency = args.concurrency.max(1);
    let done_chunks: Vec<u64> = done.keys().copied().collect();
    options.skip_chunk = Box::new(move |index| done_chunks.binary_search(&index).is_ok());

    let input: Box<dyn Read + Send> = if from_stdin {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(&args.input).map_err(|e| format!("cannot read {}: {e}", args.input))?)
    };
    let mut read_error = None;
    let codes = stream::iter(lines(input).map_while(|line| match line {
        Ok(line) => Some(line),
        Err(e) => {
            read_error = Some(e.to_string());
            None
        }
    }));
    let mut journal_error = None;
    let mut on_chunk = |report: &ChunkReport| {
        let mut record = ChunkRecord {
            chunk: report.index.unwrap_or(0),
            request_no: report.request_no.clone(),
            codes: report.codes.len() as u64,
            uploaded: 0,
            existed: 0,
            duplicates: 0,
            failed: Vec::new(),
        };
        for code in &report.codes {
            match &code.outcome {
                Outcome::Uploaded => record.uploaded += 1,
                Outcome::AlreadyExisted => record.existed += 1,
                Outcome::DuplicateInInput => record.duplicates += 1,
                Outcome::Failed {
                    code: error,
                    message,
                } => record.failed.push(FailedCode {
                    line: code.position,
                    code: code.code.clone(),
                    error: error.clone(),
                    message: message.clone(),
                }),
                Outcome::Invalid(reason) => {
                    summary.invalid += 1;
                    if summary.invalid_lines.len() < SHOWN_INVALID {
                        summary.invalid_lines.push(InvalidLine {
                            line: code.position,
                            reason: describe_invalid(&code.code, reason),
                        });
                    }
                }
                Outcome::Skipped => {}
            }
        }
        let Some(index) = report.index else {
            return;
        };
        let skipped = report.codes.iter().all(|c| c.outcome == Outcome::Skipped);
        let record = if skipped {
            summary.resumed_chunks += 1;
            done.get(&index).cloned().unwrap_or(record)
        } else {
            // Only chunks WeChat Pay answered are journaled: a failed request is
            // sent again on the next run.
            if report.error.is_none() {
                let line = serde_json::to_string(&record).expect("records serialize");
                if let Err(e) = writeln!(journal, "{line}").and_then(|()| journal.flush()) {
                    journal_error = Some(e.to_string());
                }
            }
            record
        };
        summary.uploaded += record.uploaded;
        summary.already_existed += record.existed;
        summary.duplicates_in_input += record.duplicates;
        summary.failed += record.failed.len() as u64;
        summary.failures.extend(record.failed);
        progress.advance(record.codes);
    };
    let upload = upload_codes(&client, &args.stock_id, codes, options, &mut on_chunk);
    let result = tokio::select! {
        result = upload => result,
        _ = tokio::signal::ctrl_c() => {
            progress.finish();
            eprintln!("interrupted: run the same command again to resume (journal {})", journal_path.display());
            return Ok(ExitCode::from(130));
        }
    };
    progress.finish();
    let bulk = result.map_err(|e| crate::explain(&e))?;
    if let Some(e) = read_error {
        return Err(format!("reading {} failed: {e}", args.input));
    }
    if let Some(e) = journal_error {
        eprintln!(
            "warning: could not write the journal {}: {e}",
            journal_path.display()
        );
    }
    summary.lines = bulk.total;
    summary.stopped_early = bulk.aborted.clone();
    print_summary(&summary, args.json);
    let complete = summary.failed == 0 && summary.invalid == 0 && summary.stopped_early.is_none();
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_summary(summary: &Summary, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(summary).expect("summaries serialize")
        );
        return;
    }
    println!(
        "stock {} (request numbers {}-N)",
        summary.stock_id, summary.batch_id
    );
    println!("  lines read:              {}", summary.lines);
    println!("  uploaded:                {}", summary.uploaded);
    println!("  already existed:         {}", summary.already_existed);
    println!("  duplicates in the input: {}", summary.duplicates_in_input);
    println!("  invalid lines:           {}", summary.invalid);
    println!("  failed:                  {}", summary.failed);
    if summary.resumed_chunks > 0 {
        println!(
            "  chunks resumed from the journal: {}",
            summary.resumed_chunks
        );
    }
    let mut reasons: HashMap<(&str, &str), u64> = HashMap::new();
    for failure in &summary.failures {
        *reasons
            .entry((&failure.error, &failure.message))
            .or_default() += 1;
    }
    for ((error, message), count) in reasons {
        println!("    {count} x {error}: {message}");
    }
    for failure in summary.failures.iter().take(10) {
        println!(
            "    line {}: {:?} {}",
            failure.line, failure.code, failure.error
        );
    }
    for bad in &summary.invalid_lines {
        println!("    line {}: {}", bad.line, bad.reason);
    }
    if let Some(reason) = &summary.stopped_early {
        println!("  stopped early: {reason}");
    }
    println!("  journal: {}", summary.journal);
}
