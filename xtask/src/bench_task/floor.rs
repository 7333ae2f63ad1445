//! The transport floor of a bulk upload: its HTTP round trips, as many, of the
//! same sizes and as many at a time, with no crypto at either end (a sandbox
//! started `--unsigned`, bodies built in advance, a stand-in `Authorization`
//! of a real one's length). The sandbox still runs its business rules on
//! every chunk. An upload's wall time then reads as RSA limit + transport
//! floor + what is ours (the client's JSON, journal, scheduling).

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::sandbox_process::CODES_PER_REQUEST;

/// An `Authorization` header as long as the client's (a 2048-bit signature in
/// base64, a 32-character nonce, a 40-character serial).
fn stand_in_authorization() -> String {
    format!(
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"{}\",signature=\"{}\",timestamp=\"{}\",serial_no=\"{}\"",
        "N".repeat(32),
        "S".repeat(344),
        "1".repeat(10),
        "0".repeat(40),
    )
}

/// Uploads `codes` fresh codes (`prefix0000000000`...) to `stock` of the
/// unsigned sandbox at `base_url`, `concurrency` requests at a time, and
/// returns the wall time of the requests alone.
pub(super) fn transport_floor(
    base_url: &str,
    stock: &str,
    prefix: &str,
    codes: usize,
    concurrency: usize,
) -> Result<Duration, String> {
    let url = format!("{base_url}/v3/marketing/busifavor/stocks/{stock}/couponcodes");
    let bodies: Vec<Vec<u8>> = (0..codes.div_ceil(CODES_PER_REQUEST))
        .map(|chunk| {
            let list: Vec<String> = (chunk * CODES_PER_REQUEST
                ..((chunk + 1) * CODES_PER_REQUEST).min(codes))
                .map(|i| format!("{prefix}{i:010}"))
                .collect();
            serde_json::to_vec(&serde_json::json!({
                "coupon_code_list": list,
                "upload_request_no": format!("floor-{chunk:08}"),
            }))
            .expect("JSON values serialize")
        })
        .collect();
    let authorization = stand_in_authorization();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    runtime.block_on(async {
        let client = wechatpay_runtime::tls::reqwest_builder(&[])
            .map_err(|e| format!("HTTP client: {e}"))?
            .pool_max_idle_per_host(32)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let started = Instant::now();
        let mut answers = futures_util::stream::iter(bodies)
            .map(|body| {
                client
                    .post(&url)
                    .header("Authorization", &authorization)
                    .header("User-Agent", "wechatpay-rs transport floor")
                    .header("Accept", "application/json")
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
            })
            .buffer_unordered(concurrency);
        while let Some(answer) = answers.next().await {
            let answer = answer.map_err(|e| format!("floor request: {e}"))?;
            let status = answer.status();
            let body = answer
                .bytes()
                .await
                .map_err(|e| format!("floor answer: {e}"))?;
            if !status.is_success() {
                return Err(format!(
                    "the unsigned sandbox answered {status}: {}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
        Ok(started.elapsed())
    })
}
