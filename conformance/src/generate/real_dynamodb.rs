//! `RealDynamoDb.json`: answers recorded from real DynamoDB, not from
//! DynamoDB Local. Every step carries its expected answer, written here from
//! a public source that recorded it against DynamoDB (cited in the scenario's
//! `doc`): dynalite's test suite (each `assertValidation` / `assertNotFound`
//! message was checked against live DynamoDB), LocalStack's AWS-validated
//! snapshots (`tests/aws/services/dynamodb/*.snapshot.json`), the AWS API
//! reference. `record` keeps these expectations (see
//! `scenario::DYNAMODB_RECORDED_FAMILY`); where DynamoDB Local answers
//! otherwise, `differences/known.json` lists it with the source.
//!
//! Setup steps (CreateTable, PutItem) expect DynamoDB's documented answers to
//! them, as LocalStack's snapshots record them.

use crate::scenario::{Expect, Scenario};
use serde_json::{json, Value};

const DYNALITE: &str = "https://github.com/mhart/dynalite/blob/master/test/";
const LOCALSTACK: &str = "https://github.com/localstack/localstack/blob/main/tests/aws/services/dynamodb/";

/// dynalite's test `test` in `test/<file>.js`.
fn dynalite(file: &str, test: &str) -> String {
    format!("dynalite {DYNALITE}{file}.js, it('{test}') (asserted against live DynamoDB)")
}

/// The same suite's copy at https://github.com/architect/dynalite (its maintained fork).
fn architect(file: &str, test: &str) -> String {
    format!("dynalite https://github.com/architect/dynalite/blob/main/test/{file}.js, it('{test}') (asserted against live DynamoDB)")
}

/// LocalStack's AWS-recorded snapshot of `test` in `<file>.snapshot.json`.
fn localstack(file: &str, test: &str) -> String {
    format!("LocalStack {LOCALSTACK}{file}.snapshot.json, {test} (recorded against AWS)")
}

fn invalid(message: &str) -> Expect {
    Expect::error("ValidationException", message)
}

fn not_found() -> Expect {
    Expect::error("ResourceNotFoundException", "Requested resource not found")
}

/// A scenario of one request with no table: DynamoDB validates it first.
fn one(name: &str, source: String, op: &str, body: Value, expect: Expect) -> Scenario {
    Scenario::new(format!("RealDynamoDb/{name}"), source).expect(op, body, expect)
}

/// The TableDescription DynamoDB answers CreateTable with, for an on-demand
/// table without indexes (LocalStack's `create-table` snapshots; the
/// normalizer's placeholders for times, ids, region and account).
fn created(table: &str, keys: &[(&str, &str, &str)]) -> (Value, Expect) {
    let defs: Vec<Value> = keys.iter().map(|(n, t, _)| json!({"AttributeName": n, "AttributeType": t})).collect();
    let schema: Vec<Value> = keys.iter().map(|(n, _, k)| json!({"AttributeName": n, "KeyType": k})).collect();
    let body = json!({"TableName": table, "AttributeDefinitions": defs, "KeySchema": schema, "BillingMode": "PAY_PER_REQUEST"});
    let answer = json!({"TableDescription": {
        "AttributeDefinitions": defs,
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": "<time>"},
        "CreationDateTime": "<time>",
        "DeletionProtectionEnabled": false,
        "ItemCount": 0,
        "KeySchema": schema,
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "TableArn": format!("arn:aws:dynamodb:<region>:<account>:table/{table}"),
        "TableId": "<id>",
        "TableName": table,
        "TableSizeBytes": 0,
        "TableStatus": "ACTIVE"
    }});
    (body, Expect::ok(answer))
}

/// dynalite's `testHashTable`: partition key `a` (S).
const HASH: &str = "$Phash";
/// dynalite's `testRangeTable`: partition key `a` (S), sort key `b` (S).
const RANGE: &str = "$Prange";

/// A scenario on dynalite's test table `table` (created first).
fn on(table: &str, name: &str, source: String) -> Scenario {
    let (body, expect) = match table {
        HASH => created(HASH, &[("a", "S", "HASH")]),
        _ => created(RANGE, &[("a", "S", "HASH"), ("b", "S", "RANGE")]),
    };
    Scenario::new(format!("RealDynamoDb/{name}"), source).expect("CreateTable", body, expect)
}

fn ok_empty() -> Expect {
    Expect::ok(json!({}))
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    out.extend(create_table());
    out.extend(batches());
    out.extend(tagging());
    out.extend(put_item());
    out.extend(get_and_delete_item());
    out.extend(table_operations());
    out.extend(update_item());
    out.extend(resource_policies());
    out.extend(member_limits());
    out.extend(count_with_projection());
    out.push(one(
        "create-table-on-demand-with-throughput",
        localstack("test_dynamodb", "TestDynamoDB::test_dynamodb_pay_per_request"),
        "CreateTable",
        json!({"TableName": "$Pt", "AttributeDefinitions": defs(&["a"]), "KeySchema": schema(&[("a", "HASH")]), "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": throughput(10, 10)}),
        invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
    ));
    out
}

fn throughput(r: i64, w: i64) -> Value {
    json!({"ReadCapacityUnits": r, "WriteCapacityUnits": w})
}

fn defs(names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| json!({"AttributeName": n, "AttributeType": "S"})).collect())
}

fn schema(keys: &[(&str, &str)]) -> Value {
    Value::Array(keys.iter().map(|(n, k)| json!({"AttributeName": n, "KeyType": k})).collect())
}

/// dynalite's CreateTable validations, in its test names.
fn create_table() -> Vec<Scenario> {
    let src = |test: &str| {
        if test.trim_start_matches("should return ValidationException for ").parse::<f64>().is_ok() {
            // The numbered tests of dynalite's earlier copy (same messages, same checks).
            format!("dynalite https://github.com/architect/dynalite/blob/main/test/createTable.js, it('{test}') (asserted against live DynamoDB)")
        } else {
            dynalite("createTable", test)
        }
    };
    let table = |d: Value, k: Value| json!({"TableName": "abc", "AttributeDefinitions": d, "KeySchema": k, "ProvisionedThroughput": throughput(1, 1)});
    let with_lsi = |d: Value, k: Value, lsi: Value| {
        let mut t = table(d, k);
        t["LocalSecondaryIndexes"] = lsi;
        t
    };
    let ab = || defs(&["a", "b"]);
    let hash_range = || schema(&[("a", "HASH"), ("b", "RANGE")]);
    let lsi = |name: &str, keys: Value, projection: Value| json!({"IndexName": name, "KeySchema": keys, "Projection": projection});
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "create-table-low-throughput",
            "should return ValidationException for low ProvisionedThroughput.WriteCapacityUnits",
            json!({"TableName": "abc", "AttributeDefinitions": [], "KeySchema": [], "ProvisionedThroughput": throughput(-1, -1)}),
            "3 validation errors detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            "create-table-high-read-negative-write",
            "should return ValidationException for high ProvisionedThroughput.ReadCapacityUnits and neg",
            json!({"TableName": "abc", "AttributeDefinitions": [], "KeySchema": schema(&[("a", "HASH")]), "ProvisionedThroughput": throughput(1000000000001, -1)}),
            "1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            "create-table-high-read",
            "should return ValidationException for high ProvisionedThroughput.ReadCapacityUnits",
            json!({"TableName": "abc", "AttributeDefinitions": [], "KeySchema": schema(&[("a", "HASH")]), "ProvisionedThroughput": throughput(1000000000001, 1000000000001)}),
            "Given value 1000000000001 for ReadCapacityUnits is out of bounds",
        ),
        (
            "create-table-high-write",
            "should return ValidationException for high ProvisionedThroughput.WriteCapacityUnits",
            json!({"TableName": "abc", "AttributeDefinitions": [], "KeySchema": schema(&[("a", "HASH")]), "ProvisionedThroughput": throughput(1000000000000, 1000000000001)}),
            "Given value 1000000000001 for WriteCapacityUnits is out of bounds",
        ),
        (
            "create-table-double-hash-no-definitions",
            "should return ValidationException for missing key attribute definitions",
            table(json!([]), schema(&[("a", "HASH"), ("a", "HASH")])),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            "create-table-definition-member-nulls",
            "should return ValidationException for attribute definitions member nulls",
            table(json!([{}]), schema(&[("a", "HASH"), ("a", "HASH")])),
            "2 validation errors detected: Value null at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member must not be null; Value null at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must not be null",
        ),
        (
            "create-table-set-attribute-type",
            "should return ValidationException for SS in attr definition",
            table(json!([{"AttributeName": "b", "AttributeType": "SS"}]), schema(&[("a", "HASH"), ("a", "HASH")])),
            "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
        ),
        (
            "create-table-random-attribute-type",
            "should return ValidationException for random attr definition",
            table(json!([{"AttributeName": "b", "AttributeType": "a"}]), schema(&[("a", "HASH"), ("a", "HASH")])),
            "1 validation error detected: Value 'a' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
        ),
        (
            "create-table-double-hash-other-definition",
            "should return ValidationException for missing key attr definition when double",
            table(defs(&["b"]), schema(&[("a", "HASH"), ("a", "HASH")])),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            "create-table-key-not-defined",
            "should return ValidationException for missing key attr definition",
            table(defs(&["b"]), schema(&[("a", "HASH")])),
            "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]",
        ),
        (
            "create-table-hash-range-one-defined",
            "should return ValidationException for missing key attr definition when double and valid",
            table(defs(&["b"]), schema(&[("a", "HASH"), ("b", "RANGE")])),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            "create-table-double-hash-same-defined",
            "should return ValidationException for missing key attr definition when double and same",
            table(defs(&["a"]), schema(&[("a", "HASH"), ("a", "HASH")])),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            "create-table-hash-and-range-same-name",
            "should return ValidationException for 5",
            table(ab(), schema(&[("a", "HASH"), ("a", "HASH")])),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            "create-table-second-not-range",
            "should return ValidationException for 6",
            table(ab(), schema(&[("a", "HASH"), ("b", "HASH")])),
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        (
            "create-table-first-not-hash",
            "should return ValidationException for 7",
            table(ab(), schema(&[("a", "RANGE"), ("b", "HASH")])),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            "create-table-two-ranges",
            "should return ValidationException for 8",
            table(ab(), schema(&[("a", "RANGE"), ("b", "RANGE")])),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            "create-table-extra-definition",
            "should return ValidationException for 9",
            table(defs(&["a", "c", "b"]), hash_range()),
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            "create-table-unused-definition",
            "should return ValidationException for 10",
            table(ab(), schema(&[("a", "HASH")])),
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            "create-table-empty-lsi-list",
            "should return ValidationException for empty LocalSecondaryIndexes list",
            with_lsi(ab(), schema(&[("a", "HASH")]), json!([])),
            "One or more parameter values were invalid: List of LocalSecondaryIndexes is empty",
        ),
        (
            "create-table-lsi-without-table-range",
            "should return ValidationException for no range key with LocalSecondaryIndex",
            with_lsi(ab(), schema(&[("a", "HASH")]), json!([lsi("abc", schema(&[("c", "RANGE")]), json!({}))])),
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            "create-table-lsi-range-first",
            "should return ValidationException for first key in LocalSecondaryIndex not being hash",
            with_lsi(ab(), hash_range(), json!([lsi("abc", schema(&[("a", "RANGE")]), json!({}))])),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            "create-table-lsi-double-hash-same-name",
            "should return ValidationException for same names of keys in LocalSecondaryIndex",
            with_lsi(ab(), hash_range(), json!([lsi("abc", schema(&[("a", "HASH"), ("a", "HASH")]), json!({}))])),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            "create-table-lsi-second-not-range",
            "should return ValidationException for second key of LocalSecondaryIndex not being range",
            with_lsi(ab(), hash_range(), json!([lsi("abc", schema(&[("a", "HASH"), ("b", "HASH")]), json!({}))])),
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        (
            "create-table-lsi-without-range",
            "should return ValidationException for no range key in LocalSecondaryIndex",
            with_lsi(ab(), hash_range(), json!([lsi("abc", schema(&[("b", "HASH")]), json!({}))])),
            "One or more parameter values were invalid: Index KeySchema does not have a range key for index: abc",
        ),
        (
            "create-table-lsi-other-hash",
            "should return ValidationException for different hash key between LocalSecondaryIndex and table",
            with_lsi(ab(), hash_range(), json!([lsi("abc", schema(&[("b", "HASH"), ("a", "RANGE")]), json!({}))])),
            "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: abc. index hash key: b, table hash key: a",
        ),
        (
            "create-table-lsi-hash-range-same-name",
            "should return ValidationException for same named keys in LocalSecondaryIndex when one hash and one range",
            with_lsi(ab(), hash_range(), json!([lsi("abc", schema(&[("a", "HASH"), ("a", "RANGE")]), json!({}))])),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            "create-table-lsi-no-projection-type",
            "should return ValidationException for empty Projection in LocalSecondaryIndex",
            with_lsi(ab(), hash_range(), json!([lsi("abc", hash_range(), json!({}))])),
            "One or more parameter values were invalid: Unknown ProjectionType: null",
        ),
        (
            "create-table-lsi-non-key-without-type",
            "should return ValidationException for missing ProjectionType in LocalSecondaryIndex",
            with_lsi(ab(), hash_range(), json!([lsi("abc", hash_range(), json!({"NonKeyAttributes": ["a"]}))])),
            "One or more parameter values were invalid: Unknown ProjectionType: null",
        ),
        (
            "create-table-lsi-all-with-non-key",
            "should return ValidationException for NonKeyAttributes with ProjectionType ALL in LocalSecondaryIndex",
            with_lsi(ab(), hash_range(), json!([lsi("abc", hash_range(), json!({"ProjectionType": "ALL", "NonKeyAttributes": ["a"]}))])),
            "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified",
        ),
        (
            "create-table-lsi-keys-only-with-non-key",
            "should return ValidationException for NonKeyAttributes with ProjectionType KEYS_ONLY in LocalSecondaryIndex",
            with_lsi(ab(), hash_range(), json!([lsi("abc", hash_range(), json!({"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}))])),
            "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
        ),
        (
            "create-table-lsi-duplicate-name",
            "should return ValidationException for duplicate index names in LocalSecondaryIndexes",
            with_lsi(ab(), hash_range(), json!([lsi("abc", hash_range(), json!({"ProjectionType": "ALL"})), lsi("abc", hash_range(), json!({"ProjectionType": "ALL"}))])),
            "One or more parameter values were invalid: Duplicate index name: abc",
        ),
        (
            "create-table-too-many-lsis",
            "should return ValidationException for more than five valid LocalSecondaryIndexes",
            with_lsi(ab(), hash_range(), Value::Array(["abc", "abd", "abe", "abf", "abg", "abh"].iter().map(|n| lsi(n, hash_range(), json!({"ProjectionType": "ALL"}))).collect())),
            "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5",
        ),
    ];
    let with_gsi = |d: Value, k: Value, gsi: Value| {
        let mut t = table(d, k);
        t["GlobalSecondaryIndexes"] = gsi;
        t
    };
    let gsi = |keys: Value, projection: Value| json!({"IndexName": "abc", "KeySchema": keys, "Projection": projection, "ProvisionedThroughput": throughput(1, 1)});
    let gsi_cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "create-table-empty-gsi-list",
            "should return ValidationException for empty GlobalSecondaryIndexes list",
            with_gsi(ab(), schema(&[("a", "HASH")]), json!([])),
            "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty",
        ),
        (
            "create-table-gsi-range-only-undefined",
            "should return ValidationException for missing attribute definition with only range key with GlobalSecondaryIndex",
            with_gsi(ab(), schema(&[("a", "HASH")]), json!([gsi(schema(&[("c", "RANGE")]), json!({}))])),
            "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [c], AttributeDefinitions: [a, b]",
        ),
        (
            "create-table-gsi-range-first",
            "should return ValidationException for first key in GlobalSecondaryIndex not being hash",
            with_gsi(ab(), hash_range(), json!([gsi(schema(&[("a", "RANGE")]), json!({}))])),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        // dynalite's "same names of keys" ([HASH a, HASH a]: "Both the Hash Key and the Range
        // Key element ...") and "second key not being range" ([HASH a, HASH b]: "The second
        // KeySchemaElement is not a RANGE key type") predate multi-attribute GSI keys: since
        // November 2025 a GSI KeySchema may hold up to four HASH and four RANGE elements (the API
        // reference dropped its two-element maximum), so two HASH attributes are a valid key.
        // The MultiKeyIndexes family covers both cases with DynamoDB Local 3.3's answers.
        (
            "create-table-gsi-hash-only-no-projection-type",
            "should return ValidationException about Projection if no range key in GlobalSecondaryIndex",
            with_gsi(ab(), hash_range(), json!([gsi(schema(&[("b", "HASH")]), json!({}))])),
            "One or more parameter values were invalid: Unknown ProjectionType: null",
        ),
        (
            "create-table-gsi-other-hash-no-projection-type",
            "should return ValidationException about Projection for different hash key between GlobalSecondaryIndex and table",
            with_gsi(ab(), hash_range(), json!([gsi(schema(&[("b", "HASH"), ("a", "RANGE")]), json!({}))])),
            "One or more parameter values were invalid: Unknown ProjectionType: null",
        ),
        (
            "create-table-gsi-hash-range-same-name",
            "should return ValidationException for same named keys in GlobalSecondaryIndex when one hash and one range",
            with_gsi(ab(), hash_range(), json!([gsi(schema(&[("a", "HASH"), ("a", "RANGE")]), json!({}))])),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
    ];
    cases
        .into_iter()
        .chain(gsi_cases)
        .map(|(name, test, body, message)| one(name, src(test), "CreateTable", body, invalid(message)))
        .collect()
}

/// dynalite's BatchGetItem and BatchWriteItem validations.
fn batches() -> Vec<Scenario> {
    let get = |test: &str| architect("batchGetItem", test);
    let write = |test: &str| architect("batchWriteItem", test);
    let get_keys = |keys: Value| json!({"RequestItems": {"abc": {"Keys": keys}}});
    let put_item = |item: Value| json!({"RequestItems": {"abc": [{"PutRequest": {"Item": item}}]}});
    let mut out = Vec::new();
    // Attribute value faults, the same in every operation that reads values.
    let values: Vec<(&str, &str, Value, &str)> = vec![
        ("empty-type", "should return ValidationException for empty key type", json!({}), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ("bad-type", "should return ValidationException for bad key type", json!({"a": ""}), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ("false-null", "should return ValidationException for false null", json!({"NULL": false}), "One or more parameter values were invalid: Null attribute value types must have the value of true"),
        ("empty-set", "should return ValidationException for empty set key", json!({"SS": []}), "One or more parameter values were invalid: An string set  may not be empty"),
        ("empty-number-in-set", "should return ValidationException if key has empty numeric in set", json!({"NS": ["1", ""]}), "The parameter cannot be converted to a numeric value"),
        ("duplicate-string-in-set", "should return ValidationException for duplicate string in set", json!({"SS": ["a", "a"]}), "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
        ("duplicate-number-in-set", "should return ValidationException for duplicate number in set", json!({"NS": ["1", "1"]}), "Input collection contains duplicates"),
        ("duplicate-binary-in-set", "should return ValidationException for duplicate binary in set", json!({"BS": ["Yg==", "Yg=="]}), "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."),
        ("multiple-types", "should return ValidationException for multiple types", json!({"S": "a", "N": "1"}), "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
        ("empty-number", "should return ValidationException if key has empty numeric type", json!({"N": ""}), "The parameter cannot be converted to a numeric value"),
        ("bad-number", "should return ValidationException if key has incorrect numeric type", json!({"N": "b"}), "The parameter cannot be converted to a numeric value: b"),
        ("number-39-digits", "should return ValidationException if key has large numeric type", json!({"N": "123456789012345678901234567890123456789"}), "Attempting to store more than 38 significant digits in a Number"),
        ("number-long-fraction", "should return ValidationException if key has long digited number", json!({"N": "-1.23456789012345678901234567890123456789"}), "Attempting to store more than 38 significant digits in a Number"),
        ("number-overflow", "should return ValidationException if key has huge positive number", json!({"N": "1e126"}), "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("number-negative-overflow", "should return ValidationException if key has huge negative number", json!({"N": "-1e126"}), "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("number-underflow", "should return ValidationException if key has tiny positive number", json!({"N": "1e-131"}), "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("number-negative-underflow", "should return ValidationException if key has tiny negative number", json!({"N": "-1e-131"}), "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("bad-number-in-set", "should return ValidationException if key has incorrect numeric type in set", json!({"NS": ["1", "b", "a"]}), "The parameter cannot be converted to a numeric value: b"),
    ];
    for (case, test, value, message) in values {
        out.push(one(
            &format!("batch-get-{case}"),
            get(test),
            "BatchGetItem",
            get_keys(json!([{"a": value.clone()}])),
            invalid(message),
        ));
        let write_test = test.replace("if key has", "if trying to store").replace("key has", "item has");
        let _ = write_test;
        out.push(one(
            &format!("batch-write-{case}"),
            write(test),
            "BatchWriteItem",
            put_item(json!({"a": value})),
            invalid(message),
        ));
    }
    let keys =
        |n: usize, from: usize| Value::Array((from..from + n).map(|i| json!({"a": {"S": i.to_string()}})).collect());
    out.push(one(
        "batch-get-101-keys-two-tables",
        get("should return ValidationException when fetching more than 100 keys over multiple tables"),
        "BatchGetItem",
        json!({"RequestItems": {"abc": {"Keys": keys(100, 0)}, "abd": {"Keys": keys(1, 100)}}}),
        invalid("Too many items requested for the BatchGetItem call"),
    ));
    out.push(one(
        "batch-get-100-keys-missing-table",
        get("should return ResourceNotFoundException when fetching exactly 100 keys and table does not exist"),
        "BatchGetItem",
        get_keys(keys(100, 0)),
        not_found(),
    ));
    out.push(one(
        "batch-get-duplicate-attributes-to-get",
        get("should return ValidationException duplicate values in AttributesToGet"),
        "BatchGetItem",
        json!({"RequestItems": {"abc": {"Keys": [{}], "AttributesToGet": ["a", "a"]}}}),
        invalid("One or more parameter values were invalid: Duplicate value in attribute name: a"),
    ));
    out.push(one(
        "batch-get-empty-key-missing-table",
        get("should return ResourceNotFoundException if key is empty and table does not exist"),
        "BatchGetItem",
        json!({"RequestItems": {"$Pnone": {"Keys": [{}]}}}),
        not_found(),
    ));
    out.push(one(
        "batch-write-25-missing-table",
        write("should return ResourceNotFoundException when fetching exactly 25 items and table does not exist"),
        "BatchWriteItem",
        json!({"RequestItems": {"abc": (0..25).map(|i| if i % 2 == 1 { json!({"DeleteRequest": {"Key": {"a": {"S": i.to_string()}}}}) } else { json!({"PutRequest": {"Item": {"a": {"S": i.to_string()}}}}) }).collect::<Vec<_>>()}}),
        not_found(),
    ));
    out.push(one(
        "batch-write-empty-item",
        write("should return ValidationException for empty item in RequestItems"),
        "BatchWriteItem",
        json!({"RequestItems": {"abc": [{}]}}),
        invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    ));
    // On dynalite's test tables.
    let key_faults: Vec<(&str, &str, &str, Value)> = vec![
        ("empty-key", "should return ValidationException if key is empty and table does exist", HASH, json!({})),
        (
            "key-other-attribute",
            "should return ValidationException if key has incorrect attributes",
            HASH,
            json!({"b": {"S": "a"}}),
        ),
        (
            "key-extra-attribute",
            "should return ValidationException if key has extra attributes",
            HASH,
            json!({"a": {"S": "a"}, "b": {"S": "a"}}),
        ),
        (
            "key-binary",
            "should return ValidationException if key is incorrect binary type",
            HASH,
            json!({"a": {"B": "abcd"}}),
        ),
        (
            "key-number",
            "should return ValidationException if key is incorrect numeric type",
            HASH,
            json!({"a": {"N": "1"}}),
        ),
        (
            "key-string-set",
            "should return ValidationException if key is incorrect string set type",
            HASH,
            json!({"a": {"SS": ["a"]}}),
        ),
        (
            "key-number-set",
            "should return ValidationException if key is incorrect numeric set type",
            HASH,
            json!({"a": {"NS": ["1"]}}),
        ),
        (
            "key-binary-set",
            "should return ValidationException if key is incorrect binary set type",
            HASH,
            json!({"a": {"BS": ["aaaa"]}}),
        ),
        (
            "key-missing-range",
            "should return ValidationException if missing range key",
            RANGE,
            json!({"a": {"S": "a"}}),
        ),
    ];
    for (case, test, table, key) in key_faults {
        out.push(on(table, &format!("batch-get-{case}"), get(test)).expect(
            "BatchGetItem",
            json!({"RequestItems": {table: {"Keys": [key]}}}),
            invalid("The provided key element does not match the schema"),
        ));
    }
    out.push(
        on(HASH, "batch-get-duplicate-keys", get("should return ValidationException for duplicated keys")).expect(
            "BatchGetItem",
            json!({"RequestItems": {HASH: {"Keys": [{"a": {"S": "x"}}, {"a": {"S": "x"}}, {"a": {"S": "x"}}]}}}),
            invalid("Provided list of item keys contains duplicates"),
        ),
    );
    out.push(
        on(
            HASH,
            "batch-get-duplicate-mixed-keys",
            get("should return ValidationException for duplicated mixed up keys"),
        )
        .expect(
            "BatchGetItem",
            json!({"RequestItems": {HASH: {"Keys": [{"a": {"S": "x"}}, {"a": {"S": "y"}}, {"a": {"S": "x"}}]}}}),
            invalid("Provided list of item keys contains duplicates"),
        ),
    );
    out.push(on(HASH, "batch-get-hash-key-too-big", get("should return ValidationException if hash key is too big")).expect(
        "BatchGetItem",
        json!({"RequestItems": {HASH: {"Keys": [{"a": {"S": "a".repeat(2049)}}]}}}),
        invalid("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"),
    ));
    out.push(on(RANGE, "batch-get-range-key-too-big", get("should return ValidationException if range key is too big")).expect(
        "BatchGetItem",
        json!({"RequestItems": {RANGE: {"Keys": [{"a": {"S": "a"}, "b": {"S": "b".repeat(1025)}}]}}}),
        invalid("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"),
    ));
    let item = json!({"a": {"S": "x"}, "c": {"S": "c"}});
    out.push(on(HASH, "batch-write-put-then-delete-same-key", write("should return ValidationException for puts and deletes of the same item with put first")).expect(
        "BatchWriteItem",
        json!({"RequestItems": {HASH: [{"PutRequest": {"Item": item.clone()}}, {"DeleteRequest": {"Key": {"a": {"S": "x"}}}}]}}),
        invalid("Provided list of item keys contains duplicates"),
    ));
    out.push(on(HASH, "batch-write-delete-then-put-same-key", write("should return ValidationException for puts and deletes of the same item with delete first")).expect(
        "BatchWriteItem",
        json!({"RequestItems": {HASH: [{"DeleteRequest": {"Key": {"a": {"S": "x"}}}}, {"PutRequest": {"Item": item}}]}}),
        invalid("Provided list of item keys contains duplicates"),
    ));
    out
}

/// The account and region the runner's targets answer for (the emulator's
/// defaults): ARNs that must name this account's tables use them.
const ARN_PREFIX: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/";

fn access_denied(operation: &str, resource: &str) -> Expect {
    // dynalite asserts /^User: arn:aws:iam::\d+:.+ is not authorized to perform: .../: the
    // principal is the caller's; here the targets' account root.
    Expect::error(
        "AccessDeniedException",
        &format!("User: arn:aws:iam::000000000000:root is not authorized to perform: dynamodb:{operation} on resource: {resource}"),
    )
}

/// dynalite's TagResource, UntagResource and ListTagsOfResource validations
/// and its ListTagsOfResource functionality test.
fn tagging() -> Vec<Scenario> {
    let mut out = Vec::new();
    let short = format!("{ARN_PREFIX}ab");
    let missing = format!("{ARN_PREFIX}$Pnone");
    // (operation, file, list field, empty-list message, not-found message)
    let ops: [(&str, &str, &str, Value, &str, String); 3] = [
        (
            "TagResource",
            "tagResource",
            "Tags",
            json!([{"Key": "a", "Value": "b"}]),
            "Atleast one Tag needs to be provided as Input.",
            format!("Requested resource not found: ResourcArn: {missing} not found"),
        ),
        (
            "UntagResource",
            "untagResource",
            "TagKeys",
            json!(["a"]),
            "Atleast one Tag Key needs to be provided as Input.",
            "Requested resource not found".to_string(),
        ),
        (
            "ListTagsOfResource",
            "listTagsOfResource",
            "",
            Value::Null,
            "",
            format!("Requested resource not found: ResourcArn: {missing} not found"),
        ),
    ];
    for (op, file, list, one_entry, empty_message, not_found_message) in ops {
        let kebab = match op {
            "TagResource" => "tag",
            "UntagResource" => "untag",
            _ => "list-tags",
        };
        let src = |test: &str| architect(file, test);
        let with_list = |arn: &str, entries: Value| {
            let mut body = json!({"ResourceArn": arn});
            if !list.is_empty() {
                body[list] = entries;
            }
            body
        };
        out.push(one(
            &format!("{kebab}-no-arn"),
            src("should return ValidationException for no ResourceArn"),
            op,
            json!({}),
            invalid("Invalid TableArn"),
        ));
        let denied: [(&str, &str, &str); 4] = [
            ("empty-arn", "", "should return AccessDeniedException for empty ResourceArn"),
            (
                "arn-abcd",
                "abcd",
                if op == "ListTagsOfResource" {
                    "should return AccessDeniedException for unauthorized ResourceArn"
                } else {
                    "should return AccessDeniedException for short unauthorized ResourceArn"
                },
            ),
            (
                "arn-six-parts",
                "a:b:c:d:e:f",
                if op == "ListTagsOfResource" {
                    "should return AccessDeniedException for no ResourceArn"
                } else {
                    "should return AccessDeniedException for long unauthorized ResourceArn"
                },
            ),
            (
                "arn-five-parts-slash",
                "a:b:c:d:e/f",
                if op == "ListTagsOfResource" {
                    "should return AccessDeniedException for no ResourceArn"
                } else {
                    "should return AccessDeniedException for longer unauthorized ResourceArn"
                },
            ),
        ];
        for (case, arn, test) in denied {
            let resource = if arn.is_empty() { "*" } else { arn };
            out.push(one(
                &format!("{kebab}-{case}"),
                src(test),
                op,
                json!({"ResourceArn": arn}),
                access_denied(op, resource),
            ));
        }
        if !list.is_empty() {
            let field = if list == "Tags" { "tags" } else { "tagKeys" };
            out.push(one(
                &format!("{kebab}-null-list"),
                src(&format!("should return ValidationException for null {list}")),
                op,
                json!({"ResourceArn": "a:b:c:d:e:f/g"}),
                invalid(&format!("1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null")),
            ));
        }
        let invalid_test = if list.is_empty() {
            "should return ValidationException for no ResourceArn"
        } else {
            "should return ValidationException for invalid ResourceArn"
        };
        out.push(one(
            &format!("{kebab}-invalid-arn"),
            src(invalid_test),
            op,
            with_list("a:b:c:d:e:f/g", json!([])),
            invalid("Invalid TableArn: Invalid ResourceArn provided as input a:b:c:d:e:f/g"),
        ));
        out.push(one(
            &format!("{kebab}-short-table-name"),
            src("should return ValidationException for short table name"),
            op,
            with_list(&short, json!([])),
            invalid(&format!("Invalid TableArn: Invalid ResourceArn provided as input {short}")),
        ));
        if !list.is_empty() {
            out.push(one(
                &format!("{kebab}-empty-list"),
                src(&format!("should return ResourceNotFoundException if {list} are empty")),
                op,
                with_list(&missing, json!([])),
                invalid(empty_message),
            ));
        }
        out.push(one(
            &format!("{kebab}-missing-table"),
            src("should return ResourceNotFoundException if ResourceArn does not exist"),
            op,
            with_list(&missing, one_entry),
            Expect::error("ResourceNotFoundException", &not_found_message),
        ));
    }
    let arn = crate::scenario::answer(0, "/TableDescription/TableArn");
    let tags = json!([{"Key": "t1", "Value": "v1"}, {"Key": "t2", "Value": "v2"}]);
    out.push(
        on(
            HASH,
            "tags-round-trip",
            architect("listTagsOfResource", "should succeed if valid resource and has multiple tags"),
        )
        .expect("ListTagsOfResource", json!({"ResourceArn": arn}), Expect::ok(json!({"Tags": []})))
        .expect("TagResource", json!({"ResourceArn": arn, "Tags": tags}), ok_empty())
        .expect("ListTagsOfResource", json!({"ResourceArn": arn}), Expect::ok(json!({"Tags": tags})))
        .expect("UntagResource", json!({"ResourceArn": arn, "TagKeys": ["t1", "t2"]}), ok_empty())
        .expect("ListTagsOfResource", json!({"ResourceArn": arn}), Expect::ok(json!({"Tags": []}))),
    );
    out
}

/// moto's AWS-verified resource-policy tests (`@pytest.mark.aws_verified`: run
/// against AWS, exact messages asserted).
fn moto(test: &str) -> String {
    format!("moto https://github.com/getmoto/moto/blob/master/tests/test_dynamodb/test_dynamodb_resource_policy.py, {test} (aws_verified: asserted against AWS)")
}

/// The test's policy document allowing `action`.
fn policy(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Principal": {"AWS": "000000000000"}, "Effect": "Allow", "Action": [action], "Resource": "*"}]}).to_string()
}

/// PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on dynalite's
/// hash table; its ARN is step 0's answer. (The tests that pass a revision id
/// from an earlier answer are left out: DynamoDB Local, lacking the operations,
/// gives no answer to refer to.)
fn resource_policies() -> Vec<Scenario> {
    let arn = crate::scenario::answer(0, "/TableDescription/TableArn");
    let table_arn = format!("{ARN_PREFIX}{HASH}");
    let revision = || Expect::ok(json!({"RevisionId": "<revision>"}));
    let held = |action: &str| Expect::ok(json!({"Policy": policy(action), "RevisionId": "<revision>"}));
    let no_policy = Expect::error(
        "PolicyNotFoundException",
        &format!("Resource-based policy not found for the provided ResourceArn: {table_arn}"),
    );
    let unknown = |suffix: &str| {
        Expect::error(
            "ResourceNotFoundException",
            &format!("Requested resource not found: Table: {HASH}{suffix} not found"),
        )
    };
    let put = |action: &str| json!({"ResourceArn": arn, "Policy": policy(action)});
    vec![
        on(HASH, "policy-get-without", moto("test_get_resource_policy_from_resource_without")).expect(
            "GetResourcePolicy",
            json!({"ResourceArn": arn}),
            no_policy.clone(),
        ),
        on(HASH, "policy-put-unknown-table", moto("test_put_resource_policy_unknown_resource")).expect(
            "PutResourcePolicy",
            json!({"ResourceArn": format!("{arn}_"), "Policy": policy("dynamodb:*")}),
            unknown("_"),
        ),
        on(HASH, "policy-get-unknown-table", moto("test_get_resource_policy_from_unknown_resource")).expect(
            "GetResourcePolicy",
            json!({"ResourceArn": format!("{arn}unknown")}),
            unknown("unknown"),
        ),
        on(HASH, "policy-delete-unknown-table", moto("test_delete_resource_policy_from_unknown_resource")).expect(
            "DeleteResourcePolicy",
            json!({"ResourceArn": format!("{arn}unknown")}),
            unknown("unknown"),
        ),
        on(HASH, "policy-put-get", moto("test_put_resource_policy"))
            .expect("PutResourcePolicy", put("dynamodb:*"), revision())
            .expect("GetResourcePolicy", json!({"ResourceArn": arn}), held("dynamodb:*")),
        on(HASH, "policy-put-expecting-none", moto("test_put_resource_policy_against_norevision"))
            .expect(
                "PutResourcePolicy",
                json!({"ResourceArn": arn, "Policy": policy("dynamodb:*"), "ExpectedRevisionId": "NO_POLICY"}),
                revision(),
            )
            .expect("GetResourcePolicy", json!({"ResourceArn": arn}), held("dynamodb:*")),
        on(HASH, "policy-delete", moto("test_delete_resource_policy"))
            .expect("PutResourcePolicy", put("dynamodb:*"), revision())
            .expect("DeleteResourcePolicy", json!({"ResourceArn": arn}), revision())
            .expect("GetResourcePolicy", json!({"ResourceArn": arn}), no_policy),
    ]
}

/// dynalite's PutItem validations (the tests of empty strings and binaries
/// are left out: DynamoDB has accepted them in non-key attributes since 2020).
fn put_item() -> Vec<Scenario> {
    let src = |test: &str| architect("putItem", test);
    let none = |extra: Value| {
        let mut body = json!({"TableName": "aaa", "Item": {}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        body
    };
    let expected = |e: Value| none(json!({"Expected": {"a": e}}));
    let item = |value: Value| json!({"TableName": "aaa", "Item": {"a": value}});
    let params = "One or more parameter values were invalid: ";
    let args = |op: &str| format!("{params}Invalid number of argument(s) for the {op} ComparisonOperator");
    let cases: Vec<(&str, &str, Value, String)> = vec![
        ("no-table-name", "should return ValidationException for no TableName", json!({}), "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'item' failed to satisfy constraint: Member must not be null".into()),
        ("empty-table-name", "should return ValidationException for empty TableName", json!({"TableName": ""}), "3 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value null at 'item' failed to satisfy constraint: Member must not be null".into()),
        ("short-table-name", "should return ValidationException for short TableName", json!({"TableName": "a;"}), "3 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value null at 'item' failed to satisfy constraint: Member must not be null".into()),
        ("long-table-name", "should return ValidationException for long TableName", json!({"TableName": "a".repeat(256)}), format!("2 validation errors detected: Value '{}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255; Value null at 'item' failed to satisfy constraint: Member must not be null", "a".repeat(256))),
        ("incorrect-attributes", "should return ValidationException for incorrect attributes", json!({"TableName": "abc;", "ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi", "ReturnValues": "hi"}), "5 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value null at 'item' failed to satisfy constraint: Member must not be null; Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]".into()),
        ("expected-no-value-no-exists", "should return ValidationException if no value and no exists", expected(json!({})), format!("{params}Value must be provided when Exists is null for Attribute: a")),
        ("expected-exists-no-value", "should return ValidationException for Exists true with no value", expected(json!({"Exists": true})), format!("{params}Value must be provided when Exists is true for Attribute: a")),
        ("expected-not-exists-with-value", "should return ValidationException for Exists false with value", expected(json!({"Exists": false, "Value": {"S": "a"}})), format!("{params}Value cannot be used when Exists is false for Attribute: a")),
        ("return-values-updated-old", "should return ValidationException for incorrect ReturnValues", none(json!({"ReturnValues": "UPDATED_OLD"})), "ReturnValues can only be ALL_OLD or NONE".into()),
        ("return-values-all-new", "should return ValidationException for incorrect ReturnValues", none(json!({"ReturnValues": "ALL_NEW"})), "ReturnValues can only be ALL_OLD or NONE".into()),
        ("return-values-updated-new", "should return ValidationException for incorrect ReturnValues", none(json!({"ReturnValues": "UPDATED_NEW"})), "ReturnValues can only be ALL_OLD or NONE".into()),
        ("empty-value-type", "should return ValidationException for empty key type", item(json!({})), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into()),
        ("false-null", "should return ValidationException for false null", item(json!({"NULL": false})), format!("{params}Null attribute value types must have the value of true")),
        ("empty-set", "should return ValidationException for empty set key", item(json!({"SS": []})), format!("{params}An string set  may not be empty")),
        ("duplicate-strings", "should return ValidationException for duplicate string in set", item(json!({"SS": ["a", "a"]})), format!("{params}Input collection [a, a] contains duplicates.")),
        ("duplicate-numbers", "should return ValidationException for duplicate number in set", item(json!({"NS": ["1", "1"]})), "Input collection contains duplicates".into()),
        ("multiple-types", "should return ValidationException for multiple types", item(json!({"S": "a", "N": "1"})), "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".into()),
        ("bad-number", "should return ValidationException if key has incorrect numeric type", item(json!({"N": "b"})), "The parameter cannot be converted to a numeric value: b".into()),
        ("expected-empty-value", "should return ValidationException for empty expected value", expected(json!({"Value": {}})), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into()),
        ("expected-empty-number-in-set", "should return ValidationException if expected value has empty numeric in set", expected(json!({"Value": {"NS": ["1", ""]}})), "The parameter cannot be converted to a numeric value".into()),
        ("number-overflow", "should return ValidationException if trying to store huge positive number", item(json!({"N": "1e126"})), "Number overflow. Attempting to store a number with magnitude larger than supported range".into()),
        ("number-underflow", "should return ValidationException if trying to store tiny negative number", item(json!({"N": "-1e-131"})), "Number underflow. Attempting to store a number with magnitude smaller than supported range".into()),
        ("operator-alone", "should return ValidationException if ComparisonOperator used alone", expected(json!({"ComparisonOperator": "LT"})), format!("{params}Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a")),
        ("operator-with-exists", "should return ValidationException if ComparisonOperator and Exists are used together", expected(json!({"Exists": true, "ComparisonOperator": "LT"})), format!("{params}Exists and ComparisonOperator cannot be used together for Attribute: a")),
        ("list-and-value", "should return ValidationException if AttributeValueList and Value are used together", expected(json!({"AttributeValueList": [{"S": "a"}], "Value": {"S": "a"}, "ComparisonOperator": "LT"})), format!("{params}Value and AttributeValueList cannot be used together for Attribute: a")),
        ("list-without-operator", "should return ValidationException if AttributeValueList used without ComparisonOperator", expected(json!({"AttributeValueList": [{"S": "a"}]})), format!("{params}AttributeValueList can only be used with a ComparisonOperator for Attribute: a")),
        ("list-with-exists", "should return ValidationException if AttributeValueList used with Exists", expected(json!({"Exists": true, "AttributeValueList": [{"S": "a"}]})), format!("{params}AttributeValueList can only be used with a ComparisonOperator for Attribute: a")),
        ("list-length-eq", "should return ValidationException if AttributeValueList is incorrect length: EQ", expected(json!({"AttributeValueList": [], "ComparisonOperator": "EQ"})), args("EQ")),
        ("list-length-null", "should return ValidationException if AttributeValueList is incorrect length: NULL", expected(json!({"AttributeValueList": [{"S": "a"}], "ComparisonOperator": "NULL"})), args("NULL")),
        ("list-length-in", "should return ValidationException if AttributeValueList is incorrect length: IN", expected(json!({"AttributeValueList": [], "ComparisonOperator": "IN"})), args("IN")),
        ("list-length-between", "should return ValidationException if AttributeValueList is incorrect length: BETWEEN", expected(json!({"AttributeValueList": [{"N": "1"}, {"N": "10"}, {"N": "12"}], "ComparisonOperator": "BETWEEN"})), args("BETWEEN")),
        ("value-count-null", "should return ValidationException if Value provides incorrect number of attributes: NULL", expected(json!({"Value": {"S": "a"}, "ComparisonOperator": "NULL"})), args("NULL")),
        ("value-count-between", "should return ValidationException if Value provides incorrect number of attributes: BETWEEN", expected(json!({"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"})), args("BETWEEN")),
    ];
    let mut out: Vec<Scenario> = cases
        .into_iter()
        .map(|(name, test, body, message)| one(&format!("put-{name}"), src(test), "PutItem", body, invalid(&message)))
        .collect();
    out.push(one(
        "put-empty-item-missing-table",
        src("should return ResourceNotFoundException if key is empty and table does not exist"),
        "PutItem",
        json!({"TableName": "$Pnone", "Item": {}}),
        not_found(),
    ));
    let on_table: Vec<(&str, &str, &str, Value, String)> = vec![
        (
            "empty-item",
            "should return ValidationException if key is empty and table does exist",
            HASH,
            json!({}),
            format!("{params}Missing the key a in the item"),
        ),
        (
            "other-attribute",
            "should return ValidationException if key has incorrect attributes",
            HASH,
            json!({"b": {"S": "a"}}),
            format!("{params}Missing the key a in the item"),
        ),
        (
            "key-binary",
            "should return ValidationException if key is incorrect binary type",
            HASH,
            json!({"a": {"B": "abcd"}}),
            format!("{params}Type mismatch for key a expected: S actual: B"),
        ),
        (
            "key-number",
            "should return ValidationException if key is incorrect numeric type",
            HASH,
            json!({"a": {"N": "1"}}),
            format!("{params}Type mismatch for key a expected: S actual: N"),
        ),
        (
            "key-string-set",
            "should return ValidationException if key is incorrect string set type",
            HASH,
            json!({"a": {"SS": ["a"]}}),
            format!("{params}Type mismatch for key a expected: S actual: SS"),
        ),
        (
            "key-number-set",
            "should return ValidationException if key is incorrect numeric set type",
            HASH,
            json!({"a": {"NS": ["1"]}}),
            format!("{params}Type mismatch for key a expected: S actual: NS"),
        ),
        (
            "key-binary-set",
            "should return ValidationException if key is incorrect binary set type",
            HASH,
            json!({"a": {"BS": ["aaaa"]}}),
            format!("{params}Type mismatch for key a expected: S actual: BS"),
        ),
        (
            "missing-range",
            "should return ValidationException if missing range key",
            RANGE,
            json!({"a": {"S": "a"}}),
            format!("{params}Missing the key b in the item"),
        ),
        (
            "hash-key-too-big",
            "should return ValidationException if hash key is too big",
            HASH,
            json!({"a": {"S": "a".repeat(2049)}}),
            format!("{params}Size of hashkey has exceeded the maximum size limit of2048 bytes"),
        ),
        (
            "range-key-too-big",
            "should return ValidationException if range key is too big",
            RANGE,
            json!({"a": {"S": "a"}, "b": {"S": "b".repeat(1025)}}),
            format!("{params}Aggregated size of all range keys has exceeded the size limit of 1024 bytes"),
        ),
    ];
    for (name, test, table, item, message) in on_table {
        out.push(on(table, &format!("put-{name}"), src(test)).expect(
            "PutItem",
            json!({"TableName": table, "Item": item}),
            invalid(&message),
        ));
    }
    out
}

/// dynalite's GetItem and DeleteItem validations (empty strings and binaries
/// left out, as in PutItem).
fn get_and_delete_item() -> Vec<Scenario> {
    let params = "One or more parameter values were invalid: ";
    let mut out = Vec::new();
    for (op, file, kebab) in [("GetItem", "getItem", "get"), ("DeleteItem", "deleteItem", "delete")] {
        let src = |test: &str| architect(file, test);
        let key = |value: Value| json!({"TableName": "abc", "Key": {"a": value}});
        let expected = |e: Value| json!({"TableName": "aaa", "Key": {}, "Expected": {"a": e}});
        let tail = "Value null at 'key' failed to satisfy constraint: Member must not be null";
        let mut cases: Vec<(&str, &str, Value, String)> = vec![
            ("no-table-name", "should return ValidationException for no TableName", json!({}), format!("2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; {tail}")),
            ("empty-table-name", "should return ValidationException for empty TableName", json!({"TableName": ""}), format!("3 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; {tail}")),
            ("short-table-name", "should return ValidationException for short TableName", json!({"TableName": "a;"}), format!("3 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; {tail}")),
            ("long-table-name", "should return ValidationException for long TableName", json!({"TableName": "a".repeat(256)}), format!("2 validation errors detected: Value '{}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255; {tail}", "a".repeat(256))),
            ("bad-key-type", "should return ValidationException for bad key type", key(json!({"a": ""})), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into()),
            ("bad-number", if op == "GetItem" { "should return ValidationException if key has incorrect numeric type" } else { "should return empty response if key has incorrect numeric type" }, key(json!({"N": "b"})), "The parameter cannot be converted to a numeric value: b".into()),
        ];
        if op == "GetItem" {
            cases.extend([
                ("incorrect-attributes", "should return ValidationException for incorrect attributes", json!({"TableName": "abc;", "ReturnConsumedCapacity": "hi", "AttributesToGet": []}), format!("4 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; {tail}")),
                ("empty-key-type", "should return ValidationException for empty key type", key(json!({})), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into()),
                ("false-null", "should return ValidationException for false null", key(json!({"NULL": false})), format!("{params}Null attribute value types must have the value of true")),
                ("empty-set", "should return ValidationException for empty set key", key(json!({"SS": []})), format!("{params}An string set  may not be empty")),
                ("duplicate-strings", "should return ValidationException for duplicate string in set", key(json!({"SS": ["a", "a"]})), format!("{params}Input collection [a, a] contains duplicates.")),
                ("number-39-digits", "should return ValidationException if key has large numeric type", key(json!({"N": "123456789012345678901234567890123456789"})), "Attempting to store more than 38 significant digits in a Number".into()),
                ("number-overflow", "should return ValidationException if key has huge negative number", key(json!({"N": "-1e126"})), "Number overflow. Attempting to store a number with magnitude larger than supported range".into()),
                ("number-underflow", "should return ValidationException if key has tiny positive number", key(json!({"N": "1e-131"})), "Number underflow. Attempting to store a number with magnitude smaller than supported range".into()),
                ("duplicate-attributes-to-get", "should return ValidationException duplicate values in AttributesToGet", json!({"TableName": "abc", "Key": {}, "AttributesToGet": ["a", "a"]}), format!("{params}Duplicate value in attribute name: a")),
            ]);
        } else {
            cases.extend([
                ("incorrect-attributes", "should return ValidationException for incorrect attributes", json!({"TableName": "abc;", "ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi", "ReturnValues": "hi"}), format!("5 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]; {tail}")),
                ("operator-alone", "should return ValidationException if ComparisonOperator used alone", expected(json!({"ComparisonOperator": "LT"})), format!("{params}Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a")),
                ("operator-with-exists", "should return ValidationException if ComparisonOperator and Exists are used together", expected(json!({"Exists": true, "ComparisonOperator": "LT"})), format!("{params}Exists and ComparisonOperator cannot be used together for Attribute: a")),
                ("list-alone", "should return ValidationException if AttributeValueList is used alone", expected(json!({"AttributeValueList": []})), format!("{params}AttributeValueList can only be used with a ComparisonOperator for Attribute: a")),
                ("list-with-exists", "should return ValidationException if AttributeValueList and Exists are used together", expected(json!({"Exists": true, "AttributeValueList": []})), format!("{params}AttributeValueList can only be used with a ComparisonOperator for Attribute: a")),
                ("list-and-value", "should return ValidationException if AttributeValueList and Value are used together", expected(json!({"Value": {"S": "a"}, "AttributeValueList": []})), format!("{params}Value and AttributeValueList cannot be used together for Attribute: a")),
                ("value-count-between", "should return ValidationException if Value provides incorrect number of attributes: BETWEEN", expected(json!({"Value": {"S": "a"}, "ComparisonOperator": "BETWEEN"})), format!("{params}Invalid number of argument(s) for the BETWEEN ComparisonOperator")),
                ("value-count-null", "should return ValidationException if Value provides incorrect number of attributes: NULL", expected(json!({"Value": {"S": "a"}, "ComparisonOperator": "NULL"})), format!("{params}Invalid number of argument(s) for the NULL ComparisonOperator")),
            ]);
        }
        out.extend(cases.into_iter().map(|(name, test, body, message)| {
            one(&format!("{kebab}-{name}"), src(test), op, body, invalid(&message))
        }));
        if op == "GetItem" {
            out.push(one(
                "get-empty-key-missing-table",
                src("should return ResourceNotFoundException if key is empty and table does not exist"),
                op,
                json!({"TableName": "$Pnone", "Key": {}}),
                not_found(),
            ));
            let schema_faults: Vec<(&str, &str, &str, Value)> = vec![
                (
                    "empty-key",
                    "should return ValidationException if key is empty and table does exist",
                    HASH,
                    json!({}),
                ),
                (
                    "key-other-attribute",
                    "should return ValidationException if key has incorrect attributes",
                    HASH,
                    json!({"b": {"S": "a"}}),
                ),
                (
                    "key-extra-attribute",
                    "should return ValidationException if key has extra attributes",
                    HASH,
                    json!({"a": {"S": "a"}, "b": {"S": "a"}}),
                ),
                (
                    "key-binary",
                    "should return ValidationException if key is incorrect binary type",
                    HASH,
                    json!({"a": {"B": "abcd"}}),
                ),
                (
                    "key-number-set",
                    "should return ValidationException if key is incorrect numeric set type",
                    HASH,
                    json!({"a": {"NS": ["1"]}}),
                ),
                (
                    "key-missing-range",
                    "should return ValidationException if missing range key",
                    RANGE,
                    json!({"a": {"S": "a"}}),
                ),
            ];
            for (name, test, table, key) in schema_faults {
                out.push(on(table, &format!("get-{name}"), src(test)).expect(
                    op,
                    json!({"TableName": table, "Key": key}),
                    invalid("The provided key element does not match the schema"),
                ));
            }
            out.push(
                on(HASH, "get-hash-key-too-big", src("should return ValidationException if hash key is too big"))
                    .expect(
                        op,
                        json!({"TableName": HASH, "Key": {"a": {"S": "a".repeat(2049)}}}),
                        invalid(&format!("{params}Size of hashkey has exceeded the maximum size limit of2048 bytes")),
                    ),
            );
            out.push(on(HASH, "get-missing-item", src("should return empty response if key does not exist")).expect(
                op,
                json!({"TableName": HASH, "Key": {"a": {"S": "x"}}}),
                ok_empty(),
            ));
            out.push(on(HASH, "get-capacity-total", src("should return ConsumedCapacity if specified")).expect(
                op,
                json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "ReturnConsumedCapacity": "TOTAL"}),
                Expect::ok(json!({"ConsumedCapacity": {"CapacityUnits": 0.5, "TableName": HASH}})),
            ));
            out.push(on(HASH, "get-capacity-indexes", src("should return ConsumedCapacity if specified")).expect(op, json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "ReturnConsumedCapacity": "INDEXES"}), Expect::ok(json!({"ConsumedCapacity": {"CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}, "TableName": HASH}}))));
        } else {
            out.push(on(HASH, "delete-missing-item", src("should return nothing if item does not exist")).expect(
                op,
                json!({"TableName": HASH, "Key": {"a": {"S": "x"}}}),
                ok_empty(),
            ));
            out.push(on(HASH, "delete-capacity-missing-item", src("should return ConsumedCapacity if specified and item does not exist")).expect(op, json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "ReturnConsumedCapacity": "INDEXES"}), Expect::ok(json!({"ConsumedCapacity": {"CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}, "TableName": HASH}}))));
            let item = json!({"a": {"S": "x"}, "b": {"S": "b"}});
            out.push(
                on(HASH, "delete-return-old", src("should delete item successfully and return old values"))
                    .expect("PutItem", json!({"TableName": HASH, "Item": item}), ok_empty())
                    .expect(
                        op,
                        json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "ReturnValues": "ALL_OLD"}),
                        Expect::ok(json!({"Attributes": item})),
                    )
                    .expect(
                        "GetItem",
                        json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "ConsistentRead": true}),
                        ok_empty(),
                    ),
            );
            out.push(
                on(
                    HASH,
                    "delete-expected-missing-item",
                    src("should return ConditionalCheckFailedException if expecting non-existent key to exist"),
                )
                .expect(
                    op,
                    json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "Expected": {"a": {"Value": {"S": "y"}}}}),
                    Expect::error("ConditionalCheckFailedException", "The conditional request failed"),
                ),
            );
            out.push(
                on(
                    HASH,
                    "delete-expected-not-exists",
                    src("should return ConditionalCheckFailedException if expecting existing key to not exist"),
                )
                .expect("PutItem", json!({"TableName": HASH, "Item": {"a": {"S": "x"}}}), ok_empty())
                .expect(
                    op,
                    json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "Expected": {"a": {"Exists": false}}}),
                    Expect::error("ConditionalCheckFailedException", "The conditional request failed"),
                ),
            );
            out.push(
                on(HASH, "delete-expected-all-hold", src("should succeed for multiple conditional checks if all are valid"))
                    .expect("PutItem", json!({"TableName": HASH, "Item": {"a": {"S": "x"}, "c": {"S": "c"}}}), ok_empty())
                    .expect(op, json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "Expected": {"a": {"Value": {"S": "x"}}, "b": {"Exists": false}, "c": {"Value": {"S": "c"}}}}), ok_empty()),
            );
        }
    }
    out
}

/// dynalite's DescribeTable, DeleteTable and UpdateTable validations, in the
/// newer wording where its copies disagree ("The parameter 'TableName' is
/// required ..." rather than the older "paramater 'tableName'"; UpdateTable's
/// "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled,
/// GlobalSecondaryIndexUpdates or SSESpecification is required" rather than
/// the older list without BillingMode and SSESpecification).
fn table_operations() -> Vec<Scenario> {
    let mut out = Vec::new();
    let length = "TableName must be at least 3 characters long and at most 255 characters long";
    for (op, file, kebab) in [
        ("DescribeTable", "describeTable", "describe-table"),
        ("DeleteTable", "deleteTable", "delete-table"),
        ("UpdateTable", "updateTable", "update-table"),
    ] {
        let src = |test: &str| architect(file, test);
        let cases: Vec<(&str, &str, Value, String)> = vec![
            ("no-name", "should return ValidationException for no TableName", json!({}), "The parameter 'TableName' is required but was not present in the request".into()),
            ("empty-name", "should return ValidationException for empty TableName", json!({"TableName": ""}), length.into()),
            ("short-name", "should return ValidationException for short TableName", json!({"TableName": "a;"}), length.into()),
            ("long-name", "should return ValidationException for long TableName", json!({"TableName": "a".repeat(256)}), length.into()),
            ("bad-name", "should return ValidationException for null attributes", json!({"TableName": "abc;"}), "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+".into()),
        ];
        out.extend(cases.into_iter().map(|(name, test, body, message)| {
            one(&format!("{kebab}-{name}"), src(test), op, body, invalid(&message))
        }));
        let missing = if op == "UpdateTable" {
            json!({"TableName": "$Pnone", "ProvisionedThroughput": throughput(1, 1)})
        } else {
            json!({"TableName": "$Pnone"})
        };
        out.push(one(
            &format!("{kebab}-missing"),
            src("should return ResourceNotFoundException if table does not exist"),
            op,
            missing,
            Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pnone not found"),
        ));
    }
    let src = |test: &str| architect("updateTable", test);
    let update = |extra: Value| {
        let mut body = json!({"TableName": "abc"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        body
    };
    let params = "One or more parameter values were invalid: ";
    let one_of = format!("{params}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
    let cases: Vec<(&str, &str, Value, String)> = vec![
        ("empty-throughput", "should return ValidationException for empty ProvisionedThroughput", update(json!({"ProvisionedThroughput": {}})), "2 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null".into()),
        ("low-throughput", "should return ValidationException for low ProvisionedThroughput.WriteCapacityUnits", update(json!({"ProvisionedThroughput": throughput(-1, -1)})), "2 validation errors detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1".into()),
        ("high-read-negative-write", "should return ValidationException for high ProvisionedThroughput.ReadCapacityUnits and neg", update(json!({"ProvisionedThroughput": throughput(1000000000001, -1)})), "1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1".into()),
        ("high-read", "should return ValidationException for high ProvisionedThroughput.ReadCapacityUnits", update(json!({"ProvisionedThroughput": throughput(1000000000001, 1000000000001)})), "Given value 1000000000001 for ReadCapacityUnits is out of bounds".into()),
        ("high-write", "should return ValidationException for high ProvisionedThroughput.WriteCapacityUnits", update(json!({"ProvisionedThroughput": throughput(1000000000000, 1000000000001)})), "Given value 1000000000001 for WriteCapacityUnits is out of bounds".into()),
        ("empty-index-updates", "should return ValidationException for empty GlobalSecondaryIndexUpdates", update(json!({"GlobalSecondaryIndexUpdates": []})), "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification is required".into()),
        ("empty-index-update", "should return ValidationException for empty Update", update(json!({"GlobalSecondaryIndexUpdates": [{"Update": {}}]})), "2 validation errors detected: Value null at 'globalSecondaryIndexUpdates.1.member.update.indexName' failed to satisfy constraint: Member must not be null; Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput' failed to satisfy constraint: Member must not be null".into()),
        ("bad-index-updates", "should return ValidationException for bad IndexName and ProvisionedThroughput", update(json!({"GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "a", "ProvisionedThroughput": {}}}, {"Update": {"IndexName": "abc;", "ProvisionedThroughput": throughput(1000000000001, 0)}}]})), "5 validation errors detected: Value 'a' at 'globalSecondaryIndexUpdates.1.member.update.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null; Value 'abc;' at 'globalSecondaryIndexUpdates.2.member.update.indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '0' at 'globalSecondaryIndexUpdates.2.member.update.provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1".into()),
        ("empty-index-action", "should return ValidationException for empty index struct", update(json!({"GlobalSecondaryIndexUpdates": [{}]})), one_of.clone()),
        ("many-empty-index-actions", "should return ValidationException for too many empty GlobalSecondaryIndexUpdates", update(json!({"GlobalSecondaryIndexUpdates": [{}, {}, {}, {}, {}, {}]})), one_of),
        ("repeated-index-updates", "should return ValidationException for repeated GlobalSecondaryIndexUpdates", update(json!({"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}}, {"Delete": {"IndexName": "abc"}}]})), format!("{params}Only one global secondary index update per index is allowed simultaneously. Index: abc")),
    ];
    out.extend(cases.into_iter().map(|(name, test, body, message)| {
        one(&format!("update-table-{name}"), src(test), "UpdateTable", body, invalid(&message))
    }));
    for (name, test, read, write) in [
        (
            "index-high-read-missing-table",
            "should return NotFoundException for high index ReadCapacityUnits when table does not exist",
            1000000000001i64,
            1000000000001i64,
        ),
        (
            "index-high-write-missing-table",
            "should return NotFoundException for high index WriteCapacityUnits when table does not exist",
            1000000000000,
            1000000000001,
        ),
    ] {
        out.push(one(
            &format!("update-table-{name}"),
            src(test),
            "UpdateTable",
            json!({"TableName": "$Pnone", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "abc", "ProvisionedThroughput": throughput(read, write)}}]}),
            Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pnone not found"),
        ));
    }
    out
}

/// dynalite's UpdateItem validations (empty strings and binaries left out, as
/// in PutItem; `{NULL: 'no'}` too, a type fault before validation).
fn update_item() -> Vec<Scenario> {
    let src = |test: &str| architect("updateItem", test);
    let params = "One or more parameter values were invalid: ";
    let tail = "Value null at 'key' failed to satisfy constraint: Member must not be null";
    let with_expressions = |extra: Value| {
        let mut body = json!({"TableName": "abc", "Key": {}, "ConditionExpression": "", "UpdateExpression": ""});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        body
    };
    let mut cases: Vec<(String, &str, Value, String)> = vec![
        ("no-table-name".into(), "should return ValidationException for no TableName", json!({}), format!("2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; {tail}")),
        ("long-table-name".into(), "should return ValidationException for long TableName", json!({"TableName": "a".repeat(256)}), format!("2 validation errors detected: Value '{}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255; {tail}", "a".repeat(256))),
        ("incorrect-attributes".into(), "should return ValidationException for incorrect attributes", json!({"TableName": "abc;", "ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi", "ReturnValues": "hi"}), format!("5 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]; Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; {tail}")),
        ("mixed-parameters".into(), "should return ValidationException if expression and non-expression", json!({"TableName": "abc", "Key": {"a": {}}, "Expected": {"a": {}}, "AttributeUpdates": {}, "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}, "ConditionExpression": "", "UpdateExpression": ""}), "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}".into()),
        ("names-without-expression".into(), "should return ValidationException if ExpressionAttributeNames but no ConditionExpression", json!({"TableName": "abc", "Key": {"a": {}}, "Expected": {"a": {}}, "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}), "ExpressionAttributeNames can only be specified when using expressions".into()),
        ("values-without-expression".into(), "should return ValidationException if ExpressionAttributeValues but no ConditionExpression", json!({"TableName": "abc", "Key": {"a": {}}, "Expected": {"a": {}}, "ExpressionAttributeValues": {}}), "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null".into()),
        ("key-multiple-types".into(), "should return ValidationException for multiple datatypes in Key", json!({"TableName": "abc", "Key": {"a": {"S": "a", "N": "1"}}}), "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".into()),
        ("update-without-value".into(), "should return ValidationException if update has no value", json!({"TableName": "abc", "Key": {}, "Expected": {"a": {}}, "AttributeUpdates": {"a": {"x": "whatever"}}}), format!("{params}Only DELETE action is allowed when no attribute value is specified")),
        ("expected-no-value-no-exists".into(), "should return ValidationException if no value and no exists", json!({"TableName": "abc", "Key": {}, "Expected": {"a": {}}}), format!("{params}Value must be provided when Exists is null for Attribute: a")),
        ("expected-exists-no-value".into(), "should return ValidationException for Exists true with no value", json!({"TableName": "abc", "Key": {}, "Expected": {"a": {"Exists": true}}}), format!("{params}Value must be provided when Exists is true for Attribute: a")),
        ("expected-not-exists-with-value".into(), "should return ValidationException for Exists false with value", json!({"TableName": "abc", "Key": {}, "Expected": {"a": {"Exists": false, "Value": {"S": "a"}}}}), format!("{params}Value cannot be used when Exists is false for Attribute: a")),
        ("empty-names".into(), "should return ValidationException for empty ExpressionAttributeNames", with_expressions(json!({"ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}})), "ExpressionAttributeNames must not be empty".into()),
        ("invalid-name-key".into(), "should return ValidationException for invalid ExpressionAttributeNames", with_expressions(json!({"ExpressionAttributeNames": {"a": "a"}, "ExpressionAttributeValues": {}})), "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"".into()),
        ("empty-values".into(), "should return ValidationException for empty ExpressionAttributeValues", with_expressions(json!({"ExpressionAttributeValues": {}})), "ExpressionAttributeValues must not be empty".into()),
        ("invalid-value-key".into(), "should return ValidationException for invalid keys in ExpressionAttributeValues", with_expressions(json!({"ExpressionAttributeValues": {":b": {"a": ""}, "b": {"S": "a"}}})), "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"".into()),
    ];
    for (i, value) in [json!({}), json!({"a": ""}), json!({"M": {"a": {}}}), json!({"L": [{}]})].into_iter().enumerate()
    {
        cases.push((
            format!("key-unsupported-type-{i}"),
            "should return ValidationException for unsupported datatype in Key",
            with_expressions(
                json!({"Key": {"a": value}, "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}),
            ),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into(),
        ));
    }
    for (i, value) in [json!({}), json!({"M": {"a": {}}})].into_iter().enumerate() {
        cases.push((format!("value-unsupported-type-{i}"), "should return ValidationException for unsupported datatype in ExpressionAttributeValues", with_expressions(json!({"ExpressionAttributeValues": {":b": value}})), "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :b".into()));
    }
    let bad_values: [(&str, Value, &str); 5] = [
        ("empty-string-set", json!({"SS": []}), "An string set  may not be empty"),
        ("empty-number-set", json!({"NS": []}), "An number set  may not be empty"),
        ("empty-binary-set", json!({"BS": []}), "Binary sets should not be empty"),
        ("duplicate-strings", json!({"SS": ["a", "a"]}), "Input collection [a, a] contains duplicates."),
        (
            "duplicate-binaries",
            json!({"BS": ["Yg==", "Yg=="]}),
            "Input collection [Yg==, Yg==]of type BS contains duplicates.",
        ),
    ];
    for (name, value, message) in bad_values {
        cases.push((format!("key-{name}"), "should return ValidationException for invalid values in Key", json!({"TableName": "abc", "Key": {"a": value.clone()}, "Expected": {"a": {}}, "AttributeUpdates": {"a": {"x": "whatever"}}}), format!("{params}{message}")));
        cases.push((
            format!("value-{name}"),
            "should return ValidationException for invalid values in ExpressionAttributeValues",
            with_expressions(json!({"ExpressionAttributeValues": {":b": value}})),
            format!("ExpressionAttributeValues contains invalid value: {params}{message} for key :b"),
        ));
    }
    for (name, value, message) in [
        (
            "number-overflow",
            json!({"N": "1e126"}),
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "number-39-digits",
            json!({"N": "123456789012345678901234567890123456789"}),
            "Attempting to store more than 38 significant digits in a Number",
        ),
    ] {
        cases.push((
            format!("key-{name}"),
            "should return ValidationException for empty/invalid numbers in Key",
            json!({"TableName": "abc", "Key": {"a": value}}),
            message.into(),
        ));
    }
    for kind in ["S", "N", "B", "NULL", "BOOL", "M", "L"] {
        let value = match kind {
            "S" | "N" => json!({kind: "1"}),
            "B" => json!({"B": "Yg=="}),
            "NULL" | "BOOL" => json!({kind: true}),
            "M" => json!({"M": {}}),
            _ => json!({"L": []}),
        };
        cases.push((format!("delete-action-{}", kind.to_lowercase()), "should return ValidationException if trying to delete incorrect types", json!({"TableName": "abc", "Key": {}, "AttributeUpdates": {"a": {"Action": "DELETE", "Value": value.clone()}}}), format!("{params}DELETE action with value is not supported for the type {kind}")));
        if kind != "N" && kind != "L" {
            cases.push((
                format!("add-action-{}", kind.to_lowercase()),
                "should return ValidationException if trying to add incorrect types",
                json!({"TableName": "abc", "Key": {}, "AttributeUpdates": {"a": {"Action": "ADD", "Value": value}}}),
                format!("{params}ADD action is not supported for the type {kind}"),
            ));
        }
    }
    cases
        .into_iter()
        .map(|(name, test, body, message)| {
            one(&format!("update-{name}"), src(test), "UpdateItem", body, invalid(&message))
        })
        .collect()
}

/// ExtendDB's `validation_wording` tests (ExtendDB/extenddb, "verified against
/// us-east-1"): Select COUNT beside a ProjectionExpression, in Query's words
/// (with the validation prefix) and Scan's (without).
fn count_with_projection() -> Vec<Scenario> {
    let src = |test: &str| {
        format!("ExtendDB/extenddb tests, validation_wording.rs {test} (verified against DynamoDB, us-east-1)")
    };
    let message = "Cannot specify the ProjectionExpression when choosing to get only the Count";
    vec![
        on(HASH, "query-count-with-projection", src("query_count_with_projection_has_validation_prefix")).expect(
            "Query",
            json!({"TableName": HASH, "KeyConditionExpression": "a = :p", "ExpressionAttributeValues": {":p": {"S": "x"}}, "Select": "COUNT", "ProjectionExpression": "a"}),
            invalid(&format!("1 validation error detected: {message}")),
        ),
        on(HASH, "scan-count-with-projection", src("scan_count_with_projection_no_prefix"))
            .expect("Scan", json!({"TableName": HASH, "Select": "COUNT", "ProjectionExpression": "a"}), invalid(message)),
    ]
}

/// Members at the edge of their type and size: an empty AttributesToGet, a
/// string in an Integer member, attribute names of 64 KB.
fn member_limits() -> Vec<Scenario> {
    const TOOLBOX: &str = "https://github.com/dynamodb-toolbox/dynamodb-toolbox/issues/502 (a Limit sent as a string: DynamoDB answered \"SerializationException: STRING_VALUE cannot be converted to Integer\")";
    const NAMES: &str = "https://github.com/ExtendDB/extenddb/issues/365 (measured against DynamoDB, 2026-09-16: a 65,536-byte name refused at the top level and nested, 65,535 bytes accepted)";
    let not_integer = || Expect::error("SerializationException", "STRING_VALUE cannot be converted to Integer");
    let too_large =
        || invalid("1 validation error detected: Attribute name is too large, must be less than 65536 bytes");
    let long = "n".repeat(65_536);
    let longest = "n".repeat(65_535);
    let empty_names = || {
        invalid("1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1")
    };
    let among = |file: &str| {
        format!(
            "{} (one of the violations it lists)",
            architect(file, "should return ValidationException for incorrect attributes")
        )
    };
    vec![
        one("scan-empty-attributes-to-get", among("scan"), "Scan", json!({"TableName": "abc", "AttributesToGet": []}), empty_names()),
        one(
            "scan-filter-operator-not-in-enum",
            among("scan"),
            "Scan",
            json!({"TableName": "abc", "ScanFilter": {"b": {"ComparisonOperator": ""}}}),
            invalid("1 validation error detected: Value '' at 'scanFilter.b.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"),
        ),
        one(
            "query-empty-attributes-to-get",
            among("query"),
            "Query",
            json!({"TableName": "abc", "AttributesToGet": [], "KeyConditions": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}}}),
            empty_names(),
        ),
        on(HASH, "query-limit-string", TOOLBOX.into()).expect(
            "Query",
            json!({"TableName": HASH, "KeyConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": {"S": "x"}}, "Limit": "5"}),
            not_integer(),
        ),
        on(HASH, "scan-limit-string", TOOLBOX.into()).expect("Scan", json!({"TableName": HASH, "Limit": "5"}), not_integer()),
        on(HASH, "put-attribute-name-too-large", NAMES.into()).expect(
            "PutItem",
            json!({"TableName": HASH, "Item": {"a": {"S": "x"}, long.clone(): {"S": "v"}}}),
            too_large(),
        ),
        on(HASH, "put-nested-attribute-name-too-large", NAMES.into()).expect(
            "PutItem",
            json!({"TableName": HASH, "Item": {"a": {"S": "x"}, "doc": {"M": {long.clone(): {"S": "v"}}}}}),
            too_large(),
        ),
        on(HASH, "put-nested-attribute-name-longest", NAMES.into()).expect(
            "PutItem",
            json!({"TableName": HASH, "Item": {"a": {"S": "x"}, "doc": {"M": {longest: {"S": "v"}}}}}),
            ok_empty(),
        ),
        on(HASH, "update-value-attribute-name-too-large", NAMES.into()).expect(
            "UpdateItem",
            json!({"TableName": HASH, "Key": {"a": {"S": "x"}}, "UpdateExpression": "SET doc = :v", "ExpressionAttributeValues": {":v": {"M": {long: {"S": "v"}}}}}),
            too_large(),
        ),
    ]
}
