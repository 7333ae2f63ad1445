//! The upload's progress on the terminal: a bar with rate and ETA, or a
//! plain line every few seconds when standard error is not a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Progress on a terminal (a bar with rate and ETA), or a plain line every few seconds.
pub(super) enum Progress {
    Bar(ProgressBar),
    Lines {
        total: u64,
        done: u64,
        started: Instant,
        last: Instant,
    },
}

impl Progress {
    pub(super) fn new(total: u64) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40.cyan/blue} {pos}/{len} codes  {per_sec}  ETA {eta}",
                )
                .expect("a valid template"),
            );
            Progress::Bar(bar)
        } else {
            let now = Instant::now();
            Progress::Lines {
                total,
                done: 0,
                started: now,
                last: now,
            }
        }
    }

    pub(super) fn advance(&mut self, codes: u64) {
        match self {
            Progress::Bar(bar) => bar.inc(codes),
            Progress::Lines {
                total,
                done,
                started,
                last,
            } => {
                *done += codes;
                if last.elapsed() >= Duration::from_secs(2) || *done >= *total {
                    let rate = *done as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    eprintln!("progress: {done}/{total} codes ({rate:.0}/s)");
                    *last = Instant::now();
                }
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.abandon();
        }
    }
}
