//! Response verification: every 2xx response is checked against the key its
//! `Wechatpay-Serial` names, in either of WeChat Pay's two modes, both of which
//! can be live at once during a migration:
//!
//! - public key mode: the serial is a `PUB_KEY_ID_...` and the merchant holds the
//!   PEM key it downloaded once;
//! - platform certificate mode: the serial is a certificate serial, and the
//!   certificates come from `GET /v3/certificates`, encrypted with the APIv3 key
//!   and refreshed periodically (see [`PlatformCertificates`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use http::HeaderMap;
use rsa::PublicKey as RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use serde::Deserialize;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

use crate::aead;
use crate::config::{ConfigError, Setting};
use crate::keys::PublicKey;
use crate::sign::{SCHEME, response_message};
use crate::signature::SignatureError;

/// Responses whose timestamp is this far from the local clock are rejected.
pub const MAX_SKEW: Duration = Duration::from_secs(300);

/// The response headers the signature depends on.
pub mod headers {
    /// Unix seconds when the response was signed.
    pub const TIMESTAMP: &str = "Wechatpay-Timestamp";
    /// Random string of the signature.
    pub const NONCE: &str = "Wechatpay-Nonce";
    /// Base64 signature.
    pub const SIGNATURE: &str = "Wechatpay-Signature";
    /// Which key signed: a `PUB_KEY_ID_...` or a platform certificate serial.
    pub const SERIAL: &str = "Wechatpay-Serial";
    /// `WECHATPAY2-SHA256-RSA2048`.
    pub const SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
    /// WeChat Pay's id for the request, on every response.
    pub const REQUEST_ID: &str = "Request-ID";

    /// The `Request-ID` of a response, when it has one.
    pub(crate) fn request_id(headers: &http::HeaderMap) -> Option<&str> {
        headers.get(REQUEST_ID).and_then(|v| v.to_str().ok())
    }
}

/// Whether a serial names a WeChat Pay public key rather than a platform certificate.
pub fn is_public_key_id(serial: &str) -> bool {
    serial.starts_with("PUB_KEY_ID_")
}

/// Verifies response signatures.
#[derive(Debug, Default)]
pub struct Verifier {
    public_keys: HashMap<String, PublicKey>,
    platform: Option<PlatformCertificates>,
}

impl Verifier {
    /// A verifier with no keys (add some before use).
    pub fn new() -> Self {
        Verifier::default()
    }

    /// Trusts a WeChat Pay public key with its id (`PUB_KEY_ID_...`; its length is not checked).
    pub fn with_public_key(mut self, id: impl Into<String>, key: PublicKey) -> Self {
        self.public_keys.insert(id.into(), key);
        self
    }

    /// Also trusts the platform certificates downloaded with this APIv3 key.
    pub fn with_platform_certificates(mut self, certificates: PlatformCertificates) -> Self {
        self.platform = Some(certificates);
        self
    }

    /// The platform certificate store, in certificate mode.
    pub fn platform(&self) -> Option<&PlatformCertificates> {
        self.platform.as_ref()
    }

    /// Whether any key is configured.
    pub fn has_keys(&self) -> bool {
        !self.public_keys.is_empty() || self.platform.is_some()
    }

    /// The serial to send as `Wechatpay-Serial`, so WeChat Pay signs with a key
    /// this verifier knows: the public key id if one is configured, else the
    /// platform certificate that expires last.
    pub fn preferred_serial(&self) -> Option<String> {
        let mut ids: Vec<&String> = self.public_keys.keys().collect();
        ids.sort();
        if let Some(id) = ids.first() {
            return Some((*id).clone());
        }
        self.platform.as_ref()?.newest_serial()
    }

    /// The key sensitive request fields are encrypted with, and the serial the
    /// request must then name in `Wechatpay-Serial`: the one of
    /// [`Self::preferred_serial`].
    pub fn encryption_key(&self) -> Option<(String, PublicKey)> {
        let serial = self.preferred_serial()?;
        let key = self.key(&serial)?;
        Some((serial, key))
    }

    fn key(&self, serial: &str) -> Option<PublicKey> {
        if let Some(key) = self.public_keys.get(serial) {
            return Some(key.clone());
        }
        self.platform.as_ref()?.key(serial)
    }

    /// Checks a response against its `Wechatpay-*` headers at Unix time `now`.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), SignatureError> {
        let header = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or(SignatureError::MissingHeader(name))
        };
        if let Some(kind) = headers.get(headers::SIGNATURE_TYPE) {
            let kind = kind.to_str().unwrap_or_default();
            if kind != SCHEME {
                return Err(SignatureError::UnsupportedType(kind.to_owned()));
            }
        }
        let timestamp_text = header(headers::TIMESTAMP)?;
        let nonce = header(headers::NONCE)?;
        let signature = header(headers::SIGNATURE)?;
        let serial = header(headers::SERIAL)?;
        let timestamp: i64 = timestamp_text
            .trim()
            .parse()
            .map_err(|_| SignatureError::BadTimestamp(timestamp_text.to_owned()))?;
        let skew = (now - timestamp).abs();
        if skew >= MAX_SKEW.as_secs() as i64 {
            return Err(SignatureError::Stale {
                timestamp,
                skew_seconds: skew,
            });
        }
        let key = self
            .key(serial)
            .ok_or_else(|| SignatureError::UnknownSerial(serial.to_owned()))?;
        key.verify(&response_message(timestamp_text, nonce, body), signature)
    }
}

/// Platform certificates, downloaded from `GET /v3/certificates` and decrypted
/// with the APIv3 key. The client downloads them before the first call and again
/// every `refresh_every` (default 12 h; the Go SDK uses 24 h) and when a response
/// names a serial it does not know.
pub struct PlatformCertificates {
    apiv3_key: [u8; 32],
    refresh_every: Duration,
    state: RwLock<CertificateState>,
}

#[derive(Default)]
struct CertificateState {
    keys: HashMap<String, (PublicKey, String)>,
    refreshed_at: Option<Instant>,
}

impl fmt::Debug for PlatformCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.read().expect("lock");
        f.debug_struct("PlatformCertificates")
            .field("apiv3_key", &"<redacted>")
            .field("serials", &state.keys.keys().collect::<Vec<_>>())
            .field("refresh_every", &self.refresh_every)
            .finish()
    }
}

/// The body of `GET /v3/certificates`.
#[derive(Debug, Deserialize)]
pub struct CertificateList {
    /// The certificates.
    pub data: Vec<EncryptedCertificate>,
}

/// One entry of the certificate list.
#[derive(Debug, Deserialize)]
pub struct EncryptedCertificate {
    /// Certificate serial (upper-case hex).
    pub serial_no: String,
    /// When it starts being used.
    pub effective_time: String,
    /// When it stops being used.
    pub expire_time: String,
    /// The PEM certificate, encrypted.
    pub encrypt_certificate: EncryptedData,
}

/// An `AEAD_AES_256_GCM` payload.
#[derive(Debug, Deserialize)]
pub struct EncryptedData {
    /// Always `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// 12-byte nonce.
    pub nonce: String,
    /// Associated data (`certificate`).
    pub associated_data: String,
    /// Base64 ciphertext and tag.
    pub ciphertext: String,
}

impl PlatformCertificates {
    /// A store that decrypts with `apiv3_key` (32 bytes).
    pub fn new(apiv3_key: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        Ok(PlatformCertificates {
            apiv3_key: crate::config::apiv3_key(&apiv3_key.into())?,
            refresh_every: Duration::from_secs(12 * 3600),
            state: RwLock::new(CertificateState::default()),
        })
    }

    /// How often certificates are downloaded again.
    pub fn refresh_every(mut self, interval: Duration) -> Self {
        self.refresh_every = interval;
        self
    }

    /// Whether the certificates should be downloaded (never downloaded, or too old).
    pub fn needs_refresh(&self) -> bool {
        let state = self.state.read().expect("lock");
        state
            .refreshed_at
            .is_none_or(|at| at.elapsed() >= self.refresh_every)
    }

    /// Whether a refresh happened within `interval` (to avoid hammering the endpoint
    /// when a response names an unknown serial).
    pub fn refreshed_within(&self, interval: Duration) -> bool {
        let state = self.state.read().expect("lock");
        state.refreshed_at.is_some_and(|at| at.elapsed() < interval)
    }

    fn key(&self, serial: &str) -> Option<PublicKey> {
        let state = self.state.read().expect("lock");
        state.keys.get(serial).map(|(key, _)| key.clone())
    }

    fn newest_serial(&self) -> Option<String> {
        let state = self.state.read().expect("lock");
        state
            .keys
            .iter()
            .max_by(|a, b| (&a.1.1, a.0).cmp(&(&b.1.1, b.0)))
            .map(|(serial, _)| serial.clone())
    }

    /// Decrypts a downloaded list. The list's own response must be verified with
    /// one of the keys it contains (or one already known): see [`Self::install`].
    pub fn decrypt_list(
        &self,
        body: &[u8],
    ) -> Result<HashMap<String, (PublicKey, String)>, ConfigError> {
        let list: CertificateList = serde_json::from_slice(body).map_err(|e| {
            let setting = Setting::PlatformCertificate {
                serial: String::new(),
            };
            ConfigError::new(setting, format!("unexpected /v3/certificates body: {e}"))
        })?;
        let mut keys = HashMap::new();
        for entry in list.data {
            let sealed = &entry.encrypt_certificate;
            let wrong = |problem: String| {
                let serial = entry.serial_no.clone();
                ConfigError::new(Setting::PlatformCertificate { serial }, problem)
            };
            if sealed.algorithm != aead::ALGORITHM {
                return Err(wrong(format!("unsupported algorithm {}", sealed.algorithm)));
            }
            let pem = aead::decrypt(
                &self.apiv3_key,
                &sealed.nonce,
                &sealed.associated_data,
                &sealed.ciphertext,
            )
            .map_err(|e| wrong(format!("does not decrypt: {e}")))?;
            let key = certificate_public_key(&pem).map_err(|e| wrong(e.to_string()))?;
            keys.insert(entry.serial_no, (key, entry.expire_time));
        }
        Ok(keys)
    }

    /// Verifies the certificate download's own response with the keys it carries
    /// (or already known ones), then makes them the trusted set.
    pub fn install(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<usize, InstallError> {
        let fresh = self.decrypt_list(body)?;
        let mut candidate = Verifier::new();
        {
            let state = self.state.read().expect("lock");
            for (serial, (key, _)) in state.keys.iter().chain(fresh.iter()) {
                candidate = candidate.with_public_key(serial.clone(), key.clone());
            }
        }
        candidate
            .verify(headers, body, now)
            .map_err(|source| InstallError::Signature {
                source,
                request_id: headers::request_id(headers).map(str::to_owned),
            })?;
        let count = fresh.len();
        let mut state = self.state.write().expect("lock");
        state.keys = fresh;
        state.refreshed_at = Some(Instant::now());
        Ok(count)
    }
}

/// Why a downloaded certificate list was not installed; nothing changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The list is not one this client can read (its body, an algorithm, a
    /// certificate that does not decrypt).
    #[error(transparent)]
    List(#[from] ConfigError),
    /// The list's own answer is not signed by a key it carries or a known one.
    #[error("the certificate list's signature: {source}")]
    Signature {
        /// What was wrong.
        source: SignatureError,
        /// The answer's `Request-ID`, when it had one.
        request_id: Option<String>,
    },
}

/// The RSA public key of a PEM certificate.
pub fn certificate_public_key(pem: &[u8]) -> Result<PublicKey, String> {
    let certificate =
        Certificate::from_pem(pem).map_err(|e| format!("not a PEM certificate: {e}"))?;
    let spki = certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| e.to_string())?;
    RsaPublicKey::from_public_key_der(&spki)
        .map(PublicKey::from_rsa)
        .map_err(|e| format!("not an RSA certificate: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;
    use http::HeaderValue;

    fn key() -> PrivateKey {
        crate::keys::test_key()
    }

    fn signed(key: &PrivateKey, serial: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let ts = timestamp.to_string();
        let signature = key.sign(&response_message(&ts, "NONCE", body));
        headers.insert(headers::TIMESTAMP, HeaderValue::from_str(&ts).unwrap());
        headers.insert(headers::NONCE, HeaderValue::from_static("NONCE"));
        headers.insert(
            headers::SIGNATURE,
            HeaderValue::from_str(&signature).unwrap(),
        );
        headers.insert(headers::SERIAL, HeaderValue::from_str(serial).unwrap());
        headers.insert(headers::SIGNATURE_TYPE, HeaderValue::from_static(SCHEME));
        headers
    }

    #[test]
    fn verifies_and_rejects() {
        let key = key();
        let verifier = Verifier::new().with_public_key("PUB_KEY_ID_1", key.public_key());
        let now = 1_700_000_000;
        let headers = signed(&key, "PUB_KEY_ID_1", now, b"{}");
        assert_eq!(verifier.verify(&headers, b"{}", now), Ok(()));
        assert_eq!(
            verifier.verify(&headers, b"{ }", now),
            Err(SignatureError::Invalid)
        );
        assert!(matches!(
            verifier.verify(&headers, b"{}", now + 300),
            Err(SignatureError::Stale {
                skew_seconds: 300,
                ..
            })
        ));
        assert_eq!(verifier.verify(&headers, b"{}", now - 299), Ok(()));
        let other = signed(&key, "PUB_KEY_ID_2", now, b"{}");
        assert_eq!(
            verifier.verify(&other, b"{}", now),
            Err(SignatureError::UnknownSerial("PUB_KEY_ID_2".into()))
        );
        let mut probe = headers.clone();
        probe.insert(
            headers::SIGNATURE,
            HeaderValue::from_static("WECHATPAY/SIGNTEST/ZbxBQ1pKzwmG6vbGp0ge3bF4vWygEHMTjU="),
        );
        assert_eq!(
            verifier.verify(&probe, b"{}", now),
            Err(SignatureError::Invalid)
        );
        let mut missing = headers.clone();
        missing.remove(headers::NONCE);
        assert_eq!(
            verifier.verify(&missing, b"{}", now),
            Err(SignatureError::MissingHeader(headers::NONCE))
        );
    }

    #[test]
    fn preferred_serial_is_the_public_key_id() {
        let verifier = Verifier::new().with_public_key("PUB_KEY_ID_0114", key().public_key());
        assert_eq!(
            verifier.preferred_serial().as_deref(),
            Some("PUB_KEY_ID_0114")
        );
        assert!(is_public_key_id("PUB_KEY_ID_0114"));
        assert!(!is_public_key_id(
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
        ));
    }
}
