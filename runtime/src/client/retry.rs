//! How the client paces and repeats requests: the retry policy with its
//! jittered backoff, and the rate limiter.

use std::time::Duration;

use rand::RngExt;
use tokio::sync::Mutex;

/// How failed requests are repeated.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the official advice is 2-3).
    pub max_retries: u32,
    /// Delay before the first retry; doubled every time, with jitter.
    pub initial_backoff: Duration,
    /// The longest delay between attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The delay before retry number `retry` (1-based): exponential, with the
    /// upper half jittered so that many clients do not retry in lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let ceiling = exponential.min(self.max_backoff);
        let half = ceiling / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

/// Spaces requests evenly: at most `per_second` on average, with bursts of `burst`.
#[derive(Debug)]
pub(super) struct RateLimiter {
    interval: Duration,
    burst: u32,
    next_free: Mutex<tokio::time::Instant>,
}

impl RateLimiter {
    pub(super) fn new(per_second: f64, burst: u32) -> Self {
        RateLimiter {
            interval: Duration::from_secs_f64(1.0 / per_second.max(1e-6)),
            burst: burst.max(1),
            next_free: Mutex::new(tokio::time::Instant::now()),
        }
    }

    pub(super) async fn acquire(&self) {
        let wait = {
            let mut next_free = self.next_free.lock().await;
            let now = tokio::time::Instant::now();
            let start = (*next_free).max(now);
            *next_free = start + self.interval;
            let allowed_at = start
                .checked_sub(self.interval * (self.burst - 1))
                .unwrap_or(now);
            allowed_at.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let fourth = policy.backoff(4);
            assert!(fourth >= Duration::from_millis(400) && fourth <= Duration::from_millis(800));
            let tenth = policy.backoff(10);
            assert!(tenth >= Duration::from_millis(500) && tenth <= Duration::from_millis(1000));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limiter_spaces_requests() {
        let limiter = RateLimiter::new(10.0, 2);
        let start = tokio::time::Instant::now();
        for _ in 0..6 {
            limiter.acquire().await;
        }
        // Two go at once (the burst), the other four 100 ms apart.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(390), "{elapsed:?}");
        assert!(elapsed <= Duration::from_millis(510), "{elapsed:?}");
    }
}
