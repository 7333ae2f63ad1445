//! The `couponcodes` binary, run as a user would, against a sandbox started by
//! the test (so that faults, a kill and a rerun can be arranged around it).

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use common::{couponcodes, run};
use wechatpay_sandbox::{DEFAULT_STOCK, Fault, FaultPlan, Sandbox, SandboxConfig};

fn write_codes(path: &std::path::Path, count: usize) -> HashSet<String> {
    common::write_codes(path, "CLI", count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_a_hundred_thousand_codes_under_faults_and_exports_them() {
    let sandbox = Sandbox::start(SandboxConfig {
        faults: FaultPlan {
            seed: 6,
            rate: 0.15,
            kinds: vec![
                Fault::ServerError,
                Fault::RateLimited,
                Fault::Accepted,
                Fault::BadGatewayHtml,
                Fault::DropBeforeHandling,
                Fault::DropAfterHandling,
                Fault::TruncatedResponse,
                Fault::TamperedBody,
                Fault::ProbeSignature,
            ],
            path_prefix: "/v3/".into(),
            ..FaultPlan::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("codes.txt");
    let codes = write_codes(&input, 100_000);
    let (status, stdout, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
        "--json",
        "--concurrency",
        "8",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["uploaded"], 100_000, "{summary}");
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["lines"], 100_000);
    assert!(
        stderr.contains("progress: 100000/100000"),
        "plain progress lines off a terminal: {stderr}"
    );
    let held: HashSet<String> = sandbox.codes(DEFAULT_STOCK).into_iter().collect();
    assert_eq!(held, codes);
    assert!(sandbox.faults_injected().values().sum::<u64>() > 20);

    // The export lists exactly what was uploaded.
    sandbox.set_faults(FaultPlan::default());
    let (status, stdout, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "list",
        "--stock-id",
        DEFAULT_STOCK,
        "--format",
        "csv",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("code,code_status,upload_time,dispatched_time,openid")
    );
    let exported: Vec<String> = lines
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(exported.len(), 100_000);
    assert_eq!(exported.into_iter().collect::<HashSet<_>>(), codes);

    // A rerun of the finished upload sends nothing.
    let requests_before = sandbox.stats().requests;
    let (status, stdout, _) = run(couponcodes(&sandbox, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
        "--json",
    ]));
    assert_eq!(status, 0);
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["resumed_chunks"], 500);
    assert_eq!(summary["uploaded"], 100_000);
    assert_eq!(sandbox.stats().requests, requests_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_upload_resumes_without_sending_a_chunk_twice() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("codes.txt");
    let codes = write_codes(&input, 40_000);
    let mut child = couponcodes(&sandbox, dir.path())
        .args([
            "upload",
            "--stock-id",
            DEFAULT_STOCK,
            "codes.txt",
            "--concurrency",
            "1",
            "--rate",
            "40",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some chunks are journaled, then kill it mid-upload.
    let journal = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(".journal"))
    };
    let started = Instant::now();
    loop {
        let lines = journal()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map_or(0, |text| text.lines().count());
        // The header and fifteen chunks.
        if lines >= 16 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the upload never progressed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let journaled: Vec<String> = std::fs::read_to_string(journal().unwrap())
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        // The first line is the header: which server, merchant, stock and batch.
        .filter_map(|v| v["request_no"].as_str().map(str::to_owned))
        .collect();
    assert!(
        journaled.len() >= 15 && journaled.len() < 200,
        "{}",
        journaled.len()
    );
    assert!(sandbox.codes(DEFAULT_STOCK).len() < codes.len());

    let (status, stdout, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
        "--json",
    ]));
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("resuming:"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(summary["resumed_chunks"].as_u64().unwrap() >= journaled.len() as u64);
    assert_eq!(summary["uploaded"], 40_000, "{summary}");
    // Chunks answered before the kill were not sent again.
    for request_no in &journaled {
        assert_eq!(
            sandbox.upload_requests(request_no),
            1,
            "{request_no} was sent twice"
        );
    }
    let held: HashSet<String> = sandbox.codes(DEFAULT_STOCK).into_iter().collect();
    assert_eq!(held, codes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_reported_with_their_numbers() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("codes.txt"),
        "GOOD1\nGOOD2\nbad\tcode\nGOOD3\n\n012345678901234567890123456789012\nGOOD4\r\n",
    )
    .unwrap();
    let (status, stdout, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
    ]));
    assert_eq!(status, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("codes.txt:3: \"bad\\tcode\" has the character '\\t'"),
        "{stderr}"
    );
    assert!(stderr.contains("codes.txt:5: empty line"), "{stderr}");
    assert!(stderr.contains("codes.txt:6: "), "{stderr}");
    assert!(
        stderr.contains("3 of 7 lines are not valid codes"),
        "{stderr}"
    );
    assert!(
        sandbox.codes(DEFAULT_STOCK).is_empty(),
        "nothing is uploaded"
    );

    let (status, stdout, _) = run(couponcodes(&sandbox, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
        "--skip-invalid",
        "--json",
    ]));
    assert_eq!(status, 1, "invalid lines make the run incomplete");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (summary["uploaded"].as_u64(), summary["invalid"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(
        sandbox.codes(DEFAULT_STOCK),
        ["GOOD1", "GOOD2", "GOOD3", "GOOD4"]
    );
}

#[test]
fn missing_settings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("couponcodes")
        .unwrap()
        .current_dir(dir.path())
        .env_clear()
        .args(["get", "--stock-id", "1", "CODE"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "settings to fix");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("WECHATPAY_MCHID") && stderr.contains("WECHATPAY_PRIVATE_KEY"),
        "{stderr}"
    );
}

#[test]
fn validate_reports_json_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"coupon_code_list":["ABC9588200"],"upload_request_no":"100002322019090134234sfdf"}"#,
    )
    .unwrap();
    let bad = dir.path().join("bad.json");
    let long = "x".repeat(33);
    std::fs::write(
        &bad,
        format!(r#"{{"coupon_code_list":["ok","{long}"],"upload_request_no":""}}"#),
    )
    .unwrap();
    let run = |file: &std::path::Path| {
        Command::cargo_bin("couponcodes")
            .unwrap()
            .args(["validate", "upload_coupon_codes.body"])
            .arg(file)
            .output()
            .unwrap()
    };
    let output = run(&good);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = run(&bad);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(": /coupon_code_list/1: "), "{stdout}");
    assert!(stdout.contains(": /upload_request_no: "), "{stdout}");
}

#[test]
fn the_demo_runs_with_no_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("couponcodes")
        .unwrap()
        .current_dir(dir.path())
        .env_clear()
        .args(["demo", "--codes", "1000"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("uploaded:                1000"), "{stdout}");
    assert!(stdout.contains("1000 codes exported"), "{stdout}");
}
