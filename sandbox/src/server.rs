//! The HTTP side: checks every request the way WeChat Pay does, routes it to the
//! business rules, signs every answer, and misbehaves when a fault says so.
//!
//! hyper serves the connections directly (rather than through `axum::serve`) so
//! that a fault can close a connection without an answer or cut an answer short.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use bytes::Bytes;
use futures_util::stream;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::{Value, json};
use tower::ServiceExt;
use wechatpay_runtime::PrivateKey;
use wechatpay_runtime::sign::{Authorization, SCHEME, nonce, request_message, response_message};
use wechatpay_runtime::verify::headers as wx;

use crate::bills::Bills;
use crate::control::control;
use crate::faults::{Fault, FaultPlan, FaultState, fingerprint};
use crate::keys::Keys;
use crate::media::{Form, MediaStore};
use crate::notify::{Notifier, NotifyConfig};
use crate::receivers::Receivers;
use crate::routes::api_router;
use crate::store::{Reply, Store};

/// Which key signs answers when the request does not name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningMode {
    /// The WeChat Pay public key (`PUB_KEY_ID_...`).
    #[default]
    PublicKey,
    /// The platform certificate.
    PlatformCertificate,
}

/// Counters, for tests and the stats endpoint.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Requests received on the API paths.
    pub requests: u64,
    /// Requests rejected before the business rules (signature, headers).
    pub rejected: u64,
    /// Upload requests that reached the business rules.
    pub uploads: u64,
    /// Upload answers replayed for a repeated `upload_request_no`.
    pub upload_replays: u64,
}

/// Whether the sandbox signs, and with which key by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signing {
    /// Requests' signatures are checked and answers signed, by default with
    /// this key.
    On(SigningMode),
    /// Neither (`SandboxConfig::unsigned`): the transport floor of the benchmarks.
    Off,
}

pub(crate) struct Shared {
    pub(crate) keys: Keys,
    pub(crate) signing: Signing,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: FaultState,
    pub(crate) stats: Mutex<Stats>,
    /// Nonces seen in the last five minutes: a replayed request is rejected.
    nonces: Mutex<RecentNonces>,
    pub(crate) notifier: Notifier,
    /// Profit-sharing receivers (the operation with a sensitive field).
    pub(crate) receivers: Mutex<Receivers>,
    /// Uploaded media (the multipart upload).
    pub(crate) media: Mutex<MediaStore>,
    /// Bills applied for (the file download).
    pub(crate) bills: Mutex<Bills>,
    /// Orders and refunds.
    pub(crate) payments: Mutex<crate::payments::Payments>,
    router: Router,
}

/// A `Request-ID` as WeChat Pay writes them.
pub(crate) fn request_id() -> String {
    format!("08{:030X}", rand::random::<u128>() >> 8)
}

/// A random 12-character AES-GCM nonce.
pub(crate) fn aead_nonce() -> String {
    nonce().chars().take(12).collect()
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

type ResponseBody = BoxBody<Bytes, io::Error>;

/// Nonces by when they were seen, oldest first.
#[derive(Default)]
struct RecentNonces {
    seen: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

/// Closes the connection without an answer (a fault).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

impl Shared {
    pub(crate) fn new(
        keys: Keys,
        signing: Signing,
        store: Store,
        plan: FaultPlan,
        notify: NotifyConfig,
    ) -> Arc<Self> {
        let faults = FaultState::default();
        faults.set_plan(plan);
        Arc::new_cyclic(|weak: &std::sync::Weak<Shared>| {
            let state = weak.clone();
            Shared {
                keys,
                signing,
                store: Mutex::new(store),
                faults,
                stats: Mutex::new(Stats::default()),
                nonces: Mutex::new(RecentNonces::default()),
                notifier: Notifier::new(notify),
                receivers: Mutex::new(Receivers::default()),
                media: Mutex::new(MediaStore::default()),
                bills: Mutex::new(Bills::default()),
                payments: Mutex::new(crate::payments::Payments::default()),
                router: api_router(state),
            }
        })
    }
}

fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A JSON answer sent as it is, unsigned (the control plane, refusals before
/// the request is read).
fn unsigned_json(status: StatusCode, body: &Value) -> Response<ResponseBody> {
    let (status, headers, bytes) = json_response(status, body);
    let mut response = Response::new(full(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn json_response(status: StatusCode, body: &Value) -> (StatusCode, HeaderMap, Bytes) {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (status, headers, Bytes::from(body.to_string()))
}

/// WeChat Pay's checks of an incoming request, with its answers when they fail.
fn check_request(
    shared: &Shared,
    method: &Method,
    uri: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Reply> {
    let sign_error = |issue: &str| Reply {
        status: 401,
        body: json!({
            "code": "SIGN_ERROR",
            "message": "签名错误",
            "detail": {"detail": {"issue": issue}},
        }),
    };
    if headers.get(header::USER_AGENT).is_none() {
        return Err(Reply::error(400, "INVALID_REQUEST", "请求头缺少User-Agent"));
    }
    if headers.get(header::ACCEPT).is_none() {
        return Err(Reply::error(400, "INVALID_REQUEST", "请求头缺少Accept"));
    }
    if !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type.starts_with("application/json")
            && !content_type.starts_with("multipart/form-data")
        {
            return Err(Reply::error(
                400,
                "INVALID_REQUEST",
                "Content-Type必须为application/json或multipart/form-data",
            ));
        }
    }
    if shared.signing == Signing::Off {
        return Ok(());
    }
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(sign_error("missing Authorization header"));
    };
    let Some(auth) = Authorization::parse(value) else {
        return Err(sign_error(&format!(
            "Authorization is not `{SCHEME} mchid=\"...\",...`"
        )));
    };
    if auth.mchid != shared.keys.mchid {
        return Err(sign_error("unknown mchid"));
    }
    if auth.serial_no != shared.keys.merchant_serial {
        return Err(sign_error(
            "serial_no is not the merchant certificate serial",
        ));
    }
    let Ok(timestamp) = auth.timestamp.parse::<i64>() else {
        return Err(sign_error("timestamp is not a number"));
    };
    let now = now();
    if (now - timestamp).abs() > 300 {
        return Err(sign_error("timestamp is more than 5 minutes away from now"));
    }
    let message = request_message(method.as_str(), uri, timestamp, &auth.nonce_str, body);
    if shared
        .keys
        .merchant_key
        .public_key()
        .verify(&message, &auth.signature)
        .is_err()
    {
        return Err(sign_error("signature does not match the request"));
    }
    let mut nonces = shared.nonces.lock().expect("lock");
    while nonces.order.front().is_some_and(|(at, _)| now - at > 300) {
        if let Some((_, old)) = nonces.order.pop_front() {
            nonces.seen.remove(&old);
        }
    }
    if nonces.seen.insert(auth.nonce_str.clone(), now).is_some() {
        return Err(sign_error("nonce_str was already used"));
    }
    nonces.order.push_back((now, auth.nonce_str));
    Ok(())
}

/// The key that signs an answer: the one the request asked for, else the default.
fn signer<'a>(shared: &'a Shared, headers: &HeaderMap, path: &str) -> (&'a str, &'a PrivateKey) {
    let keys = &shared.keys;
    // The certificate download verifies itself with the certificates it carries.
    if path == "/v3/certificates" {
        return (&keys.certificate.serial, &keys.certificate.key);
    }
    headers
        .get(wx::SERIAL)
        .and_then(|v| v.to_str().ok())
        .and_then(|serial| keys.wechatpay_key(serial))
        .unwrap_or_else(|| shared.default_signer())
}

impl Shared {
    /// The key that signs what no request asked about (notifications; an
    /// unsigned sandbox still signs those, which no benchmark sends).
    pub(crate) fn default_signer(&self) -> (&str, &PrivateKey) {
        let keys = &self.keys;
        match self.signing {
            Signing::On(SigningMode::PublicKey) | Signing::Off => {
                (&keys.public_key_id, &keys.public_key_signer)
            }
            Signing::On(SigningMode::PlatformCertificate) => {
                (&keys.certificate.serial, &keys.certificate.key)
            }
        }
    }
}

pub(crate) fn sign(
    headers: &mut HeaderMap,
    serial: &str,
    key: &PrivateKey,
    body: &[u8],
    timestamp: i64,
) {
    let nonce = nonce();
    let timestamp = timestamp.to_string();
    let signature = key.sign(&response_message(&timestamp, &nonce, body));
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(wx::TIMESTAMP, &timestamp);
    set(wx::NONCE, &nonce);
    set(wx::SIGNATURE, &signature);
    set(wx::SERIAL, serial);
    set(wx::SIGNATURE_TYPE, SCHEME);
}

/// A bill download: streamed as it is made, and unsigned, as WeChat Pay's are
/// (the bill apply's digest vouches for it).
fn download(shared: &Shared, query: Option<&str>, request_id: &str) -> Response<ResponseBody> {
    let query: HashMap<String, String> = query.map(url_pairs).unwrap_or_default();
    let outcome = shared.bills.lock().expect("lock").download(&query);
    let mut response = match outcome {
        Ok((length, chunks)) => {
            let frames = stream::iter(chunks.map(|chunk| Ok(Frame::data(chunk))));
            let mut response = Response::new(StreamBody::new(frames).boxed());
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            if let Some(length) = length {
                headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            }
            response
        }
        Err(refusal) => {
            let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
            unsigned_json(status, &refusal.body)
        }
    };
    if let Ok(id) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(wx::REQUEST_ID, id);
    }
    response
}

/// The pairs of a query string, percent-decoded.
fn url_pairs(query: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://sandbox/?{query}"))
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// One request, start to finish.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Dropped> {
    let (mut parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    // A multipart upload is signed over its `meta` part, not over the body.
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut signed = body.clone();
    if content_type.starts_with("multipart/form-data") {
        match Form::parse(&content_type, body.clone()).await {
            Ok(form) => {
                signed = form
                    .part("meta")
                    .map(|meta| meta.bytes.clone())
                    .unwrap_or_default();
                parts.extensions.insert(Arc::new(form));
            }
            Err(problem) => {
                return Ok(unsigned_json(
                    StatusCode::BAD_REQUEST,
                    &json!({"code": "INVALID_REQUEST", "message": format!("multipart/form-data: {problem}")}),
                ));
            }
        }
    }
    let uri = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| parts.uri.path().to_owned());
    let path = parts.uri.path().to_owned();

    if path.starts_with("/sandbox/") {
        let (status, value) = control(&shared, &parts.method, &path, &body).await;
        return Ok(unsigned_json(status, &value));
    }
    shared.stats.lock().expect("lock").requests += 1;
    let request_id = request_id();
    let fault = shared
        .faults
        .decide(&path, fingerprint(parts.method.as_str(), &uri, &body));
    let plan = shared.faults.plan();
    tracing::debug!(method = %parts.method, %uri, ?fault, "sandbox request");

    // Faults before the request is handled: nothing changes on the server.
    let early: Option<(StatusCode, &str, Option<Value>)> = match fault {
        Some(Fault::DropBeforeHandling) => return Err(Dropped),
        Some(Fault::Delay) => {
            tokio::time::sleep(plan.delay).await;
            None
        }
        Some(Fault::ServerError) => Some((
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            Some(json!({"code": "SYSTEM_ERROR", "message": "系统错误"})),
        )),
        Some(Fault::Unavailable) => Some((
            StatusCode::SERVICE_UNAVAILABLE,
            "",
            Some(json!({"code": "SYSTEM_ERROR", "message": "服务暂不可用"})),
        )),
        Some(Fault::RateLimited) => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "",
            Some(json!({"code": "FREQUENCY_LIMITED", "message": "频率超限"})),
        )),
        Some(Fault::Accepted) => Some((
            StatusCode::ACCEPTED,
            "",
            Some(json!({"code": "ACCEPTED", "message": "请求已受理，请使用原参数重试"})),
        )),
        Some(Fault::BadGatewayHtml) => Some((
            StatusCode::BAD_GATEWAY,
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
            None,
        )),
        _ => None,
    };
    let mut headers = HeaderMap::new();
    let (status, bytes) = if let Some((status, html, json_body)) = early {
        match json_body {
            Some(value) => {
                let (_, h, bytes) = json_response(status, &value);
                headers = h;
                (status, bytes)
            }
            None => {
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
                (status, Bytes::from_static(html.as_bytes()))
            }
        }
    } else if let Err(rejection) =
        check_request(&shared, &parts.method, &uri, &parts.headers, &signed)
    {
        shared.stats.lock().expect("lock").rejected += 1;
        let (status, h, bytes) = json_response(
            StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::BAD_REQUEST),
            &rejection.body,
        );
        headers = h;
        (status, bytes)
    } else if parts.method == Method::GET && path == "/v3/billdownload/file" {
        return Ok(download(&shared, parts.uri.query(), &request_id));
    } else {
        if parts.method == Method::POST && path.ends_with("/couponcodes") {
            shared.stats.lock().expect("lock").uploads += 1;
        }
        let routed = Request::from_parts(parts.clone(), axum::body::Body::from(body.clone()));
        let response = shared
            .router
            .clone()
            .oneshot(routed)
            .await
            .unwrap_or_else(|never| match never {});
        let (response_parts, response_body) = response.into_parts();
        let bytes = response_body
            .collect()
            .await
            .map_err(|_| Dropped)?
            .to_bytes();
        headers = response_parts.headers;
        (response_parts.status, bytes)
    };
    {
        let store = shared.store.lock().expect("lock");
        let mut stats = shared.stats.lock().expect("lock");
        stats.upload_replays = store.upload_replays_served;
    }

    // Faults after the request was handled: the server's state already changed.
    if fault == Some(Fault::DropAfterHandling) {
        return Err(Dropped);
    }
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        headers.insert(wx::REQUEST_ID, id);
    }
    // A proxy's HTML page is not signed; WeChat Pay signs everything else.
    let unsigned = matches!(fault, Some(Fault::BadGatewayHtml | Fault::Unsigned));
    if !unsigned && shared.signing != Signing::Off {
        let (serial, key) = signer(&shared, &parts.headers, &path);
        let timestamp = if fault == Some(Fault::StaleTimestamp) {
            now() - 600
        } else {
            now()
        };
        sign(&mut headers, serial, key, &bytes, timestamp);
    }
    let bytes = match fault {
        Some(Fault::TamperedBody) => {
            let mut altered = bytes.to_vec();
            match altered.iter().position(|b| b.is_ascii_digit()) {
                Some(at) => {
                    altered[at] = if altered[at] == b'9' {
                        b'8'
                    } else {
                        altered[at] + 1
                    }
                }
                None => altered.extend_from_slice(b" "),
            }
            Bytes::from(altered)
        }
        _ => bytes,
    };
    if fault == Some(Fault::ProbeSignature) {
        headers.insert(
            wx::SIGNATURE,
            HeaderValue::from_static("WECHATPAY/SIGNTEST/ZbxBQ1pKzwmG6vbGp0ge3bF4vWygEHMTjU0sBGjDLoh/ef0+oyDtf+j1sxThqSP3"),
        );
    }
    let body = if fault == Some(Fault::TruncatedResponse) && bytes.len() > 1 {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        let half = bytes.slice(..bytes.len() / 2);
        let frames = vec![
            Ok(Frame::data(half)),
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "response cut short on purpose",
            )),
        ];
        StreamBody::new(stream::iter(frames)).boxed()
    } else {
        full(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}
