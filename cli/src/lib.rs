//! The `couponcodes` command's parts, as a library so that tests can run them
//! in-process (the binary is `src/main.rs`).

pub mod config;
pub mod events;
pub mod export;
pub mod flags;
pub mod input;
pub mod journal;
pub mod upload;

use sha2::{Digest, Sha256};
use wechatpay_runtime::Error;

/// Why a command could not do its job, by the exit status it ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The input or the arguments must be fixed first; nothing was sent
    /// (exit status 2).
    Input(String),
    /// It could not run or finish: the configuration, the network, WeChat
    /// Pay (exit status 3).
    Run(String),
}

impl Failure {
    /// The exit status.
    pub fn status(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Run(_) => 3,
        }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        match self {
            Failure::Input(message) | Failure::Run(message) => message,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Run(message)
    }
}

/// Says why a command failed: on standard error, and with `json` also as a
/// JSON object on standard output (`{"error": ..., "exit_status": ...}`), so
/// that a program reading the JSON report always gets one.
pub fn say_failure(failure: &Failure, json: bool) {
    eprintln!("error: {}", failure.message());
    if json {
        println!(
            "{}",
            serde_json::json!({"error": failure.message(), "exit_status": failure.status()})
        );
    }
}

/// 64 hex digits no other call returns: a digest of `seed`, the time, the
/// process and a counter.
pub fn unique_token(seed: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let text = format!(
        "{seed}\n{}\n{}\n{count}",
        now.as_nanos(),
        std::process::id()
    );
    base16ct::lower::encode_string(&Sha256::digest(text.as_bytes()))
}

/// A person-readable account of an error: what happened, what WeChat Pay said,
/// and whether retrying can help.
pub fn explain(error: &Error) -> String {
    let retry = if error.is_retryable() {
        "retrying may help"
    } else {
        "retrying will not help"
    };
    match error {
        // WeChat Pay's own words already say whether retrying may help.
        Error::Api(api) => {
            let mut text = api.to_string();
            if let Some(detail) = &api.detail {
                text.push_str(&format!(" (detail: {detail})"));
            }
            if !api.is_retryable() {
                text.push_str("; retrying will not help");
            }
            text
        }
        Error::Validation(errors) => {
            format!("not sent, the request breaks documented limits: {errors}")
        }
        other => format!("{other}; {retry}"),
    }
}
