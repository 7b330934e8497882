//! Playing scenarios against a target and comparing normalized answers.

use crate::differences::{self, Difference, DifferenceKind};
use crate::normalize;
use crate::scenario::{self, Expect, Scenario};
use crate::target::{Answer, Kind, Target};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug)]
pub enum Outcome {
    Match,
    /// DynamoDB Local answered as the named known difference says.
    KnownDifference(String),
    /// The emulator missed, as the named open gap says.
    KnownGap(String),
    Mismatch {
        expected: Option<Expect>,
        actual: Expect,
    },
    /// The request could not be sent or answered.
    Failed(String),
}

#[derive(Clone, Debug)]
pub struct StepResult {
    pub op: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug)]
pub struct ScenarioResult {
    pub name: String,
    /// Why the scenario was not run (an operation the emulator lacks).
    pub skipped: Option<String>,
    pub steps: Vec<StepResult>,
}

impl ScenarioResult {
    pub fn passed(&self) -> bool {
        self.skipped.is_none()
            && self
                .steps
                .iter()
                .all(|s| matches!(s.outcome, Outcome::Match | Outcome::KnownDifference(_) | Outcome::KnownGap(_)))
    }
}

/// A fresh table-name prefix: 12 characters, unique per scenario run.
pub fn fresh_prefix() -> String {
    format!("cf{}_", &uuid::Uuid::new_v4().simple().to_string()[..9])
}

/// Plays one scenario, then deletes the tables it created.
pub async fn run_scenario(target: &Target, scenario: &Scenario, known: &[Difference]) -> ScenarioResult {
    if target.kind == Kind::Emulator {
        if let Some(op) = scenario.operations().find(|op| emulator::Operation::from_name(op).is_none()) {
            return ScenarioResult {
                name: scenario.name.clone(),
                skipped: Some(format!("{op} not implemented")),
                steps: Vec::new(),
            };
        }
    }
    let mut playback = Playback::new(target, fresh_prefix());
    let mut steps = Vec::new();
    for (index, step) in scenario.steps.iter().enumerate() {
        let outcome = match playback.step(&step.op, &step.body).await {
            Err(e) => Outcome::Failed(e),
            Ok(actual) => judge(target.kind, scenario, index, step.expect.as_ref(), actual, known),
        };
        steps.push(StepResult { op: step.op.clone(), outcome });
    }
    playback.clean_up().await;
    ScenarioResult { name: scenario.name.clone(), skipped: None, steps }
}

/// One playing of a scenario on one target: the run's table-name prefix, the
/// raw answers so far (what `${N/pointer}` references read, see `scenario`)
/// and the tables created, deleted by [`Playback::clean_up`].
pub struct Playback<'a> {
    target: &'a Target,
    prefix: String,
    answers: Vec<Value>,
    created: Vec<String>,
    /// Whether an earlier step was answered with an error.
    refused_before: bool,
}

impl<'a> Playback<'a> {
    pub fn new(target: &'a Target, prefix: String) -> Self {
        Playback { target, prefix, answers: Vec::new(), created: Vec::new(), refused_before: false }
    }

    /// Sends the next step (its body with the prefix and references filled
    /// in) and normalizes the answer. A step that cannot be sent still counts:
    /// references to it fail.
    pub async fn step(&mut self, op: &str, body: &Value) -> Result<Expect, String> {
        let sent = self.send(op, body).await;
        self.answers.push(sent.as_ref().map_or(Value::Null, |(_, answer)| answer.body.clone()));
        let (body, Answer { status, body: answer }) = sent?;
        self.refused_before |= status != 200;
        // Tables a step made, deleted at the end: created, restored or imported.
        let made = match op {
            _ if status != 200 => None,
            "CreateTable" => body.get("TableName"),
            "RestoreTableFromBackup" | "RestoreTableToPointInTime" => body.get("TargetTableName"),
            "ImportTable" => body.pointer("/TableCreationParameters/TableName"),
            _ => None,
        };
        if let Some(name) = made.and_then(Value::as_str) {
            self.created.push(name.to_string());
        }
        Ok(Expect { status, body: normalize::response(op, &self.prefix, answer) })
    }

    async fn send(&self, op: &str, body: &Value) -> Result<(Value, Answer), String> {
        let prefixed = normalize::prefix(body, &self.prefix);
        let body = match scenario::substitute(&prefixed, &self.answers) {
            Ok(body) => body,
            // A reference into a step that was refused (DynamoDB Local lacks
            // the operation that makes a backup): sent as written, the target
            // answers it as any request of that operation.
            Err(_) if self.refused_before => prefixed,
            Err(e) => return Err(e),
        };
        let answer = self.target.send(op, &body).await?;
        let changes_status = matches!(op, "CreateTable" | "UpdateTable");
        if self.target.kind == Kind::Remote && changes_status && answer.status == 200 {
            wait_until_active(self.target, &body).await;
        }
        Ok((body, answer))
    }

    /// Deletes the tables the scenario created.
    pub async fn clean_up(self) {
        for table in self.created {
            let delete = json!({ "TableName": table });
            let answer = self.target.send("DeleteTable", &delete).await;
            // A table the scenario protected against deletion: unprotected, then deleted
            // (left behind, it would show in other scenarios' ListTables).
            if answer.is_ok_and(|a| a.status == 400 && a.body.to_string().contains("protected against deletion")) {
                let unprotect = json!({ "TableName": table, "DeletionProtectionEnabled": false });
                let _ = self.target.send("UpdateTable", &unprotect).await;
                let _ = self.target.send("DeleteTable", &delete).await;
            }
        }
    }
}

fn judge(
    kind: Kind,
    scenario: &Scenario,
    index: usize,
    expected: Option<&Expect>,
    actual: Expect,
    known: &[Difference],
) -> Outcome {
    if expected == Some(&actual) {
        return Outcome::Match;
    }
    let op = &scenario.steps[index].op;
    if kind == Kind::Emulator {
        if let Some(gap) = differences::covering(known, DifferenceKind::EmulatorGap, &scenario.name, index, op).next() {
            return Outcome::KnownGap(gap.id.clone());
        }
    }
    if kind == Kind::DynamoDbLocal {
        if let Some(difference) = differences::accepting(known, &scenario.name, index, op, expected, &actual) {
            return Outcome::KnownDifference(difference.id.clone());
        }
    }
    Outcome::Mismatch { expected: expected.cloned(), actual }
}

/// Real DynamoDB creates and updates tables asynchronously; later steps need them ACTIVE.
async fn wait_until_active(target: &Target, create: &Value) {
    let Some(name) = create.get("TableName") else { return };
    for _ in 0..120 {
        if let Ok(answer) = target.send("DescribeTable", &json!({ "TableName": name })).await {
            if answer.body.pointer("/Table/TableStatus").and_then(Value::as_str) == Some("ACTIVE") {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Every scenario's result, and a per-operation table over steps.
#[derive(Default, Debug)]
pub struct Report {
    pub results: Vec<ScenarioResult>,
}

#[derive(Default, Debug, Clone, Copy)]
pub struct OpCounts {
    pub matched: usize,
    pub known: usize,
    pub gaps: usize,
    pub mismatched: usize,
    pub skipped_scenarios: usize,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.skipped.is_none() && !r.passed()).count()
    }
    pub fn skipped(&self) -> usize {
        self.results.iter().filter(|r| r.skipped.is_some()).count()
    }

    pub fn per_operation(&self) -> BTreeMap<String, OpCounts> {
        let mut table: BTreeMap<String, OpCounts> = BTreeMap::new();
        for result in &self.results {
            if result.skipped.is_some() {
                let op = result.name.split('/').next().unwrap_or(&result.name).to_string();
                table.entry(op).or_default().skipped_scenarios += 1;
            }
            for step in &result.steps {
                let counts = table.entry(step.op.clone()).or_default();
                match step.outcome {
                    Outcome::Match => counts.matched += 1,
                    Outcome::KnownDifference(_) => counts.known += 1,
                    Outcome::KnownGap(_) => counts.gaps += 1,
                    _ => counts.mismatched += 1,
                }
            }
        }
        table
    }

    /// The failures, each with the first diverging step (replayable by name).
    pub fn failures(&self) -> String {
        let mut out = String::new();
        for result in self.results.iter().filter(|r| r.skipped.is_none() && !r.passed()) {
            for (i, step) in result.steps.iter().enumerate() {
                match &step.outcome {
                    Outcome::Mismatch { expected, actual } => {
                        let expected = expected.as_ref().map(|e| json!({"status": e.status, "body": e.body}));
                        out += &format!(
                            "FAIL {} step {i} ({}):\n  expected {}\n  actual   {}\n",
                            result.name,
                            step.op,
                            expected.unwrap_or(Value::Null),
                            json!({"status": actual.status, "body": actual.body})
                        );
                    }
                    Outcome::Failed(e) => out += &format!("FAIL {} step {i} ({}): {e}\n", result.name, step.op),
                    _ => {}
                }
            }
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<22} {:>8} {:>6} {:>5} {:>9} {:>8}",
            "operation", "matched", "known", "gaps", "mismatch", "skipped"
        )?;
        for (op, c) in self.per_operation() {
            writeln!(
                f,
                "{op:<22} {:>8} {:>6} {:>5} {:>9} {:>8}",
                c.matched, c.known, c.gaps, c.mismatched, c.skipped_scenarios
            )?;
        }
        for (label, real) in [("recorded from DynamoDB Local", false), ("recorded from DynamoDB", true)] {
            let mine = self.results.iter().filter(|r| scenario::recorded_from_dynamodb(&r.name) == real);
            let (mut passed, mut failed, mut skipped) = (0, 0, 0);
            for r in mine {
                match (r.skipped.is_some(), r.passed()) {
                    (true, _) => skipped += 1,
                    (false, true) => passed += 1,
                    (false, false) => failed += 1,
                }
            }
            if passed + failed + skipped > 0 {
                writeln!(f, "{label}: {passed} passed, {failed} failed{}", skipped_note(skipped))?;
            }
        }
        write!(f, "{} passed, {} failed{}", self.passed(), self.failed(), skipped_note(self.skipped()))
    }
}

fn skipped_note(skipped: usize) -> String {
    match skipped {
        0 => String::new(),
        n => format!(", {n} skipped"),
    }
}

/// Plays every scenario in order (sequentially: scenarios may list tables).
pub async fn run_corpus(target: &Target, scenarios: &[Scenario], known: &[Difference]) -> Report {
    let mut report = Report::default();
    for scenario in scenarios {
        report.results.push(run_scenario(target, scenario, known).await);
    }
    report
}
