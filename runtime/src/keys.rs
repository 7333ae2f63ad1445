//! The RSA keys of APIv3 (the merchant's, to sign; WeChat Pay's, to verify)
//! and the merchant's credentials. What they sign is [`crate::sign`]'s.

use std::fmt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::{PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
#[cfg(not(feature = "aws-lc-rs"))]
use sha2::Sha256;

use crate::config::{ConfigError, Setting};
use crate::sign::{Authorization, request_message};
use crate::signature::SignatureError;

/// An RSA private key: the merchant's API key (`apiclient_key.pem`), or a
/// platform key in the sandbox. Its `Debug` output never shows the key.
///
/// Signing uses the pure-Rust `rsa` crate (constant-time since 0.10), or
/// aws-lc-rs with the `aws-lc-rs` feature; PKCS#1 v1.5 signatures are
/// deterministic, so both give the same bytes.
#[derive(Clone)]
pub struct PrivateKey(RsaPrivateKey, backend::Signer);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PrivateKey {
    /// Reads a PEM key: PKCS#8 (`BEGIN PRIVATE KEY`, what WeChat Pay issues) or PKCS#1.
    pub fn from_pem(pem: &str) -> Result<Self, ConfigError> {
        Self::read(pem, None)
    }

    fn read(pem: &str, file: Option<&Path>) -> Result<Self, ConfigError> {
        let setting = || Setting::MerchantKey {
            file: file.map(Path::to_owned),
        };
        RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|e| {
                ConfigError::new(
                    setting(),
                    format!("not an RSA private key in PEM (PKCS#8 or PKCS#1): {e}"),
                )
            })
            .and_then(|key| {
                Self::from_rsa(key).map_err(|problem| ConfigError::new(setting(), problem))
            })
    }

    /// Reads a PEM key from a file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let pem = std::fs::read_to_string(path).map_err(|e| {
            let file = Some(path.to_owned());
            ConfigError::new(
                Setting::MerchantKey { file },
                format!("cannot read it: {e}"),
            )
        })?;
        Self::read(&pem, Some(path))
    }

    /// A new random 2048-bit key, for tests and the sandbox.
    pub fn generate() -> Result<Self, ConfigError> {
        let setting = || Setting::MerchantKey { file: None };
        RsaPrivateKey::new(&mut rand::rng(), 2048)
            .map_err(|e| ConfigError::new(setting(), format!("key generation failed: {e}")))
            .and_then(|key| {
                Self::from_rsa(key).map_err(|problem| ConfigError::new(setting(), problem))
            })
    }

    fn from_rsa(key: RsaPrivateKey) -> Result<Self, String> {
        let signer = backend::Signer::new(&key)?;
        Ok(PrivateKey(key, signer))
    }

    /// The key as PKCS#8 PEM, the format WeChat Pay issues.
    pub fn to_pem(&self) -> String {
        self.0
            .to_pkcs8_pem(LineEnding::LF)
            .expect("an RSA key always encodes")
            .to_string()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_rsa(self.0.to_public_key())
    }

    /// Signs `message`; returns the standard padded base64 signature.
    pub fn sign(&self, message: &[u8]) -> String {
        BASE64.encode(self.1.sign(&self.0, message))
    }

    /// Opens RSA-OAEP (SHA-1, MGF1-SHA-1) ciphertext: sensitive response fields,
    /// which WeChat Pay encrypts with the merchant's public key.
    pub fn decrypt_oaep(&self, ciphertext: &[u8]) -> Result<Vec<u8>, rsa::Error> {
        self.0.decrypt(rsa::Oaep::<sha1::Sha1>::new(), ciphertext)
    }

    /// Which implementation signs: `"rsa"` or `"aws-lc-rs"`.
    pub fn backend() -> &'static str {
        backend::NAME
    }
}

/// An RSA public key: a WeChat Pay public key, a platform certificate's key, or
/// (in the sandbox) a merchant's key.
#[derive(Clone)]
pub struct PublicKey(RsaPublicKey, backend::Verifier);

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(..)")
    }
}

impl PublicKey {
    /// Reads a PEM public key (`BEGIN PUBLIC KEY`, or PKCS#1 `BEGIN RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, ConfigError> {
        Self::read(pem, None)
    }

    fn read(pem: &str, file: Option<&Path>) -> Result<Self, ConfigError> {
        RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
            .map(PublicKey::from_rsa)
            .map_err(|e| {
                let file = file.map(Path::to_owned);
                ConfigError::new(
                    Setting::PublicKey { file },
                    format!("not an RSA public key in PEM: {e}"),
                )
            })
    }

    /// Encrypts with RSA-OAEP (SHA-1, MGF1-SHA-1, no label), the scheme of
    /// sensitive request fields. Randomized: never the same bytes twice.
    pub fn encrypt_oaep(&self, plaintext: &[u8]) -> Result<Vec<u8>, rsa::Error> {
        self.0
            .encrypt(&mut rand::rng(), rsa::Oaep::<sha1::Sha1>::new(), plaintext)
    }

    /// Reads a PEM public key from a file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let pem = std::fs::read_to_string(path).map_err(|e| {
            let file = Some(path.to_owned());
            ConfigError::new(Setting::PublicKey { file }, format!("cannot read it: {e}"))
        })?;
        Self::read(&pem, Some(path))
    }

    pub(crate) fn from_rsa(key: RsaPublicKey) -> Self {
        let verifier = backend::Verifier::new(&key);
        PublicKey(key, verifier)
    }

    /// The key as SPKI PEM (`BEGIN PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .expect("an RSA key always encodes")
    }

    /// Checks a base64 signature of `message`. Anything that is not a valid
    /// signature — including the `WECHATPAY/SIGNTEST/` probes, which are not
    /// even base64 — is [`SignatureError::Invalid`].
    pub fn verify(&self, message: &[u8], signature: &str) -> Result<(), SignatureError> {
        let raw = BASE64
            .decode(signature.trim())
            .map_err(|_| SignatureError::Invalid)?;
        if self.1.verify(&self.0, message, &raw) {
            Ok(())
        } else {
            Err(SignatureError::Invalid)
        }
    }
}

/// The RSA implementation behind [`PrivateKey::sign`] and [`PublicKey::verify`].
#[cfg(not(feature = "aws-lc-rs"))]
mod backend {
    use super::{RsaPrivateKey, RsaPublicKey, Sha256};

    pub(super) const NAME: &str = "rsa";

    #[derive(Clone)]
    pub(super) struct Signer;

    impl Signer {
        pub(super) fn new(_: &RsaPrivateKey) -> Result<Self, String> {
            Ok(Signer)
        }

        pub(super) fn sign(&self, key: &RsaPrivateKey, message: &[u8]) -> Vec<u8> {
            key.pkcs1v15_sign::<Sha256>(message)
                .expect("a 2048-bit key signs any SHA-256 digest")
        }
    }

    #[derive(Clone)]
    pub(super) struct Verifier;

    impl Verifier {
        pub(super) fn new(_: &RsaPublicKey) -> Self {
            Verifier
        }

        pub(super) fn verify(&self, key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
            key.pkcs1v15_verify::<Sha256>(message, signature).is_ok()
        }
    }
}

#[cfg(feature = "aws-lc-rs")]
mod backend {
    use std::sync::Arc;

    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
    };
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::EncodePrivateKey;

    use super::{RsaPrivateKey, RsaPublicKey};

    pub(super) const NAME: &str = "aws-lc-rs";

    #[derive(Clone)]
    pub(super) struct Signer(Arc<RsaKeyPair>);

    impl Signer {
        pub(super) fn new(key: &RsaPrivateKey) -> Result<Self, String> {
            let der = key
                .to_pkcs8_der()
                .map_err(|e| format!("key encoding: {e}"))?;
            RsaKeyPair::from_pkcs8(der.as_bytes())
                .map(|pair| Signer(Arc::new(pair)))
                .map_err(|e| format!("aws-lc-rs refuses the key: {e}"))
        }

        pub(super) fn sign(&self, _: &RsaPrivateKey, message: &[u8]) -> Vec<u8> {
            let mut signature = vec![0; self.0.public_modulus_len()];
            self.0
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .expect("an RSA key pair signs any message");
            signature
        }
    }

    #[derive(Clone)]
    pub(super) struct Verifier(Arc<[u8]>);

    impl Verifier {
        pub(super) fn new(key: &RsaPublicKey) -> Self {
            let der = key.to_pkcs1_der().expect("an RSA key always encodes");
            Verifier(der.as_bytes().into())
        }

        pub(super) fn verify(&self, _: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
            UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &*self.0)
                .verify(message, signature)
                .is_ok()
        }
    }
}

/// The merchant's identity for signing: merchant id, certificate serial, private key.
#[derive(Clone)]
pub struct MerchantCredentials {
    /// Merchant id (`mchid`).
    pub mchid: String,
    /// Serial number of the merchant API certificate (`serial_no`).
    pub serial: String,
    /// The merchant API private key.
    pub key: PrivateKey,
}

impl fmt::Debug for MerchantCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantCredentials")
            .field("mchid", &self.mchid)
            .field("serial", &self.serial)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl MerchantCredentials {
    /// Signs a request and returns its `Authorization` header value.
    pub fn authorize(
        &self,
        method: &str,
        url: &str,
        timestamp: i64,
        nonce: &str,
        body: &[u8],
    ) -> String {
        let message = request_message(method, url, timestamp, nonce, body);
        Authorization {
            mchid: self.mchid.clone(),
            serial_no: self.serial.clone(),
            timestamp: timestamp.to_string(),
            nonce_str: nonce.to_owned(),
            signature: self.key.sign(&message),
        }
        .header_value()
    }
}

/// One key for the unit tests, generated once (key generation is slow).
#[cfg(test)]
pub(crate) fn test_key() -> PrivateKey {
    static KEY: std::sync::OnceLock<PrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate().expect("key generation"))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_redacts_keys() {
        let key = crate::keys::test_key();
        let credentials = MerchantCredentials {
            mchid: "1".into(),
            serial: "S".into(),
            key,
        };
        let shown = format!("{credentials:?}");
        assert!(
            shown.contains("<redacted>") && !shown.contains("MII"),
            "{shown}"
        );
    }
}
