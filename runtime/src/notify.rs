//! Notifications (回调通知): WeChat Pay's POSTs to the merchant's notify URL.
//!
//! A notification is signed like a response (`TIMESTAMP\nNONCE\nBODY\n` over the
//! raw body, the key named by `Wechatpay-Serial`, a five-minute window) and its
//! business data is `AEAD_AES_256_GCM`-encrypted under the APIv3 key.
//! [`NotificationParser::parse`] takes the raw headers and the raw body bytes
//! and does every step in order: signature, envelope, decryption, decoding. Each
//! step fails with its own [`NotificationError`] variant, and none of them
//! carries the APIv3 key or any decrypted byte, so errors can be logged as they
//! are. [`respond`] turns the outcome into the answer WeChat Pay expects.
//!
//! ```no_run
//! use wechatpay_runtime::notify::{NotificationParser, respond};
//! use wechatpay_runtime::PublicKey;
//! use wechatpay_runtime::verify::Verifier;
//!
//! # async fn example(headers: http::HeaderMap, body: bytes::Bytes) -> Result<(), wechatpay_runtime::Error> {
//! let verifier = Verifier::new()
//!     .with_public_key("PUB_KEY_ID_0000", PublicKey::from_pem_file("pub_key.pem")?);
//! let parser = NotificationParser::new(verifier, b"an APIv3 key of 32 bytes 0123456")?;
//! let answer = match parser.parse::<serde_json::Value>(&headers, &body).await {
//!     // Acknowledge only once the event is stored: WeChat Pay sends it again otherwise.
//!     Ok(notification) => respond(store(&notification.id, &notification.resource).await),
//!     Err(error) => respond(Err(error)),
//! };
//! # let _ = answer; Ok(()) }
//! # async fn store(_: &str, _: &serde_json::Value) -> Result<(), std::io::Error> { Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
pub use http::HeaderMap;
use http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::aead;
use crate::client::Client;
use crate::config::{ConfigError, apiv3_key};
use crate::decode::DecodeError;
use crate::sign::unix_now;
use crate::signature::SignatureError;
use crate::verify::Verifier;

/// A verified, decrypted notification.
#[derive(Clone, PartialEq)]
pub struct Notification<T> {
    /// The notification's id: the same event sent twice has the same id, so
    /// this is the key to deduplicate by.
    pub id: String,
    /// When WeChat Pay created it (RFC 3339).
    pub create_time: String,
    /// `COUPON.SEND`, `TRANSACTION.SUCCESS`, ...
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// The page's summary of the event (`商家券发券通知`, ...).
    pub summary: String,
    /// The decrypted resource's documented type (`busifavor`, `transaction`, ...).
    pub original_type: String,
    /// The decrypted resource, decoded.
    pub resource: T,
}

impl Notification<Value> {
    /// Decodes the resource as `T` (generated event types call this once the
    /// event type is known). When it does not decode, the notification comes
    /// back whole, with where and why: a verified notification is never lost
    /// to a type that is stricter than what WeChat Pay sent.
    pub fn decode<T: DeserializeOwned>(self) -> Result<Notification<T>, Box<Undecoded>> {
        let Notification {
            id,
            create_time,
            event_type,
            resource_type,
            summary,
            original_type,
            resource,
        } = self;
        match crate::decode::decode_value::<T>(&resource) {
            Ok(resource) => Ok(Notification {
                id,
                create_time,
                event_type,
                resource_type,
                summary,
                original_type,
                resource,
            }),
            Err(error) => Err(Box::new(Undecoded {
                notification: Notification {
                    id,
                    create_time,
                    event_type,
                    resource_type,
                    summary,
                    original_type,
                    resource,
                },
                error,
            })),
        }
    }
}

/// A verified, decrypted notification whose resource is not the type it was
/// decoded as: its JSON as WeChat Pay sent it, and where and why the type did
/// not fit. It is as genuine as any other notification (a payment, say), so
/// it reaches the handler instead of being refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecoded {
    /// The notification, its resource as JSON.
    pub notification: Notification<Value>,
    /// Where and why the resource did not decode (types only, no values).
    pub error: DecodeError,
}

/// What a receiver ([`receive`], [`NotificationService`]) hands its handler
/// for each verified, decrypted notification. Building it cannot fail, so
/// every genuine notification reaches the handler: the JSON itself
/// (`Notification<Value>`), a typed resource or the JSON with the reason it
/// did not decode (`Result<Notification<T>, Box<Undecoded>>`), or the
/// generated `events::Event`, which routes by event type.
pub trait FromNotification: Sized {
    /// The value for a verified, decrypted notification.
    fn from_notification(notification: Notification<Value>) -> Self;
}

impl FromNotification for Notification<Value> {
    fn from_notification(notification: Notification<Value>) -> Self {
        notification
    }
}

impl<T: DeserializeOwned> FromNotification for Result<Notification<T>, Box<Undecoded>> {
    fn from_notification(notification: Notification<Value>) -> Self {
        notification.decode()
    }
}

// The resource is business data (openids, amounts, codes): it stays out of
// `Debug`, so that logging a notification never logs what it carries.
impl<T> fmt::Debug for Notification<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("create_time", &self.create_time)
            .field("event_type", &self.event_type)
            .field("original_type", &self.original_type)
            .field("resource", &"<decrypted, not shown>")
            .finish()
    }
}

/// Why a notification was refused, by the step that refused it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationError {
    /// The signature headers are missing or wrong, the timestamp is outside the
    /// five-minute window, the serial names no known key, or the signature does
    /// not match the body (a changed body, or a `WECHATPAY/SIGNTEST/` probe).
    #[error("the notification's signature does not verify: {0}")]
    Signature(#[source] SignatureError),
    /// The body verified but is not the documented envelope (where and why,
    /// no values).
    #[error("the notification body is not the documented envelope {0}")]
    Envelope(DecodeError),
    /// The resource names an algorithm other than `AEAD_AES_256_GCM`.
    #[error("the notification's resource uses unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The resource does not decrypt: another APIv3 key, or a ciphertext,
    /// nonce or associated data changed or cut short.
    #[error("the notification's resource does not decrypt: {0}")]
    Decrypt(aead::AeadError),
    /// The decrypted resource is not the type [`NotificationParser::parse`]
    /// was asked for. Says where, and what kind of mismatch, without quoting
    /// the decrypted data. Receivers never refuse for this: they hand the
    /// notification to the handler (see [`FromNotification`]).
    #[error("the decrypted {event_type} resource does not decode {error}")]
    Decode {
        /// The envelope's `event_type`.
        event_type: String,
        /// Where and why.
        error: DecodeError,
    },
}

impl NotificationError {
    /// The HTTP status to answer with: 401 for a notification that is not
    /// WeChat Pay's (signature), 400 for one that cannot be read, 500 for one
    /// that the type asked of [`NotificationParser::parse`] cannot decode
    /// (WeChat Pay sends it again). Receivers built on [`receive`] never
    /// answer the last: they hand such a notification to the handler.
    pub fn status(&self) -> StatusCode {
        match self {
            NotificationError::Signature(_) => StatusCode::UNAUTHORIZED,
            NotificationError::Decode { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The documented envelope: everything but the resource is plain text.
#[derive(Deserialize)]
struct Envelope {
    id: String,
    create_time: String,
    event_type: String,
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    summary: String,
    resource: EncryptedResource,
}

#[derive(Deserialize)]
struct EncryptedResource {
    #[serde(default)]
    original_type: String,
    algorithm: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: Option<String>,
    nonce: String,
}

/// Where the signature keys come from.
enum Keys {
    Verifier(Arc<Verifier>),
    /// A client's keys: in certificate mode, an unknown serial makes it
    /// download the platform certificates again (at most once a minute).
    Client(Client),
}

/// Verifies, decrypts and decodes notifications. Cheap to clone.
#[derive(Clone)]
pub struct NotificationParser {
    keys: Arc<Keys>,
    apiv3_key: Arc<[u8; 32]>,
}

impl fmt::Debug for NotificationParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = match &*self.keys {
            Keys::Verifier(verifier) => format!("{verifier:?}"),
            Keys::Client(client) => format!("the keys of {client:?}"),
        };
        f.debug_struct("NotificationParser")
            .field("keys", &keys)
            .field("apiv3_key", &"<redacted>")
            .finish()
    }
}

impl NotificationParser {
    /// A parser that verifies with `verifier`'s keys and decrypts with the
    /// 32-byte APIv3 key.
    pub fn new(verifier: impl Into<Arc<Verifier>>, apiv3_key: &[u8]) -> Result<Self, ConfigError> {
        Ok(NotificationParser {
            keys: Arc::new(Keys::Verifier(verifier.into())),
            apiv3_key: Arc::new(self::apiv3_key(apiv3_key)?),
        })
    }

    /// A parser that verifies with `client`'s keys (both modes, with its
    /// certificate refreshes) and decrypts with the 32-byte APIv3 key.
    pub fn for_client(client: &Client, apiv3_key: &[u8]) -> Result<Self, ConfigError> {
        Ok(NotificationParser {
            keys: Arc::new(Keys::Client(client.clone())),
            apiv3_key: Arc::new(self::apiv3_key(apiv3_key)?),
        })
    }

    /// Verifies, decrypts and decodes a notification, checking its timestamp
    /// against the local clock.
    pub async fn parse<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<T>, NotificationError> {
        match &*self.keys {
            Keys::Verifier(verifier) => verifier.verify(headers, body, unix_now()),
            Keys::Client(client) => client.verify(headers, body).await,
        }
        .map_err(NotificationError::Signature)?;
        self.open(body)
    }

    /// [`parse`](Self::parse) at Unix time `now`, with the parser's own keys
    /// only (for tests and replays of stored notifications).
    pub fn parse_at<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Notification<T>, NotificationError> {
        match &*self.keys {
            Keys::Verifier(verifier) => verifier.verify(headers, body, now),
            Keys::Client(client) => client.verifier().verify(headers, body, now),
        }
        .map_err(NotificationError::Signature)?;
        self.open(body)
    }

    /// Everything after the signature: envelope, decryption, decoding.
    fn open<T: DeserializeOwned>(&self, body: &[u8]) -> Result<Notification<T>, NotificationError> {
        let envelope: Envelope =
            crate::decode::decode_json(body).map_err(NotificationError::Envelope)?;
        let resource = &envelope.resource;
        if resource.algorithm != aead::ALGORITHM {
            return Err(NotificationError::UnsupportedAlgorithm(
                resource.algorithm.clone(),
            ));
        }
        let plaintext = aead::decrypt(
            &self.apiv3_key[..],
            &resource.nonce,
            resource.associated_data.as_deref().unwrap_or(""),
            &resource.ciphertext,
        )
        .map_err(NotificationError::Decrypt)?;
        let decoded =
            crate::decode::decode_json(&plaintext).map_err(|error| NotificationError::Decode {
                event_type: envelope.event_type.clone(),
                error,
            })?;
        Ok(Notification {
            id: envelope.id,
            create_time: envelope.create_time,
            event_type: envelope.event_type,
            resource_type: envelope.resource_type,
            summary: envelope.summary,
            original_type: envelope.resource.original_type,
            resource: decoded,
        })
    }
}

/// The answer WeChat Pay expects (each notification page's `应答规范`):
/// `204 No Content` once the event is handled, or a 4xx/5xx with
/// `{"code":"FAIL","message":...}`, after which WeChat Pay sends it again.
/// Pass the handler's outcome, or the parser's error.
pub fn respond<E: fmt::Display>(outcome: Result<(), E>) -> http::Response<Bytes> {
    respond_with(outcome.map_err(|error| (StatusCode::INTERNAL_SERVER_ERROR, error.to_string())))
}

/// [`respond`] for a parser error, with the status that fits the step that
/// failed ([`NotificationError::status`]).
pub fn refuse(error: &NotificationError) -> http::Response<Bytes> {
    respond_with(Err((error.status(), error.to_string())))
}

fn respond_with(outcome: Result<(), (StatusCode, String)>) -> http::Response<Bytes> {
    let (status, body) = match outcome {
        Ok(()) => (StatusCode::NO_CONTENT, Bytes::new()),
        Err((status, message)) => {
            let body = serde_json::json!({ "code": "FAIL", "message": message });
            (status, Bytes::from(body.to_string()))
        }
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    if status != StatusCode::NO_CONTENT {
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
    }
    response
}

/// A whole receiver over `http` types, for any server framework: parses the
/// request, hands a verified notification to `handle` as `R` (see
/// [`FromNotification`]: every verified notification reaches it, whatever its
/// resource holds), and answers success
/// only if `handle` returns `Ok` — so a handler that stores the event before
/// returning acknowledges only what it has durably handled. WeChat Pay sends
/// the same notification again after a failure, and sometimes after a
/// success: deduplicate by [`Notification::id`].
pub async fn receive<R, F, Fut, E>(
    parser: &NotificationParser,
    request: http::Request<Bytes>,
    handle: F,
) -> http::Response<Bytes>
where
    R: FromNotification,
    F: FnOnce(R) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    if request.method() != http::Method::POST {
        return respond_with(Err((
            StatusCode::METHOD_NOT_ALLOWED,
            "notifications are POSTed".into(),
        )));
    }
    let (parts, body) = request.into_parts();
    match parser.parse::<Value>(&parts.headers, &body).await {
        Ok(notification) => {
            let id = notification.id.clone();
            let outcome = handle(R::from_notification(notification)).await;
            if let Err(error) = &outcome {
                tracing::warn!(id = %id, %error, "notification not handled; WeChat Pay will send it again");
            }
            respond(outcome)
        }
        Err(error) => {
            tracing::warn!(%error, "notification refused");
            refuse(&error)
        }
    }
}

/// A `tower::Service` receiving notifications (feature `receiver`): mount it
/// on any tower-based server, e.g. `axum::Router::new().route_service("/notify",
/// NotificationService::new(parser, handler))`. Each request goes through
/// [`receive`]: the handler runs only for verified notifications, and WeChat
/// Pay is told "handled" only when it returns `Ok`.
#[cfg(feature = "receiver")]
pub struct NotificationService<T, H> {
    parser: NotificationParser,
    handler: H,
    limit: usize,
    _event: std::marker::PhantomData<fn() -> T>,
}

#[cfg(feature = "receiver")]
impl<T, H: Clone> Clone for NotificationService<T, H> {
    fn clone(&self) -> Self {
        NotificationService {
            parser: self.parser.clone(),
            handler: self.handler.clone(),
            limit: self.limit,
            _event: std::marker::PhantomData,
        }
    }
}

#[cfg(feature = "receiver")]
impl<T, H> fmt::Debug for NotificationService<T, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationService")
            .field("parser", &self.parser)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "receiver")]
impl<T, H> NotificationService<T, H> {
    /// A service that hands each verified notification to `handler`. Bodies
    /// over 1 MiB are refused (notifications are a few KiB).
    pub fn new(parser: NotificationParser, handler: H) -> Self {
        NotificationService {
            parser,
            handler,
            limit: 1 << 20,
            _event: std::marker::PhantomData,
        }
    }
}

#[cfg(feature = "receiver")]
impl<T, H, Fut, E, B> tower::Service<http::Request<B>> for NotificationService<T, H>
where
    T: FromNotification + Send + 'static,
    H: Fn(T) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<http_body_util::Full<Bytes>>;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<Self::Response, std::convert::Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        use http_body_util::BodyExt;
        let service = self.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = match http_body_util::Limited::new(body, service.limit)
                .collect()
                .await
            {
                Ok(collected) => collected.to_bytes(),
                Err(error) => {
                    let answer = respond_with(Err((
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("the body could not be read: {error}"),
                    )));
                    return Ok(answer.map(http_body_util::Full::new));
                }
            };
            let request = http::Request::from_parts(parts, body);
            let answer = receive(&service.parser, request, service.handler).await;
            Ok(answer.map(http_body_util::Full::new))
        })
    }
}
