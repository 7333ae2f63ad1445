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
use crate::payments::{Notice, TradeType};
use crate::state::{Shared, aead_nonce, now};
use crate::store::{Reply, rfc3339};

pub(crate) type SharedRef = Arc<Shared>;

fn shared(state: &SharedRef) -> Arc<Shared> {
    state.clone()
}

fn reply(reply: Reply) -> axum::response::Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    (status, Json(reply.body)).into_response()
}

/// Sends a payment or refund notification.
fn notify(
    shared: &Arc<Shared>,
    event_type: &str,
    summary: &str,
    original_type: &str,
    notice: Notice,
) {
    crate::notify::deliver_event(
        shared.clone(),
        crate::notify::Event {
            event_type: event_type.to_owned(),
            summary: summary.to_owned(),
            original_type: original_type.to_owned(),
            resource: notice.resource,
            url: Some(notice.url),
        },
    );
}

/// The user pays an order; `TRANSACTION.SUCCESS` goes to its notify URL.
pub(crate) fn pay_order(
    shared: &Arc<Shared>,
    out_trade_no: &str,
    openid: Option<&str>,
) -> Result<Value, String> {
    let notice = shared
        .payments
        .lock()
        .expect("lock")
        .pay(out_trade_no, openid, now())?;
    let resource = notice.resource.clone();
    notify(
        shared,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        notice,
    );
    Ok(resource)
}

/// The payment and refund routes: prepays, the order queries, close, refund.
fn payment_routes(router: Router<SharedRef>) -> Router<SharedRef> {
    router
        .route(
            "/v3/pay/transactions/{kind}",
            post(
                |State(state): State<SharedRef>, Path(kind): Path<String>, body: Bytes| async move {
                    let shared = shared(&state);
                    match TradeType::from_path(&kind) {
                        Some(kind) => {
                            let merchant = shared.keys.mchid.clone();
                            reply(
                                shared
                                    .payments
                                    .lock()
                                    .expect("lock")
                                    .prepay(kind, &merchant, &body),
                            )
                        }
                        None => {
                            fallback(http::Method::POST, format!("/v3/pay/transactions/{kind}"))
                        }
                    }
                },
            ),
        )
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            get(
                |State(state): State<SharedRef>, Path(out_trade_no): Path<String>| async move {
                    reply(
                        shared(&state)
                            .payments
                            .lock()
                            .expect("lock")
                            .query(&out_trade_no),
                    )
                },
            ),
        )
        .route(
            "/v3/pay/transactions/id/{transaction_id}",
            get(
                |State(state): State<SharedRef>, Path(id): Path<String>| async move {
                    reply(
                        shared(&state)
                            .payments
                            .lock()
                            .expect("lock")
                            .query_by_transaction_id(&id),
                    )
                },
            ),
        )
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            post(
                |State(state): State<SharedRef>, Path(out_trade_no): Path<String>| async move {
                    reply(
                        shared(&state)
                            .payments
                            .lock()
                            .expect("lock")
                            .close(&out_trade_no),
                    )
                },
            ),
        )
        .route(
            "/v3/refund/domestic/refunds",
            post(|State(state): State<SharedRef>, body: Bytes| async move {
                let shared = shared(&state);
                let (answer, notice) = shared.payments.lock().expect("lock").refund(&body, now());
                if let Some(notice) = notice {
                    notify(&shared, "REFUND.SUCCESS", "退款成功", "refund", notice);
                }
                reply(answer)
            }),
        )
        .route(
            "/v3/refund/domestic/refunds/{out_refund_no}",
            get(
                |State(state): State<SharedRef>, Path(out_refund_no): Path<String>| async move {
                    reply(
                        shared(&state)
                            .payments
                            .lock()
                            .expect("lock")
                            .query_refund(&out_refund_no),
                    )
                },
            ),
        )
}

/// Any other documented operation: its page's example.
fn fallback(method: http::Method, path: String) -> axum::response::Response {
    match examples::operation(method.as_str(), &path) {
        Some(operation) => match examples::answer(operation, &rfc3339(now())) {
            Answer::Json(body) => (StatusCode::OK, Json(body)).into_response(),
            Answer::Empty => StatusCode::NO_CONTENT.into_response(),
        },
        None => reply(Reply::error(
            404,
            "RESOURCE_NOT_EXISTS",
            "no such API in the docs",
        )),
    }
}

pub(crate) fn api_router(state: SharedRef) -> Router {
    const CODES: &str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes";
    const CODE: &str = "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}";
    payment_routes(Router::new())
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
            fallback(method, uri.path().to_owned())
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
