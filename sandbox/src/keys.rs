//! Key material of a sandbox: the merchant's key pair (the client signs with the
//! private half, the sandbox verifies with the public half), a WeChat Pay public
//! key (public key mode) and a platform certificate (certificate mode), and the
//! APIv3 key the certificate is encrypted with. All generated at start-up, for
//! tests only.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::RngExt;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::Sha256;
use wechatpay_runtime::{ConfigError, Error, MerchantCredentials, PrivateKey, PublicKey, Setting};
use x509_cert::builder::{Builder, CertificateBuilder, profile};
use x509_cert::der::EncodePem;
use x509_cert::der::pem::LineEnding;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// A platform certificate and its private key.
#[derive(Clone)]
pub struct PlatformCertificate {
    /// Upper-case hex serial, as `/v3/certificates` lists it.
    pub serial: String,
    /// The key that signs responses in certificate mode.
    pub key: PrivateKey,
    /// The certificate (PEM).
    pub pem: String,
}

impl fmt::Debug for PlatformCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformCertificate")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// Every key of a sandbox.
#[derive(Clone)]
pub struct Keys {
    /// The merchant id the sandbox serves.
    pub mchid: String,
    /// The merchant API certificate serial the client must send.
    pub merchant_serial: String,
    /// The merchant's private key (for the client's configuration).
    pub merchant_key: PrivateKey,
    /// The WeChat Pay public key id (`PUB_KEY_ID_...`).
    pub public_key_id: String,
    /// The private half of the WeChat Pay public key (signs in public key mode).
    pub public_key_signer: PrivateKey,
    /// The platform certificate (certificate mode).
    pub certificate: PlatformCertificate,
    /// The 32-character APIv3 key.
    pub apiv3_key: String,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field("public_key_id", &self.public_key_id)
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|i| {
            // A positive DER integer without a leading zero byte: 0x10..=0x7f first.
            let byte = if i == 0 {
                rng.random_range(0x10..=0x7f)
            } else {
                rng.random::<u8>()
            };
            format!("{byte:02X}")
        })
        .collect()
}

fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl Keys {
    /// The private half of the WeChat Pay key a serial names (the public key
    /// id or the platform certificate's serial), with the serial as stored.
    pub(crate) fn wechatpay_key(&self, serial: &str) -> Option<(&str, &PrivateKey)> {
        if serial == self.public_key_id {
            Some((&self.public_key_id, &self.public_key_signer))
        } else if serial == self.certificate.serial {
            Some((&self.certificate.serial, &self.certificate.key))
        } else {
            None
        }
    }

    /// Fresh keys (three RSA-2048 key generations: a fraction of a second when
    /// dependencies are optimised).
    pub fn generate() -> Result<Self, Error> {
        Self::with_merchant_key(PrivateKey::generate()?)
    }

    /// Fresh WeChat Pay keys for a given merchant key.
    pub fn with_merchant_key(merchant_key: PrivateKey) -> Result<Self, Error> {
        let public_key_signer = PrivateKey::generate()?;
        let certificate_key = PrivateKey::generate()?;
        let serial = random_hex(20);
        let pem = self_signed_certificate(&certificate_key, &serial)?;
        Ok(Keys {
            mchid: "1900000001".to_owned(),
            merchant_serial: random_hex(20),
            merchant_key,
            public_key_id: format!("PUB_KEY_ID_{}", random_hex(16)),
            public_key_signer,
            certificate: PlatformCertificate {
                serial,
                key: certificate_key,
                pem,
            },
            apiv3_key: random_alphanumeric(32),
        })
    }

    /// The credentials a client signs with.
    pub fn merchant_credentials(&self) -> MerchantCredentials {
        MerchantCredentials {
            mchid: self.mchid.clone(),
            serial: self.merchant_serial.clone(),
            key: self.merchant_key.clone(),
        }
    }

    /// The WeChat Pay public key clients verify public-key-mode responses with.
    pub fn wechatpay_public_key(&self) -> PublicKey {
        self.public_key_signer.public_key()
    }
}

/// A self-signed X.509 certificate for `key`, with the given hex serial.
fn self_signed_certificate(key: &PrivateKey, serial_hex: &str) -> Result<String, Error> {
    let config = |e: &dyn fmt::Display| {
        let serial = serial_hex.to_owned();
        Error::from(ConfigError::new(Setting::PlatformCertificate { serial }, e))
    };
    let rsa_key = rsa::PrivateKey::from_pkcs8_pem(&key.to_pem()).map_err(|e| config(&e))?;
    let public_der = rsa_key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| config(&e))?;
    let spki =
        SubjectPublicKeyInfoOwned::try_from(public_der.as_bytes()).map_err(|e| config(&e))?;
    let serial_bytes: Vec<u8> = (0..serial_hex.len() / 2)
        .map(|i| u8::from_str_radix(&serial_hex[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect();
    let subject = Name::from_str("CN=Tenpay.com Root CA (sandbox),O=wechatpay-rs sandbox,C=CN")
        .map_err(|e| config(&e))?;
    let builder = CertificateBuilder::new(
        profile::cabf::Root::new(false, subject).map_err(|e| config(&e))?,
        SerialNumber::new(&serial_bytes).map_err(|e| config(&e))?,
        Validity::from_now(Duration::from_secs(5 * 365 * 24 * 3600)).map_err(|e| config(&e))?,
        spki,
    )
    .map_err(|e| config(&e))?;
    let signer = SigningKey::<Sha256>::new(rsa_key);
    let certificate = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .map_err(|e| config(&e))?;
    certificate.to_pem(LineEnding::LF).map_err(|e| config(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_carries_the_platform_key() {
        let keys = Keys::generate().unwrap();
        let key =
            wechatpay_runtime::verify::certificate_public_key(keys.certificate.pem.as_bytes())
                .unwrap();
        assert_eq!(key, keys.certificate.key.public_key());
        assert!(keys.public_key_id.starts_with("PUB_KEY_ID_"));
        assert_eq!(keys.apiv3_key.len(), 32);
    }
}
