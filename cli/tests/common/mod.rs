//! What the binary tests share: a `couponcodes` command pointed at a sandbox,
//! files of codes, and running a command to its end.

#![allow(dead_code)]

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use wechatpay_sandbox::Sandbox;

/// `couponcodes` in `dir`, with the environment that points it at `sandbox`.
pub fn couponcodes(sandbox: &Sandbox, dir: &Path) -> Command {
    let mut command = bare(dir);
    for (name, value) in sandbox.environment(&dir.join("keys")).unwrap() {
        command.env(name, value);
    }
    command
}

/// `couponcodes` in `dir`, with no WeChat Pay settings at all.
pub fn bare(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("couponcodes").unwrap();
    command.current_dir(dir).env_remove("COUPONCODES_CONFIG");
    for (name, _) in std::env::vars() {
        if name.starts_with("WECHATPAY_") {
            command.env_remove(name);
        }
    }
    command
}

/// Writes `count` distinct codes `{prefix}0000000`... one a line.
pub fn write_codes(path: &Path, prefix: &str, count: usize) -> HashSet<String> {
    let codes: Vec<String> = (0..count).map(|i| format!("{prefix}{i:07}")).collect();
    std::fs::write(path, codes.join("\n") + "\n").unwrap();
    codes.into_iter().collect()
}

/// Exit status, standard output, standard error.
pub fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `--json` summary of an upload.
pub fn summary(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Checks that the summary's buckets add up to the lines read.
pub fn assert_buckets_add_up(summary: &serde_json::Value) {
    let bucket = |name: &str| summary[name].as_u64().unwrap_or_else(|| panic!("{name}"));
    let sum: u64 = [
        "uploaded",
        "already_existed",
        "duplicates_in_input",
        "invalid",
        "blank",
        "failed",
        "unknown",
        "not_tried",
    ]
    .iter()
    .map(|name| bucket(name))
    .sum();
    assert_eq!(sum, bucket("lines"), "{summary}");
}

/// The codes a stock holds, as a set.
pub fn held(sandbox: &Sandbox, stock: &str) -> HashSet<String> {
    sandbox.codes(stock).into_iter().collect()
}
