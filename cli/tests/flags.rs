//! Every numeric flag of every subcommand: its parser never panics, what it
//! accepts can be used (a duration, a rate), and the binary refuses what it
//! cannot use with exit status 2 and a message, never a panic (101).

mod common;

use std::time::Duration;

use common::{bare, run};
use couponcodes::flags::{MAX_RATE, MAX_TIMEOUT_SECONDS, MIN_RATE, positive_rate, seconds};
use proptest::prelude::*;

/// Texts a merchant might type, or a script might pass by mistake.
fn numeric_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|f| f.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|i| format!("{i}0")),
        prop::sample::select(vec![
            "inf", "-inf", "NaN", "nan", "1e20", "1e-400", "-0", "0", "0.0", " 5 ", "", "1,5",
            "10s", "0x10", "+3",
        ])
        .prop_map(str::to_owned),
        ".{0,12}",
    ]
}

proptest! {
    #[test]
    fn a_timeout_is_a_duration_or_refused(text in numeric_text()) {
        if let Ok(seconds) = seconds(&text) {
            prop_assert!(seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS, "{text}");
            // What the client is built with: must not panic.
            let duration = Duration::try_from_secs_f64(seconds);
            prop_assert!(duration.is_ok(), "{text}");
        }
    }

    #[test]
    fn a_rate_is_positive_and_finite_or_refused(text in numeric_text()) {
        if let Ok(rate) = positive_rate(&text) {
            prop_assert!((MIN_RATE..=MAX_RATE).contains(&rate), "{text}");
            // The rate limiter's spacing between requests.
            prop_assert!(Duration::try_from_secs_f64(1.0 / rate).is_ok(), "{text}");
        }
    }
}

/// Each numeric flag with the arguments its command needs, fed the values
/// that broke it before (`--timeout inf` panicked, `NaN` became 0.1 s).
#[test]
fn the_binary_refuses_numbers_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("codes.txt"), "A1\n").unwrap();
    let flags: &[(&[&str], &str)] = &[
        (&["upload", "--stock-id", "1", "codes.txt"], "--timeout"),
        (&["upload", "--stock-id", "1", "codes.txt"], "--concurrency"),
        (&["upload", "--stock-id", "1", "codes.txt"], "--rate"),
        (&["list", "--stock-id", "1"], "--timeout"),
        (&["list", "--stock-id", "1"], "--page-size"),
        (&["list", "--stock-id", "1"], "--concurrency"),
        (
            &["reconcile", "--stock-id", "1", "codes.txt"],
            "--page-size",
        ),
        (
            &["reconcile", "--stock-id", "1", "codes.txt"],
            "--concurrency",
        ),
        (&["get", "--stock-id", "1", "A1"], "--timeout"),
        (&["delete", "--stock-id", "1", "A1"], "--timeout"),
        (&["events", "serve"], "--timeout"),
        (&["demo"], "--codes"),
        (&["sandbox", "--addr", "127.0.0.1:1"], "--fault-rate"),
    ];
    for (command, flag) in flags {
        for value in ["inf", "NaN", "1e20", "-1", "0", "18446744073709551616", "x"] {
            if *flag == "--fault-rate" && value == "0" {
                continue; // a valid probability: the sandbox would start
            }
            let (status, _, stderr) = run(bare(dir.path())
                .args(*command)
                .arg(format!("{flag}={value}")));
            assert_eq!(
                status,
                2,
                "{} {flag} {value}: status {status}\n{stderr}",
                command.join(" ")
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(stderr.contains(flag.trim_start_matches('-')), "{stderr}");
        }
    }
}
