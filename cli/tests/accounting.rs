//! Every code accounted for, in every environment: each numbered finding of the
//! "summary tells the truth or the command fails" issue, run through the binary
//! as a merchant would, and checked against what the sandbox holds.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{assert_buckets_add_up, bare, couponcodes, held, run, summary, write_codes};
use wechatpay_sandbox::{DEFAULT_STOCK, Fault, FaultPlan, Sandbox, SandboxConfig};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.unwrap()
}

fn upload_args(file: &str) -> Vec<&str> {
    vec!["upload", "--stock-id", DEFAULT_STOCK, file, "--json"]
}

/// 1. A journal written against one server is never taken as done on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_from_another_server_skips_nothing() {
    let (first, second) = (sandbox().await, sandbox().await);
    let dir = tempfile::tempdir().unwrap();
    let codes = write_codes(&dir.path().join("codes.txt"), "ENV", 1000);
    let (status, stdout, stderr) =
        run(couponcodes(&first, dir.path()).args(upload_args("codes.txt")));
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(held(&first, DEFAULT_STOCK), codes);

    // The README's flow: tried on one server, then run for real on another.
    let (status, stdout2, stderr) =
        run(couponcodes(&second, dir.path()).args(upload_args("codes.txt")));
    assert_eq!(status, 0, "{stderr}");
    assert!(!stderr.contains("resuming"), "{stderr}");
    let report = summary(&stdout2);
    assert_eq!(report["uploaded"], 1000, "{report}");
    assert_eq!(report["resumed_chunks"], 0);
    assert_eq!(
        held(&second, DEFAULT_STOCK),
        codes,
        "the second server holds them all"
    );

    // Pointing the second server at the first one's journal is refused.
    let journal = summary(&stdout)["journal"].as_str().unwrap().to_owned();
    let third = sandbox().await;
    let mut args = upload_args("codes.txt");
    args.extend(["--journal", &journal]);
    let (status, _, stderr) = run(couponcodes(&third, dir.path()).args(&args));
    assert_ne!(status, 0);
    assert!(stderr.contains("belongs to another upload"), "{stderr}");
    assert!(held(&third, DEFAULT_STOCK).is_empty(), "nothing was sent");
}

/// 2. A resumed upload from standard input matches chunks by content, not position.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_stdin_upload_matches_chunks_by_content() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let send = |text: String| {
        let mut child = couponcodes(&server, dir.path())
            .args(upload_args("-"))
            .args(["--batch-id", "fixed-batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status.code().unwrap(),
            summary(&String::from_utf8_lossy(&output.stdout)),
        )
    };
    let first: Vec<String> = (0..600).map(|i| format!("IN{i:05}")).collect();
    let (status, _) = send(first.join("\n"));
    assert_eq!(status, 0);
    // Same batch id, other content in another order: nothing may be skipped.
    let mut second: Vec<String> = (300..900).map(|i| format!("IN{i:05}")).collect();
    second.reverse();
    let (status, report) = send(second.join("\n"));
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["resumed_chunks"], 0, "{report}");
    assert_eq!(report["uploaded"], 300, "{report}");
    assert_eq!(report["already_existed"], 300, "{report}");
    let expected: std::collections::HashSet<String> =
        first.iter().chain(&second).cloned().collect();
    assert_eq!(held(&server, DEFAULT_STOCK), expected);
}

/// 3. A delete after the code was uploaded again is a new delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_delete_after_a_reupload_deletes_again() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.txt"), "AGAIN0001\n").unwrap();
    let delete = ["delete", "--stock-id", DEFAULT_STOCK, "AGAIN0001"];
    for round in 0..2 {
        let (status, _, stderr) = run(couponcodes(&server, dir.path()).args([
            "upload",
            "--stock-id",
            DEFAULT_STOCK,
            "one.txt",
            "--journal",
            &format!("round{round}.journal"),
        ]));
        assert_eq!(status, 0, "{stderr}");
        assert_eq!(server.codes(DEFAULT_STOCK), ["AGAIN0001"]);
        let (status, _, stderr) = run(couponcodes(&server, dir.path()).args(delete));
        assert_eq!(status, 0, "round {round}: {stderr}");
        assert!(stderr.contains("--request-no del"), "{stderr}");
        assert!(
            server.codes(DEFAULT_STOCK).is_empty(),
            "round {round}: the code is gone"
        );
    }
    // A third delete of a code that is not there says so (WeChat Pay
    // refused it: exit status 3).
    let (status, _, stderr) = run(couponcodes(&server, dir.path()).args(delete));
    assert_eq!(status, 3);
    assert!(stderr.contains("RESOURCE_NOT_EXISTS"), "{stderr}");
}

/// 4. Codes whose answer could not be verified are unknown, not failed, and
///    the summary says how to settle them; lines never sent are counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverifiable_answers_make_codes_unknown_not_failed() {
    let server = sandbox().await;
    let other = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let codes = write_codes(&dir.path().join("codes.txt"), "UNV", 2000);
    // The right server, the wrong WeChat Pay public key.
    let wrong_key = other
        .environment(&dir.path().join("other"))
        .unwrap()
        .into_iter()
        .find(|(name, _)| *name == "WECHATPAY_PUBLIC_KEY")
        .unwrap()
        .1;
    let (status, stdout, stderr) = run(couponcodes(&server, dir.path())
        .env("WECHATPAY_PUBLIC_KEY", wrong_key)
        .args(upload_args("codes.txt"))
        .args(["--concurrency", "1"]));
    assert_eq!(status, 1);
    let report = summary(&stdout);
    assert_buckets_add_up(&report);
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["uploaded"], 0);
    assert_eq!(
        report["unknown"], 600,
        "three chunks, then it stops: {report}"
    );
    assert_eq!(report["not_tried"], 1400);
    assert!(stderr.contains("couponcodes reconcile"), "{stderr}");
    // The server did import them: "unknown" was the truth, "failed" would not be.
    assert_eq!(held(&server, DEFAULT_STOCK).len(), 600);

    // Reconcile says which codes are missing; a rerun with the right key finishes.
    let (status, stdout, _) = run(couponcodes(&server, dir.path()).args([
        "reconcile",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
        "--json",
    ]));
    assert_eq!(status, 1);
    let reconciliation: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        reconciliation["missing_from_server"]
            .as_array()
            .unwrap()
            .len(),
        1400
    );
    let (status, stdout, stderr) =
        run(couponcodes(&server, dir.path()).args(upload_args("codes.txt")));
    assert_eq!(status, 0, "{stderr}");
    let report = summary(&stdout);
    assert_eq!(
        report["uploaded"], 2000,
        "replayed request numbers: {report}"
    );
    assert_eq!(held(&server, DEFAULT_STOCK), codes);
    let (status, _, _) = run(couponcodes(&server, dir.path()).args([
        "reconcile",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
    ]));
    assert_eq!(status, 0);
}

/// 4. A tampered answer, every time: the code's fate is unknown until a clean rerun.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_answers_are_unknown_until_a_rerun_settles_them() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let codes = write_codes(&dir.path().join("codes.txt"), "TMP", 150);
    server.set_faults(FaultPlan {
        rate: 1.0,
        kinds: vec![Fault::TamperedBody],
        max_in_a_row: 100,
        path_prefix: "/v3/marketing/".into(),
        ..FaultPlan::default()
    });
    let (status, stdout, _) = run(couponcodes(&server, dir.path()).args(upload_args("codes.txt")));
    assert_eq!(status, 1);
    let report = summary(&stdout);
    assert_eq!(
        (report["unknown"].as_u64(), report["failed"].as_u64()),
        (Some(150), Some(0))
    );
    assert_eq!(held(&server, DEFAULT_STOCK), codes);
    server.set_faults(FaultPlan::default());
    let (status, stdout, _) = run(couponcodes(&server, dir.path()).args(upload_args("codes.txt")));
    assert_eq!(status, 0);
    assert_eq!(summary(&stdout)["uploaded"], 150);
}

/// 5. No server, no stock: the run stops early and says why in one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hopeless_uploads_stop_early_and_say_why() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    write_codes(&dir.path().join("codes.txt"), "HOP", 20_000);
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (status, stdout, stderr) = run(couponcodes(&server, dir.path())
        .env("WECHATPAY_BASE_URL", &closed_url)
        .args(upload_args("codes.txt")));
    assert_eq!(status, 1);
    let report = summary(&stdout);
    assert_buckets_add_up(&report);
    let stopped = report["stopped_early"].as_str().unwrap().to_lowercase();
    assert!(stopped.contains("connection refused"), "{stopped}");
    assert!(report["not_tried"].as_u64().unwrap() >= 18_800, "{report}");
    // Three failed chunks stop it; at most the others in flight then fail too.
    assert!(report["failed"].as_u64().unwrap() <= 1200, "{report}");
    assert!(stderr.contains("were not tried"), "{stderr}");

    let (status, stdout, _) = run(couponcodes(&server, dir.path()).args([
        "upload",
        "--stock-id",
        "404404404",
        "codes.txt",
        "--json",
    ]));
    assert_eq!(status, 1);
    let report = summary(&stdout);
    assert!(
        report["stopped_early"]
            .as_str()
            .unwrap()
            .contains("RESOURCE_NOT_EXISTS"),
        "{report}"
    );
    assert!(
        report["failed"].as_u64().unwrap() <= 800,
        "at most the chunks in flight"
    );
    assert!(
        server.stats().uploads <= 4,
        "only the chunks in flight: {:?}",
        server.stats()
    );
}

/// 6. Files as merchants have them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchant_files_are_read_as_they_are() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let up = |file: &str, extra: &[&str]| {
        let mut args = upload_args(file);
        args.extend(extra);
        run(couponcodes(&server, dir.path()).args(&args))
    };

    // Excel's UTF-8 with a BOM and CRLF.
    std::fs::write(dir.path().join("bom.csv"), "\u{feff}BOM001\r\nBOM002\r\n").unwrap();
    let (status, _, stderr) = up("bom.csv", &[]);
    assert_eq!(status, 0, "{stderr}");
    // UTF-16 ("Unicode text") with its BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "U16001\r\nU16002\r\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    std::fs::write(dir.path().join("utf16.txt"), utf16).unwrap();
    let (status, _, stderr) = up("utf16.txt", &[]);
    assert_eq!(status, 0, "{stderr}");
    // GBK with a Chinese header line: named, then read.
    std::fs::write(
        dir.path().join("gbk.csv"),
        b"\xc8\xaf\xc2\xeb\r\nGBK001\r\n",
    )
    .unwrap();
    let (status, _, stderr) = up("gbk.csv", &[]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("gbk.csv:1:") && stderr.contains("--encoding gbk"),
        "{stderr}"
    );
    let (status, stdout, stderr) = up("gbk.csv", &["--encoding", "gbk", "--skip-invalid"]);
    assert_eq!(status, 1, "one invalid line: {stderr}");
    assert!(stderr.contains("gbk.csv:1: \"券码\""), "{stderr}");
    assert_eq!(summary(&stdout)["uploaded"], 1);
    // Spaces: a line of them, and codes padded by them.
    std::fs::write(dir.path().join("spaces.txt"), "SP001\n   \n  SP002 \n").unwrap();
    let (status, _, stderr) = up("spaces.txt", &[]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("spaces.txt:2: \"   \" is only white space"),
        "{stderr}"
    );
    assert!(
        stderr.contains("spaces.txt:3:") && stderr.contains("--trim"),
        "{stderr}"
    );
    std::fs::write(dir.path().join("padded.txt"), "SP001\n  SP002 \n").unwrap();
    let (status, _, stderr) = up("padded.txt", &["--trim"]);
    assert_eq!(status, 0, "{stderr}");
    let holds = held(&server, DEFAULT_STOCK);
    for code in [
        "BOM001", "BOM002", "U16001", "U16002", "GBK001", "SP001", "SP002",
    ] {
        assert!(holds.contains(code), "{code} in {holds:?}");
    }
    assert_eq!(holds.len(), 7, "{holds:?}");

    // A 10 MB line is not echoed back.
    std::fs::write(
        dir.path().join("long.txt"),
        "x".repeat(10 << 20) + "\nOK1\n",
    )
    .unwrap();
    let (status, _, stderr) = up("long.txt", &[]);
    assert_eq!(status, 2);
    assert!(stderr.len() < 2000, "{} bytes of messages", stderr.len());
    // The journal may not be the input.
    std::fs::write(dir.path().join("self.txt"), "SELF01\n").unwrap();
    let (status, _, stderr) = up("self.txt", &["--journal", "./self.txt"]);
    assert_eq!(status, 2, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("self.txt")).unwrap(),
        "SELF01\n"
    );
    // Rates must be positive; an empty file is no upload and leaves no journal.
    for rate in ["0", "-1", "nan"] {
        let (status, _, _) = up("self.txt", &["--rate", rate]);
        assert_eq!(status, 2, "--rate {rate}");
    }
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    let (status, _, stderr) = up("empty.txt", &[]);
    assert_eq!(status, 2);
    assert!(stderr.contains("holds no codes"), "{stderr}");
    let journals = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("empty.txt."))
        .count();
    assert_eq!(journals, 0);
    assert_eq!(
        held(&server, DEFAULT_STOCK).len(),
        7,
        "none of these sent anything"
    );
}

/// 6. Standard input is checked in full before anything is sent, bad bytes included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_input_is_checked_like_a_file() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    for i in 0..1000 {
        input.extend(format!("STDIN{i:04}\n").bytes());
    }
    input.extend(b"BAD\xff\xfeBYTE\n");
    input.extend(b"AFTER0001\n");
    let mut child = couponcodes(&server, dir.path())
        .args(upload_args("-"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("<stdin>:1001: is not UTF-8"), "{stderr}");
    assert!(held(&server, DEFAULT_STOCK).is_empty(), "nothing is sent");
}

/// 7. A config file with a mistake does not print the APIv3 key.
#[test]
fn config_errors_do_not_print_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "K3yK3yK3yK3yK3yK3yK3yK3yK3yK3y12";
    std::fs::write(
        dir.path().join("c.toml"),
        format!("mchid = \"1\"\napiv3_key = \"{secret}\" oops\n"),
    )
    .unwrap();
    let (status, _, stderr) =
        run(bare(dir.path()).args(["get", "--stock-id", "1", "X", "--config", "c.toml"]));
    assert_eq!(status, 2, "a setting to fix");
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(!stderr.contains("K3y"), "{stderr}");
}

/// 8. Exports: retried pages, no header before an error, no partial file passed
///    off as complete, no silent cap on the page size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_complete_or_say_they_are_not() {
    let server = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let codes = write_codes(&dir.path().join("codes.txt"), "EXP", 5000);
    let (status, _, _) = run(couponcodes(&server, dir.path()).args(upload_args("codes.txt")));
    assert_eq!(status, 0);
    // A third of the answers tampered with: pages are fetched again.
    server.set_faults(FaultPlan {
        seed: 8,
        rate: 0.3,
        kinds: vec![
            Fault::TamperedBody,
            Fault::ProbeSignature,
            Fault::ServerError,
        ],
        max_in_a_row: 2,
        path_prefix: "/v3/marketing/".into(),
        ..FaultPlan::default()
    });
    let list = ["list", "--stock-id", DEFAULT_STOCK, "--format", "csv"];
    let (status, _, stderr) = run(couponcodes(&server, dir.path())
        .args(list)
        .args(["--output", "export.csv"]));
    assert_eq!(status, 0, "{stderr}");
    let export = std::fs::read_to_string(dir.path().join("export.csv")).unwrap();
    let exported: std::collections::HashSet<String> = export
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(exported, codes);
    assert!(server.faults_injected().values().sum::<u64>() > 5);

    // Every answer unverifiable: no output file, no partial one, nothing on stdout.
    server.set_faults(FaultPlan {
        rate: 1.0,
        kinds: vec![Fault::TamperedBody],
        max_in_a_row: 100,
        path_prefix: "/v3/marketing/".into(),
        ..FaultPlan::default()
    });
    let (status, stdout, stderr) = run(couponcodes(&server, dir.path())
        .args(list)
        .args(["--output", "broken.csv"]));
    assert_eq!(status, 3, "could not finish");
    assert!(stderr.contains("incomplete"), "{stderr}");
    assert!(!dir.path().join("broken.csv").exists());
    let partials = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(partials, 0, "no partial file left");
    assert!(stdout.is_empty());
    let (status, stdout, _) = run(couponcodes(&server, dir.path()).args(list));
    assert_eq!(status, 3);
    assert!(
        stdout.is_empty(),
        "no CSV header before the error: {stdout:?}"
    );
    server.set_faults(FaultPlan::default());

    // A page size beyond the server's maximum is an error that says so.
    let (status, _, stderr) = run(couponcodes(&server, dir.path())
        .args(list)
        .args(["--page-size", "500"]));
    assert_eq!(status, 3, "WeChat Pay refused it");
    assert!(stderr.contains("limit must be 1 to 100"), "{stderr}");
}

/// 9. `couponcodes sandbox`: absolute key paths, one folder per instance, fault
///    knobs; credential flags only where they mean something; no demo leftovers.
#[test]
fn rough_edges_are_gone() {
    let dir = tempfile::tempdir().unwrap();
    let start = |port: u16| {
        let mut child = bare(dir.path())
            .args([
                "sandbox",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--fault-rate",
                "0.5",
                "--faults",
                "500,tamper",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
            if line.is_empty() || line.starts_with("# then") {
                break;
            }
            lines.push(line.trim().to_owned());
        }
        child.kill().unwrap();
        child.wait().unwrap();
        lines
            .iter()
            .find_map(|l| l.strip_prefix("export WECHATPAY_PRIVATE_KEY="))
            .unwrap_or_else(|| panic!("{lines:?}"))
            .to_owned()
    };
    let free_port = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (one, two) = (start(free_port()), start(free_port()));
    assert!(std::path::Path::new(&one).is_absolute(), "{one}");
    assert_ne!(one, two, "each instance keeps its own keys");
    assert!(std::path::Path::new(&one).exists() && std::path::Path::new(&two).exists());

    let help = |command: &str| run(bare(dir.path()).args([command, "--help"])).1;
    assert!(!help("validate").contains("--mchid"));
    assert!(!help("demo").contains("--private-key"));
    assert!(help("upload").contains("--mchid"));
    assert!(
        run(bare(dir.path()).arg("--help"))
            .1
            .contains("COUPONCODES_LOG")
    );
    // An upload to an in-process sandbox leaves no journal beside the file.
    std::fs::write(dir.path().join("try.txt"), "TRY0001\n").unwrap();
    let (status, _, stderr) = run(bare(dir.path()).args([
        "--sandbox",
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "try.txt",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let journals = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".journal"))
        .count();
    assert_eq!(journals, 0);
    let (status, _, _) = run(bare(dir.path()).args(["demo", "--codes", "0"]));
    assert_eq!(status, 2);
    let temp = tempfile::tempdir().unwrap();
    let (status, _, stderr) = run(bare(dir.path())
        .env("TMPDIR", temp.path())
        .args(["demo", "--codes", "5"]));
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        std::fs::read_dir(temp.path()).unwrap().count(),
        0,
        "the demo cleans up"
    );
}

/// `couponcodes sandbox --certificate-mode`: the environment it prints has no
/// public key, so the command run from it verifies with the platform
/// certificate it downloads; an upload then lands, as a `list` afterwards shows.
#[test]
fn the_sandbox_command_in_certificate_mode_serves_a_certificate_client() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = bare(dir.path())
        .args(["sandbox", "--certificate-mode", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut environment = Vec::new();
    loop {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        if line.is_empty() || line.starts_with("# then") {
            break;
        }
        if let Some((name, value)) = line
            .trim()
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
        {
            environment.push((name.to_owned(), value.to_owned()));
        }
    }
    let names: Vec<&str> = environment.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"WECHATPAY_APIV3_KEY"), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|name| name.starts_with("WECHATPAY_PUBLIC_KEY")),
        "certificate mode prints no public key: {names:?}"
    );

    let codes = write_codes(&dir.path().join("codes.txt"), "CERT", 3);
    let (status, _, stderr) = run(bare(dir.path()).envs(environment.iter().cloned()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let (status, _, stderr) = run(bare(dir.path()).envs(environment.iter().cloned()).args([
        "list",
        "--stock-id",
        DEFAULT_STOCK,
        "--format",
        "csv",
        "--output",
        "held.csv",
    ]));
    assert_eq!(status, 0, "{stderr}");
    let held: std::collections::HashSet<String> =
        std::fs::read_to_string(dir.path().join("held.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_owned())
            .collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(held, codes);
}
