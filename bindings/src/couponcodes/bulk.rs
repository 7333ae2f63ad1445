//! Bulk upload: millions of codes, in chunks, with every input code accounted for
//! exactly once.
//!
//! - Codes are read lazily from any stream; memory holds at most `concurrency`
//!   chunks, whatever the input size.
//! - Each code is validated first; invalid ones are reported and not sent.
//! - Valid codes are cut into chunks of at most 200, in input order, so the same
//!   input always gives the same chunks. Chunk `i` is sent with request number
//!   `{batch_id}-{i}-{digest}`, where the digest is that of the chunk's codes: a
//!   rerun after a crash repeats exactly the same request numbers, which WeChat
//!   Pay answers from the first import, and a chunk whose codes differ can never
//!   be mistaken for one sent before.
//! - Chunks already done (from a journal) can be skipped without a request; the
//!   caller decides by chunk number and digest.
//! - Within a chunk, repeated codes are sent once and reported as duplicates.
//!   A code repeated in another chunk is reported the way WeChat Pay answers it:
//!   already existing. (Telling those apart from codes uploaded in earlier runs
//!   would need memory proportional to the input.)
//! - A failed request's codes are *failed* only when WeChat Pay cannot have
//!   imported them (an error answer, or no connection at all); when the answer was
//!   lost or could not be verified their fate is *unknown*, and sending the same
//!   chunk again (same request number) settles it.
//! - The run stops early, without reading further input, when failures repeat in
//!   a way retrying cannot fix (see [`BulkOptions::stop_after_failures`]).

use std::collections::HashMap;
use std::collections::HashSet;

/// The per-chunk sets of codes: 200 small strings a chunk, a million codes a
/// run; foldhash rather than SipHash (keyed per process all the same).
type FastSet<'a> = HashSet<&'a str, foldhash::fast::RandomState>;
use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use sha2::{Digest, Sha256};
use wechatpay_runtime::{ConfigError, Error, Setting};

/// The most codes one upload request may carry.
pub const MAX_CHUNK: usize = 200;

/// The longest batch id: with the chunk number and digest, request numbers stay
/// within the documented 128 characters.
pub const MAX_BATCH_ID: usize = 80;

/// Hex digits of the chunk digest that go into the request number.
const DIGEST_IN_REQUEST_NO: usize = 16;

/// What happened to one input code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Imported by this request.
    Uploaded,
    /// WeChat Pay already had it.
    AlreadyExisted,
    /// It appeared earlier in the same chunk; that occurrence is reported instead.
    DuplicateInInput,
    /// Not imported: WeChat Pay rejected it (`code`: `LENGTH_LIMIT`, ...), or its
    /// request was refused or never reached WeChat Pay.
    Failed {
        /// The error code.
        code: String,
        /// What WeChat Pay (or the client) said.
        message: String,
    },
    /// WeChat Pay may or may not hold it: the request may have been handled but
    /// its answer was lost, cut short, or failed verification. Sending the chunk
    /// again with the same request number settles it.
    Unknown {
        /// Why the answer is missing.
        reason: String,
    },
    /// It breaks a documented limit and was not sent.
    Invalid(String),
    /// Its chunk was done in an earlier run (see [`BulkOptions::skip_chunk`]).
    Skipped,
}

/// One input code's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeOutcome {
    /// Position in the input (the caller's numbering, e.g. the line number).
    pub position: u64,
    /// The code.
    pub code: String,
    /// What happened.
    pub outcome: Outcome,
}

/// What the server said about one chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkAnswer {
    /// Codes imported.
    pub succeeded: Vec<String>,
    /// How many were imported, when the list itself is not returned.
    pub success_count: Option<u64>,
    /// Codes that existed before.
    pub existed: Vec<String>,
    /// Codes repeated in the request.
    pub duplicated: Vec<String>,
    /// Codes rejected, with error code and message.
    pub failed: Vec<(String, String, String)>,
}

/// Uploads one chunk. Implemented on top of the generated upload operation.
pub trait ChunkUploader: Send + Sync {
    /// Sends `codes` with `request_no`.
    fn upload(
        &self,
        request_no: String,
        codes: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<ChunkAnswer, Error>> + Send + '_>>;
}

/// A finished chunk: every code in it with its outcome.
#[derive(Debug)]
pub struct ChunkReport {
    /// The chunk number, from 0, in input order; `None` for a report of invalid
    /// codes, which belong to no chunk.
    pub index: Option<u64>,
    /// The request number it was (or would have been) sent with; empty for invalid codes.
    pub request_no: String,
    /// SHA-256 (hex) of the chunk's codes, each followed by `\n`, in input order;
    /// empty for invalid codes.
    pub digest: String,
    /// Every input code of the chunk, duplicates included.
    pub codes: Vec<CodeOutcome>,
    /// The request error, when the whole chunk failed.
    pub error: Option<Error>,
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkSummary {
    /// Input codes read.
    pub total: u64,
    /// Imported now.
    pub uploaded: u64,
    /// Already held by WeChat Pay.
    pub already_existed: u64,
    /// Repeated within a chunk.
    pub duplicates: u64,
    /// Not imported: rejected, or in a request that was refused or never sent.
    pub failed: u64,
    /// Fate unknown: in a request whose answer was lost or unverifiable.
    pub unknown: u64,
    /// Not sent: broke a limit.
    pub invalid: u64,
    /// In chunks skipped as already done.
    pub skipped: u64,
    /// Chunks sent.
    pub requests: u64,
    /// Set when the run stopped early because retrying could not help; the rest
    /// of the input was not read.
    pub stopped: Option<String>,
}

impl BulkSummary {
    fn count(&mut self, outcome: &Outcome) {
        self.total += 1;
        match outcome {
            Outcome::Uploaded => self.uploaded += 1,
            Outcome::AlreadyExisted => self.already_existed += 1,
            Outcome::DuplicateInInput => self.duplicates += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::Unknown { .. } => self.unknown += 1,
            Outcome::Invalid(_) => self.invalid += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }
}

/// Checks one code; `Err` says why it cannot be sent.
pub type CodeValidator = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Decides from a chunk's number and digest whether an earlier run finished it.
pub type ChunkFilter = Box<dyn Fn(u64, &str) -> bool + Send + Sync>;

/// How a bulk upload runs.
pub struct BulkOptions {
    /// Prefix of every request number; with the chunk number and digest it must
    /// be unique to this input and server (1 to [`MAX_BATCH_ID`] characters).
    pub batch_id: String,
    /// Codes per request (1 to 200).
    pub chunk_size: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Chunks done in an earlier run, by number and digest, which are not sent again.
    pub skip_chunk: ChunkFilter,
    /// Checks one code before it is sent; `Err` gives the reason it is invalid.
    /// `None` sends every code as it is.
    pub validate: Option<CodeValidator>,
    /// After this many failed chunks in a row the run stops (0: never). Errors
    /// that cannot go away by themselves (401, 403, 404, a client set up wrong)
    /// stop it at once.
    pub stop_after_failures: u32,
}

impl std::fmt::Debug for BulkOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkOptions")
            .field("batch_id", &self.batch_id)
            .field("chunk_size", &self.chunk_size)
            .field("concurrency", &self.concurrency)
            .field("stop_after_failures", &self.stop_after_failures)
            .finish_non_exhaustive()
    }
}

impl BulkOptions {
    /// Options with the given batch id, 200 codes a chunk, 4 in flight, nothing
    /// skipped, stopping after 3 failed chunks in a row.
    pub fn new(batch_id: impl Into<String>) -> Self {
        BulkOptions {
            batch_id: batch_id.into(),
            chunk_size: MAX_CHUNK,
            concurrency: 4,
            skip_chunk: Box::new(|_, _| false),
            validate: None,
            stop_after_failures: 3,
        }
    }

    /// The request number of chunk `index` whose codes have `digest`.
    pub fn request_no(&self, index: u64, digest: &str) -> String {
        let short = &digest[..digest.len().min(DIGEST_IN_REQUEST_NO)];
        format!("{}-{index}-{short}", self.batch_id)
    }
}

/// SHA-256 (hex) of codes, each followed by `\n`: what identifies a chunk.
pub fn chunk_digest<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    for code in codes {
        hasher.update(code.as_bytes());
        hasher.update(b"\n");
    }
    base16ct::lower::encode_string(&hasher.finalize())
}

/// Whether an error will hit every other chunk the same way, whatever the
/// timing: the run stops at once.
fn is_permanent(error: &Error) -> bool {
    match error {
        Error::Config(_) => true,
        Error::Api(api) => matches!(api.status.as_u16(), 401 | 403 | 404),
        _ => false,
    }
}

/// Why the run stops after `error`, said in one line.
fn stop_reason(error: &Error, in_a_row: u32) -> String {
    if is_permanent(error) {
        format!("{error}; retrying cannot help")
    } else {
        format!("{in_a_row} chunks in a row failed, the last with: {error}")
    }
}

/// Uploads every code of `codes` (position, code); calls `on_chunk` as each chunk
/// finishes (in completion order), and with the invalid codes read so far before
/// each chunk is sent.
pub async fn upload_all<S, U>(
    codes: S,
    uploader: &U,
    options: &BulkOptions,
    mut on_chunk: impl FnMut(&ChunkReport),
) -> Result<BulkSummary, Error>
where
    S: Stream<Item = (u64, String)>,
    U: ChunkUploader + ?Sized,
{
    if options.chunk_size == 0 || options.chunk_size > MAX_CHUNK {
        let problem = format!("must be 1 to {MAX_CHUNK}, not {}", options.chunk_size);
        return Err(ConfigError::new(Setting::Option("chunk_size".into()), problem).into());
    }
    if options.batch_id.is_empty() || options.batch_id.len() > MAX_BATCH_ID {
        let problem = format!("must be 1 to {MAX_BATCH_ID} characters");
        return Err(ConfigError::new(Setting::Option("batch_id".into()), problem).into());
    }
    let mut codes = std::pin::pin!(codes);
    let mut summary = BulkSummary::default();
    let mut in_flight = FuturesUnordered::new();
    let mut next_index = 0u64;
    let mut input_done = false;
    let mut pending_invalid: Vec<CodeOutcome> = Vec::new();
    let mut failures_in_a_row = 0u32;

    loop {
        while !input_done
            && summary.stopped.is_none()
            && in_flight.len() < options.concurrency.max(1)
        {
            let mut chunk: Vec<(u64, String)> = Vec::with_capacity(options.chunk_size);
            while chunk.len() < options.chunk_size {
                let Some((position, code)) = codes.next().await else {
                    input_done = true;
                    break;
                };
                let checked = match &options.validate {
                    Some(validate) => validate(&code),
                    None => Ok(()),
                };
                match checked {
                    Ok(()) => chunk.push((position, code)),
                    Err(reason) => pending_invalid.push(CodeOutcome {
                        position,
                        code,
                        outcome: Outcome::Invalid(reason),
                    }),
                }
            }
            if !pending_invalid.is_empty() {
                let report = ChunkReport {
                    index: None,
                    request_no: String::new(),
                    digest: String::new(),
                    codes: std::mem::take(&mut pending_invalid),
                    error: None,
                };
                for code in &report.codes {
                    summary.count(&code.outcome);
                }
                on_chunk(&report);
            }
            if chunk.is_empty() {
                continue;
            }
            let index = next_index;
            next_index += 1;
            let digest = chunk_digest(chunk.iter().map(|(_, code)| code.as_str()));
            let request_no = options.request_no(index, &digest);
            if (options.skip_chunk)(index, &digest) {
                let report = ChunkReport {
                    index: Some(index),
                    request_no,
                    digest,
                    codes: chunk
                        .into_iter()
                        .map(|(position, code)| CodeOutcome {
                            position,
                            code,
                            outcome: Outcome::Skipped,
                        })
                        .collect(),
                    error: None,
                };
                for code in &report.codes {
                    summary.count(&code.outcome);
                }
                on_chunk(&report);
                continue;
            }
            in_flight.push(send_chunk(uploader, index, request_no, digest, chunk));
        }
        let Some(report) = in_flight.next().await else {
            break;
        };
        summary.requests += 1;
        match &report.error {
            None => failures_in_a_row = 0,
            Some(error) => {
                failures_in_a_row += 1;
                let stop = is_permanent(error)
                    || (options.stop_after_failures > 0
                        && failures_in_a_row >= options.stop_after_failures);
                if stop && summary.stopped.is_none() {
                    summary.stopped = Some(stop_reason(error, failures_in_a_row));
                }
            }
        }
        for code in &report.codes {
            summary.count(&code.outcome);
        }
        on_chunk(&report);
    }
    Ok(summary)
}

/// The fate of every code of a request that got no usable answer: failed
/// only when no attempt can have imported it (refused before sending, or
/// answered with a refusal); unknown when any may have.
fn outcome_of_failed_request(error: &Error) -> Outcome {
    if !error.may_have_acted() {
        let code = match error.api() {
            Some(api) => api
                .code
                .clone()
                .unwrap_or_else(|| api.status.as_u16().to_string()),
            None => "NOT_SENT".to_owned(),
        };
        Outcome::Failed {
            code,
            message: error.to_string(),
        }
    } else {
        Outcome::Unknown {
            reason: error.to_string(),
        }
    }
}

async fn send_chunk<U: ChunkUploader + ?Sized>(
    uploader: &U,
    index: u64,
    request_no: String,
    digest: String,
    chunk: Vec<(u64, String)>,
) -> ChunkReport {
    // Send each distinct code once; later occurrences are duplicates.
    let mut seen = FastSet::with_capacity_and_hasher(chunk.len(), Default::default());
    let mut unique = Vec::with_capacity(chunk.len());
    for (_, code) in &chunk {
        if seen.insert(code.as_str()) {
            unique.push(code.clone());
        }
    }
    let answer = uploader.upload(request_no.clone(), unique).await;
    let codes = match &answer {
        Ok(answer) => outcomes(&chunk, answer),
        Err(error) => {
            let outcome = outcome_of_failed_request(error);
            let mut first = FastSet::default();
            chunk
                .iter()
                .map(|(position, c)| CodeOutcome {
                    position: *position,
                    code: c.clone(),
                    outcome: if first.insert(c.as_str()) {
                        outcome.clone()
                    } else {
                        Outcome::DuplicateInInput
                    },
                })
                .collect()
        }
    };
    ChunkReport {
        index: Some(index),
        request_no,
        digest,
        codes,
        error: answer.err(),
    }
}

/// Maps the server's answer onto each input occurrence of the chunk.
fn outcomes(chunk: &[(u64, String)], answer: &ChunkAnswer) -> Vec<CodeOutcome> {
    let mut fate: HashMap<&str, Outcome, foldhash::fast::RandomState> = HashMap::default();
    for code in &answer.succeeded {
        fate.insert(code, Outcome::Uploaded);
    }
    for code in &answer.existed {
        fate.insert(code, Outcome::AlreadyExisted);
    }
    for (code, error_code, message) in &answer.failed {
        fate.insert(
            code,
            Outcome::Failed {
                code: error_code.clone(),
                message: message.clone(),
            },
        );
    }
    // When the answer lists no successful codes but counts them, the codes it does
    // not mention otherwise are the successful ones, if the count agrees.
    let unique: FastSet<'_> = chunk.iter().map(|(_, c)| c.as_str()).collect();
    let unmentioned = unique.iter().filter(|c| !fate.contains_key(**c)).count() as u64;
    let infer_success = answer.succeeded.is_empty()
        && answer
            .success_count
            .is_some_and(|count| count == unmentioned);
    let mut first = FastSet::default();
    chunk
        .iter()
        .map(|(position, code)| {
            let outcome = if !first.insert(code.as_str()) {
                Outcome::DuplicateInInput
            } else if let Some(outcome) = fate.get(code.as_str()) {
                outcome.clone()
            } else if infer_success {
                Outcome::Uploaded
            } else {
                Outcome::Unknown {
                    reason: "WeChat Pay's answer does not mention this code; send the chunk again to learn its state".to_owned(),
                }
            };
            CodeOutcome {
                position: *position,
                code: code.clone(),
                outcome,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use futures_util::stream;

    use super::*;

    /// A fake server: remembers codes across chunks and request numbers.
    #[derive(Default)]
    struct Fake {
        held: Mutex<HashSet<String>>,
        requests: Mutex<Vec<(String, usize)>>,
        fail_chunk: Option<(String, fn() -> Error)>,
    }

    impl ChunkUploader for Fake {
        fn upload(
            &self,
            request_no: String,
            codes: Vec<String>,
        ) -> Pin<Box<dyn Future<Output = Result<ChunkAnswer, Error>> + Send + '_>> {
            Box::pin(async move {
                self.requests
                    .lock()
                    .unwrap()
                    .push((request_no.clone(), codes.len()));
                if let Some((prefix, error)) = &self.fail_chunk
                    && request_no.starts_with(prefix.as_str())
                {
                    return Err(error());
                }
                let mut held = self.held.lock().unwrap();
                let mut answer = ChunkAnswer::default();
                for code in codes {
                    if code.len() > 5 {
                        answer
                            .failed
                            .push((code, "LENGTH_LIMIT".into(), "too long".into()));
                    } else if held.insert(code.clone()) {
                        answer.succeeded.push(code);
                    } else {
                        answer.existed.push(code);
                    }
                }
                Ok(answer)
            })
        }
    }

    fn input(codes: &[&str]) -> impl Stream<Item = (u64, String)> {
        stream::iter(
            codes
                .iter()
                .enumerate()
                .map(|(i, c)| (i as u64 + 1, (*c).to_owned()))
                .collect::<Vec<_>>(),
        )
    }

    fn api_error(status: u16, code: &str) -> Error {
        Error::Api(Box::new(wechatpay_runtime::ApiError::from_response(
            http::StatusCode::from_u16(status).unwrap(),
            None,
            format!(r#"{{"code":"{code}","message":"m"}}"#).into(),
        )))
    }

    #[tokio::test]
    async fn every_code_is_accounted_for_once() {
        let fake = Fake::default();
        let mut options = BulkOptions::new("batch");
        options.chunk_size = 3;
        options.validate = Some(Box::new(|code: &str| {
            if code.is_empty() {
                Err("empty".to_owned())
            } else {
                Ok(())
            }
        }));
        let codes = ["a", "b", "a", "", "c", "toolong", "b", "d"];
        let mut seen = Vec::new();
        let summary = upload_all(input(&codes), &fake, &options, |report| {
            seen.extend(report.codes.iter().cloned());
        })
        .await
        .unwrap();
        seen.sort_by_key(|c| c.position);
        let outcomes: Vec<_> = seen
            .iter()
            .map(|c| (c.position, c.outcome.clone()))
            .collect();
        assert_eq!(outcomes.len(), codes.len());
        assert_eq!(outcomes[0], (1, Outcome::Uploaded));
        assert_eq!(outcomes[2], (3, Outcome::DuplicateInInput), "same chunk");
        assert!(matches!(outcomes[3], (4, Outcome::Invalid(_))));
        assert!(matches!(&outcomes[5].1, Outcome::Failed { code, .. } if code == "LENGTH_LIMIT"));
        assert_eq!(outcomes[6], (7, Outcome::AlreadyExisted), "another chunk");
        assert_eq!(summary.total, 8);
        assert_eq!(
            (
                summary.uploaded,
                summary.already_existed,
                summary.duplicates,
                summary.failed,
                summary.invalid
            ),
            (4, 1, 1, 1, 1)
        );
        let requests = fake.requests.lock().unwrap().clone();
        let mut numbers: Vec<_> = requests.iter().map(|(n, _)| n.clone()).collect();
        numbers.sort();
        let expected: Vec<String> = [vec!["a", "b", "a"], vec!["c", "toolong", "b"], vec!["d"]]
            .iter()
            .enumerate()
            .map(|(i, chunk)| options.request_no(i as u64, &chunk_digest(chunk.iter().copied())))
            .collect();
        assert_eq!(numbers, expected);
        assert!(numbers.iter().all(|n| n.len() <= 128));
    }

    #[test]
    fn request_numbers_name_the_chunk_content() {
        let options = BulkOptions::new("b".repeat(MAX_BATCH_ID));
        let one = options.request_no(u64::MAX, &chunk_digest(["A", "B"]));
        let other = options.request_no(u64::MAX, &chunk_digest(["B", "A"]));
        assert_ne!(one, other, "another order is another chunk");
        assert!(one.len() <= 128, "{}", one.len());
        assert_eq!(chunk_digest(["A", "B"]), chunk_digest(["A", "B"]));
    }

    #[tokio::test]
    async fn lost_answers_are_unknown_and_refusals_failed() {
        let fake = Fake {
            fail_chunk: Some(("b-1-".into(), || {
                Error::Timeout(std::time::Duration::from_secs(1))
            })),
            ..Fake::default()
        };
        let mut options = BulkOptions::new("b");
        options.chunk_size = 2;
        let digest_of_first = chunk_digest(["a", "b"]);
        options.skip_chunk = Box::new(move |index, digest| index == 0 && digest == digest_of_first);
        let mut seen = Vec::new();
        let summary = upload_all(input(&["a", "b", "c", "d", "e"]), &fake, &options, |r| {
            seen.extend(r.codes.iter().map(|c| c.outcome.clone()));
        })
        .await
        .unwrap();
        assert_eq!(
            (
                summary.skipped,
                summary.unknown,
                summary.failed,
                summary.uploaded
            ),
            (2, 2, 0, 1)
        );
        assert_eq!(summary.stopped, None, "one failure does not stop the run");
        let sent: Vec<_> = fake
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        assert!(!sent.iter().any(|n| n.starts_with("b-0-")));

        let refused = Fake {
            fail_chunk: Some(("b-".into(), || api_error(400, "PARAM_ERROR"))),
            ..Fake::default()
        };
        let summary = upload_all(input(&["a", "b"]), &refused, &BulkOptions::new("b"), |_| {})
            .await
            .unwrap();
        assert_eq!((summary.failed, summary.unknown), (2, 0));

        // A 5xx reached the server, which may have imported the chunk.
        let broken = Fake {
            fail_chunk: Some(("b-".into(), || api_error(500, "SYSTEM_ERROR"))),
            ..Fake::default()
        };
        let summary = upload_all(input(&["a", "b"]), &broken, &BulkOptions::new("b"), |_| {})
            .await
            .unwrap();
        assert_eq!((summary.failed, summary.unknown), (0, 2));
    }

    #[tokio::test]
    async fn a_skip_needs_the_same_content() {
        let fake = Fake::default();
        let mut options = BulkOptions::new("b");
        options.chunk_size = 2;
        let digest = chunk_digest(["a", "b"]);
        options.skip_chunk = Box::new(move |index, d| index == 0 && d == digest);
        let summary = upload_all(input(&["b", "a", "c"]), &fake, &options, |_| {})
            .await
            .unwrap();
        assert_eq!((summary.skipped, summary.uploaded), (0, 3));
    }

    #[tokio::test]
    async fn hopeless_runs_stop_early_without_reading_on() {
        let codes: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        for (error, requests) in [
            (
                (|| api_error(404, "RESOURCE_NOT_EXISTS")) as fn() -> Error,
                1,
            ),
            (|| api_error(503, "SYSTEM_ERROR"), 3),
        ] {
            let fake = Fake {
                fail_chunk: Some(("b-".into(), error)),
                ..Fake::default()
            };
            let mut options = BulkOptions::new("b");
            options.chunk_size = 2;
            options.concurrency = 1;
            let summary = upload_all(input(&codes), &fake, &options, |_| {})
                .await
                .unwrap();
            assert_eq!(summary.requests, requests);
            assert_eq!(summary.total, 2 * requests, "the rest is not read");
            assert!(summary.stopped.is_some());
        }
    }

    #[test]
    fn counted_successes_are_inferred_only_when_they_add_up() {
        let chunk = vec![(1, "a".to_owned()), (2, "b".to_owned())];
        let answer = ChunkAnswer {
            success_count: Some(1),
            existed: vec!["b".into()],
            ..ChunkAnswer::default()
        };
        let got: Vec<_> = outcomes(&chunk, &answer)
            .into_iter()
            .map(|c| c.outcome)
            .collect();
        assert_eq!(got, [Outcome::Uploaded, Outcome::AlreadyExisted]);
        let answer = ChunkAnswer {
            success_count: Some(2),
            existed: vec!["b".into()],
            ..ChunkAnswer::default()
        };
        let got = outcomes(&chunk, &answer);
        assert!(matches!(&got[0].outcome, Outcome::Unknown { .. }));
    }
}
