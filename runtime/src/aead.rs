//! `AEAD_AES_256_GCM` with the APIv3 key: how platform certificates (and callback
//! payloads) are encrypted. Key: the 32-byte APIv3 key; nonce: 12 bytes;
//! ciphertext: base64 of the encrypted bytes followed by the 16-byte tag.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The algorithm name WeChat Pay uses.
pub const ALGORITHM: &str = "AEAD_AES_256_GCM";

/// Why AES-GCM did not open (or seal) a value. It names the problem and
/// nothing else: no key, no nonce, no byte of plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AeadError {
    /// The APIv3 key is not 32 bytes.
    #[error("the APIv3 key must be 32 bytes, this one is {0}")]
    KeyLength(usize),
    /// The nonce is not 12 bytes.
    #[error("an AES-GCM nonce is 12 bytes, this one is {0}")]
    NonceLength(usize),
    /// The ciphertext is not base64.
    #[error("the ciphertext is not base64")]
    NotBase64,
    /// The tag does not match.
    #[error(
        "another APIv3 key, or the ciphertext, nonce or associated data was changed or cut short"
    )]
    Rejected,
    /// The plaintext is longer than AES-GCM seals (64 GiB).
    #[error("the plaintext is longer than AES-GCM seals")]
    TooLong,
}

fn cipher(apiv3_key: &[u8]) -> Result<Aes256Gcm, AeadError> {
    Aes256Gcm::new_from_slice(apiv3_key).map_err(|_| AeadError::KeyLength(apiv3_key.len()))
}

fn nonce_of(nonce: &str) -> Result<Nonce<aes_gcm::aead::consts::U12>, AeadError> {
    Nonce::try_from(nonce.as_bytes()).map_err(|_| AeadError::NonceLength(nonce.len()))
}

/// Decrypts `ciphertext` (base64 of ciphertext and tag).
pub fn decrypt(
    apiv3_key: &[u8],
    nonce: &str,
    associated_data: &str,
    ciphertext: &str,
) -> Result<Vec<u8>, AeadError> {
    let raw = BASE64
        .decode(ciphertext.trim())
        .map_err(|_| AeadError::NotBase64)?;
    cipher(apiv3_key)?
        .decrypt(
            &nonce_of(nonce)?,
            Payload {
                msg: &raw,
                aad: associated_data.as_bytes(),
            },
        )
        .map_err(|_| AeadError::Rejected)
}

/// Encrypts `plaintext`; returns base64 of ciphertext and tag (used by the sandbox).
pub fn encrypt(
    apiv3_key: &[u8],
    nonce: &str,
    associated_data: &str,
    plaintext: &[u8],
) -> Result<String, AeadError> {
    let sealed = cipher(apiv3_key)?
        .encrypt(
            &nonce_of(nonce)?,
            Payload {
                msg: plaintext,
                aad: associated_data.as_bytes(),
            },
        )
        .map_err(|_| AeadError::TooLong)?;
    Ok(BASE64.encode(sealed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = b"0123456789abcdef0123456789abcdef";
        let sealed = encrypt(key, "0123456789ab", "certificate", b"hello").unwrap();
        assert_eq!(
            decrypt(key, "0123456789ab", "certificate", &sealed).unwrap(),
            b"hello"
        );
        assert!(decrypt(key, "0123456789ab", "other", &sealed).is_err());
        assert!(decrypt(b"short", "0123456789ab", "certificate", &sealed).is_err());
        assert!(decrypt(key, "short", "certificate", &sealed).is_err());
    }
}
