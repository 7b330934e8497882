//! The differential generator's wider strategies (issue 19's blind spots):
//! legacy parameters (`KeyConditions`, `QueryFilter`, `ScanFilter`,
//! `Expected`, `AttributeUpdates`, `AttributesToGet`, `ConditionalOperator`)
//! alone and mixed with expression parameters; `Select` with every value and
//! projection on the table and its indexes; number edge cases in items, keys
//! and conditions; and request-level parameters of each operation set to
//! missing, null, a wrong JSON type, empty, or out of range.

use super::{scalar, KeyIndex, TableSpec};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Numbers at and just beyond DynamoDB's limits (38 significant digits,
/// magnitudes 1E-130 to 9.9999999999999999999999999999999999999E+125), in
/// the forms clients write them, and a few that are no numbers at all.
pub const EDGE_NUMBERS: &[&str] = &[
    "12345678901234567890123456789012345678",
    "-12345678901234567890123456789012345678",
    "1234567890123456789012345678901234567.8",
    "0.12345678901234567890123456789012345678",
    "123456789012345678901234567890123456789",
    "1.23456789012345678901234567890123456789",
    "1000000000000000000000000000000000000000",
    "1E-130",
    "-1E-130",
    "1E-131",
    "0.1E-129",
    "9.9999999999999999999999999999999999999E+125",
    "-9.9999999999999999999999999999999999999E+125",
    "1E+126",
    "10E+125",
    "1e125",
    "-0",
    "-0.0",
    "0e10",
    "0.000",
    "007",
    "1.5e+3",
    "1.5E3",
    "12.3400",
    ".5",
    "5.",
    "+1",
    "1e",
    "e5",
    "--1",
    "",
    " 1",
    "Infinity",
    "NaN",
    "0x10",
];

fn edge_number() -> impl Strategy<Value = &'static str> {
    prop::sample::select(EDGE_NUMBERS)
}

/// A value in a condition or filter: an ordinary scalar or an edge number.
fn cond_value() -> impl Strategy<Value = Value> {
    prop_oneof![3 => scalar(true), 1 => edge_number().prop_map(|n| json!({ "N": n }))]
}

/// One comparison, legacy style (`ComparisonOperator` with an
/// `AttributeValueList`) or rendered as an expression.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub attr: &'static str,
    pub op: &'static str,
    pub values: Vec<Value>,
}

const OPERATORS: &[&str] = &[
    "EQ",
    "NE",
    "LT",
    "LE",
    "GT",
    "GE",
    "BEGINS_WITH",
    "CONTAINS",
    "NOT_CONTAINS",
    "NULL",
    "NOT_NULL",
    "BETWEEN",
    "IN",
];

fn arity(op: &str) -> std::ops::Range<usize> {
    match op {
        "NULL" | "NOT_NULL" => 0..1,
        "BETWEEN" => 2..3,
        "IN" => 1..4,
        _ => 1..2,
    }
}

fn comparison(attrs: &'static [&'static str]) -> impl Strategy<Value = Comparison> {
    (prop::sample::select(attrs), prop::sample::select(OPERATORS), any::<bool>()).prop_flat_map(|(attr, op, odd)| {
        // Now and then one value too many or too few: both must refuse it alike.
        let mut range = arity(op);
        if odd {
            range = range.start.saturating_sub(1)..range.end + 1;
        }
        prop::collection::vec(cond_value(), range).prop_map(move |values| Comparison { attr, op, values })
    })
}

impl Comparison {
    fn legacy(&self) -> Value {
        let mut c = json!({ "ComparisonOperator": self.op });
        if !self.values.is_empty() {
            c["AttributeValueList"] = Value::Array(self.values.clone());
        }
        c
    }

    /// The expression for this comparison; its values as `:{tag}{i}`.
    fn expression(&self, tag: &str, values: &mut Map<String, Value>) -> String {
        let mut names = Vec::new();
        for (i, v) in self.values.iter().enumerate() {
            let name = format!(":{tag}{i}");
            values.insert(name.clone(), v.clone());
            names.push(name);
        }
        let first = names.first().cloned().unwrap_or_else(|| format!(":{tag}0"));
        let a = self.attr;
        match self.op {
            "EQ" => format!("{a} = {first}"),
            "NE" => format!("{a} <> {first}"),
            "LT" => format!("{a} < {first}"),
            "LE" => format!("{a} <= {first}"),
            "GT" => format!("{a} > {first}"),
            "GE" => format!("{a} >= {first}"),
            "BEGINS_WITH" => format!("begins_with({a}, {first})"),
            "CONTAINS" => format!("contains({a}, {first})"),
            "NOT_CONTAINS" => format!("NOT contains({a}, {first})"),
            "NULL" => format!("attribute_not_exists({a})"),
            "NOT_NULL" => format!("attribute_exists({a})"),
            "BETWEEN" => {
                let second = names.get(1).cloned().unwrap_or_else(|| format!(":{tag}1"));
                format!("{a} BETWEEN {first} AND {second}")
            }
            _ => format!("{a} IN ({})", if names.is_empty() { first } else { names.join(", ") }),
        }
    }
}

/// A parameter given legacy style, expression style, or both (which
/// DynamoDB sometimes accepts and sometimes refuses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Legacy,
    Expression,
    Both,
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![3 => Just(Style::Legacy), 3 => Just(Style::Expression), 1 => Just(Style::Both)]
}

impl Style {
    fn legacy(self) -> bool {
        self != Style::Expression
    }
    fn expression(self) -> bool {
        self != Style::Legacy
    }
}

/// A filter: one or two comparisons joined by AND or OR.
#[derive(Clone, Debug)]
pub struct Filter {
    pub style: Style,
    pub comparisons: Vec<Comparison>,
    pub operator: Option<&'static str>,
}

const FILTERED: &[&str] = &["a", "b", "n", "c"];

fn filter() -> impl Strategy<Value = Filter> {
    (
        style(),
        prop::collection::vec(comparison(FILTERED), 1..3),
        prop::option::of(prop::sample::select(vec!["AND", "OR"])),
    )
        .prop_map(|(style, comparisons, operator)| Filter { style, comparisons, operator })
}

impl Filter {
    /// Adds the filter to `body` under `legacy_name` (`QueryFilter`,
    /// `ScanFilter`) and/or `FilterExpression`.
    fn apply(&self, body: &mut Value, legacy_name: &str, values: &mut Map<String, Value>) {
        if self.style.legacy() {
            let mut conditions = Map::new();
            for c in &self.comparisons {
                conditions.insert(c.attr.to_string(), c.legacy());
            }
            body[legacy_name] = Value::Object(conditions);
        }
        if self.style.expression() {
            let joiner = format!(" {} ", self.operator.unwrap_or("AND"));
            let parts: Vec<String> =
                self.comparisons.iter().enumerate().map(|(i, c)| c.expression(&format!("f{i}_"), values)).collect();
            body["FilterExpression"] = json!(parts.join(&joiner));
        }
        if let Some(op) = self.operator {
            body["ConditionalOperator"] = json!(op);
        }
    }
}

/// A projection: `AttributesToGet`, `ProjectionExpression`, or both.
#[derive(Clone, Debug)]
pub struct ProjectionSpec {
    pub style: Style,
    pub names: Vec<&'static str>,
}

pub fn projection() -> impl Strategy<Value = ProjectionSpec> {
    // Duplicates now and then, and an empty list.
    (style(), prop::collection::vec(prop::sample::select(vec!["a", "b", "pk", "sk", "g", "l", "n"]), 0..4))
        .prop_map(|(style, names)| ProjectionSpec { style, names })
}

impl ProjectionSpec {
    pub fn apply(&self, body: &mut Value) {
        // An empty AttributesToGet beside a ProjectionExpression: DynamoDB
        // Local accepts it, the emulator refuses the mix (open question).
        if self.style.legacy() && !(self.style == Style::Both && self.names.is_empty()) {
            body["AttributesToGet"] = json!(self.names);
        }
        if self.style.expression() {
            body["ProjectionExpression"] = json!(self.names.join(", "));
        }
    }
}

/// What a read reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Table,
    Gsi,
    Lsi,
}

/// A key condition of a Query: the partition (an index into the key space,
/// or a `g` value on the GSI) and maybe a sort-key comparison.
#[derive(Clone, Debug)]
pub struct KeyCondition {
    pub style: Style,
    pub hash: usize,
    pub sort: Option<(&'static str, Vec<usize>)>,
}

/// Query or Scan with every combination of legacy and expression
/// parameters, `Select` and projections, on the table or an index.
#[derive(Clone, Debug)]
pub struct Read {
    pub scan: bool,
    pub source: Source,
    pub key: KeyCondition,
    pub filter: Option<Filter>,
    pub projection: Option<ProjectionSpec>,
    pub select: Option<&'static str>,
    pub forward: bool,
    pub limit: Option<u32>,
    /// ConditionalOperator without any filter.
    pub lone_operator: bool,
}

pub fn read() -> impl Strategy<Value = Read> {
    let sort = prop::option::of((
        prop::sample::select(vec!["EQ", "LT", "LE", "GT", "GE", "BEGINS_WITH", "BETWEEN"]),
        prop::collection::vec(0..3usize, 2),
    ));
    let key = (style(), 0..3usize, sort).prop_map(|(style, hash, sort)| KeyCondition {
        style,
        hash,
        sort: sort.map(|(op, values)| (op, if op == "BETWEEN" { values } else { values[..1].to_vec() })),
    });
    (
        any::<bool>(),
        prop::sample::select(vec![Source::Table, Source::Table, Source::Gsi, Source::Lsi]),
        key,
        prop::option::of(filter()),
        prop::option::of(projection()),
        prop::option::of(prop::sample::select(vec![
            "ALL_ATTRIBUTES",
            "ALL_PROJECTED_ATTRIBUTES",
            "SPECIFIC_ATTRIBUTES",
            "COUNT",
        ])),
        any::<bool>(),
        prop::option::of(1u32..3),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(scan, source, key, filter, projection, select, forward, limit, lone_operator)| Read {
            scan,
            source,
            key,
            filter,
            projection,
            select,
            forward,
            limit,
            lone_operator,
        })
}

const GSI_VALUES: [&str; 3] = ["x", "y", "xy"];

impl TableSpec {
    pub(super) fn read_request(&self, r: &Read) -> (&'static str, Value) {
        let op = if r.scan { "Scan" } else { "Query" };
        let mut body = json!({"TableName": "$Pd"});
        // Only indexes the table has: DynamoDB Local looks the index up before
        // its other checks, DynamoDB after them.
        let source = match r.source {
            Source::Gsi if !self.gsi => Source::Table,
            Source::Lsi if !self.lsi => Source::Table,
            other => other,
        };
        let r = &Read { source, ..r.clone() };
        match r.source {
            Source::Table => body["ConsistentRead"] = json!(true),
            Source::Gsi => body["IndexName"] = json!("byG"),
            Source::Lsi => {
                body["IndexName"] = json!("byL");
                body["ConsistentRead"] = json!(true);
            }
        }
        let mut values = Map::new();
        if !r.scan {
            self.key_condition(r, &mut body, &mut values);
            body["ScanIndexForward"] = json!(r.forward);
            // Paging only where the order is defined (not a hash-only GSI).
            if r.source != Source::Gsi {
                if let Some(limit) = r.limit {
                    body["Limit"] = json!(limit);
                }
            }
        }
        if let Some(filter) = &r.filter {
            filter.apply(&mut body, if r.scan { "ScanFilter" } else { "QueryFilter" }, &mut values);
        } else if r.lone_operator {
            body["ConditionalOperator"] = json!("AND");
        }
        if let Some(projection) = &r.projection {
            projection.apply(&mut body);
        }
        if let Some(select) = r.select {
            body["Select"] = json!(select);
        }
        if !values.is_empty() {
            body["ExpressionAttributeValues"] = Value::Object(values);
        }
        (op, body)
    }

    fn key_condition(&self, r: &Read, body: &mut Value, values: &mut Map<String, Value>) {
        let (hash_name, hash_value) = match r.source {
            Source::Gsi => ("g", json!({ "S": GSI_VALUES[r.key.hash] })),
            _ => ("pk", Self::key_value(self.hash, r.key.hash)),
        };
        let sort = r.key.sort.as_ref().and_then(|(op, indexes)| match r.source {
            Source::Table => {
                self.range.map(|t| ("sk", *op, indexes.iter().map(|i| Self::key_value(t, *i)).collect::<Vec<_>>()))
            }
            Source::Lsi => Some(("l", *op, indexes.iter().map(|i| json!({ "N": i.to_string() })).collect())),
            Source::Gsi => None,
        });
        if r.key.style.legacy() {
            let mut conditions = Map::new();
            conditions.insert(
                hash_name.into(),
                json!({"ComparisonOperator": "EQ", "AttributeValueList": [hash_value.clone()]}),
            );
            if let Some((name, op, list)) = &sort {
                conditions.insert((*name).into(), json!({"ComparisonOperator": op, "AttributeValueList": list}));
            }
            body["KeyConditions"] = Value::Object(conditions);
        }
        if r.key.style.expression() {
            values.insert(":h".into(), hash_value);
            let mut text = format!("{hash_name} = :h");
            if let Some((name, op, list)) = sort {
                for (i, v) in list.into_iter().enumerate() {
                    values.insert(format!(":k{i}"), v);
                }
                let clause = match op {
                    "EQ" => format!("{name} = :k0"),
                    "LT" => format!("{name} < :k0"),
                    "LE" => format!("{name} <= :k0"),
                    "GT" => format!("{name} > :k0"),
                    "GE" => format!("{name} >= :k0"),
                    "BEGINS_WITH" => format!("begins_with({name}, :k0)"),
                    _ => format!("{name} BETWEEN :k0 AND :k1"),
                };
                text = format!("{text} AND {clause}");
            }
            body["KeyConditionExpression"] = json!(text);
        }
    }
}

/// One `Expected` entry of a legacy write condition.
#[derive(Clone, Debug)]
pub enum ExpectedEntry {
    /// `{"Exists": b, "Value": v}`, either member maybe absent.
    Exists(Option<bool>, Option<Value>),
    Compare(Comparison),
}

/// A legacy write condition: `Expected` (and `ConditionalOperator`).
#[derive(Clone, Debug)]
pub struct Expected {
    pub entries: Vec<(&'static str, ExpectedEntry)>,
    pub operator: Option<&'static str>,
}

pub fn expected() -> impl Strategy<Value = Expected> {
    let entry = prop_oneof![
        (prop::option::of(any::<bool>()), prop::option::of(cond_value()))
            .prop_map(|(exists, value)| ExpectedEntry::Exists(exists, value)),
        comparison(FILTERED).prop_map(ExpectedEntry::Compare),
    ];
    (
        prop::collection::btree_map(prop::sample::select(vec!["a", "b", "n", "pk"]), entry, 1..3),
        prop::option::of(prop::sample::select(vec!["AND", "OR"])),
    )
        .prop_map(|(entries, operator)| Expected { entries: entries.into_iter().collect(), operator })
}

impl Expected {
    pub fn apply(&self, body: &mut Value) {
        let mut map = Map::new();
        for (name, entry) in &self.entries {
            let value = match entry {
                ExpectedEntry::Exists(exists, value) => {
                    let mut e = json!({});
                    if let Some(exists) = exists {
                        e["Exists"] = json!(exists);
                    }
                    if let Some(value) = value {
                        e["Value"] = value.clone();
                    }
                    e
                }
                ExpectedEntry::Compare(c) => c.legacy(),
            };
            map.insert(name.to_string(), value);
        }
        body["Expected"] = Value::Object(map);
        if let Some(op) = self.operator {
            body["ConditionalOperator"] = json!(op);
        }
    }
}

/// One `AttributeUpdates` action.
pub type AttributeUpdate = (&'static str, &'static str, Option<Value>);

/// Legacy `AttributeUpdates`, at least one of them a PUT or an ADD (an
/// update that only removes attributes would create a missing item on
/// DynamoDB Local: listed difference `update-only-deletes-missing-item`).
pub fn attribute_updates() -> impl Strategy<Value = Vec<AttributeUpdate>> {
    let value = prop_oneof![
        super::canonical_value(),
        (0u32..5).prop_map(|n| json!({ "N": n.to_string() })),
        edge_number().prop_map(|n| json!({ "N": n })),
    ];
    let action = prop::sample::select(vec!["PUT", "ADD", "DELETE"]);
    prop::collection::btree_map(prop::sample::select(vec!["a", "b", "n", "c"]), (action, prop::option::of(value)), 1..3)
        .prop_map(|m| m.into_iter().map(|(name, (action, value))| (name, action, value)).collect::<Vec<_>>())
        .prop_filter("an update writes something", |updates: &Vec<AttributeUpdate>| {
            updates.iter().any(|(_, action, value)| *action != "DELETE" && value.is_some())
        })
}

pub fn apply_attribute_updates(body: &mut Value, updates: &[AttributeUpdate]) {
    let mut map = Map::new();
    for (name, action, value) in updates {
        let mut u = json!({ "Action": action });
        if let Some(value) = value {
            u["Value"] = value.clone();
        }
        map.insert(name.to_string(), u);
    }
    body["AttributeUpdates"] = Value::Object(map);
}

/// Where an edge number goes.
#[derive(Clone, Copy, Debug)]
pub enum NumberPlace {
    /// The partition key (the sort key, else attribute `n`, when it is not a number).
    Key,
    Attribute,
    Set,
    Nested,
    /// `ADD n :v` (overflow and underflow of the sum).
    Add,
    /// `SET n = n + :v` / `n - :v`.
    Arithmetic,
    /// A condition `n = :v` / `n < :v`.
    Condition,
}

#[derive(Clone, Debug)]
pub struct EdgeNumber {
    pub key: KeyIndex,
    pub number: &'static str,
    pub other: &'static str,
    pub place: NumberPlace,
}

pub fn edge_number_op() -> impl Strategy<Value = EdgeNumber> {
    let place = prop::sample::select(vec![
        NumberPlace::Key,
        NumberPlace::Attribute,
        NumberPlace::Set,
        NumberPlace::Nested,
        NumberPlace::Add,
        NumberPlace::Arithmetic,
        NumberPlace::Condition,
    ]);
    ((0..3usize, 0..3usize), edge_number(), edge_number(), place).prop_map(|(key, number, other, place)| EdgeNumber {
        key,
        number,
        other,
        place,
    })
}

impl TableSpec {
    pub(super) fn edge_number_request(&self, e: &EdgeNumber) -> (&'static str, Value) {
        let n = json!({ "N": e.number });
        match e.place {
            NumberPlace::Key => {
                let mut key = self.key(e.key);
                if self.hash == "N" {
                    key.insert("pk".into(), n);
                } else if self.range == Some("N") {
                    key.insert("sk".into(), n);
                } else {
                    // No number in the key: the number goes to a condition.
                    return (
                        "DeleteItem",
                        json!({"TableName": "$Pd", "Key": key, "ConditionExpression": "n <> :v",
                        "ExpressionAttributeValues": {":v": n}, "ReturnValues": "ALL_OLD"}),
                    );
                }
                // A delete: an edge key finds the item of the key space with
                // its value ("0.1E-129" is "1E-130"), and writes nothing outside it.
                ("DeleteItem", json!({"TableName": "$Pd", "Key": key, "ReturnValues": "ALL_OLD"}))
            }
            NumberPlace::Attribute | NumberPlace::Set | NumberPlace::Nested => {
                let value = match e.place {
                    NumberPlace::Attribute => n,
                    NumberPlace::Set => json!({ "NS": [e.number, e.other] }),
                    _ => json!({ "L": [n, { "M": { "x": { "N": e.other } } }] }),
                };
                let mut item = self.key(e.key);
                item.insert("n".into(), value);
                ("PutItem", json!({"TableName": "$Pd", "Item": item}))
            }
            NumberPlace::Add => (
                "UpdateItem",
                json!({"TableName": "$Pd", "Key": self.key(e.key), "UpdateExpression": "ADD n :v",
                    "ExpressionAttributeValues": {":v": n}, "ReturnValues": "UPDATED_NEW"}),
            ),
            NumberPlace::Arithmetic => (
                "UpdateItem",
                json!({"TableName": "$Pd", "Key": self.key(e.key),
                    "UpdateExpression": "SET n = if_not_exists(n, :w) - :v",
                    "ExpressionAttributeValues": {":v": n, ":w": {"N": e.other}}, "ReturnValues": "UPDATED_NEW"}),
            ),
            NumberPlace::Condition => (
                "DeleteItem",
                json!({"TableName": "$Pd", "Key": self.key(e.key), "ConditionExpression": "n < :v OR n = :w",
                    "ExpressionAttributeValues": {":v": n, ":w": {"N": e.other}}, "ReturnValues": "ALL_OLD"}),
            ),
        }
    }
}

/// How a request-level parameter is spoiled.
#[derive(Clone, Copy, Debug)]
pub enum Mutation {
    Missing,
    Null,
    WrongType,
    Empty,
    /// The parameter's `i`th out-of-range (or otherwise invalid) value.
    OutOfRange(usize),
}

/// A parameter's JSON type.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    Int,
    Bool,
    Obj,
    Arr,
}

/// `(operation, parameter, type, invalid values as JSON text)`; `$LONG` is
/// a 256-character name, `$TOKEN37` a 37-character token.
const PARAMETERS: &[(&str, &str, Kind, &[&str])] = &[
    ("PutItem", "TableName", Kind::Str, &[r#""ab""#, r#""a b c""#, "$LONG", r#""nope_missing""#]),
    ("PutItem", "Item", Kind::Obj, &[r#"{"pk": {"S": "k0"}}"#, r#"{"a": {"S": "x"}}"#]),
    ("PutItem", "ReturnValues", Kind::Str, &[r#""ALL_NEW""#, r#""UPDATED_OLD""#, r#""BOGUS""#, r#""all_old""#]),
    ("PutItem", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#, r#""INDEXES""#]),
    ("PutItem", "ReturnItemCollectionMetrics", Kind::Str, &[r#""BOGUS""#, r#""SIZE""#]),
    ("PutItem", "ReturnValuesOnConditionCheckFailure", Kind::Str, &[r#""ALL_NEW""#, r#""BOGUS""#]),
    ("PutItem", "ConditionExpression", Kind::Str, &[r#""a =""#, r#""attribute_exists(#zz)""#]),
    ("PutItem", "ExpressionAttributeNames", Kind::Obj, &[r##"{"#a": "a"}"##, r#"{"a": "a"}"#, r##"{"#a": ""}"##]),
    ("PutItem", "ExpressionAttributeValues", Kind::Obj, &[r#"{":a": {"S": "x"}}"#, r#"{":a": {}}"#]),
    ("PutItem", "Expected", Kind::Obj, &[r#"{"a": {}}"#, r#"{"a": {"Exists": true}}"#]),
    ("PutItem", "ConditionalOperator", Kind::Str, &[r#""XOR""#, r#""AND""#]),
    ("GetItem", "TableName", Kind::Str, &[r#""ab""#, "$LONG"]),
    ("GetItem", "Key", Kind::Obj, &[r#"{"zz": {"S": "x"}}"#]),
    ("GetItem", "ConsistentRead", Kind::Bool, &[]),
    ("GetItem", "AttributesToGet", Kind::Arr, &[r#"["a", "a"]"#, r#"[""]"#]),
    ("GetItem", "ProjectionExpression", Kind::Str, &[r#""a,""#, r#""a, a""#, r#""a[-1]""#]),
    ("GetItem", "ExpressionAttributeNames", Kind::Obj, &[r##"{"#a": "a"}"##]),
    ("GetItem", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
    ("DeleteItem", "TableName", Kind::Str, &[r#""ab""#, "$LONG"]),
    ("DeleteItem", "Key", Kind::Obj, &[r#"{"zz": {"S": "x"}}"#]),
    ("DeleteItem", "ReturnValues", Kind::Str, &[r#""ALL_NEW""#, r#""UPDATED_NEW""#, r#""BOGUS""#]),
    ("DeleteItem", "ConditionExpression", Kind::Str, &[r#""attribute_exists(pk""#]),
    ("DeleteItem", "Expected", Kind::Obj, &[r#"{"a": {"Exists": false, "Value": {"S": "x"}}}"#]),
    ("DeleteItem", "ConditionalOperator", Kind::Str, &[r#""OR""#]),
    ("DeleteItem", "ReturnItemCollectionMetrics", Kind::Str, &[r#""BOGUS""#]),
    ("UpdateItem", "TableName", Kind::Str, &[r#""ab""#, "$LONG"]),
    ("UpdateItem", "Key", Kind::Obj, &[r#"{"zz": {"S": "x"}}"#]),
    ("UpdateItem", "UpdateExpression", Kind::Str, &[r#""SET""#, r#""REMOVE pk""#, r#""SET a = :v, a = :v""#]),
    (
        "UpdateItem",
        "AttributeUpdates",
        Kind::Obj,
        &[r#"{"a": {}}"#, r#"{"a": {"Action": "PUT"}}"#, r#"{"pk": {"Action": "PUT", "Value": {"S": "x"}}}"#],
    ),
    ("UpdateItem", "ReturnValues", Kind::Str, &[r#""BOGUS""#, r#""ALL_NEW""#]),
    ("UpdateItem", "ExpressionAttributeValues", Kind::Obj, &[r#"{":w": {"S": "x"}}"#, r#"{":v": {"S": ""}}"#]),
    ("UpdateItem", "ExpressionAttributeNames", Kind::Obj, &[r##"{"#u": "a"}"##]),
    ("UpdateItem", "Expected", Kind::Obj, &[r#"{"a": {"Exists": false}}"#]),
    ("UpdateItem", "ReturnValuesOnConditionCheckFailure", Kind::Str, &[r#""BOGUS""#]),
    ("Query", "TableName", Kind::Str, &[r#""ab""#, "$LONG"]),
    ("Query", "IndexName", Kind::Str, &[r#""ab""#, r#""nope""#, "$LONG"]),
    ("Query", "Select", Kind::Str, &[r#""BOGUS""#, r#""ALL_PROJECTED_ATTRIBUTES""#, r#""SPECIFIC_ATTRIBUTES""#]),
    ("Query", "Limit", Kind::Int, &["0", "-1", "2147483648", "1.5"]),
    ("Query", "ConsistentRead", Kind::Bool, &[]),
    ("Query", "ScanIndexForward", Kind::Bool, &[]),
    ("Query", "KeyConditionExpression", Kind::Str, &[r#""pk = :p AND pk = :p""#, r#""a = :p""#]),
    ("Query", "KeyConditions", Kind::Obj, &[r#"{"pk": {"ComparisonOperator": "EQ"}}"#]),
    ("Query", "QueryFilter", Kind::Obj, &[r#"{"pk": {"ComparisonOperator": "NOT_NULL"}}"#]),
    ("Query", "ExclusiveStartKey", Kind::Obj, &[r#"{"zz": {"S": "x"}}"#]),
    ("Query", "FilterExpression", Kind::Str, &[r#""pk = :p""#]),
    ("Query", "ProjectionExpression", Kind::Str, &[r#""a,,b""#]),
    ("Query", "AttributesToGet", Kind::Arr, &[r#"["a", "a"]"#]),
    ("Query", "ConditionalOperator", Kind::Str, &[r#""XOR""#]),
    ("Query", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
    ("Scan", "TableName", Kind::Str, &[r#""ab""#, "$LONG"]),
    ("Scan", "IndexName", Kind::Str, &[r#""nope""#]),
    ("Scan", "Select", Kind::Str, &[r#""BOGUS""#, r#""ALL_PROJECTED_ATTRIBUTES""#]),
    ("Scan", "Limit", Kind::Int, &["0", "-5", "2147483648"]),
    ("Scan", "Segment", Kind::Int, &["-1", "1", "1000000"]),
    ("Scan", "TotalSegments", Kind::Int, &["0", "1", "1000001"]),
    ("Scan", "ConsistentRead", Kind::Bool, &[]),
    ("Scan", "ScanFilter", Kind::Obj, &[r#"{"a": {"ComparisonOperator": "EQ"}}"#]),
    ("Scan", "ExclusiveStartKey", Kind::Obj, &[r#"{"zz": {"S": "x"}}"#]),
    ("Scan", "FilterExpression", Kind::Str, &[r#""a = :nope""#]),
    ("Scan", "ProjectionExpression", Kind::Str, &[r#""a.""#]),
    ("Scan", "AttributesToGet", Kind::Arr, &[r#"["a", "a"]"#]),
    ("Scan", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
    ("BatchGetItem", "RequestItems", Kind::Obj, &[r#"{"$Pd": {}}"#, r#"{"$Pd": {"Keys": []}}"#]),
    ("BatchGetItem", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
    ("BatchWriteItem", "RequestItems", Kind::Obj, &[r#"{"$Pd": []}"#, r#"{"$Pd": [{}]}"#]),
    ("BatchWriteItem", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
    ("BatchWriteItem", "ReturnItemCollectionMetrics", Kind::Str, &[r#""BOGUS""#]),
    ("TransactWriteItems", "TransactItems", Kind::Arr, &[r#"[{}]"#]),
    ("TransactWriteItems", "ClientRequestToken", Kind::Str, &["$TOKEN37"]),
    ("TransactWriteItems", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
    ("TransactWriteItems", "ReturnItemCollectionMetrics", Kind::Str, &[r#""BOGUS""#]),
    ("TransactGetItems", "TransactItems", Kind::Arr, &[r#"[{}]"#]),
    ("TransactGetItems", "ReturnConsumedCapacity", Kind::Str, &[r#""BOGUS""#]),
];

/// A request of `operation` that is valid but for one spoiled parameter.
#[derive(Clone, Debug)]
pub struct Spoiled {
    pub parameter: usize,
    pub mutation: Mutation,
    pub key: KeyIndex,
}

pub fn spoiled() -> impl Strategy<Value = Spoiled> {
    let parameters: Vec<usize> =
        (0..PARAMETERS.len()).filter(|i| emulator::Operation::from_name(PARAMETERS[*i].0).is_some()).collect();
    (prop::sample::select(parameters), 0..5usize, 0..8usize, (0..3usize, 0..3usize)).prop_map(
        |(parameter, m, i, key)| {
            let invalid = PARAMETERS[parameter].3.len();
            let mutation = match m {
                0 => Mutation::Missing,
                1 => Mutation::Null,
                2 => Mutation::WrongType,
                3 => Mutation::Empty,
                _ if invalid > 0 => Mutation::OutOfRange(i % invalid),
                _ => Mutation::WrongType,
            };
            Spoiled { parameter, mutation, key }
        },
    )
}

impl TableSpec {
    /// A valid request of `operation`, every optional parameter the
    /// spoiler knows given a valid value.
    fn base_request(&self, operation: &str, key: KeyIndex) -> Value {
        let item = Value::Object(self.key(key));
        let mut full = self.key(key);
        full.insert("a".into(), json!({"S": "x"}));
        let full = Value::Object(full);
        match operation {
            "PutItem" => json!({"TableName": "$Pd", "Item": full, "ReturnValues": "ALL_OLD",
                "ReturnConsumedCapacity": "TOTAL", "ReturnItemCollectionMetrics": "NONE",
                "ConditionExpression": "attribute_not_exists(b) OR b <> :b", "ExpressionAttributeValues": {":b": {"S": "y"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
            "GetItem" => json!({"TableName": "$Pd", "Key": item, "ConsistentRead": true,
                "ProjectionExpression": "#p, a", "ExpressionAttributeNames": {"#p": "pk"}, "ReturnConsumedCapacity": "TOTAL"}),
            "DeleteItem" => json!({"TableName": "$Pd", "Key": item, "ReturnValues": "ALL_OLD",
                "ReturnItemCollectionMetrics": "NONE", "ReturnConsumedCapacity": "TOTAL"}),
            "UpdateItem" => json!({"TableName": "$Pd", "Key": item, "UpdateExpression": "SET a = :v",
                "ExpressionAttributeValues": {":v": {"S": "x"}}, "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
            "Query" => json!({"TableName": "$Pd", "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": Self::key_value(self.hash, key.0)}, "Limit": 2,
                "ConsistentRead": true, "ScanIndexForward": false, "Select": "ALL_ATTRIBUTES", "ReturnConsumedCapacity": "TOTAL"}),
            "Scan" => json!({"TableName": "$Pd", "ConsistentRead": true, "Segment": 0, "TotalSegments": 1,
                "Select": "ALL_ATTRIBUTES", "ReturnConsumedCapacity": "TOTAL"}),
            "BatchGetItem" => json!({"RequestItems": {"$Pd": {"Keys": [item]}}, "ReturnConsumedCapacity": "TOTAL"}),
            "BatchWriteItem" => json!({"RequestItems": {"$Pd": [{"PutRequest": {"Item": full}}]},
                "ReturnConsumedCapacity": "TOTAL", "ReturnItemCollectionMetrics": "NONE"}),
            "TransactWriteItems" => json!({"TransactItems": [{"Put": {"TableName": "$Pd", "Item": full}}],
                "ReturnConsumedCapacity": "TOTAL", "ReturnItemCollectionMetrics": "NONE"}),
            _ => {
                json!({"TransactItems": [{"Get": {"TableName": "$Pd", "Key": item}}], "ReturnConsumedCapacity": "TOTAL"})
            }
        }
    }

    pub(super) fn spoiled_request(&self, s: &Spoiled) -> (&'static str, Value) {
        let (operation, parameter, kind, invalid) = PARAMETERS[s.parameter];
        // A write DynamoDB Local would accept and DynamoDB refuses would leave
        // the two tables apart: writes get a null instead.
        let writes = !matches!(operation, "GetItem" | "Query" | "Scan" | "BatchGetItem" | "TransactGetItems");
        let s =
            &if writes && s.refused_by_model() { Spoiled { mutation: Mutation::Null, ..s.clone() } } else { s.clone() };
        let mut body = self.base_request(operation, s.key);
        let Value::Object(map) = &mut body else { unreachable!("requests are objects") };
        let value = match s.mutation {
            Mutation::Missing => {
                map.remove(parameter);
                return (operation, body);
            }
            Mutation::Null => Value::Null,
            Mutation::WrongType => match kind {
                Kind::Str => json!(5),
                Kind::Int => json!("5"),
                Kind::Bool => json!("true"),
                Kind::Obj => json!("x"),
                Kind::Arr => json!({}),
            },
            Mutation::Empty => match kind {
                Kind::Str => json!(""),
                Kind::Int => json!(0),
                Kind::Bool => json!(false),
                Kind::Obj => json!({}),
                Kind::Arr => json!([]),
            },
            Mutation::OutOfRange(i) => match invalid[i] {
                "$LONG" => json!("x".repeat(256)),
                "$TOKEN37" => json!("t".repeat(37)),
                text => serde_json::from_str(text).unwrap_or(Value::Null),
            },
        };
        map.insert(parameter.to_string(), value);
        (operation, body)
    }
}

/// Does an UpdateItem's AttributeUpdates hold an action DynamoDB refuses for
/// its value alone: a number it cannot store, ADD of anything but a
/// number, a set or a list, DELETE of a value that is not a set, or an
/// action other than DELETE without a value?
fn refuses_update_value_type(request: &Value) -> bool {
    let Some(Value::Object(updates)) = request.get("AttributeUpdates") else { return false };
    updates.values().any(|update| {
        // A value holding a number DynamoDB cannot store.
        if update.get("Value").is_some_and(holds_refused_number) {
            return true;
        }
        let kind = update.get("Value").and_then(Value::as_object).and_then(|v| v.keys().next()).map(String::as_str);
        match (update.get("Action").and_then(Value::as_str), kind) {
            (Some("ADD"), Some(kind)) => !matches!(kind, "N" | "SS" | "NS" | "BS" | "L"),
            (Some("DELETE"), Some(kind)) => !matches!(kind, "SS" | "NS" | "BS"),
            // "Only DELETE action is allowed when no attribute value is specified".
            (Some("DELETE"), None) => false,
            (_, None) => true,
            _ => false,
        }
    })
}

/// DynamoDB Local's departures the wider strategies meet, normalized (each
/// names its entry in `differences/known.json`):
/// - `top-level-number-text`: DynamoDB Local keeps the text (and Java
///   BigDecimal scale) of top-level numbers written by UpdateItem; they are
///   compared by value (nested numbers stay compared as written).
/// - `mixed-parameters-check-order`: a request mixing legacy and expression
///   parameters is refused before anything else on DynamoDB; DynamoDB Local
///   checks the legacy values first. Both answers are compared as "refused
///   for mixing" (status, type, the message's fixed part).
/// - `number-and-set-value-messages`: DynamoDB Local's words for a number it
///   refuses; both wordings become the entry's name.
/// - `constraint-validation-messages`, `table-name-constraints`,
///   `key-validation-messages`, `scan-segment-messages`,
///   `serialization-wrong-json-type`: a request with a spoiled request-level
///   parameter is compared by status and error type only; where DynamoDB Local
///   accepts a value the API model refuses (an enum value it does not list, a
///   JSON type it does not have), its answer counts as the refusal.
/// - `projection-overlap-path-two`: overlap messages compared up to the first path.
/// - `update-item-check-order`: an UpdateItem with both AttributeUpdates and
///   Expected refused by both compares as one refusal, and so does one whose
///   AttributeUpdates DynamoDB refuses for a value's type while DynamoDB Local
///   first finds the Expected false (ConditionalCheckFailedException).
/// - `query-count-with-projection`: a Query with Select COUNT beside a
///   projection refused by both compares as one refusal.
/// - `query-empty-capacity`: a Query or Scan that reads nothing costs
///   DynamoDB its minimum read (0.5 or 1 unit), DynamoDB Local 0.
/// - and, no difference but an undefined order, the items of a Query of a
///   hash-only GSI partition are compared sorted.
pub(super) fn normalize(
    spec: &TableSpec,
    op: &str,
    request: &Value,
    generated: Option<&super::Op>,
    answer: &mut super::Expect,
) {
    let _ = spec;
    if let Value::Object(map) = &mut answer.body {
        for field in ["Attributes", "Item"] {
            if let Some(item) = map.get_mut(field) {
                canonical_item(item);
            }
        }
        if let Some(Value::Array(items)) = map.get_mut("Items") {
            items.iter_mut().for_each(canonical_item);
            // A Scan's items were sorted by their text (`normalize::response`):
            // again, now that numbers are canonical.
            if op == "Scan" {
                items.sort_by_cached_key(|v| v.to_string());
            }
        }
        if let Some(Value::Object(tables)) = map.get_mut("Responses") {
            for items in tables.values_mut() {
                if let Value::Array(items) = items {
                    items.iter_mut().for_each(canonical_item);
                }
            }
        }
        if (op == "Query" || op == "Scan") && map.get("ScannedCount") == Some(&json!(0)) {
            map.remove("ConsumedCapacity");
        }
        if op == "Query" && request.get("IndexName") == Some(&json!("byG")) {
            if let Some(Value::Array(items)) = map.get_mut("Items") {
                items.sort_by_key(|v| v.to_string());
            }
        }
    }
    let spoiled = match generated {
        Some(super::Op::Spoiled(s)) => Some(s),
        _ => None,
    };
    if let Some(s) = spoiled {
        let refused_by_model = s.refused_by_model();
        if answer.status == 400 || refused_by_model {
            let kind = if refused_by_model {
                json!("<refused by the API model>")
            } else {
                answer.body.get("__type").cloned().unwrap_or(Value::Null)
            };
            *answer = super::Expect { status: 400, body: json!({ "__type": kind }) };
        }
        return;
    }
    // An empty legacy container beside an expression (`AttributesToGet: []`,
    // `QueryFilter: {}`, ...): DynamoDB refuses it (the mix, or the model's
    // minimum length), DynamoDB Local reads as if it were absent (listed
    // difference `empty-legacy-containers`): a read's refusal or answer
    // compares as one.
    let refused = answer.status == 400 && answer.body.get("__type") == Some(&json!("ValidationException"));
    if matches!(op, "Query" | "Scan" | "GetItem")
        && has_empty_legacy_container(op, request)
        && (refused || answer.status == 200)
    {
        *answer = super::Expect { status: 400, body: json!({"__type": "<empty-legacy-containers>"}) };
        return;
    }
    if answer.status != 400 {
        return;
    }
    // An AttributeUpdates action DynamoDB refuses for its value alone (ADD of
    // a string, DELETE of a non-set value, no value: dynalite's updateItem.js,
    // before the table is read): DynamoDB Local evaluates a false Expected
    // first (ConditionalCheckFailed), or meets another attribute's type
    // mismatch on the item first (listed difference `update-item-check-order`);
    // both refuse and write nothing.
    if op == "UpdateItem"
        && refuses_update_value_type(request)
        && matches!(
            answer.body.get("__type").and_then(Value::as_str),
            Some("ConditionalCheckFailedException" | "ValidationException")
        )
    {
        *answer = super::Expect {
            status: 400,
            body: json!({"__type": "ValidationException", "message": "<update-item-check-order>"}),
        };
        return;
    }
    let Some(message) = answer.body.get("message").and_then(Value::as_str).map(str::to_string) else { return };
    if mixes_parameters(op, request) && answer.body.get("__type") == Some(&json!("ValidationException")) {
        answer.body["message"] = json!(MIXED);
        return;
    }
    // A Query asking only for the Count beside a projection: DynamoDB refuses
    // it before the table (with the validation prefix), DynamoDB Local after
    // the index's projection checks (listed difference `query-count-with-projection`).
    let names_attributes = request.get("ProjectionExpression").is_some()
        || request.get("AttributesToGet").and_then(Value::as_array).is_some_and(|names| !names.is_empty());
    if op == "Query"
        && request.get("Select") == Some(&json!("COUNT"))
        && names_attributes
        && answer.body.get("__type") == Some(&json!("ValidationException"))
    {
        answer.body["message"] = json!("<query-count-with-projection>");
        return;
    }
    // UpdateItem with both AttributeUpdates and Expected: DynamoDB checks the
    // update first, DynamoDB Local the condition's values (listed difference
    // `update-item-check-order`): a refusal compares as one.
    if op == "UpdateItem"
        && request.get("AttributeUpdates").is_some()
        && request.get("Expected").is_some()
        && answer.body.get("__type") == Some(&json!("ValidationException"))
    {
        answer.body["message"] = json!("<update-item-check-order>");
        return;
    }
    // PutItem/DeleteItem with ReturnValues other than NONE/ALL_OLD: DynamoDB's
    // message and its place before Expected's values (dynalite's putItem.js),
    // DynamoDB Local's own message after them (listed difference
    // `put-delete-return-values-message`).
    let return_values = request.get("ReturnValues").and_then(Value::as_str);
    if matches!(op, "PutItem" | "DeleteItem")
        && return_values.is_some_and(|r| r != "NONE" && r != "ALL_OLD")
        && answer.body.get("__type") == Some(&json!("ValidationException"))
    {
        answer.body["message"] = json!("<put-delete-return-values-message>");
        return;
    }
    // DynamoDB Local's second path is the path after the first one, not the
    // one it overlaps (listed difference `projection-overlap-path-two`).
    if let Some(i) = message.find(", path two: ") {
        if message.contains("Two document paths overlap") {
            answer.body["message"] = json!(message[..i].to_string());
            return;
        }
    }
    // An empty expression beside another invalid one: DynamoDB Local reports
    // the empty one first, the emulator (as dynalite, asserted against
    // DynamoDB) the expressions in their order (listed difference
    // `empty-expression-check-order`).
    let expression_params = [
        "KeyConditionExpression",
        "FilterExpression",
        "ProjectionExpression",
        "ConditionExpression",
        "UpdateExpression",
    ];
    let empty_expression = expression_params.iter().any(|p| request.get(*p) == Some(&json!("")));
    let other_expression =
        expression_params.iter().any(|p| request.get(*p).and_then(Value::as_str).is_some_and(|e| !e.is_empty()));
    if empty_expression
        && other_expression
        && message.starts_with("Invalid ")
        && message.split(':').next().is_some_and(|head| head.ends_with("Expression"))
    {
        answer.body["message"] = json!("<empty-expression-check-order>");
        return;
    }
    // Duplicate names in AttributesToGet: DynamoDB's "Duplicate value in
    // attribute name: NAME", DynamoDB Local's "Cannot have two attributes
    // with the same name" (listed difference `attributes-to-get-duplicate-message`).
    if matches!(op, "GetItem" | "BatchGetItem" | "Query" | "Scan")
        && (message.contains("Duplicate value in attribute name: ")
            || message == "Cannot have two attributes with the same name")
    {
        answer.body["message"] = json!("<attributes-to-get-duplicate-message>");
        return;
    }
    // AttributeUpdates ADD/DELETE of a type the action does not take: DynamoDB
    // names the type by its wire tag (S), DynamoDB Local in full (STRING)
    // (listed difference `attribute-updates-type-names`).
    if op == "UpdateItem" {
        if let Some(i) = message.find(" is not supported for the type ") {
            if message.contains("ADD action") || message.contains("DELETE action with value") {
                answer.body["message"] = json!(format!("{}<attribute-updates-type-names>", &message[..i]));
                return;
            }
        }
    }
    const NUMBER_MESSAGES: &[&str] = &[
        "A value provided cannot be converted into a number",
        "The parameter cannot be converted to a numeric value",
        "DynamoDB only supports precision up to 38 digits",
        "Attempting to store more than 38 significant digits in a Number",
    ];
    if NUMBER_MESSAGES.iter().any(|m| message.contains(m)) {
        answer.body["message"] = json!("<number-and-set-value-messages>");
    }
}

/// Whether a request has an empty legacy container beside an expression
/// parameter (listed difference `empty-legacy-containers`).
pub(super) fn has_empty_legacy_container(op: &str, request: &Value) -> bool {
    let empty = |p: &str| match request.get(p) {
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(m)) => m.is_empty(),
        _ => false,
    };
    let legacy = ["AttributesToGet", "AttributeUpdates", "Expected", "QueryFilter", "ScanFilter", "KeyConditions"];
    let expressions = [
        "ProjectionExpression",
        "FilterExpression",
        "KeyConditionExpression",
        "ConditionExpression",
        "UpdateExpression",
    ];
    let _ = op;
    // An empty AttributesToGet breaks the model's minimum length on its own.
    empty("AttributesToGet")
        || (legacy.iter().any(|p| empty(p))
            && expressions.iter().any(|p| request.get(*p).is_some_and(|v| !v.is_null())))
}

const MIXED: &str = "Can not use both expression and non-expression parameters in the same request";

/// Whether a request mixes legacy and expression parameters as DynamoDB
/// refuses it (legacy `KeyConditions` count only beside a `KeyConditionExpression`).
fn mixes_parameters(op: &str, request: &Value) -> bool {
    let (legacy, expressions): (&[&str], &[&str]) = match op {
        "PutItem" | "DeleteItem" => (&["Expected", "ConditionalOperator"], &["ConditionExpression"]),
        "UpdateItem" => {
            (&["AttributeUpdates", "Expected", "ConditionalOperator"], &["UpdateExpression", "ConditionExpression"])
        }
        "GetItem" => (&["AttributesToGet"], &["ProjectionExpression"]),
        "Query" => (
            &["AttributesToGet", "ConditionalOperator", "KeyConditions", "QueryFilter"],
            &["ProjectionExpression", "FilterExpression", "KeyConditionExpression"],
        ),
        "Scan" => {
            (&["AttributesToGet", "ConditionalOperator", "ScanFilter"], &["ProjectionExpression", "FilterExpression"])
        }
        _ => return false,
    };
    let has = |p: &&str| request.get(*p).is_some_and(|v| !v.is_null());
    let key_conditions_count = has(&"KeyConditionExpression");
    legacy.iter().filter(|p| **p != "KeyConditions" || key_conditions_count).any(has) && expressions.iter().any(has)
}

impl Spoiled {
    /// Whether the spoiled value breaks the API model's own constraints (a
    /// JSON type the member does not have, an enum value it does not list),
    /// which DynamoDB refuses and DynamoDB Local sometimes accepts.
    fn refused_by_model(&self) -> bool {
        let (_, parameter, kind, invalid) = PARAMETERS[self.parameter];
        let enum_member = matches!(
            parameter,
            "ReturnValues"
                | "ReturnConsumedCapacity"
                | "ReturnItemCollectionMetrics"
                | "ReturnValuesOnConditionCheckFailure"
                | "Select"
                | "ConditionalOperator"
        );
        match self.mutation {
            Mutation::WrongType => true,
            // An empty enum value; an empty AttributesToGet or ClientRequestToken
            // (the model's minimum length is 1); an empty legacy container beside
            // the base request's expressions (DynamoDB refuses the mix; listed
            // difference `empty-legacy-containers`).
            Mutation::Empty => {
                (enum_member && matches!(kind, Kind::Str))
                    || matches!(parameter, "AttributesToGet" | "ClientRequestToken")
                    || (matches!(kind, Kind::Obj)
                        && matches!(parameter, "Expected" | "AttributeUpdates" | "QueryFilter" | "KeyConditions")
                        && matches!(PARAMETERS[self.parameter].0, "PutItem" | "UpdateItem" | "Query"))
            }
            // Values no enum of the model lists; numbers an Integer member cannot
            // hold (DynamoDB Local fails with HTTP 500 there: listed difference
            // `integer-member-as-string`).
            Mutation::OutOfRange(i) => {
                (enum_member && [r#""BOGUS""#, r#""all_old""#, r#""XOR""#].contains(&invalid[i]))
                    || (matches!(kind, Kind::Int) && invalid[i].parse::<i64>().is_ok_and(|n| i32::try_from(n).is_err()))
            }
            _ => false,
        }
    }
}

/// Top-level numbers (N, NS) of an item as their value: sign, digits without
/// leading or trailing zeros, and exponent.
fn canonical_item(item: &mut Value) {
    let Value::Object(attributes) = item else { return };
    for value in attributes.values_mut() {
        let Value::Object(typed) = value else { continue };
        if let Some(Value::String(n)) = typed.get_mut("N") {
            *n = canonical_number(n);
        }
        if let Some(Value::Array(set)) = typed.get_mut("NS") {
            for n in set.iter_mut() {
                if let Value::String(text) = n {
                    *text = canonical_number(text);
                }
            }
            set.sort_by_key(|v| v.to_string());
        }
    }
}

/// Whether an attribute value (at any depth) holds a number DynamoDB refuses
/// to read: not a decimal, more than 38 digits, or out of its range.
fn holds_refused_number(value: &Value) -> bool {
    fn refused(text: &str) -> bool {
        let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
        let mantissa = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
        let exponent_ok = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let decimal = !(int.is_empty() && frac.is_empty())
            && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            && !exponent_ok.is_empty()
            && exponent_ok.bytes().all(|b| b.is_ascii_digit());
        if !decimal {
            return true;
        }
        let canonical = canonical_number(text);
        let Some((digits, exponent)) = canonical.trim_start_matches('-').split_once('E') else { return false };
        let scientific = exponent.parse::<i64>().unwrap_or(0) + digits.len() as i64 - 1;
        digits.len() > 38 || !(-130..=125).contains(&scientific)
    }
    match value {
        Value::Object(map) => map.iter().any(|(kind, inner)| match (kind.as_str(), inner) {
            ("N", Value::String(text)) => refused(text),
            ("NS", Value::Array(list)) => list.iter().any(|n| n.as_str().is_some_and(refused)),
            ("M", Value::Object(members)) => members.values().any(holds_refused_number),
            ("L", Value::Array(list)) => list.iter().any(holds_refused_number),
            _ => false,
        }),
        _ => false,
    }
}

pub(super) fn canonical_number(text: &str) -> String {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let exponent = exponent - frac.len() as i64;
    let trimmed_front = digits.trim_start_matches('0');
    if trimmed_front.is_empty() {
        return "0".into();
    }
    let trimmed = trimmed_front.trim_end_matches('0');
    let exponent = exponent + (trimmed_front.len() - trimmed.len()) as i64;
    format!("{}{trimmed}E{exponent}", if negative { "-" } else { "" })
}
