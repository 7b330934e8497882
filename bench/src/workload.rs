//! The workload: table shape, items of about 200 bytes, and the request
//! bodies for each measured operation, all DynamoDB JSON.
//!
//! Item `i` of a table of `n` items: `pk = p{i/10}`, `sk = s{i%10}` (so each
//! partition holds 10 items), `gpk = g{i % (n/10)}` (so each GSI partition
//! holds 10 items too), `gsk = i`, a counter `c` and a filler string.

use bytes::Bytes;
use serde_json::{json, Value};

pub const INDEX_NAME: &str = "gsi";
/// DynamoDB's item size (attribute names + values) of every generated item.
pub const ITEM_BYTES: usize = 200;
/// Names and values other than the filler: pk 2+8, sk 2+4, gpk 3+8, gsk 3+8, c 1+1, data 4.
const FIXED_BYTES: usize = 44;
pub const BATCH_SIZE: usize = 25;

/// The operations measured over HTTP, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    GetItem,
    PutItem,
    UpdateItem,
    QueryTable,
    QueryIndex,
    /// PartiQL `SELECT * FROM t WHERE pk = ?`: measured against table size only.
    StatementQuery,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::GetItem, Op::PutItem, Op::UpdateItem, Op::QueryTable, Op::QueryIndex];

    /// The wire operation name.
    pub fn operation(self) -> &'static str {
        match self {
            Op::GetItem => "GetItem",
            Op::PutItem => "PutItem",
            Op::UpdateItem => "UpdateItem",
            Op::QueryTable | Op::QueryIndex => "Query",
            Op::StatementQuery => "ExecuteStatement",
        }
    }

    /// The name in reports.
    pub fn label(self) -> &'static str {
        match self {
            Op::GetItem => "GetItem",
            Op::PutItem => "PutItem",
            Op::UpdateItem => "UpdateItem (conditional)",
            Op::QueryTable => "Query 10 items (table)",
            Op::QueryIndex => "Query 10 items (GSI)",
            Op::StatementQuery => "PartiQL SELECT of 10 items (partition key bound)",
        }
    }

    /// The name on the chart's axis.
    pub fn short(self) -> &'static str {
        match self {
            Op::GetItem => "GetItem",
            Op::PutItem => "PutItem",
            Op::UpdateItem => "UpdateItem",
            Op::QueryTable => "Query table",
            Op::QueryIndex => "Query GSI",
            Op::StatementQuery => "PartiQL SELECT",
        }
    }

    /// The request body for a random existing item of a table of `items` items.
    pub fn body(self, table: &str, items: usize, random: u64) -> Bytes {
        let i = (random % items as u64) as usize;
        let value = match self {
            Op::GetItem => json!({"TableName": table, "Key": key(i)}),
            // A changed item every time (its counter from the random draw), as an
            // application's writes are: a rewrite of the same bytes would be no
            // change at all for a stream (no record) and measure less than a write.
            Op::PutItem => {
                let mut item = item(i, items);
                item["c"] = json!({"N": (random >> 40).to_string()});
                json!({"TableName": table, "Item": item})
            }
            Op::UpdateItem => json!({
                "TableName": table,
                "Key": key(i),
                "UpdateExpression": "SET #c = #c + :one",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#c": "c"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }),
            Op::QueryTable => json!({
                "TableName": table,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": partition_key(i)}},
            }),
            Op::QueryIndex => json!({
                "TableName": table,
                "IndexName": INDEX_NAME,
                "KeyConditionExpression": "gpk = :g",
                "ExpressionAttributeValues": {":g": {"S": index_partition_key(i, items)}},
            }),
            Op::StatementQuery => json!({
                "Statement": format!("SELECT * FROM \"{table}\" WHERE pk = ?"),
                "Parameters": [{"S": partition_key(i)}],
            }),
        };
        to_bytes(&value)
    }

    /// Checks a successful answer is the workload we claim (a Query returns 10 items).
    pub fn check(self, reply: &Value) -> Result<(), String> {
        match self {
            Op::GetItem if reply.get("Item").is_none() => Err("GetItem found no item".into()),
            Op::QueryTable | Op::QueryIndex => match reply.get("Count").and_then(Value::as_u64) {
                Some(10) => Ok(()),
                other => Err(format!("Query returned {other:?} items, expected 10")),
            },
            Op::StatementQuery => match reply.get("Items").and_then(Value::as_array).map(Vec::len) {
                Some(10) => Ok(()),
                other => Err(format!("SELECT returned {other:?} items, expected 10")),
            },
            _ => Ok(()),
        }
    }
}

pub fn to_bytes(value: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

pub fn partition_key(i: usize) -> String {
    format!("p{:07}", i / 10)
}

pub fn index_partition_key(i: usize, items: usize) -> String {
    format!("g{:07}", i % (items / 10).max(1))
}

pub fn key(i: usize) -> Value {
    json!({"pk": {"S": partition_key(i)}, "sk": {"S": format!("s{:03}", i % 10)}})
}

/// Item `i` of a table of `items` items, `ITEM_BYTES` bytes by DynamoDB's size rules.
pub fn item(i: usize, items: usize) -> Value {
    let filler: String = (0..ITEM_BYTES - FIXED_BYTES).map(|k| char::from(b'a' + ((i + k) % 26) as u8)).collect();
    json!({
        "pk": {"S": partition_key(i)},
        "sk": {"S": format!("s{:03}", i % 10)},
        "gpk": {"S": index_partition_key(i, items)},
        "gsk": {"S": format!("{i:08}")},
        "c": {"N": "0"},
        "data": {"S": filler},
    })
}

/// CreateTable: `pk`/`sk` keys and one GSI `gpk`/`gsk` projecting all attributes.
pub fn create_table(table: &str) -> Bytes {
    to_bytes(&table_definition(table))
}

/// The stream view type of the streams phase's table.
pub const STREAM_VIEW_TYPE: &str = "NEW_AND_OLD_IMAGES";

/// CreateTable as [`create_table`], with a stream of [`STREAM_VIEW_TYPE`].
pub fn create_streamed_table(table: &str) -> Bytes {
    let mut definition = table_definition(table);
    definition["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": STREAM_VIEW_TYPE});
    to_bytes(&definition)
}

fn table_definition(table: &str) -> Value {
    let string_attribute = |name: &str| json!({"AttributeName": name, "AttributeType": "S"});
    json!({
        "TableName": table,
        "AttributeDefinitions": [string_attribute("pk"), string_attribute("sk"), string_attribute("gpk"), string_attribute("gsk")],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": INDEX_NAME,
            "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}, {"AttributeName": "gsk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        "BillingMode": "PAY_PER_REQUEST",
    })
}

/// The Streams API's requests: DescribeStream (a page of shards after `after`),
/// GetShardIterator at TRIM_HORIZON, GetRecords of a page.
pub fn describe_stream(arn: &str, after: Option<&str>) -> Bytes {
    let mut request = json!({"StreamArn": arn});
    if let Some(shard) = after {
        request["ExclusiveStartShardId"] = json!(shard);
    }
    to_bytes(&request)
}

pub fn shard_iterator(arn: &str, shard: &str) -> Bytes {
    to_bytes(&json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}))
}

pub fn get_records(iterator: &str, limit: usize) -> Bytes {
    to_bytes(&json!({"ShardIterator": iterator, "Limit": limit}))
}

pub fn table_only(table: &str) -> Bytes {
    to_bytes(&json!({"TableName": table}))
}

pub fn put_item(table: &str, i: usize, items: usize) -> Bytes {
    to_bytes(&json!({"TableName": table, "Item": item(i, items)}))
}

/// BatchWriteItem of items `range` of a table of `items` items.
pub fn batch_write(table: &str, range: std::ops::Range<usize>, items: usize) -> Bytes {
    let requests: Vec<Value> = range.map(|i| json!({"PutRequest": {"Item": item(i, items)}})).collect();
    to_bytes(&json!({"RequestItems": {table: requests}}))
}

/// A small, fast, deterministic generator (xorshift64*) for picking keys.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DynamoDB's size of a string/number attribute: name length + value length
    /// (a small number's size is 2 bytes at most).
    fn dynamodb_size(item: &Value) -> usize {
        item.as_object()
            .expect("item")
            .iter()
            .map(|(name, value)| {
                name.len()
                    + match (value.get("S"), value.get("N")) {
                        (Some(s), _) => s.as_str().expect("S").len(),
                        (_, Some(_)) => 1,
                        _ => panic!("unexpected type"),
                    }
            })
            .sum()
    }

    #[test]
    fn items_are_200_bytes_and_partitions_hold_ten() {
        for i in [0, 7, 99_999, 999_999] {
            assert_eq!(dynamodb_size(&item(i, 1_000_000)), ITEM_BYTES, "item {i}");
        }
        let partition = |i| partition_key(i);
        assert_eq!((0..100).filter(|&i| partition(i) == partition(42)).count(), 10);
        let index_partition = |i| index_partition_key(i, 100_000);
        assert_eq!((0..100_000).filter(|&i| index_partition(i) == index_partition(42)).count(), 10);
    }

    #[test]
    fn query_check_wants_ten_items() {
        assert!(Op::QueryTable.check(&json!({"Count": 10})).is_ok());
        assert!(Op::QueryIndex.check(&json!({"Count": 3})).is_err());
        assert!(Op::GetItem.check(&json!({})).is_err());
        assert!(Op::PutItem.check(&json!({})).is_ok());
    }

    #[test]
    fn random_is_spread() {
        let mut random = Random::new(1);
        let picks: std::collections::HashSet<u64> = (0..1000).map(|_| random.next() % 100).collect();
        assert!(picks.len() > 90);
    }
}
