//! The notification sender's state: its settings, counters, HTTP client,
//! the ids it hands out and its turns in flight. Part of the sandbox's state;
//! the sending itself is `notify`'s.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// How notifications are delivered.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// Time between sends of an unacknowledged notification (WeChat Pay: 60 s
    /// for `COUPON.SEND`).
    pub interval: Duration,
    /// Sends in all before giving up (`COUPON.SEND`: 11).
    pub attempts: u32,
    /// An answer slower than this counts as a failure (WeChat Pay: 5 s).
    pub timeout: Duration,
    /// The chance that an acknowledged notification is sent once more.
    pub duplicate_rate: f64,
    /// Sends in flight at once; the others wait their turn (a burst of
    /// thousands of events must not time itself out).
    pub concurrency: usize,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            interval: Duration::from_secs(60),
            attempts: 11,
            timeout: Duration::from_secs(5),
            duplicate_rate: 0.0,
            concurrency: 16,
        }
    }
}

/// Counters of notifications, for tests and `/sandbox/stats`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NotifyStats {
    /// Events that produced a notification.
    pub events: u64,
    /// Sends (first sends, retries and duplicates).
    pub sends: u64,
    /// Notifications acknowledged with a 2xx.
    pub delivered: u64,
    /// Extra sends of acknowledged notifications.
    pub duplicates: u64,
    /// Notifications given up after the last attempt, or with no notify URL.
    pub abandoned: u64,
}

impl NotifyStats {
    /// Notifications still being delivered.
    pub fn pending(&self) -> u64 {
        self.events - self.delivered - self.abandoned
    }
}

/// The sandbox's delivery state.
pub(crate) struct Notifier {
    pub(crate) config: NotifyConfig,
    pub(crate) stats: std::sync::Mutex<NotifyStats>,
    pub(crate) http: reqwest::Client,
    pub(crate) next_id: AtomicU64,
    pub(crate) in_flight: tokio::sync::Semaphore,
}

impl Notifier {
    pub(crate) fn new(config: NotifyConfig) -> Self {
        Notifier {
            in_flight: tokio::sync::Semaphore::new(config.concurrency.max(1)),
            config,
            stats: std::sync::Mutex::new(NotifyStats::default()),
            // Notify URLs may be HTTPS; the runtime's TLS needs no C compiler.
            http: wechatpay_runtime::tls::reqwest_builder(&[])
                .and_then(|builder| {
                    builder.build().map_err(|e| {
                        wechatpay_runtime::ConfigError::new(
                            wechatpay_runtime::Setting::HttpClient,
                            e,
                        )
                    })
                })
                .expect("the HTTP client for notifications builds"),
            next_id: AtomicU64::new(1),
        }
    }

    pub(crate) fn count(&self, change: impl FnOnce(&mut NotifyStats)) {
        change(&mut self.stats.lock().expect("lock"));
    }
}
