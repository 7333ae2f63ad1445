//! The runtime of the WeChat Pay APIv3 bindings: what generated code calls.
//!
//! - [`Client`]: signs every request (RSASSA-PKCS1-v1_5 SHA-256 with the merchant
//!   key), verifies every success response (public key mode, platform certificate
//!   mode, or both), retries what is safe to retry, rate-limits, and reports
//!   failures as one [`Error`] type that keeps status, `Request-ID`, code,
//!   message, `detail` and raw body.
//! - [`Operation`]: implemented by the generated request types.
//! - [`Client::paginate`]: lists as streams.
//! - [`Client::request`]: an untyped escape hatch for endpoints not generated yet.
//! - [`blocking::BlockingClient`]: the same for synchronous programs.
//! - [`notify`]: notifications (回调通知) verified, decrypted and decoded, and
//!   the answers WeChat Pay expects.
//!
//! ```no_run
//! use wechatpay_runtime::{Client, MerchantCredentials, PrivateKey, PublicKey};
//!
//! # fn main() -> Result<(), wechatpay_runtime::Error> {
//! let client = Client::builder()
//!     .merchant(MerchantCredentials {
//!         mchid: "1900000001".into(),
//!         serial: "MERCHANT_CERT_SERIAL".into(),
//!         key: PrivateKey::from_pem_file("apiclient_key.pem")?,
//!     })
//!     .wechatpay_public_key("PUB_KEY_ID_0000", PublicKey::from_pem_file("pub_key.pem")?)
//!     .build()?;
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

pub mod aead;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod config;
mod datetime;
mod de;
mod decode;
mod download;
mod encode;
mod error;
#[cfg(feature = "json-schema")]
mod json_schema;
mod keys;
pub mod notify;
mod open_enum;
mod operation;
mod paginate;
pub mod payment;
mod raw;
#[cfg(feature = "schema")]
pub mod schema;
pub mod sensitive;
pub mod sign;
mod signature;
pub mod tls;
mod types;
mod validate;
pub mod verify;

pub use bytes::Bytes;
pub use client::{
    BACKUP_BASE_URL, Call, Client, ClientBuilder, DEFAULT_BASE_URL, RawResponse, RetryPolicy,
};
pub use config::{ConfigError, Setting};
pub use datetime::DateTime;
pub use decode::{DecodeError, DecodeProblem, JsonType};
pub use download::{Download, DownloadError, FileDigest, HashAlgorithm};
pub use error::{ApiError, Error, RawBody};
#[cfg(feature = "json-schema")]
pub use json_schema::json_schema_for;
pub use keys::{MerchantCredentials, PrivateKey, PublicKey};
pub use operation::{Body, Method, Operation, Request};
pub use paginate::{Page, Paginated};
pub use raw::RawRequest;
pub use signature::SignatureError;
/// The `time` crate, whose `OffsetDateTime` a [`DateTime`] reads as.
pub use time;
pub use types::{FilePart, JsonString};
pub use validate::{Validate, ValidationError, ValidationErrors};

/// What the runtime's macros expand to, so crates using them need no direct
/// dependency on these. Not a public API.
#[doc(hidden)]
pub mod __private {
    /// Path templates filled with percent-encoded parameters.
    pub mod encode {
        pub use crate::encode::path;
    }
    /// The checks generated `Validate` impls are made of.
    pub mod validate {
        pub use crate::validate::{At, Pattern, items, length, pointer, range};
    }
    /// How generated operations decode their responses.
    pub mod decode {
        pub use crate::decode::{decode_empty as empty, decode_json as json};
    }
    /// The futures generated operation methods return.
    pub mod call {
        pub use crate::client::call::{download, execute};
    }
    /// How generated structs decode (see `de.rs`).
    pub use crate::impl_deserialize;
    /// What `impl_deserialize!` expands to.
    pub mod de {
        pub use crate::de::{Key, keep, next_key, required, set, skip};
    }
    #[cfg(feature = "json-schema")]
    pub use crate::json_schema::string_enum_schema;
    #[cfg(feature = "json-schema")]
    pub use schemars;
    pub use serde;
    pub use serde_json;
}
