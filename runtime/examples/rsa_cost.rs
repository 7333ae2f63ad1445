//! What the RSA work of one signed exchange costs with this build's backend
//! (`rsa`, or `aws-lc-rs` with that feature): a request's signature and its
//! check, an answer's signature and its check. Measured on one thread, and on
//! every core at once (cores share caches and memory, so each signs slower
//! when all do): `cargo xtask bench` takes the second as the machine's RSA
//! limit for a bulk upload. It prints one JSON object.
//!
//! `cargo run --release -p wechatpay-runtime --example rsa_cost [--features aws-lc-rs]`

use std::sync::Barrier;
use std::time::Duration;

use wechatpay_bench::median;
use wechatpay_runtime::PrivateKey;
use wechatpay_runtime::sign::request_message;

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
    let exchange = || {
        let sign = median(7, || {
            for _ in 0..40 {
                std::hint::black_box(key.sign(&message));
            }
        }) / 40;
        let verify = median(7, || {
            for _ in 0..400 {
                public
                    .verify(&message, &signature)
                    .expect("a fresh signature verifies");
            }
        }) / 400;
        (sign, verify)
    };
    let (sign, verify) = exchange();
    // Every core at once: the slowest thread's figures, started together.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Barrier::new(cores);
    let (all_sign, all_verify) = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    exchange()
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a measuring thread panicked"))
            .fold((Duration::ZERO, Duration::ZERO), |(s, v), (ts, tv)| {
                (s.max(ts), v.max(tv))
            })
    });
    println!(
        "{{\"backend\":\"{}\",\"cores\":{cores},\"sign_ns\":{},\"verify_ns\":{},\"per_exchange_ns\":{},\"all_cores_sign_ns\":{},\"all_cores_verify_ns\":{},\"all_cores_per_exchange_ns\":{}}}",
        PrivateKey::backend(),
        sign.as_nanos(),
        verify.as_nanos(),
        (2 * sign + 2 * verify).as_nanos(),
        all_sign.as_nanos(),
        all_verify.as_nanos(),
        (2 * all_sign + 2 * all_verify).as_nanos(),
    );
    Ok(())
}
