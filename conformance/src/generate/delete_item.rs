//! `DeleteItem.json`: deletes of present and absent items, ReturnValues,
//! invalid keys, and ALL_OLD of every attribute type.

use super::{attribute_values, get, item_with, key, not_found_data_plane, put, usual, with};
use crate::scenario::Scenario;
use serde_json::json;

pub(super) fn scenarios() -> Vec<Scenario> {
    let seeded = |name: &str, doc: &str| {
        Scenario::new(format!("DeleteItem/{name}"), doc)
            .step("CreateTable", usual())
            .step("PutItem", put(with(key("a", 1), json!({"x": {"SS": ["p", "q"]}}))))
    };
    let mut out = vec![
        seeded("existing", "a deleted item is gone")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1)}))
            .step("GetItem", get(key("a", 1))),
        seeded("absent", "deleting a missing item succeeds")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 2)})),
        seeded("return-all-old", "ALL_OLD returns the deleted item")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": "ALL_OLD"})),
        seeded("return-all-old-absent", "ALL_OLD of a missing item returns nothing")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 9), "ReturnValues": "ALL_OLD"})),
        seeded("consumed-capacity", "ReturnConsumedCapacity TOTAL")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnConsumedCapacity": "TOTAL"})),
        seeded("missing-table", "DeleteItem on an unknown table").expect(
            "DeleteItem",
            json!({"TableName": "$Pnone", "Key": key("a", 1)}),
            not_found_data_plane(),
        ),
        seeded("missing-key", "Key is required").step("DeleteItem", json!({"TableName": "$Pt"})),
        seeded("key-missing-range", "both key attributes are required")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}}})),
        seeded("key-extra-attribute", "the key has exactly the key attributes")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": with(key("a", 1), json!({"x": {"S": "1"}}))})),
        seeded("key-wrong-type", "key types must match the schema")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": {"pk": {"N": "1"}, "sk": {"N": "1"}}}))
            .step("GetItem", get(key("a", 1))),
    ];
    for rv in ["NONE", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "BOGUS"] {
        out.push(
            seeded(&format!("return-values-{rv}"), "DeleteItem accepts only NONE and ALL_OLD")
                .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": rv}))
                .step("GetItem", get(key("a", 1))),
        );
    }
    for (case, value) in attribute_values().into_iter().step_by(3) {
        out.push(
            Scenario::new(format!("DeleteItem/old-{case}"), "ALL_OLD returns every attribute type")
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(value)))
                .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": "ALL_OLD"}))
                .step("GetItem", get(key("a", 1))),
        );
    }
    out
}
