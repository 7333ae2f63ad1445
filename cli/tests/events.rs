//! `couponcodes events serve` end to end: codes uploaded by the binary, claimed
//! by users in the sandbox, their `COUPON.SEND` notifications delivered through
//! a proxy that fails or stalls a fifth of the deliveries, with the sandbox
//! sending duplicates too. The events file must end with each sent code once,
//! matching what `list` shows as dispatched.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::IntoResponse;
use common::{couponcodes, run, summary, write_codes};
use futures_util::StreamExt;
use wechatpay_bindings::couponcodes::list_all;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesQuery;
use wechatpay_sandbox::{DEFAULT_STOCK, NotifyConfig, Sandbox, SandboxConfig};

/// Kills the receiver if the test fails before stopping it.
struct Receiver(Child);

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `couponcodes events serve` on a free port; returns it and its URL.
fn start_receiver(sandbox: &Sandbox, dir: &std::path::Path) -> (Receiver, String) {
    let mut child = couponcodes(sandbox, dir)
        .args([
            "events",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--out",
            "events.jsonl",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the receiver says where it listens")
            .unwrap();
        if let Some(rest) = line.strip_prefix("receiving notifications on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining its standard error so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Receiver(child), url)
}

/// What stands between the sandbox and the receiver: every fifth delivery on
/// average fails (half answered 500 without reaching the receiver, half passed
/// on and then answered too late for the sandbox's timeout).
#[derive(Clone)]
struct Proxy {
    target: String,
    http: reqwest::Client,
    seen: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
    stalled: Arc<AtomicU64>,
}

async fn relay(
    State(proxy): State<Proxy>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let n = proxy.seen.fetch_add(1, Ordering::Relaxed);
    // A fixed pattern rather than a random one, so the test is the same every run.
    let fate = n % 10;
    if fate == 3 {
        proxy.refused.fetch_add(1, Ordering::Relaxed);
        return (http::StatusCode::INTERNAL_SERVER_ERROR, "down for a moment").into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let mut forward = proxy.http.post(&proxy.target).body(body);
    for (name, value) in &parts.headers {
        if name != http::header::HOST && name != http::header::CONTENT_LENGTH {
            forward = forward.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = match forward.send().await {
        Ok(answer) => answer,
        Err(_) => return http::StatusCode::BAD_GATEWAY.into_response(),
    };
    let status = answer.status().as_u16();
    let body = answer.bytes().await.unwrap_or_default();
    if fate == 7 {
        // The receiver has the event; the sandbox gives up waiting and sends it again.
        proxy.stalled.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    (http::StatusCode::from_u16(status).unwrap(), body).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_sent_code_is_in_the_events_file_once() {
    let sandbox = Sandbox::start(SandboxConfig {
        notify: NotifyConfig {
            interval: Duration::from_millis(250),
            attempts: 11,
            timeout: Duration::from_millis(300),
            duplicate_rate: 0.1,
            concurrency: 16,
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // 10,000 codes uploaded by the binary.
    let uploaded = write_codes(&dir.path().join("codes.txt"), "EVT", 10_000);
    let (status, stdout, stderr) = run(couponcodes(&sandbox, dir.path()).args([
        "upload",
        "--stock-id",
        DEFAULT_STOCK,
        "codes.txt",
        "--json",
    ]));
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(summary(&stdout)["uploaded"], 10_000);

    // The receiver, behind the unreliable proxy, registered as the notify URL.
    let (_receiver, receiver_url) = start_receiver(&sandbox, dir.path());
    let proxy = Proxy {
        target: format!("{receiver_url}/notify"),
        http: wechatpay_runtime::tls::reqwest_builder(&[])
            .unwrap()
            .build()
            .unwrap(),
        seen: Arc::default(),
        refused: Arc::default(),
        stalled: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}/notify", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(relay)
        .with_state(proxy.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = sandbox.client_builder().build().unwrap();
    client
        .request(
            wechatpay_runtime::Method::POST,
            "/v3/marketing/busifavor/callbacks",
        )
        .json(&serde_json::json!({"notify_url": proxy_url}))
        .send()
        .await
        .unwrap();

    // 2,000 users claim a code each.
    let claimed = sandbox.claim(DEFAULT_STOCK, 2_000, "oUser").unwrap();
    assert_eq!(claimed.len(), 2_000);
    let started = Instant::now();
    while sandbox.notifications().pending() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "deliveries did not finish: {:?}",
            sandbox.notifications()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stats = sandbox.notifications();
    assert_eq!(
        (stats.events, stats.delivered, stats.abandoned),
        (2_000, 2_000, 0),
        "{stats:?}"
    );
    // The faults happened: retries after refusals and stalls, and duplicates.
    assert!(proxy.refused.load(Ordering::Relaxed) >= 150, "{stats:?}");
    assert!(proxy.stalled.load(Ordering::Relaxed) >= 150, "{stats:?}");
    assert!(stats.duplicates >= 100, "{stats:?}");
    assert!(stats.sends >= 2_000 + 300 + stats.duplicates, "{stats:?}");

    // The events file: 2,000 distinct COUPON.SEND events of 2,000 distinct uploaded codes.
    let text = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(events.len(), 2_000);
    let ids: HashSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2_000);
    assert!(events.iter().all(|e| e["event_type"] == "COUPON.SEND"));
    let sent: HashMap<String, String> = events
        .iter()
        .map(|e| {
            let resource = &e["resource"];
            (
                resource["coupon_code"].as_str().unwrap().to_owned(),
                resource["openid"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(sent.len(), 2_000);
    assert!(sent.keys().all(|code| uploaded.contains(code)));
    assert_eq!(
        sent.keys().cloned().collect::<HashSet<_>>(),
        claimed.iter().cloned().collect()
    );

    // What `list` shows as dispatched is exactly what the events say, user included.
    let mut dispatched = HashMap::new();
    let mut items = std::pin::pin!(list_all(
        &client,
        DEFAULT_STOCK,
        ListCouponCodesQuery::new().with_limit(100)
    ));
    while let Some(item) = items.next().await {
        let item = item.unwrap();
        if item.code_status.as_ref().map(|s| s.to_string()).as_deref() == Some("DISPATCHED") {
            dispatched.insert(item.code.unwrap(), item.openid.unwrap_or_default());
        }
    }
    assert_eq!(dispatched, sent);
}
