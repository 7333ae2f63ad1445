//! The APIv3 signature scheme: RSASSA-PKCS1-v1_5 with SHA-256 over
//! `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` (requests) and
//! `TIMESTAMP\nNONCE\nBODY\n` (responses), base64 encoded. The keys that
//! sign and verify are [`crate::PrivateKey`] and [`crate::PublicKey`].
//!
//! PKCS#1 v1.5 is deterministic: `../shared/vectors/vectors.json` is reproduced
//! byte for byte by the tests.

use rand::RngExt;

/// The only signature scheme of APIv3.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// The string a request signature covers: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
pub fn request_message(
    method: &str,
    url: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut message = format!("{method}\n{url}\n{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// The string a response signature covers: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// The Unix time in seconds, as signatures carry it.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// 32 random characters from `[0-9A-Za-z]`.
pub fn nonce() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// The fields of an `Authorization: WECHATPAY2-SHA256-RSA2048 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Merchant id.
    pub mchid: String,
    /// The merchant certificate serial.
    pub serial_no: String,
    /// Unix seconds.
    pub timestamp: String,
    /// The random nonce.
    pub nonce_str: String,
    /// Base64 signature.
    pub signature: String,
}

impl Authorization {
    /// The header value. Field order is free; this is the official SDKs' order.
    pub fn header_value(&self) -> String {
        format!(
            "{SCHEME} mchid=\"{}\",nonce_str=\"{}\",signature=\"{}\",timestamp=\"{}\",serial_no=\"{}\"",
            self.mchid, self.nonce_str, self.signature, self.timestamp, self.serial_no
        )
    }

    /// Reads a header value; `None` when it is not a complete APIv3 authorization.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix(SCHEME)?.strip_prefix(' ')?;
        let mut fields = std::collections::HashMap::new();
        for part in rest.split(',') {
            let (key, quoted) = part.trim().split_once('=')?;
            let value = quoted.strip_prefix('"')?.strip_suffix('"')?;
            if fields.insert(key, value.to_owned()).is_some() {
                return None;
            }
        }
        Some(Authorization {
            mchid: fields.remove("mchid")?,
            serial_no: fields.remove("serial_no")?,
            timestamp: fields.remove("timestamp")?,
            nonce_str: fields.remove("nonce_str")?,
            signature: fields.remove("signature")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_end_every_line_with_a_newline() {
        assert_eq!(
            request_message("GET", "/v3/x?a=1", 1554208460, "N", b""),
            b"GET\n/v3/x?a=1\n1554208460\nN\n\n"
        );
        assert_eq!(response_message("1", "N", b"{}"), b"1\nN\n{}\n");
    }

    #[test]
    fn nonces_are_32_alphanumerics() {
        let n = nonce();
        assert_eq!(n.len(), 32);
        assert!(n.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(n, nonce());
    }

    #[test]
    fn authorization_round_trips() {
        let auth = Authorization {
            mchid: "1900009191".into(),
            serial_no: "ABC".into(),
            timestamp: "1554208460".into(),
            nonce_str: "593BEC0C930BF1AFEB40B4A08C8FB242".into(),
            signature: "c2ln".into(),
        };
        assert_eq!(
            Authorization::parse(&auth.header_value()),
            Some(auth.clone())
        );
        let reordered = format!(
            "{SCHEME} serial_no=\"ABC\",signature=\"c2ln\",mchid=\"1900009191\",timestamp=\"1554208460\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\""
        );
        assert_eq!(Authorization::parse(&reordered), Some(auth));
        assert_eq!(Authorization::parse("Bearer x"), None);
        assert_eq!(Authorization::parse(&format!("{SCHEME} mchid=\"1\"")), None);
    }
}
