//! Random files of codes (valid and invalid lines, duplicates near and far),
//! uploaded in random sequences of runs: reordered inputs, runs cut short at
//! random chunk boundaries, faults, and switches between two servers. After every
//! run the summary's buckets add up to the lines read; after a clean run against
//! a server, the server holds every valid code and the summary calls uploaded
//! exactly the codes that the server's record says this upload's requests imported.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use couponcodes::upload::{Finished, Summary, UploadArgs, execute};
use proptest::prelude::*;
use wechatpay_runtime::RetryPolicy;
use wechatpay_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig};

/// One line of an input file.
#[derive(Debug, Clone)]
enum Line {
    /// A valid code, from a small pool so that repeats happen.
    Code(u16),
    /// A line that is not a code.
    Invalid(u8),
}

fn render(line: &Line) -> String {
    match line {
        Line::Code(n) => format!("P{n:05}"),
        Line::Invalid(0) => String::new(),
        Line::Invalid(1) => " padded ".to_owned(),
        Line::Invalid(2) => "has\ttab".to_owned(),
        Line::Invalid(_) => "x".repeat(33),
    }
}

/// One run of the sequence.
#[derive(Debug, Clone)]
struct Step {
    /// Which server (0 or 1).
    server: usize,
    /// Reverse the input (a reordered export of the same codes).
    reversed: bool,
    /// Cut the run short once the journal records this many chunks.
    cut_after: Option<usize>,
    /// Inject faults into this run.
    faults: bool,
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        12 => (0u16..900).prop_map(Line::Code),
        1 => (0u8..4).prop_map(Line::Invalid),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..2,
        any::<bool>(),
        proptest::option::of(0usize..5),
        any::<bool>(),
    )
        .prop_map(|(server, reversed, cut_after, faults)| Step {
            server,
            reversed,
            cut_after,
            faults,
        })
}

fn faults(seed: u64) -> FaultPlan {
    FaultPlan {
        seed,
        rate: 0.3,
        kinds: vec![
            Fault::ServerError,
            Fault::DropBeforeHandling,
            Fault::DropAfterHandling,
            Fault::TruncatedResponse,
            Fault::TamperedBody,
        ],
        max_in_a_row: 1,
        path_prefix: "/v3/marketing/".into(),
        ..FaultPlan::default()
    }
}

fn args(stock: &str, input: &Path) -> UploadArgs {
    UploadArgs {
        stock_id: stock.to_owned(),
        input: input.display().to_string(),
        reading: Default::default(),
        skip_invalid: true,
        concurrency: 3,
        rate: None,
        batch_id: None,
        journal: None,
        json: true,
    }
}

/// Lines in all journals of `dir` (each run's journal sits beside its input).
fn journal_lines(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".journal"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|text| text.lines().count())
        .sum()
}

fn buckets(summary: &Summary) -> u64 {
    summary.uploaded
        + summary.already_existed
        + summary.duplicates_in_input
        + summary.invalid
        + summary.failed
        + summary.unknown
        + summary.not_tried
}

struct World {
    servers: [Sandbox; 2],
    runtime: tokio::runtime::Runtime,
}

fn world() -> &'static World {
    static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let servers = runtime.block_on(async {
            [
                Sandbox::start(SandboxConfig::default()).await.unwrap(),
                Sandbox::start(SandboxConfig::default()).await.unwrap(),
            ]
        });
        World { servers, runtime }
    })
}

fn check(lines: Vec<Line>, steps: Vec<Step>) -> Result<(), TestCaseError> {
    static CASES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let case = CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let world = world();
    let dir = tempfile::tempdir().unwrap();
    // A stock of its own on both servers for every case (and every shrink).
    let stock = format!("{}", 70_000_000 + case);
    for server in &world.servers {
        server.add_stock(&stock, "MERCHANT_UPLOAD");
    }
    let forward: Vec<String> = lines.iter().map(render).collect();
    let mut backward = forward.clone();
    backward.reverse();
    let valid: HashSet<String> = lines
        .iter()
        .filter(|l| matches!(l, Line::Code(_)))
        .map(render)
        .collect();
    let invalid = lines
        .iter()
        .filter(|l| matches!(l, Line::Invalid(_)))
        .count() as u64;
    let files: [PathBuf; 2] = [
        dir.path().join("forward.txt"),
        dir.path().join("backward.txt"),
    ];
    std::fs::write(&files[0], forward.join("\n") + "\n").unwrap();
    std::fs::write(&files[1], backward.join("\n") + "\n").unwrap();

    let mut used = HashSet::new();
    // Every sequence ends with a clean run of each upload it started.
    let mut plan = steps.clone();
    for step in &steps {
        plan.push(Step {
            cut_after: None,
            faults: false,
            ..step.clone()
        });
    }
    for (number, step) in plan.iter().enumerate() {
        let server = &world.servers[step.server];
        let held_before: HashSet<String> = server.codes(&stock).into_iter().collect();
        used.insert(step.server);
        if step.faults {
            server.set_faults(faults(case * 31 + number as u64));
        }
        let builder = server
            .client_builder()
            .timeout(Duration::from_secs(5))
            .retry(RetryPolicy {
                max_retries: 2,
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(20),
            });
        let journal_dir = dir.path().to_owned();
        let cut_after = step.cut_after;
        let before = journal_lines(&journal_dir);
        let interrupt = async move {
            match cut_after {
                // A new journal's header, then `n` chunks (or `n + 1` chunks of
                // a journal resumed).
                Some(n) => loop {
                    if journal_lines(&journal_dir) > before + n {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                },
                None => std::future::pending().await,
            }
        };
        let input = &files[usize::from(step.reversed)];
        let finished = world
            .runtime
            .block_on(execute(builder, args(&stock, input), interrupt))
            .map_err(|e| TestCaseError::fail(format!("run {number}: {e}")))?;
        server.set_faults(FaultPlan::default());
        let Finished::Ran {
            summary,
            interrupted,
        } = finished
        else {
            return Err(TestCaseError::fail(format!("run {number} refused")));
        };
        prop_assert_eq!(
            buckets(&summary),
            summary.lines,
            "run {}: {:?}",
            number,
            summary
        );
        prop_assert_eq!(summary.lines, lines.len() as u64);
        prop_assert_eq!(summary.invalid, invalid);
        let held_after: HashSet<String> = server.codes(&stock).into_iter().collect();
        prop_assert!(held_after.is_superset(&held_before), "nothing is lost");
        if interrupted || step.faults {
            continue;
        }
        // A clean run: everything is there, and the counts are the server's truth.
        prop_assert_eq!(
            summary.failed + summary.unknown + summary.not_tried,
            0,
            "{:?}",
            summary
        );
        prop_assert!(
            held_after.is_superset(&valid),
            "run {}: every code is held",
            number
        );
        // Uploaded means imported by this upload's requests, in this run or one
        // it resumed; codes another upload imported first are already there.
        let imported = server.imported_by(&summary.batch_id);
        prop_assert_eq!(
            summary.uploaded,
            imported.len() as u64,
            "run {}: {:?}",
            number,
            summary
        );
        prop_assert!(imported.is_subset(&valid));
        prop_assert_eq!(
            summary.uploaded + summary.already_existed + summary.duplicates_in_input + invalid,
            lines.len() as u64
        );
    }
    // No server holds anything it was not sent.
    for (index, server) in world.servers.iter().enumerate() {
        let held: HashSet<String> = server.codes(&stock).into_iter().collect();
        if used.contains(&index) {
            prop_assert_eq!(held, valid.clone());
        } else {
            prop_assert!(held.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        // Shrinking reruns whole upload sequences; the first failure says enough.
        max_shrink_iters: 32,
        ..ProptestConfig::default()
    })]

    #[test]
    fn summaries_are_exact_against_the_servers_state(
        lines in proptest::collection::vec(line(), 1..1500),
        steps in proptest::collection::vec(step(), 1..4),
    ) {
        check(lines, steps)?;
    }
}
