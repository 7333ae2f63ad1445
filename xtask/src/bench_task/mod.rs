//! `cargo xtask bench`: every figure of `BENCHMARKS.md`, each next to the
//! baseline it is measured against in the same run (these machines are noisy;
//! ratios travel, absolute times do not).
//!
//! 1. `cargo bench -p wechatpay-e2e`: the docs -> Rust pipeline, signing,
//!    payload costs, client overhead and an in-process bulk upload; then the
//!    client bench again with the aws-lc-rs backend.
//! 2. Compile times of the bindings crate and of a generated crate with every
//!    operation of a thousand pages, clean beyond their dependencies; and of
//!    what progenitor generates for the same four operations, when installed.
//! 3. One million codes through the released `couponcodes` binary against a
//!    `wechatpay-sandbox` process: wall time, peak memory at two sizes, and the
//!    ratio to the RSA work it must do.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;

use crate::workspace_root;

mod bulk;
mod compile;
mod floor;

use bulk::bulk;
use compile::{compile_times, find_on_path};

#[derive(Args)]
pub(crate) struct BenchArgs {
    /// Codes in the big bulk upload (a run of a tenth of it shows whether peak
    /// memory grows with the input).
    #[arg(long, default_value_t = 1_000_000)]
    codes: usize,
    /// How many times each bulk upload (and its transport floor) runs: the
    /// report gives the median and the spread.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Docs tree copied until it has a thousand pages.
    #[arg(long, default_value = "../shared/docs/current")]
    docs: PathBuf,
    /// Parts to leave out (repeat or separate with commas).
    #[arg(long, value_enum, value_delimiter = ',')]
    skip: Vec<Part>,
    /// Also write the report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// `cargo-progenitor` for the side-by-side compile times (`cargo install
    /// cargo-progenitor`); looked up on PATH when absent, skipped when missing.
    #[arg(long)]
    progenitor: Option<PathBuf>,
}

/// The parts of the report.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// `cargo bench -p wechatpay-e2e`, with each signing backend.
    CargoBench,
    /// Clean compile times of the bindings crate (and progenitor's).
    Compile,
    /// Clean compile times of a crate of every operation of a thousand pages
    /// (the slowest part).
    Site,
    /// The bulk upload through the CLI.
    Bulk,
}

pub(crate) fn run(args: BenchArgs) -> Result<(), String> {
    let root = workspace_root();
    let docs = if args.docs.is_absolute() {
        args.docs.clone()
    } else {
        root.join(&args.docs)
    };
    let mut report = String::new();
    if !args.skip.contains(&Part::CargoBench) {
        report.push_str(&cargo_bench(&root, &[])?);
        report.push_str("\n### With `--features aws-lc-rs`\n");
        report.push_str(&cargo_bench(
            &root,
            &["--bench", "client", "--features", "aws-lc-rs"],
        )?);
    }
    let (bindings, site) = (
        !args.skip.contains(&Part::Compile),
        !args.skip.contains(&Part::Site),
    );
    if bindings || site {
        let progenitor = args
            .progenitor
            .clone()
            .or_else(|| find_on_path("cargo-progenitor"));
        let site = site.then_some(docs.as_path());
        report.push_str(&compile_times(
            &root,
            bindings,
            site,
            progenitor.as_deref(),
        )?);
    }
    if !args.skip.contains(&Part::Bulk) {
        report.push_str(&bulk(&root, args.codes, args.repeat)?);
    }
    println!("{report}");
    if let Some(out) = args.out {
        fs::write(&out, &report).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(())
}

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(root);
    command
}

fn run_ok(command: &mut Command) -> Result<String, String> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{command:?} failed ({})", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn timed(command: &mut Command) -> Result<Duration, String> {
    let started = Instant::now();
    run_ok(command)?;
    Ok(started.elapsed())
}

/// The benches print their own markdown tables.
fn cargo_bench(root: &Path, extra: &[&str]) -> Result<String, String> {
    eprintln!("running cargo bench -p wechatpay-e2e {}", extra.join(" "));
    run_ok(
        cargo(root)
            .args(["bench", "--quiet", "-p", "wechatpay-e2e"])
            .args(extra),
    )
}
