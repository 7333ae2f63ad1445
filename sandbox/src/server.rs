//! The HTTP side, the top layer: reads each request, sends `/sandbox/...` to
//! the control plane's router, has every other request checked by the
//! protocol layer (`protocol`), routes it to the business rules (`routes`,
//! an axum router), signs the answer, and misbehaves when a fault says so.
//! Layers, arrows one way: `server` -> `control` -> `routes` -> `notify` ->
//! `protocol` -> `state` (with `store`, `payments`, `media`, ... below it).
//!
//! hyper serves the connections directly (rather than through `axum::serve`) so
//! that a fault can close a connection without an answer or cut an answer short.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::sync::Arc;

use axum::Router;
use bytes::Bytes;
use futures_util::stream;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::{Value, json};
use tower::ServiceExt;
use wechatpay_runtime::verify::headers as wx;

use crate::control::control_router;
use crate::faults::{Fault, fingerprint};
use crate::media::Form;
use crate::protocol::{check_request, sign, signer};
use crate::routes::api_router;
use crate::state::{Shared, Signing, now, request_id};

/// Where requests go once read: the business routes, whose answers are
/// signed, and the control plane (`/sandbox/...`), unsigned and never
/// faulted. Both are axum routers over the sandbox's state.
#[derive(Clone)]
pub(crate) struct Routers {
    api: Router,
    control: Router,
}

impl Routers {
    pub(crate) fn new(shared: &Arc<Shared>) -> Self {
        Routers {
            api: api_router(shared.clone()),
            control: control_router(shared.clone()),
        }
    }
}

/// Runs `router` on a request, and reads its whole answer.
async fn call(
    router: &Router,
    parts: http::request::Parts,
    body: Bytes,
) -> Result<(StatusCode, HeaderMap, Bytes), Dropped> {
    let request = Request::from_parts(parts, axum::body::Body::from(body));
    let response = router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    Ok((parts.status, parts.headers, bytes))
}

type ResponseBody = BoxBody<Bytes, io::Error>;

/// Closes the connection without an answer (a fault).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

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

/// What the request's signature covers: the body, or a multipart upload's
/// `meta` part (the parsed form then goes to the route in the request's
/// extensions). A form that does not parse is answered at once.
async fn signed_part(
    parts: &mut http::request::Parts,
    body: &Bytes,
) -> Result<Bytes, Response<ResponseBody>> {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !content_type.starts_with("multipart/form-data") {
        return Ok(body.clone());
    }
    match Form::parse(&content_type, body.clone()).await {
        Ok(form) => {
            let signed = form
                .part("meta")
                .map(|meta| meta.bytes.clone())
                .unwrap_or_default();
            parts.extensions.insert(Arc::new(form));
            Ok(signed)
        }
        Err(problem) => Err(unsigned_json(
            StatusCode::BAD_REQUEST,
            &json!({"code": "INVALID_REQUEST", "message": format!("multipart/form-data: {problem}")}),
        )),
    }
}

/// Signs the answer as WeChat Pay would, with the key the request's mode
/// names; a proxy's HTML page (and a fault that leaves it out) is not signed.
fn sign_answer(
    shared: &Shared,
    fault: Option<Fault>,
    request_headers: &HeaderMap,
    path: &str,
    headers: &mut HeaderMap,
    bytes: &Bytes,
) {
    let unsigned = matches!(fault, Some(Fault::BadGatewayHtml | Fault::Unsigned));
    if unsigned || shared.signing == Signing::Off {
        return;
    }
    let (serial, key) = signer(shared, request_headers, path);
    let timestamp = if fault == Some(Fault::StaleTimestamp) {
        now() - 600
    } else {
        now()
    };
    sign(headers, serial, key, bytes, timestamp);
}

/// One request, start to finish.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    routers: Routers,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Dropped> {
    let (mut parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let signed = match signed_part(&mut parts, &body).await {
        Ok(signed) => signed,
        Err(refusal) => return Ok(refusal),
    };
    let uri = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| parts.uri.path().to_owned());
    let path = parts.uri.path().to_owned();

    if path.starts_with("/sandbox/") {
        let (status, headers, bytes) = call(&routers.control, parts, body).await?;
        let mut response = Response::new(full(bytes));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        return Ok(response);
    }
    shared.stats.lock().expect("lock").requests += 1;
    let request_id = request_id();
    let fault = shared
        .faults
        .decide(&path, fingerprint(parts.method.as_str(), &uri, &body));
    let plan = shared.faults.plan();
    tracing::debug!(method = %parts.method, %uri, ?fault, "sandbox request");

    // Faults before the request is handled: nothing changes on the server.
    if fault == Some(Fault::DropBeforeHandling) {
        return Err(Dropped);
    }
    if fault == Some(Fault::Delay) {
        tokio::time::sleep(plan.delay).await;
    }
    let early = fault.and_then(early_answer);
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
        let (status, routed_headers, bytes) = call(&routers.api, parts.clone(), body).await?;
        headers = routed_headers;
        (status, bytes)
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
    sign_answer(&shared, fault, &parts.headers, &path, &mut headers, &bytes);
    let body = misbehave(fault, &mut headers, bytes);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// The answer of a fault that answers before the request is handled (an
/// error status, a proxy's HTML page), if `fault` is one: its status, and
/// a JSON body or else the HTML.
fn early_answer(fault: Fault) -> Option<(StatusCode, &'static str, Option<Value>)> {
    match fault {
        Fault::ServerError => Some((
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            Some(json!({"code": "SYSTEM_ERROR", "message": "系统错误"})),
        )),
        Fault::Unavailable => Some((
            StatusCode::SERVICE_UNAVAILABLE,
            "",
            Some(json!({"code": "SYSTEM_ERROR", "message": "服务暂不可用"})),
        )),
        Fault::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "",
            Some(json!({"code": "FREQUENCY_LIMITED", "message": "频率超限"})),
        )),
        Fault::Accepted => Some((
            StatusCode::ACCEPTED,
            "",
            Some(json!({"code": "ACCEPTED", "message": "请求已受理，请使用原参数重试"})),
        )),
        Fault::BadGatewayHtml => Some((
            StatusCode::BAD_GATEWAY,
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
            None,
        )),
        _ => None,
    }
}

/// The signed answer's body as a fault after handling leaves it: a digit
/// changed (the signature no longer matches), a probe signature in place of
/// the real one, or the body cut in half.
fn misbehave(fault: Option<Fault>, headers: &mut HeaderMap, bytes: Bytes) -> ResponseBody {
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
    if fault == Some(Fault::TruncatedResponse) && bytes.len() > 1 {
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
    }
}
