//! Fault injection: rules that make chosen calls fail (throttling, 5xx,
//! transaction conflicts), come back partly unprocessed (batches), or answer
//! late, so applications can rehearse the failures production throws at them.
//!
//! Rules live on [`crate::State`]; the protocol layer consults them for every
//! API call, after the request has been read and before the operation runs,
//! so an injected failure never writes anything. With no rules the cost is
//! one atomic load.

use crate::error::{ApiError, ErrorKind};
use crate::operation::{Operation, Shape, Tables};
use parking_lot::Mutex;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// What a rule does to a call it fires on.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// Fail with this error (its DynamoDB type, status and message).
    /// `TransactionConflict` on `TransactWriteItems` / `TransactGetItems`
    /// becomes a `TransactionCanceledException` whose reasons name the conflict.
    Error(ErrorKind),
    /// Batches (`BatchWriteItem`, `BatchGetItem`): hand back the later half of
    /// the requests (rounded up) in `UnprocessedItems` / `UnprocessedKeys`.
    Unprocessed,
    /// Answer after this delay (the call itself goes through).
    Latency(Duration),
}

/// When a matching call is hit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trigger {
    Always,
    /// Each matching call with this probability (from the seeded generator).
    Probability(f64),
    /// The next N matching calls, then never.
    Next(u64),
    /// Every Nth matching call (the Nth, 2Nth, ...).
    EveryNth(u64),
}

/// One rule: which calls it looks at and what it does to them.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    /// The operation; `None` matches all.
    pub operation: Option<Operation>,
    /// Table name; matches a call that names this table anywhere (batches and
    /// transactions included). `None` matches all.
    pub table: Option<String>,
    pub action: FaultAction,
    pub trigger: Trigger,
}

impl FaultRule {
    pub fn new(action: FaultAction) -> FaultRule {
        FaultRule { operation: None, table: None, action, trigger: Trigger::Always }
    }

    pub fn error(kind: ErrorKind) -> FaultRule {
        FaultRule::new(FaultAction::Error(kind))
    }

    /// Only calls of the operation named `operation` (`"PutItem"`).
    ///
    /// # Panics
    /// If no operation has that name: a rule that could never fire is a
    /// mistake in the test that sets it.
    pub fn operation(mut self, operation: &str) -> FaultRule {
        self.operation = Some(Operation::from_name(operation).unwrap_or_else(|| panic!("no operation {operation}")));
        self
    }

    pub fn table(mut self, table: &str) -> FaultRule {
        self.table = Some(table.to_string());
        self
    }

    pub fn probability(mut self, p: f64) -> FaultRule {
        self.trigger = Trigger::Probability(p);
        self
    }

    pub fn next(mut self, calls: u64) -> FaultRule {
        self.trigger = Trigger::Next(calls);
        self
    }

    pub fn every(mut self, nth: u64) -> FaultRule {
        self.trigger = Trigger::EveryNth(nth);
        self
    }

    /// Reads a rule from JSON (admin endpoint, `--fault`):
    /// `{"operation": "PutItem", "table": "T", "fault": "ThrottlingException",
    ///   "probability": 0.5 | "count": 3 | "every": 2}` or
    /// `{"latencyMs": 200, ...}`; `fault` may also be `Unprocessed`.
    pub fn from_json(value: &Value) -> Result<FaultRule, String> {
        let obj = value.as_object().ok_or("a fault rule is a JSON object")?;
        for key in obj.keys() {
            if !matches!(
                key.as_str(),
                "operation" | "table" | "fault" | "latencyMs" | "probability" | "count" | "every"
            ) {
                return Err(format!("unknown fault rule field {key}"));
            }
        }
        let text = |key: &str| -> Result<Option<String>, String> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("{key} must be a string")),
            }
        };
        let action = match (text("fault")?, obj.get("latencyMs")) {
            (Some(_), Some(_)) => return Err("give either fault or latencyMs, not both".into()),
            (Some(name), None) if name == "Unprocessed" => FaultAction::Unprocessed,
            (Some(name), None) => FaultAction::Error(error_kind(&name).ok_or(format!("unknown fault {name}"))?),
            (None, Some(ms)) => {
                FaultAction::Latency(Duration::from_millis(ms.as_u64().ok_or("latencyMs must be a whole number")?))
            }
            (None, None) => return Err("a fault rule needs fault or latencyMs".into()),
        };
        let trigger = match (obj.get("probability"), obj.get("count"), obj.get("every")) {
            (None, None, None) => Trigger::Always,
            (Some(p), None, None) => match p.as_f64() {
                Some(p) if (0.0..=1.0).contains(&p) => Trigger::Probability(p),
                _ => return Err("probability must be between 0 and 1".into()),
            },
            (None, Some(n), None) => Trigger::Next(n.as_u64().ok_or("count must be a whole number")?),
            (None, None, Some(n)) => match n.as_u64() {
                Some(n) if n > 0 => Trigger::EveryNth(n),
                _ => return Err("every must be a positive whole number".into()),
            },
            _ => return Err("give at most one of probability, count, every".into()),
        };
        let operation = match text("operation")? {
            None => None,
            Some(name) => Some(Operation::from_name(&name).ok_or(format!("unknown operation {name}"))?),
        };
        Ok(FaultRule { operation, table: text("table")?, action, trigger })
    }

    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some(op) = &self.operation {
            out.insert("operation".into(), json!(op.name()));
        }
        if let Some(table) = &self.table {
            out.insert("table".into(), json!(table));
        }
        match &self.action {
            FaultAction::Error(kind) => out.insert("fault".into(), json!(kind.name())),
            FaultAction::Unprocessed => out.insert("fault".into(), json!("Unprocessed")),
            FaultAction::Latency(d) => out.insert("latencyMs".into(), json!(d.as_millis() as u64)),
        };
        match self.trigger {
            Trigger::Always => None,
            Trigger::Probability(p) => out.insert("probability".into(), json!(p)),
            Trigger::Next(n) => out.insert("count".into(), json!(n)),
            Trigger::EveryNth(n) => out.insert("every".into(), json!(n)),
        };
        Value::Object(out)
    }

    fn matches(&self, call: &Call) -> bool {
        self.operation.is_none_or(|op| op == call.operation)
            && self.table.as_deref().is_none_or(|t| call.tables.iter().any(|n| n == t))
            && match self.action {
                FaultAction::Unprocessed => call.operation.is_batch(),
                _ => true,
            }
    }
}

/// The error kinds a rule may inject, by their DynamoDB names.
fn error_kind(name: &str) -> Option<ErrorKind> {
    let name = name.strip_suffix("Exception").unwrap_or(name);
    Some(match name {
        "ProvisionedThroughputExceeded" => ErrorKind::ProvisionedThroughputExceeded,
        "Throttling" => ErrorKind::Throttling,
        "RequestLimitExceeded" => ErrorKind::RequestLimitExceeded,
        "InternalServerError" => ErrorKind::InternalServerError,
        "ServiceUnavailable" => ErrorKind::ServiceUnavailable,
        "TransactionConflict" => ErrorKind::TransactionConflict,
        "LimitExceeded" => ErrorKind::LimitExceeded,
        "ItemCollectionSizeLimitExceeded" => ErrorKind::ItemCollectionSizeLimitExceeded,
        _ => return None,
    })
}

/// DynamoDB's message for each injectable error.
fn message(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ProvisionedThroughputExceeded => {
            "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
        }
        ErrorKind::Throttling => "Rate of requests exceeds the allowed throughput.",
        ErrorKind::RequestLimitExceeded => {
            "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase"
        }
        ErrorKind::InternalServerError => "Internal server error",
        ErrorKind::ServiceUnavailable => "Service unavailable",
        ErrorKind::TransactionConflict => "Transaction is ongoing for the item",
        ErrorKind::LimitExceeded => "Too many operations for a given subscriber.",
        ErrorKind::ItemCollectionSizeLimitExceeded => "Item collection size limit exceeded.",
        _ => "",
    }
}

/// One API call as the rules see it.
pub struct Call {
    pub operation: Operation,
    pub tables: Vec<String>,
}

impl Call {
    /// The call with the tables its request names, where the operation
    /// table says it names them.
    pub fn new(operation: Operation, body: &Value) -> Call {
        let mut tables = Vec::new();
        let text = |field: &str| body.get(field).and_then(Value::as_str);
        match operation.tables() {
            Tables::NoTable => {}
            Tables::TableName => tables.extend(text("TableName").map(str::to_string)),
            Tables::ResourceArn => {
                tables.extend(text("ResourceArn").and_then(|arn| arn.split_once(":table/")).map(|(_, t)| t.to_string()))
            }
            Tables::RequestItems => {
                if let Some(items) = body.get("RequestItems").and_then(Value::as_object) {
                    tables.extend(items.keys().cloned());
                }
            }
            Tables::TransactItems => tables.extend(transact_items(body).iter().filter_map(element_table)),
            // A shard iterator starts with its stream's ARN.
            Tables::StreamArn => tables.extend(text("StreamArn").and_then(table_of_stream)),
            Tables::ShardIterator => tables.extend(text("ShardIterator").and_then(table_of_stream)),
            Tables::Statement => tables.extend(text("Statement").and_then(crate::partiql::table_of)),
            Tables::Statements | Tables::TransactStatements => {
                tables.extend(transact_items(body).iter().filter_map(element_table))
            }
        }
        tables.dedup();
        Call { operation, tables }
    }
}

/// The table of a stream ARN (`...:table/NAME/stream/LABEL`).
fn table_of_stream(arn: &str) -> Option<String> {
    arn.split_once(":table/")?.1.split('/').next().map(str::to_string)
}

/// The elements of a transaction or statement batch (`TransactItems`,
/// `TransactStatements`, `Statements`).
fn transact_items(body: &Value) -> &[Value] {
    ["TransactItems", "TransactStatements", "Statements"]
        .iter()
        .find_map(|field| body.get(*field).and_then(Value::as_array))
        .map_or(&[], Vec::as_slice)
}

/// The table of one element: `{"Put": {"TableName": ...}}`, or the table a
/// PartiQL `{"Statement": ...}` names.
fn element_table(element: &Value) -> Option<String> {
    if let Some(statement) = element.get("Statement").and_then(Value::as_str) {
        return crate::partiql::table_of(statement);
    }
    element.as_object()?.values().find_map(|op| op.get("TableName")?.as_str()).map(str::to_string)
}

struct RuleState {
    id: u64,
    rule: FaultRule,
    matched: u64,
    injected: u64,
}

/// The rules of one emulator, with a seeded generator so probabilistic
/// rules are reproducible.
pub struct Faults {
    active: AtomicBool,
    inner: Mutex<Inner>,
    injected: AtomicU64,
}

struct Inner {
    rules: Vec<RuleState>,
    next_id: u64,
    rng: u64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            active: AtomicBool::new(false),
            inner: Mutex::new(Inner { rules: Vec::new(), next_id: 1, rng: 0x5eed }),
            injected: AtomicU64::new(0),
        }
    }
}

/// What the rules decided for one call.
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    pub error: Option<ApiError>,
    pub unprocessed: bool,
    pub latency: Duration,
}

impl Faults {
    /// Adds a rule; returns its id (for [`Faults::remove`] and [`Faults::injected_by`]).
    pub fn add(&self, rule: FaultRule) -> u64 {
        let mut inner = self.inner.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.rules.push(RuleState { id, rule, matched: 0, injected: 0 });
        self.active.store(true, Ordering::Release);
        id
    }

    pub fn remove(&self, id: u64) -> bool {
        let mut inner = self.inner.lock();
        let before = inner.rules.len();
        inner.rules.retain(|r| r.id != id);
        self.active.store(!inner.rules.is_empty(), Ordering::Release);
        inner.rules.len() != before
    }

    /// Removes every rule (the count of injected faults is kept).
    pub fn clear(&self) {
        self.inner.lock().rules.clear();
        self.active.store(false, Ordering::Release);
    }

    /// Reseeds the generator behind probabilistic rules.
    pub fn seed(&self, seed: u64) {
        self.inner.lock().rng = seed;
    }

    /// Faults injected so far, by all rules (removed ones included).
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::Relaxed)
    }

    /// Faults injected by one rule still in place.
    pub fn injected_by(&self, id: u64) -> Option<u64> {
        self.inner.lock().rules.iter().find(|r| r.id == id).map(|r| r.injected)
    }

    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// The rules in place with their counters, as JSON (admin endpoint).
    pub fn to_json(&self) -> Value {
        let inner = self.inner.lock();
        let rules: Vec<Value> = inner
            .rules
            .iter()
            .map(|r| {
                let mut v = r.rule.to_json();
                v["id"] = json!(r.id);
                v["matched"] = json!(r.matched);
                v["injected"] = json!(r.injected);
                v
            })
            .collect();
        json!({ "rules": rules, "injected": self.injected() })
    }

    /// Runs the rules over one call. Latency adds up over the rules that
    /// fire; the first error wins.
    pub fn decide(&self, call: &Call, body: &Value) -> Decision {
        let mut decision = Decision::default();
        if !self.is_active() {
            return decision;
        }
        let mut inner = self.inner.lock();
        let Inner { rules, rng, .. } = &mut *inner;
        for state in rules.iter_mut() {
            if !state.rule.matches(call) {
                continue;
            }
            // A rule that can no longer change anything leaves the call alone.
            let useful = match &state.rule.action {
                FaultAction::Error(_) => decision.error.is_none(),
                FaultAction::Unprocessed => decision.error.is_none() && !decision.unprocessed,
                FaultAction::Latency(_) => true,
            };
            if !useful {
                continue;
            }
            state.matched += 1;
            let fire = match state.rule.trigger {
                Trigger::Always => true,
                Trigger::Probability(p) => next_unit(rng) < p,
                Trigger::Next(n) => state.matched <= n,
                Trigger::EveryNth(n) => state.matched % n.max(1) == 0,
            };
            if !fire {
                continue;
            }
            state.injected += 1;
            self.injected.fetch_add(1, Ordering::Relaxed);
            match &state.rule.action {
                FaultAction::Error(kind) => decision.error = Some(injected_error(*kind, call, body)),
                FaultAction::Unprocessed => decision.unprocessed = true,
                FaultAction::Latency(d) => decision.latency += *d,
            }
        }
        decision
    }
}

/// Uniform in [0, 1) from a splitmix64 step.
fn next_unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn injected_error(kind: ErrorKind, call: &Call, body: &Value) -> ApiError {
    let is_transaction = call.operation.shape() == Shape::Transaction;
    if kind != ErrorKind::TransactionConflict || !is_transaction {
        return ApiError::new(kind, message(kind));
    }
    // A transaction meets a conflict on one of its items: DynamoDB cancels it,
    // naming the conflicting element and `None` for the others.
    let elements = transact_items(body);
    let conflicting = elements.iter().position(|e| element_table(e).is_some()).unwrap_or(0);
    let reasons: Vec<Value> = (0..elements.len().max(1))
        .map(|i| {
            if i == conflicting {
                json!({"Code": "TransactionConflict", "Message": message(kind)})
            } else {
                json!({"Code": "None"})
            }
        })
        .collect();
    let codes: Vec<&str> = reasons.iter().map(|r| r["Code"].as_str().unwrap_or("None")).collect();
    ApiError::new(
        ErrorKind::TransactionCanceled,
        format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
    )
    .with_extra(json!({ "CancellationReasons": reasons }))
}

/// Splits a batch request: the first half (rounded down) is processed, the
/// rest is held back. Returns the request to run and what was held back, in
/// the shape of `UnprocessedItems` / `UnprocessedKeys`.
pub fn split_batch(operation: Operation, body: &Value) -> Option<(Value, Map<String, Value>)> {
    let items = body.get("RequestItems")?.as_object()?;
    let list_key = if operation.shape() == Shape::BatchGet { "Keys" } else { "" };
    // Every request of the batch, in order, as (table, index).
    let mut all = Vec::new();
    for (table, entry) in items {
        let list = if list_key.is_empty() { entry.as_array() } else { entry.get(list_key)?.as_array() }?;
        all.extend((0..list.len()).map(|i| (table.clone(), i)));
    }
    let keep = all.len() / 2;
    let mut kept = Map::new();
    let mut held = Map::new();
    for (n, (table, i)) in all.iter().enumerate() {
        let entry = &items[table];
        let request = if list_key.is_empty() { &entry[*i] } else { &entry[list_key][*i] };
        let target = if n < keep { &mut kept } else { &mut held };
        let slot = target.entry(table.clone()).or_insert_with(|| {
            if list_key.is_empty() {
                Value::Array(Vec::new())
            } else {
                // Keys come back with the table's projection and consistency settings.
                let mut settings = entry.as_object().cloned().unwrap_or_default();
                settings.insert(list_key.into(), Value::Array(Vec::new()));
                Value::Object(settings)
            }
        });
        let list = if list_key.is_empty() { slot.as_array_mut() } else { slot[list_key].as_array_mut() };
        if let Some(list) = list {
            list.push(request.clone());
        }
    }
    let mut reduced = body.clone();
    reduced["RequestItems"] = Value::Object(kept);
    Some((reduced, held))
}

/// Adds held-back requests to a batch response's `UnprocessedItems` / `UnprocessedKeys`.
pub fn merge_unprocessed(operation: Operation, response: &mut Value, held: Map<String, Value>) {
    let field = if operation.shape() == Shape::BatchGet { "UnprocessedKeys" } else { "UnprocessedItems" };
    let Some(out) = response.as_object_mut() else { return };
    let slot = out.entry(field).or_insert_with(|| Value::Object(Map::new()));
    let Some(existing) = slot.as_object_mut() else { return };
    for (table, requests) in held {
        match (existing.get_mut(&table), operation.shape()) {
            (Some(Value::Array(list)), Shape::BatchWrite) => {
                list.extend(requests.as_array().cloned().unwrap_or_default())
            }
            (Some(entry), Shape::BatchGet) => {
                if let (Some(list), Some(more)) = (entry["Keys"].as_array_mut(), requests["Keys"].as_array()) {
                    list.extend(more.iter().cloned());
                }
            }
            _ => {
                existing.insert(table, requests);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(op: &str) -> Call {
        Call { operation: Operation::from_name(op).unwrap(), tables: vec!["T".into()] }
    }

    #[test]
    fn next_n_fires_exactly_n_times() {
        let faults = Faults::default();
        let id = faults.add(FaultRule::error(ErrorKind::Throttling).operation("PutItem").next(2));
        let fired: Vec<bool> = (0..4).map(|_| faults.decide(&call("PutItem"), &json!({})).error.is_some()).collect();
        assert_eq!(fired, [true, true, false, false]);
        assert!(faults.decide(&call("GetItem"), &json!({})).error.is_none());
        assert_eq!((faults.injected(), faults.injected_by(id)), (2, Some(2)));
    }

    #[test]
    fn every_nth_and_table_filter() {
        let faults = Faults::default();
        faults.add(FaultRule::error(ErrorKind::InternalServerError).table("T").every(3));
        let fired: Vec<bool> = (0..6).map(|_| faults.decide(&call("GetItem"), &json!({})).error.is_some()).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        let other = Call { operation: Operation::GetItem, tables: vec!["U".into()] };
        assert!(faults.decide(&other, &json!({})).error.is_none());
    }

    #[test]
    fn probability_is_reproducible_from_the_seed() {
        let run = |seed| {
            let faults = Faults::default();
            faults.seed(seed);
            faults.add(FaultRule::error(ErrorKind::Throttling).probability(0.3));
            (0..1000).map(|_| faults.decide(&call("GetItem"), &json!({})).error.is_some()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|f| **f).count();
        assert!((220..380).contains(&hits), "{hits} of 1000 at p=0.3");
    }

    #[test]
    fn transaction_conflicts_are_cancellation_reasons() {
        let body = json!({"TransactItems": [
            {"ConditionCheck": {"TableName": "T"}}, {"Put": {"TableName": "T"}}]});
        let error =
            injected_error(ErrorKind::TransactionConflict, &Call::new(Operation::TransactWriteItems, &body), &body);
        assert_eq!(error.kind, ErrorKind::TransactionCanceled);
        assert_eq!(
            error.message,
            "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]"
        );
        assert_eq!(error.extra.unwrap()["CancellationReasons"][1], json!({"Code": "None"}));
    }

    #[test]
    fn batches_split_in_half_and_merge_back() {
        let body = json!({"RequestItems": {"A": [{"PutRequest": {"Item": {"k": {"S": "1"}}}}, {"PutRequest": {"Item": {"k": {"S": "2"}}}}],
            "B": [{"DeleteRequest": {"Key": {"k": {"S": "3"}}}}]}});
        let (reduced, held) = split_batch(Operation::BatchWriteItem, &body).unwrap();
        assert_eq!(reduced["RequestItems"]["A"].as_array().unwrap().len(), 1);
        assert!(reduced["RequestItems"].get("B").is_none());
        let mut response = json!({"UnprocessedItems": {}});
        merge_unprocessed(Operation::BatchWriteItem, &mut response, held);
        assert_eq!(response["UnprocessedItems"]["A"][0]["PutRequest"]["Item"]["k"]["S"], "2");
        assert_eq!(response["UnprocessedItems"]["B"].as_array().unwrap().len(), 1);

        let body =
            json!({"RequestItems": {"A": {"Keys": [{"k": {"S": "1"}}, {"k": {"S": "2"}}], "ConsistentRead": true}}});
        let (reduced, held) = split_batch(Operation::BatchGetItem, &body).unwrap();
        assert_eq!(reduced["RequestItems"]["A"]["Keys"].as_array().unwrap().len(), 1);
        assert_eq!(held["A"]["ConsistentRead"], json!(true));
        assert_eq!(held["A"]["Keys"][0]["k"]["S"], "2");
    }

    #[test]
    fn rules_read_from_json() {
        let rule =
            FaultRule::from_json(&json!({"operation": "PutItem", "fault": "ThrottlingException", "count": 3})).unwrap();
        assert_eq!(rule, FaultRule::error(ErrorKind::Throttling).operation("PutItem").next(3));
        assert_eq!(FaultRule::from_json(&rule.to_json()).unwrap(), rule);
        assert!(FaultRule::from_json(&json!({"fault": "Nope"})).is_err());
        assert!(FaultRule::from_json(&json!({"fault": "Throttling", "operation": "PutItems"})).is_err());
        assert!(FaultRule::from_json(&json!({"fault": "Throttling", "probability": 2})).is_err());
        let latency = FaultRule::from_json(&json!({"latencyMs": 5})).unwrap();
        assert_eq!(latency.action, FaultAction::Latency(Duration::from_millis(5)));
    }
}
