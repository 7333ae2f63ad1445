//! The unsigned control plane for tests and people (`/sandbox/...`): stats,
//! stocks, dispatches, users claiming codes, faults. Never faulted.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::{Fault, FaultPlan};
use crate::routes::claim_codes;
use crate::state::{Shared, now};

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

/// What a control route answers: a status and a JSON body, unsigned.
type Answer = (StatusCode, Json<Value>);

fn ok(value: Value) -> Answer {
    (StatusCode::OK, Json(value))
}

fn bad(message: String) -> Answer {
    (StatusCode::BAD_REQUEST, Json(json!({"message": message})))
}

/// The control plane's routes, over the sandbox's state.
pub(crate) fn control_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/sandbox/events",
            get(|| async { ok(json!(crate::examples::event_types())) }),
        )
        .route("/sandbox/stats", get(stats))
        .route("/sandbox/stocks", post(add_stock))
        .route("/sandbox/dispatch", post(dispatch))
        .route("/sandbox/claim", post(claim))
        .route("/sandbox/pay", post(pay))
        .route("/sandbox/notify", post(notify))
        .route("/sandbox/faults", post(faults))
        .route("/sandbox/codes/{stock_id}", get(codes))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(json!({"message": "unknown sandbox control path"})),
            )
        })
        .with_state(shared)
}

async fn stats(State(shared): State<Arc<Shared>>) -> Answer {
    let stats = shared.stats.lock().expect("lock").clone();
    let injected: HashMap<&str, u64> = shared
        .faults
        .injected()
        .into_iter()
        .map(|(fault, count)| (fault.name(), count))
        .collect();
    let notifications = shared.notifier.stats.lock().expect("lock").clone();
    ok(json!({"stats": stats, "faults_injected": injected, "notifications": notifications}))
}

async fn add_stock(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    match serde_json::from_slice::<StockSetup>(&body) {
        Ok(setup) => {
            shared
                .store
                .lock()
                .expect("lock")
                .add_stock(&setup.stock_id, &setup.mode);
            ok(json!({"stock_id": setup.stock_id, "mode": setup.mode}))
        }
        Err(e) => bad(e.to_string()),
    }
}

async fn dispatch(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    match serde_json::from_slice::<Dispatch>(&body) {
        Ok(d) => match shared.store.lock().expect("lock").dispatch(
            &d.stock_id,
            &d.code,
            &d.openid,
            now(),
        ) {
            Ok(()) => ok(json!({"dispatched": d.code})),
            Err(e) => bad(e),
        },
        Err(e) => bad(e.to_string()),
    }
}

async fn claim(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    match serde_json::from_slice::<Claim>(&body) {
        Ok(claim) => match claim_codes(&shared, &claim.stock_id, claim.count, &claim.openid_prefix)
        {
            Ok(sent) => ok(json!({"sent": sent})),
            Err((sent, error)) => (
                StatusCode::BAD_REQUEST,
                Json(json!({"sent": sent, "error": error})),
            ),
        },
        Err(e) => bad(e.to_string()),
    }
}

async fn pay(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    match serde_json::from_slice::<PayRequest>(&body) {
        Ok(request) => {
            match crate::routes::pay_order(
                &shared,
                &request.out_trade_no,
                request.openid.as_deref(),
            ) {
                Ok(transaction) => ok(transaction),
                Err(message) => bad(message),
            }
        }
        Err(e) => bad(format!("expected {{\"out_trade_no\", \"openid\"?}}: {e}")),
    }
}

async fn notify(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    match serde_json::from_slice::<NotifyRequest>(&body) {
        Ok(request) => match send_event(&shared, request) {
            Ok(sent) => ok(sent),
            Err(message) => bad(message),
        },
        Err(e) => bad(format!(
            "expected {{\"event_type\", \"url\"?, \"resource\"?}}: {e}"
        )),
    }
}

async fn faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let setup = match serde_json::from_slice::<FaultSetup>(&body) {
        Ok(setup) => setup,
        Err(e) => return bad(e.to_string()),
    };
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
    ok(json!({"ok": true}))
}

async fn codes(State(shared): State<Arc<Shared>>, Path(stock_id): Path<String>) -> Answer {
    let codes = shared.store.lock().expect("lock").codes(&stock_id);
    ok(json!({"stock_id": stock_id, "codes": codes}))
}
