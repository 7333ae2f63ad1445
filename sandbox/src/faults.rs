//! Faults on demand, seeded and reproducible.
//!
//! Whether a request meets a fault depends only on the seed, the request itself
//! (method, path and query, body) and how many times that same request was seen,
//! never on the order concurrent requests arrive in: the same seed and the same
//! requests give the same faults. After `max_in_a_row` faults for the same
//! request the next attempt goes through, so clients that retry always progress.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::Duration;

/// A fault the sandbox can inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// `500 SYSTEM_ERROR`, before the request is handled.
    ServerError,
    /// `502` with an HTML body, as a proxy would answer.
    BadGatewayHtml,
    /// `503 SYSTEM_ERROR`.
    Unavailable,
    /// `429 FREQUENCY_LIMITED`.
    RateLimited,
    /// `202`: accepted, repeat with the same parameters.
    Accepted,
    /// The answer comes after the configured delay (past a client's timeout).
    Delay,
    /// The connection is closed before the request is handled.
    DropBeforeHandling,
    /// The request is handled, then the connection is closed without an answer.
    DropAfterHandling,
    /// The request is handled and half of the answer is sent.
    TruncatedResponse,
    /// The answer carries a `WECHATPAY/SIGNTEST/` probe signature.
    ProbeSignature,
    /// The answer's body is altered after it was signed.
    TamperedBody,
    /// The answer is signed with a timestamp ten minutes old.
    StaleTimestamp,
    /// The answer carries no `Wechatpay-*` signature headers at all.
    Unsigned,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 13] = [
        Fault::ServerError,
        Fault::BadGatewayHtml,
        Fault::Unavailable,
        Fault::RateLimited,
        Fault::Accepted,
        Fault::Delay,
        Fault::DropBeforeHandling,
        Fault::DropAfterHandling,
        Fault::TruncatedResponse,
        Fault::ProbeSignature,
        Fault::TamperedBody,
        Fault::StaleTimestamp,
        Fault::Unsigned,
    ];

    /// Whether the fault happens before the request changes any state.
    pub fn before_handling(self) -> bool {
        matches!(
            self,
            Fault::ServerError
                | Fault::BadGatewayHtml
                | Fault::Unavailable
                | Fault::RateLimited
                | Fault::Accepted
                | Fault::DropBeforeHandling
        )
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ServerError => "500",
            Fault::BadGatewayHtml => "502-html",
            Fault::Unavailable => "503",
            Fault::RateLimited => "429",
            Fault::Accepted => "202",
            Fault::Delay => "delay",
            Fault::DropBeforeHandling => "drop-before",
            Fault::DropAfterHandling => "drop-after",
            Fault::TruncatedResponse => "truncate",
            Fault::ProbeSignature => "probe",
            Fault::TamperedBody => "tamper",
            Fault::StaleTimestamp => "stale",
            Fault::Unsigned => "unsigned",
        }
    }

    /// Parses a name from [`Fault::name`].
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Which faults happen, how often.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// The seed every decision derives from.
    pub seed: u64,
    /// Probability (0 to 1) that a request meets a fault.
    pub rate: f64,
    /// The faults to choose from, equally likely.
    pub kinds: Vec<Fault>,
    /// At most this many faults in a row for the same request.
    pub max_in_a_row: u32,
    /// How long [`Fault::Delay`] waits.
    pub delay: Duration,
    /// Only requests to paths starting with this are affected (empty: all).
    pub path_prefix: String,
}

impl Default for FaultPlan {
    fn default() -> Self {
        FaultPlan {
            seed: 0,
            rate: 0.0,
            kinds: Fault::ALL.to_vec(),
            max_in_a_row: 2,
            delay: Duration::from_secs(3),
            path_prefix: String::new(),
        }
    }
}

/// Decides faults and counts them.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    plan: Mutex<FaultPlan>,
    /// Per request fingerprint: times seen, faults in a row.
    seen: Mutex<HashMap<u64, (u32, u32)>>,
    injected: Mutex<HashMap<Fault, u64>>,
    /// Faults to inject next, in order, before the plan is consulted.
    queue: Mutex<Vec<Fault>>,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64: a well-spread hash of the seed and the request.
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A stable fingerprint of a request (FNV-1a: the standard hasher is seeded per process).
pub(crate) fn fingerprint(method: &str, uri: &str, body: &[u8]) -> u64 {
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for byte in bytes {
                self.0 ^= u64::from(*byte);
                self.0 = self.0.wrapping_mul(0x100_0000_01b3);
            }
        }
    }
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    method.hash(&mut hasher);
    uri.hash(&mut hasher);
    body.hash(&mut hasher);
    hasher.finish()
}

impl FaultState {
    pub(crate) fn set_plan(&self, plan: FaultPlan) {
        *self.plan.lock().expect("lock") = plan;
        self.seen.lock().expect("lock").clear();
    }

    pub(crate) fn plan(&self) -> FaultPlan {
        self.plan.lock().expect("lock").clone()
    }

    pub(crate) fn push(&self, faults: &[Fault]) {
        let mut queue = self.queue.lock().expect("lock");
        for fault in faults.iter().rev() {
            queue.insert(0, *fault);
        }
    }

    pub(crate) fn injected(&self) -> HashMap<Fault, u64> {
        self.injected.lock().expect("lock").clone()
    }

    /// The fault for this request, if any.
    pub(crate) fn decide(&self, path: &str, fingerprint: u64) -> Option<Fault> {
        let queued = {
            let mut queue = self.queue.lock().expect("lock");
            (!queue.is_empty()).then(|| queue.remove(0))
        };
        let fault = queued.or_else(|| {
            let plan = self.plan.lock().expect("lock");
            if plan.rate <= 0.0 || plan.kinds.is_empty() || !path.starts_with(&plan.path_prefix) {
                return None;
            }
            let mut seen = self.seen.lock().expect("lock");
            let entry = seen.entry(fingerprint).or_insert((0, 0));
            let attempt = entry.0;
            entry.0 += 1;
            if entry.1 >= plan.max_in_a_row {
                entry.1 = 0;
                return None;
            }
            let roll = mix(plan.seed ^ mix(fingerprint ^ u64::from(attempt)));
            let chance = (roll >> 11) as f64 / (1u64 << 53) as f64;
            if chance >= plan.rate {
                entry.1 = 0;
                return None;
            }
            entry.1 += 1;
            let pick = mix(roll) as usize % plan.kinds.len();
            Some(plan.kinds[pick])
        })?;
        *self
            .injected
            .lock()
            .expect("lock")
            .entry(fault)
            .or_default() += 1;
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_reproducible_and_bounded() {
        let run = || {
            let state = FaultState::default();
            state.set_plan(FaultPlan {
                seed: 7,
                rate: 0.9,
                ..FaultPlan::default()
            });
            (0..200u64)
                .map(|i| state.decide("/v3/x", i % 20))
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run(), "same seed, same faults");
        assert!(first.iter().filter(|f| f.is_some()).count() > 50);
        // Never more than two faults in a row for one request.
        let state = FaultState::default();
        state.set_plan(FaultPlan {
            seed: 1,
            rate: 1.0,
            ..FaultPlan::default()
        });
        let attempts: Vec<_> = (0..6).map(|_| state.decide("/v3/x", 42)).collect();
        assert!(attempts[0].is_some() && attempts[1].is_some() && attempts[2].is_none());
    }

    #[test]
    fn queued_faults_come_first_and_names_round_trip() {
        let state = FaultState::default();
        state.push(&[Fault::ProbeSignature, Fault::TamperedBody]);
        assert_eq!(state.decide("/v3/x", 1), Some(Fault::ProbeSignature));
        assert_eq!(state.decide("/v3/x", 1), Some(Fault::TamperedBody));
        assert_eq!(state.decide("/v3/x", 1), None);
        for fault in Fault::ALL {
            assert_eq!(Fault::from_name(fault.name()), Some(fault));
        }
    }
}
