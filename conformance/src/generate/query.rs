//! `Query.json`: key conditions on the six-item table and its indexes, paging,
//! filters, projections, invalid requests and sort-key orders.

use super::{create, key, put, query_body, seeded, usual, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

pub(super) fn scenarios() -> Vec<Scenario> {
    let eq_a = json!({"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "a"}}});
    let sk = |condition: &str, values: Value| {
        let mut v = json!({":a": {"S": "a"}});
        if let (Some(m), Value::Object(extra)) = (v.as_object_mut(), values) {
            m.extend(extra);
        }
        json!({"KeyConditionExpression": format!("pk = :a AND {condition}"), "ExpressionAttributeValues": v})
    };
    let cases: Vec<(&str, Value)> = vec![
        ("partition", eq_a.clone()),
        (
            "partition-absent",
            json!({"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "zz"}}}),
        ),
        ("sort-eq", sk("sk = :s", json!({":s": {"N": "2"}}))),
        ("sort-lt", sk("sk < :s", json!({":s": {"N": "3"}}))),
        ("sort-le", sk("sk <= :s", json!({":s": {"N": "2"}}))),
        ("sort-gt", sk("sk > :s", json!({":s": {"N": "1"}}))),
        ("sort-ge", sk("sk >= :s", json!({":s": {"N": "2"}}))),
        ("sort-between", sk("sk BETWEEN :x AND :y", json!({":x": {"N": "1"}, ":y": {"N": "2"}}))),
        ("sort-between-reversed", sk("sk BETWEEN :x AND :y", json!({":x": {"N": "2"}, ":y": {"N": "1"}}))),
        // The filter's faults come before the key condition's reversed bounds (found by the differential run).
        (
            "between-reversed-and-filter-value-undefined",
            with(
                sk("sk BETWEEN :x AND :y", json!({":x": {"N": "2"}, ":y": {"N": "1"}})),
                json!({"FilterExpression": "n >= :f"}),
            ),
        ),
        (
            "between-reversed-and-filter-operand-type",
            with(
                sk("sk BETWEEN :x AND :y", json!({":x": {"N": "2"}, ":y": {"N": "1"}, ":f": {"NS": ["1"]}})),
                json!({"FilterExpression": "begins_with(s, :f)"}),
            ),
        ),
        (
            "between-reversed-and-projection-overlap",
            with(
                sk("sk BETWEEN :x AND :y", json!({":x": {"N": "2"}, ":y": {"N": "1"}})),
                json!({"ProjectionExpression": "n, s, s"}),
            ),
        ),
        (
            "begins-with-number-and-filter-value-undefined",
            with(sk("begins_with(sk, :x)", json!({":x": {"N": "2"}})), json!({"FilterExpression": "n >= :f"})),
        ),
        (
            "between-reversed-and-unused-value",
            sk("sk BETWEEN :x AND :y", json!({":x": {"N": "2"}, ":y": {"N": "1"}, ":z": {"N": "0"}})),
        ),
        ("backwards", with(eq_a.clone(), json!({"ScanIndexForward": false}))),
        ("limit-1", with(eq_a.clone(), json!({"Limit": 1}))),
        ("limit-page-2", with(eq_a.clone(), json!({"Limit": 2, "ExclusiveStartKey": key("a", 1)}))),
        ("limit-last-page", with(eq_a.clone(), json!({"Limit": 2, "ExclusiveStartKey": key("a", 2)}))),
        ("count", with(eq_a.clone(), json!({"Select": "COUNT"}))),
        (
            "filter",
            with(
                sk("sk > :s", json!({":s": {"N": "0"}, ":ten": {"N": "10"}})),
                json!({"FilterExpression": "n > :ten"}),
            ),
        ),
        (
            "filter-with-limit",
            with(
                sk("sk > :s", json!({":s": {"N": "0"}, ":ten": {"N": "10"}})),
                json!({"FilterExpression": "n > :ten", "Limit": 1}),
            ),
        ),
        (
            "projection",
            with(eq_a.clone(), json!({"ProjectionExpression": "sk, #s", "ExpressionAttributeNames": {"#s": "s"}})),
        ),
        ("capacity", with(eq_a.clone(), json!({"ReturnConsumedCapacity": "TOTAL", "ConsistentRead": true}))),
        (
            "gsi",
            json!({"IndexName": "byG", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "odd"}}}),
        ),
        (
            "gsi-consistent",
            json!({"IndexName": "byG", "ConsistentRead": true, "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "odd"}}}),
        ),
        ("lsi", with(sk("n >= :m", json!({":m": {"N": "20"}})), json!({"IndexName": "byN"}))),
        (
            "lsi-all-attributes",
            with(sk("n >= :m", json!({":m": {"N": "20"}})), json!({"IndexName": "byN", "Select": "ALL_ATTRIBUTES"})),
        ),
        ("unknown-index", with(eq_a.clone(), json!({"IndexName": "nope"}))),
        // Errors.
        ("missing-key-condition", json!({})),
        (
            "no-partition-condition",
            json!({"KeyConditionExpression": "sk = :s", "ExpressionAttributeValues": {":s": {"N": "1"}}}),
        ),
        (
            "partition-range-condition",
            json!({"KeyConditionExpression": "pk > :a", "ExpressionAttributeValues": {":a": {"S": "a"}}}),
        ),
        ("non-key-condition", sk("n = :s", json!({":s": {"N": "1"}}))),
        (
            "or-in-key-condition",
            json!({"KeyConditionExpression": "pk = :a OR pk = :b", "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}}}),
        ),
        (
            "wrong-value-type",
            json!({"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"N": "1"}}}),
        ),
        ("begins-with-on-number", sk("begins_with(sk, :s)", json!({":s": {"N": "1"}}))),
        ("limit-zero", with(eq_a.clone(), json!({"Limit": 0}))),
        ("filter-on-key", with(eq_a.clone(), json!({"FilterExpression": "sk = :a"}))),
        ("bad-select", with(eq_a.clone(), json!({"Select": "SOME"}))),
        ("exclusive-start-key-wrong-partition", with(eq_a.clone(), json!({"ExclusiveStartKey": key("b", 1)}))),
    ];
    let mut out: Vec<Scenario> = cases
        .into_iter()
        .map(|(case, extra)| {
            seeded(&format!("Query/{case}"), &format!("Query {case}")).step("Query", query_body(extra))
        })
        .collect();
    out.push(
        Scenario::new("Query/string-sort-begins-with", "begins_with on a string sort key")
            .step("CreateTable", create("$Pt", ("pk", "S"), Some(("sk", "S"))))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"S": "order#1"}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"S": "order#2"}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"S": "profile"}}}))
            .step(
                "Query",
                json!({"TableName": "$Pt", "KeyConditionExpression": "pk = :p AND begins_with(sk, :o)", "ExpressionAttributeValues": {":p": {"S": "p"}, ":o": {"S": "order#"}}}),
            ),
    );
    out.push(
        Scenario::new("Query/binary-sort-order", "binary sort keys order bytewise, unsigned")
            .step("CreateTable", create("$Pt", ("pk", "S"), Some(("sk", "B"))))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"B": "/w=="}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"B": "AA=="}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"B": "fw=="}}}))
            .step("Query", json!({"TableName": "$Pt", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}})),
    );
    out.push(
        Scenario::new("Query/number-sort-order", "number sort keys order numerically")
            .step("CreateTable", usual())
            .step("PutItem", put(key("p", 10)))
            .step("PutItem", put(key("p", -3)))
            .step("PutItem", put(key("p", 2)))
            .step("PutItem", put(with(key("p", 0), json!({"x": {"S": "zero"}}))))
            .step("Query", json!({"TableName": "$Pt", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}})),
    );
    out
}
