//! The parsers of the command's numeric flags: each refuses what it cannot
//! use (a clear message, exit status 2) instead of panicking or quietly
//! using something else later.

/// The longest `--timeout`: an hour. WeChat Pay answers in seconds.
pub const MAX_TIMEOUT_SECONDS: f64 = 3600.0;

/// `--timeout`: seconds to wait for one answer, more than 0 and at most an
/// hour (`inf`, `NaN` and `1e20` are refused: a duration cannot hold them).
pub fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS => {
            Ok(seconds)
        }
        _ => Err(format!(
            "{text:?} is not a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS}"
        )),
    }
}

/// The slowest `--rate`: a request every 1000 seconds.
pub const MIN_RATE: f64 = 0.001;

/// The fastest `--rate`: a million requests a second (no limit, in effect).
pub const MAX_RATE: f64 = 1_000_000.0;

/// `--rate`: requests a second, from [`MIN_RATE`] to [`MAX_RATE`] (slower
/// would be clamped by the limiter without a word, so it is refused).
pub fn positive_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (MIN_RATE..=MAX_RATE).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a number of requests a second from {MIN_RATE} to {MAX_RATE}"
        )),
    }
}
