//! Scan: paging, filters, Select COUNT, parallel segments, index scans,
//! and DynamoDB's validation messages.

use crate::error_of;
use crate::indexes::{create_scores, n, s};
use aws_sdk_dynamodb::types::{AttributeValue as Av, ComparisonOperator, Condition, Select};
use aws_sdk_dynamodb::Client;
use std::collections::{HashMap, HashSet};

type Item = HashMap<String, Av>;

async fn fill(client: &Client, table: &str, count: i64) {
    for i in 0..count {
        let mut item = HashMap::from([
            ("pk".to_string(), s(&format!("user-{}", i % 37))),
            ("sk".to_string(), n(i)),
            ("parity".to_string(), s(if i % 2 == 0 { "even" } else { "odd" })),
        ]);
        if i % 3 == 0 {
            item.insert("flag".into(), s("on"));
        }
        client.put_item().table_name(table).set_item(Some(item)).send().await.unwrap();
    }
}

/// Every page of one scan (segment), following `LastEvaluatedKey`.
async fn scan_all(
    client: &Client,
    table: &str,
    index: Option<&str>,
    segment: Option<(i32, i32)>,
    limit: Option<i32>,
    filter: Option<(&str, Condition)>,
) -> (Vec<Item>, i32, i32) {
    let mut items = Vec::new();
    let (mut count, mut scanned) = (0, 0);
    let mut start = None;
    loop {
        let mut request = client
            .scan()
            .table_name(table)
            .set_index_name(index.map(str::to_string))
            .set_limit(limit)
            .set_exclusive_start_key(start.take());
        if let Some((segment, total)) = segment {
            request = request.segment(segment).total_segments(total);
        }
        if let Some((name, condition)) = &filter {
            request = request.scan_filter(*name, condition.clone());
        }
        let page = request.send().await.unwrap();
        if let Some(limit) = limit {
            assert!(page.scanned_count() <= limit);
        }
        count += page.count();
        scanned += page.scanned_count();
        items.extend(page.items().iter().cloned());
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    (items, count, scanned)
}

fn keys(items: &[Item]) -> Vec<(String, String)> {
    items.iter().map(|i| (i["pk"].as_s().unwrap().clone(), i["sk"].as_n().unwrap().clone())).collect()
}

#[tokio::test]
async fn parallel_segments_are_disjoint_and_complete() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    fill(&client, "scores", 300).await;
    let (whole, _, _) = scan_all(&client, "scores", None, None, None, None).await;
    assert_eq!(whole.len(), 300);
    let all: HashSet<_> = keys(&whole).into_iter().collect();
    for total in [1, 2, 3, 7, 64] {
        let mut seen = Vec::new();
        for segment in 0..total {
            let (items, _, _) = scan_all(&client, "scores", None, Some((segment, total)), Some(17), None).await;
            seen.extend(keys(&items));
        }
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), 300, "total segments {total}: every item exactly once");
        assert_eq!(unique, all);
    }
    // Segments of an index scan partition the index the same way.
    let mut seen = 0;
    for segment in 0..4 {
        seen += scan_all(&client, "scores", Some("by_flag"), Some((segment, 4)), Some(5), None).await.0.len();
    }
    assert_eq!(seen, 100, "the sparse index holds every third item");
}

#[tokio::test]
async fn limit_counts_items_evaluated_before_the_filter() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    fill(&client, "scores", 100).await;
    let even = Condition::builder()
        .comparison_operator(ComparisonOperator::Eq)
        .attribute_value_list(s("even"))
        .build()
        .unwrap();
    let (items, count, scanned) =
        scan_all(&client, "scores", None, None, Some(7), Some(("parity", even.clone()))).await;
    assert_eq!((items.len(), count, scanned), (50, 50, 100));
    assert!(items.iter().all(|i| i["parity"] == s("even")));

    let page = client.scan().table_name("scores").limit(10).scan_filter("parity", even).send().await.unwrap();
    assert_eq!(page.scanned_count(), 10);
    assert!(page.count() <= 10);
    assert!(page.last_evaluated_key().is_some());

    let counted = client.scan().table_name("scores").select(Select::Count).send().await.unwrap();
    assert_eq!((counted.count(), counted.scanned_count(), counted.items().len()), (100, 100, 0));
}

#[tokio::test]
async fn scan_pages_stop_at_one_megabyte() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    let blob = "x".repeat(300 * 1024);
    for i in 0..10 {
        let item = HashMap::from([
            ("pk".to_string(), s(&format!("big-{i}"))),
            ("sk".to_string(), n(0)),
            ("data".to_string(), s(&blob)),
        ]);
        client.put_item().table_name("scores").set_item(Some(item)).send().await.unwrap();
    }
    let first = client.scan().table_name("scores").send().await.unwrap();
    assert!(first.count() < 10 && first.count() >= 3, "one page holds about 1 MB, got {}", first.count());
    assert!(first.last_evaluated_key().is_some());
    let (items, _, _) = scan_all(&client, "scores", None, None, None, None).await;
    assert_eq!(items.len(), 10);
}

/// A page that takes too long to evaluate ends early with its LastEvaluatedKey, as one
/// that reaches 1 MB does (`emulator::state::PAGE_TIME_BUDGET`, 1 s unless set; the
/// clock is read every 1,024 items): with no time at all, every page of a filtered scan
/// and of a query ends at 1,024 items evaluated, and following the keys still reads all.
#[tokio::test]
async fn pages_end_early_when_their_time_is_up() {
    let state = std::sync::Arc::new(emulator::state::State::default());
    state.set_page_time_budget(std::time::Duration::ZERO);
    let db = harness::start_with_state(state).await;
    let client = db.client();
    create_scores(&client, "scores").await;
    for chunk in (0..3000).collect::<Vec<i64>>().chunks(25) {
        let writes = chunk.iter().map(|&i| {
            let item =
                HashMap::from([("pk".to_string(), s("p")), ("sk".to_string(), n(i)), ("v".to_string(), n(i % 7))]);
            let put = aws_sdk_dynamodb::types::PutRequest::builder().set_item(Some(item)).build().unwrap();
            aws_sdk_dynamodb::types::WriteRequest::builder().put_request(put).build()
        });
        client.batch_write_item().request_items("scores", writes.collect()).send().await.unwrap();
    }
    let filter = (
        "v",
        Condition::builder().comparison_operator(ComparisonOperator::Eq).attribute_value_list(n(3)).build().unwrap(),
    );
    let first = client.scan().table_name("scores").scan_filter(filter.0, filter.1.clone()).send().await.unwrap();
    assert_eq!(first.scanned_count(), 1024);
    assert!(first.last_evaluated_key().is_some());
    let (items, count, scanned) = scan_all(&client, "scores", None, None, None, Some(filter)).await;
    assert_eq!((scanned, count, items.len()), (3000, 429, 429));
    let query = client
        .query()
        .table_name("scores")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("p"))
        .send()
        .await
        .unwrap();
    assert_eq!((query.count(), query.scanned_count()), (1024, 1024));
    assert!(query.last_evaluated_key().is_some());
}

#[tokio::test]
async fn scan_validation_messages() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    let message = |r: Result<_, _>| error_of::<_, aws_sdk_dynamodb::operation::scan::ScanOutput>(r).1;
    // Real DynamoDB's words (dynalite's tests, asserted against DynamoDB; DynamoDB Local's differ).
    assert_eq!(
        message(client.scan().table_name("scores").segment(1).send().await),
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
    );
    assert_eq!(
        message(client.scan().table_name("scores").total_segments(2).send().await),
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"
    );
    assert_eq!(
        message(client.scan().table_name("scores").segment(2).total_segments(2).send().await),
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"
    );
    assert_eq!(
        message(client.scan().table_name("scores").segment(0).total_segments(1_000_001).send().await),
        "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000"
    );
    assert_eq!(
        message(client.scan().table_name("scores").limit(0).send().await),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        message(client.scan().table_name("scores").index_name("by_flag").consistent_read(true).send().await),
        "Consistent reads are not supported on global secondary indexes"
    );
    assert_eq!(
        message(client.scan().table_name("scores").select(Select::AllProjectedAttributes).send().await),
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    );
    assert_eq!(
        message(client.scan().table_name("scores").select(Select::SpecificAttributes).send().await),
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
    );
    assert_eq!(
        message(client.scan().table_name("scores").select(Select::Count).attributes_to_get("pk").send().await),
        "Cannot specify the AttributesToGet when choosing to get only the Count"
    );
    assert_eq!(
        message(client.scan().table_name("scores").exclusive_start_key("pk", s("a")).send().await),
        "Exclusive Start Key must have same size as table's key schema"
    );
    // A start key must lie in the segment it resumes.
    let mut outside = None;
    for i in 0..50 {
        let key = HashMap::from([("pk".to_string(), s(&format!("k{i}"))), ("sk".to_string(), n(1))]);
        let r = client
            .scan()
            .table_name("scores")
            .segment(0)
            .total_segments(2)
            .set_exclusive_start_key(Some(key))
            .send()
            .await;
        if r.is_err() {
            outside = Some(message(r));
            break;
        }
    }
    assert_eq!(
        outside.as_deref(),
        Some("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0")
    );
    assert_eq!(
        message(
            client
                .scan()
                .table_name("scores")
                .index_name("by_flag")
                .exclusive_start_key("pk", s("a"))
                .exclusive_start_key("sk", n(1))
                .send()
                .await
        ),
        "The provided starting key is invalid: The provided key element does not match the schema"
    );
    assert_eq!(message(client.scan().table_name("nothing-here").send().await), "Requested resource not found");
}

#[tokio::test]
async fn legacy_scan_filters_follow_dynamodb_rules() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    fill(&client, "scores", 30).await;
    let condition = |op: ComparisonOperator, values: Vec<Av>| {
        Condition::builder().comparison_operator(op).set_attribute_value_list(Some(values)).build().unwrap()
    };
    let count = |filter: Vec<(&'static str, Condition)>, or: bool| {
        let mut request = client.scan().table_name("scores").select(Select::Count);
        for (name, c) in filter {
            request = request.scan_filter(name, c);
        }
        if or {
            request = request.conditional_operator(aws_sdk_dynamodb::types::ConditionalOperator::Or);
        }
        async move { request.send().await.map(|o| o.count()) }
    };
    // NOT_CONTAINS only matches items that have the attribute; NE also matches items without it.
    assert_eq!(
        count(vec![("flag", condition(ComparisonOperator::NotContains, vec![s("x")]))], false).await.unwrap(),
        10
    );
    assert_eq!(count(vec![("flag", condition(ComparisonOperator::Ne, vec![s("x")]))], false).await.unwrap(), 30);
    assert_eq!(count(vec![("flag", condition(ComparisonOperator::Null, vec![]))], false).await.unwrap(), 20);
    let both = vec![
        ("flag", condition(ComparisonOperator::NotNull, vec![])),
        ("parity", condition(ComparisonOperator::Eq, vec![s("even")])),
    ];
    assert_eq!(count(both.clone(), false).await.unwrap(), 5);
    assert_eq!(count(both, true).await.unwrap(), 20);
    assert_eq!(count(vec![("sk", condition(ComparisonOperator::Between, vec![n(3), n(7)]))], false).await.unwrap(), 5);
    assert_eq!(count(vec![("sk", condition(ComparisonOperator::In, vec![n(3), n(70)]))], false).await.unwrap(), 1);

    let err = count(vec![("sk", condition(ComparisonOperator::In, vec![Av::L(vec![])]))], false).await;
    assert_eq!(
        error_of(err).1,
        "One or more parameter values were invalid: ComparisonOperator IN is not valid for L AttributeValue type"
    );
    let err = client
        .scan()
        .table_name("scores")
        .conditional_operator(aws_sdk_dynamodb::types::ConditionalOperator::Or)
        .send()
        .await;
    assert_eq!(error_of(err).1, "ConditionalOperator cannot be used without Filter or Expected");
}

/// Legacy filters in DynamoDB Local's check order: each condition's values
/// (count, type, one type, BETWEEN's bounds), then a ConditionalOperator
/// without two conditions, then a Select that excludes AttributesToGet, then
/// the attribute names; CONTAINS and NOT_CONTAINS take any scalar.
#[tokio::test]
async fn legacy_filter_checks_come_in_dynamodb_order() {
    use aws_sdk_dynamodb::types::ConditionalOperator;
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "order").await;
    fill(&client, "order", 6).await;
    let condition = |op: ComparisonOperator, values: Vec<Av>| {
        Condition::builder().comparison_operator(op).set_attribute_value_list(Some(values)).build().unwrap()
    };
    let scan = |filter: Vec<(&'static str, Condition)>, or: bool| {
        let mut request = client.scan().table_name("order").select(Select::Count);
        for (name, c) in filter {
            request = request.scan_filter(name, c);
        }
        if or {
            request = request.conditional_operator(ConditionalOperator::Or);
        }
        async move { request.send().await.map(|o| o.count()) }
    };
    let lone = "ConditionalOperator can only be used when Filter or Expected has two or more elements";
    assert_eq!(error_of(scan(vec![("flag", condition(ComparisonOperator::NotNull, vec![]))], true).await).1, lone);
    // The condition's values first.
    assert_eq!(
        error_of(scan(vec![("flag", condition(ComparisonOperator::In, vec![s("a"), n(1)]))], true).await).1,
        "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"
    );
    let between = "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound";
    assert_eq!(
        error_of(scan(vec![("sk", condition(ComparisonOperator::Between, vec![n(7), n(3)]))], true).await).1,
        between
    );
    // Each value's type before their common type.
    assert_eq!(
        error_of(
            scan(vec![("sk", condition(ComparisonOperator::In, vec![n(1), Av::Ss(vec!["a".into()])]))], false).await
        )
        .1,
        "One or more parameter values were invalid: ComparisonOperator IN is not valid for SS AttributeValue type"
    );
    // Any scalar for CONTAINS / NOT_CONTAINS.
    assert_eq!(
        scan(vec![("flag", condition(ComparisonOperator::NotContains, vec![Av::Null(true)]))], false).await.unwrap(),
        2
    );
    assert_eq!(
        scan(vec![("flag", condition(ComparisonOperator::Contains, vec![Av::Bool(true)]))], false).await.unwrap(),
        0
    );
    // A lone ConditionalOperator before the Select, the Select before duplicate names.
    let names = |select: Select, or: bool| {
        let mut request = client
            .scan()
            .table_name("order")
            .scan_filter("flag", condition(ComparisonOperator::NotNull, vec![]))
            .attributes_to_get("a")
            .attributes_to_get("a")
            .select(select);
        if or {
            request = request.conditional_operator(ConditionalOperator::And);
        }
        async move { request.send().await.map(|o| o.count()) }
    };
    assert_eq!(error_of(names(Select::Count, true).await).1, lone);
    assert_eq!(
        error_of(names(Select::Count, false).await).1,
        "Cannot specify the AttributesToGet when choosing to get only the Count"
    );
    assert_eq!(
        error_of(names(Select::SpecificAttributes, false).await).1,
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
}

/// An empty AttributesToGet is the model's constraint violation on Scan and
/// Query, as DynamoDB answers (dynalite's scan.js and query.js, asserted
/// against DynamoDB); DynamoDB Local reads it as absent.
#[tokio::test]
async fn an_empty_attributes_to_get_is_refused() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    let expected = "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: \
                    Member must have length greater than or equal to 1";
    let scan = client.scan().table_name("scores").set_attributes_to_get(Some(vec![])).send().await;
    assert_eq!(error_of(scan), ("ValidationException".to_string(), expected.to_string()));
    let query = client
        .query()
        .table_name("scores")
        .key_conditions(
            "pk",
            Condition::builder()
                .comparison_operator(ComparisonOperator::Eq)
                .attribute_value_list(s("ann"))
                .build()
                .unwrap(),
        )
        .set_attributes_to_get(Some(vec![]))
        .send()
        .await;
    assert_eq!(error_of(query), ("ValidationException".to_string(), expected.to_string()));
}

/// Legacy ComparisonOperator names are the model's enum, case-sensitive:
/// `eq` is a constraint violation listing them (dynalite's scan.js, asserted
/// against DynamoDB).
#[tokio::test]
async fn comparison_operator_names_are_case_sensitive() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    let condition =
        Condition::builder().comparison_operator(ComparisonOperator::from("eq")).attribute_value_list(s("ann")).build();
    let scan = client.scan().table_name("scores").scan_filter("pk", condition.unwrap()).send().await;
    let (code, message) = error_of(scan);
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "1 validation error detected: Value 'eq' at 'scanFilter.pk.member.comparisonOperator' failed to satisfy \
         constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, \
         LE, BEGINS_WITH, GE, CONTAINS]"
    );
}
