//! A million codes through the released `couponcodes` binary against a
//! `wechatpay-sandbox` process: wall time, peak memory at two sizes, the
//! export of the same codes, and the ratio to the RSA work it must do.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::run_ok;
use crate::sandbox_process::{SandboxProcess, build_release_binaries, write_codes};

struct UploadRun {
    codes: usize,
    wall: Duration,
    /// `couponcodes list --output` of the same codes, right after the upload.
    export_wall: Duration,
    client_peak_kib: u64,
    sandbox_peak_kib: Option<u64>,
}

/// Uploads `codes` fresh codes to a fresh sandbox with the released CLI, under
/// `/usr/bin/time` for the client's peak memory.
fn upload_run(root: &Path, codes: usize) -> Result<UploadRun, String> {
    let release = root.join("target/release");
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
        codes,
        wall,
        export_wall,
        client_peak_kib,
        sandbox_peak_kib,
    })
}

/// The RSA work of one upload request with the runtime's default backend
/// (the `rsa` crate, used directly so that xtask does not build the client):
/// the client signs and verifies, the sandbox verifies and signs.
fn rsa_per_request() -> Result<Duration, String> {
    use rsa::pkcs1v15::Pkcs1v15Sign;
    use sha2::{Digest, Sha256};
    let key = rsa::PrivateKey::new(&mut rand::rng(), 2048).map_err(|e| e.to_string())?;
    let public = key.to_public_key();
    let message = vec![b'x'; 4000];
    let sign = || {
        key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&message))
            .expect("a 2048-bit key signs a SHA-256 digest")
    };
    let signature = sign();
    let sign_time = wechatpay_bench::median(5, || {
        for _ in 0..50 {
            std::hint::black_box(sign());
        }
    }) / 50;
    let verify_time = wechatpay_bench::median(5, || {
        for _ in 0..500 {
            public
                .verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(&message),
                    &signature,
                )
                .expect("a fresh signature verifies");
        }
    }) / 500;
    Ok(2 * sign_time + 2 * verify_time)
}

pub(super) fn bulk(root: &Path, codes: usize) -> Result<String, String> {
    build_release_binaries(root)?;
    let small = upload_run(root, (codes / 10).max(1000))?;
    let big = upload_run(root, codes)?;
    let per_request = rsa_per_request()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let kib = |v: u64| format!("{:.1} MiB", v as f64 / 1024.0);
    let mut out = format!(
        "\n## Bulk upload through the CLI (rsa backend, sandbox in its own process, {cores} cores)\n\n\
         | codes | requests | wall time | RSA limit (baseline) | ratio | client peak memory | sandbox peak memory | export of the same codes | export / upload |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for run in [&small, &big] {
        let requests = run.codes.div_ceil(200);
        let limit = per_request.as_secs_f64() * requests as f64 / cores;
        let _ = writeln!(
            out,
            "| {} | {requests} | {:.2} s | {limit:.2} s | {:.2} | {} | {} | {:.2} s | {:.2} |",
            run.codes,
            run.wall.as_secs_f64(),
            run.wall.as_secs_f64() / limit,
            kib(run.client_peak_kib),
            run.sandbox_peak_kib.map_or("-".to_owned(), kib),
            run.export_wall.as_secs_f64(),
            run.export_wall.as_secs_f64() / run.wall.as_secs_f64(),
        );
    }
    let _ = writeln!(
        out,
        "\nClient peak memory, {} codes against {} codes: {:.2}x for {:.0}x the codes. \
         RSA work per request (2 signs + 2 verifies): {:.2} ms. The sandbox keeps every code, \
         so its memory grows by design. The export fetches 4 pages of 100 codes at a time \
         (the sandbox's largest page), so it makes twice the requests of the upload.",
        big.codes,
        small.codes,
        big.client_peak_kib as f64 / small.client_peak_kib as f64,
        big.codes as f64 / small.codes as f64,
        per_request.as_secs_f64() * 1000.0
    );
    Ok(out)
}
