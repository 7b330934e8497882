//! `SearchVectors.json`: vector indexes (CreateTable `VectorIndexes`,
//! UpdateTable `VectorIndexUpdates`, DescribeTable) and SearchVectors.
//!
//! DynamoDB Local 3.3 has no vector indexes, so these answers are the
//! emulator's, recorded under the `vector-indexes` entry of `known.json`;
//! the rules they follow are the API reference's (SearchVectors,
//! VectorIndex, CreateVectorIndexAction, SearchSchemaElement) and what
//! ScyllaDB's Alternator test suite (test/alternator/test_vector.py, run
//! against DynamoDB) observed, see conformance/differences/vector-indexes.md.

use super::{create, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

/// A vector index definition.
fn index(name: &str, attr: &str, dims: i64, distance: &str) -> Value {
    json!({
        "IndexName": name, "VectorAttribute": {"AttributeName": attr}, "Dimensions": dims,
        "DistanceFunction": distance, "Projection": {"ProjectionType": "KEYS_ONLY"},
    })
}

/// `$Pv`: key `pk` (S) + `sk` (N), one vector index per distance function on `v` (3 dimensions).
fn vectors_table() -> Value {
    with(
        create("$Pv", ("pk", "S"), Some(("sk", "N"))),
        json!({"VectorIndexes": [
            index("by_cosine", "v", 3, "COSINE"),
            index("by_euclid", "v", 3, "EUCLIDEAN"),
            index("by_dot", "v", 3, "DOT_PRODUCT"),
        ]}),
    )
}

/// `$Pc`: key `id` (S); `by_topic` on `emb` (2 dimensions, COSINE) with
/// `shop` (S) HASH and `released` (N) INLINE_FILTER, projecting `title`.
fn catalog_table() -> Value {
    let mut topic = index("by_topic", "emb", 2, "COSINE");
    topic["SearchSchema"] = json!([
        {"AttributeName": "shop", "SearchSchemaElementType": "HASH"},
        {"AttributeName": "released", "SearchSchemaElementType": "INLINE_FILTER"},
    ]);
    topic["Projection"] = json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]});
    json!({
        "TableName": "$Pc", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "shop", "AttributeType": "S"},
            {"AttributeName": "released", "AttributeType": "N"},
        ],
        "VectorIndexes": [topic],
    })
}

fn numbers(values: &[&str]) -> Value {
    Value::Array(values.iter().map(|v| json!({"N": v})).collect())
}

fn doc(sk: i64, v: &[&str]) -> Value {
    json!({"TableName": "$Pv", "Item": {"pk": {"S": "doc"}, "sk": {"N": sk.to_string()}, "v": {"L": numbers(v)}}})
}

fn product(id: &str, shop: &str, released: i64, emb: &[&str]) -> Value {
    json!({"TableName": "$Pc", "Item": {
        "id": {"S": id}, "shop": {"S": shop}, "released": {"N": released.to_string()},
        "emb": {"L": numbers(emb)}, "title": {"S": format!("title {id}")}, "secret": {"S": "x"},
    }})
}

fn search(table: &str, index: &str, vector: &[&str], top_k: i64, extra: Value) -> Value {
    with(json!({"TableName": table, "IndexName": index, "SearchVector": numbers(vector), "TopK": top_k}), extra)
}

/// The documents table with five items around the query [1, 0, 0].
fn with_docs(name: &str, doc_text: &str) -> Scenario {
    Scenario::new(name, doc_text)
        .step("CreateTable", vectors_table())
        .step("PutItem", doc(1, &["1", "0", "0"]))
        .step("PutItem", doc(2, &["1", "1", "0"]))
        .step("PutItem", doc(3, &["0", "1", "0"]))
        .step("PutItem", doc(4, &["-2", "0", "0"]))
        .step("PutItem", doc(5, &["3", "4", "0"]))
}

fn with_catalog(name: &str, doc_text: &str) -> Scenario {
    Scenario::new(name, doc_text)
        .step("CreateTable", catalog_table())
        .step("PutItem", product("a", "north", 2020, &["1", "0"]))
        .step("PutItem", product("b", "north", 2023, &["0.8", "0.6"]))
        .step("PutItem", product("c", "north", 2024, &["0", "1"]))
        .step("PutItem", product("d", "south", 2024, &["1", "0"]))
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let q = ["1", "0", "0"];
    let mut out = vec![
        Scenario::new(
            "SearchVectors/create-and-describe",
            "CreateTable with vector indexes answers them CREATING; DescribeTable shows each ACTIVE with counts and ARN (API_VectorIndexDescription)",
        )
        .step("CreateTable", catalog_table())
        .step("PutItem", product("a", "north", 2020, &["1", "0"]))
        .step("PutItem", json!({"TableName": "$Pc", "Item": {"id": {"S": "no-hash"}, "emb": {"L": numbers(&["1", "0"])}}}))
        .step("DescribeTable", json!({"TableName": "$Pc"})),
        with_docs(
            "SearchVectors/each-distance-function",
            "COSINE and EUCLIDEAN scores are distances (lowest first), DOT_PRODUCT similarities (highest first); ties in key order (API_SearchVectors)",
        )
        .step("SearchVectors", search("$Pv", "by_cosine", &q, 5, json!({})))
        .step("SearchVectors", search("$Pv", "by_euclid", &q, 5, json!({})))
        .step("SearchVectors", search("$Pv", "by_dot", &q, 5, json!({})))
        .step("SearchVectors", search("$Pv", "by_euclid", &q, 2, json!({"ReturnConsumedCapacity": "TOTAL"}))),
        with_docs("SearchVectors/index-follows-writes", "Replacing, updating and removing vectors changes the ranking")
            .step("PutItem", doc(1, &["-1", "0", "0"]))
            .step(
                "UpdateItem",
                json!({"TableName": "$Pv", "Key": {"pk": {"S": "doc"}, "sk": {"N": "3"}}, "UpdateExpression": "REMOVE v"}),
            )
            .step("DeleteItem", json!({"TableName": "$Pv", "Key": {"pk": {"S": "doc"}, "sk": {"N": "2"}}}))
            .step("SearchVectors", search("$Pv", "by_euclid", &q, 10, json!({})))
            .step("DescribeTable", json!({"TableName": "$Pv"})),
        with_docs("SearchVectors/malformed-vectors", "Writes must carry vectors of the index's dimensions, numbers fitting 32-bit floats (PutItem's Item documentation)")
            .step("PutItem", doc(6, &["1", "2"]))
            .step("PutItem", json!({"TableName": "$Pv", "Item": {"pk": {"S": "doc"}, "sk": {"N": "6"}, "v": {"S": "x"}}}))
            .step("PutItem", doc(6, &["1", "1e39", "0"]))
            .step("PutItem", doc(6, &["3.14159265358979323846", "0", "0"]))
            .step("GetItem", json!({"TableName": "$Pv", "Key": {"pk": {"S": "doc"}, "sk": {"N": "6"}}})),
        with_catalog("SearchVectors/search-condition", "The HASH attribute scopes the search, INLINE_FILTER attributes filter before the ranking")
            .step(
                "SearchVectors",
                search("$Pc", "by_topic", &["1", "0"], 2, json!({"SearchConditionExpression": "shop = :s", "ExpressionAttributeValues": {":s": {"S": "north"}}})),
            )
            .step(
                "SearchVectors",
                search("$Pc", "by_topic", &["1", "0"], 2, json!({
                    "SearchConditionExpression": "#s = :s AND released >= :y",
                    "ExpressionAttributeNames": {"#s": "shop"},
                    "ExpressionAttributeValues": {":s": {"S": "north"}, ":y": {"N": "2023"}},
                })),
            )
            .step(
                "SearchVectors",
                search("$Pc", "by_topic", &["1", "0"], 3, json!({
                    "SearchConditionExpression": "shop = :s AND (released BETWEEN :lo AND :hi OR released IN (:x))",
                    "ExpressionAttributeValues": {":s": {"S": "north"}, ":lo": {"N": "2024"}, ":hi": {"N": "2030"}, ":x": {"N": "2020"}},
                })),
            ),
        with_catalog("SearchVectors/projection-expression", "The vector is shown only when asked for (as 32-bit floats); unprojected attributes are absent")
            .step("SearchVectors", search("$Pc", "by_topic", &["0.8", "0.6"], 1, json!({
                "SearchConditionExpression": "shop = :s", "ExpressionAttributeValues": {":s": {"S": "north"}},
                "ProjectionExpression": "id, emb, shop, secret",
            })))
            .step("SearchVectors", search("$Pc", "by_topic", &["0.8", "0.6"], 1, json!({
                "SearchConditionExpression": "shop = :s", "ExpressionAttributeValues": {":s": {"S": "north"}},
            }))),
    ];
    // Refused search conditions (API_SearchVectors: search schema attributes
    // only, equality only for HASH, which is required; NOT refused).
    let refused: [(&str, Option<&str>, Value); 6] = [
        ("hash-required", None, json!({})),
        ("hash-equality-only", Some("shop = :s AND shop > :s"), json!({":s": {"S": "north"}})),
        ("not-in-search-schema", Some("shop = :s AND title = :s"), json!({":s": {"S": "north"}})),
        ("not-refused", Some("shop = :s AND NOT released = :y"), json!({":s": {"S": "north"}, ":y": {"N": "1"}})),
        ("function-refused", Some("shop = :s AND attribute_exists(released)"), json!({":s": {"S": "north"}})),
        ("type-mismatch", Some("shop = :s AND released = :y"), json!({":s": {"S": "north"}, ":y": {"S": "1"}})),
    ];
    for (name, condition, values) in refused {
        let mut extra = json!({});
        if let Some(condition) = condition {
            extra = json!({"SearchConditionExpression": condition, "ExpressionAttributeValues": values});
        }
        out.push(
            with_catalog(
                &format!("SearchVectors/condition-{name}"),
                "A SearchConditionExpression the index cannot serve",
            )
            .step("SearchVectors", search("$Pc", "by_topic", &["1", "0"], 1, extra)),
        );
    }
    out.push(
        with_docs("SearchVectors/request-errors", "Missing members, TopK bounds (1 to 100), a search vector of other dimensions or not numbers, an unknown index")
            .step("SearchVectors", json!({"TableName": "$Pv"}))
            .step("SearchVectors", search("$Pv", "by_cosine", &q, 0, json!({})))
            .step("SearchVectors", search("$Pv", "by_cosine", &q, 101, json!({})))
            .step("SearchVectors", search("$Pv", "by_cosine", &["1", "0"], 1, json!({})))
            .step("SearchVectors", with(search("$Pv", "by_cosine", &q, 1, json!({})), json!({"SearchVector": [{"N": "1"}, {"S": "b"}, {"N": "0"}]})))
            .step("SearchVectors", search("$Pv", "nope", &q, 1, json!({})))
            .step("SearchVectors", search("$Pv", "by_cosine", &q, 1, json!({"ExpressionAttributeValues": {":v": {"S": "a"}}})))
            .step("SearchVectors", search("$Pnone", "by_cosine", &q, 1, json!({}))),
    );
    let base = || create("$Pe", ("pk", "S"), None);
    let create_errors: [(&str, Value); 8] = [
        (
            "provisioned",
            with(
                base(),
                json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, "VectorIndexes": [index("vidx", "v", 3, "COSINE")]}),
            ),
        ),
        ("dimensions-too-many", with(base(), json!({"VectorIndexes": [index("vidx", "v", 4097, "COSINE")]}))),
        ("dimensions-zero", with(base(), json!({"VectorIndexes": [index("vidx", "v", 0, "COSINE")]}))),
        ("distance-function", with(base(), json!({"VectorIndexes": [index("vidx", "v", 3, "cosine")]}))),
        ("key-attribute", with(base(), json!({"VectorIndexes": [index("vidx", "pk", 3, "COSINE")]}))),
        (
            "duplicate-name",
            with(base(), json!({"VectorIndexes": [index("vidx", "v", 3, "COSINE"), index("vidx", "w", 3, "COSINE")]})),
        ),
        (
            "same-attribute-other-dimensions",
            with(base(), json!({"VectorIndexes": [index("vidx", "v", 3, "COSINE"), index("vidy", "v", 4, "COSINE")]})),
        ),
        (
            "search-schema-undefined",
            with(
                base(),
                json!({"VectorIndexes": [with(index("vidx", "v", 3, "COSINE"), json!({"SearchSchema": [{"AttributeName": "x", "SearchSchemaElementType": "HASH"}]}))]}),
            ),
        ),
    ];
    for (name, body) in create_errors {
        out.push(
            Scenario::new(format!("SearchVectors/create-{name}"), "CreateTable refuses the vector index")
                .step("CreateTable", body),
        );
    }
    let create_action = |name: &str, dims: i64| json!({"Create": index(name, "v", dims, "EUCLIDEAN")});
    out.push(
        Scenario::new("SearchVectors/update-table-create-and-delete", "UpdateTable adds a vector index (backfilled from the items, CREATING in its answer) and deletes it (DELETING)")
            .step("CreateTable", create("$Pu", ("pk", "S"), None))
            .step("PutItem", json!({"TableName": "$Pu", "Item": {"pk": {"S": "a"}, "v": {"L": numbers(&["1", "0"])}}}))
            .step("PutItem", json!({"TableName": "$Pu", "Item": {"pk": {"S": "b"}, "v": {"L": numbers(&["1"])}}}))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": [create_action("vidx", 2)]}))
            .step("DescribeTable", json!({"TableName": "$Pu"}))
            .step("SearchVectors", search("$Pu", "vidx", &["0", "1"], 5, json!({})))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": [{"Delete": {"IndexName": "vidx"}}]}))
            .step("DescribeTable", json!({"TableName": "$Pu"})),
    );
    let gsi = |name: &str, attr: &str, kind: &str| {
        json!({"TableName": "$Pc", "AttributeDefinitions": [{"AttributeName": attr, "AttributeType": kind}],
            "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": name,
                "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]})
    };
    out.push(
        Scenario::new(
            "SearchVectors/update-table-attribute-conflicts",
            "A vector attribute cannot become a GSI key; a search schema attribute keeps its defined type (another in the request is ignored, as DynamoDB ignores it for any key attribute: paritysuite/dynamodb-conformance#78)",
        )
        .step("CreateTable", catalog_table())
        .step("UpdateTable", gsi("by_emb", "emb", "S"))
        .step("UpdateTable", gsi("by_released", "released", "S"))
        .step("DescribeTable", json!({"TableName": "$Pc"})),
    );
    out.push(
        Scenario::new("SearchVectors/update-table-errors", "One vector index update per call, never beside GSI or stream changes; deleting a missing one")
            .step("CreateTable", create("$Pu", ("pk", "S"), None))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": [create_action("vidx", 2), create_action("vidy", 2)]}))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": []}))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": [create_action("vidx", 2)], "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": [{"Delete": {"IndexName": "nope"}}]}))
            .step("UpdateTable", json!({"TableName": "$Pu", "VectorIndexUpdates": [{"Update": {"IndexName": "nope"}}]})),
    );
    out
}
