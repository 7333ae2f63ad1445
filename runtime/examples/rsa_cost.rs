//! What the RSA work of one signed exchange costs with this build's backend
//! (`rsa`, or `aws-lc-rs` with that feature): a request's signature and its
//! check, an answer's signature and its check. `cargo xtask bench` takes it as
//! the per-request RSA limit of a bulk upload; it prints one JSON object.
//!
//! `cargo run --release -p wechatpay-runtime --example rsa_cost [--features aws-lc-rs]`

use std::time::{Duration, Instant};

use wechatpay_runtime::sign::{PrivateKey, request_message};

/// The median of `runs` timings of `work`, divided by `per_run`.
fn median(runs: usize, per_run: u32, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed() / per_run
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = PrivateKey::generate()?;
    let public = key.public_key();
    // An upload of 200 codes signs about this much.
    let body = vec![b'x'; 4000];
    let message = request_message(
        "POST",
        "/v3/marketing/busifavor/stocks/98065001/couponcodes",
        1_700_000_000,
        "NONCE",
        &body,
    );
    let signature = key.sign(&message);
    let sign = median(7, 40, || {
        for _ in 0..40 {
            std::hint::black_box(key.sign(&message));
        }
    });
    let verify = median(7, 400, || {
        for _ in 0..400 {
            public
                .verify(&message, &signature)
                .expect("a fresh signature verifies");
        }
    });
    println!(
        "{{\"backend\":\"{}\",\"sign_ns\":{},\"verify_ns\":{},\"per_exchange_ns\":{}}}",
        PrivateKey::backend(),
        sign.as_nanos(),
        verify.as_nanos(),
        (2 * sign + 2 * verify).as_nanos()
    );
    Ok(())
}
