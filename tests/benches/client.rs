//! The cost of the client itself: requests per second through the runtime
//! against the sandbox, against bare reqwest sending the same requests signed in
//! advance to the same server, and against bare reqwest doing the signing and
//! verification inline (the sandbox shares the cores, so RSA work on the client
//! side shows in every figure); and a bulk upload against the limit set by the RSA
//! operations it must do (a signature and a verification on each side per request).
//!
//! `BENCH_BULK_CODES` sets the bulk size (default 200,000).

use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use wechatpay_bench::{median, per_second, row};
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::couponcodes::bulk::BulkOptions;
use wechatpay_bindings::couponcodes::upload_codes;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesQuery;
use wechatpay_e2e::http_client;
use wechatpay_runtime::sign::nonce;
use wechatpay_sandbox::{DEFAULT_STOCK, Sandbox, SandboxConfig};

const REQUESTS: usize = 1000;
const CONCURRENCY: usize = 8;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn through_the_client(sandbox: &Sandbox) -> f64 {
    let client = sandbox.client_builder().build().unwrap();
    let started = Instant::now();
    stream::iter(0..REQUESTS)
        .map(|_| client.list_coupon_codes(DEFAULT_STOCK, ListCouponCodesQuery::new().with_limit(1)))
        .buffer_unordered(CONCURRENCY)
        .for_each(|result| async move {
            result.unwrap();
        })
        .await;
    per_second(REQUESTS, started.elapsed())
}

async fn bare_reqwest(sandbox: &Sandbox) -> f64 {
    let keys = sandbox.keys();
    let credentials = keys.merchant_credentials();
    let path = format!("/v3/marketing/busifavor/stocks/{DEFAULT_STOCK}/couponcodes?limit=1");
    let url = format!("{}{path}", sandbox.base_url());
    // Signed before the clock starts: what is measured is sending and receiving.
    let signed: Vec<String> = (0..REQUESTS)
        .map(|_| credentials.authorize("GET", &path, unix_now(), &nonce(), b""))
        .collect();
    let http = http_client();
    let started = Instant::now();
    stream::iter(signed)
        .map(|authorization| {
            let request = http
                .get(&url)
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .header("User-Agent", "bare-reqwest")
                .header("Wechatpay-Serial", keys.public_key_id.clone());
            async move {
                let response = request.send().await.unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap();
            }
        })
        .buffer_unordered(CONCURRENCY)
        .for_each(|()| async {})
        .await;
    per_second(REQUESTS, started.elapsed())
}

/// Bare reqwest doing the crypto every correct client must do: sign each
/// request as it is sent, verify each answer's signature. The difference from
/// the runtime is the cost of everything else the runtime does.
async fn bare_reqwest_with_crypto(sandbox: &Sandbox) -> f64 {
    let keys = sandbox.keys();
    let credentials = keys.merchant_credentials();
    let verifier = wechatpay_runtime::verify::Verifier::new()
        .with_public_key(keys.public_key_id.clone(), keys.wechatpay_public_key());
    let path = format!("/v3/marketing/busifavor/stocks/{DEFAULT_STOCK}/couponcodes?limit=1");
    let url = format!("{}{path}", sandbox.base_url());
    let http = http_client();
    let started = Instant::now();
    stream::iter(0..REQUESTS)
        .map(|_| {
            let (http, credentials, verifier) = (&http, &credentials, &verifier);
            let (path, url, serial) = (&path, &url, &keys.public_key_id);
            async move {
                let authorization = credentials.authorize("GET", path, unix_now(), &nonce(), b"");
                let response = http
                    .get(url)
                    .header("Authorization", authorization)
                    .header("Accept", "application/json")
                    .header("User-Agent", "bare-reqwest")
                    .header("Wechatpay-Serial", serial)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
                let headers = response.headers().clone();
                let body = response.bytes().await.unwrap();
                verifier.verify(&headers, &body, unix_now()).unwrap();
            }
        })
        .buffer_unordered(CONCURRENCY)
        .for_each(|()| async {})
        .await;
    per_second(REQUESTS, started.elapsed())
}

async fn bulk(codes: usize) -> (Duration, Duration, u64) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let input = stream::iter((0..codes).map(|i| (i as u64 + 1, format!("BULK{i:08}"))));
    let mut options = BulkOptions::new("bench-bulk");
    options.concurrency = CONCURRENCY;
    let started = Instant::now();
    let summary = upload_codes(&client, DEFAULT_STOCK, input, options, |_| {})
        .await
        .unwrap();
    let wall = started.elapsed();
    assert_eq!(summary.uploaded as usize, codes);
    // The RSA work of one request, measured now with the same keys and backend.
    let key = sandbox.keys().merchant_key.clone();
    let public = key.public_key();
    let message = vec![b'x'; 4000];
    let signature = key.sign(&message);
    let sign = median(5, || {
        for _ in 0..50 {
            std::hint::black_box(key.sign(&message));
        }
    }) / 50;
    let verify = median(5, || {
        for _ in 0..500 {
            public.verify(&message, &signature).unwrap();
        }
    }) / 500;
    let per_request = 2 * sign + 2 * verify;
    (wall, per_request, summary.requests)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    // Warm both paths (connections, the sandbox's first requests).
    through_the_client(&sandbox).await;
    bare_reqwest(&sandbox).await;
    bare_reqwest_with_crypto(&sandbox).await;
    let (mut client_rates, mut bare_rates, mut crypto_rates) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        bare_rates.push(bare_reqwest(&sandbox).await);
        crypto_rates.push(bare_reqwest_with_crypto(&sandbox).await);
        client_rates.push(through_the_client(&sandbox).await);
    }
    for rates in [&mut client_rates, &mut bare_rates, &mut crypto_rates] {
        rates.sort_by(f64::total_cmp);
    }
    let (client, bare, crypto) = (client_rates[1], bare_rates[1], crypto_rates[1]);
    println!(
        "\n## Client overhead ({REQUESTS} signed GETs, {CONCURRENCY} in flight, sandbox in the same process, backend {})\n",
        wechatpay_runtime::PrivateKey::backend()
    );
    row(&[
        "client".into(),
        "requests/s".into(),
        "ratio to bare reqwest".into(),
        "ratio to bare reqwest with the crypto".into(),
    ]);
    row(&["---".into(), "---".into(), "---".into(), "---".into()]);
    row(&[
        "bare reqwest, requests signed in advance, answers not verified (baseline)".into(),
        format!("{bare:.0}"),
        "1.00".into(),
        format!("{:.2}", bare / crypto),
    ]);
    row(&[
        "bare reqwest signing each request and verifying each answer (baseline)".into(),
        format!("{crypto:.0}"),
        format!("{:.2}", crypto / bare),
        "1.00".into(),
    ]);
    row(&[
        "wechatpay-runtime: validate, sign, send, verify, decode".into(),
        format!("{client:.0}"),
        format!("{:.2}", client / bare),
        format!("{:.2}", client / crypto),
    ]);

    let codes: usize = std::env::var("BENCH_BULK_CODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let (wall, per_request, requests) = bulk(codes).await;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let limit = per_request * requests as u32 / cores;
    println!(
        "\n## Bulk upload of {codes} codes ({requests} requests, sandbox in the same process)\n"
    );
    row(&["measure".into(), "value".into()]);
    row(&["---".into(), "---".into()]);
    row(&["wall time".into(), format!("{:.2} s", wall.as_secs_f64())]);
    row(&[
        "codes per second".into(),
        format!("{:.0}", per_second(codes, wall)),
    ]);
    row(&[
        "RSA work per request (2 signs + 2 verifies)".into(),
        format!("{:.2} ms", per_request.as_secs_f64() * 1000.0),
    ]);
    row(&[
        format!("RSA limit on {cores} cores (baseline)"),
        format!("{:.2} s", limit.as_secs_f64()),
    ]);
    row(&[
        "ratio to the RSA limit".into(),
        format!("{:.2}", wall.as_secs_f64() / limit.as_secs_f64()),
    ]);
}
