//! What generated code implements: an operation turns itself into a [`Request`]
//! and decodes its success response.

use std::borrow::Cow;

use bytes::Bytes;

use crate::config::{ConfigError, Setting};
use crate::decode::DecodeError;
use crate::error::Error;
use crate::sensitive::Sealer;
use crate::validate::Validate;

pub use http::Method;

/// A request ready to be signed and sent.
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// The documented path template, for logs and errors.
    pub path_template: Cow<'static, str>,
    /// The path with its parameters filled in and percent-encoded.
    pub path: String,
    /// Query parameters, in the order they are sent.
    pub query: Vec<(Cow<'static, str>, String)>,
    /// Extra request headers (documented `headers` parameters).
    pub headers: Vec<(Cow<'static, str>, String)>,
    /// The body.
    pub body: Body,
    /// The host the docs require for this operation (`base_uri`), if any.
    pub base_uri: Option<&'static str>,
    /// Whether sending the request twice has the same effect as once, so that it
    /// may be retried: GETs, and requests carrying their own request number
    /// (`upload_request_no`, `delete_request_no`, ...).
    pub idempotent: bool,
    /// Whether the success response is signed. True for every JSON API; false
    /// only for documented file downloads, which WeChat Pay does not sign (their
    /// integrity comes from the digest returned by the API that issued the link).
    pub signed_response: bool,
    /// The `Wechatpay-Serial` to send: the WeChat Pay key the request's
    /// sensitive fields were sealed with (`Sealer::serial_used`), set by the
    /// client as it builds the request. `None`: the client's preferred key.
    pub wechatpay_serial: Option<String>,
}

impl Request {
    /// A request without query, headers or body.
    pub fn new(method: Method, path_template: impl Into<Cow<'static, str>>, path: String) -> Self {
        let idempotent = matches!(method, Method::GET | Method::HEAD);
        Request {
            method,
            path_template: path_template.into(),
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            base_uri: None,
            idempotent,
            signed_response: true,
            wechatpay_serial: None,
        }
    }

    /// The path and query exactly as signed and sent: `/v3/x?a=1`.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, crate::encode::query(&self.query))
        }
    }
}

/// A request body.
#[derive(Debug, Clone, Default)]
pub enum Body {
    /// No body (GET, DELETE).
    #[default]
    Empty,
    /// JSON bytes, signed as they are sent.
    Json(Vec<u8>),
    /// A `multipart/form-data` upload: the signature covers the `meta` JSON.
    Multipart {
        /// The `meta` part (JSON).
        meta: Vec<u8>,
        /// The file part's field name (`file`, or what the page calls it).
        file_field: Cow<'static, str>,
        /// The file.
        file: crate::FilePart,
    },
}

impl Body {
    /// The bytes the signature covers.
    pub fn signed_bytes(&self) -> &[u8] {
        match self {
            Body::Empty => b"",
            Body::Json(bytes) => bytes,
            Body::Multipart { meta, .. } => meta,
        }
    }

    /// Serializes a value as a JSON body.
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value).map(Body::Json).map_err(|e| {
            ConfigError::new(Setting::RequestBody, format!("does not serialize: {e}")).into()
        })
    }
}

/// A documented operation with its typed request and response.
pub trait Operation: Validate {
    /// What a successful call returns.
    type Response;

    /// Builds the request (path, query, headers, body), sealing its
    /// sensitive fields with `sealer` on the way: each part that holds one is
    /// sealed (a copy) before it is serialized.
    fn to_request(&self, sealer: &Sealer) -> Result<Request, Error>;

    /// Decodes a verified success body.
    fn decode(body: Bytes) -> Result<Self::Response, DecodeError>;
}
