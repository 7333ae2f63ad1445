//! Bill download throughput: a 200 MB bill from the in-process sandbox through
//! `Client::download_url` and `Download::save` (streamed to disk, SHA1
//! checked), against reading the same bytes back from the saved file (from the
//! page cache), with and without the SHA1 the check costs, and against writing
//! them to a file and syncing it (what `save` must do to be durable). Gzip adds
//! the sandbox's compression and the client's decompression, both on the same
//! cores.
//!
//! `BENCH_BILL_MB` sets the size (default 200).

use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};
use tokio::io::AsyncReadExt;
use wechatpay_bench::row;
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::bill::tradebill::{ApplyTradeBillQuery, ApplyTradeBillTarType};
use wechatpay_runtime::{Client, FileDigest};
use wechatpay_sandbox::{BillConfig, Sandbox, SandboxConfig};

const ROUNDS: usize = 3;

async fn read_back(path: &std::path::Path, hash: bool) -> Duration {
    let started = Instant::now();
    let mut file = tokio::fs::File::open(path).await.unwrap();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut hasher = Sha1::new();
    loop {
        let read = file.read(&mut buffer).await.unwrap();
        if read == 0 {
            break;
        }
        if hash {
            hasher.update(&buffer[..read]);
        }
    }
    std::hint::black_box(hasher.finalize());
    started.elapsed()
}

/// A bill apply: the download link and its digest.
async fn apply(client: &Client, date: &str, gzip: bool) -> (String, FileDigest) {
    let mut query = ApplyTradeBillQuery::new(date);
    if gzip {
        query = query.with_tar_type(ApplyTradeBillTarType::Gzip);
    }
    let bill = client.apply_trade_bill(query).await.unwrap();
    let digest = FileDigest::new(
        bill.hash_type.as_deref().unwrap(),
        bill.hash_value.as_deref().unwrap(),
    )
    .unwrap();
    (bill.download_url.unwrap(), digest)
}

async fn download(client: &Client, date: &str, gzip: bool, path: &std::path::Path) -> Duration {
    let (url, digest) = apply(client, date, gzip).await;
    let started = Instant::now();
    client
        .download_url(&url)
        .await
        .unwrap()
        .save(path, &digest)
        .await
        .unwrap();
    started.elapsed()
}

/// Writing the saved file's bytes to another file and syncing it, as `save`
/// does: the disk's part of a download.
async fn write_copy(from: &std::path::Path, to: &std::path::Path) -> Duration {
    let bytes = tokio::fs::read(from).await.unwrap();
    let started = Instant::now();
    let file = tokio::fs::File::create(to).await.unwrap();
    let mut file = tokio::io::BufWriter::with_capacity(1 << 20, file);
    for chunk in bytes.chunks(64 * 1024) {
        tokio::io::AsyncWriteExt::write_all(&mut file, chunk)
            .await
            .unwrap();
    }
    tokio::io::AsyncWriteExt::flush(&mut file).await.unwrap();
    file.get_mut().sync_all().await.unwrap();
    started.elapsed()
}

/// The same download written nowhere: the network and checking part of it.
async fn download_to_sink(client: &Client, date: &str) -> Duration {
    let (url, digest) = apply(client, date, false).await;
    let started = Instant::now();
    client
        .download_url(&url)
        .await
        .unwrap()
        .write_to(&mut tokio::io::sink(), &digest)
        .await
        .unwrap();
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let megabytes: u64 = std::env::var("BENCH_BILL_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let size = megabytes * 1024 * 1024;
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    sandbox.set_bills(BillConfig {
        size,
        corrupt: false,
        cut_short: false,
    });
    let client = sandbox.client_builder().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bill.csv");
    // Warm: the first apply of a date hashes the bill in the sandbox.
    download(&client, "2026-12-01", false, &path).await;
    let (mut plain, mut gzip, mut read, mut read_hash, mut sink, mut write) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let copy = dir.path().join("copy.csv");
    for _ in 0..ROUNDS {
        read.push(read_back(&path, false).await);
        read_hash.push(read_back(&path, true).await);
        write.push(write_copy(&path, &copy).await);
        sink.push(download_to_sink(&client, "2026-12-01").await);
        plain.push(download(&client, "2026-12-01", false, &path).await);
        gzip.push(download(&client, "2026-12-01", true, &path).await);
    }
    let rate = |time: Duration| megabytes as f64 / time.as_secs_f64();
    let (read, read_hash, write, sink, plain, gzip) = (
        median(read),
        median(read_hash),
        median(write),
        median(sink),
        median(plain),
        median(gzip),
    );
    println!(
        "\n## Bill download ({megabytes} MB, median of {ROUNDS}, sandbox in the same process)\n"
    );
    row(&[
        "what".into(),
        "MB/s".into(),
        "time / reading the file back".into(),
    ]);
    row(&["---".into(), "---".into(), "---".into()]);
    for (what, time) in [
        ("reading the saved file back (page cache; baseline)", read),
        ("reading it back and hashing it (SHA1)", read_hash),
        (
            "writing the same bytes to a file and syncing it (baseline)",
            write,
        ),
        ("download, SHA1-checked, written nowhere", sink),
        (
            "download: streamed, SHA1-checked, written, renamed into place",
            plain,
        ),
        (
            "download as gzip: compressed by the sandbox, decompressed as it streams",
            gzip,
        ),
    ] {
        row(&[
            what.into(),
            format!("{:.0}", rate(time)),
            format!("{:.2}", time.as_secs_f64() / read.as_secs_f64()),
        ]);
    }
}
