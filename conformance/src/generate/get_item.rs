//! `GetItem.json`: reads of present and absent items, consistency, capacity,
//! projections, invalid keys and keys of every type.

use super::{create, get, key, not_found_data_plane, put, sample, usual, with, TYPES};
use crate::scenario::Scenario;
use serde_json::json;

pub(super) fn scenarios() -> Vec<Scenario> {
    let seeded = |name: &str, doc: &str| {
        Scenario::new(format!("GetItem/{name}"), doc)
            .step("CreateTable", usual())
            .step(
                "PutItem",
                put(with(
                    key("a", 1),
                    json!({"x": {"S": "1"}, "m": {"M": {"n": {"N": "5"}, "l": {"L": [{"S": "p"}, {"S": "q"}]}}}, "#odd": {"S": "o"}}),
                )),
            )
    };
    let mut out = vec![
        seeded("existing", "GetItem returns the whole item").step("GetItem", get(key("a", 1))),
        seeded("absent", "GetItem of a missing item returns no Item").step("GetItem", get(key("a", 2))),
        seeded("eventually-consistent", "ConsistentRead false").step(
            "GetItem",
            json!({"TableName": "$Pt", "Key": key("a", 1), "ConsistentRead": false, "ReturnConsumedCapacity": "TOTAL"}),
        ),
        seeded("consumed-capacity-strong", "a strongly consistent read costs one unit").step(
            "GetItem",
            json!({"TableName": "$Pt", "Key": key("a", 1), "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}),
        ),
        seeded("consumed-capacity-indexes", "INDEXES adds the table breakdown")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnConsumedCapacity": "INDEXES"})),
        seeded("attributes-to-get", "legacy AttributesToGet")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "AttributesToGet": ["x", "nope"]})),
        seeded("projection", "ProjectionExpression picks attributes")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ProjectionExpression": "x, sk"})),
        seeded("missing-table", "GetItem on an unknown table").expect(
            "GetItem",
            json!({"TableName": "$Pnone", "Key": key("a", 1)}),
            not_found_data_plane(),
        ),
        seeded("missing-key", "Key is required").step("GetItem", json!({"TableName": "$Pt"})),
        seeded("key-missing-range", "both key attributes are required")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}}})),
        seeded("key-extra-attribute", "the key has exactly the key attributes")
            .step("GetItem", json!({"TableName": "$Pt", "Key": with(key("a", 1), json!({"x": {"S": "1"}}))})),
        seeded("key-wrong-type", "key types must match the schema")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}})),
        seeded("key-empty-string", "empty key strings are invalid")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": ""}, "sk": {"N": "1"}}})),
        seeded("key-bad-number", "a key number must parse")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"N": "one"}}})),
        seeded("number-key-normalized", "1.0 and 1 are the same key")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.0"}}})),
        seeded("bad-consumed-capacity", "ReturnConsumedCapacity is an enum")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnConsumedCapacity": "ALL"})),
        seeded("empty-attributes-to-get", "AttributesToGet may not be empty")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "AttributesToGet": []})),
    ];
    for h in TYPES {
        for (i, v) in [sample(h, 0), sample(h, 3)].into_iter().enumerate() {
            out.push(
                Scenario::new(format!("GetItem/hash-{h}-{i}"), "items are found by keys of every type")
                    .step("CreateTable", create("$Pt", ("h", h), None))
                    .step("PutItem", json!({"TableName": "$Pt", "Item": {"h": v.clone(), "n": {"N": "1"}}}))
                    .step("GetItem", json!({"TableName": "$Pt", "Key": {"h": v}}))
                    .step("GetItem", json!({"TableName": "$Pt", "Key": {"h": sample(h, 4)}})),
            );
        }
    }
    out
}
