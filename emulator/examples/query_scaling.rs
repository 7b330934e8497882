//! Query latency as the table grows: Query reads one key range, so its cost
//! should not depend on the table's size; nor should a PartiQL SELECT that
//! binds the partition key (it reads the same range). `cargo run --release -p emulator --example query_scaling`

use emulator::{dispatch, Operation, State};
use serde_json::json;
use std::time::Instant;

fn main() {
    let state = State::default();
    dispatch(&state, Operation::CreateTable, &json!({"TableName":"scaling","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
        "GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]}))
    .expect("create");
    let mut loaded = 0;
    for target in [1_000usize, 10_000, 100_000, 300_000] {
        while loaded < target {
            let i = loaded;
            let item = json!({"pk":{"S":format!("p{}", i % 1000)},"sk":{"N":i.to_string()},"g":{"S":format!("g{}", i % 100)},"v":{"S":"x"}});
            dispatch(&state, Operation::PutItem, &json!({"TableName":"scaling","Item":item})).expect("put");
            loaded += 1;
        }
        let q = json!({"TableName":"scaling","KeyConditionExpression":"pk = :p AND sk > :s","ExpressionAttributeValues":{":p":{"S":"p7"},":s":{"N":"0"}},"Limit":10});
        let g = json!({"TableName":"scaling","IndexName":"by_g","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g7"}},"Limit":10,"ScanIndexForward":false});
        let n = 2000;
        let start = Instant::now();
        for _ in 0..n {
            dispatch(&state, Operation::Query, &q).expect("query");
        }
        let table_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
        let start = Instant::now();
        for _ in 0..n {
            dispatch(&state, Operation::Query, &g).expect("query index");
        }
        let gsi_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
        let s = json!({"Statement":"SELECT * FROM \"scaling\" WHERE pk = ? AND sk > 0","Parameters":[{"S":"p7"}],"Limit":10});
        let start = Instant::now();
        for _ in 0..n {
            dispatch(&state, Operation::ExecuteStatement, &s).expect("statement");
        }
        let statement_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
        println!(
            "{target:>7} items: Query table {table_us:6.1} us, Query GSI {gsi_us:6.1} us, PartiQL SELECT {statement_us:6.1} us (Limit 10)"
        );
    }
}
