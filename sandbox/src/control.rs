//! The unsigned control plane for tests and people (`/sandbox/...`): stats,
//! stocks, dispatches, users claiming codes, faults. Never faulted.

use std::collections::HashMap;
use std::sync::Arc;

use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::{Fault, FaultPlan};
use crate::routes::claim_codes;
use crate::server::{Shared, now};

#[derive(Deserialize)]
struct StockSetup {
    stock_id: String,
    #[serde(default = "merchant_upload")]
    mode: String,
}

fn merchant_upload() -> String {
    crate::store::MERCHANT_UPLOAD.to_owned()
}

#[derive(Deserialize)]
struct Dispatch {
    stock_id: String,
    code: String,
    #[serde(default = "default_openid")]
    openid: String,
}

fn default_openid() -> String {
    "oSandboxUserOpenid0000000001".to_owned()
}

#[derive(Deserialize)]
struct Claim {
    stock_id: String,
    count: u32,
    #[serde(default = "openid_prefix")]
    openid_prefix: String,
}

fn openid_prefix() -> String {
    "oSandboxUser".to_owned()
}

#[derive(Deserialize)]
struct PayRequest {
    out_trade_no: String,
    openid: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct NotifyRequest {
    pub(crate) event_type: String,
    /// Where to send it; the registered notify URL when absent.
    pub(crate) url: Option<String>,
    /// Members that replace the example's (`{"out_trade_no": "..."}`).
    #[serde(default)]
    pub(crate) resource: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct FaultSetup {
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    rate: f64,
    #[serde(default)]
    kinds: Vec<String>,
    max_in_a_row: Option<u32>,
    delay_ms: Option<u64>,
    #[serde(default)]
    queue: Vec<String>,
}

/// Sends the notification a request asks for: its resource built from the
/// event's page, with the members the request gives.
pub(crate) fn send_event(shared: &Arc<Shared>, request: NotifyRequest) -> Result<Value, String> {
    let notification = crate::examples::notification(&request.event_type).ok_or_else(|| {
        format!(
            "{:?} is no event type of the docs; GET /sandbox/events lists them",
            request.event_type
        )
    })?;
    if request.url.is_none() && shared.store.lock().expect("lock").notify_url.is_none() {
        return Err("no notify URL: give \"url\", or register one".to_owned());
    }
    let mut resource = crate::examples::resource(notification, &crate::store::rfc3339(now()));
    if let Value::Object(members) = &mut resource {
        members.extend(request.resource);
    }
    let original_type = notification
        .original_types
        .first()
        .cloned()
        .unwrap_or_else(|| "sandbox".to_owned());
    let id = crate::notify::deliver_event(
        shared.clone(),
        crate::notify::Event {
            event_type: request.event_type.clone(),
            summary: notification.summary.clone(),
            original_type,
            resource: resource.clone(),
            url: request.url,
        },
    );
    Ok(json!({"id": id, "event_type": request.event_type, "resource": resource}))
}

/// Answers a control request.
pub(crate) async fn control(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    body: &[u8],
) -> (StatusCode, Value) {
    let bad = |message: String| (StatusCode::BAD_REQUEST, json!({"message": message}));
    match (method.as_str(), path) {
        ("GET", "/sandbox/events") => (StatusCode::OK, json!(crate::examples::event_types())),
        ("GET", "/sandbox/stats") => {
            let stats = shared.stats.lock().expect("lock").clone();
            let injected: HashMap<&str, u64> = shared
                .faults
                .injected()
                .into_iter()
                .map(|(fault, count)| (fault.name(), count))
                .collect();
            let notifications = shared.notifier.stats.lock().expect("lock").clone();
            (
                StatusCode::OK,
                json!({"stats": stats, "faults_injected": injected, "notifications": notifications}),
            )
        }
        ("POST", "/sandbox/stocks") => match serde_json::from_slice::<StockSetup>(body) {
            Ok(setup) => {
                shared
                    .store
                    .lock()
                    .expect("lock")
                    .add_stock(&setup.stock_id, &setup.mode);
                (
                    StatusCode::OK,
                    json!({"stock_id": setup.stock_id, "mode": setup.mode}),
                )
            }
            Err(e) => bad(e.to_string()),
        },
        ("POST", "/sandbox/dispatch") => match serde_json::from_slice::<Dispatch>(body) {
            Ok(d) => match shared.store.lock().expect("lock").dispatch(
                &d.stock_id,
                &d.code,
                &d.openid,
                now(),
            ) {
                Ok(()) => (StatusCode::OK, json!({"dispatched": d.code})),
                Err(e) => bad(e),
            },
            Err(e) => bad(e.to_string()),
        },
        ("POST", "/sandbox/claim") => match serde_json::from_slice::<Claim>(body) {
            Ok(claim) => {
                match claim_codes(shared, &claim.stock_id, claim.count, &claim.openid_prefix) {
                    Ok(sent) => (StatusCode::OK, json!({"sent": sent})),
                    Err((sent, error)) => (
                        StatusCode::BAD_REQUEST,
                        json!({"sent": sent, "error": error}),
                    ),
                }
            }
            Err(e) => bad(e.to_string()),
        },
        ("POST", "/sandbox/pay") => match serde_json::from_slice::<PayRequest>(body) {
            Ok(request) => match crate::routes::pay_order(
                shared,
                &request.out_trade_no,
                request.openid.as_deref(),
            ) {
                Ok(transaction) => (StatusCode::OK, transaction),
                Err(message) => bad(message),
            },
            Err(e) => bad(format!("expected {{\"out_trade_no\", \"openid\"?}}: {e}")),
        },
        ("POST", "/sandbox/notify") => match serde_json::from_slice::<NotifyRequest>(body) {
            Ok(request) => match send_event(shared, request) {
                Ok(sent) => (StatusCode::OK, sent),
                Err(message) => bad(message),
            },
            Err(e) => bad(format!(
                "expected {{\"event_type\", \"url\"?, \"resource\"?}}: {e}"
            )),
        },
        ("POST", "/sandbox/faults") => match serde_json::from_slice::<FaultSetup>(body) {
            Ok(setup) => {
                let parse = |names: &[String]| -> Result<Vec<Fault>, String> {
                    names
                        .iter()
                        .map(|n| Fault::from_name(n).ok_or_else(|| format!("unknown fault {n:?}")))
                        .collect()
                };
                let (kinds, queue) = match (parse(&setup.kinds), parse(&setup.queue)) {
                    (Ok(k), Ok(q)) => (k, q),
                    (Err(e), _) | (_, Err(e)) => return bad(e),
                };
                let mut plan = FaultPlan {
                    seed: setup.seed,
                    rate: setup.rate,
                    ..FaultPlan::default()
                };
                if !kinds.is_empty() {
                    plan.kinds = kinds;
                }
                if let Some(max) = setup.max_in_a_row {
                    plan.max_in_a_row = max;
                }
                if let Some(ms) = setup.delay_ms {
                    plan.delay = std::time::Duration::from_millis(ms);
                }
                shared.faults.set_plan(plan);
                shared.faults.push(&queue);
                (StatusCode::OK, json!({"ok": true}))
            }
            Err(e) => bad(e.to_string()),
        },
        _ if path.starts_with("/sandbox/codes/") => {
            let stock = &path["/sandbox/codes/".len()..];
            let codes = shared.store.lock().expect("lock").codes(stock);
            (StatusCode::OK, json!({"stock_id": stock, "codes": codes}))
        }
        _ => (
            StatusCode::NOT_FOUND,
            json!({"message": "unknown sandbox control path"}),
        ),
    }
}
