//! Bulk upload of 100,000 codes through the bindings and the runtime, with faults
//! injected on a fifth of the requests: the sandbox ends up holding exactly the
//! input set, and the report accounts for every input code exactly once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::stream;
use wechatpay_bindings::couponcodes::bulk::{BulkOptions, Outcome};
use wechatpay_bindings::couponcodes::upload_codes;
use wechatpay_e2e::{quick_retries, sandbox_with};
use wechatpay_sandbox::{DEFAULT_STOCK, Fault, FaultPlan, SandboxConfig};

const CODES: usize = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_codes_under_faults() {
    let sandbox = sandbox_with(SandboxConfig {
        faults: FaultPlan {
            seed: 20_261_128,
            rate: 0.2,
            kinds: Fault::ALL.to_vec(),
            max_in_a_row: 2,
            delay: Duration::from_millis(400),
            path_prefix: "/v3/".to_owned(),
        },
        ..SandboxConfig::default()
    })
    .await;
    let client = sandbox
        .client_builder()
        .timeout(Duration::from_millis(250))
        .retry(quick_retries())
        .build()
        .unwrap();

    // The input: 100,000 distinct valid codes, each tenth one repeated right
    // away, and a few invalid lines.
    let mut input: Vec<String> = Vec::new();
    let mut valid: HashSet<String> = HashSet::new();
    for i in 0..CODES {
        let code = format!("BULK{i:07}");
        valid.insert(code.clone());
        input.push(code.clone());
        if i % 10 == 0 {
            input.push(code);
        }
        if i % 25_000 == 0 {
            input.push("has\ttab".to_owned());
            input.push("x".repeat(33));
        }
    }
    let total_input = input.len();
    let lines = stream::iter(
        input
            .clone()
            .into_iter()
            .enumerate()
            .map(|(i, code)| (i as u64 + 1, code)),
    );

    let mut options = BulkOptions::new("bulk-e2e");
    options.concurrency = 8;
    let mut seen_positions: HashMap<u64, Outcome> = HashMap::new();
    let summary = upload_codes(&client, DEFAULT_STOCK, lines, options, |report| {
        for code in &report.codes {
            let previous = seen_positions.insert(code.position, code.outcome.clone());
            assert!(previous.is_none(), "line {} reported twice", code.position);
        }
    })
    .await
    .unwrap();

    // Every input line is accounted for exactly once.
    assert_eq!(seen_positions.len(), total_input);
    assert_eq!(summary.total as usize, total_input);
    assert_eq!(summary.stopped, None);
    assert_eq!(summary.unknown, 0, "{summary:?}");
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert_eq!(summary.invalid, 8);
    assert_eq!(summary.uploaded as usize, CODES, "{summary:?}");
    // A repeat in the same chunk is a duplicate; one that fell into the next
    // chunk is what WeChat Pay answers for it: already existing.
    let repeats = (total_input - CODES - 8) as u64;
    assert_eq!(
        summary.duplicates + summary.already_existed,
        repeats,
        "{summary:?}"
    );
    assert!(summary.already_existed < repeats / 50, "{summary:?}");
    assert_eq!(
        summary.requests,
        (total_input as u64 - 8).div_ceil(200),
        "one request per chunk of 200"
    );

    // The server holds exactly the input set: nothing lost, nothing twice.
    let held = sandbox.codes(DEFAULT_STOCK);
    assert_eq!(held.len(), CODES);
    let held: HashSet<String> = held.into_iter().collect();
    assert_eq!(held, valid);

    // The faults really happened, and retried uploads were answered from the
    // first result instead of being imported again.
    let injected: u64 = sandbox.faults_injected().values().sum();
    assert!(injected > 50, "{:?}", sandbox.faults_injected());
    assert!(sandbox.stats().upload_replays > 0, "{:?}", sandbox.stats());
}

/// A chunk WeChat Pay imported but whose answer was lost, then refused on
/// every retry (`500 SYSTEM_ERROR` before handling): the codes are on the
/// server, so they are `unknown` (a rerun settles them), never `failed`.
#[tokio::test]
async fn a_chunk_whose_answer_was_lost_is_unknown_whatever_the_retries_say() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    let retries = quick_retries();
    let client = sandbox
        .client_builder()
        .retry(retries.clone())
        .build()
        .unwrap();
    // The first attempt is handled and its answer dropped; every retry
    // meets a 500 before it is handled.
    let mut faults = vec![Fault::DropAfterHandling];
    faults.extend(std::iter::repeat_n(
        Fault::ServerError,
        retries.max_retries as usize,
    ));
    sandbox.push_faults(&faults);
    let lines = stream::iter(vec![(1, "LOST-1".to_owned()), (2, "LOST-2".to_owned())]);
    let mut outcomes = Vec::new();
    let summary = upload_codes(
        &client,
        DEFAULT_STOCK,
        lines,
        BulkOptions::new("lost-answer"),
        |report| outcomes.extend(report.codes.iter().map(|c| c.outcome.clone())),
    )
    .await
    .unwrap();
    assert_eq!(
        sandbox.codes(DEFAULT_STOCK),
        ["LOST-1", "LOST-2"],
        "the server holds them"
    );
    assert_eq!((summary.failed, summary.unknown), (0, 2), "{summary:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Unknown { .. })),
        "{outcomes:?}"
    );
}
