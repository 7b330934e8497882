//! `Scan.json`: scans of the six-item table and its indexes, filters,
//! segments and invalid requests.

use super::{query_body, seeded, usual};
use crate::scenario::Scenario;
use serde_json::{json, Value};

pub(super) fn scenarios() -> Vec<Scenario> {
    let cases: Vec<(&str, Value)> = vec![
        ("all", json!({})),
        ("count", json!({"Select": "COUNT"})),
        ("filter", json!({"FilterExpression": "n >= :m", "ExpressionAttributeValues": {":m": {"N": "20"}}})),
        (
            "filter-contains",
            json!({"FilterExpression": "contains(tags, :t)", "ExpressionAttributeValues": {":t": {"S": "t3"}}}),
        ),
        ("filter-key", json!({"FilterExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}})),
        ("projection", json!({"ProjectionExpression": "pk, sk, tags"})),
        ("gsi", json!({"IndexName": "byG"})),
        ("lsi", json!({"IndexName": "byN"})),
        ("capacity", json!({"ReturnConsumedCapacity": "TOTAL"})),
        ("consistent", json!({"ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"})),
        ("segment-without-total", json!({"Segment": 0})),
        ("segment-out-of-range", json!({"Segment": 2, "TotalSegments": 2})),
        ("total-without-segment", json!({"TotalSegments": 2})),
        ("total-segments-zero", json!({"Segment": 0, "TotalSegments": 0})),
        ("limit-zero", json!({"Limit": 0})),
        ("unknown-index", json!({"IndexName": "nope"})),
        ("bad-filter", json!({"FilterExpression": "n >>= :m", "ExpressionAttributeValues": {":m": {"N": "1"}}})),
        (
            "unused-value",
            json!({"FilterExpression": "n > :m", "ExpressionAttributeValues": {":m": {"N": "1"}, ":x": {"N": "2"}}}),
        ),
        (
            "scan-filter-legacy",
            json!({"ScanFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "15"}]}}}),
        ),
        // Value by value: type, then sameness (found by the differential run).
        (
            "scan-filter-in-mixed-then-set",
            json!({"ScanFilter": {"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "b"}, {"SS": ["a"]}]}}}),
        ),
        (
            "scan-filter-in-set-then-mixed",
            json!({"ScanFilter": {"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"SS": ["a"]}, {"S": "b"}]}}}),
        ),
    ];
    let mut out: Vec<Scenario> = cases
        .into_iter()
        .map(|(case, extra)| seeded(&format!("Scan/{case}"), &format!("Scan {case}")).step("Scan", query_body(extra)))
        .collect();
    out.push(Scenario::new("Scan/missing-table", "an unknown table").step("Scan", json!({"TableName": "$Pnone"})));
    out.push(
        Scenario::new("Scan/empty-table", "an empty table")
            .step("CreateTable", usual())
            .step("Scan", json!({"TableName": "$Pt"})),
    );
    out
}
