//! The scenario format: a named sequence of raw wire requests, each with the
//! response real DynamoDB gives (normalized, see `normalize`).
//!
//! Table names in requests and expectations may contain `$P`, replaced by a
//! per-run prefix so scenarios never collide (on a shared DynamoDB Local or in
//! a real account).
//!
//! A request may use what an earlier step's answer held (stream ARNs, shard
//! ids, shard iterators and sequence numbers are made up by the server): a
//! string of the body containing `${N/POINTER}` gets, in its place, the value
//! at the JSON pointer `/POINTER` of step `N`'s raw (not normalized) answer,
//! steps counted from 0 in the same playing of the scenario, e.g.
//! `"StreamArn": "${0/TableDescription/LatestStreamArn}"`. A string value is
//! put in as it is, any other value as its JSON text. References are replaced
//! after the `$P` prefix, so captured values are never rewritten; a reference
//! to a later step or to a pointer the answer lacks fails the step. Generators
//! write them with [`answer`]. (A reference names the step it reads rather
//! than a capture the step declares: steps keep their three fields.) Each
//! target has its own playing (`runner::Playback`), so a reference reads that
//! target's answers.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The placeholder for the per-run table-name prefix.
pub const PREFIX: &str = "$P";

/// The family whose expectations were recorded from real DynamoDB (dynalite's
/// test suite, LocalStack's AWS snapshots, the API reference), written by hand
/// in its generator: `record` keeps them and never records DynamoDB Local's
/// answers in their place, and the runner counts its scenarios apart.
pub const DYNAMODB_RECORDED_FAMILY: &str = "RealDynamoDb";

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
    /// Wire operation name (`X-Amz-Target: DynamoDB_20120810.<op>`, or
    /// `DynamoDBStreams_20120810.<op>` for the Streams operations).
    pub op: String,
    /// The raw JSON request body, with `$P` and `${N/pointer}` placeholders.
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

    /// Are the expected answers real DynamoDB's recorded ones (the
    /// [`DYNAMODB_RECORDED_FAMILY`]) rather than DynamoDB Local's?
    pub fn recorded_from_dynamodb(&self) -> bool {
        recorded_from_dynamodb(&self.name)
    }

    /// The index the next added step will have (for [`answer`] references).
    pub fn next_step(&self) -> usize {
        self.steps.len()
    }
}

/// Is the scenario called `name` one of the [`DYNAMODB_RECORDED_FAMILY`]?
pub fn recorded_from_dynamodb(name: &str) -> bool {
    name.split('/').next() == Some(DYNAMODB_RECORDED_FAMILY)
}

/// The reference to the value at `pointer` (a JSON pointer, `/A/0/B`) of step
/// `step`'s answer: `${step/A/0/B}`.
pub fn answer(step: usize, pointer: &str) -> String {
    format!("${{{step}{pointer}}}")
}

/// Replaces every `${N/POINTER}` reference in the strings of `body` by the
/// value it names in `answers` (the raw answers of the steps played so far).
/// Text that is not a reference (no step number after `${`) is left alone.
pub fn substitute(body: &Value, answers: &[Value]) -> Result<Value, String> {
    Ok(match body {
        Value::String(s) => Value::String(substitute_str(s, answers)?),
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, answers)).collect::<Result<_, _>>()?),
        Value::Object(map) => Value::Object(
            map.iter().map(|(k, v)| Ok((k.clone(), substitute(v, answers)?))).collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

fn substitute_str(text: &str, answers: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        let after = &rest[at + 2..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let Some(end) = after.find('}').filter(|_| digits > 0) else {
            out.push_str(&rest[..at + 2]);
            rest = after;
            continue;
        };
        let (step, pointer) = after[..end].split_at(digits);
        let step: usize = step.parse().map_err(|e| format!("reference ${{{}}}: {e}", &after[..end]))?;
        let value = answers
            .get(step)
            .ok_or_else(|| format!("reference ${{{}}}: step {step} has not been played", &after[..end]))?
            .pointer(pointer)
            .ok_or_else(|| format!("reference ${{{}}}: step {step}'s answer has no {pointer}", &after[..end]))?;
        out.push_str(&rest[..at]);
        match value {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_replaced_by_earlier_answers() {
        let answers = vec![
            json!({"TableDescription": {"LatestStreamArn": "arn:x/stream/1"}}),
            json!({"Shards": [{"ShardId": "shardId-1"}], "Count": 3}),
        ];
        let body = json!({
            "StreamArn": answer(0, "/TableDescription/LatestStreamArn"),
            "Both": format!("{}|{}", answer(1, "/Shards/0/ShardId"), answer(1, "/Count")),
            "Plain": "${not a reference} $P ${",
        });
        assert_eq!(
            substitute(&body, &answers).unwrap(),
            json!({"StreamArn": "arn:x/stream/1", "Both": "shardId-1|3", "Plain": "${not a reference} $P ${"})
        );
        assert!(substitute(&json!(answer(2, "/x")), &answers).unwrap_err().contains("not been played"));
        assert!(substitute(&json!(answer(1, "/Missing")), &answers).unwrap_err().contains("has no /Missing"));
    }
}
