//! The async APIv3 client: signs every request, verifies every success
//! response, retries what is safe to retry, and turns everything else into
//! [`Error`]s that keep what was received.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::config::{ConfigError, Setting};
use crate::download::Download;
use crate::error::{ApiError, Error};
use crate::keys::MerchantCredentials;
use crate::operation::{Body, Method, Operation, Request};
use crate::sensitive::Sealer;
use crate::sign::{nonce, unix_now};
use crate::signature::SignatureError;
use crate::verify::{Verifier, headers as wx};

mod builder;
pub(crate) mod call;
mod retry;

pub use builder::ClientBuilder;
pub use call::Call;
use retry::RateLimiter;
pub use retry::RetryPolicy;

/// The production host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// The backup host WeChat Pay documents (the host is not signed).
pub const BACKUP_BASE_URL: &str = "https://api2.mch.weixin.qq.com";

/// A response that passed verification.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status (2xx).
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, exactly as received and verified.
    pub body: Bytes,
}

impl RawResponse {
    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<&str> {
        wx::request_id(&self.headers)
    }
}

/// An APIv3 client. Cheap to clone; clones share connections and keys.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
    http: reqwest::Client,
    primary: Base,
    backup: Option<Base>,
    /// Documented `base_uri` → where to send it instead.
    hosts: HashMap<String, Base>,
    base_is_default: bool,
    credentials: MerchantCredentials,
    verifier: Verifier,
    retry: RetryPolicy,
    timeout: Duration,
    rate_limiter: Option<RateLimiter>,
    validate_requests: bool,
    verify_responses: bool,
    user_agent: String,
    certificate_refresh: Mutex<()>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.primary.url)
            .field("merchant", &self.inner.credentials)
            .field("verifier", &self.inner.verifier)
            .finish_non_exhaustive()
    }
}

/// `/v3/x?a=1`: the part of a URL a signature covers.
fn path_and_query(url: &reqwest::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// A host requests go to, and the path prefix it adds (a gateway's `/wxpay`).
#[derive(Debug, Clone)]
pub(super) struct Base {
    url: String,
    path: String,
}

impl Base {
    pub(super) fn parse(url: &str) -> Result<Base, ConfigError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| ConfigError::new(Setting::BaseUrl, format!("{url:?}: {e}")))?;
        Ok(Base {
            url: url.trim_end_matches('/').to_owned(),
            path: parsed.path().trim_end_matches('/').to_owned(),
        })
    }
}

/// What a successful attempt tells the request's tracing span.
trait Answer {
    fn status(&self) -> StatusCode;
    fn request_id(&self) -> Option<&str>;
}

impl Answer for RawResponse {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn request_id(&self) -> Option<&str> {
        RawResponse::request_id(self)
    }
}

impl Answer for Download {
    fn status(&self) -> StatusCode {
        StatusCode::OK
    }

    fn request_id(&self) -> Option<&str> {
        Download::request_id(self)
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The merchant id requests are signed for.
    pub fn mchid(&self) -> &str {
        &self.inner.credentials.mchid
    }

    /// The host requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.primary.url
    }

    /// Validates, signs, sends (retrying what is safe to retry), verifies and
    /// decodes one operation. The operations' generated methods (`client.jsapi_prepay(..)`) end
    /// here; call it directly when you hold a request value.
    pub async fn execute<O: Operation>(&self, operation: &O) -> Result<O::Response, Error> {
        if self.inner.validate_requests {
            operation.validate()?;
        }
        // Certificates first: a sensitive field is encrypted with the newest one.
        self.ensure_certificates()
            .await
            .map_err(|download| Error::Certificates(Box::new(download)))?;
        let request = self.build(operation)?;
        let response = self.send_with_retries(&request).await?;
        O::decode(response.body.clone()).map_err(|error| Error::Decode {
            error,
            status: response.status,
            request_id: response.request_id().map(str::to_owned),
            body: response.body.into(),
        })
    }

    /// Builds an operation's request, sealing its sensitive fields with the
    /// newest WeChat Pay key, which the request then names in `Wechatpay-Serial`.
    fn build<O: Operation>(&self, operation: &O) -> Result<Request, Error> {
        let sealer = match self.inner.verifier.encryption_key() {
            Some((serial, key)) => Sealer::new(serial, key),
            None => Sealer::without_key(),
        };
        let mut request = operation.to_request(&sealer)?;
        request.wechatpay_serial = sealer.serial_used().map(str::to_owned);
        Ok(request)
    }

    /// The parameters a JSAPI page or mini-program passes to WeChat Pay for
    /// `prepay_id` (from a JSAPI or mini-program prepay for `app_id`), signed
    /// with the merchant's key: see [`payment`](crate::payment).
    pub fn jsapi_payment(&self, app_id: &str, prepay_id: &str) -> crate::payment::JsapiPayment {
        crate::payment::JsapiPayment::sign(&self.inner.credentials.key, app_id, prepay_id)
    }

    /// The parameters an app passes to the WeChat SDK for `prepay_id` (from
    /// an APP prepay for `app_id`), signed with the merchant's key.
    pub fn app_payment(&self, app_id: &str, prepay_id: &str) -> crate::payment::AppPayment {
        let credentials = &self.inner.credentials;
        crate::payment::AppPayment::sign(&credentials.key, app_id, &credentials.mchid, prepay_id)
    }

    /// Decrypts a sensitive response field with the merchant's private key.
    pub fn decrypt(
        &self,
        field: &crate::sensitive::Encrypted,
    ) -> Result<crate::sensitive::Sensitive, Error> {
        Ok(field.decrypt(&self.inner.credentials.key)?)
    }

    /// Signs, sends and verifies a request, retrying it when that is safe; the
    /// building block of [`Client::execute`] and of the untyped
    /// [`Client::request`].
    pub async fn send(&self, request: Request) -> Result<RawResponse, Error> {
        self.ensure_certificates()
            .await
            .map_err(|download| Error::Certificates(Box::new(download)))?;
        self.send_with_retries(&request).await
    }

    /// The one request path: sign, send, verify what must be verified, and retry
    /// what is safe to retry.
    async fn send_with_retries(&self, request: &Request) -> Result<RawResponse, Error> {
        self.with_retries(request, |backup| self.attempt(request, backup))
            .await
    }

    /// Runs `once` (one attempt at `request`, told whether to use the backup
    /// host) until it succeeds, fails for good, or may not be repeated.
    async fn with_retries<T: Answer, F: Future<Output = Result<T, Error>>>(
        &self,
        request: &Request,
        once: impl Fn(bool) -> F,
    ) -> Result<T, Error> {
        let span = tracing::info_span!(
            "wechatpay",
            method = %request.method,
            path = %request.path_template,
            request_id = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        async {
            let mut retry = 0;
            let mut backup = false;
            // Whether an attempt that failed may still have reached WeChat Pay.
            let mut reached = false;
            loop {
                let error = match once(backup).await {
                    Ok(answer) => {
                        let span = tracing::Span::current();
                        span.record("status", answer.status().as_u16());
                        if let Some(id) = answer.request_id() {
                            span.record("request_id", id);
                        }
                        return Ok(answer);
                    }
                    Err(error) => error,
                };
                // A request that never reached WeChat Pay is safe to send again.
                let safe = request.idempotent || error.never_sent();
                if !(error.is_retryable() && safe && retry < self.inner.retry.max_retries) {
                    if let Some(id) = error.request_id() {
                        tracing::Span::current().record("request_id", id);
                    }
                    tracing::debug!(%error, retry, "request failed");
                    // The last error alone would understate what may have
                    // happened: an earlier attempt may have taken effect.
                    if reached && !error.may_have_acted() {
                        return Err(Error::AfterRetries {
                            last: Box::new(error),
                            attempts: retry + 1,
                        });
                    }
                    return Err(error);
                }
                reached |= error.may_have_acted();
                retry += 1;
                // The main host cannot be reached: the documented backup may be.
                if self.inner.backup.is_some()
                    && matches!(error, Error::Transport(_) | Error::Timeout(_))
                {
                    backup = true;
                }
                let delay = self.inner.retry.backoff(retry);
                tracing::debug!(%error, retry, ?delay, "retrying");
                tokio::time::sleep(delay).await;
            }
        }
        .instrument(span)
        .await
    }

    /// The full URL of `request` and the part of it that is signed, on the
    /// backup host if `backup`.
    fn url_for(&self, request: &Request, backup: bool) -> (String, String) {
        let inner = &self.inner;
        let documented;
        let base = match request.base_uri {
            // Operations documented on another host go there (or where the
            // client maps that host), unless the client was pointed somewhere
            // else on purpose (the backup host, a sandbox).
            Some(uri) => match inner.hosts.get(uri.trim_end_matches('/')) {
                Some(mapped) => mapped,
                None if inner.base_is_default => {
                    documented = Base::parse(uri).unwrap_or_else(|_| inner.primary.clone());
                    &documented
                }
                None => &inner.primary,
            },
            None if backup => inner.backup.as_ref().unwrap_or(&inner.primary),
            None => &inner.primary,
        };
        let signed = format!("{}{}", base.path, request.path_and_query());
        let origin = base
            .url
            .strip_suffix(base.path.as_str())
            .unwrap_or(&base.url);
        (format!("{origin}{signed}"), signed)
    }

    /// Signs and sends `request` once; a success status comes back with its
    /// body unread, an error status as an [`ApiError`].
    async fn dispatch(&self, request: &Request, backup: bool) -> Result<reqwest::Response, Error> {
        if let Some(limiter) = &self.inner.rate_limiter {
            limiter.acquire().await;
        }
        let (full, signed_url) = self.url_for(request, backup);
        let url = match reqwest::Url::parse(&full) {
            Ok(url) => url,
            Err(e) => {
                let problem = format!("{full:?} does not parse: {e}");
                return Err(ConfigError::new(Setting::RequestUrl, problem).into());
            }
        };
        let sent = path_and_query(&url);
        if sent != signed_url {
            let problem = format!("would be sent as {sent:?} but signed as {signed_url:?}");
            return Err(ConfigError::new(Setting::RequestUrl, problem).into());
        }
        let timestamp = unix_now();
        let nonce = nonce();
        let authorization = self.inner.credentials.authorize(
            request.method.as_str(),
            &signed_url,
            timestamp,
            &nonce,
            request.body.signed_bytes(),
        );
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .header(header::AUTHORIZATION, authorization)
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, &self.inner.user_agent);
        let serial = match &request.wechatpay_serial {
            Some(serial) => Some(serial.clone()),
            None => self.inner.verifier.preferred_serial(),
        };
        if let Some(serial) = serial {
            builder = builder.header(wx::SERIAL, serial);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_ref(), value);
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Multipart {
                meta,
                file_field,
                file,
            } => {
                let meta_part = reqwest::multipart::Part::bytes(meta.clone())
                    .mime_str("application/json")
                    .expect("a valid media type");
                builder.multipart(
                    reqwest::multipart::Form::new()
                        .part("meta", meta_part)
                        .part(file_field.clone(), file.to_part().await?),
                )
            }
        };
        let response = builder.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if !status.is_success() || status == StatusCode::ACCEPTED {
            let request_id = wx::request_id(response.headers()).map(str::to_owned);
            let body = response
                .bytes()
                .await
                .map_err(|e| self.transport_error(e))?;
            return Err(Error::Api(Box::new(ApiError::from_response(
                status, request_id, body,
            ))));
        }
        Ok(response)
    }

    /// One attempt: sent, read whole, and verified unless the request says
    /// its answer is unsigned.
    async fn attempt(&self, request: &Request, backup: bool) -> Result<RawResponse, Error> {
        let response = self.dispatch(request, backup).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        if self.inner.verify_responses
            && request.signed_response
            && let Err(source) = self.verify(&headers, &body).await
        {
            return Err(Error::Signature {
                source,
                request_id: wx::request_id(&headers).map(str::to_owned),
                status,
            });
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends an operation whose answer is a file (`文件流`) and returns the
    /// download as it arrives, to be saved or written with its digest checked.
    /// The generated methods of file downloads end here.
    pub async fn download<O: Operation>(&self, operation: &O) -> Result<Download, Error> {
        if self.inner.validate_requests {
            operation.validate()?;
        }
        // The answer is unsigned, but a sensitive field needs a current key.
        self.ensure_certificates()
            .await
            .map_err(|download| Error::Certificates(Box::new(download)))?;
        let mut request = self.build(operation)?;
        request.signed_response = false;
        self.open_download(request).await
    }

    /// Downloads from a link an API returned (a bill apply's `download_url`).
    /// The link's path and query are signed and sent to this client's host,
    /// so a sandbox or the backup host serves it like any other request.
    pub async fn download_url(&self, url: &str) -> Result<Download, Error> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| ConfigError::new(Setting::DownloadLink, format!("{url:?}: {e}")))?;
        let mut request = Request::new(
            Method::GET,
            parsed.path().to_owned(),
            path_and_query(&parsed),
        );
        request.signed_response = false;
        self.open_download(request).await
    }

    async fn open_download(&self, request: Request) -> Result<Download, Error> {
        let (full, _) = self.url_for(&request, false);
        let gzip = reqwest::Url::parse(&full).is_ok_and(|url| crate::download::asks_for_gzip(&url));
        let request = &request;
        self.with_retries(request, |backup| async move {
            let response = self.dispatch(request, backup).await?;
            Ok(Download::new(response, gzip))
        })
        .await
    }

    fn transport_error(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout(self.inner.timeout)
        } else {
            Error::Transport(Box::new(error))
        }
    }

    /// The keys responses and notifications are verified with.
    /// The id of the WeChat Pay key answers are verified with: the public
    /// key id, else the serial of the newest platform certificate (`None`
    /// until the certificates are downloaded). It names the server the
    /// client talks to: a different WeChat Pay (a restarted sandbox) signs
    /// with another key.
    pub fn verifying_key_id(&self) -> Option<String> {
        self.inner.verifier.preferred_serial()
    }

    pub(crate) fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// Verifies signed bytes (a response or a notification) with the client's
    /// keys, downloading the platform certificates again when a serial is
    /// unknown. Always verifies: `danger_accept_unverified_responses` is
    /// checked by the caller, for responses only.
    pub(crate) async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        match self.inner.verifier.verify(headers, body, unix_now()) {
            Err(SignatureError::UnknownSerial(serial))
                if self.inner.verifier.platform().is_some() =>
            {
                // A new platform certificate may have been issued since the last download.
                if self
                    .refresh_certificates(Duration::from_secs(60))
                    .await
                    .is_err()
                {
                    return Err(SignatureError::UnknownSerial(serial));
                }
                self.inner.verifier.verify(headers, body, unix_now())
            }
            other => other,
        }
    }

    async fn ensure_certificates(&self) -> Result<(), Error> {
        match self.inner.verifier.platform() {
            Some(platform) if self.inner.verify_responses && platform.needs_refresh() => {
                self.refresh_certificates(Duration::ZERO).await
            }
            _ => Ok(()),
        }
    }

    /// Downloads the platform certificates now (at most once per `min_interval`).
    pub async fn refresh_certificates(&self, min_interval: Duration) -> Result<(), Error> {
        let Some(platform) = self.inner.verifier.platform() else {
            return Ok(());
        };
        let _guard = self.inner.certificate_refresh.lock().await;
        if !min_interval.is_zero() && platform.refreshed_within(min_interval) {
            return Ok(());
        }
        if min_interval.is_zero() && !platform.needs_refresh() {
            return Ok(());
        }
        // The download verifies itself with the certificates it carries
        // (`install`), so the client does not verify it with the ones it lacks.
        let mut request = Request::new(
            Method::GET,
            "/v3/certificates",
            "/v3/certificates".to_owned(),
        );
        request.signed_response = false;
        // Boxed: verifying an answer may refresh the certificates, which sends a request.
        let RawResponse { headers, body, .. } = Box::pin(self.send_with_retries(&request)).await?;
        let count = platform.install(&headers, &body, unix_now())?;
        tracing::info!(count, "platform certificates downloaded");
        Ok(())
    }
}
