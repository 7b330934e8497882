//! Where Amazon's DynamoDB Local comes from and how it is started.
//!
//! Until the shared installer used by the conformance suite is on main, this
//! uses an already unpacked DynamoDB Local: `--ddb-local-dir DIR`, else
//! `$DYNAMODB_LOCAL_DIR`, else the machine's copy under /tmp/ddbl.

use crate::servers::{Launch, Target};
use std::path::{Path, PathBuf};

const DEFAULT_DIR: &str = "/tmp/ddbl/package/lib/dynamodb_local_2026-05-28";

/// The directory holding DynamoDBLocal.jar and DynamoDBLocal_lib.
pub fn directory(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match explicit {
        Some(dir) => dir.to_path_buf(),
        None => std::env::var_os("DYNAMODB_LOCAL_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_DIR)),
    };
    if dir.join("DynamoDBLocal.jar").is_file() {
        Ok(dir)
    } else {
        Err(format!("no DynamoDBLocal.jar in {} (give --ddb-local-dir DIR or --no-ddb-local)", dir.display()))
    }
}

/// DynamoDB Local in memory, as its documentation starts it.
pub fn target(dir: PathBuf) -> Target {
    let args = [
        "-Djava.library.path=./DynamoDBLocal_lib",
        "-jar",
        "DynamoDBLocal.jar",
        "-inMemory",
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        "{port}",
    ];
    Target {
        name: "DynamoDB Local".into(),
        launch: Launch::Command {
            program: "java".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            dir: Some(dir),
        },
        heavy: true,
    }
}
