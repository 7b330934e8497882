//! The scenario format: a named sequence of raw wire requests, each with the
//! response real DynamoDB gives (normalized, see `normalize`).
//!
//! Table names in requests and expectations may contain `$P`, replaced by a
//! per-run prefix so scenarios never collide (on a shared DynamoDB Local or in
//! a real account).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The placeholder for the per-run table-name prefix.
pub const PREFIX: &str = "$P";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Scenario {
    /// Unique, stable: `family/case`. Known differences refer to it.
    pub name: String,
    /// What the scenario shows, in one sentence.
    pub doc: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Step {
    /// Wire operation name (`X-Amz-Target: DynamoDB_20120810.<op>`).
    pub op: String,
    /// The raw JSON request body.
    pub body: Value,
    /// Real DynamoDB's (normalized) answer. Generators leave it out where
    /// DynamoDB Local's recorded answer is the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Expect {
    pub status: u16,
    pub body: Value,
}

impl Expect {
    pub fn ok(body: Value) -> Self {
        Expect { status: 200, body }
    }

    /// An error answer: `__type` without its namespace, and the exact message.
    pub fn error(kind: &str, message: &str) -> Self {
        Expect { status: 400, body: serde_json::json!({ "__type": kind, "message": message }) }
    }
}

impl Scenario {
    pub fn new(name: impl Into<String>, doc: impl Into<String>) -> Self {
        Scenario { name: name.into(), doc: doc.into(), steps: Vec::new() }
    }

    /// Adds a step whose answer is recorded from DynamoDB Local.
    pub fn step(mut self, op: &str, body: Value) -> Self {
        self.steps.push(Step { op: op.to_string(), body, expect: None });
        self
    }

    /// Adds a step with a known answer.
    pub fn expect(mut self, op: &str, body: Value, expect: Expect) -> Self {
        self.steps.push(Step { op: op.to_string(), body, expect: Some(expect) });
        self
    }

    /// The operations the scenario uses.
    pub fn operations(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.op.as_str())
    }

    /// The operation under test: the family name's operation, else the last step's.
    pub fn family(&self) -> &str {
        self.name.split('/').next().unwrap_or(&self.name)
    }
}

/// Loads every `*.json` file (an array of scenarios) in `dir`, sorted by file name.
pub fn load_corpus(dir: &Path) -> Result<Vec<Scenario>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("read {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("read {}: {e}", file.display()))?;
        let scenarios: Vec<Scenario> =
            serde_json::from_str(&text).map_err(|e| format!("parse {}: {e}", file.display()))?;
        all.extend(scenarios);
    }
    let mut names = std::collections::HashSet::new();
    for s in &all {
        if !names.insert(s.name.as_str()) {
            return Err(format!("duplicate scenario name {}", s.name));
        }
    }
    Ok(all)
}

/// The checked-in corpus directory.
pub fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}
