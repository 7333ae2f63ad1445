//! File downloads end to end: a bill apply gives a digest and a link; the
//! download streams to disk with the client's memory flat (measured by this
//! binary's allocator), decompresses gzip as it streams, and is refused, with
//! no file left behind, when its digest does not match or the connection cuts
//! it short (then, and only then, worth downloading again). Digests are
//! recomputed here from the saved file, not taken from the client's word.
//!
//! One test, run step by step, so the allocator measures one download only.

use peak_alloc::PeakAlloc;
use sha1::{Digest, Sha1};
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::bill::tradebill::{ApplyTradeBillQuery, ApplyTradeBillTarType};
use wechatpay_bindings::v3::billdownload::file::DownloadBillQuery;
use wechatpay_e2e::sandbox;
use wechatpay_runtime::{DownloadError, Error, FileDigest};
use wechatpay_sandbox::BillConfig;

/// Counts the heap's bytes: now, and at most since the last reset.
#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const MIB: u64 = 1024 * 1024;

fn sha1_of_file(path: &std::path::Path) -> (u64, String) {
    let mut file = std::fs::File::open(path).unwrap();
    let mut hasher = Sha1::new();
    let mut buffer = vec![0; 1 << 16];
    let mut len = 0;
    loop {
        let read = std::io::Read::read(&mut file, &mut buffer).unwrap();
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        len += read as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (len, hex)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bills_stream_to_disk_checked_and_flat() {
    let sandbox = sandbox().await;
    let client = sandbox.client_builder().build().unwrap();
    let dir = tempfile::tempdir().unwrap();

    // 200 MB, plain: streamed to disk; the heap grows by a small fraction of it.
    let size = 200 * MIB;
    sandbox.set_bills(BillConfig {
        size,
        corrupt: false,
        cut_short: false,
    });
    let bill = client
        .apply_trade_bill(ApplyTradeBillQuery::new("2026-12-01"))
        .await
        .unwrap();
    let digest = FileDigest::new(
        bill.hash_type.as_deref().unwrap(),
        bill.hash_value.as_deref().unwrap(),
    )
    .unwrap();
    let path = dir.path().join("tradebill-2026-12-01.csv");
    let baseline = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let download = client
        .download_url(bill.download_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(download.content_length(), Some(size));
    let written = download.save(&path, &digest).await.unwrap();
    let growth = HEAP.peak_usage().saturating_sub(baseline) as u64;
    eprintln!("heap growth while downloading {size} bytes: {growth} bytes");
    assert_eq!(written, size);
    assert_eq!(
        sha1_of_file(&path),
        (size, bill.hash_value.as_deref().unwrap().to_lowercase())
    );
    assert!(
        growth < 16 * MIB,
        "the heap grew by {growth} bytes while downloading {size}"
    );

    // The same bill as gzip: decompressed as it streams, the digest over the bill.
    let size = 3 * MIB;
    sandbox.set_bills(BillConfig {
        size,
        corrupt: false,
        cut_short: false,
    });
    let bill = client
        .apply_trade_bill(
            ApplyTradeBillQuery::new("2026-11-30").with_tar_type(ApplyTradeBillTarType::Gzip),
        )
        .await
        .unwrap();
    assert!(
        bill.download_url
            .as_deref()
            .unwrap()
            .contains("tartype=gzip")
    );
    let digest = FileDigest::new(
        bill.hash_type.as_deref().unwrap(),
        bill.hash_value.as_deref().unwrap(),
    )
    .unwrap();
    let download = client
        .download_url(bill.download_url.as_deref().unwrap())
        .await
        .unwrap();
    assert!(download.is_gzip());
    assert_eq!(download.content_length(), None);
    let path = dir.path().join("tradebill-2026-11-30.csv");
    assert_eq!(download.save(&path, &digest).await.unwrap(), size);
    assert_eq!(
        sha1_of_file(&path),
        (size, bill.hash_value.as_deref().unwrap().to_lowercase())
    );

    // The generated call path of the download, from the link's token, into memory.
    let url = reqwest::Url::parse(bill.download_url.as_deref().unwrap()).unwrap();
    let token = url
        .query_pairs()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let download = client
        .download_bill(DownloadBillQuery::new(token).with_tartype("gzip"))
        .await
        .unwrap();
    let mut bytes = Vec::new();
    assert_eq!(download.write_to(&mut bytes, &digest).await.unwrap(), size);
    assert_eq!(bytes, std::fs::read(&path).unwrap());

    // A corrupted download (one byte changed) is refused and leaves no file.
    let error = save_refused(&client, &sandbox, dir.path(), "2026-11-29", true, false).await;
    assert!(
        matches!(error, DownloadError::DigestMismatch { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());

    // A download cut short by the connection: typed as such, worth trying
    // again (unlike a digest mismatch), and no file left behind.
    let error = save_refused(&client, &sandbox, dir.path(), "2026-11-28", false, true).await;
    assert!(matches!(error, DownloadError::Interrupted(_)), "{error:?}");
    assert!(error.is_retryable());
    assert!(Error::from(error).is_retryable());

    // An unknown token is WeChat Pay's error, typed.
    let error = client
        .download_bill(DownloadBillQuery::new("no-such-token"))
        .await
        .expect_err("unknown token");
    assert!(matches!(error, Error::Api(_)), "{error:?}");
}

/// Applies for a 1 MiB bill of `date` that downloads `corrupt` or
/// `cut_short`, saves it into `dir`, and returns why that was refused, having
/// checked that no file of that date is left there.
async fn save_refused(
    client: &wechatpay_runtime::Client,
    sandbox: &wechatpay_sandbox::Sandbox,
    dir: &std::path::Path,
    date: &str,
    corrupt: bool,
    cut_short: bool,
) -> DownloadError {
    sandbox.set_bills(BillConfig {
        size: MIB,
        corrupt,
        cut_short,
    });
    let bill = client
        .apply_trade_bill(ApplyTradeBillQuery::new(date))
        .await
        .unwrap();
    let digest = FileDigest::new(
        bill.hash_type.as_deref().unwrap(),
        bill.hash_value.as_deref().unwrap(),
    )
    .unwrap();
    let error = client
        .download_url(bill.download_url.as_deref().unwrap())
        .await
        .unwrap()
        .save(dir.join(format!("tradebill-{date}.csv")), &digest)
        .await
        .expect_err("refused");
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains(date))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    error
}
