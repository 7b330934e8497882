//! `MultiKeyIndexes.json`: global secondary indexes whose key has several
//! HASH and RANGE attributes (up to four of each), recorded from DynamoDB
//! Local 3.3, which implements them: definition and its errors, sparse
//! maintenance and the per-attribute and aggregate key checks on writes,
//! Query's key conditions (equality on every HASH attribute, the RANGE
//! attributes left to right), paging, Scan, PartiQL's refusal.

use super::with;
use crate::scenario::Scenario;
use serde_json::{json, Value};

fn attribute_definitions(pairs: &[(&str, &str)]) -> Value {
    Value::Array(pairs.iter().map(|(n, t)| json!({"AttributeName": n, "AttributeType": t})).collect())
}

fn key_schema(hash: &[&str], range: &[&str]) -> Value {
    let hash = hash.iter().map(|n| json!({"AttributeName": n, "KeyType": "HASH"}));
    let range = range.iter().map(|n| json!({"AttributeName": n, "KeyType": "RANGE"}));
    Value::Array(hash.chain(range).collect())
}

/// `$Pt`: pk/sk strings; GSI `multi` keyed (t S, e S) HASH, (y N, m N, d S) RANGE, KEYS_ONLY.
fn create_multi() -> Value {
    json!({
        "TableName": "$Pt",
        "KeySchema": key_schema(&["pk"], &["sk"]),
        "AttributeDefinitions": attribute_definitions(&[("pk", "S"), ("sk", "S"), ("t", "S"), ("e", "S"), ("y", "N"), ("m", "N"), ("d", "S")]),
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [{"IndexName": "multi", "KeySchema": key_schema(&["t", "e"], &["y", "m", "d"]), "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    })
}

fn item(id: usize, t: &str, y: i64, m: i64, d: &str) -> Value {
    json!({"pk": {"S": format!("p{id:02}")}, "sk": {"S": "s"}, "t": {"S": t}, "e": {"S": "e1"}, "y": {"N": y.to_string()}, "m": {"N": m.to_string()}, "d": {"S": d}, "x": {"S": "extra"}})
}

/// The table with 24 complete index keys (t in A/B, y 2023-2024, m 1/2/11,
/// d a/b) and two items missing RANGE attributes (not in the index).
fn seeded(name: &str, doc: &str) -> Scenario {
    let mut s = Scenario::new(name, doc).step("CreateTable", create_multi());
    let mut id = 0;
    for t in ["A", "B"] {
        for y in [2023, 2024] {
            for m in [1, 2, 11] {
                for d in ["a", "b"] {
                    id += 1;
                    s = s.step("PutItem", json!({"TableName": "$Pt", "Item": item(id, t, y, m, d)}));
                }
            }
        }
    }
    let partial =
        json!({"pk": {"S": "partial"}, "sk": {"S": "s"}, "t": {"S": "A"}, "e": {"S": "e1"}, "y": {"N": "2024"}});
    s.step("PutItem", json!({"TableName": "$Pt", "Item": partial}))
}

fn query(condition: &str, values: Value) -> Value {
    json!({"TableName": "$Pt", "IndexName": "multi", "KeyConditionExpression": condition, "ExpressionAttributeValues": values})
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let s = |v: &str| json!({"S": v});
    let n = |v: i64| json!({"N": v.to_string()});
    let te = |extra: Value| {
        let mut values = json!({":t": s("A"), ":e": s("e1")});
        if let (Some(m), Value::Object(extra)) = (values.as_object_mut(), extra) {
            m.extend(extra);
        }
        values
    };
    let base = "t = :t AND e = :e";
    let queries: Vec<(&str, String, Value)> = vec![
        ("hash-only", base.into(), te(json!({}))),
        ("hash-in-any-order", "e = :e AND t = :t".into(), te(json!({}))),
        ("first-range-eq", format!("{base} AND y = :y"), te(json!({":y": n(2024)}))),
        ("first-range-gt", format!("{base} AND y > :y"), te(json!({":y": n(2023)}))),
        ("first-range-between", format!("{base} AND y BETWEEN :a AND :b"), te(json!({":a": n(2023), ":b": n(2024)}))),
        ("second-range-gt", format!("{base} AND y = :y AND m > :m"), te(json!({":y": n(2024), ":m": n(1)}))),
        ("second-range-le", format!("{base} AND y = :y AND m <= :m"), te(json!({":y": n(2024), ":m": n(2)}))),
        ("second-range-lt", format!("{base} AND y = :y AND m < :m"), te(json!({":y": n(2024), ":m": n(2)}))),
        (
            "third-range-ge",
            format!("{base} AND y = :y AND m = :m AND d >= :d"),
            te(json!({":y": n(2024), ":m": n(1), ":d": s("b")})),
        ),
        (
            "third-range-begins-with",
            format!("{base} AND y = :y AND m = :m AND begins_with(d, :d)"),
            te(json!({":y": n(2024), ":m": n(2), ":d": s("a")})),
        ),
        ("range-in-any-order", format!("{base} AND m = :m AND y = :y"), te(json!({":y": n(2024), ":m": n(2)}))),
        ("other-partition", base.into(), json!({":t": s("B"), ":e": s("e1")})),
        ("absent-partition", base.into(), json!({":t": s("C"), ":e": s("e1")})),
        // Errors.
        ("missing-hash-attribute", "t = :t".into(), json!({":t": s("A")})),
        ("hash-range-condition", "t = :t AND e > :e".into(), te(json!({}))),
        ("missing-hash-before-non-key", "t = :t AND x = :x".into(), json!({":t": s("A"), ":x": s("a")})),
        ("range-gap", format!("{base} AND m = :m"), te(json!({":m": n(1)}))),
        ("range-after-inequality", format!("{base} AND y > :y AND m = :m"), te(json!({":y": n(2023), ":m": n(1)}))),
        ("range-gap-of-two", format!("{base} AND begins_with(d, :d)"), te(json!({":d": s("a")}))),
        ("range-gap-before-non-key", format!("{base} AND x = :x AND m = :m"), te(json!({":x": s("a"), ":m": s("1")}))),
        (
            "two-conditions-on-one-attribute",
            format!("{base} AND y = :y AND y > :z"),
            te(json!({":y": n(2023), ":z": n(1)})),
        ),
        ("non-key-attribute", format!("{base} AND pk = :p"), te(json!({":p": s("p01")}))),
        ("hash-wrong-type", "t = :t AND e = :e AND y = :y".into(), json!({":t": n(1), ":e": s("e1"), ":y": n(1)})),
        ("range-wrong-type", format!("{base} AND y = :y"), te(json!({":y": s("2024")}))),
        ("begins-with-on-number", format!("{base} AND begins_with(y, :y)"), te(json!({":y": n(1)}))),
        ("nested-path", format!("{base} AND y.z = :y"), te(json!({":y": n(1)}))),
    ];
    let mut out: Vec<Scenario> = queries
        .into_iter()
        .map(|(case, condition, values)| {
            seeded(&format!("MultiKeyIndexes/query-{case}"), &format!("Query on a multi-attribute key: {case}"))
                .step("Query", query(&condition, values))
        })
        .collect();
    let paged = |case: &str, extra: Value| {
        seeded(&format!("MultiKeyIndexes/{case}"), &format!("Query on a multi-attribute key: {case}"))
            .step("Query", with(query(&format!("{base} AND y = :y"), te(json!({":y": n(2024)}))), extra))
    };
    let start = |e: &str, y: i64| json!({"t": s("A"), "e": s(e), "y": n(y), "m": n(1), "d": s("a"), "pk": s("p07"), "sk": s("s")});
    out.push(paged("query-limit", json!({"Limit": 2})));
    out.push(paged("query-limit-backwards", json!({"Limit": 2, "ScanIndexForward": false})));
    out.push(paged("query-start-key", json!({"Limit": 2, "ExclusiveStartKey": start("e1", 2024)})));
    out.push(paged("query-start-key-other-partition", json!({"ExclusiveStartKey": start("e2", 2024)})));
    out.push(paged("query-start-key-outside-range", json!({"ExclusiveStartKey": start("e1", 2023)})));
    let mut short = start("e1", 2024);
    short.as_object_mut().map(|m| m.remove("d"));
    out.push(paged("query-start-key-missing-attribute", json!({"ExclusiveStartKey": short})));
    out.push(paged("query-filter-on-index-key", json!({"FilterExpression": "m = :y"})));
    out.push(
        seeded("MultiKeyIndexes/query-legacy-key-conditions", "legacy KeyConditions on a multi-attribute key").step(
            "Query",
            json!({"TableName": "$Pt", "IndexName": "multi", "KeyConditions": {
                "t": {"ComparisonOperator": "EQ", "AttributeValueList": [s("A")]},
                "e": {"ComparisonOperator": "EQ", "AttributeValueList": [s("e1")]},
                "y": {"ComparisonOperator": "GT", "AttributeValueList": [n(2023)]}}}),
        ),
    );
    out.push(
        seeded("MultiKeyIndexes/scan-index", "Scan of a multi-attribute index, paged")
            .step("Scan", json!({"TableName": "$Pt", "IndexName": "multi", "Limit": 30})),
    );
    out.push(
        seeded("MultiKeyIndexes/describe-table", "DescribeTable: the key schema as given, ItemCount of complete keys")
            .step("DescribeTable", json!({"TableName": "$Pt"})),
    );
    out.push(
        seeded("MultiKeyIndexes/partiql-on-index", "PartiQL refuses an index with a multi-attribute key").step(
            "ExecuteStatement",
            json!({"Statement": "SELECT * FROM \"$Pt\".\"multi\" WHERE t = 'A' AND e = 'e1'"}),
        ),
    );
    // Writes.
    let write = |case: &str, item: Value| {
        Scenario::new(format!("MultiKeyIndexes/put-{case}"), format!("PutItem on a multi-attribute index: {case}"))
            .step("CreateTable", create_multi())
            .step("PutItem", json!({"TableName": "$Pt", "Item": item}))
            .step("Scan", json!({"TableName": "$Pt", "IndexName": "multi"}))
    };
    let with_attrs = |extra: Value| with(item(1, "A", 2024, 1, "a"), extra);
    out.push(write("complete", with_attrs(json!({}))));
    out.push(write("wrong-hash-type", with_attrs(json!({"t": n(5)}))));
    out.push(write("wrong-range-type", with_attrs(json!({"m": s("January")}))));
    out.push(write("empty-string", with_attrs(json!({"e": s("")}))));
    out.push(write(
        "hash-aggregate-too-big",
        with_attrs(json!({"t": s(&"A".repeat(1500)), "e": s(&"B".repeat(1500))})),
    ));
    out.push(write("one-hash-too-big", with_attrs(json!({"t": s(&"A".repeat(2049))}))));
    out.push(write("one-range-too-big", with_attrs(json!({"d": s(&"x".repeat(1025))}))));
    out.push(write("range-within-limit", with_attrs(json!({"d": s(&"x".repeat(1000))}))));
    let range_strings = |case: &str, a: usize, b: usize| {
        Scenario::new(format!("MultiKeyIndexes/put-{case}"), format!("PutItem on a multi-attribute index: {case}"))
            .step(
                "CreateTable",
                json!({"TableName": "$Pt", "KeySchema": key_schema(&["pk"], &[]), "BillingMode": "PAY_PER_REQUEST",
                       "AttributeDefinitions": attribute_definitions(&[("pk", "S"), ("a", "S"), ("b", "S")]),
                       "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": key_schema(&["pk"], &["a", "b"]), "Projection": {"ProjectionType": "ALL"}}]}),
            )
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": s("1"), "a": s(&"x".repeat(a)), "b": s(&"y".repeat(b))}}))
    };
    out.push(range_strings("range-aggregate-too-big", 600, 600));
    out.push(range_strings("range-aggregate-at-limit", 600, 424));
    // Definitions.
    let define = |case: &str, hash: &[&str], range: &[&str], defs: &[(&str, &str)]| {
        let mut all = vec![("pk", "S")];
        all.extend_from_slice(defs);
        Scenario::new(format!("MultiKeyIndexes/create-{case}"), format!("CreateTable with a multi-attribute GSI key: {case}"))
            .step(
                "CreateTable",
                json!({"TableName": "$Pt", "KeySchema": key_schema(&["pk"], &[]), "BillingMode": "PAY_PER_REQUEST",
                       "AttributeDefinitions": attribute_definitions(&all),
                       "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": key_schema(hash, range), "Projection": {"ProjectionType": "ALL"}}]}),
            )
    };
    let abcd = [("a", "S"), ("b", "N"), ("c", "B"), ("d", "S")];
    out.push(define(
        "four-and-four",
        &["a", "b", "c", "d"],
        &["e", "f", "g", "h"],
        &[("a", "S"), ("b", "N"), ("c", "B"), ("d", "S"), ("e", "S"), ("f", "N"), ("g", "B"), ("h", "S")],
    ));
    out.push(define("two-hash", &["a", "b"], &[], &abcd[..2]));
    out.push(define("table-key-as-second-hash", &["a", "pk"], &[], &abcd[..1]));
    out.push(define(
        "five-hash",
        &["a", "b", "c", "d", "e"],
        &[],
        &[("a", "S"), ("b", "N"), ("c", "B"), ("d", "S"), ("e", "S")],
    ));
    out.push(define(
        "five-range",
        &["a"],
        &["b", "c", "d", "e", "f"],
        &[("a", "S"), ("b", "N"), ("c", "B"), ("d", "S"), ("e", "S"), ("f", "S")],
    ));
    out.push(define("duplicate-hash", &["a", "a"], &[], &abcd[..1]));
    out.push(define("duplicate-across-kinds", &["a"], &["b", "a"], &abcd[..2]));
    out.push(define("duplicate-before-count", &["a", "a", "b", "c", "d"], &[], &abcd));
    out.push(define("undefined-attribute", &["a", "z"], &[], &abcd[..1]));
    out.push(define("unused-definition", &["a", "b"], &[], &abcd[..3]));
    let out_of_order = |case: &str, elements: Value| {
        Scenario::new(format!("MultiKeyIndexes/create-{case}"), format!("CreateTable with a multi-attribute GSI key: {case}"))
            .step(
                "CreateTable",
                json!({"TableName": "$Pt", "KeySchema": key_schema(&["pk"], &[]), "BillingMode": "PAY_PER_REQUEST",
                       "AttributeDefinitions": attribute_definitions(&[("pk", "S"), ("a", "S"), ("b", "S"), ("c", "S")]),
                       "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": elements, "Projection": {"ProjectionType": "ALL"}}]}),
            )
    };
    let el = |name: &str, kind: &str| json!({"AttributeName": name, "KeyType": kind});
    out.push(out_of_order("hash-after-range", json!([el("a", "HASH"), el("b", "RANGE"), el("c", "HASH")])));
    out.push(out_of_order("only-range", json!([el("a", "RANGE"), el("b", "RANGE"), el("c", "RANGE")])));
    out.push(
        Scenario::new("MultiKeyIndexes/create-table-two-hash", "a table's own key stays one HASH attribute").step(
            "CreateTable",
            json!({"TableName": "$Pt", "KeySchema": key_schema(&["pk", "a"], &[]), "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": attribute_definitions(&[("pk", "S"), ("a", "S")])}),
        ),
    );
    out.push(
        Scenario::new("MultiKeyIndexes/create-lsi-two-range", "a local index keeps one RANGE attribute").step(
            "CreateTable",
            json!({"TableName": "$Pt", "KeySchema": key_schema(&["pk"], &["sk"]), "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": attribute_definitions(&[("pk", "S"), ("sk", "S"), ("a", "S")]),
                   "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": key_schema(&["pk"], &["a", "sk"]), "Projection": {"ProjectionType": "ALL"}}]}),
        ),
    );
    out
}
