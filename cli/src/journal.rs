//! The upload journal: a line for each chunk WeChat Pay answered, so that a rerun
//! skips exactly those chunks.
//!
//! A journal is bound to what it describes. Its first line names the server (base
//! URL, and the WeChat Pay key that verifies its answers: another server at the
//! same address signs with another key), the merchant, the stock and the batch;
//! a run aimed anywhere else refuses it instead of skipping chunks that server
//! never saw. Each chunk line carries the
//! digest of the chunk's codes, and a chunk is skipped only when the same number
//! has the same digest, so a changed or reordered input is sent, not assumed.
//!
//! The journal also holds the prefix of the upload's request numbers, chosen
//! afresh when the journal is created: resuming repeats the same request numbers
//! (so WeChat Pay answers a chunk it already handled from the first import), while
//! a new upload of the same file, say after its codes were deleted, is a new
//! operation that WeChat Pay really performs instead of replaying an old answer.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The format this version writes and reads.
const FORMAT: &str = "couponcodes upload journal 3";

/// The first line: what the journal belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub journal: String,
    /// Where the chunks were sent.
    pub base_url: String,
    /// The WeChat Pay key that verified the answers (public key id or
    /// platform certificate serial).
    pub server_key: String,
    /// The merchant that sent them.
    pub mchid: String,
    /// The stock they went to.
    pub stock_id: String,
    /// Which upload of the stock this is (derived from the input).
    pub batch_id: String,
    /// The prefix of the request numbers, unique to this journal.
    pub request_prefix: String,
}

impl Header {
    /// The header of an upload of `batch_id` to `stock_id` at `base_url` as
    /// `mchid`, whose request numbers start with `request_prefix` if the journal is new.
    pub fn new(
        base_url: &str,
        server_key: &str,
        mchid: &str,
        stock_id: &str,
        batch_id: &str,
        request_prefix: &str,
    ) -> Header {
        Header {
            journal: FORMAT.to_owned(),
            base_url: base_url.to_owned(),
            server_key: server_key.to_owned(),
            mchid: mchid.to_owned(),
            stock_id: stock_id.to_owned(),
            batch_id: batch_id.to_owned(),
            request_prefix: request_prefix.to_owned(),
        }
    }

    fn same_upload(&self, other: &Header) -> bool {
        self.same_target(other) && self.batch_id == other.batch_id
    }

    /// The same server (address and key), merchant and stock.
    pub fn same_target(&self, other: &Header) -> bool {
        (
            &self.base_url,
            &self.server_key,
            &self.mchid,
            &self.stock_id,
        ) == (
            &other.base_url,
            &other.server_key,
            &other.mchid,
            &other.stock_id,
        )
    }

    /// The header of the journal at `path`, if it is one this version wrote.
    pub fn read(path: &Path) -> Option<Header> {
        let file = File::open(path).ok()?;
        let first = BufReader::new(file).lines().next()?.ok()?;
        serde_json::from_str(&first)
            .ok()
            .filter(|h: &Header| h.journal == FORMAT)
    }
}

/// A code WeChat Pay rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCode {
    /// Its line in the input.
    pub line: u64,
    /// The code.
    pub code: String,
    /// The error code (`LENGTH_LIMIT`, ...).
    pub error: String,
    /// What was said.
    pub message: String,
}

/// A chunk WeChat Pay answered, with what the answer said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// The chunk number, from 0.
    pub chunk: u64,
    /// Its request number.
    pub request_no: String,
    /// The digest of its codes.
    pub digest: String,
    /// Input lines in it.
    pub codes: u64,
    /// Imported.
    pub uploaded: u64,
    /// Held before.
    pub existed: u64,
    /// Repeated within the chunk.
    pub duplicates: u64,
    /// Rejected.
    pub failed: Vec<FailedCode>,
}

/// An open journal: what it says is done, and a file to append to.
#[derive(Debug)]
pub struct Journal {
    header: Header,
    file: File,
    done: BTreeMap<u64, ChunkRecord>,
    /// Lines that could not be read (cut short by a crash); their chunks are sent again.
    pub unreadable: u64,
}

impl Journal {
    /// Opens the journal at `path` for the upload `header` describes: reads what
    /// an earlier run of the same upload recorded, or starts a new journal.
    /// Refuses a journal of another server, merchant, stock or batch.
    pub fn open(path: &Path, header: &Header) -> Result<Journal, String> {
        let mut header = header.clone();
        let mut done = BTreeMap::new();
        let mut unreadable = 0;
        let existing = std::fs::metadata(path)
            .map(|m| m.len() > 0)
            .unwrap_or(false);
        if existing {
            let file = File::open(path)
                .map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
            let mut lines = BufReader::new(file).lines();
            let first = lines
                .next()
                .transpose()
                .map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?
                .unwrap_or_default();
            let recorded: Header = serde_json::from_str(&first)
                .ok()
                .filter(|h: &Header| h.journal == FORMAT)
                .ok_or_else(|| {
                    format!(
                        "{} is not a journal this version of couponcodes wrote (an older version, or another file); \
                         remove it or pass another --journal to upload afresh",
                        path.display()
                    )
                })?;
            if !recorded.same_upload(&header) {
                return Err(mismatch(path, &recorded, &header));
            }
            header = recorded;
            for line in lines {
                let line =
                    line.map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
                if line.trim().is_empty() {
                    continue;
                }
                // A line cut short by a crash: its chunk is simply sent again.
                match serde_json::from_str::<ChunkRecord>(&line) {
                    Ok(record) => {
                        done.insert(record.chunk, record);
                    }
                    Err(_) => unreadable += 1,
                }
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot write the journal {}: {e}", path.display()))?;
        if !existing {
            let line = serde_json::to_string(&header).expect("headers serialize");
            writeln!(file, "{line}")
                .and_then(|()| file.flush())
                .map_err(|e| format!("cannot write the journal {}: {e}", path.display()))?;
        }
        Ok(Journal {
            header,
            file,
            done,
            unreadable,
        })
    }

    /// The prefix of the upload's request numbers: the one recorded when the
    /// journal was created.
    pub fn request_prefix(&self) -> &str {
        &self.header.request_prefix
    }

    /// How many chunks it records.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// Whether it records no chunk.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// The record of chunk `index`, if that chunk had these very codes.
    pub fn done(&self, index: u64, digest: &str) -> Option<&ChunkRecord> {
        self.done.get(&index).filter(|r| r.digest == digest)
    }

    /// Chunk numbers and digests of every recorded chunk.
    pub fn digests(&self) -> BTreeMap<u64, String> {
        self.done
            .iter()
            .map(|(index, record)| (*index, record.digest.clone()))
            .collect()
    }

    /// Appends the record of a chunk WeChat Pay answered.
    pub fn record(&mut self, record: &ChunkRecord) -> std::io::Result<()> {
        let line = serde_json::to_string(record).expect("records serialize");
        writeln!(self.file, "{line}")?;
        self.file.flush()
    }
}

fn mismatch(path: &Path, recorded: &Header, wanted: &Header) -> String {
    let mut differences = Vec::new();
    let mut compare = |what: &str, was: &str, now: &str| {
        if was != now {
            differences.push(format!("{what} {was:?} (this run: {now:?})"));
        }
    };
    compare("server", &recorded.base_url, &wanted.base_url);
    compare("WeChat Pay key", &recorded.server_key, &wanted.server_key);
    compare("merchant", &recorded.mchid, &wanted.mchid);
    compare("stock", &recorded.stock_id, &wanted.stock_id);
    compare("batch", &recorded.batch_id, &wanted.batch_id);
    format!(
        "the journal {} belongs to another upload: {}. A journal can only skip chunks that the same \
         server answered; remove it or pass another --journal to upload afresh",
        path.display(),
        differences.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(chunk: u64, digest: &str) -> ChunkRecord {
        ChunkRecord {
            chunk,
            request_no: format!("b-{chunk}"),
            digest: digest.to_owned(),
            codes: 2,
            uploaded: 2,
            existed: 0,
            duplicates: 0,
            failed: Vec::new(),
        }
    }

    #[test]
    fn a_journal_skips_only_the_same_chunk_for_the_same_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let header = Header::new("https://a", "KEY-A", "1900000001", "98065001", "b", "b-1");
        let mut journal = Journal::open(&path, &header).unwrap();
        journal.record(&record(0, "d0")).unwrap();
        drop(journal);
        // A crash cut the last line short.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        write!(file, "{{\"chunk\":1,\"requ").unwrap();
        drop(file);

        let again = Header::new("https://a", "KEY-A", "1900000001", "98065001", "b", "b-2");
        let journal = Journal::open(&path, &again).unwrap();
        assert_eq!(
            journal.request_prefix(),
            "b-1",
            "resuming keeps the request numbers"
        );
        assert!(journal.done(0, "d0").is_some());
        assert!(journal.done(0, "other").is_none(), "other codes");
        assert_eq!(journal.unreadable, 1);

        let elsewhere = Header::new("https://b", "KEY-A", "1900000001", "98065001", "b", "b-1");
        let refusal = Journal::open(&path, &elsewhere).unwrap_err();
        assert!(refusal.contains("server \"https://a\""), "{refusal}");
        // The same address, another WeChat Pay: a restarted sandbox.
        let restarted = Header::new("https://a", "KEY-B", "1900000001", "98065001", "b", "b-1");
        let refusal = Journal::open(&path, &restarted).unwrap_err();
        assert!(refusal.contains("WeChat Pay key \"KEY-A\""), "{refusal}");
    }

    #[test]
    fn an_old_or_foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, "{\"chunk\":0,\"request_no\":\"x-0\"}\n").unwrap();
        let header = Header::new("https://a", "K", "1", "2", "b", "b-1");
        assert!(
            Journal::open(&path, &header)
                .unwrap_err()
                .contains("not a journal")
        );
    }
}
