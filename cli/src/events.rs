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

/// What the events log writes to: a file, or in tests a file whose disk
/// fills up.
pub trait LogFile: Write + Send {
    /// Puts what was written on disk.
    fn sync(&mut self) -> std::io::Result<()>;
    /// Cuts the file back to `len` bytes.
    fn truncate(&mut self, len: u64) -> std::io::Result<()>;
}

impl LogFile for std::fs::File {
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)
    }
}

/// The events file: one JSON object per line, each notification `id` once.
///
/// A batch is written, then synced; only then is it acknowledged. A batch
/// that fails (a full disk) is cut off the file again, back to the end of the
/// last batch that was synced, so that the file never holds half an event or
/// an event that was not acknowledged; if even that fails, the log takes no
/// more events until the program restarts (and reading the file at start
/// removes an unfinished last line).
#[derive(Debug)]
pub struct EventLog<F = std::fs::File> {
    file: F,
    seen: HashSet<String>,
    written: u64,
    duplicates: u64,
    /// The file's length after the last batch that was synced.
    committed: u64,
    /// Bytes appended since.
    pending: u64,
    /// Set when a failed batch could not be cut off the file.
    broken: Option<String>,
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
        let committed = file.metadata().map_err(fail)?.len();
        Ok(EventLog::over(file, seen, committed))
    }
}

impl<F: LogFile> EventLog<F> {
    /// A log over `file`, `committed` bytes long, holding the events `seen`.
    pub fn over(file: F, seen: HashSet<String>, committed: u64) -> Self {
        EventLog {
            file,
            seen,
            written: 0,
            duplicates: 0,
            committed,
            pending: 0,
            broken: None,
        }
    }

    /// Writes the event unless its id is already in the file (not yet
    /// synced: see [`EventLog::sync`]); returns whether it was new.
    pub fn append(&mut self, notification: &Notification<Value>) -> std::io::Result<bool> {
        if let Some(why) = &self.broken {
            return Err(std::io::Error::other(why.clone()));
        }
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
        // Counted before writing: a write that fails may have written part.
        self.pending += bytes.len() as u64;
        self.file.write_all(&bytes)?;
        self.seen.insert(notification.id.clone());
        self.written += 1;
        Ok(true)
    }

    /// Puts what was appended on disk: the batch is then part of the file.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        self.file.sync()?;
        self.committed += self.pending;
        self.pending = 0;
        Ok(())
    }

    /// Cuts what was appended since the last sync off the file again, and
    /// forgets its ids (their events were not acknowledged: WeChat Pay sends
    /// them again, and they must be written then).
    fn roll_back(&mut self, ids: &[String]) {
        for id in ids {
            self.seen.remove(id);
        }
        self.written -= ids.len() as u64;
        let cut = self
            .file
            .truncate(self.committed)
            .and_then(|()| self.file.sync());
        self.pending = 0;
        if let Err(error) = cut {
            self.broken = Some(format!(
                "a failed write could not be undone ({error}); restart to go on"
            ));
        }
    }
}

/// An event waiting to be written, and who to tell once it is on disk.
type Pending = (Notification<Value>, oneshot::Sender<Result<(), String>>);

/// The writer thread: takes every event that arrived while the last batch was
/// being written, appends them, syncs once, then acknowledges them all (group
/// commit: one fsync per batch, not per event, and still nothing acknowledged
/// before it is on disk). One writer also means a duplicate cannot race its
/// twin past the id check.
fn write_events<F: LogFile>(
    mut log: EventLog<F>,
    mut queue: mpsc::Receiver<Pending>,
) -> EventLog<F> {
    let mut reported = 0;
    while let Some(first) = queue.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 4096 {
            match queue.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let events: Vec<&Notification<Value>> = batch.iter().map(|(event, _)| event).collect();
        let written = write_batch(&mut log, &events);
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

/// Appends a batch and syncs it, or leaves the file as it was before it.
fn write_batch<F: LogFile>(
    log: &mut EventLog<F>,
    events: &[&Notification<Value>],
) -> Result<(), String> {
    let mut new_ids = Vec::new();
    let written = events
        .iter()
        .try_for_each(|event| {
            if log.append(event)? {
                new_ids.push(event.id.clone());
            }
            Ok(())
        })
        .and_then(|()| log.sync())
        .map_err(|e: std::io::Error| format!("cannot write the events file: {e}"));
    if written.is_err() {
        // Not acknowledged, and not left half in the file.
        log.roll_back(&new_ids);
    }
    written
}

/// How long a client may take to send a request's headers: a connection
/// that opens and says nothing (or too little) is closed instead of being
/// kept forever.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `app` on every connection `listener` accepts until `shutdown`
/// resolves, then lets the requests in progress finish. Each connection must
/// send its request headers within [`HEADER_READ_TIMEOUT`].
async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    use hyper::server::conn::http1;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue,
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| app.clone().oneshot(request));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                // A connection that ends with an error is the client's doing
                // (it went away, or sent no headers in time).
                _ = connection.as_mut() => {}
                _ = async { stopped.wait_for(|stop| *stop).await.map(|_| ()) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
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
    serve_connections(listener, app, shutdown).await;
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

    /// A file on a disk that fills up after `room` more bytes: the write
    /// that crosses it writes what fits, then fails as a full disk does.
    struct FillingDisk {
        file: std::fs::File,
        room: usize,
    }

    impl Write for FillingDisk {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = bytes.len().min(self.room);
            self.room -= n;
            self.file.write(&bytes[..n])
        }

        fn flush(&mut self) -> std::io::Result<()> {
            self.file.flush()
        }
    }

    impl LogFile for FillingDisk {
        fn sync(&mut self) -> std::io::Result<()> {
            self.file.sync_data()
        }

        fn truncate(&mut self, len: u64) -> std::io::Result<()> {
            self.file.set_len(len)
        }
    }

    fn ids_in(path: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|line| {
                let event: Value = serde_json::from_str(line).expect("every line is an event");
                event["id"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    /// A full disk in the middle of a batch: the batch is refused (500,
    /// WeChat Pay sends it again) and cut off the file, so the next event
    /// starts a line of its own and each acknowledged event is there once.
    #[test]
    fn a_full_disk_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let mut log = EventLog::over(
            FillingDisk {
                file,
                room: 1 << 20,
            },
            HashSet::new(),
            0,
        );
        write_batch(&mut log, &[&event("EV-1"), &event("EV-2")]).unwrap();
        let acknowledged = std::fs::read(&path).unwrap();

        // Room for one event and a half.
        let one = acknowledged.len() / 2;
        log.file.room = one + one / 2;
        let error = write_batch(&mut log, &[&event("EV-3"), &event("EV-4")]).unwrap_err();
        assert!(error.contains("No space left"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), acknowledged, "as it was");

        // The disk has room again; WeChat Pay sends both again.
        log.file.room = 1 << 20;
        write_batch(&mut log, &[&event("EV-3"), &event("EV-4"), &event("EV-1")]).unwrap();
        assert_eq!(ids_in(&path), ["EV-1", "EV-2", "EV-3", "EV-4"]);
        // And a restart finds each acknowledged event once.
        let reopened = EventLog::open(&path).unwrap();
        assert_eq!(reopened.seen.len(), 4);
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
