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

use clap::Args;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use wechatpay_runtime::notify::{Notification, NotificationParser, NotificationService};

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
    /// Opens (or creates) `path` for appending and reads the ids it holds, in
    /// one pass. The end of a line a crash cut short (never acknowledged, so
    /// WeChat Pay sends its event again) is removed, so that the next event
    /// starts on a line of its own.
    pub fn open(path: &std::path::Path) -> Result<EventLog, String> {
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        let mut seen = HashSet::new();
        let mut reader = std::io::BufReader::new(&file);
        let mut line = Vec::new();
        let mut complete = 0u64;
        for number in 1.. {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(fail)? == 0 {
                break;
            }
            if line.last() != Some(&b'\n') {
                eprintln!(
                    "{}:{number}: unfinished line, removed (its event will be sent again)",
                    path.display()
                );
                file.set_len(complete).map_err(fail)?;
                file.sync_data().map_err(fail)?;
                break;
            }
            complete += line.len() as u64;
            if line.trim_ascii().is_empty() {
                continue;
            }
            match serde_json::from_slice::<Value>(&line) {
                Ok(event) => match event["id"].as_str() {
                    Some(id) => {
                        seen.insert(id.to_owned());
                    }
                    None => eprintln!("{}:{number}: no id, skipped", path.display()),
                },
                Err(_) => eprintln!("{}:{number}: not an event, skipped", path.display()),
            }
        }
        Ok(EventLog {
            file,
            seen,
            written: 0,
            duplicates: 0,
        })
    }

    /// Writes the event unless its id is already in the file (not yet
    /// synced: see [`EventLog::sync`]); returns whether it was new.
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
        self.seen.insert(notification.id.clone());
        self.written += 1;
        Ok(true)
    }

    /// Puts what was appended on disk.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }
}

/// An event waiting to be written, and who to tell once it is on disk.
type Pending = (Notification<Value>, oneshot::Sender<Result<(), String>>);

/// The writer thread: takes every event that arrived while the last batch was
/// being written, appends them, syncs once, then acknowledges them all (group
/// commit: one fsync per batch, not per event, and still nothing acknowledged
/// before it is on disk). One writer also means a duplicate cannot race its
/// twin past the id check.
fn write_events(mut log: EventLog, mut queue: mpsc::Receiver<Pending>) -> EventLog {
    let mut reported = 0;
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 4096 {
            match queue.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let mut new_ids = Vec::new();
        let written = batch
            .iter()
            .try_for_each(|(event, _)| {
                if log.append(event)? {
                    new_ids.push(event.id.clone());
                }
                Ok(())
            })
            .and_then(|()| log.sync())
            .map_err(|e: std::io::Error| format!("cannot write the events file: {e}"));
        if written.is_err() {
            // Not known to be on disk: when WeChat Pay sends these again they
            // must be written again, not taken for duplicates.
            for id in &new_ids {
                log.seen.remove(id);
            }
        }
        for (_, done) in batch {
            let _ = done.send(written.clone());
        }
        if log.written / 100 > reported {
            reported = log.written / 100;
            eprintln!("{} new events", log.written);
        }
    }
    log
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
    let (queue, events) = mpsc::channel(8192);
    let writer = std::thread::spawn(move || write_events(log, events));
    // Each verified notification is queued for the writer; the answer waits
    // for its line to be on disk.
    let handler = move |event: Notification<Value>| {
        let queue = queue.clone();
        async move {
            let (done, written) = oneshot::channel();
            queue
                .send((event, done))
                .await
                .map_err(|_| "the events writer stopped".to_owned())?;
            written
                .await
                .map_err(|_| "the events writer stopped".to_owned())?
        }
    };
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!(
        "receiving notifications on http://{addr} into {} (Ctrl-C stops)",
        out.display()
    );
    let app = axum::Router::new().fallback_service(NotificationService::new(parser, handler));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| e.to_string())?;
    // The server and its handlers are gone, and with them every sender: the
    // writer finishes what it holds and ends.
    let log = writer
        .join()
        .map_err(|_| "the events writer stopped unexpectedly".to_owned())?;
    eprintln!(
        "{} new events written to {}, {} duplicates ignored",
        log.written,
        out.display(),
        log.duplicates
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> Notification<Value> {
        serde_json::from_value::<Value>(json!({}))
            .map(|resource| Notification {
                id: id.to_owned(),
                create_time: "2026-12-02T12:00:00+08:00".to_owned(),
                event_type: "COUPON.SEND".to_owned(),
                resource_type: "encrypt-resource".to_owned(),
                summary: String::new(),
                original_type: "coupon".to_owned(),
                resource,
            })
            .unwrap()
    }

    #[test]
    fn a_restart_keeps_each_id_once_and_skips_a_half_written_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        // One event written, then a crash in the middle of the next line.
        std::fs::write(
            &path,
            "{\"id\":\"EV-1\",\"event_type\":\"COUPON.SEND\"}\n{\"id\":\"EV-2\",\"ev",
        )
        .unwrap();
        let mut log = EventLog::open(&path).unwrap();
        assert!(!log.append(&event("EV-1")).unwrap(), "already in the file");
        assert!(
            log.append(&event("EV-2")).unwrap(),
            "never acknowledged: written now"
        );
        assert!(!log.append(&event("EV-2")).unwrap());
        log.sync().unwrap();
        let ids: Vec<String> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .map(|event| event["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, ["EV-1", "EV-2"]);
    }
}
