//! A local WeChat Pay for the merchant-coupon pre-stored code endpoints.
//!
//! It speaks the real APIv3 protocol: every request's `Authorization` signature is
//! checked with the merchant's public key (stale timestamps, unknown serials,
//! replayed nonces and missing `Accept`/`User-Agent` are rejected with the
//! documented status and error body), every answer is signed with a platform key
//! in public key or platform certificate mode and carries a `Request-ID`, and the
//! business rules are those of the docs: uploads of 1-200 codes of 1-32
//! characters with `fail_codes`, `exist_codes` and `duplicate_codes`, replays of
//! `upload_request_no` and `delete_request_no`, paging by offset and limit.
//!
//! Faults can be injected on demand, seeded and reproducible (see [`FaultPlan`]).
//! Keys are generated at start-up; [`Sandbox::client_builder`] gives a client
//! configured to talk to it, and [`Sandbox::environment`] the variables the CLI reads.

#![deny(missing_docs)]

mod bills;
mod control;
mod examples;
mod faults;
mod keys;
mod media;
mod notify;
mod outbox;
mod payments;
mod protocol;
mod receivers;
mod routes;
mod server;
mod state;
pub mod store;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use wechatpay_runtime::verify::PlatformCertificates;
use wechatpay_runtime::{Client, ClientBuilder};

pub use bills::BillConfig;
pub use examples::event_types;
pub use faults::{Fault, FaultPlan};
pub use keys::{Keys, PlatformCertificate};
pub use media::{MAX_IMAGE, MAX_PDF, Media};
pub use outbox::{NotifyConfig, NotifyStats};
pub use receivers::Receiver;
use server::Routers;
use state::{Shared, Signing};
pub use state::{SigningMode, Stats};
use store::{MERCHANT_UPLOAD, Store};

/// The stock the docs' examples use; a sandbox starts with it in `MERCHANT_UPLOAD` mode.
pub const DEFAULT_STOCK: &str = "98065001";
/// A stock in `WECHATPAY_MODE`, to which codes cannot be uploaded.
pub const WECHATPAY_MODE_STOCK: &str = "98065002";

/// How a sandbox starts.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Keys to use; generated when `None`.
    pub keys: Option<Keys>,
    /// Which key signs answers when a request does not ask for one.
    pub signing: SigningMode,
    /// Stocks and their code modes.
    pub stocks: Vec<(String, String)>,
    /// Faults to inject.
    pub faults: FaultPlan,
    /// Where to listen (loopback; port 0 picks a free one).
    pub addr: SocketAddr,
    /// The largest `limit` a list request may ask for; larger ones are refused
    /// with `PARAM_ERROR`, unless `cap_page`.
    pub max_page: u64,
    /// Answer a `limit` above `max_page` with a page of `max_page` codes
    /// instead of refusing it, as a server may that caps pages without saying so
    /// in advance (the page's `limit` field says how many it holds).
    pub cap_page: bool,
    /// How notifications are delivered (retry interval, attempts, timeout,
    /// duplicates).
    pub notify: NotifyConfig,
    /// Neither check request signatures nor sign answers. Only for measuring
    /// what HTTP, JSON and the business rules cost without RSA (the transport
    /// floor of the benchmarks): a client that verifies refuses every answer.
    pub unsigned: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            keys: None,
            signing: SigningMode::PublicKey,
            stocks: vec![
                (DEFAULT_STOCK.to_owned(), MERCHANT_UPLOAD.to_owned()),
                (WECHATPAY_MODE_STOCK.to_owned(), "WECHATPAY_MODE".to_owned()),
            ],
            faults: FaultPlan::default(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_page: store::MAX_PAGE,
            cap_page: false,
            notify: NotifyConfig::default(),
            unsigned: false,
        }
    }
}

/// A running sandbox. It stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on a Tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let keys = match config.keys {
            Some(keys) => keys,
            None => Keys::generate().map_err(|e| std::io::Error::other(e.to_string()))?,
        };
        let mut store = Store::default();
        store.max_page = config.max_page;
        store.cap_page = config.cap_page;
        for (stock, mode) in &config.stocks {
            store.add_stock(stock, mode);
        }
        let signing = if config.unsigned {
            Signing::Off
        } else {
            Signing::On(config.signing)
        };
        let shared = Shared::new(keys, signing, store, config.faults, config.notify);
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, mut stop) = oneshot::channel();
        let serving = shared.clone();
        let routers = Routers::new(&shared);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let shared = serving.clone();
                        let routers = routers.clone();
                        tokio::spawn(async move {
                            let service = service_fn(move |request| {
                                server::handle(shared.clone(), routers.clone(), request)
                            });
                            // Errors here are the connection faults we injected, or clients going away.
                            let _ = http1::Builder::new()
                                .keep_alive(true)
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    _ = &mut stop => break,
                }
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Sandbox {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its keys (the merchant's private key included: the client needs it).
    pub fn keys(&self) -> &Keys {
        &self.shared.keys
    }

    /// A client builder set up for this sandbox in public key mode.
    pub fn client_builder(&self) -> ClientBuilder {
        let keys = self.keys();
        Client::builder()
            .base_url(self.base_url())
            .merchant(keys.merchant_credentials())
            .wechatpay_public_key(keys.public_key_id.clone(), keys.wechatpay_public_key())
    }

    /// A client builder set up for this sandbox in platform certificate mode only.
    pub fn certificate_client_builder(&self) -> ClientBuilder {
        let keys = self.keys();
        Client::builder()
            .base_url(self.base_url())
            .merchant(keys.merchant_credentials())
            .platform_certificates(
                PlatformCertificates::new(keys.apiv3_key.as_bytes()).expect("a 32-byte key"),
            )
    }

    /// Changes the fault plan (counters of requests seen start again).
    pub fn set_faults(&self, plan: FaultPlan) {
        self.shared.faults.set_plan(plan);
    }

    /// Injects these faults, in order, into the next requests.
    pub fn push_faults(&self, faults: &[Fault]) {
        self.shared.faults.push(faults);
    }

    /// Users claiming `count` uploaded codes of `stock_id` (one
    /// `coupons/send` each, openids `{openid_prefix}00000000`, ...): each code
    /// becomes `DISPATCHED` and a `COUPON.SEND` notification goes to the
    /// notify URL. Returns the codes sent, or why the claims stopped. Call it
    /// inside the Tokio runtime the sandbox runs on: deliveries are its tasks.
    pub fn claim(
        &self,
        stock_id: &str,
        count: u32,
        openid_prefix: &str,
    ) -> Result<Vec<String>, String> {
        routes::claim_codes(&self.shared, stock_id, count, openid_prefix)
            .map_err(|(sent, error)| format!("{} codes sent, then: {error}", sent.len()))
    }

    /// Sends a notification of `event_type` (any APIv3 event type of the
    /// docs, [`event_types`]) to `url` (the registered notify URL when
    /// `None`), its resource built from the event's page with the members of
    /// `resource` over it, encrypted and signed as WeChat Pay sends them, and
    /// sent again until acknowledged. Returns what was sent: `id`,
    /// `event_type` and the plaintext `resource`. Call it inside the Tokio
    /// runtime the sandbox runs on. Over HTTP: `POST /sandbox/notify` with
    /// `{"event_type": ..., "url": ..., "resource": {...}}`.
    pub fn notify(
        &self,
        event_type: &str,
        url: Option<&str>,
        resource: serde_json::Map<String, serde_json::Value>,
    ) -> Result<serde_json::Value, String> {
        control::send_event(
            &self.shared,
            control::NotifyRequest {
                event_type: event_type.to_owned(),
                url: url.map(str::to_owned),
                resource,
            },
        )
    }

    /// The user pays the prepaid order `out_trade_no` (as a person would in
    /// WeChat): the order becomes `SUCCESS` and `TRANSACTION.SUCCESS` goes to
    /// its `notify_url`. Returns the transaction as the notification carries
    /// it. Over HTTP: `POST /sandbox/pay` with `{"out_trade_no": ...}`. Call it
    /// inside the Tokio runtime the sandbox runs on.
    pub fn pay(&self, out_trade_no: &str) -> Result<serde_json::Value, String> {
        routes::pay_order(&self.shared, out_trade_no, None)
    }

    /// An order's state (`NOTPAY`, `SUCCESS`, `REFUND`, `CLOSED`) and how
    /// much of it was refunded, as the sandbox holds it.
    pub fn order(&self, out_trade_no: &str) -> Option<(String, i64)> {
        self.shared
            .payments
            .lock()
            .expect("lock")
            .state(out_trade_no)
    }

    /// Notification counters (events, sends, delivered, duplicates, abandoned).
    pub fn notifications(&self) -> NotifyStats {
        self.shared.notifier.stats.lock().expect("lock").clone()
    }

    /// How many of each fault were injected.
    pub fn faults_injected(&self) -> std::collections::HashMap<Fault, u64> {
        self.shared.faults.injected()
    }

    /// Adds a stock in the given code mode.
    pub fn add_stock(&self, stock_id: &str, mode: &str) {
        self.shared
            .store
            .lock()
            .expect("lock")
            .add_stock(stock_id, mode);
    }

    /// The codes a stock holds, in upload order.
    pub fn codes(&self, stock_id: &str) -> Vec<String> {
        self.shared.store.lock().expect("lock").codes(stock_id)
    }

    /// The codes that upload requests numbered `{prefix}-...` imported: the
    /// server's own record of what a batch of requests did, to hold a client's
    /// report against.
    pub fn imported_by(&self, prefix: &str) -> std::collections::HashSet<String> {
        self.shared.store.lock().expect("lock").imported_by(prefix)
    }

    /// How many upload requests with this `upload_request_no` reached the business
    /// rules (a replay counts; a request refused before, or faulted before, does not).
    pub fn upload_requests(&self, request_no: &str) -> u32 {
        self.shared
            .store
            .lock()
            .expect("lock")
            .upload_requests
            .get(request_no)
            .copied()
            .unwrap_or(0)
    }

    /// The profit-sharing receivers added, with their names as the sandbox
    /// decrypted them: what a client's encryption is checked against.
    pub fn receivers(&self) -> Vec<Receiver> {
        self.shared.receivers.lock().expect("lock").all()
    }

    /// An uploaded file, as the sandbox received it.
    pub fn media(&self, media_id: &str) -> Option<Media> {
        self.shared.media.lock().expect("lock").get(media_id)
    }

    /// The size of the bills applied for from now on, and whether their
    /// downloads are corrupted (one byte changed).
    pub fn set_bills(&self, config: BillConfig) {
        self.shared.bills.lock().expect("lock").next = config;
    }

    /// Test hook: marks a code as dispatched to a user.
    pub fn dispatch(&self, stock_id: &str, code: &str, openid: &str) -> Result<(), String> {
        self.shared
            .store
            .lock()
            .expect("lock")
            .dispatch(stock_id, code, openid, state::now())
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        let mut stats = self.shared.stats.lock().expect("lock").clone();
        stats.upload_replays = self
            .shared
            .store
            .lock()
            .expect("lock")
            .upload_replays_served;
        stats
    }

    /// Writes the merchant private key (and, in public key mode, the WeChat Pay
    /// public key) to a folder of this instance's own under `dir` (named after
    /// its address, so that two sandboxes never share keys) and returns the
    /// environment a client (the `couponcodes` CLI) needs, with absolute paths.
    ///
    /// In platform certificate mode the public key is left out, so that a
    /// client set up from this environment takes the certificate path as it
    /// would with a merchant that has no public key yet: it downloads
    /// `/v3/certificates` with the APIv3 key and verifies with what it got.
    pub fn environment(&self, dir: &Path) -> std::io::Result<Vec<(&'static str, String)>> {
        let keys = self.keys();
        let dir = dir.join(format!("{}-{}", self.addr.ip(), self.addr.port()));
        std::fs::create_dir_all(&dir)?;
        let dir = std::fs::canonicalize(&dir)?;
        let private = dir.join("apiclient_key.pem");
        write_whole(&private, keys.merchant_key.to_pem().as_bytes())?;
        let mut environment = vec![
            ("WECHATPAY_BASE_URL", self.base_url()),
            ("WECHATPAY_MCHID", keys.mchid.clone()),
            ("WECHATPAY_MCH_SERIAL", keys.merchant_serial.clone()),
            ("WECHATPAY_PRIVATE_KEY", private.display().to_string()),
        ];
        if self.shared.signing != Signing::On(SigningMode::PlatformCertificate) {
            let public = dir.join("wechatpay_public_key.pem");
            write_whole(&public, keys.wechatpay_public_key().to_pem().as_bytes())?;
            environment.push(("WECHATPAY_PUBLIC_KEY_ID", keys.public_key_id.clone()));
            environment.push(("WECHATPAY_PUBLIC_KEY", public.display().to_string()));
        }
        environment.push(("WECHATPAY_APIV3_KEY", keys.apiv3_key.clone()));
        Ok(environment)
    }
}

/// Writes `contents` to `path` so that a reader sees the old file or the new
/// one, never half of it: a client started while another asks for the same
/// environment must not read a key cut short. A temporary file beside it,
/// renamed over it (as the CLI's export writes its output).
fn write_whole(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temporary, contents)?;
    temporary.persist(path).map(drop).map_err(|e| e.error)
}

/// The fault knobs of a sandbox started from the command line (`wechatpay-sandbox`,
/// `couponcodes sandbox`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FaultArgs {
    /// Probability (0-1) that a request meets a fault.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub fault_rate: f64,
    /// Seed of the fault decisions.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Faults to choose from (500, 502-html, 503, 429, 202, delay, drop-before,
    /// drop-after, truncate, probe, tamper, stale, unsigned); all by default.
    #[arg(long, value_delimiter = ',', value_parser = fault_named)]
    pub faults: Vec<Fault>,
}

impl FaultArgs {
    /// The plan these knobs describe.
    pub fn plan(&self) -> FaultPlan {
        let mut plan = FaultPlan {
            seed: self.seed,
            rate: self.fault_rate,
            ..FaultPlan::default()
        };
        if !self.faults.is_empty() {
            plan.kinds = self.faults.clone();
        }
        plan
    }
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a probability from 0 to 1")),
    }
}

fn fault_named(name: &str) -> Result<Fault, String> {
    Fault::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        format!("unknown fault {name:?}; one of {}", names.join(", "))
    })
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two clients started at once each ask for the environment: the second
    /// rewrites the key files while the first reads them. A reader must
    /// always find a whole key.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_never_reads_a_key_cut_short() {
        let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let dir = std::env::temp_dir().join(format!("sandbox-env-{}", rand::random::<u64>()));
        let environment = sandbox.environment(&dir).unwrap();
        let key = environment
            .iter()
            .find(|(name, _)| *name == "WECHATPAY_PRIVATE_KEY")
            .map(|(_, path)| std::path::PathBuf::from(path))
            .unwrap();
        let sandbox = &sandbox;
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for _ in 0..300 {
                    sandbox.environment(&dir).unwrap();
                }
            });
            scope.spawn(|| {
                for _ in 0..3_000 {
                    let pem = std::fs::read_to_string(&key).unwrap();
                    let whole = wechatpay_runtime::PrivateKey::from_pem(&pem).is_ok();
                    assert!(whole, "read {} bytes", pem.len());
                }
            });
        });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
