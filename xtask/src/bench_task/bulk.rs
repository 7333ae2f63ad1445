//! A million codes through the released `couponcodes` binary against a
//! `wechatpay-sandbox` process, with each signing backend, each size run
//! several times: wall time against two baselines measured in the same run
//! (the RSA work the exchanges must do, and the transport floor: the same
//! round trips with no crypto), the export of the same codes, and peak memory
//! at two sizes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::floor::transport_floor;
use super::run_ok;
use crate::sandbox_process::{
    CODES_PER_REQUEST, SandboxProcess, UPLOAD_CONCURRENCY, build_release_binaries, write_codes,
};

/// The signing backend the binaries are built with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    /// The pure-Rust `rsa` crate (the default).
    Rsa,
    /// aws-lc-rs (`--features aws-lc-rs`), in a target directory of its own
    /// so that the two builds do not replace each other.
    AwsLcRs,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Rsa => "rsa",
            Backend::AwsLcRs => "aws-lc-rs",
        }
    }

    fn target_dir(self, root: &Path) -> PathBuf {
        match self {
            Backend::Rsa => root.join("target"),
            Backend::AwsLcRs => root.join("target/bench-aws-lc-rs"),
        }
    }

    /// Cargo's feature arguments for the binaries and for the runtime's example.
    fn features(self, binaries: bool) -> Vec<&'static str> {
        match (self, binaries) {
            (Backend::Rsa, _) => Vec::new(),
            (Backend::AwsLcRs, true) => vec![
                "--features",
                "couponcodes/aws-lc-rs,wechatpay-sandbox/aws-lc-rs",
            ],
            (Backend::AwsLcRs, false) => vec!["--features", "aws-lc-rs"],
        }
    }
}

/// One upload of the report: its RSA limit, taken just before it, the
/// upload with its export, and the transport floor, taken just after.
struct Run {
    limit: Duration,
    upload: UploadRun,
    floor: Duration,
}

struct UploadRun {
    wall: Duration,
    /// `couponcodes list --output` of the same codes, right after the upload.
    export_wall: Duration,
    client_peak_kib: u64,
    sandbox_peak_kib: Option<u64>,
}

/// Uploads `codes` fresh codes to a fresh sandbox with the released CLI in
/// `release`, under `/usr/bin/time` for the client's peak memory, then exports
/// them.
fn upload_run(root: &Path, release: &Path, codes: usize) -> Result<UploadRun, String> {
    let work = root.join(format!("target/bench/bulk-{codes}"));
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let input = work.join("codes.txt");
    write_codes(&input, "BENCH", codes)?;

    let sandbox =
        SandboxProcess::start(&release.join("wechatpay-sandbox"), &work.join("keys"), &[])?;
    eprintln!("uploading {codes} codes");
    let started = Instant::now();
    let upload = sandbox.upload_command(&release.join("couponcodes"), &input);
    let output = Command::new("/usr/bin/time")
        .args(["-f", "peak-kib %M"])
        .arg(upload.get_program())
        .args(upload.get_args())
        .envs(&sandbox.environment)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("the upload of {codes} codes failed:\n{stderr}"));
    }
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the upload summary is not JSON: {e}"))?;
    if summary["uploaded"].as_u64() != Some(codes as u64) {
        return Err(format!("not every code was uploaded: {summary}"));
    }
    let client_peak_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-kib "))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no peak memory in {stderr:?}"))?;
    eprintln!("exporting {codes} codes");
    let export = work.join("export.csv");
    let started = Instant::now();
    run_ok(
        Command::new(release.join("couponcodes"))
            .args([
                "list",
                "--format",
                "csv",
                "--stock-id",
                &sandbox.stock,
                "--output",
            ])
            .arg(&export)
            .envs(&sandbox.environment),
    )?;
    let export_wall = started.elapsed();
    let exported = fs::read_to_string(&export)
        .map_err(|e| e.to_string())?
        .lines()
        .count();
    if exported != codes + 1 {
        return Err(format!(
            "the export holds {} codes, not {codes}",
            exported.saturating_sub(1)
        ));
    }
    let sandbox_peak_kib = sandbox.peak_kib();
    drop(sandbox);
    fs::remove_dir_all(&work).map_err(|e| e.to_string())?;
    Ok(UploadRun {
        wall,
        export_wall,
        client_peak_kib,
        sandbox_peak_kib,
    })
}

/// The transport floor for `codes` codes: a fresh `--unsigned` sandbox from
/// `release`, the same requests as the upload, as many at a time.
fn floor_run(root: &Path, release: &Path, codes: usize) -> Result<Duration, String> {
    let work = root.join(format!("target/bench/floor-{codes}"));
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| e.to_string())?;
    }
    let sandbox = SandboxProcess::start(
        &release.join("wechatpay-sandbox"),
        &work.join("keys"),
        &["--unsigned"],
    )?;
    let base = &sandbox.environment["WECHATPAY_BASE_URL"];
    eprintln!("transport floor: {codes} codes");
    let wall = transport_floor(base, &sandbox.stock, "BENCH", codes, UPLOAD_CONCURRENCY)?;
    drop(sandbox);
    fs::remove_dir_all(&work).map_err(|e| e.to_string())?;
    Ok(wall)
}

/// The RSA work of one signed exchange (two signatures, two checks) with a
/// backend, measured by the runtime's `rsa_cost` example built like the
/// binaries: on every core at once (the machine's limit: the cores slow each
/// other down), and on one thread alone.
struct RsaCost {
    all_cores: Duration,
    one_thread: Duration,
}

/// Builds the runtime's `rsa_cost` example with `backend` beside its
/// binaries, and returns its path.
fn build_rsa_cost(root: &Path, backend: Backend) -> Result<PathBuf, String> {
    run_ok(
        Command::new(env!("CARGO"))
            .current_dir(root)
            .env("CARGO_TARGET_DIR", backend.target_dir(root))
            .args([
                "build",
                "--quiet",
                "--release",
                "-p",
                "wechatpay-runtime",
                "--example",
                "rsa_cost",
            ])
            .args(backend.features(false)),
    )?;
    Ok(backend.target_dir(root).join("release/examples/rsa_cost"))
}

/// Runs `rsa_cost` once. The machine's speed drifts over minutes (signing
/// took from 2.3 to 3.6 ms here within the hour), so each upload is measured
/// against the limit taken just before it.
fn rsa_per_exchange(rsa_cost: &Path, backend: Backend) -> Result<RsaCost, String> {
    let output = run_ok(&mut Command::new(rsa_cost))?;
    let cost: serde_json::Value = serde_json::from_str(output.trim())
        .map_err(|e| format!("rsa_cost printed {output:?}: {e}"))?;
    if cost["backend"] != backend.name() {
        return Err(format!(
            "rsa_cost ran the {} backend, not {}",
            cost["backend"],
            backend.name()
        ));
    }
    let nanos = |name: &str| {
        cost[name]
            .as_u64()
            .map(Duration::from_nanos)
            .ok_or_else(|| format!("rsa_cost printed no {name}: {output:?}"))
    };
    Ok(RsaCost {
        all_cores: nanos("all_cores_per_exchange_ns")?,
        one_thread: nanos("per_exchange_ns")?,
    })
}

/// The median of some figures (seconds, or ratios), and their spread.
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(values: impl IntoIterator<Item = f64>) -> Spread {
        let mut values: Vec<f64> = values.into_iter().collect();
        values.sort_by(f64::total_cmp);
        Spread {
            median: values[values.len() / 2],
            min: values[0],
            max: values[values.len() - 1],
        }
    }

    fn of_durations(durations: impl IntoIterator<Item = Duration>) -> Spread {
        Spread::of(durations.into_iter().map(|d| d.as_secs_f64()))
    }

    /// `12.34 s (12.01-12.90)`.
    fn show(&self) -> String {
        format!("{:.2} s ({:.2}-{:.2})", self.median, self.min, self.max)
    }
}

pub(super) fn bulk(root: &Path, codes: usize, repeat: usize) -> Result<String, String> {
    let repeat = repeat.max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let mut out = format!(
        "\n## Bulk upload through the CLI (sandbox in its own process, {cores} cores, {repeat} runs of each: median (min-max))\n\n\
         RSA limit: the exchanges' RSA work (two signatures and two checks each, with the backend the binaries use, timed with every core signing at once, just before each upload) spread over every core; the ratios are each run's against its own limit, then the median. \
         Transport floor: the same requests, as many at a time, to a sandbox started `--unsigned`, with bodies built in advance and no crypto anywhere.\n\n\
         | backend | codes | requests | upload | RSA limit | transport floor | upload / RSA limit | upload / (RSA limit + floor) | export | export / upload | client peak memory | sandbox peak memory |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let kib = |v: u64| format!("{:.1} MiB", v as f64 / 1024.0);
    let mut notes = String::new();
    for backend in [Backend::Rsa, Backend::AwsLcRs] {
        let release =
            build_release_binaries(root, &backend.target_dir(root), &backend.features(true))?;
        let rsa_cost = build_rsa_cost(root, backend)?;
        let mut peaks = Vec::new();
        let mut costs = Vec::new();
        for size in [(codes / 10).max(1000), codes] {
            let requests = size.div_ceil(CODES_PER_REQUEST);
            let mut runs = Vec::new();
            for _ in 0..repeat {
                let cost = rsa_per_exchange(&rsa_cost, backend)?;
                runs.push(Run {
                    limit: cost.all_cores.mul_f64(requests as f64 / cores),
                    upload: upload_run(root, &release, size)?,
                    floor: floor_run(root, &release, size)?,
                });
                costs.push(cost);
            }
            // Each run against its own limit; the median of those ratios.
            let ratio = |of: fn(&Run) -> f64| Spread::of(runs.iter().map(of)).median;
            let to_limit = ratio(|run| run.upload.wall.as_secs_f64() / run.limit.as_secs_f64());
            let to_limit_and_floor =
                ratio(|run| run.upload.wall.as_secs_f64() / (run.limit + run.floor).as_secs_f64());
            let export_to_upload =
                ratio(|run| run.upload.export_wall.as_secs_f64() / run.upload.wall.as_secs_f64());
            let upload = Spread::of_durations(runs.iter().map(|run| run.upload.wall));
            let limit = Spread::of_durations(runs.iter().map(|run| run.limit));
            let floor = Spread::of_durations(runs.iter().map(|run| run.floor));
            let export = Spread::of_durations(runs.iter().map(|run| run.upload.export_wall));
            let client_peak = runs
                .iter()
                .map(|run| run.upload.client_peak_kib)
                .max()
                .unwrap_or(0);
            let sandbox_peak = runs
                .iter()
                .filter_map(|run| run.upload.sandbox_peak_kib)
                .max();
            peaks.push((size, client_peak));
            let _ = writeln!(
                out,
                "| {} | {size} | {requests} | {} | {} | {} | {to_limit:.2} | {to_limit_and_floor:.2} | {} | {export_to_upload:.2} | {} | {} |",
                backend.name(),
                upload.show(),
                limit.show(),
                floor.show(),
                export.show(),
                kib(client_peak),
                sandbox_peak.map_or("-".to_owned(), kib),
            );
        }
        let all_cores = Spread::of_durations(costs.iter().map(|c| c.all_cores));
        let one_thread = Spread::of_durations(costs.iter().map(|c| c.one_thread));
        if let [(small, small_peak), (big, big_peak)] = peaks[..] {
            let _ = writeln!(
                notes,
                "- {}: RSA work per exchange {:.3} ms ({:.3}-{:.3}) with every core signing at once, {:.3} ms on one thread alone; client peak memory {big} codes against {small}: {:.2}x for {:.0}x the codes.",
                backend.name(),
                all_cores.median * 1000.0,
                all_cores.min * 1000.0,
                all_cores.max * 1000.0,
                one_thread.median * 1000.0,
                big_peak as f64 / small_peak as f64,
                big as f64 / small as f64,
            );
        }
    }
    out.push('\n');
    out.push_str(&notes);
    out.push_str(
        "\nThe sandbox keeps every code, so its memory grows by design. The export fetches pages of 100 codes \
         (the sandbox's largest page), so it makes twice the requests of the upload, each with the same RSA work.\n",
    );
    Ok(out)
}
