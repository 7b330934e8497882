//! Known differences between DynamoDB Local and real DynamoDB that the corpus
//! meets. Each entry names the scenarios (and optionally the step) it covers,
//! what real DynamoDB does with its documented source, and what DynamoDB
//! Local does. Against DynamoDB Local the runner accepts DynamoDB Local's
//! answer for those steps; every other target must give real DynamoDB's.
//!
//! The list lives in `differences/known.json`; the prose notes, one file per
//! topic, are in `differences/*.md` (`differences/README.md` is the index).

use crate::scenario::Expect;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DifferenceKind {
    /// DynamoDB Local departs from real DynamoDB; the emulator follows DynamoDB.
    #[default]
    DdbLocal,
    /// The emulator does not yet give DynamoDB's answer (a listed, open gap).
    EmulatorGap,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Difference {
    pub id: String,
    #[serde(default)]
    pub kind: DifferenceKind,
    /// Scenario names covered; `*` matches any run of characters.
    pub scenarios: Vec<String>,
    /// Only steps of these operations (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
    /// The step index covered; all steps when absent.
    #[serde(default)]
    pub step: Option<usize>,
    /// What real DynamoDB does (our emulator follows it).
    pub real_dynamodb: String,
    /// Where that is documented.
    pub source: String,
    /// What DynamoDB Local does instead.
    pub ddb_local: String,
    /// DynamoDB Local's exact answers (one of them), when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ddb_local_answers: Vec<Expect>,
    /// Fields (at any depth) DynamoDB Local adds or omits; when given, its
    /// answer must equal real DynamoDB's with these fields removed from both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_fields: Vec<String>,
}

impl Difference {
    /// Does DynamoDB Local's `actual` answer fit this difference, given real
    /// DynamoDB's `expected`?
    pub fn accepts(&self, expected: Option<&Expect>, actual: &Expect) -> bool {
        if !self.ddb_local_answers.is_empty() {
            return self.ddb_local_answers.contains(actual);
        }
        if self.ignore_fields.is_empty() {
            return true;
        }
        let Some(expected) = expected else { return false };
        expected.status == actual.status
            && strip(&expected.body, &self.ignore_fields) == strip(&actual.body, &self.ignore_fields)
    }

    pub fn covers(&self, scenario: &str, step: usize, operation: &str) -> bool {
        self.step.is_none_or(|s| s == step)
            && (self.operations.is_empty() || self.operations.iter().any(|o| o == operation))
            && self.scenarios.iter().any(|pattern| glob(pattern, scenario))
    }
}

pub fn load(path: &Path) -> Result<Vec<Difference>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("parse {}: {e}", path.display()))
}

/// The checked-in list.
pub fn known() -> Result<Vec<Difference>, String> {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("differences").join("known.json"))
}

/// The differences of `kind` covering a step.
pub fn covering<'a>(
    list: &'a [Difference],
    kind: DifferenceKind,
    scenario: &'a str,
    step: usize,
    operation: &'a str,
) -> impl Iterator<Item = &'a Difference> + 'a {
    list.iter().filter(move |d| d.kind == kind && d.covers(scenario, step, operation))
}

/// The first known DynamoDB Local difference covering a step that accepts
/// DynamoDB Local's `actual` answer against real DynamoDB's `expected`.
pub fn accepting<'a>(
    list: &'a [Difference],
    scenario: &'a str,
    step: usize,
    operation: &'a str,
    expected: Option<&Expect>,
    actual: &Expect,
) -> Option<&'a Difference> {
    covering(list, DifferenceKind::DdbLocal, scenario, step, operation).find(|d| d.accepts(expected, actual))
}

/// `*` matches any run of characters; everything else literally.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_prefixes_suffixes_and_middles() {
        assert!(glob("PutItem/key-*-missing-hash", "PutItem/key-S-N-missing-hash"));
        assert!(!glob("PutItem/key-*-missing-hash", "PutItem/key-S-N-missing-range"));
        assert!(glob("*", "anything"));
        assert!(glob("GetItem/existing", "GetItem/existing"));
        assert!(!glob("GetItem/existing", "GetItem/existing-2"));
        assert!(glob("Get*", "GetItem/x"));
    }
}

fn strip(value: &serde_json::Value, fields: &[String]) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| !fields.contains(k)).map(|(k, v)| (k.clone(), strip(v, fields))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, fields)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod list_tests {
    use super::*;

    #[test]
    fn the_checked_in_list_parses_and_covers() {
        let list = known().unwrap();
        let ids = |name, op| {
            covering(&list, DifferenceKind::DdbLocal, name, 0, op).map(|d| d.id.as_str()).collect::<Vec<_>>()
        };
        assert!(ids("ListTables/limit-zero", "ListTables").contains(&"constraint-validation-messages"));
        assert!(ids("CreateTable/name-too-short", "CreateTable").contains(&"table-name-constraints"));
        assert!(ids("Streams/enable-twice", "UpdateTable").contains(&"stream-toggle-messages"));
        assert!(ids("TimeToLive/update-long-attribute-name", "UpdateTimeToLive")
            .contains(&"ttl-constraint-validation-messages"));
        // The gap it used to be listed under is closed: no emulator gap covers it.
        let gaps = covering(
            &list,
            DifferenceKind::EmulatorGap,
            "TimeToLive/update-long-attribute-name",
            1,
            "UpdateTimeToLive",
        );
        assert_eq!(gaps.count(), 0);
    }
}
