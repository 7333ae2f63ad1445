//! The protocol layer: WeChat Pay's checks of every request (headers,
//! signature, timestamp, nonce) and the signature on every answer. Business
//! routes never see a request that failed here.

use http::{HeaderMap, HeaderValue, Method, header};
use serde_json::json;
use wechatpay_runtime::PrivateKey;
use wechatpay_runtime::sign::{Authorization, SCHEME, nonce, request_message, response_message};
use wechatpay_runtime::verify::headers as wx;

use crate::state::{Shared, Signing, now};
use crate::store::Reply;

/// WeChat Pay's checks of an incoming request, with its answers when they fail.
pub(crate) fn check_request(
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
pub(crate) fn signer<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    path: &str,
) -> (&'a str, &'a PrivateKey) {
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
