//! `couponcodes events serve`: the merchant's notify URL. Verifies, decrypts and
//! writes each notification once to a JSON-lines file, and acknowledges it only
//! after the line is on disk (fsynced), so a crash never loses an acknowledged
//! event. WeChat Pay sends some notifications more than once: the file holds
//! each `id` once, also across restarts (the ids already in the file are read
//! at start).

use std::collections::HashSet;
use std::future::Future;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use bytes::Bytes;
use clap::Args;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use wechatpay_runtime::notify::{Notification, NotificationParser, receive};

/// `couponcodes events serve` options.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on (behind your HTTPS proxy: WeChat Pay only calls
    /// HTTPS URLs).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// The JSON-lines file events are appended to.
    #[arg(long, default_value = "events.jsonl")]
    pub out: PathBuf,
    /// Before serving, make this the merchant-coupon notify URL
    /// (`POST /v3/marketing/busifavor/callbacks`).
    #[arg(long)]
    pub register: Option<String>,
}

/// The events file: one JSON object per line, each notification `id` once.
#[derive(Debug)]
pub struct EventLog {
    file: std::fs::File,
    seen: HashSet<String>,
    written: u64,
    duplicates: u64,
}

impl EventLog {
    /// Opens (or creates) `path` for appending and reads the ids it holds.
    pub fn open(path: &std::path::Path) -> Result<EventLog, String> {
        let mut seen = HashSet::new();
        if path.exists() {
            let reader = std::io::BufReader::new(
                std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?,
            );
            for (number, line) in reader.lines().enumerate() {
                let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
                if line.trim().is_empty() {
                    continue;
                }
                // A line cut short by a crash before its fsync was never acknowledged:
                // WeChat Pay sends that event again, so it is skipped, not an error.
                match serde_json::from_str::<Value>(&line) {
                    Ok(event) => match event["id"].as_str() {
                        Some(id) => {
                            seen.insert(id.to_owned());
                        }
                        None => eprintln!("{}:{}: no id, skipped", path.display(), number + 1),
                    },
                    Err(_) => eprintln!(
                        "{}:{}: incomplete line, skipped (its event will be sent again)",
                        path.display(),
                        number + 1
                    ),
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(EventLog {
            file,
            seen,
            written: 0,
            duplicates: 0,
        })
    }

    /// Writes the event unless its id is already in the file; returns only
    /// once the line is on disk.
    pub fn append(&mut self, notification: &Notification<Value>) -> std::io::Result<bool> {
        if self.seen.contains(&notification.id) {
            self.duplicates += 1;
            return Ok(false);
        }
        let line = json!({
            "id": notification.id,
            "create_time": notification.create_time,
            "event_type": notification.event_type,
            "summary": notification.summary,
            "resource": notification.resource,
        });
        let mut bytes = serde_json::to_vec(&line)?;
        bytes.push(b'\n');
        self.file.write_all(&bytes)?;
        self.file.sync_data()?;
        self.seen.insert(notification.id.clone());
        self.written += 1;
        Ok(true)
    }
}

struct Receiver {
    parser: NotificationParser,
    log: Mutex<EventLog>,
}

/// Listens on `args.addr`.
pub async fn bind(args: &ServeArgs) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))
}

/// Serves until `shutdown` resolves; prints a line per hundred new events and
/// a summary at the end.
pub async fn serve(
    parser: NotificationParser,
    listener: tokio::net::TcpListener,
    out: &std::path::Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<ExitCode, String> {
    let log = EventLog::open(out)?;
    if !log.seen.is_empty() {
        eprintln!(
            "{}: {} events already received",
            out.display(),
            log.seen.len()
        );
    }
    let receiver = Arc::new(Receiver {
        parser,
        log: Mutex::new(log),
    });
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "receiving notifications on http://{addr} into {} (Ctrl-C stops)",
        out.display()
    );
    let app = axum::Router::new()
        .fallback(notification)
        .with_state(receiver.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| e.to_string())?;
    let log = receiver.log.lock().await;
    eprintln!(
        "{} new events written to {}, {} duplicates ignored",
        log.written,
        out.display(),
        log.duplicates
    );
    Ok(ExitCode::SUCCESS)
}

async fn notification(
    State(receiver): State<Arc<Receiver>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return (http::StatusCode::PAYLOAD_TOO_LARGE, "").into_response();
    };
    let request = http::Request::from_parts(parts, Bytes::from(body));
    let answer = receive(&receiver.parser, request, |event: Notification<Value>| {
        let receiver = receiver.clone();
        async move {
            let mut log = receiver.log.lock().await;
            // Blocking file I/O under the lock: each event is one small write and
            // an fsync, and the lock is what keeps a duplicate from racing its twin.
            let new = tokio::task::block_in_place(|| log.append(&event))?;
            if new && log.written % 100 == 0 {
                eprintln!("{} new events", log.written);
            }
            Ok::<_, std::io::Error>(())
        }
    })
    .await;
    answer.map(axum::body::Body::from).into_response()
}
