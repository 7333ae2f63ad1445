//! The untyped escape hatch, for endpoints that are not generated yet: a request
//! by URL template with path parameters, query and JSON, signed and verified
//! exactly like the typed calls.
//!
//! ```no_run
//! # async fn demo(client: wechatpay_runtime::Client) -> Result<(), wechatpay_runtime::Error> {
//! let response = client
//!     .request(http::Method::GET, "/v3/marketing/busifavor/stocks/{stock_id}")
//!     .path_param("stock_id", "98065001")
//!     .send()
//!     .await?;
//! let stock: serde_json::Value = response.json()?;
//! # Ok(()) }
//! ```

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::client::{Client, RawResponse};
use crate::encode;
use crate::error::Error;
use crate::operation::{Body, Method, Request};

/// An untyped request being built; see [`Client::request`].
#[derive(Debug)]
#[must_use]
pub struct RawRequest<'a> {
    client: &'a Client,
    method: Method,
    template: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Result<Body, Error>,
    idempotent: Option<bool>,
}

impl Client {
    /// Starts an untyped request on a path template such as `/v3/x/{id}`.
    pub fn request(&self, method: Method, template: impl Into<String>) -> RawRequest<'_> {
        RawRequest {
            client: self,
            method,
            template: template.into(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Ok(Body::Empty),
            idempotent: None,
        }
    }
}

impl RawRequest<'_> {
    /// Fills the `{name}` placeholder (the value is percent-encoded).
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_params.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter (sent, and signed, in the order added).
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends a JSON body.
    pub fn json<T: serde::Serialize>(mut self, body: &T) -> Self {
        self.body = Body::json(body);
        self
    }

    /// Declares whether the request may be repeated safely (default: only GET).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Signs, sends and verifies the request.
    pub async fn send(self) -> Result<RawResponse, Error> {
        let params: Vec<(&str, &str)> = self
            .path_params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let path = encode::path(&self.template, &params)?;
        let mut request = Request::new(self.method, self.template, path);
        request.query = self.query.into_iter().map(|(k, v)| (k.into(), v)).collect();
        request.headers = self
            .headers
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect();
        request.body = self.body?;
        if let Some(idempotent) = self.idempotent {
            request.idempotent = idempotent;
        }
        self.client.send(request).await
    }
}

impl RawResponse {
    /// Decodes the verified body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        crate::decode::decode_json(&self.body).map_err(|error| Error::Decode {
            error,
            status: self.status,
            request_id: self.request_id().map(str::to_owned),
            body: self.body.clone().into(),
        })
    }

    /// The verified body.
    pub fn bytes(&self) -> Bytes {
        self.body.clone()
    }
}
