//! What one call costs through the real SDK client in process
//! (`harness::embedded`, no socket): GetItem of a small item, repeated. The
//! emulator's own share is a few microseconds (see `hot_path`); the rest is
//! the SDK's orchestrator (interceptors, SigV4 signing, serialization).
//! `cargo run --release -p emulator --example sdk_calls`

use aws_sdk_dynamodb::types::AttributeValue;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let db = harness::embedded();
    let table = serde_json::json!([{
        "TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    }]);
    db.create_tables(&table.to_string()).expect("table");
    let client = db.client();
    let key = || AttributeValue::S("a".into());
    client.put_item().table_name("tbl").item("pk", key()).send().await.expect("put");
    let calls = 20_000;
    let began = std::time::Instant::now();
    for _ in 0..calls {
        client.get_item().table_name("tbl").key("pk", key()).send().await.expect("get");
    }
    println!("{:.1} µs per GetItem through the SDK, in process", began.elapsed().as_secs_f64() * 1e6 / calls as f64);
}
