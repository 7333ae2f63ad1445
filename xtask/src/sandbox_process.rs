//! A `wechatpay-sandbox` process for the tasks that drive the released binaries
//! (`bench`, `soak`).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Builds the released `couponcodes` and `wechatpay-sandbox` binaries (the
/// sandbox's optimised build, not the dev one) into `target_dir` with
/// `features` (Cargo arguments) and returns their directory.
pub(crate) fn build_release_binaries(
    root: &Path,
    target_dir: &Path,
    features: &[&str],
) -> Result<PathBuf, String> {
    eprintln!("building the release binaries {}", features.join(" "));
    let status = Command::new(env!("CARGO"))
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "wechatpay-sandbox",
            "-p",
            "couponcodes",
        ])
        .args(features)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the release build failed".into());
    }
    Ok(target_dir.join("release"))
}

/// Codes per upload request, as the CLI sends them (the bulk engine's chunk).
pub(crate) const CODES_PER_REQUEST: usize = 200;

/// Requests the CLI keeps in flight in the benchmarks and the soak
/// (`couponcodes upload --concurrency`).
pub(crate) const UPLOAD_CONCURRENCY: usize = 8;

/// A `wechatpay-sandbox` process and the environment a client needs for it.
pub(crate) struct SandboxProcess {
    child: Child,
    /// `WECHATPAY_*` variables that point a client at it.
    pub(crate) environment: BTreeMap<String, String>,
    /// Its `MERCHANT_UPLOAD` stock.
    pub(crate) stock: String,
}

impl SandboxProcess {
    /// `couponcodes upload --json --concurrency` [`UPLOAD_CONCURRENCY`] of
    /// `input` to this sandbox's stock.
    pub(crate) fn upload_command(&self, couponcodes: &Path, input: &Path) -> Command {
        let mut command = Command::new(couponcodes);
        command
            .args(["upload", "--json", "--concurrency"])
            .arg(UPLOAD_CONCURRENCY.to_string())
            .args(["--stock-id", &self.stock])
            .arg(input)
            .envs(&self.environment);
        command
    }

    /// Starts `binary` on a free loopback port with `extra` arguments (fault knobs).
    pub(crate) fn start(binary: &Path, keys: &Path, extra: &[&str]) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--dir"])
            .arg(keys)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut environment = BTreeMap::new();
        let mut stock = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if let Some((name, value)) =
                line.strip_prefix("export ").and_then(|l| l.split_once('='))
            {
                environment.insert(name.to_owned(), value.to_owned());
            } else if let Some(rest) = line.strip_prefix("# Stocks: ") {
                stock = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        let stock = stock.ok_or("the sandbox did not print its stocks")?;
        Ok(SandboxProcess {
            child,
            environment,
            stock,
        })
    }

    /// The codes the sandbox holds for its stock, from its control plane
    /// (`GET /sandbox/codes/{stock}`): the server's state, not a client's view.
    pub(crate) fn held_codes(&self) -> Result<Vec<String>, String> {
        use std::io::{Read, Write};
        let base = &self.environment["WECHATPAY_BASE_URL"];
        let address = base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).map_err(|e| e.to_string())?;
        write!(
            stream,
            "GET /sandbox/codes/{} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n",
            self.stock
        )
        .map_err(|e| e.to_string())?;
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or("the sandbox's answer has no body")?;
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            return Err("the sandbox answered in chunks; expected a plain body".into());
        }
        let value: serde_json::Value =
            serde_json::from_str(body).map_err(|e| format!("the sandbox's codes: {e}"))?;
        Ok(value["codes"]
            .as_array()
            .ok_or("no codes in the sandbox's answer")?
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect())
    }

    /// Peak resident memory so far, from `/proc` (Linux).
    pub(crate) fn peak_kib(&self) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `count` distinct codes `{prefix}0000000000`... to `path`, one a line.
pub(crate) fn write_codes(path: &Path, prefix: &str, count: usize) -> Result<(), String> {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(fs::File::create(path).map_err(|e| e.to_string())?);
    for i in 0..count {
        writeln!(file, "{prefix}{i:010}").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())
}
