//! Setting up a [`Client`]: credentials, keys, hosts, retries, timeouts.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::retry::{RateLimiter, RetryPolicy};
use super::{Base, Client, DEFAULT_BASE_URL, Inner};
use crate::config::{ConfigError, Setting};
use crate::error::Error;
use crate::keys::MerchantCredentials;
use crate::verify::{PlatformCertificates, Verifier};

/// Sets up a [`Client`].
#[must_use]
pub struct ClientBuilder {
    credentials: Option<MerchantCredentials>,
    verifier: Verifier,
    base_url: String,
    backup_base_url: Option<String>,
    hosts: Vec<(String, String)>,
    retry: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
    rate_limit: Option<(f64, u32)>,
    validate_requests: bool,
    insecure_skip_verification: bool,
    user_agent: String,
    pool_max_idle_per_host: usize,
    extra_roots: Vec<Vec<u8>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("verifier", &self.verifier)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            verifier: Verifier::new(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            backup_base_url: None,
            hosts: Vec::new(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            rate_limit: None,
            validate_requests: true,
            insecure_skip_verification: false,
            user_agent: format!(
                "wechatpay-rs/{} ({} {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            pool_max_idle_per_host: 32,
            extra_roots: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// The merchant whose key signs requests.
    pub fn merchant(mut self, credentials: MerchantCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Trusts a WeChat Pay public key (public key mode).
    pub fn wechatpay_public_key(
        mut self,
        id: impl Into<String>,
        key: crate::keys::PublicKey,
    ) -> Self {
        self.verifier = self.verifier.with_public_key(id, key);
        self
    }

    /// Trusts the platform certificates downloaded with this APIv3 key
    /// (platform certificate mode). Both modes may be configured at once.
    pub fn platform_certificates(mut self, certificates: PlatformCertificates) -> Self {
        self.verifier = self.verifier.with_platform_certificates(certificates);
        self
    }

    /// Another host than production (the backup host, or a sandbox).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The host to retry on when the main one cannot be reached (a connection
    /// or DNS failure, a timeout): WeChat Pay documents [`BACKUP_BASE_URL`](super::BACKUP_BASE_URL).
    /// Only requests that may be retried switch, and they stay there.
    pub fn backup_base_url(mut self, url: impl Into<String>) -> Self {
        self.backup_base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Sends the operations the docs put on another host (their `base_uri`,
    /// such as `https://apihk.mch.weixin.qq.com`) to `actual` instead: a proxy,
    /// a regional gateway, a sandbox. Without it they go to their documented
    /// host, unless [`Self::base_url`] points the client elsewhere, in which
    /// case everything goes there.
    pub fn host(mut self, documented: impl Into<String>, actual: impl Into<String>) -> Self {
        let documented = documented.into().trim_end_matches('/').to_owned();
        self.hosts.retain(|(known, _)| *known != documented);
        self.hosts
            .push((documented, actual.into().trim_end_matches('/').to_owned()));
        self
    }

    /// How failed requests are repeated.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest wait for one attempt, response body included (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest wait to connect (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// At most `per_second` requests a second on average, in bursts of at most `burst`.
    pub fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_limit = Some((per_second, burst));
        self
    }

    /// Whether requests are checked against the documented limits before they are
    /// sent (default: yes).
    pub fn validate_requests(mut self, validate: bool) -> Self {
        self.validate_requests = validate;
        self
    }

    /// The `User-Agent` header (WeChat Pay rejects requests without one).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Idle connections kept per host.
    pub fn pool_max_idle_per_host(mut self, count: usize) -> Self {
        self.pool_max_idle_per_host = count;
        self
    }

    /// Trusts one more TLS root certificate (DER), beside the operating
    /// system's: a TLS-inspecting proxy's, or a test server's. See [`crate::tls`].
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(der.into());
        self
    }

    /// **Dangerous**: accept responses without checking their signatures. A
    /// forged or altered response would then be believed. Only for debugging
    /// against a server that cannot sign; never against WeChat Pay.
    pub fn danger_accept_unverified_responses(mut self) -> Self {
        self.insecure_skip_verification = true;
        self
    }

    /// Builds the client. Fails without merchant credentials, or without any
    /// WeChat Pay key unless verification was explicitly turned off.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            ConfigError::new(
                Setting::MerchantCredentials,
                "none: call ClientBuilder::merchant",
            )
        })?;
        if !self.verifier.has_keys() && !self.insecure_skip_verification {
            return Err(ConfigError::new(
                Setting::VerificationKeys,
                "neither a WeChat Pay public key nor an APIv3 key: configure \
                 wechatpay_public_key or platform_certificates",
            )
            .into());
        }
        let primary = Base::parse(&self.base_url)?;
        let backup = self
            .backup_base_url
            .as_deref()
            .map(Base::parse)
            .transpose()?;
        let hosts = self
            .hosts
            .iter()
            .map(|(documented, actual)| Ok((documented.clone(), Base::parse(actual)?)))
            .collect::<Result<_, Error>>()?;
        let http = crate::tls::reqwest_builder(&self.extra_roots)?
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build()
            .map_err(|e| ConfigError::new(Setting::HttpClient, e))?;
        if self.insecure_skip_verification {
            tracing::warn!("response signature verification is OFF: responses may be forged");
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_is_default: self.base_url == DEFAULT_BASE_URL,
                primary,
                backup,
                hosts,
                credentials,
                verifier: self.verifier,
                retry: self.retry,
                timeout: self.timeout,
                rate_limiter: self
                    .rate_limit
                    .map(|(rate, burst)| RateLimiter::new(rate, burst)),
                validate_requests: self.validate_requests,
                verify_responses: !self.insecure_skip_verification,
                user_agent: self.user_agent,
                certificate_refresh: Mutex::new(()),
            }),
        })
    }
}
