//! The whole corpus against the emulator (in process) and DynamoDB Local
//! (installed and started by the harness). Any mismatch that is not a listed
//! known difference fails the test; the report prints the per-operation table.

use conformance::{differences, runner, scenario, Kind, Target};

fn corpus() -> Vec<scenario::Scenario> {
    let corpus = scenario::load_corpus(&scenario::corpus_dir()).expect("the corpus loads");
    assert!(corpus.len() >= 250, "the corpus has {} scenarios", corpus.len());
    corpus
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_matches_on_the_emulator() {
    let known = differences::known().expect("the known-differences list loads");
    let emulator = conformance::start_emulator().await;
    let target = Target::local(Kind::Emulator, emulator.endpoint()).unwrap();
    let report = runner::run_corpus(&target, &corpus(), &known).await;
    println!("emulator:\n{report}");
    assert_eq!(report.failed(), 0, "unexpected mismatches on the emulator:\n{}", report.failures());
    assert!(report.passed() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_matches_on_dynamodb_local() {
    let Some(oracle) = harness::dynamodb_local().await else { return };
    let known = differences::known().expect("the known-differences list loads");
    let target = Target::local(Kind::DynamoDbLocal, oracle.endpoint()).unwrap();
    let corpus = corpus();
    let report = runner::run_corpus(&target, &corpus, &known).await;
    println!("DynamoDB Local:\n{report}");
    assert_eq!(report.failed(), 0, "unexpected mismatches on DynamoDB Local:\n{}", report.failures());
    assert_eq!(report.passed(), corpus.len(), "nothing is skipped on DynamoDB Local");
}
