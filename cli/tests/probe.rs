//! The hostile merchant's probe (issue "Nothing lost under a hostile
//! merchant"): each case that went wrong, reproduced, and checked against the
//! server's store and the files on disk, not against the tool's summary.

mod common;

use std::time::Duration;

use common::{couponcodes, run, summary, write_codes};
use wechatpay_sandbox::{DEFAULT_STOCK, Sandbox, SandboxConfig};

/// A sandbox at `addr`, once the port is free again.
async fn sandbox_at(addr: std::net::SocketAddr) -> Sandbox {
    for _ in 0..50 {
        if let Ok(sandbox) = Sandbox::start(SandboxConfig {
            addr,
            ..SandboxConfig::default()
        })
        .await
        {
            return sandbox;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{addr} did not come free");
}

/// A journal of one server is not taken as done for another at the same
/// address (the sandbox restarted empty): the journal is bound to the
/// WeChat Pay key that signs the answers, the change is said, and the codes
/// end up on the new server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_server_at_the_same_address_gets_every_code() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("codes.txt");
    let codes = write_codes(&input, "SAME", 1_000);
    let first = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let addr = first.addr();
    let (status, stdout, stderr) = run(couponcodes(&first, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "--json",
        "codes.txt",
    ]));
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(summary(&stdout)["uploaded"], 1_000);
    drop(first);

    let second = sandbox_at(addr).await;
    assert!(second.codes(DEFAULT_STOCK).is_empty());
    let (status, stdout, stderr) = run(couponcodes(&second, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "--json",
        "codes.txt",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let held: std::collections::HashSet<String> = second.codes(DEFAULT_STOCK).into_iter().collect();
    assert_eq!(held.len(), 1_000, "the new server holds every code");
    assert!(held == codes);
    assert_eq!(summary(&stdout)["uploaded"], 1_000);
    assert!(
        stderr.contains("another WeChat Pay key"),
        "the change is said: {stderr}"
    );
}

/// A sandbox holding `count` uploaded codes of the default stock.
async fn sandbox_with_codes(dir: &std::path::Path, count: usize) -> Sandbox {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    write_codes(&dir.join("codes.txt"), "EXP", count);
    let (status, _, stderr) =
        run(couponcodes(&sandbox, dir).args(["upload", "--stock-id", DEFAULT_STOCK, "codes.txt"]));
    assert_eq!(status, 0, "{stderr}");
    sandbox
}

/// Two exports to the same file at once: each writes a partial file of its
/// own, so the file that appears is one whole export, not a mix of both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_exports_to_one_output_do_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox_with_codes(dir.path(), 3_000).await;
    let export = |format: &str| {
        couponcodes(&sandbox, dir.path())
            .args([
                "list",
                "--stock-id",
                DEFAULT_STOCK,
                "--format",
                format,
                "--page-size",
                "50",
                "--output",
                "export.out",
            ])
            .spawn()
            .unwrap()
    };
    let (mut csv, mut jsonl) = (export("csv"), export("jsonl"));
    assert!(csv.wait().unwrap().success());
    assert!(jsonl.wait().unwrap().success());
    let text = std::fs::read_to_string(dir.path().join("export.out")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let whole_csv = lines[0].starts_with("code,")
        && lines.len() == 3_001
        && lines[1..].iter().all(|l| !l.starts_with('{'));
    let whole_jsonl = lines.len() == 3_000 && lines.iter().all(|l| l.starts_with('{'));
    assert!(whole_csv || whole_jsonl, "a mix: {} lines", lines.len());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// An output that is a folder, or a state the docs do not list, is refused
/// before anything is fetched, with nothing left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_export_arguments_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox_with_codes(dir.path(), 10).await;
    std::fs::create_dir(dir.path().join("exports")).unwrap();
    let before = sandbox.stats().requests;
    let (status, _, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "list",
        "--stock-id",
        DEFAULT_STOCK,
        "--output",
        "exports",
    ]));
    assert_ne!(status, 0);
    assert!(stderr.contains("is a folder"), "{stderr}");
    assert!(
        std::fs::read_dir(dir.path().join("exports"))
            .unwrap()
            .next()
            .is_none()
    );

    let (status, stdout, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "list",
        "--stock-id",
        DEFAULT_STOCK,
        "--status",
        "BOGUS",
    ]));
    assert_eq!(status, 2, "a value to fix: {stderr}");
    assert!(
        stderr.contains("AVAILABLE"),
        "the documented values are named: {stderr}"
    );
    assert!(stdout.is_empty());
    assert_eq!(sandbox.stats().requests, before, "nothing was fetched");
}

/// An input that grows while it is uploaded (a producer still appending):
/// the upload takes the file as it was when it started, accounts for every
/// line of that, says the file changed, and prints its summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_that_grows_during_the_upload_is_taken_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let input = dir.path().join("codes.txt");
    let first = write_codes(&input, "GROW", 20_000);
    // Slow answers, so that the file grows while the upload runs.
    sandbox.set_faults(wechatpay_sandbox::FaultPlan {
        rate: 1.0,
        kinds: vec![wechatpay_sandbox::Fault::Delay],
        delay: Duration::from_millis(30),
        max_in_a_row: 1,
        ..wechatpay_sandbox::FaultPlan::default()
    });
    let child = couponcodes(&sandbox, dir.path())
        .args(["upload", "--stock-id", DEFAULT_STOCK, "--json", "codes.txt"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let more: String = (0..5_000).map(|i| format!("MORE{i:07}\n")).collect();
    std::io::Write::write_all(
        &mut std::fs::OpenOptions::new()
            .append(true)
            .open(&input)
            .unwrap(),
        more.as_bytes(),
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(!stderr.contains("internal error"), "{stderr}");
    let report = summary(&stdout);
    assert_eq!(report["lines"], 20_000, "{stdout}");
    common::assert_buckets_add_up(&report);
    let held: std::collections::HashSet<String> =
        sandbox.codes(DEFAULT_STOCK).into_iter().collect();
    assert!(held.is_subset(&first), "nothing beyond the file as it was");
    assert!(
        stdout.contains("changed") || stderr.contains("changed"),
        "the change is said: {stderr}"
    );
}

/// A client that opens a connection to the receiver and never finishes its
/// request headers is cut off, instead of holding the connection forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_closes_connections_that_send_no_request() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut child = couponcodes(&sandbox, dir.path())
        .args([
            "events",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--out",
            "events.jsonl",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("it says where it listens").unwrap();
        if let Some(rest) = line.strip_prefix("receiving notifications on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let addr = url.trim_start_matches("http://");
    let mut half_open = std::net::TcpStream::connect(addr).unwrap();
    half_open
        .write_all(b"POST /notify HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // Well past the header timeout: by then the receiver has hung up.
    half_open
        .set_read_timeout(Some(couponcodes::events::HEADER_READ_TIMEOUT * 3))
        .unwrap();
    let mut rest = Vec::new();
    let closed = half_open.read_to_end(&mut rest);
    let _ = child.kill();
    let _ = child.wait();
    assert!(closed.is_ok(), "still open: {closed:?}");
}

/// The smaller cases of the probe, each against the server's store or the
/// files on disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smaller_cases() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let upload = |extra: &[&str], file: &str| {
        let mut command = couponcodes(&sandbox, dir.path());
        command.args(["upload", "--stock-id", DEFAULT_STOCK, "--json"]);
        command.args(extra).arg(file);
        command
    };

    // --trim makes blank lines acceptable: skipped, counted, nothing sent.
    std::fs::write(dir.path().join("blank.txt"), "  TRIM1 \n\n   \nTRIM2\r\n").unwrap();
    let (status, stdout, stderr) = run(&mut upload(&["--trim"], "blank.txt"));
    assert_eq!(status, 0, "{stderr}");
    let report = summary(&stdout);
    assert_eq!(
        (report["uploaded"].as_u64(), report["blank"].as_u64()),
        (Some(2), Some(2))
    );
    common::assert_buckets_add_up(&report);
    assert_eq!(sandbox.codes(DEFAULT_STOCK), ["TRIM1", "TRIM2"]);

    // Standard input whose last line has no line ending: said.
    let mut child = upload(&[], "-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"STDIN1\nSTDIN2\nSTDI").unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3 may have been cut short"),
        "{stderr}"
    );

    // A missing input is input to fix (2), and --json still prints JSON.
    let (status, stdout, _) = run(&mut upload(&[], "missing.txt"));
    assert_eq!(status, 2);
    let error: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON error object");
    assert_eq!(error["exit_status"], 2);
    assert!(
        error["error"].as_str().unwrap().contains("missing.txt"),
        "{error}"
    );

    // reconcile: 1 for a mismatch, 3 when the stock cannot be listed.
    write_codes(&dir.path().join("other.txt"), "NOTUP", 3);
    let (status, _, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "reconcile",
        "--stock-id",
        DEFAULT_STOCK,
        "other.txt",
    ]));
    assert_eq!(status, 1, "{stderr}");
    let (status, _, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "reconcile",
        "--stock-id",
        DEFAULT_STOCK,
        "--base-url",
        "http://127.0.0.1:9",
        "other.txt",
    ]));
    assert_eq!(status, 3, "{stderr}");

    // A delete request number reused for another code: refused, not
    // reported as a success, and the code is still there.
    let delete = |code: &str| {
        run(couponcodes(&sandbox, dir.path()).args([
            "delete",
            "--stock-id",
            DEFAULT_STOCK,
            "--request-no",
            "del-reused-0001",
            code,
        ]))
    };
    assert_eq!(delete("TRIM1").0, 0);
    let (status, _, stderr) = delete("TRIM2");
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("used before"), "{stderr}");
    assert!(sandbox.codes(DEFAULT_STOCK).contains(&"TRIM2".to_owned()));
}
