//! The sandbox's state: the keys it signs with, the stores the business
//! routes keep (codes, payments, media, bills, receivers), the fault plan,
//! the notifier, the counters, and the request nonces already seen. The
//! bottom layer: it knows no route and no HTTP handling.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use wechatpay_runtime::PrivateKey;
use wechatpay_runtime::sign::nonce;

use crate::bills::Bills;
use crate::faults::{FaultPlan, FaultState};
use crate::keys::Keys;
use crate::media::MediaStore;
use crate::outbox::{Notifier, NotifyConfig};
use crate::receivers::Receivers;
use crate::store::Store;

/// Which key signs answers when the request does not name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningMode {
    /// The WeChat Pay public key (`PUB_KEY_ID_...`).
    #[default]
    PublicKey,
    /// The platform certificate.
    PlatformCertificate,
}

/// Counters, for tests and the stats endpoint.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Requests received on the API paths.
    pub requests: u64,
    /// Requests rejected before the business rules (signature, headers).
    pub rejected: u64,
    /// Upload requests that reached the business rules.
    pub uploads: u64,
    /// Upload answers replayed for a repeated `upload_request_no`.
    pub upload_replays: u64,
}

/// Whether the sandbox signs, and with which key by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signing {
    /// Requests' signatures are checked and answers signed, by default with
    /// this key.
    On(SigningMode),
    /// Neither (`SandboxConfig::unsigned`): the transport floor of the benchmarks.
    Off,
}

pub(crate) struct Shared {
    pub(crate) keys: Keys,
    pub(crate) signing: Signing,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: FaultState,
    pub(crate) stats: Mutex<Stats>,
    /// Nonces seen in the last five minutes: a replayed request is rejected.
    pub(crate) nonces: Mutex<RecentNonces>,
    pub(crate) notifier: Notifier,
    /// Profit-sharing receivers (the operation with a sensitive field).
    pub(crate) receivers: Mutex<Receivers>,
    /// Uploaded media (the multipart upload).
    pub(crate) media: Mutex<MediaStore>,
    /// Bills applied for (the file download).
    pub(crate) bills: Mutex<Bills>,
    /// Orders and refunds.
    pub(crate) payments: Mutex<crate::payments::Payments>,
}

/// A `Request-ID` as WeChat Pay writes them.
pub(crate) fn request_id() -> String {
    format!("08{:030X}", rand::random::<u128>() >> 8)
}

/// A random 12-character AES-GCM nonce.
pub(crate) fn aead_nonce() -> String {
    nonce().chars().take(12).collect()
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Nonces by when they were seen, oldest first.
#[derive(Default)]
pub(crate) struct RecentNonces {
    pub(crate) seen: HashMap<String, i64>,
    pub(crate) order: VecDeque<(i64, String)>,
}

impl Shared {
    pub(crate) fn new(
        keys: Keys,
        signing: Signing,
        store: Store,
        plan: FaultPlan,
        notify: NotifyConfig,
    ) -> Arc<Self> {
        let faults = FaultState::default();
        faults.set_plan(plan);
        Arc::new(Shared {
            keys,
            signing,
            store: Mutex::new(store),
            faults,
            stats: Mutex::new(Stats::default()),
            nonces: Mutex::new(RecentNonces::default()),
            notifier: Notifier::new(notify),
            receivers: Mutex::new(Receivers::default()),
            media: Mutex::new(MediaStore::default()),
            bills: Mutex::new(Bills::default()),
            payments: Mutex::new(crate::payments::Payments::default()),
        })
    }

    /// The key that signs what no request asked about (notifications; an
    /// unsigned sandbox still signs those, which no benchmark sends).
    pub(crate) fn default_signer(&self) -> (&str, &PrivateKey) {
        let keys = &self.keys;
        match self.signing {
            Signing::On(SigningMode::PublicKey) | Signing::Off => {
                (&keys.public_key_id, &keys.public_key_signer)
            }
            Signing::On(SigningMode::PlatformCertificate) => {
                (&keys.certificate.serial, &keys.certificate.key)
            }
        }
    }
}
