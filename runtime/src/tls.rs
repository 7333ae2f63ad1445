//! TLS for the HTTP client: which cryptography rustls uses, and which roots it trusts.
//!
//! The default build needs no C compiler. On x86_64 and aarch64 rustls uses
//! [graviola](https://docs.rs/graviola) (Rust and formally verified assembly,
//! written for rustls by one of its authors); elsewhere it uses *ring*, which
//! does compile C. The `aws-lc-rs` feature, which already moves RSA signing to
//! aws-lc-rs, moves TLS there too, so one C library serves both.
//!
//! Certificates are checked by the operating system's verifier
//! (`rustls-platform-verifier`), plus any root a caller adds with
//! [`ClientBuilder::add_root_certificate`](crate::ClientBuilder::add_root_certificate)
//! (a TLS-inspecting proxy's, or a test server's).
//!
//! The choice is made here, once, and handed to reqwest as a finished rustls
//! configuration: nothing is installed process-wide, so a program that picks
//! its own rustls default for other clients is not disturbed.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;

use crate::config::{ConfigError, Setting};

/// The name of the cryptography TLS uses in this build: `"graviola"`, `"ring"`
/// or `"aws-lc-rs"`.
pub const PROVIDER: &str = provider::NAME;

/// A reqwest builder whose TLS uses this crate's provider and the platform's
/// verifier, plus `extra_roots` (DER certificates).
///
/// [`Client`](crate::Client) builds its own HTTP client with this; it is public
/// for programs that send other HTTP requests beside the API (a notification
/// forwarder, a test harness) and want the same TLS without choosing a rustls
/// provider themselves. Fails when this machine's CPU lacks what the provider
/// needs (graviola: AES-NI, AVX2 and a few more, see
/// [`graviola`](https://docs.rs/graviola)), naming the feature to enable instead.
pub fn reqwest_builder(extra_roots: &[Vec<u8>]) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(client_config(extra_roots)?))
}

fn client_config(extra_roots: &[Vec<u8>]) -> Result<ClientConfig, ConfigError> {
    let provider = Arc::new(provider::get()?);
    let roots: Vec<CertificateDer<'static>> = extra_roots
        .iter()
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        with_extra_roots(roots, provider.clone())
    }
    .map_err(|e| ConfigError::new(Setting::Tls, format!("certificate verifier: {e}")))?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new(Setting::Tls, format!("versions: {e}")))?
        .dangerous()
        // Not dangerous: this is the platform verifier, the one reqwest itself
        // would install; rustls only calls any custom verifier "dangerous".
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest sets ALPN only on configurations it builds itself.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(any(all(unix, not(target_os = "android")), target_os = "windows"))]
fn with_extra_roots(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
    rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider)
}

#[cfg(not(any(all(unix, not(target_os = "android")), target_os = "windows")))]
fn with_extra_roots(
    _roots: Vec<CertificateDer<'static>>,
    _provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
    Err(rustls::Error::General(
        "this platform's verifier cannot take extra roots".into(),
    ))
}

#[cfg(feature = "aws-lc-rs")]
mod provider {
    use rustls::crypto::CryptoProvider;

    use crate::config::ConfigError;

    pub(super) const NAME: &str = "aws-lc-rs";

    pub(super) fn get() -> Result<CryptoProvider, ConfigError> {
        Ok(rustls::crypto::aws_lc_rs::default_provider())
    }
}

#[cfg(all(
    not(feature = "aws-lc-rs"),
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod provider {
    use rustls::crypto::CryptoProvider;

    use crate::config::ConfigError;

    pub(super) const NAME: &str = "graviola";

    pub(super) fn get() -> Result<CryptoProvider, ConfigError> {
        // graviola asserts this itself, inside a handshake; asked first, the
        // answer is an error when the client is built, saying what to do.
        if !graviola::util::is_cpu_supported() {
            return Err(ConfigError::new(
                crate::config::Setting::Tls,
                "this CPU lacks instructions graviola needs (x86_64: AES-NI, PCLMULQDQ, \
                 AVX2, BMI1, ADX; aarch64: AES, PMULL, SHA2, NEON): build with the `aws-lc-rs` \
                 feature of wechatpay-runtime",
            ));
        }
        Ok(rustls_graviola::default_provider())
    }
}

#[cfg(all(
    not(feature = "aws-lc-rs"),
    not(any(target_arch = "x86_64", target_arch = "aarch64"))
))]
mod provider {
    use rustls::crypto::CryptoProvider;

    use crate::config::ConfigError;

    pub(super) const NAME: &str = "ring";

    pub(super) fn get() -> Result<CryptoProvider, ConfigError> {
        Ok(rustls::crypto::ring::default_provider())
    }
}
