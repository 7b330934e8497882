//! Differential property test: random tables and operation sequences on the
//! emulator and on DynamoDB Local must give the same answers and leave the
//! same contents. `CONFORMANCE_CASES=N` runs N cases (default 32);
//! `CONFORMANCE_RANDOM=1` draws fresh cases instead of CI's fixed sequence;
//! `CONFORMANCE_ALL=1` runs every case and lists all divergences.

use conformance::differential::{case, cases, run_case};
use conformance::{Kind, Target};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

#[test]
fn emulator_and_dynamodb_local_agree_on_random_operation_sequences() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let Some(oracle) = rt.block_on(harness::dynamodb_local()) else { return };
    let emulator = rt.block_on(conformance::start_emulator());
    let (ours, local) = rt.block_on(async {
        (
            Target::local(Kind::Emulator, emulator.endpoint()).unwrap(),
            Target::local(Kind::DynamoDbLocal, oracle.endpoint()).unwrap(),
        )
    });
    let config = Config { cases: cases(32), max_shrink_iters: 200, failure_persistence: None, ..Config::default() };
    // CI replays the same cases every run; CONFORMANCE_RANDOM=1 explores new ones.
    let mut runner = if std::env::var("CONFORMANCE_RANDOM").is_ok_and(|v| v == "1") {
        TestRunner::new(config.clone())
    } else {
        TestRunner::new_with_rng(config.clone(), TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    };
    // CONFORMANCE_ALL=1 runs every case and lists each divergence (first line:
    // the step, its request and both answers) instead of stopping and shrinking.
    let keep_going = std::env::var("CONFORMANCE_ALL").is_ok_and(|v| v == "1");
    let found = std::sync::Mutex::new(Vec::new());
    let ran = std::sync::atomic::AtomicU32::new(0);
    let result = runner.run(&case(), |(spec, ops)| {
        ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let outcome = rt.block_on(run_case(&ours, &local, &spec, &ops));
        match outcome {
            Err(e) if keep_going => {
                let first = e.lines().next().unwrap_or_default().to_string();
                println!("DIVERGENCE {first}");
                found.lock().unwrap().push(first);
                Ok(())
            }
            other => other.map_err(TestCaseError::fail),
        }
    });
    let runs = ran.into_inner();
    if let Err(e) = result {
        panic!("the emulator diverged from DynamoDB Local ({runs} runs including shrinking):\n{e}");
    }
    let found = found.into_inner().unwrap();
    if !found.is_empty() {
        panic!("{} of {runs} cases diverged:\n{}", found.len(), found.join("\n"));
    }
    println!("differential: {} cases, no divergence", config.cases);
}
