//! [`ConfigError`]: a setting or an input the client cannot work with, named
//! by which one it is, so that code can tell them apart without reading prose.

use std::fmt;
use std::path::PathBuf;

/// What the client was given that it cannot work with: which setting or
/// input, and what is wrong with it. Retrying cannot help; the setting must
/// change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {problem}")]
#[non_exhaustive]
pub struct ConfigError {
    /// Which setting or input.
    pub setting: Setting,
    /// What is wrong with it, in words (the underlying library's message
    /// where there is one).
    pub problem: String,
}

impl ConfigError {
    /// `setting` is wrong as `problem` says.
    pub fn new(setting: Setting, problem: impl fmt::Display) -> Self {
        ConfigError {
            setting,
            problem: problem.to_string(),
        }
    }
}

/// The APIv3 key as AES-256-GCM takes it, or the error that says it is not
/// 32 bytes: the one check of the key, wherever it is given.
pub(crate) fn apiv3_key(key: &[u8]) -> Result<[u8; 32], ConfigError> {
    key.try_into().map_err(|_| {
        let problem = format!("must be 32 bytes, this one is {}", key.len());
        ConfigError::new(Setting::Apiv3Key, problem)
    })
}

/// The settings and inputs a [`ConfigError`] can be about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Setting {
    /// The merchant's private key (`apiclient_key.pem`), from this file if
    /// it was read from one.
    MerchantKey {
        /// The file it was read from.
        file: Option<PathBuf>,
    },
    /// A public key (WeChat Pay's, `pub_key.pem`), from this file if it was
    /// read from one.
    PublicKey {
        /// The file it was read from.
        file: Option<PathBuf>,
    },
    /// The APIv3 key (32 bytes).
    Apiv3Key,
    /// `ClientBuilder::merchant`: the merchant id, serial and key.
    MerchantCredentials,
    /// What responses are verified with: a WeChat Pay public key or the
    /// platform certificates (with the APIv3 key).
    VerificationKeys,
    /// A platform certificate from `/v3/certificates`, by serial.
    PlatformCertificate {
        /// Its serial number (empty when the list itself did not read).
        serial: String,
    },
    /// The base URL requests go to.
    BaseUrl,
    /// A download link (`download_url` of a bill).
    DownloadLink,
    /// A request's URL: its path, parameters and query as signed.
    RequestUrl,
    /// A parameter of a request (path, query or header), by its name on
    /// the wire.
    Parameter(String),
    /// A request's JSON body.
    RequestBody,
    /// A file to upload, from this file if it was read from one.
    UploadFile {
        /// The file.
        file: Option<PathBuf>,
    },
    /// The HTTP client.
    HttpClient,
    /// TLS: its certificate verifier, versions, or the CPU features its
    /// provider needs.
    Tls,
    /// The Tokio runtime of the blocking client.
    AsyncRuntime,
    /// An option of code built on the client (the bulk upload's
    /// `chunk_size`), by name.
    Option(String),
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = |f: &mut fmt::Formatter<'_>, what: &str, file: &Option<PathBuf>| match file {
            Some(file) => write!(f, "{what} {}", file.display()),
            None => f.write_str(what),
        };
        match self {
            Setting::MerchantKey { file } => from(f, "the merchant private key", file),
            Setting::PublicKey { file } => from(f, "the public key", file),
            Setting::Apiv3Key => f.write_str("the APIv3 key"),
            Setting::MerchantCredentials => f.write_str("the merchant credentials"),
            Setting::VerificationKeys => f.write_str("the keys to verify responses with"),
            Setting::PlatformCertificate { serial } if serial.is_empty() => {
                f.write_str("the platform certificates")
            }
            Setting::PlatformCertificate { serial } => {
                write!(f, "platform certificate {serial}")
            }
            Setting::BaseUrl => f.write_str("the base URL"),
            Setting::DownloadLink => f.write_str("the download link"),
            Setting::RequestUrl => f.write_str("the request URL"),
            Setting::Parameter(name) => write!(f, "parameter `{name}`"),
            Setting::RequestBody => f.write_str("the request body"),
            Setting::UploadFile { file } => from(f, "the file to upload", file),
            Setting::HttpClient => f.write_str("the HTTP client"),
            Setting::Tls => f.write_str("TLS"),
            Setting::AsyncRuntime => f.write_str("the Tokio runtime"),
            Setting::Option(name) => write!(f, "option `{name}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_which_setting_then_what_is_wrong() {
        let error = ConfigError::new(
            Setting::MerchantKey {
                file: Some("apiclient_key.pem".into()),
            },
            "not an RSA private key in PEM",
        );
        assert_eq!(
            error.to_string(),
            "the merchant private key apiclient_key.pem: not an RSA private key in PEM"
        );
        assert_eq!(
            ConfigError::new(Setting::Parameter("stock_id".into()), "empty").to_string(),
            "parameter `stock_id`: empty"
        );
    }
}
