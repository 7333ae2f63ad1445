//! [`SignatureError`]: why a response (or notification) signature did not
//! verify. A leaf: the keys that verify and the error that reports it both
//! name it, and it names neither.

/// Why a response signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A `Wechatpay-*` header is missing.
    #[error("the response has no `{0}` header")]
    MissingHeader(&'static str),
    /// The timestamp is too far from now (replayed or delayed).
    #[error(
        "the response timestamp {timestamp} is {skew_seconds} s away from now (at most 300 s allowed)"
    )]
    Stale {
        /// The `Wechatpay-Timestamp` value.
        timestamp: i64,
        /// How far it is from the local clock.
        skew_seconds: i64,
    },
    /// The timestamp is not a number.
    #[error("the `Wechatpay-Timestamp` header {0:?} is not a number")]
    BadTimestamp(String),
    /// No key is known for the `Wechatpay-Serial` the response names.
    #[error("no WeChat Pay public key or platform certificate is known for serial {0:?}")]
    UnknownSerial(String),
    /// The signature does not match the body (tampered body, wrong key, or a
    /// deliberate `WECHATPAY/SIGNTEST/` probe).
    #[error("the signature does not match the response")]
    Invalid,
    /// The signature type is not `WECHATPAY2-SHA256-RSA2048`.
    #[error("unsupported signature type {0:?}")]
    UnsupportedType(String),
}
