//! The API the sandbox serves, as WeChat Pay does: the merchant-coupon codes,
//! callbacks and coupons, one operation of each kind beyond JSON (a sensitive
//! field, an upload, a bill), and the platform certificates. Requests reach it
//! checked, and its answers are signed on the way out (`server`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};
use wechatpay_runtime::aead;

use crate::examples::{self, Answer};
use crate::keys::Keys;
use crate::media::Form;
use crate::notify::deliver;
use crate::server::{Shared, aead_nonce, now};
use crate::store::{Reply, rfc3339};

pub(crate) type SharedRef = std::sync::Weak<Shared>;

fn shared(state: &SharedRef) -> Arc<Shared> {
    state.upgrade().expect("the sandbox outlives its router")
}

fn reply(reply: Reply) -> axum::response::Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(reply.body)).into_response()
}

pub(crate) fn api_router(state: SharedRef) -> Router {
    const CODES: &str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes";
    const CODE: &str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}";
    Router::new()
        .route(
            CODES,
            get(
                |State(state): State<SharedRef>,
                 Path(stock_id): Path<String>,
                 Query(query): Query<HashMap<String, String>>| async move {
                    let shared = shared(&state);
                    let store = shared.store.lock().expect("lock");
                    reply(store.list(&stock_id, &query))
                },
            )
            .post(
                |State(state): State<SharedRef>, Path(stock_id): Path<String>, body: Bytes| async move {
                    let shared = shared(&state);
                    let mut store = shared.store.lock().expect("lock");
                    reply(store.upload(&stock_id, &body, now()))
                },
            ),
        )
        .route(
            CODE,
            get(
                |State(state): State<SharedRef>, Path((stock_id, code)): Path<(String, String)>| async move {
                    let shared = shared(&state);
                    let store = shared.store.lock().expect("lock");
                    reply(store.get(&stock_id, &code))
                },
            )
            .delete(
                |State(state): State<SharedRef>,
                 Path((stock_id, code)): Path<(String, String)>,
                 Query(query): Query<HashMap<String, String>>| async move {
                    let shared = shared(&state);
                    let mut store = shared.store.lock().expect("lock");
                    let request_no = query.get("delete_request_no").map(String::as_str);
                    reply(store.delete(&stock_id, &code, request_no, now()))
                },
            ),
        )
        .route(
            "/v3/marketing/busifavor/callbacks",
            get(|State(state): State<SharedRef>| async move {
                let shared = shared(&state);
                let store = shared.store.lock().expect("lock");
                reply(store.callback(&shared.keys.mchid))
            })
            .post(|State(state): State<SharedRef>, body: Bytes| async move {
                let shared = shared(&state);
                let mut store = shared.store.lock().expect("lock");
                reply(store.set_callback(&shared.keys.mchid, &body, now()))
            }),
        )
        .route(
            "/v3/marketing/busifavor/coupons/send",
            post(|State(state): State<SharedRef>, body: Bytes| async move {
                let shared = shared(&state);
                reply(send_coupon(&shared, &body))
            }),
        )
        .route(
            "/v3/marketing/busifavor/coupons/use",
            // No notification: the only COUPON.USE page the docs have describes
            // the cash-coupon (代金券) resource, not the merchant coupon's.
            post(|State(state): State<SharedRef>, body: Bytes| async move {
                let shared = shared(&state);
                let mut store = shared.store.lock().expect("lock");
                reply(store.use_coupon(&body, now()))
            }),
        )
        .route(
            "/v3/profitsharing/receivers/add",
            post(|State(state): State<SharedRef>, headers: HeaderMap, body: Bytes| async move {
                let shared = shared(&state);
                let mut receivers = shared.receivers.lock().expect("lock");
                reply(receivers.add(&shared.keys, &headers, &body))
            }),
        )
        .route(
            "/v3/merchant/media/upload",
            post(|State(state): State<SharedRef>, form: Option<Extension<Arc<Form>>>| async move {
                let shared = shared(&state);
                let mut media = shared.media.lock().expect("lock");
                reply(media.upload(form.as_deref().map(Arc::as_ref)))
            }),
        )
        .route(
            "/v3/bill/tradebill",
            get(
                |State(state): State<SharedRef>,
                 headers: HeaderMap,
                 Query(query): Query<HashMap<String, String>>| async move {
                    let shared = shared(&state);
                    let host = headers
                        .get(header::HOST)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("127.0.0.1");
                    let mut bills = shared.bills.lock().expect("lock");
                    reply(bills.apply(&query, host))
                },
            ),
        )
        .route(
            "/v3/certificates",
            get(|State(state): State<SharedRef>| async move {
                let shared = shared(&state);
                (StatusCode::OK, Json(certificate_list(&shared.keys))).into_response()
            }),
        )
        // Every other documented operation answers with its page's example.
        .fallback(|method: http::Method, uri: http::Uri| async move {
            match examples::operation(method.as_str(), uri.path()) {
                Some(operation) => match examples::answer(operation, &rfc3339(now())) {
                    Answer::Json(body) => (StatusCode::OK, Json(body)).into_response(),
                    Answer::Empty => StatusCode::NO_CONTENT.into_response(),
                },
                None => reply(Reply::error(404, "RESOURCE_NOT_EXISTS", "no such API in the docs")),
            }
        })
        .with_state(state)
}

/// Sends a coupon and, when one was sent, its `COUPON.SEND` notification.
fn send_coupon(shared: &Arc<Shared>, body: &[u8]) -> Reply {
    let (reply, sent) =
        shared
            .store
            .lock()
            .expect("lock")
            .send_coupon(&shared.keys.mchid, body, now());
    if let Some(sent) = sent {
        deliver(
            shared.clone(),
            "COUPON.SEND",
            "商家券用户领券通知",
            sent.resource,
        );
    }
    reply
}

/// Users claiming `count` codes of a stock, one `coupons/send` each as the API
/// would, with a notification each. Returns the codes sent, or those sent
/// before the first refusal and the refusal.
pub(crate) fn claim_codes(
    shared: &Arc<Shared>,
    stock_id: &str,
    count: u32,
    openid_prefix: &str,
) -> Result<Vec<String>, (Vec<String>, Value)> {
    let mut sent = Vec::new();
    let batch = format!("{}-{:08x}", now(), rand::random::<u32>());
    for n in 0..count {
        let request = json!({
            "openid": format!("{openid_prefix}{n:08}"),
            "appid": "wxSandboxAppid0001",
            "stock_id": stock_id,
            "out_request_no": format!("claim-{batch}-{n}"),
        });
        let reply = send_coupon(shared, request.to_string().as_bytes());
        match reply.body["coupon_code"].as_str() {
            Some(code) if reply.status == 200 => sent.push(code.to_owned()),
            _ => return Err((sent, reply.body)),
        }
    }
    Ok(sent)
}

fn certificate_list(keys: &Keys) -> Value {
    let nonce = aead_nonce();
    let ciphertext = aead::encrypt(
        keys.apiv3_key.as_bytes(),
        &nonce,
        "certificate",
        keys.certificate.pem.as_bytes(),
    )
    .expect("a 32-byte key and 12-byte nonce");
    let now = now();
    json!({"data": [{
        "serial_no": keys.certificate.serial,
        "effective_time": crate::store::rfc3339(now - 86400),
        "expire_time": crate::store::rfc3339(now + 5 * 365 * 86400),
        "encrypt_certificate": {
            "algorithm": aead::ALGORITHM,
            "nonce": nonce,
            "associated_data": "certificate",
            "ciphertext": ciphertext,
        }
    }]})
}
