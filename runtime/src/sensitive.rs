//! Sensitive fields: what the docs mark `data-encrypted=by-rsa-pubkey` (names,
//! ID numbers, phone numbers, bank accounts).
//!
//! A request field of this kind is a [`Sensitive`]: plaintext in memory, never
//! printed by `Debug`, and serialized only once it is **sealed**: encrypted
//! (RSA-OAEP with SHA-1 and MGF1-SHA-1, base64) by a [`Sealer`], which holds
//! the WeChat Pay key and the serial the request then names in
//! `Wechatpay-Serial`. Sealing is a step of building a request:
//! `Operation::to_request` takes the sealer as an argument and seals a copy of
//! each part that holds a sensitive field (generated types implement [`Seal`]
//! for that) before serializing it. A `Sensitive` that was not sealed does not
//! serialize, so a forgotten seal is an error, never plaintext on the wire.
//!
//! A response field of this kind is an [`Encrypted`]: the ciphertext WeChat Pay
//! sent, encrypted with the merchant's public key, which
//! [`Encrypted::decrypt`] (or [`Client::decrypt`](crate::Client::decrypt))
//! opens with the merchant's private key when the caller asks for it.
//!
//! Plaintext JSON of a request (a test, a JSON Schema check before sending) is
//! asked for out loud: seal a copy with [`Sealer::plaintext`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::keys::{PrivateKey, PublicKey};

/// The field marker the docs use for RSA-OAEP encrypted fields.
pub const BY_RSA_PUBKEY: &str = "by-rsa-pubkey";

/// A sensitive request value, held as plaintext; sealed (encrypted) by the
/// client as the request is built. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Sensitive {
    plaintext: String,
    /// What goes on the wire, once a [`Sealer`] has sealed it.
    sealed: Option<String>,
}

impl Sensitive {
    /// Wraps a plaintext value.
    pub fn new(plaintext: impl Into<String>) -> Self {
        Sensitive {
            plaintext: plaintext.into(),
            sealed: None,
        }
    }

    /// The plaintext.
    pub fn expose(&self) -> &str {
        &self.plaintext
    }

    /// The plaintext, by value.
    pub fn into_inner(self) -> String {
        self.plaintext
    }

    /// Whether a [`Sealer`] has sealed it, so that it serializes.
    pub fn is_sealed(&self) -> bool {
        self.sealed.is_some()
    }
}

/// Two values are equal when their plaintexts are (RSA-OAEP never seals the
/// same plaintext the same way twice).
impl PartialEq for Sensitive {
    fn eq(&self, other: &Self) -> bool {
        self.plaintext == other.plaintext
    }
}

impl Eq for Sensitive {}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl From<&str> for Sensitive {
    fn from(plaintext: &str) -> Self {
        Sensitive::new(plaintext)
    }
}

impl From<String> for Sensitive {
    fn from(plaintext: String) -> Self {
        Sensitive::new(plaintext)
    }
}

/// The sealed value; an unsealed one is refused rather than written as
/// plaintext.
impl Serialize for Sensitive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.sealed {
            Some(wire) => serializer.serialize_str(wire),
            None => Err(serde::ser::Error::custom(SensitiveError::Unsealed)),
        }
    }
}

/// Refused: on the wire a sensitive request field is ciphertext, which is not
/// the plaintext a `Sensitive` holds. A server reading requests opens the
/// ciphertext with [`open`].
impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer)?;
        Err(serde::de::Error::custom(SensitiveError::NotDeserializable))
    }
}

/// A value with sensitive fields inside, which a [`Sealer`] can seal.
/// Generated request types that hold a [`Sensitive`] (at any depth) implement
/// it; the others do not need to.
pub trait Seal {
    /// Seals every sensitive field inside with `sealer`; stops at the first
    /// that cannot be.
    fn seal(&mut self, sealer: &Sealer) -> Result<(), SensitiveError>;
}

impl Seal for Sensitive {
    fn seal(&mut self, sealer: &Sealer) -> Result<(), SensitiveError> {
        // Always from the plaintext: a value sealed before is sealed anew,
        // never encrypted twice.
        self.sealed = Some(sealer.encrypt(&self.plaintext)?);
        Ok(())
    }
}

impl<T: Seal> Seal for Option<T> {
    fn seal(&mut self, sealer: &Sealer) -> Result<(), SensitiveError> {
        match self {
            Some(value) => value.seal(sealer),
            None => Ok(()),
        }
    }
}

impl<T: Seal> Seal for Vec<T> {
    fn seal(&mut self, sealer: &Sealer) -> Result<(), SensitiveError> {
        self.iter_mut().try_for_each(|item| item.seal(sealer))
    }
}

/// A sealed copy of `value`, leaving the caller's value plaintext-only.
pub fn sealed<T: Seal + Clone>(value: &T, sealer: &Sealer) -> Result<T, SensitiveError> {
    let mut copy = value.clone();
    copy.seal(sealer)?;
    Ok(copy)
}

/// What sensitive values are sealed with while one request is built: the
/// WeChat Pay key the request will name, or nothing (every seal fails), or,
/// asked for by name, plaintext.
pub struct Sealer {
    mode: Mode,
    /// Whether anything was encrypted: then the request must name the key.
    /// Atomic so that a sealer can be shared and held across an `.await`.
    used: AtomicBool,
}

enum Mode {
    Encrypt { serial: String, key: PublicKey },
    NoKey,
    Plaintext,
}

impl Sealer {
    /// Seals with a WeChat Pay public key (or platform certificate key) and
    /// the serial that names it (`PUB_KEY_ID_...` or a certificate serial).
    pub fn new(serial: impl Into<String>, key: PublicKey) -> Self {
        Sealer::with(Mode::Encrypt {
            serial: serial.into(),
            key,
        })
    }

    /// A sealer for a client with no key to encrypt with: every seal fails
    /// with [`SensitiveError::NoKey`], so nothing is sent.
    pub fn without_key() -> Self {
        Sealer::with(Mode::NoKey)
    }

    /// "Seals" as plaintext: for a test or a JSON Schema check of a payload
    /// before it is sent, never for the wire.
    pub fn plaintext() -> Self {
        Sealer::with(Mode::Plaintext)
    }

    fn with(mode: Mode) -> Self {
        Sealer {
            mode,
            used: AtomicBool::new(false),
        }
    }

    /// One plaintext as it goes on the wire (a sensitive query parameter).
    pub fn encrypt(&self, plaintext: &str) -> Result<String, SensitiveError> {
        match &self.mode {
            Mode::Encrypt { key, .. } => {
                let wire = seal(key, plaintext)?;
                self.used.store(true, Ordering::Relaxed);
                Ok(wire)
            }
            Mode::NoKey => Err(SensitiveError::NoKey),
            Mode::Plaintext => Ok(plaintext.to_owned()),
        }
    }

    /// The serial of the key that encrypted at least one value, which the
    /// request must name in `Wechatpay-Serial`; `None` if nothing was.
    pub fn serial_used(&self) -> Option<&str> {
        match &self.mode {
            Mode::Encrypt { serial, .. } if self.used.load(Ordering::Relaxed) => Some(serial),
            _ => None,
        }
    }
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.mode {
            Mode::Encrypt { serial, .. } => serial.as_str(),
            Mode::NoKey => "<no key>",
            Mode::Plaintext => "<plaintext>",
        };
        f.debug_struct("Sealer").field("mode", &mode).finish()
    }
}

/// A sensitive response value as WeChat Pay sent it: base64 RSA-OAEP
/// ciphertext for the merchant's key. Decrypt it when it is needed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Encrypted(String);

impl Encrypted {
    /// Wraps base64 ciphertext.
    pub fn new(ciphertext: impl Into<String>) -> Self {
        Encrypted(ciphertext.into())
    }

    /// The base64 ciphertext, as received.
    pub fn ciphertext(&self) -> &str {
        &self.0
    }

    /// Decrypts with the merchant's private key (`apiclient_key.pem`).
    pub fn decrypt(&self, key: &PrivateKey) -> Result<Sensitive, SensitiveError> {
        open(key, &self.0).map(Sensitive::new)
    }
}

impl fmt::Debug for Encrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Encrypted({} base64 characters)", self.0.len())
    }
}

/// Why a sensitive value could not be encrypted or decrypted. No variant holds
/// the plaintext or any key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SensitiveError {
    /// Serialized before a [`Sealer`] sealed it: it would have gone out as
    /// plaintext. Send it through the client, which seals requests, or seal a
    /// copy yourself ([`sealed`]).
    #[error(
        "a sensitive field was serialized unsealed; it would have been sent unencrypted \
         (send it through the client, or seal it with a sensitive::Sealer)"
    )]
    Unsealed,
    /// The client has no WeChat Pay public key or platform certificate to
    /// encrypt with.
    #[error(
        "no WeChat Pay public key or platform certificate to encrypt a sensitive field with: \
         configure wechatpay_public_key or platform_certificates"
    )]
    NoKey,
    /// The plaintext is longer than one RSA-OAEP block can carry (214 bytes
    /// with a 2048-bit key).
    #[error("a sensitive value of {0} bytes is too long to encrypt with RSA-OAEP")]
    TooLong(usize),
    /// A sensitive request field was read from JSON, where it is ciphertext.
    #[error(
        "a sensitive request field is not read from JSON: on the wire it is ciphertext \
         (open it with sensitive::open and the private key)"
    )]
    NotDeserializable,
    /// The ciphertext is not base64.
    #[error("the ciphertext is not base64")]
    NotBase64,
    /// The key does not open the ciphertext (another key, or altered bytes).
    #[error("the ciphertext does not decrypt with this key")]
    Decrypt,
    /// The plaintext is not UTF-8.
    #[error("the decrypted value is not UTF-8")]
    NotUtf8,
}

/// RSA-OAEP (SHA-1, MGF1-SHA-1, no label) under `key`, base64: what WeChat Pay
/// decrypts (`RSA/ECB/OAEPWithSHA-1AndMGF1Padding`).
pub fn seal(key: &PublicKey, plaintext: &str) -> Result<String, SensitiveError> {
    key.encrypt_oaep(plaintext.as_bytes())
        .map(|sealed| BASE64.encode(sealed))
        .map_err(|_| SensitiveError::TooLong(plaintext.len()))
}

/// Opens base64 RSA-OAEP ciphertext with `key`.
pub fn open(key: &PrivateKey, ciphertext: &str) -> Result<String, SensitiveError> {
    let sealed = BASE64
        .decode(ciphertext.trim())
        .map_err(|_| SensitiveError::NotBase64)?;
    let plaintext = key
        .decrypt_oaep(&sealed)
        .map_err(|_| SensitiveError::Decrypt)?;
    String::from_utf8(plaintext).map_err(|_| SensitiveError::NotUtf8)
}

#[cfg(feature = "json-schema")]
mod json_schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    use super::{Encrypted, Sensitive};

    /// On the wire both are base64 ciphertext strings.
    impl JsonSchema for Sensitive {
        fn schema_name() -> Cow<'static, str> {
            "Sensitive".into()
        }

        fn inline_schema() -> bool {
            true
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "string" })
        }
    }

    impl JsonSchema for Encrypted {
        fn schema_name() -> Cow<'static, str> {
            "Encrypted".into()
        }

        fn inline_schema() -> bool {
            true
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "string" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PrivateKey {
        PrivateKey::from_pem(include_str!(
            "../../../shared/vectors/merchant_test_key.pem"
        ))
        .expect("the shared test key")
    }

    #[derive(Debug, Clone, Serialize)]
    struct Receiver {
        name: Sensitive,
        aliases: Vec<Sensitive>,
        note: Option<Sensitive>,
    }

    impl Seal for Receiver {
        fn seal(&mut self, sealer: &Sealer) -> Result<(), SensitiveError> {
            self.name.seal(sealer)?;
            self.aliases.seal(sealer)?;
            self.note.seal(sealer)
        }
    }

    fn receiver() -> Receiver {
        Receiver {
            name: Sensitive::new("张三"),
            aliases: vec![Sensitive::new("李四")],
            note: None,
        }
    }

    #[test]
    fn unsealed_nothing_goes_out_in_plaintext() {
        let receiver = receiver();
        let error = serde_json::to_string(&receiver).expect_err("refused");
        assert!(error.to_string().contains("unencrypted"), "{error}");
        assert!(!format!("{receiver:?}").contains("张三"));
        // Sealing one field is not sealing them all.
        let mut half = receiver.clone();
        half.name.seal(&Sealer::plaintext()).expect("sealed");
        assert!(serde_json::to_string(&half).is_err());
    }

    #[test]
    fn seals_with_the_key_and_opens_back() {
        let key = key();
        let receiver = receiver();
        let sealer = Sealer::new("PUB_KEY_ID_1", key.public_key());
        assert_eq!(sealer.serial_used(), None, "nothing sealed yet");
        let copy = sealed(&receiver, &sealer).expect("sealed");
        assert_eq!(sealer.serial_used(), Some("PUB_KEY_ID_1"));
        // The caller's value stays plaintext only.
        assert!(!receiver.name.is_sealed() && copy.name.is_sealed());
        let json: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&copy).expect("sealed")).unwrap();
        assert!(!json.to_string().contains("张三"));
        assert_eq!(open(&key, json["name"].as_str().unwrap()).unwrap(), "张三");
        assert_eq!(
            open(&key, json["aliases"][0].as_str().unwrap()).unwrap(),
            "李四"
        );
        // RSA-OAEP is randomized: sealed again, other bytes, the same plaintext.
        let again = sealed(&receiver, &sealer).expect("sealed");
        assert_ne!(
            serde_json::to_string(&again).unwrap(),
            serde_json::to_string(&copy).unwrap()
        );
        assert_eq!(again.name, copy.name);
        // Ciphertext is not taken for plaintext.
        let refused = serde_json::from_value::<Sensitive>(json["name"].clone());
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("not read from JSON")
        );
    }

    #[test]
    fn without_a_key_sealing_fails_and_says_why() {
        let sealer = Sealer::without_key();
        assert_eq!(
            sealed(&receiver(), &sealer).err(),
            Some(SensitiveError::NoKey)
        );
        assert_eq!(sealer.serial_used(), None);
        // Nothing to seal needs no key.
        let mut nothing: Option<Sensitive> = None;
        assert_eq!(nothing.seal(&sealer), Ok(()));
    }

    #[test]
    fn plaintext_is_asked_for_by_name() {
        let sealer = Sealer::plaintext();
        let plain = sealed(&receiver(), &sealer).expect("sealed");
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"name":"张三","aliases":["李四"],"note":null}"#
        );
        assert_eq!(sealer.serial_used(), None, "no key to name");
    }

    #[test]
    fn a_sealer_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Sealer>();
    }

    #[test]
    fn wrong_key_and_bad_ciphertext_are_typed() {
        let key = key();
        let other = PrivateKey::generate().expect("key");
        let sealed = Encrypted::new(seal(&key.public_key(), "6222").expect("sealed"));
        assert_eq!(sealed.decrypt(&key).expect("opens").expose(), "6222");
        assert_eq!(sealed.decrypt(&other), Err(SensitiveError::Decrypt));
        assert_eq!(
            Encrypted::new("not base64!").decrypt(&key),
            Err(SensitiveError::NotBase64)
        );
        assert_eq!(
            seal(&key.public_key(), &"x".repeat(215)),
            Err(SensitiveError::TooLong(215))
        );
        let sealer = Sealer::new("K", key.public_key());
        assert_eq!(
            sealer.encrypt(&"x".repeat(215)),
            Err(SensitiveError::TooLong(215))
        );
        assert_eq!(sealer.serial_used(), None, "a failed seal names no key");
    }
}
