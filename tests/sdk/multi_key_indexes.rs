//! Global secondary indexes with multi-attribute keys (up to four HASH and
//! four RANGE attributes): definition, validation, maintenance on writes,
//! Query's left-to-right key conditions, paging, Scan, UpdateTable backfill.
//! Messages are DynamoDB Local 3.3's (it implements the feature; probed
//! 2026-12-05), where real DynamoDB's are not recorded anywhere we can cite.

use crate::error_of;
use crate::indexes::{def, key, n, s};
use aws_sdk_dynamodb::types::{
    AttributeValue as Av, BillingMode, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndex,
    GlobalSecondaryIndexUpdate, IndexStatus, KeyType, LocalSecondaryIndex, Projection, ProjectionType,
    ScalarAttributeType as T,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

fn all() -> Projection {
    Projection::builder().projection_type(ProjectionType::All).build()
}

fn gsi(name: &str, hash: &[&str], range: &[&str]) -> GlobalSecondaryIndex {
    let mut builder = GlobalSecondaryIndex::builder().index_name(name).projection(all());
    for h in hash {
        builder = builder.key_schema(key(h, KeyType::Hash));
    }
    for r in range {
        builder = builder.key_schema(key(r, KeyType::Range));
    }
    builder.build().unwrap()
}

/// `sales`: pk/sk strings; GSI `by_venue_date` keyed (venue S, tier S) HASH,
/// (year N, month N, day S) RANGE.
async fn create_sales(client: &Client) {
    client
        .create_table()
        .table_name("sales")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .attribute_definitions(def("pk", T::S))
        .attribute_definitions(def("sk", T::S))
        .attribute_definitions(def("venue", T::S))
        .attribute_definitions(def("tier", T::S))
        .attribute_definitions(def("year", T::N))
        .attribute_definitions(def("month", T::N))
        .attribute_definitions(def("day", T::S))
        .global_secondary_indexes(gsi("by_venue_date", &["venue", "tier"], &["year", "month", "day"]))
        .send()
        .await
        .unwrap();
}

fn sale(id: &str, venue: &str, tier: &str, year: i64, month: i64, day: &str) -> HashMap<String, Av> {
    HashMap::from([
        ("pk".to_string(), s(id)),
        ("sk".to_string(), s("sale")),
        ("venue".to_string(), s(venue)),
        ("tier".to_string(), s(tier)),
        ("year".to_string(), n(year)),
        ("month".to_string(), n(month)),
        ("day".to_string(), s(day)),
    ])
}

/// 24 sales: venues A and B, tier "gold", years 2023-2024, months 1, 2, 11, days a and b.
async fn seed_sales(client: &Client) {
    let mut id = 0;
    for venue in ["A", "B"] {
        for year in [2023, 2024] {
            for month in [1, 2, 11] {
                for day in ["a", "b"] {
                    id += 1;
                    let item = sale(&format!("p{id:02}"), venue, "gold", year, month, day);
                    client.put_item().table_name("sales").set_item(Some(item)).send().await.unwrap();
                }
            }
        }
    }
}

async fn query_ids(
    client: &Client,
    condition: &str,
    values: &[(&str, Av)],
    forward: bool,
) -> Result<Vec<String>, (String, String)> {
    let mut request = client
        .query()
        .table_name("sales")
        .index_name("by_venue_date")
        .key_condition_expression(condition)
        .scan_index_forward(forward);
    for (name, value) in values {
        request = request.expression_attribute_values(*name, value.clone());
    }
    match request.send().await {
        Ok(out) => Ok(out.items().iter().map(|i| i["pk"].as_s().unwrap().clone()).collect()),
        Err(e) => Err(error_of::<_, ()>(Err(e))),
    }
}

#[tokio::test]
async fn describe_table_keeps_the_key_schema_as_given_and_counts_only_complete_keys() {
    let db = harness::start().await;
    let client = db.client();
    create_sales(&client).await;
    seed_sales(&client).await;
    // Missing one RANGE attribute, or every RANGE attribute: not in the index.
    let mut partial = sale("partial", "A", "gold", 2024, 1, "a");
    partial.remove("day");
    client.put_item().table_name("sales").set_item(Some(partial)).send().await.unwrap();
    let mut hash_only = sale("hash-only", "A", "gold", 0, 0, "");
    for attr in ["year", "month", "day"] {
        hash_only.remove(attr);
    }
    client.put_item().table_name("sales").set_item(Some(hash_only)).send().await.unwrap();

    let table = client.describe_table().table_name("sales").send().await.unwrap().table.unwrap();
    let index = &table.global_secondary_indexes()[0];
    let schema: Vec<(String, KeyType)> =
        index.key_schema().iter().map(|k| (k.attribute_name().to_string(), k.key_type().clone())).collect();
    assert_eq!(
        schema,
        [
            ("venue".to_string(), KeyType::Hash),
            ("tier".to_string(), KeyType::Hash),
            ("year".to_string(), KeyType::Range),
            ("month".to_string(), KeyType::Range),
            ("day".to_string(), KeyType::Range),
        ]
    );
    assert_eq!(index.item_count(), Some(24));
    assert_eq!(index.index_status(), Some(&IndexStatus::Active));
}

#[tokio::test]
async fn query_binds_every_hash_attribute_and_the_range_attributes_left_to_right() {
    let db = harness::start().await;
    let client = db.client();
    create_sales(&client).await;
    seed_sales(&client).await;
    let (venue, tier) = ((":v", s("A")), (":t", s("gold")));
    let ids = |r: std::ops::RangeInclusive<u32>| r.map(|i| format!("p{i:02}")).collect::<Vec<_>>();

    // The whole partition, ordered by year, then month (numerically: 11 after 2), then day.
    let got = query_ids(&client, "venue = :v AND tier = :t", &[venue.clone(), tier.clone()], true).await.unwrap();
    assert_eq!(got, ids(1..=12));
    let mut backwards = ids(1..=12);
    backwards.reverse();
    let got = query_ids(&client, "tier = :t AND venue = :v", &[venue.clone(), tier.clone()], false).await.unwrap();
    assert_eq!(got, backwards);
    // Equality on a prefix, then a range condition on the next attribute.
    let year = (":y", n(2024));
    let base = "venue = :v AND tier = :t";
    let q = |extra: &'static str, values: Vec<(&'static str, Av)>| {
        let client = client.clone();
        let (venue, tier) = (venue.clone(), tier.clone());
        async move {
            let mut all = vec![venue, tier];
            all.extend(values);
            let mut request = client
                .query()
                .table_name("sales")
                .index_name("by_venue_date")
                .key_condition_expression(format!("{base} {extra}"));
            // year, month and day are reserved words: placeholders for those the condition names.
            for (placeholder, name) in [("#y", "year"), ("#m", "month"), ("#d", "day")] {
                if extra.contains(placeholder) {
                    request = request.expression_attribute_names(placeholder, name);
                }
            }
            for (name, value) in all {
                request = request.expression_attribute_values(name, value);
            }
            match request.send().await {
                Ok(out) => Ok(out.items().iter().map(|i| i["pk"].as_s().unwrap().clone()).collect::<Vec<_>>()),
                Err(e) => Err(error_of::<_, ()>(Err(e)).1),
            }
        }
    };
    assert_eq!(q("AND #y = :y", vec![year.clone()]).await.unwrap(), ids(7..=12));
    assert_eq!(q("AND #y > :y", vec![(":y", n(2023))]).await.unwrap(), ids(7..=12));
    assert_eq!(q("AND #y BETWEEN :a AND :b", vec![(":a", n(2023)), (":b", n(2024))]).await.unwrap(), ids(1..=12));
    assert_eq!(q("AND #y = :y AND #m > :m", vec![year.clone(), (":m", n(1))]).await.unwrap(), ids(9..=12));
    assert_eq!(q("AND #y = :y AND #m <= :m", vec![year.clone(), (":m", n(2))]).await.unwrap(), ids(7..=10));
    assert_eq!(q("AND #y = :y AND #m < :m", vec![year.clone(), (":m", n(2))]).await.unwrap(), ids(7..=8));
    assert_eq!(q("AND #y = :y AND #m >= :m", vec![year.clone(), (":m", n(11))]).await.unwrap(), ids(11..=12));
    assert_eq!(
        q("AND #y = :y AND #m = :m AND #d >= :d", vec![year.clone(), (":m", n(1)), (":d", s("b"))]).await.unwrap(),
        ids(8..=8)
    );
    assert_eq!(
        q("AND #y = :y AND #m = :m AND begins_with(#d, :d)", vec![year.clone(), (":m", n(2)), (":d", s("a"))])
            .await
            .unwrap(),
        ids(9..=9)
    );
    assert_eq!(
        q("AND #m = :m AND #y = :y", vec![year.clone(), (":m", n(2))]).await.unwrap(),
        ids(9..=10),
        "conditions in any order"
    );

    // What DynamoDB refuses, with its words.
    let hash_message = "HASH key attributes tier must have equality conditions specified in the query";
    let only_venue = client
        .query()
        .table_name("sales")
        .index_name("by_venue_date")
        .key_condition_expression("venue = :v")
        .expression_attribute_values(":v", s("A"))
        .send()
        .await;
    assert_eq!(error_of(only_venue), ("ValidationException".into(), hash_message.into()));
    assert_eq!(
        q("AND #m = :m", vec![(":m", n(1))]).await.unwrap_err(),
        "RANGE key attributes year must have equality conditions specified in the query because a condition is present on key attribute month"
    );
    assert_eq!(
        q("AND #y > :y AND #m = :m", vec![(":y", n(1)), (":m", n(1))]).await.unwrap_err(),
        "RANGE key attributes year must have equality conditions specified in the query because a condition is present on key attribute month"
    );
    assert_eq!(
        q("AND begins_with(#d, :d)", vec![(":d", s("a"))]).await.unwrap_err(),
        "RANGE key attributes year, month must have equality conditions specified in the query because a condition is present on key attribute day"
    );
    assert_eq!(
        q("AND #y = :y AND #y > :z", vec![year.clone(), (":z", n(1))]).await.unwrap_err(),
        "KeyConditionExpressions must only contain one condition per key"
    );
    assert_eq!(
        q("AND pk = :p", vec![(":p", s("p01"))]).await.unwrap_err(),
        "Query condition missed key schema element"
    );
    assert_eq!(
        q("AND #y = :y", vec![(":y", s("2024"))]).await.unwrap_err(),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
}

#[tokio::test]
async fn pages_carry_every_index_key_attribute_and_resume_in_order() {
    let db = harness::start().await;
    let client = db.client();
    create_sales(&client).await;
    seed_sales(&client).await;
    let pages = client
        .query()
        .table_name("sales")
        .index_name("by_venue_date")
        .key_condition_expression("venue = :v AND tier = :t AND #y = :y")
        .expression_attribute_names("#y", "year")
        .expression_attribute_values(":v", s("A"))
        .expression_attribute_values(":t", s("gold"))
        .expression_attribute_values(":y", n(2024))
        .limit(4)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let pages: Vec<_> = pages.into_iter().map(Result::unwrap).collect();
    let ids: Vec<String> = pages.iter().flat_map(|p| p.items()).map(|i| i["pk"].as_s().unwrap().clone()).collect();
    assert_eq!(ids, ["p07", "p08", "p09", "p10", "p11", "p12"]);
    let first_key = pages[0].last_evaluated_key().unwrap();
    let mut names: Vec<&str> = first_key.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["day", "month", "pk", "sk", "tier", "venue", "year"]);
    assert_eq!(first_key["pk"], s("p10"));

    // A start key outside the partition asked for, outside the sort range, or missing an attribute.
    let from = |start: HashMap<String, Av>| {
        client
            .query()
            .table_name("sales")
            .index_name("by_venue_date")
            .key_condition_expression("venue = :v AND tier = :t AND #y = :y")
            .expression_attribute_names("#y", "year")
            .expression_attribute_values(":v", s("A"))
            .expression_attribute_values(":t", s("gold"))
            .expression_attribute_values(":y", n(2024))
            .set_exclusive_start_key(Some(start))
            .send()
    };
    let mismatch = "The provided starting key does not match the range key predicate";
    for (attr, value) in [("venue", s("B")), ("year", n(2023))] {
        let mut start = first_key.clone();
        start.insert(attr.into(), value);
        assert_eq!(error_of(from(start).await), ("ValidationException".into(), mismatch.into()), "{attr}");
    }
    let mut short = first_key.clone();
    short.remove("day");
    assert_eq!(
        error_of(from(short).await),
        ("ValidationException".into(), "The provided starting key is invalid".into())
    );
    let resumed = from(first_key.clone()).await.unwrap();
    let rest: Vec<&str> = resumed.items().iter().map(|i| i["pk"].as_s().unwrap().as_str()).collect();
    assert_eq!(rest, ["p11", "p12"]);

    // Scan reads every indexed item once, across pages.
    let scanned = client
        .scan()
        .table_name("sales")
        .index_name("by_venue_date")
        .limit(5)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut scanned: Vec<String> = scanned.into_iter().map(|i| i.unwrap()["pk"].as_s().unwrap().clone()).collect();
    scanned.sort();
    assert_eq!(scanned, (1..=24).map(|i| format!("p{i:02}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn writes_check_each_attribute_and_the_aggregate_key_sizes() {
    let db = harness::start().await;
    let client = db.client();
    create_sales(&client).await;
    let put = |item: HashMap<String, Av>| client.put_item().table_name("sales").set_item(Some(item)).send();
    let mut wrong_type = sale("w", "A", "gold", 2024, 1, "a");
    wrong_type.insert("month".into(), s("January"));
    assert_eq!(
        error_of(put(wrong_type).await),
        ("ValidationException".into(), "One or more parameter values were invalid: Type mismatch for Index Key".into())
    );
    let empty = sale("e", "A", "", 2024, 1, "a");
    assert_eq!(
        error_of(put(empty).await).1,
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: by_venue_date, IndexKey: tier"
    );
    let big_hash = sale("h", &"v".repeat(1500), &"t".repeat(1500), 2024, 1, "a");
    assert_eq!(
        error_of(put(big_hash).await).1,
        "Aggregate size for HASH key attributes venue, tier of index by_venue_date has exceeded limit 2048 bytes, with actual size 3000 bytes"
    );
    let one_too_big = sale("o", "A", "gold", 2024, 1, &"d".repeat(1025));
    assert_eq!(error_of(put(one_too_big).await).1, "One or more parameter values were invalid: Size limit exceeded");
    // Nothing was written by the refused requests.
    let count = client.scan().table_name("sales").send().await.unwrap().count();
    assert_eq!(count, 0);
    // The largest allowed values are accepted.
    put(sale("ok", &"v".repeat(1024), &"t".repeat(1024), 2024, 1, &"d".repeat(1000))).await.unwrap();
}

#[tokio::test]
async fn create_table_refuses_malformed_multi_attribute_keys() {
    let db = harness::start().await;
    let client = db.client();
    let defs = ["pk", "a", "b", "c", "d", "e"];
    let attempt = |index: GlobalSecondaryIndex| {
        let mut request = client
            .create_table()
            .table_name("bad")
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash))
            .global_secondary_indexes(index);
        for d in defs {
            request = request.attribute_definitions(def(d, T::S));
        }
        request.send()
    };
    let cases = [
        (gsi("gsi", &["a", "b", "c", "d", "e"], &[]), "Too many partition keys. GSI can have at most 4 partition keys"),
        (gsi("gsi", &["pk"], &["a", "b", "c", "d", "e"]), "Too many sort keys. GSI can have at most 4 sort keys"),
        (gsi("gsi", &["a", "b", "a"], &[]), "Two keys can not have the same name"),
        (gsi("gsi", &["a"], &["b", "a"]), "Two keys can not have the same name"),
    ];
    for (index, message) in cases {
        assert_eq!(error_of(attempt(index).await), ("ValidationException".into(), message.into()));
    }
    let hash_after_range = GlobalSecondaryIndex::builder()
        .index_name("gsi")
        .projection(all())
        .key_schema(key("a", KeyType::Hash))
        .key_schema(key("b", KeyType::Range))
        .key_schema(key("c", KeyType::Hash))
        .build()
        .unwrap();
    assert_eq!(
        error_of(attempt(hash_after_range).await).1,
        "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second"
    );
    // A table's own key and a local index keep one HASH and at most one RANGE attribute.
    let table_two_hash = client
        .create_table()
        .table_name("bad")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("a", KeyType::Hash))
        .attribute_definitions(def("pk", T::S))
        .attribute_definitions(def("a", T::S))
        .send()
        .await;
    assert_eq!(error_of(table_two_hash).0, "ValidationException");
    let lsi = LocalSecondaryIndex::builder()
        .index_name("lsi")
        .projection(all())
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("a", KeyType::Range))
        .key_schema(key("b", KeyType::Range))
        .build()
        .unwrap();
    let local_two_range = client
        .create_table()
        .table_name("bad")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .attribute_definitions(def("pk", T::S))
        .attribute_definitions(def("sk", T::S))
        .attribute_definitions(def("a", T::S))
        .attribute_definitions(def("b", T::S))
        .local_secondary_indexes(lsi)
        .send()
        .await;
    assert_eq!(error_of(local_two_range).0, "ValidationException");
    assert!(client.list_tables().send().await.unwrap().table_names().is_empty());
}

#[tokio::test]
async fn update_table_adds_a_multi_attribute_index_and_backfills_it() {
    let db = harness::start().await;
    let client = db.client();
    create_sales(&client).await;
    seed_sales(&client).await;
    client
        .update_table()
        .table_name("sales")
        .attribute_definitions(def("tier", T::S))
        .attribute_definitions(def("day", T::S))
        .attribute_definitions(def("pk", T::S))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .create(
                    CreateGlobalSecondaryIndexAction::builder()
                        .index_name("by_tier_day")
                        .key_schema(key("tier", KeyType::Hash))
                        .key_schema(key("day", KeyType::Hash))
                        .key_schema(key("pk", KeyType::Range))
                        .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = client
        .query()
        .table_name("sales")
        .index_name("by_tier_day")
        .key_condition_expression("tier = :t AND #d = :d AND pk > :p")
        .expression_attribute_names("#d", "day")
        .expression_attribute_values(":t", s("gold"))
        .expression_attribute_values(":d", s("b"))
        .expression_attribute_values(":p", s("p12"))
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = out.items().iter().map(|i| i["pk"].as_s().unwrap().as_str()).collect();
    assert_eq!(ids, ["p14", "p16", "p18", "p20", "p22", "p24"]);
    // KEYS_ONLY: the index keys and the table key, nothing else.
    let mut names: Vec<&str> = out.items()[0].keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["day", "pk", "sk", "tier"]);
    let table = client.describe_table().table_name("sales").send().await.unwrap().table.unwrap();
    let added = table.global_secondary_indexes().iter().find(|i| i.index_name() == Some("by_tier_day")).unwrap();
    assert_eq!(added.key_schema().len(), 3);
    assert_eq!(added.item_count(), Some(24));
}

#[tokio::test]
async fn partiql_refuses_an_index_with_a_multi_attribute_key_but_reads_the_table() {
    let db = harness::start().await;
    let client = db.client();
    create_sales(&client).await;
    seed_sales(&client).await;
    let on_index = client
        .execute_statement()
        .statement(r#"SELECT * FROM "sales"."by_venue_date" WHERE venue = 'A' AND tier = 'gold'"#)
        .send()
        .await;
    assert_eq!(
        error_of(on_index),
        (
            "ValidationException".into(),
            "PartiQL statements cannot be executed on tables with composite HASH keys or composite RANGE keys.".into()
        )
    );
    let on_table =
        client.execute_statement().statement(r#"SELECT * FROM "sales" WHERE pk = 'p01'"#).send().await.unwrap();
    assert_eq!(on_table.items().len(), 1);
}
