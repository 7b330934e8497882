//! Conformance: scenarios and differential runs that compare the emulator
//! with Amazon's DynamoDB Local (and, given credentials, DynamoDB itself).
//!
//! - `scenario`: the corpus format (`scenarios/*.json`), raw wire requests
//!   with real DynamoDB's normalized answers, and `${N/pointer}` references
//!   to earlier answers;
//! - `target`: signed raw requests to the emulator, DynamoDB Local or a URL;
//! - `normalize`: what two correct answers may differ in;
//! - `differences`: known DynamoDB Local departures from real DynamoDB;
//! - `runner`: plays scenarios and tabulates matches per operation;
//! - `generate`: the Rust source of the corpus, one module per scenarios file
//!   (recorded with `record`);
//! - `differential`: proptest strategies for random tables and operation sequences.

pub mod differences;
pub mod differential;
pub mod generate;
pub mod normalize;
pub mod runner;
pub mod scenario;
pub mod target;

pub use runner::{run_corpus, run_scenario, Report};
pub use scenario::{Expect, Scenario, Step};
pub use target::{Kind, Target};

/// The emulator the runner compares: answering browsers (CORS) for any origin,
/// as DynamoDB and DynamoDB Local (whose `-cors` defaults to `*`) do, where the
/// binary's default is no CORS at all.
pub async fn start_emulator() -> harness::Emulator {
    harness::start_with_options(harness::ServerOptions::default().cors(harness::Cors::Any)).await
}
