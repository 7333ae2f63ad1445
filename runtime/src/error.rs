//! One error type for everything a call can run into, keeping what was received.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;

use crate::config::ConfigError;
use crate::decode::DecodeError;
use crate::signature::SignatureError;
use crate::validate::ValidationErrors;

/// Why a call failed. Every variant that saw a response keeps its status,
/// `Request-ID` and raw body, so nothing WeChat Pay said is lost.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was not sent: it breaks a documented limit. Nothing left the machine.
    #[error("invalid request: {0}")]
    Validation(#[from] ValidationErrors),
    /// WeChat Pay answered with an error (4xx/5xx, or 202 "try again").
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A successful response failed signature verification: it may be forged or
    /// altered, so its body must not be used.
    #[error("response signature check failed: {source}{}", request_id_suffix(.request_id.as_deref()))]
    Signature {
        /// What was wrong.
        source: SignatureError,
        /// The response's `Request-ID`, when it had one.
        request_id: Option<String>,
        /// The response status.
        status: StatusCode,
    },
    /// The response verified but its body is not what the operation returns.
    #[error("could not decode the {status} response{}: {error}", request_id_suffix(.request_id.as_deref()))]
    Decode {
        /// What did not decode, and where.
        error: DecodeError,
        /// The response status.
        status: StatusCode,
        /// The response's `Request-ID`.
        request_id: Option<String>,
        /// The raw body (shown nowhere: see [`RawBody`]).
        body: RawBody,
    },
    /// No answer in time.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// The connection failed, was dropped, or the response was cut short.
    #[error("transport error: {}", source_chain(.0.as_ref()))]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A setting or input the client cannot work with (keys, URLs, a file
    /// to upload), named by which one; retrying cannot help.
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    /// The request was not sent: the platform certificates it needs to verify
    /// the answer could not be downloaded (platform certificate mode).
    #[error("not sent: the platform certificates could not be downloaded: {0}")]
    Certificates(#[source] Box<Error>),
    /// The request was not sent: a sensitive field could not be encrypted (no
    /// key to encrypt with), or was about to leave unencrypted.
    #[error("not sent: {0}")]
    Sensitive(#[from] crate::sensitive::SensitiveError),
    /// A file download was refused (its digest did not match, it is not the
    /// gzip it should be), cut short, or could not be written.
    #[error("download failed: {0}")]
    Download(#[from] crate::download::DownloadError),
    /// The request was sent again after an attempt that may have reached
    /// WeChat Pay (a timeout, a lost or cut answer, a 5xx), and the last
    /// attempt failed too: whatever the last error says, the request may
    /// have taken effect. [`Error::may_have_acted`] is true.
    #[error(
        "{last} (after {attempts} attempts, an earlier one of which may have reached WeChat Pay)"
    )]
    AfterRetries {
        /// The last attempt's error.
        last: Box<Error>,
        /// How many attempts were made.
        attempts: u32,
    },
    /// An answer lacks a field the next step needs. Answer fields are all
    /// `Option` (the docs' answer tables merge product variants), so code
    /// that needs one says so with [`Error::absent`].
    #[error("the answer has no `{0}`, which this step needs")]
    Absent(&'static str),
}

/// An error and its causes, `: `-separated, so that what the operating system
/// said ("Connection refused") is not hidden behind "error sending request".
fn source_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A certificate list that was not installed, as the error of the call that
/// downloaded it (a 200 answer).
impl From<crate::verify::InstallError> for Error {
    fn from(error: crate::verify::InstallError) -> Self {
        match error {
            crate::verify::InstallError::List(config) => Error::Config(config),
            crate::verify::InstallError::Signature { source, request_id } => Error::Signature {
                source,
                request_id,
                status: StatusCode::OK,
            },
        }
    }
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (Request-ID {id})"))
        .unwrap_or_default()
}

impl Error {
    /// The error for an answer field that is needed but absent:
    /// `bill.download_url.ok_or(Error::absent("download_url"))?`.
    pub fn absent(field: &'static str) -> Error {
        Error::Absent(field)
    }

    /// Whether the same request may succeed if sent again: network errors,
    /// timeouts, 202, 429, 5xx, and an answer that failed verification (a
    /// forged or altered answer is not WeChat Pay's: the real one may come
    /// next time). Never for 4xx or validation errors. The client repeats
    /// only requests that are safe to repeat (see [`crate::Request::idempotent`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::AfterRetries { last, .. } => last.is_retryable(),
            Error::Api(api) => api.is_retryable(),
            Error::Timeout(_) | Error::Transport(_) | Error::Signature { .. } => true,
            Error::Certificates(download) => download.is_retryable(),
            Error::Download(download) => download.is_retryable(),
            Error::Validation(_)
            | Error::Decode { .. }
            | Error::Config(_)
            | Error::Sensitive(_)
            | Error::Absent(_) => false,
        }
    }

    /// Whether the request certainly did not reach WeChat Pay: it was refused
    /// before sending (validation, configuration, certificates that could not be
    /// downloaded), or no connection could be
    /// opened (connection refused, DNS). Any other failure may have happened
    /// after WeChat Pay acted on the request.
    pub fn never_sent(&self) -> bool {
        match self {
            Error::AfterRetries { .. } => false,
            Error::Validation(_)
            | Error::Config(_)
            | Error::Certificates(_)
            | Error::Sensitive(_) => true,
            Error::Transport(source) => source
                .downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_connect),
            _ => false,
        }
    }

    /// Whether WeChat Pay may have acted on the request, in any attempt: it
    /// is false only when every attempt was refused before it was sent, or
    /// answered with a refusal (a 4xx other than 429). A request for which
    /// this is true may have taken effect, whatever the error: code that
    /// accounts for what it sent counts it as unknown, not failed.
    pub fn may_have_acted(&self) -> bool {
        match self {
            Error::AfterRetries { .. } => true,
            Error::Api(api) => {
                let status = api.status.as_u16();
                status == 202 || (status >= 500 && status != 501)
            }
            Error::Validation(_)
            | Error::Config(_)
            | Error::Certificates(_)
            | Error::Sensitive(_)
            | Error::Absent(_) => false,
            Error::Transport(_) => !self.never_sent(),
            Error::Timeout(_)
            | Error::Signature { .. }
            | Error::Decode { .. }
            | Error::Download(_) => true,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::AfterRetries { last, .. } => last.status(),
            Error::Api(api) => Some(api.status),
            Error::Signature { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The response's `Request-ID`, to quote when asking WeChat Pay about a call.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::AfterRetries { last, .. } => last.request_id(),
            Error::Api(api) => api.request_id.as_deref(),
            Error::Signature { request_id, .. } | Error::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The API error, when WeChat Pay answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::AfterRetries { last, .. } => last.api(),
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// A body as it was received, kept for the caller who needs it and shown
/// nowhere: its `Debug` gives only its length and it has no `Display`, since
/// bodies carry openids, names and amounts and errors end up in logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawBody(Bytes);

impl RawBody {
    /// The bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl From<Bytes> for RawBody {
    fn from(bytes: Bytes) -> Self {
        RawBody(bytes)
    }
}

impl std::ops::Deref for RawBody {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes, not shown>", self.0.len())
    }
}

/// An error answer from WeChat Pay: `{"code": ..., "message": ..., "detail": {...}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Request-ID` header.
    pub request_id: Option<String>,
    /// The error code (`PARAM_ERROR`, `SIGN_ERROR`, ...), when the body had one.
    pub code: Option<String>,
    /// The human-readable message, when the body had one.
    pub message: Option<String>,
    /// The free-form `detail` object, kept as raw JSON (real bodies nest it).
    pub detail: Option<serde_json::Value>,
    /// The raw body, whatever it was (an HTML page from a proxy, say).
    pub body: RawBody,
}

impl ApiError {
    /// Reads an error response; bodies that are not WeChat Pay's JSON keep only the raw body.
    pub fn from_response(status: StatusCode, request_id: Option<String>, body: Bytes) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            code: Option<String>,
            message: Option<String>,
            detail: Option<serde_json::Value>,
        }
        let parsed: Option<Body> = serde_json::from_slice(&body).ok();
        let (code, message, detail) = match parsed {
            Some(b) => (b.code, b.message, b.detail),
            None => (None, None, None),
        };
        ApiError {
            status,
            request_id,
            code,
            message,
            detail,
            body: RawBody(body),
        }
    }

    /// Whether repeating the same request can help: 202, 429, 500, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status.as_u16(), 202 | 429 | 500 | 502 | 503 | 504)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeChat Pay answered {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        } else if self.code.is_none() && !self.body.is_empty() {
            // Not quoted: a body may carry what must not reach a log.
            write!(
                f,
                " with a body that is not WeChat Pay's JSON ({} bytes)",
                self.body.len()
            )?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (Request-ID {id})")?;
        }
        if self.is_retryable() {
            f.write_str("; retrying may help")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_everything() {
        let body = Bytes::from_static(
            br#"{"code":"SIGN_ERROR","message":"bad","detail":{"detail":{"issue":"sign not match"}}}"#,
        );
        let err =
            ApiError::from_response(StatusCode::UNAUTHORIZED, Some("req-1".into()), body.clone());
        assert_eq!(err.code.as_deref(), Some("SIGN_ERROR"));
        assert_eq!(
            err.detail.as_ref().unwrap()["detail"]["issue"],
            "sign not match"
        );
        assert_eq!(err.body.bytes(), &body);
        assert_eq!(format!("{:?}", err.body), "<84 bytes, not shown>");
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "WeChat Pay answered 401 Unauthorized SIGN_ERROR: bad (Request-ID req-1)"
        );
    }

    #[test]
    fn html_from_a_proxy_is_kept_raw() {
        let body = Bytes::from_static(b"<html><body>502 Bad Gateway</body></html>");
        let err = ApiError::from_response(StatusCode::BAD_GATEWAY, None, body);
        assert_eq!(err.code, None);
        assert!(err.is_retryable());
        assert_eq!(
            err.to_string(),
            "WeChat Pay answered 502 Bad Gateway with a body that is not WeChat Pay's JSON (41 bytes); retrying may help"
        );
        assert!(!format!("{err:?}").contains("Gateway</"), "{err:?}");
        let err = Error::Api(Box::new(err));
        assert!(err.is_retryable());
        assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    }
}
