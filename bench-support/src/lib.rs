//! What the benchmarks (`cargo bench -p wechatpay-e2e`) and `cargo xtask bench`
//! share. Every figure is reported as a ratio to a baseline measured in the
//! same run, because these machines are noisy.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The median time of one run of `work` over `rounds` rounds.
pub fn median(rounds: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds.max(1))
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Operations per second when `iterations` operations took `elapsed`.
pub fn per_second(iterations: usize, elapsed: Duration) -> f64 {
    iterations as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// Prints a row of a markdown table.
pub fn row(cells: &[String]) {
    println!("| {} |", cells.join(" | "));
}

/// The markdown pages under `dir`, recursively, in a stable order.
pub fn pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// Writes a docs tree of at least a thousand pages into `into` (emptied
/// first): copies of the v3 pages of `docs` under distinct paths
/// (`openapi/v3/copy{n}/...`), so that every copy is its own set of
/// operations. Returns the number of pages written.
pub fn thousand_page_tree(docs: &Path, into: &Path) -> io::Result<usize> {
    let base = docs.join("openapi/v3");
    let originals = pages(&base)?;
    if originals.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no pages under {}", base.display()),
        ));
    }
    if into.exists() {
        fs::remove_dir_all(into)?;
    }
    let mut written = 0;
    for copy in 0.. {
        for page in &originals {
            let relative = page.strip_prefix(&base).map_err(io::Error::other)?;
            let target = into.join(format!("openapi/v3/copy{copy}")).join(relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(page, &target)?;
            written += 1;
        }
        if written >= 1000 {
            break;
        }
    }
    Ok(written)
}
