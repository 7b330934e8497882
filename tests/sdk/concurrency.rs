//! Correctness under concurrency, through the SDK on a multi-threaded
//! runtime: optimistic increments lose no update, and money moved between
//! accounts by concurrent transactions keeps a constant sum that concurrent
//! transactional and batch reads always observe.

use aws_sdk_dynamodb::types::{AttributeValue as Av, Get, KeysAndAttributes, Put, TransactGetItem, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use sdk_tests::create_table;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

fn s(v: &str) -> Av {
    Av::S(v.to_string())
}

fn n(v: i64) -> Av {
    Av::N(v.to_string())
}

fn key(pk: &str) -> HashMap<String, Av> {
    HashMap::from([("pk".to_string(), s(pk))])
}

/// A Put of `pk` with `balance`, only if the stored balance is still `expected`.
fn put_if(table: &str, pk: &str, balance: i64, expected: i64) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .item("pk", s(pk))
        .item("balance", n(balance))
        .condition_expression("balance = :expected")
        .expression_attribute_values(":expected", n(expected))
        .build()
        .unwrap();
    TransactWriteItem::builder().put(put).build()
}

async fn balance(client: &Client, table: &str, pk: &str) -> i64 {
    let out = client.get_item().table_name(table).key("pk", s(pk)).consistent_read(true).send().await.unwrap();
    out.item().unwrap()["balance"].as_n().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_optimistic_increments_lose_no_update() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "counter", "pk", None).await;
    client.put_item().table_name("counter").item("pk", s("c")).item("balance", n(0)).send().await.unwrap();
    const TASKS: usize = 8;
    const INCREMENTS: i64 = 25;
    let conflicts = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let client = client.clone();
        let conflicts = Arc::clone(&conflicts);
        handles.push(tokio::spawn(async move {
            for _ in 0..INCREMENTS {
                loop {
                    let current = balance(&client, "counter", "c").await;
                    let sent = client
                        .transact_write_items()
                        .transact_items(put_if("counter", "c", current + 1, current))
                        .send()
                        .await;
                    match sent {
                        Ok(_) => break,
                        Err(e) => {
                            let e = e.into_service_error();
                            assert!(e.is_transaction_canceled_exception(), "unexpected error {e:?}");
                            conflicts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(balance(&client, "counter", "c").await, TASKS as i64 * INCREMENTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transfers_keep_the_sum_and_readers_see_it_constant() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "accounts", "pk", None).await;
    const ACCOUNTS: usize = 6;
    const START: i64 = 100;
    let names: Vec<String> = (0..ACCOUNTS).map(|i| format!("acct-{i}")).collect();
    for name in &names {
        client.put_item().table_name("accounts").item("pk", s(name)).item("balance", n(START)).send().await.unwrap();
    }
    let total = ACCOUNTS as i64 * START;
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));

    let mut writers = Vec::new();
    for w in 0..4usize {
        let client = client.clone();
        let names = names.clone();
        writers.push(tokio::spawn(async move {
            for t in 0..30usize {
                let from = &names[(w + t) % ACCOUNTS];
                let to = &names[(w * 3 + t * 5 + 1) % ACCOUNTS];
                if from == to {
                    continue;
                }
                let amount = 1 + (t as i64 % 7);
                loop {
                    let got = client
                        .transact_get_items()
                        .transact_items(TransactGetItem::builder().get(get("accounts", from)).build())
                        .transact_items(TransactGetItem::builder().get(get("accounts", to)).build())
                        .send()
                        .await
                        .unwrap();
                    let b = |i: usize| -> i64 {
                        got.responses()[i].item().unwrap()["balance"].as_n().unwrap().parse().unwrap()
                    };
                    let (a, c) = (b(0), b(1));
                    let sent = client
                        .transact_write_items()
                        .transact_items(put_if("accounts", from, a - amount, a))
                        .transact_items(put_if("accounts", to, c + amount, c))
                        .send()
                        .await;
                    if sent.is_ok() {
                        break;
                    }
                }
            }
        }));
    }
    let mut readers = Vec::new();
    for r in 0..3usize {
        let client = client.clone();
        let names = names.clone();
        let done = Arc::clone(&done);
        let reads = Arc::clone(&reads);
        readers.push(tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                let sum: i64 = if r % 2 == 0 {
                    let mut request = client.transact_get_items();
                    for name in &names {
                        request = request.transact_items(TransactGetItem::builder().get(get("accounts", name)).build());
                    }
                    let out = request.send().await.unwrap();
                    out.responses()
                        .iter()
                        .map(|r| r.item().unwrap()["balance"].as_n().unwrap().parse::<i64>().unwrap())
                        .sum()
                } else {
                    let keys = KeysAndAttributes::builder()
                        .set_keys(Some(names.iter().map(|n| key(n)).collect()))
                        .consistent_read(true)
                        .build()
                        .unwrap();
                    let out = client.batch_get_item().request_items("accounts", keys).send().await.unwrap();
                    out.responses().unwrap()["accounts"]
                        .iter()
                        .map(|i| i["balance"].as_n().unwrap().parse::<i64>().unwrap())
                        .sum()
                };
                assert_eq!(sum, total, "a reader saw half a transfer");
                reads.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }
    assert!(reads.load(Ordering::Relaxed) > 0);
    let mut sum = 0;
    for name in &names {
        sum += balance(&client, "accounts", name).await;
    }
    assert_eq!(sum, total);
}

fn get(table: &str, pk: &str) -> Get {
    Get::builder().table_name(table).set_key(Some(key(pk))).build().unwrap()
}
