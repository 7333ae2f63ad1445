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
