//! Sensitive fields: what the docs mark `data-encrypted=by-rsa-pubkey` (names,
//! ID numbers, phone numbers, bank accounts).
//!
//! A request field of this kind is a [`Sensitive`]: plaintext in memory, never
//! printed by `Debug`, and **only serializable while a client builds the
//! request**, which encrypts it (RSA-OAEP with SHA-1 and MGF1-SHA-1, base64)
//! with the WeChat Pay key it then names in `Wechatpay-Serial`. Serialized
//! anywhere else it is an error, not plaintext on the wire; and since the type
//! holds plaintext, nothing can be encrypted twice.
//!
//! A response field of this kind is an [`Encrypted`]: the ciphertext WeChat Pay
//! sent, encrypted with the merchant's public key, which
//! [`Encrypted::decrypt`] (or [`Client::decrypt`](crate::Client::decrypt))
//! opens with the merchant's private key when the caller asks for it.
//!
//! Outside a client, [`revealing`] serializes and deserializes `Sensitive`
//! values as plaintext (tests, JSON Schema validation of a payload before it
//! is sent), and [`decrypting`] deserializes ciphertext with a private key (a
//! server receiving requests, such as the sandbox).

use std::cell::RefCell;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::keys::{PrivateKey, PublicKey};

/// The field marker the docs use for RSA-OAEP encrypted fields.
pub const BY_RSA_PUBKEY: &str = "by-rsa-pubkey";

/// A sensitive request value, held as plaintext; encrypted by the client as the
/// request is built. `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a plaintext value.
    pub fn new(plaintext: impl Into<String>) -> Self {
        Sensitive(plaintext.into())
    }

    /// The plaintext.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The plaintext, by value.
    pub fn into_inner(self) -> String {
        self.0
    }

    /// The value as it goes on the wire (a query parameter): encrypted under
    /// the encryption scope the client sets while it builds the request
    /// ([`encrypting`]), or an error outside one.
    pub fn to_wire(&self) -> Result<String, SensitiveError> {
        with_scope(|scope| seal_in(scope, &self.0))
    }
}

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
        Sensitive(plaintext)
    }
}

impl Serialize for Sensitive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let wire =
            with_scope(|scope| seal_in(scope, &self.0)).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&wire)
    }
}

impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = String::deserialize(deserializer)?;
        with_scope(|scope| open_in(scope, wire))
            .map(Sensitive)
            .map_err(serde::de::Error::custom)
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
        open(key, &self.0).map(Sensitive)
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
    /// Serialized outside a client request: it would have gone out as
    /// plaintext. Send it with `Client::execute`, or wrap the serialization in
    /// [`revealing`] if plaintext is what you want.
    #[error(
        "a sensitive field was serialized outside a client request; it would have been sent \
         unencrypted (send it through the client, or use sensitive::revealing for plaintext)"
    )]
    OutsideRequest,
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
    /// Arrived as ciphertext but no key to decrypt it was given.
    #[error(
        "an encrypted field was decoded without a key to decrypt it (use sensitive::decrypting)"
    )]
    NoDecryptionKey,
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

/// What `Sensitive` values turn into while a closure runs on this thread.
#[derive(Debug, Clone)]
enum Scope {
    /// Encrypt with this WeChat Pay key, named by its serial (a client building a request).
    Encrypt { serial: String, key: PublicKey },
    /// A client without a key to encrypt with.
    NoKey,
    /// Decrypt ciphertext with a private key (a server reading a request).
    Decrypt(PrivateKey),
    /// Plaintext both ways.
    Reveal,
}

/// What happened to `Sensitive` values inside [`encrypting`].
#[derive(Debug, Default)]
pub struct Encryption {
    /// The serial of the key that encrypted at least one value: the request
    /// must name it in `Wechatpay-Serial`. `None` if nothing was encrypted.
    pub serial: Option<String>,
    /// The first failure, typed (serde only carries its text).
    pub error: Option<SensitiveError>,
}

thread_local! {
    static SCOPE: RefCell<Option<(Scope, Encryption)>> = const { RefCell::new(None) };
}

/// Restores the enclosing scope, also when the closure panics.
struct Restore(Option<(Scope, Encryption)>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        SCOPE.with(|slot| *slot.borrow_mut() = previous);
    }
}

fn scoped<R>(scope: Scope, f: impl FnOnce() -> R) -> (R, Encryption) {
    let previous = SCOPE.with(|slot| slot.replace(Some((scope, Encryption::default()))));
    let restore = Restore(previous);
    let result = f();
    let (_, encryption) = SCOPE
        .with(|slot| slot.borrow_mut().take())
        .expect("the scope set above");
    drop(restore);
    (result, encryption)
}

/// Runs `f` (building a request) with `Sensitive` values encrypted by `key`,
/// a WeChat Pay public key or platform certificate key and its serial; `None`
/// makes each of them fail with [`SensitiveError::NoKey`].
pub fn encrypting<R>(key: Option<(String, PublicKey)>, f: impl FnOnce() -> R) -> (R, Encryption) {
    let scope = match key {
        Some((serial, key)) => Scope::Encrypt { serial, key },
        None => Scope::NoKey,
    };
    scoped(scope, f)
}

/// Runs `f` with `Sensitive` values deserialized from ciphertext by `key`.
pub fn decrypting<R>(key: &PrivateKey, f: impl FnOnce() -> R) -> R {
    scoped(Scope::Decrypt(key.clone()), f).0
}

/// Runs `f` with `Sensitive` values serialized and deserialized as plaintext.
/// For tests and for validating a payload; never for what goes on the wire.
pub fn revealing<R>(f: impl FnOnce() -> R) -> R {
    scoped(Scope::Reveal, f).0
}

/// Runs `f` with the current scope, and records in it what happened: the first
/// failure, and the serial of the key when one encrypted (the only thing that
/// succeeds in an `Encrypt` scope).
fn with_scope<R>(
    f: impl FnOnce(Option<&Scope>) -> Result<R, SensitiveError>,
) -> Result<R, SensitiveError> {
    SCOPE.with(|slot| {
        let mut slot = slot.borrow_mut();
        let result = f(slot.as_ref().map(|(scope, _)| scope));
        if let Some((scope, encryption)) = slot.as_mut() {
            match (&result, scope) {
                (Ok(_), Scope::Encrypt { serial, .. }) => {
                    encryption.serial.get_or_insert_with(|| serial.clone());
                }
                (Ok(_), _) => {}
                (Err(error), _) => {
                    encryption.error.get_or_insert_with(|| error.clone());
                }
            }
        }
        result
    })
}

/// A plaintext as it goes on the wire under `scope`.
fn seal_in(scope: Option<&Scope>, plaintext: &str) -> Result<String, SensitiveError> {
    match scope {
        Some(Scope::Encrypt { key, .. }) => seal(key, plaintext),
        Some(Scope::Reveal) => Ok(plaintext.to_owned()),
        Some(Scope::NoKey) => Err(SensitiveError::NoKey),
        Some(Scope::Decrypt(_)) | None => Err(SensitiveError::OutsideRequest),
    }
}

/// A wire value as plaintext under `scope`.
fn open_in(scope: Option<&Scope>, wire: String) -> Result<String, SensitiveError> {
    match scope {
        Some(Scope::Decrypt(key)) => open(key, &wire),
        Some(Scope::Reveal) => Ok(wire),
        _ => Err(SensitiveError::NoDecryptionKey),
    }
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

    #[derive(Debug, Serialize, Deserialize)]
    struct Receiver {
        name: Sensitive,
    }

    #[test]
    fn outside_a_scope_nothing_goes_out_in_plaintext() {
        let receiver = Receiver {
            name: Sensitive::new("张三"),
        };
        let error = serde_json::to_string(&receiver).expect_err("refused");
        assert!(error.to_string().contains("unencrypted"), "{error}");
        assert_eq!(
            receiver.name.to_wire().expect_err("refused"),
            SensitiveError::OutsideRequest
        );
        assert!(!format!("{receiver:?}").contains("张三"));
    }

    #[test]
    fn encrypts_under_the_scope_and_decrypts_back() {
        let key = key();
        let receiver = Receiver {
            name: Sensitive::new("张三"),
        };
        let (json, encryption) =
            encrypting(Some(("PUB_KEY_ID_1".into(), key.public_key())), || {
                serde_json::to_string(&receiver)
            });
        let json = json.expect("encrypted");
        assert_eq!(encryption.serial.as_deref(), Some("PUB_KEY_ID_1"));
        assert!(encryption.error.is_none());
        assert!(!json.contains("张三"));
        // RSA-OAEP is randomized: the same plaintext never encrypts the same way twice.
        let (again, _) = encrypting(Some(("PUB_KEY_ID_1".into(), key.public_key())), || {
            serde_json::to_string(&receiver)
        });
        assert_ne!(json, again.expect("encrypted"));
        let back: Receiver = decrypting(&key, || serde_json::from_str(&json)).expect("decrypts");
        assert_eq!(back.name.expose(), "张三");
        // Without a key the ciphertext is not taken for plaintext.
        assert!(serde_json::from_str::<Receiver>(&json).is_err());
    }

    #[test]
    fn a_client_without_a_key_refuses_and_says_why() {
        let receiver = Receiver {
            name: Sensitive::new("张三"),
        };
        let (json, encryption) = encrypting(None, || serde_json::to_string(&receiver));
        assert!(json.is_err());
        assert_eq!(encryption.error, Some(SensitiveError::NoKey));
        assert_eq!(encryption.serial, None);
    }

    #[test]
    fn scopes_nest_and_unwind() {
        let receiver = Receiver {
            name: Sensitive::new("x"),
        };
        let inner = encrypting(None, || {
            revealing(|| serde_json::to_string(&receiver).expect("plaintext"))
        });
        assert_eq!(inner.0, r#"{"name":"x"}"#);
        // Back outside every scope.
        assert!(serde_json::to_string(&receiver).is_err());
        let panicked = std::panic::catch_unwind(|| revealing(|| panic!("inside")));
        assert!(panicked.is_err());
        assert!(serde_json::to_string(&receiver).is_err());
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
    }
}
