//! Settling an upload's answers: each chunk's report into the summary's
//! buckets and, when WeChat Pay accounted for every code of it, into the
//! journal; at the end, every line read but never reported is `unknown` and
//! every line never read `not_tried`. No terminal and no network here, so
//! the bookkeeping that decides what a rerun sends again is tested alone.

use wechatpay_bindings::couponcodes::bulk::{ChunkReport, Outcome};

use super::{SHOWN_CODES, Summary, UnknownCode};
use crate::journal::{ChunkRecord, FailedCode, Journal};

/// The upload loop's state between answers: the summary so far, the journal
/// it writes, and how many codes were reported.
pub(super) struct Settlement<'a> {
    summary: Summary,
    journal: &'a mut Journal,
    reported: u64,
    journal_error: Option<String>,
}

/// How a settled upload ended, for the summary.
pub(super) struct Settled {
    /// Every line in one bucket (unless `stopped_early` says otherwise).
    pub(super) summary: Summary,
    /// Lines that were read and sent (or about to be) but never answered.
    pub(super) in_flight: u64,
    /// Why the journal could not be written, if it could not.
    pub(super) journal_error: Option<String>,
}

impl<'a> Settlement<'a> {
    /// Starts from `summary` (the input's counts filled in) and `journal`.
    pub(super) fn new(summary: Summary, journal: &'a mut Journal) -> Self {
        Settlement {
            summary,
            journal,
            reported: 0,
            journal_error: None,
        }
    }

    /// Takes one chunk's report; says how many codes it settled (for the
    /// progress shown). A chunk the journal already had counts as it was
    /// journaled; a chunk with a code of unknown fate, or whose request
    /// failed as a whole, is not journaled, so the next run sends it again
    /// under the same request number.
    pub(super) fn settle(&mut self, report: &ChunkReport) -> u64 {
        let Some(index) = report.index else {
            return 0;
        };
        let codes = report.codes.len() as u64;
        self.reported += codes;
        let summary = &mut self.summary;
        if report.codes.iter().all(|c| c.outcome == Outcome::Skipped) {
            summary.resumed_chunks += 1;
            summary.from_journal += codes;
            if let Some(record) = self.journal.done(index, &report.digest) {
                summary.add_record(record);
            }
            return codes;
        }
        let mut record = ChunkRecord {
            chunk: index,
            request_no: report.request_no.clone(),
            digest: report.digest.clone(),
            codes,
            uploaded: 0,
            existed: 0,
            duplicates: 0,
            failed: Vec::new(),
        };
        let mut settled = report.error.is_none();
        for code in &report.codes {
            match &code.outcome {
                Outcome::Uploaded => record.uploaded += 1,
                Outcome::AlreadyExisted => record.existed += 1,
                Outcome::DuplicateInInput => record.duplicates += 1,
                Outcome::Failed {
                    code: error,
                    message,
                } => record.failed.push(FailedCode {
                    line: code.position,
                    code: code.code.clone(),
                    error: error.clone(),
                    message: message.clone(),
                }),
                Outcome::Unknown { reason } => {
                    settled = false;
                    summary.unknown += 1;
                    if summary.unknowns.len() < SHOWN_CODES {
                        summary.unknowns.push(UnknownCode {
                            line: code.position,
                            code: code.code.clone(),
                            reason: reason.clone(),
                        });
                    }
                }
                Outcome::Invalid(_) | Outcome::Skipped => {}
            }
        }
        if settled && let Err(e) = self.journal.record(&record) {
            self.journal_error = Some(e.to_string());
        }
        summary.add_record(&record);
        codes
    }

    /// Ends the run, stopped early for the reason given if it was: of the
    /// `valid` lines, `pulled` were read from the input; those read but
    /// never reported were in flight when the run stopped (WeChat Pay may
    /// hold them), those never read were not tried. Says the run is complete
    /// only if every line is uploaded or was there.
    pub(super) fn finish(self, valid: u64, pulled: u64, stopped_early: Option<String>) -> Settled {
        let mut summary = self.summary;
        summary.stopped_early = stopped_early;
        let in_flight = pulled.saturating_sub(self.reported);
        summary.unknown += in_flight;
        summary.not_tried = valid.saturating_sub(pulled);
        let accounted = summary.uploaded
            + summary.already_existed
            + summary.duplicates_in_input
            + summary.invalid
            + summary.blank
            + summary.failed
            + summary.unknown
            + summary.not_tried;
        if accounted != summary.lines {
            // Not expected (the lines come from one copy); still, the summary
            // is printed, and the run is not called complete.
            summary.stopped_early = Some(format!(
                "internal error: {accounted} lines accounted for, {} read; please report this",
                summary.lines
            ));
        }
        summary.complete = summary.failed == 0
            && summary.invalid == 0
            && summary.unknown == 0
            && summary.not_tried == 0
            && summary.stopped_early.is_none();
        Settled {
            summary,
            in_flight,
            journal_error: self.journal_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use wechatpay_bindings::couponcodes::bulk::CodeOutcome;

    use super::*;
    use crate::journal::Header;

    fn header() -> Header {
        Header::new(
            "http://127.0.0.1:1",
            "KEY",
            "1900000001",
            "98065001",
            "b1",
            "b1x",
        )
    }

    fn report(index: u64, first_line: u64, outcomes: Vec<Outcome>) -> ChunkReport {
        ChunkReport {
            index: Some(index),
            request_no: format!("b1x_{index}"),
            digest: format!("digest{index}"),
            codes: outcomes
                .into_iter()
                .enumerate()
                .map(|(at, outcome)| CodeOutcome {
                    position: first_line + at as u64,
                    code: format!("CODE{index}x{at}"),
                    outcome,
                })
                .collect(),
            error: None,
        }
    }

    fn summary(lines: u64) -> Summary {
        Summary {
            lines,
            ..Summary::default()
        }
    }

    #[test]
    fn only_chunks_answered_in_full_are_journaled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codes.journal");
        let mut journal = Journal::open(&path, &header()).unwrap();
        let mut settlement = Settlement::new(summary(6), &mut journal);
        let answered = report(
            0,
            1,
            vec![
                Outcome::Uploaded,
                Outcome::AlreadyExisted,
                Outcome::DuplicateInInput,
            ],
        );
        let lost = report(
            1,
            4,
            vec![
                Outcome::Uploaded,
                Outcome::Unknown {
                    reason: "the answer was cut short".into(),
                },
                Outcome::Failed {
                    code: "LENGTH_LIMIT".into(),
                    message: "too long".into(),
                },
            ],
        );
        assert_eq!(settlement.settle(&answered), 3);
        assert_eq!(settlement.settle(&lost), 3);
        let settled = settlement.finish(6, 6, None);
        let summary = settled.summary;
        assert_eq!(
            (
                summary.uploaded,
                summary.already_existed,
                summary.duplicates_in_input,
                summary.failed,
                summary.unknown
            ),
            (2, 1, 1, 1, 1)
        );
        assert_eq!(summary.unknowns[0].line, 5);
        assert!(!summary.complete);
        assert_eq!(settled.in_flight, 0);
        assert!(settled.journal_error.is_none());

        // What a rerun reads back: the first chunk, not the second.
        let reopened = Journal::open(&path, &header()).unwrap();
        assert_eq!(reopened.len(), 1);
        assert!(reopened.done(0, "digest0").is_some());
        assert!(reopened.done(1, "digest1").is_none());
    }

    #[test]
    fn a_chunk_whose_request_failed_is_sent_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codes.journal");
        let mut journal = Journal::open(&path, &header()).unwrap();
        let mut settlement = Settlement::new(summary(1), &mut journal);
        let mut refused = report(
            0,
            1,
            vec![Outcome::Failed {
                code: "SYSTEM_ERROR".into(),
                message: "try again".into(),
            }],
        );
        refused.error = Some(wechatpay_runtime::Error::absent("data"));
        settlement.settle(&refused);
        let settled = settlement.finish(1, 1, None);
        assert_eq!(settled.summary.failed, 1);
        assert!(!settled.summary.complete);
        assert!(Journal::open(&path, &header()).unwrap().is_empty());
    }

    #[test]
    fn a_resumed_chunk_counts_as_journaled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codes.journal");
        let mut journal = Journal::open(&path, &header()).unwrap();
        {
            let mut first = Settlement::new(summary(2), &mut journal);
            first.settle(&report(
                0,
                1,
                vec![Outcome::Uploaded, Outcome::AlreadyExisted],
            ));
        }
        // The rerun opens the journal the first run wrote.
        let mut journal = Journal::open(&path, &header()).unwrap();
        let mut settlement = Settlement::new(summary(2), &mut journal);
        let skipped = report(0, 1, vec![Outcome::Skipped, Outcome::Skipped]);
        assert_eq!(settlement.settle(&skipped), 2);
        let summary = settlement.finish(2, 2, None).summary;
        assert_eq!((summary.resumed_chunks, summary.from_journal), (1, 2));
        assert_eq!((summary.uploaded, summary.already_existed), (1, 1));
        assert!(summary.complete, "{summary:?}");
    }

    #[test]
    fn lines_in_flight_are_unknown_and_lines_never_read_not_tried() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j"), &header()).unwrap();
        let mut settlement = Settlement::new(summary(10), &mut journal);
        settlement.settle(&report(0, 1, vec![Outcome::Uploaded; 3]));
        // 7 lines read, 3 answered: 4 were in flight; 3 never read.
        let settled = settlement.finish(10, 7, Some("interrupted".into()));
        let summary = settled.summary;
        assert_eq!(settled.in_flight, 4);
        assert_eq!((summary.unknown, summary.not_tried), (4, 3));
        assert_eq!(summary.stopped_early.as_deref(), Some("interrupted"));
        assert!(!summary.complete);
    }

    #[test]
    fn a_summary_that_does_not_add_up_is_not_complete() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j"), &header()).unwrap();
        let mut settlement = Settlement::new(summary(3), &mut journal);
        settlement.settle(&report(0, 1, vec![Outcome::Uploaded; 2]));
        let summary = settlement.finish(2, 2, None).summary;
        assert!(!summary.complete);
        assert!(
            summary
                .stopped_early
                .as_deref()
                .is_some_and(|why| why.contains("2 lines accounted for, 3 read")),
            "{summary:?}"
        );
    }
}
