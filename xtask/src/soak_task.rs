//! `cargo xtask soak`: a million codes through the released `couponcodes` binary
//! against a `wechatpay-sandbox` process that injects faults (connections dropped
//! before and after the server acted, answers cut short, tampered with or later
//! than the client's timeout, probe signatures, stale timestamps, unsigned
//! answers, 5xx, 429, 202), the first run killed a third of the way, then rerun until
//! done. Every summary's buckets must add up to the lines; the last one must say
//! every code was uploaded; and the sandbox's own store, read from its control
//! plane, must hold exactly the input set.

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use clap::Args;

use crate::sandbox_process::{
    CODES_PER_REQUEST, SandboxProcess, build_release_binaries, write_codes,
};
use crate::workspace_root;

/// Arguments of `cargo xtask soak`.
#[derive(Args, Debug)]
pub(crate) struct SoakArgs {
    /// Codes to upload.
    #[arg(long, default_value_t = 1_000_000)]
    codes: usize,
    /// Probability that a request meets a fault.
    #[arg(long, default_value_t = 0.05)]
    fault_rate: f64,
    /// Reruns after the killed run before giving up.
    #[arg(long, default_value_t = 6)]
    reruns: usize,
}

const FAULTS: &str =
    "500,502-html,503,429,202,drop-before,drop-after,truncate,probe,tamper,stale,unsigned";

const BUCKETS: [&str; 7] = [
    "uploaded",
    "already_existed",
    "duplicates_in_input",
    "invalid",
    "failed",
    "unknown",
    "not_tried",
];

pub(crate) fn run(args: SoakArgs) -> Result<(), String> {
    let root = workspace_root();
    let release = build_release_binaries(&root, &root.join("target"), &[])?;
    let work = root.join("target/soak");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let input = work.join("codes.txt");
    write_codes(&input, "SOAK", args.codes)?;
    let expected: HashSet<String> = (0..args.codes).map(|i| format!("SOAK{i:010}")).collect();

    let rate = args.fault_rate.to_string();
    let sandbox = SandboxProcess::start(
        &release.join("wechatpay-sandbox"),
        &work.join("keys"),
        &["--fault-rate", &rate, "--seed", "2026", "--faults", FAULTS],
    )?;
    let upload = || {
        let mut command = sandbox.upload_command(&release.join("couponcodes"), &input);
        // The sandbox's delays (3 s) outlast this timeout: answers that come too late.
        command
            .args(["--timeout", "2"])
            .current_dir(&work)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    };

    // The first run is killed once a third of the chunks are journaled.
    let started = Instant::now();
    let mut child = upload().spawn().map_err(|e| e.to_string())?;
    let journal_lines = || {
        fs::read_dir(&work)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".journal"))
            .filter_map(|e| fs::read_to_string(e.path()).ok())
            .map(|text| text.lines().count())
            .sum::<usize>()
    };
    let chunks = args.codes.div_ceil(CODES_PER_REQUEST);
    while journal_lines() < chunks / 3 {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            return Err("the first run ended before it could be killed".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().map_err(|e| e.to_string())?;
    child.wait().map_err(|e| e.to_string())?;
    let held_at_kill = sandbox.held_codes()?.len();
    eprintln!(
        "killed the first run after {:.1} s with {held_at_kill} codes held",
        started.elapsed().as_secs_f64()
    );

    let mut finished = None;
    for rerun in 1..=args.reruns {
        let output = upload().output().map_err(|e| e.to_string())?;
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("run {rerun}: the summary is not JSON: {e}"))?;
        let sum: u64 = BUCKETS
            .iter()
            .map(|b| summary[*b].as_u64().unwrap_or(u64::MAX / 8))
            .sum();
        if Some(sum) != summary["lines"].as_u64() {
            return Err(format!("run {rerun}: the buckets do not add up: {summary}"));
        }
        let counts: Vec<String> = BUCKETS
            .iter()
            .filter(|b| summary[**b].as_u64() != Some(0))
            .map(|b| format!("{b} {}", summary[*b]))
            .collect();
        eprintln!(
            "rerun {rerun}: exit {:?}, {}, {} chunks from the journal",
            output.status.code(),
            counts.join(", "),
            summary["resumed_chunks"]
        );
        if output.status.success() {
            finished = Some((rerun, summary));
            break;
        }
    }
    let (reruns, summary) = finished.ok_or("no rerun finished the upload")?;
    if summary["uploaded"].as_u64() != Some(args.codes as u64) {
        return Err(format!(
            "the last summary does not say every code was uploaded: {summary}"
        ));
    }
    let held = sandbox.held_codes()?;
    let distinct: HashSet<String> = held.iter().cloned().collect();
    if held.len() != distinct.len() {
        return Err(format!(
            "the sandbox holds {} duplicates",
            held.len() - distinct.len()
        ));
    }
    if distinct != expected {
        let missing = expected.difference(&distinct).count();
        let extra = distinct.difference(&expected).count();
        return Err(format!(
            "the sandbox holds {missing} codes too few and {extra} too many"
        ));
    }
    println!(
        "soak: {} codes, fault rate {}, first run killed at {held_at_kill} codes held, done after \
         {reruns} reruns in {:.1} s; the sandbox holds exactly the input set, and every summary's \
         buckets add up",
        args.codes,
        args.fault_rate,
        started.elapsed().as_secs_f64()
    );
    drop(sandbox);
    let _ = fs::remove_dir_all(Path::new(&work));
    Ok(())
}
