//! `Streams.json`: DynamoDB Streams. Tables with a stream (CreateTable,
//! DescribeTable, UpdateTable, DeleteTable), ListStreams, DescribeStream,
//! GetShardIterator of each type, and GetRecords: which writes make records
//! (each view type, no record for a write that changes nothing), batches and
//! transactions, `Limit`, closed shards; and the errors of each operation.
//!
//! Stream ARNs, shard ids, iterators and sequence numbers come from earlier
//! answers through `${N/pointer}` references (see `scenario`): a scenario
//! creates its table in step 0, so its stream is
//! `${0/TableDescription/LatestStreamArn}`.

use super::{create, key, usual, validation, with};
use crate::scenario::{answer, Expect, Scenario};
use serde_json::{json, Value};

const VIEWS: [&str; 4] = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

/// A stream ARN no table has.
const UNKNOWN_ARN: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/$Pnone/stream/2020-01-01T00:00:00.000";
/// A well-formed shard id no stream has.
const UNKNOWN_SHARD: &str = "shardId-00000001600000000000-00000000";

fn spec(view: &str) -> Value {
    json!({"StreamSpecification": {"StreamEnabled": true, "StreamViewType": view}})
}

/// The usual table (`pk` S, `sk` N) with a stream of `view`.
fn stream_table(view: &str) -> Value {
    with(usual(), spec(view))
}

/// The stream created with the table in step 0.
fn arn() -> String {
    answer(0, "/TableDescription/LatestStreamArn")
}

/// A scenario starting with the creation of the usual table with a stream.
fn on_stream(name: &str, doc: &str, view: &str) -> Scenario {
    Scenario::new(format!("Streams/{name}"), doc).step("CreateTable", stream_table(view))
}

fn put(item: Value) -> Value {
    json!({"TableName": "$Pt", "Item": item})
}

fn item(pk: &str, sk: i64, v: &str) -> Value {
    with(key(pk, sk), json!({"v": {"S": v}}))
}

fn update(pk: &str, sk: i64, expression: &str, values: Value) -> Value {
    let mut body = json!({"TableName": "$Pt", "Key": key(pk, sk), "UpdateExpression": expression});
    if values != json!({}) {
        body["ExpressionAttributeValues"] = values;
    }
    body
}

fn delete(pk: &str, sk: i64) -> Value {
    json!({"TableName": "$Pt", "Key": key(pk, sk)})
}

fn iterator_request(stream: &str, shard: &str, kind: &str) -> Value {
    json!({"StreamArn": stream, "ShardId": shard, "ShardIteratorType": kind})
}

/// Steps appended to a scenario, with the indexes later steps refer to.
trait StreamSteps: Sized {
    /// DescribeStream of `stream`; returns the reference to its first shard.
    fn describe(self, stream: &str) -> (Self, String);
    /// GetShardIterator of `kind` on `stream`'s first shard (described first);
    /// returns the reference to the iterator.
    fn iterator(self, stream: &str, kind: &str) -> (Self, String);
    /// Every record of `stream`'s first shard, from TRIM_HORIZON.
    fn read_all(self, stream: &str) -> Self;
}

impl StreamSteps for Scenario {
    fn describe(self, stream: &str) -> (Scenario, String) {
        let at = self.next_step();
        (self.step("DescribeStream", json!({"StreamArn": stream})), answer(at, "/StreamDescription/Shards/0/ShardId"))
    }

    fn iterator(self, stream: &str, kind: &str) -> (Scenario, String) {
        let (s, shard) = self.describe(stream);
        let at = s.next_step();
        (s.step("GetShardIterator", iterator_request(stream, &shard, kind)), answer(at, "/ShardIterator"))
    }

    fn read_all(self, stream: &str) -> Scenario {
        let (s, iterator) = self.iterator(stream, "TRIM_HORIZON");
        s.step("GetRecords", json!({"ShardIterator": iterator}))
    }
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    out.extend(tables());
    out.extend(list_streams());
    out.extend(describe_stream());
    out.extend(get_shard_iterator());
    out.extend(get_records());
    out.extend(changes());
    out
}

/// CreateTable, DescribeTable, UpdateTable and DeleteTable of tables with streams.
fn tables() -> Vec<Scenario> {
    let mut out = Vec::new();
    for view in VIEWS {
        out.push(
            on_stream(&format!("create-{view}"), "a table created with a stream of each view type", view)
                .step("DescribeTable", json!({"TableName": "$Pt"})),
        );
    }
    let no_stream = |name: &str, doc: &str, stream: Value| {
        Scenario::new(format!("Streams/{name}"), doc)
            .step("CreateTable", with(usual(), json!({"StreamSpecification": stream})))
    };
    out.extend([
        no_stream("create-disabled", "StreamEnabled false: no stream", json!({"StreamEnabled": false}))
            .step("DescribeTable", json!({"TableName": "$Pt"}))
            .step("ListStreams", json!({"TableName": "$Pt"})),
        no_stream(
            "create-bad-view-type",
            "StreamViewType is an enum",
            json!({"StreamEnabled": true, "StreamViewType": "EVERYTHING"}),
        ),
        no_stream("create-without-enabled", "StreamEnabled is required", json!({"StreamViewType": "KEYS_ONLY"})),
    ]);
    let invalid = |message: &str| validation(&format!("One or more parameter values were invalid: {message}"));
    let rejected = |name: &str, doc: &str, stream: Value, message: &str| {
        Scenario::new(format!("Streams/{name}"), doc).expect(
            "CreateTable",
            with(usual(), json!({"StreamSpecification": stream})),
            invalid(message),
        )
    };
    out.extend([
        rejected(
            "create-without-view-type",
            "enabling a stream needs a view type",
            json!({"StreamEnabled": true}),
            "Table is being created with a stream enabled, UpdateViewType is required",
        ),
        rejected(
            "create-disabled-with-view-type",
            "no view type for a disabled stream",
            json!({"StreamEnabled": false, "StreamViewType": "KEYS_ONLY"}),
            "Table is being created with a stream disabled, UpdateViewType should not be specified",
        ),
    ]);
    // UpdateTable: enabling, disabling, and doing either twice.
    let enable = |view: &str| with(json!({"TableName": "$Pt"}), spec(view));
    let disable = json!({"TableName": "$Pt", "StreamSpecification": {"StreamEnabled": false}});
    out.push(
        Scenario::new("Streams/enable-on-update", "UpdateTable gives a table without a stream one")
            .step("CreateTable", usual())
            .step("UpdateTable", enable("NEW_IMAGE"))
            .step("DescribeTable", json!({"TableName": "$Pt"}))
            .step("ListStreams", json!({"TableName": "$Pt"}))
            .step("PutItem", put(item("a", 1, "x")))
            .read_all(&answer(1, "/TableDescription/LatestStreamArn")),
    );
    out.push(
        on_stream("enable-twice", "a table has one enabled stream at a time", "KEYS_ONLY")
            .expect(
                "UpdateTable",
                enable("KEYS_ONLY"),
                validation("Table already has an enabled stream: TableName: $Pt"),
            )
            .expect(
                "UpdateTable",
                enable("NEW_IMAGE"),
                validation("Table already has an enabled stream: TableName: $Pt"),
            ),
    );
    out.push(
        Scenario::new("Streams/disable-without-stream", "disabling needs a stream")
            .step("CreateTable", usual())
            .expect("UpdateTable", disable.clone(), validation("Table has no stream to disable: TableName: $Pt")),
    );
    out.push(
        on_stream("update-without-view-type", "enabling on UpdateTable needs a view type", "KEYS_ONLY")
            .step("UpdateTable", disable.clone())
            .expect(
                "UpdateTable",
                json!({"TableName": "$Pt", "StreamSpecification": {"StreamEnabled": true}}),
                invalid("If stream is being enabled then UpdateViewType is required"),
            ),
    );
    out.push(on_stream("disable-with-view-type", "disabling names no view type", "KEYS_ONLY").expect(
        "UpdateTable",
        json!({"TableName": "$Pt", "StreamSpecification": {"StreamEnabled": false, "StreamViewType": "KEYS_ONLY"}}),
        invalid("If stream is being disabled, then UpdateViewType must not be specified"),
    ));
    out.push(
        on_stream("disable", "a disabled stream is closed and stays readable", "NEW_AND_OLD_IMAGES")
            .step("PutItem", put(item("a", 1, "x")))
            .step("UpdateTable", disable.clone())
            .step("DescribeTable", json!({"TableName": "$Pt"}))
            .step("ListStreams", json!({"TableName": "$Pt"}))
            // Writes after the stream is disabled are not recorded.
            .step("PutItem", put(item("a", 2, "y")))
            .read_all(&arn()),
    );
    out.push(
        on_stream("disable-empty", "a stream disabled before any write: its shard is closed", "KEYS_ONLY")
            .step("UpdateTable", disable.clone())
            .read_all(&arn()),
    );
    out.push(
        on_stream("disable-twice", "a disabled stream cannot be disabled again", "KEYS_ONLY")
            .step("UpdateTable", disable.clone())
            .expect("UpdateTable", disable.clone(), validation("Table has no stream to disable: TableName: $Pt")),
    );
    let new_stream = answer(2, "/TableDescription/LatestStreamArn");
    out.push(
        on_stream("re-enable", "enabling again makes a new stream; the old one stays, disabled", "KEYS_ONLY")
            .step("UpdateTable", disable.clone())
            .step("UpdateTable", enable("OLD_IMAGE"))
            .step("DescribeTable", json!({"TableName": "$Pt"}))
            .step("ListStreams", json!({"TableName": "$Pt"}))
            .step("PutItem", put(item("a", 1, "x")))
            .step("PutItem", put(item("a", 1, "y")))
            .read_all(&new_stream)
            .read_all(&arn()),
    );
    out.push(
        on_stream("delete-table", "a deleted table's stream is disabled and stays readable", "NEW_IMAGE")
            .step("PutItem", put(item("a", 1, "x")))
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .step("ListStreams", json!({"TableName": "$Pt"}))
            .read_all(&arn()),
    );
    out
}

fn list_streams() -> Vec<Scenario> {
    let disable = json!({"TableName": "$Pt", "StreamSpecification": {"StreamEnabled": false}});
    let two_streams = on_stream("list-limit", "ListStreams pages by Limit", "KEYS_ONLY")
        .step("UpdateTable", disable)
        .step("UpdateTable", with(json!({"TableName": "$Pt"}), spec("NEW_IMAGE")));
    let page = two_streams.next_step();
    vec![
        on_stream("list-by-table", "ListStreams of one table", "KEYS_ONLY")
            .step("ListStreams", json!({"TableName": "$Pt"})),
        Scenario::new("Streams/list-table-without-stream", "a table without a stream has none")
            .step("CreateTable", usual())
            .step("ListStreams", json!({"TableName": "$Pt"})),
        Scenario::new("Streams/list-unknown-table", "an unknown table has no streams")
            .step("ListStreams", json!({"TableName": "$Pnone"})),
        on_stream("list-limit-one", "Limit 1 with one stream", "KEYS_ONLY")
            .step("ListStreams", json!({"TableName": "$Pt", "Limit": 1})),
        two_streams.step("ListStreams", json!({"TableName": "$Pt", "Limit": 1})).step(
            "ListStreams",
            json!({"TableName": "$Pt", "Limit": 1, "ExclusiveStartStreamArn": answer(page, "/LastEvaluatedStreamArn")}),
        ),
        Scenario::new("Streams/list-limit-zero", "Limit is at least 1").step("ListStreams", json!({"Limit": 0})),
        Scenario::new("Streams/list-limit-101", "Limit is at most 100").step("ListStreams", json!({"Limit": 101})),
        Scenario::new("Streams/list-bad-table-name", "TableName has the table-name constraints")
            .step("ListStreams", json!({"TableName": "ab"})),
    ]
}

fn describe_stream() -> Vec<Scenario> {
    let (exclusive, shard) =
        on_stream("describe-exclusive-start", "shards after the last one: none", "KEYS_ONLY").describe(&arn());
    vec![
        on_stream("describe", "status, view type, key schema and the open shard", "NEW_AND_OLD_IMAGES")
            .step("DescribeStream", json!({"StreamArn": arn()})),
        Scenario::new("Streams/describe-hash-only", "a hash-only table's key schema")
            .step("CreateTable", with(create("$Pt", ("pk", "N"), None), spec("KEYS_ONLY")))
            .step("DescribeStream", json!({"StreamArn": arn()})),
        on_stream("describe-limit", "Limit 1", "KEYS_ONLY")
            .step("DescribeStream", json!({"StreamArn": arn(), "Limit": 1})),
        exclusive.step("DescribeStream", json!({"StreamArn": arn(), "ExclusiveStartShardId": shard})),
        Scenario::new("Streams/describe-unknown-stream", "an unknown stream ARN").expect(
            "DescribeStream",
            json!({"StreamArn": UNKNOWN_ARN}),
            Expect::error(
                "ResourceNotFoundException",
                &format!("Requested resource not found: Stream: {UNKNOWN_ARN} not found"),
            ),
        ),
        Scenario::new("Streams/describe-missing-arn", "StreamArn is required").step("DescribeStream", json!({})),
        on_stream("describe-limit-zero", "Limit is at least 1", "KEYS_ONLY")
            .step("DescribeStream", json!({"StreamArn": arn(), "Limit": 0})),
        on_stream("describe-limit-101", "Limit is at most 100", "KEYS_ONLY")
            .step("DescribeStream", json!({"StreamArn": arn(), "Limit": 101})),
    ]
}

fn get_shard_iterator() -> Vec<Scenario> {
    let mut out = Vec::new();
    for kind in ["TRIM_HORIZON", "LATEST"] {
        let (s, _) =
            on_stream(&format!("iterator-{kind}"), "an iterator of each position", "KEYS_ONLY").iterator(&arn(), kind);
        out.push(s);
    }
    // By sequence number: the second record's, from a first read.
    for (kind, doc) in [
        ("AT_SEQUENCE_NUMBER", "reading again from a record's sequence number"),
        ("AFTER_SEQUENCE_NUMBER", "reading on after a record's sequence number"),
    ] {
        let s = on_stream(&format!("iterator-{kind}"), doc, "KEYS_ONLY")
            .step("PutItem", put(item("a", 1, "x")))
            .step("PutItem", put(item("a", 2, "x")))
            .step("PutItem", put(item("a", 3, "x")));
        let s = s.read_all(&arn());
        let (read, at) = (s.next_step() - 1, s.next_step());
        // read_all's steps: DescribeStream, GetShardIterator, GetRecords.
        let shard = answer(read - 2, "/StreamDescription/Shards/0/ShardId");
        let sequence = answer(read, "/Records/1/dynamodb/SequenceNumber");
        out.push(
            s.step(
                "GetShardIterator",
                with(iterator_request(&arn(), &shard, kind), json!({"SequenceNumber": sequence})),
            )
            .step("GetRecords", json!({"ShardIterator": answer(at, "/ShardIterator")})),
        );
    }
    // From the shard's starting sequence number: every record.
    let s = on_stream(
        "iterator-at-starting-sequence-number",
        "the shard's first sequence number reads it all",
        "KEYS_ONLY",
    )
    .step("PutItem", put(item("a", 1, "x")));
    let (s, shard) = s.describe(&arn());
    let start = answer(s.next_step() - 1, "/StreamDescription/Shards/0/SequenceNumberRange/StartingSequenceNumber");
    let at = s.next_step();
    out.push(
        s.step(
            "GetShardIterator",
            with(iterator_request(&arn(), &shard, "AT_SEQUENCE_NUMBER"), json!({"SequenceNumber": start})),
        )
        .step("GetRecords", json!({"ShardIterator": answer(at, "/ShardIterator")})),
    );
    // Errors, on a stream with one record.
    let errors = |name: &str, doc: &str, request: &dyn Fn(&str) -> Value| {
        let (s, shard) = on_stream(name, doc, "KEYS_ONLY").step("PutItem", put(item("a", 1, "x"))).describe(&arn());
        s.step("GetShardIterator", request(&shard))
    };
    let a_sequence = "000000000000000000001";
    for kind in ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"] {
        out.push(errors(
            &format!("iterator-{kind}-without-sequence-number"),
            "the sequence number is needed",
            &|shard| iterator_request(&arn(), shard, kind),
        ));
    }
    for kind in ["TRIM_HORIZON", "LATEST"] {
        out.push(errors(
            &format!("iterator-{kind}-with-sequence-number"),
            "no sequence number for this type",
            &|shard| with(iterator_request(&arn(), shard, kind), json!({"SequenceNumber": a_sequence})),
        ));
    }
    out.push(on_stream("iterator-unknown-shard", "a shard the stream does not have", "KEYS_ONLY").expect(
        "GetShardIterator",
        iterator_request(&arn(), UNKNOWN_SHARD, "TRIM_HORIZON"),
        Expect::error("ResourceNotFoundException", "Requested resource not found: Shard does not exist"),
    ));
    out.push(
        Scenario::new("Streams/iterator-unknown-stream", "a stream that does not exist")
            .step("GetShardIterator", iterator_request(UNKNOWN_ARN, UNKNOWN_SHARD, "TRIM_HORIZON")),
    );
    out.push(errors("iterator-bad-type", "ShardIteratorType is an enum", &|shard| {
        iterator_request(&arn(), shard, "OLDEST")
    }));
    out.push(errors("iterator-short-sequence-number", "a sequence number has 21 to 40 characters", &|shard| {
        with(iterator_request(&arn(), shard, "AT_SEQUENCE_NUMBER"), json!({"SequenceNumber": "1"}))
    }));
    out.push(
        Scenario::new("Streams/iterator-missing-members", "StreamArn, ShardId and ShardIteratorType are required")
            .step("GetShardIterator", json!({})),
    );
    out
}

fn get_records() -> Vec<Scenario> {
    let mut out = Vec::new();
    // Limit pages through the shard, each page with the next iterator.
    let s = on_stream("records-limit", "Limit pages through the records", "KEYS_ONLY")
        .step("PutItem", put(item("a", 1, "x")))
        .step("PutItem", put(item("a", 2, "x")))
        .step("PutItem", put(item("a", 3, "x")));
    let (s, iterator) = s.iterator(&arn(), "TRIM_HORIZON");
    let first = s.next_step();
    let s = s.step("GetRecords", json!({"ShardIterator": iterator, "Limit": 1}));
    let second = s.next_step();
    let s = s.step("GetRecords", json!({"ShardIterator": answer(first, "/NextShardIterator"), "Limit": 2}));
    out.push(s.step("GetRecords", json!({"ShardIterator": answer(second, "/NextShardIterator")})));
    // LATEST sees only what comes after it.
    let s = on_stream("records-latest", "a LATEST iterator reads only later records", "NEW_IMAGE")
        .step("PutItem", put(item("a", 1, "before")));
    let (s, iterator) = s.iterator(&arn(), "LATEST");
    out.push(s.step("PutItem", put(item("a", 2, "after"))).step("GetRecords", json!({"ShardIterator": iterator})));
    // A read that finds nothing still hands on an iterator of the open shard.
    let (s, iterator) = on_stream("records-none", "an empty shard: no records, a next iterator", "KEYS_ONLY")
        .iterator(&arn(), "TRIM_HORIZON");
    let read = s.next_step();
    let s = s.step("GetRecords", json!({"ShardIterator": iterator}));
    out.push(
        s.step("PutItem", put(item("a", 1, "x")))
            .step("GetRecords", json!({"ShardIterator": answer(read, "/NextShardIterator")})),
    );
    out.push(Scenario::new("Streams/records-invalid-iterator", "an iterator that was not handed out").step(
        "GetRecords",
        json!({"ShardIterator": "arn:aws:dynamodb:us-east-1:000000000000:table/$Pnone/stream/2020-01-01T00:00:00.000|001|bm90IGFuIGl0ZXJhdG9y"}),
    ));
    out.push(
        Scenario::new("Streams/records-garbage-iterator", "an iterator that is not one")
            .step("GetRecords", json!({"ShardIterator": "garbage"})),
    );
    out.push(
        Scenario::new("Streams/records-missing-iterator", "ShardIterator is required").step("GetRecords", json!({})),
    );
    for (limit, doc) in [(0, "Limit is at least 1"), (1001, "Limit is at most 1000")] {
        let (s, iterator) =
            on_stream(&format!("records-limit-{limit}"), doc, "KEYS_ONLY").iterator(&arn(), "TRIM_HORIZON");
        out.push(s.step("GetRecords", json!({"ShardIterator": iterator, "Limit": limit})));
    }
    out
}

/// Which writes make which records.
fn changes() -> Vec<Scenario> {
    let mut out = Vec::new();
    // INSERT, MODIFY (by PutItem and UpdateItem) and REMOVE, in each view type.
    for view in VIEWS {
        out.push(
            on_stream(
                &format!("records-{view}"),
                "INSERT, MODIFY and REMOVE records with the view type's images",
                view,
            )
            .step("PutItem", put(item("a", 1, "x")))
            .step("PutItem", put(with(key("a", 1), json!({"w": {"N": "1"}}))))
            .step("UpdateItem", update("a", 1, "SET v = :v REMOVE w", json!({":v": {"S": "z"}})))
            .step("DeleteItem", delete("a", 1))
            .read_all(&arn()),
        );
    }
    let one_write =
        |name: &str, doc: &str| on_stream(name, doc, "NEW_AND_OLD_IMAGES").step("PutItem", put(item("a", 1, "x")));
    out.extend([
        one_write("records-identical-put", "a PutItem that changes nothing makes no record")
            .step("PutItem", put(item("a", 1, "x")))
            .read_all(&arn()),
        one_write("records-unchanged-update", "an UpdateItem that changes nothing makes no record")
            .step("UpdateItem", update("a", 1, "SET v = :v", json!({":v": {"S": "x"}})))
            .step("UpdateItem", update("a", 1, "REMOVE absent", json!({})))
            .read_all(&arn()),
        one_write("records-delete-missing", "deleting a missing item makes no record")
            .step("DeleteItem", delete("a", 2))
            .read_all(&arn()),
        one_write("records-failed-condition", "a write whose condition fails makes no record")
            .step("PutItem", with(put(item("a", 1, "y")), json!({"ConditionExpression": "attribute_not_exists(pk)"})))
            .step(
                "UpdateItem",
                with(
                    update("a", 1, "SET v = :v", json!({":v": {"S": "y"}, ":no": {"S": "no"}})),
                    json!({"ConditionExpression": "v = :no"}),
                ),
            )
            .step("DeleteItem", with(delete("a", 1), json!({"ConditionExpression": "attribute_not_exists(v)"})))
            .read_all(&arn()),
        on_stream("records-update-creates", "UpdateItem of a missing item is an INSERT; emptying it a MODIFY", "NEW_AND_OLD_IMAGES")
            .step("UpdateItem", update("a", 1, "SET v = :v", json!({":v": {"S": "x"}})))
            .step("UpdateItem", update("a", 1, "REMOVE v", json!({})))
            .step("UpdateItem", update("b", 1, "REMOVE v", json!({})))
            .read_all(&arn()),
        on_stream("records-attribute-types", "images carry every attribute type as stored", "NEW_IMAGE")
            .step(
                "PutItem",
                put(with(
                    key("a", 1),
                    json!({
                        "s": {"S": "héllo"}, "n": {"N": "1.500"}, "big": {"N": "12345678901234567890123456789012345678"},
                        "b": {"B": "AAECAwQ="}, "t": {"BOOL": true}, "z": {"NULL": true},
                        "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["3", "1.50"]}, "bs": {"BS": ["AQ==", "Ag=="]},
                        "l": {"L": [{"N": "01"}, {"S": "x"}]}, "m": {"M": {"k": {"N": "2.0"}, "l": {"L": []}}}, "e": {"S": ""},
                    }),
                )),
            )
            .read_all(&arn()),
        on_stream("records-empty-map", "an empty map in an image is an empty map", "NEW_AND_OLD_IMAGES")
            .step("PutItem", put(with(key("a", 1), json!({"e": {"M": {}}, "m": {"M": {"inner": {"M": {}}}}}))))
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1)}))
            .read_all(&arn()),
        Scenario::new("Streams/records-hash-only", "a hash-only table's records")
            .step("CreateTable", with(create("$Pt", ("pk", "N"), None), spec("NEW_AND_OLD_IMAGES")))
            .step("PutItem", put(json!({"pk": {"N": "7"}, "v": {"S": "x"}})))
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": {"pk": {"N": "7"}}}))
            .read_all(&arn()),
        on_stream("records-batch-write", "a BatchWriteItem's puts and deletes, in request order", "NEW_AND_OLD_IMAGES")
            .step("PutItem", put(item("c", 1, "x")))
            .step(
                "BatchWriteItem",
                json!({"RequestItems": {"$Pt": [
                    {"PutRequest": {"Item": item("a", 1, "x")}},
                    {"PutRequest": {"Item": item("b", 2, "x")}},
                    {"DeleteRequest": {"Key": key("c", 1)}},
                    {"DeleteRequest": {"Key": key("z", 9)}},
                ]}}),
            )
            .read_all(&arn()),
        on_stream("records-transaction", "a transaction's writes, and none of a cancelled one", "NEW_AND_OLD_IMAGES")
            .step("PutItem", put(item("a", 1, "x")))
            .step("PutItem", put(item("b", 1, "x")))
            .step(
                "TransactWriteItems",
                json!({"TransactItems": [
                    {"Put": {"TableName": "$Pt", "Item": item("c", 1, "x")}},
                    {"Update": {"TableName": "$Pt", "Key": key("a", 1), "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "t"}}}},
                    {"Delete": {"TableName": "$Pt", "Key": key("b", 1)}},
                    {"ConditionCheck": {"TableName": "$Pt", "Key": key("d", 1), "ConditionExpression": "attribute_not_exists(pk)"}},
                ]}),
            )
            .step(
                "TransactWriteItems",
                json!({"TransactItems": [
                    {"Put": {"TableName": "$Pt", "Item": item("e", 1, "x")}},
                    {"ConditionCheck": {"TableName": "$Pt", "Key": key("a", 1), "ConditionExpression": "attribute_not_exists(pk)"}},
                ]}),
            )
            .read_all(&arn()),
    ]);
    out
}
