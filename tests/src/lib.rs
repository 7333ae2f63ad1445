//! Helpers shared by the end-to-end tests.

use std::sync::OnceLock;
use std::time::Duration;

use wechatpay_runtime::RetryPolicy;
use wechatpay_sandbox::{Keys, Sandbox, SandboxConfig};

/// Keys are generated once per test binary: RSA key generation is the slowest
/// part of starting a sandbox.
pub fn keys() -> Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys::generate().expect("key generation"))
        .clone()
}

/// A sandbox with the shared keys and default stocks.
pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::default()).await
}

/// A sandbox with the shared keys.
pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(SandboxConfig {
        keys: Some(keys()),
        ..config
    })
    .await
    .expect("sandbox starts")
}

/// Retries that do not make the tests slow.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    }
}

/// A plain reqwest client with the runtime's TLS (the workspace's reqwest has
/// no crypto provider of its own), for tests that speak HTTP without the SDK.
pub fn http_client() -> reqwest::Client {
    wechatpay_runtime::tls::reqwest_builder(&[])
        .expect("the runtime's TLS provider runs on this CPU")
        .build()
        .expect("a reqwest client builds")
}
