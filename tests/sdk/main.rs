//! Integration tests: every behaviour a user can see, through the real
//! `aws-sdk-dynamodb` client against `harness::start()`.

mod backups;
mod batch;
mod cli;
mod clients;
mod clock;
mod concurrency;
mod console;
mod embedded;
mod exports;
mod expressions;
mod faults;
mod fixture_forks;
mod fixtures;
mod global_tables;
mod indexes;
mod integrations;
mod items;
mod lifecycle;
mod metadata;
mod multi_key_indexes;
mod namespaces;
mod partiql;
mod point_in_time;
mod protocol;
mod query;
mod scan;
mod seeds_forum;
mod seeds_forum_ttl;
mod seeds_user_aggregate;
mod seeds_user_aggregate_ttl;
mod seeds_user_model;
mod signatures;
mod streams;
mod tables;
mod ticket_office;
mod ticket_office_projection;
mod transactions;
mod ttl;
mod vectors;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;

/// The error code and message of a failed SDK call.
pub fn error_of<E: ProvideErrorMetadata, R: std::fmt::Debug>(result: Result<R, E>) -> (String, String) {
    let err = result.expect_err("the call should fail");
    (err.code().unwrap_or_default().to_string(), err.message().unwrap_or_default().to_string())
}
