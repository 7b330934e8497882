//! `PutItem.json`: every attribute type, valid and invalid; keys of every
//! type; ReturnValues, consumed capacity and item sizes.

use super::{
    attribute_values, create, get, item_with, key, nest, not_found_data_plane, put, sample, usual, with, without, TYPES,
};
use crate::scenario::{Expect, Scenario};
use serde_json::{json, Value};

/// A value of the *wrong* type for key type `t`.
fn wrong(t: &str) -> Value {
    match t {
        "S" => json!({ "N": "1" }),
        _ => json!({ "S": "x" }),
    }
}

/// Invalid attribute values, as a non-key attribute.
fn bad_attribute_values() -> Vec<(&'static str, Value)> {
    vec![
        ("N-not-a-number", json!({"N": "abc"})),
        ("N-empty", json!({"N": ""})),
        ("N-39-digits", json!({"N": "123456789012345678901234567890123456789"})),
        ("N-overflow", json!({"N": "1E+126"})),
        ("N-underflow", json!({"N": "1E-131"})),
        ("N-space", json!({"N": " 1"})),
        ("N-plus", json!({"N": "+1"})),
        ("N-hex", json!({"N": "0x10"})),
        ("N-infinity", json!({"N": "Infinity"})),
        ("SS-empty", json!({"SS": []})),
        ("NS-empty", json!({"NS": []})),
        ("BS-empty", json!({"BS": []})),
        ("SS-duplicates", json!({"SS": ["a", "a"]})),
        ("NS-duplicates", json!({"NS": ["1", "1.0"]})),
        ("BS-duplicates", json!({"BS": ["AQ==", "AQ=="]})),
        ("NS-bad-member", json!({"NS": ["1", "x"]})),
        ("NULL-false", json!({"NULL": false})),
        ("no-type", json!({})),
        ("two-types", json!({"S": "a", "N": "1"})),
        ("nested-too-deep", nest(32)),
        ("nested-bad-number", json!({"M": {"a": {"L": [{"N": "x"}]}}})),
        ("nested-empty-set", json!({"L": [{"SS": []}]})),
    ]
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    for (case, value) in attribute_values() {
        out.push(
            Scenario::new(format!("PutItem/type-{case}"), format!("a {case} attribute round-trips"))
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(value)))
                .step("GetItem", get(key("a", 1))),
        );
    }
    for (case, value) in bad_attribute_values() {
        out.push(
            Scenario::new(format!("PutItem/invalid-{case}"), format!("PutItem rejects {case} and writes nothing"))
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(value)))
                .step("GetItem", get(key("a", 1))),
        );
    }
    // Key attributes of every type: right, wrong, missing, empty.
    for h in TYPES {
        for r in [None, Some("S"), Some("N"), Some("B")] {
            let table = create("$Pt", ("h", h), r.map(|r| ("r", r)));
            let label = format!("{h}{}", r.map(|r| format!("-{r}")).unwrap_or_default());
            let mut good = json!({"h": sample(h, 1), "x": {"S": "payload"}});
            if let Some(r) = r {
                good["r"] = sample(r, 2);
            }
            out.push(
                Scenario::new(format!("PutItem/key-{label}"), "items with every key type are stored and read back")
                    .step("CreateTable", table.clone())
                    .step("PutItem", json!({"TableName": "$Pt", "Item": good.clone()}))
                    .step("GetItem", json!({"TableName": "$Pt", "Key": without(good.clone(), "x")})),
            );
            let mut wrong_hash = good.clone();
            wrong_hash["h"] = wrong(h);
            out.push(
                Scenario::new(format!("PutItem/key-{label}-wrong-hash-type"), "a partition key of the wrong type")
                    .step("CreateTable", table.clone())
                    .step("PutItem", json!({"TableName": "$Pt", "Item": wrong_hash})),
            );
            out.push(
                Scenario::new(format!("PutItem/key-{label}-missing-hash"), "the partition key is required")
                    .step("CreateTable", table.clone())
                    .step("PutItem", json!({"TableName": "$Pt", "Item": without(good.clone(), "h")})),
            );
            if h != "N" {
                let mut empty = good.clone();
                empty["h"] = json!({ h: "" });
                out.push(
                    Scenario::new(format!("PutItem/key-{label}-empty-hash"), "key values may not be empty")
                        .step("CreateTable", table.clone())
                        .step("PutItem", json!({"TableName": "$Pt", "Item": empty})),
                );
            }
            if let Some(r) = r {
                let mut wrong_range = good.clone();
                wrong_range["r"] = wrong(r);
                out.push(
                    Scenario::new(format!("PutItem/key-{label}-wrong-range-type"), "a sort key of the wrong type")
                        .step("CreateTable", table.clone())
                        .step("PutItem", json!({"TableName": "$Pt", "Item": wrong_range})),
                );
                out.push(
                    Scenario::new(format!("PutItem/key-{label}-missing-range"), "the sort key is required")
                        .step("CreateTable", table.clone())
                        .step("PutItem", json!({"TableName": "$Pt", "Item": without(good.clone(), "r")})),
                );
            }
            let mut set_key = good.clone();
            set_key["h"] = json!({"SS": ["a"]});
            out.push(
                Scenario::new(format!("PutItem/key-{label}-set-hash"), "a set is never a key")
                    .step("CreateTable", table)
                    .step("PutItem", json!({"TableName": "$Pt", "Item": set_key})),
            );
        }
    }
    for rv in ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "SOMETHING"] {
        out.push(
            Scenario::new(format!("PutItem/return-values-{rv}"), format!("ReturnValues {rv} on PutItem"))
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(json!({"S": "old"}))))
                .step("PutItem", with(put(item_with(json!({"S": "new"}))), json!({"ReturnValues": rv})))
                .step("GetItem", get(key("a", 1))),
        );
    }
    out.push(
        Scenario::new("PutItem/return-all-old-when-absent", "ALL_OLD with no previous item returns nothing")
            .step("CreateTable", usual())
            .step("PutItem", with(put(item_with(json!({"S": "new"}))), json!({"ReturnValues": "ALL_OLD"}))),
    );
    for rcc in ["TOTAL", "INDEXES", "NONE", "SOME"] {
        out.push(
            Scenario::new(format!("PutItem/consumed-capacity-{rcc}"), format!("ReturnConsumedCapacity {rcc}"))
                .step("CreateTable", usual())
                .step("PutItem", with(put(item_with(json!({"S": "x"}))), json!({"ReturnConsumedCapacity": rcc}))),
        );
    }
    for (case, size) in [("item-size-1kb", 1000), ("item-size-4kb", 4000), ("item-size-399kb", 399 * 1024)] {
        out.push(
            Scenario::new(format!("PutItem/{case}"), "write capacity grows with item size")
                .step("CreateTable", usual())
                .step(
                    "PutItem",
                    with(put(item_with(json!({"S": "x".repeat(size)}))), json!({"ReturnConsumedCapacity": "TOTAL"})),
                ),
        );
    }
    out.push(
        Scenario::new("PutItem/item-too-large", "items over 400 KB are refused")
            .step("CreateTable", usual())
            .step("PutItem", put(item_with(json!({"S": "x".repeat(400 * 1024)}))))
            .step("GetItem", get(key("a", 1))),
    );
    out.push(Scenario::new("PutItem/missing-table", "PutItem on an unknown table").expect(
        "PutItem",
        json!({"TableName": "$Pnone", "Item": key("a", 1)}),
        not_found_data_plane(),
    ));
    out.push(Scenario::new("PutItem/missing-item", "Item is required").step("PutItem", json!({"TableName": "$Pt"})));
    out.push(
        Scenario::new("PutItem/missing-item-on-table", "Item is required")
            .step("CreateTable", usual())
            .step("PutItem", json!({"TableName": "$Pt"})),
    );
    out.push(
        Scenario::new("PutItem/overwrite", "a second put replaces the whole item")
            .step("CreateTable", usual())
            .step("PutItem", put(with(key("a", 1), json!({"x": {"S": "1"}, "y": {"S": "2"}}))))
            .step("PutItem", put(with(key("a", 1), json!({"z": {"S": "3"}}))))
            .step("GetItem", get(key("a", 1))),
    );
    out.push(
        Scenario::new("PutItem/nested-number-text", "numbers inside maps and lists keep their text")
            .step("CreateTable", usual())
            .step(
                "PutItem",
                put(item_with(json!({"M": {"a": {"N": "1.0"}, "l": {"L": [{"N": "2.50"}, {"N": "1e3"}]}}}))),
            )
            .step("GetItem", get(key("a", 1))),
    );
    out.push(
        Scenario::new("PutItem/string-as-number-value", "a JSON number where a string is expected")
            .step("CreateTable", usual())
            .expect(
                "PutItem",
                put(item_with(json!({"S": 5}))),
                Expect::error("SerializationException", "NUMBER_VALUE cannot be converted to String"),
            )
            .step("GetItem", get(key("a", 1))),
    );
    out.extend(null_members());
    out
}

/// A `null` where an attribute value or a map entry belongs is refused, not
/// dropped: in items, keys, nested maps and lists, sets, expression maps,
/// legacy conditions and batch tables. Nothing is written.
fn null_members() -> Vec<Scenario> {
    let with_value = |value: Value| put(item_with(value));
    let cases: Vec<(&str, &str, Value)> = vec![
        ("item-member", "PutItem", json!({"TableName": "$Pt", "Item": with(key("a", 1), json!({"v": null}))})),
        ("map-member", "PutItem", with_value(json!({"M": {"k": {"M": {"j": null}}}}))),
        ("list-element", "PutItem", with_value(json!({"L": [{"S": "x"}, null]}))),
        ("string-set-member", "PutItem", with_value(json!({"SS": ["a", null]}))),
        ("number-set-member", "PutItem", with_value(json!({"NS": [null]}))),
        ("expected-entry", "PutItem", with(put(key("a", 1)), json!({"Expected": {"v": null}}))),
        (
            "expression-attribute-value",
            "PutItem",
            with(
                put(key("a", 1)),
                json!({"ConditionExpression": "attribute_not_exists(v) OR v = :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": null}}),
            ),
        ),
        (
            "expression-attribute-name",
            "PutItem",
            with(
                put(key("a", 1)),
                json!({"ConditionExpression": "attribute_not_exists(#v)", "ExpressionAttributeNames": {"#v": "v", "#w": null}}),
            ),
        ),
        ("key-member", "DeleteItem", json!({"TableName": "$Pt", "Key": with(key("a", 1), json!({"zz": null}))})),
        ("scan-filter-entry", "Scan", json!({"TableName": "$Pt", "ScanFilter": {"v": null}})),
        ("batch-get-table", "BatchGetItem", json!({"RequestItems": {"$Pt": null}})),
        ("batch-write-table", "BatchWriteItem", json!({"RequestItems": {"$Pt": null}})),
    ];
    cases
        .into_iter()
        .map(|(case, op, body)| {
            Scenario::new(format!("PutItem/null-{case}"), format!("{op} refuses a null {case} and writes nothing"))
                .step("CreateTable", usual())
                .step(op, body)
                .step("Scan", json!({"TableName": "$Pt"}))
        })
        .collect()
}
