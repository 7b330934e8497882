//! Query: key conditions, order, paging and validation, checked against a
//! model with a property test that collects every page.

use crate::error_of;
use crate::indexes::{create_scores, eq, n, s};
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::types::{AttributeValue as Av, ComparisonOperator, Condition, Select};
use aws_sdk_dynamodb::Client;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

fn condition(op: ComparisonOperator, values: &[Av]) -> Condition {
    Condition::builder().comparison_operator(op).set_attribute_value_list(Some(values.to_vec())).build().unwrap()
}

#[derive(Clone, Debug)]
enum SortCondition {
    None,
    Gt(i64),
    Le(i64),
    Between(i64, i64),
}

impl SortCondition {
    fn holds(&self, sk: i64) -> bool {
        match *self {
            SortCondition::None => true,
            SortCondition::Gt(x) => sk > x,
            SortCondition::Le(x) => sk <= x,
            SortCondition::Between(a, b) => a <= sk && sk <= b,
        }
    }

    fn legacy(&self) -> Option<Condition> {
        match *self {
            SortCondition::None => None,
            SortCondition::Gt(x) => Some(condition(ComparisonOperator::Gt, &[n(x)])),
            SortCondition::Le(x) => Some(condition(ComparisonOperator::Le, &[n(x)])),
            SortCondition::Between(a, b) => Some(condition(ComparisonOperator::Between, &[n(a), n(b)])),
        }
    }
}

/// Runs a query to the end, page by page; returns the `sk`s seen and the pages' sizes.
async fn query_all(
    client: &Client,
    table: &str,
    partition: &str,
    sort: &SortCondition,
    forward: bool,
    limit: Option<i32>,
    colour: Option<&str>,
) -> (Vec<i64>, usize) {
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut start = None;
    loop {
        let mut request = client
            .query()
            .table_name(table)
            .key_conditions("pk", eq(s(partition)))
            .scan_index_forward(forward)
            .set_limit(limit)
            .set_exclusive_start_key(start.take());
        if let Some(c) = sort.legacy() {
            request = request.key_conditions("sk", c);
        }
        if let Some(colour) = colour {
            request = request.query_filter("colour", eq(s(colour)));
        }
        let page: QueryOutput = request.send().await.unwrap();
        pages += 1;
        if let Some(limit) = limit {
            assert!(page.scanned_count() <= limit, "Limit bounds the items evaluated");
        }
        assert_eq!(page.count() as usize, page.items().len());
        seen.extend(page.items().iter().map(|i| i["sk"].as_n().unwrap().parse::<i64>().unwrap()));
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
        assert!(pages < 1000, "paging must end");
    }
    (seen, pages)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Collecting every page returns exactly the model's answer, in order,
    /// whatever the direction, limit, sort condition and filter.
    #[test]
    fn pages_together_are_exactly_the_query_answer(
        items in proptest::collection::btree_map((0..3u8, 0..40i64), 0..3u8, 0..60),
        partition in 0..3u8,
        sort in prop_oneof![
            Just(SortCondition::None),
            (0..40i64).prop_map(SortCondition::Gt),
            (0..40i64).prop_map(SortCondition::Le),
            (0..40i64, 0..40i64).prop_map(|(a, b)| SortCondition::Between(a.min(b), a.max(b))),
        ],
        forward in any::<bool>(),
        limit in proptest::option::of(1..8i32),
        colour in proptest::option::of(0..3u8),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let db = harness::start().await;
            let client = db.client();
            create_scores(&client, "scores").await;
            let colours = ["red", "green", "blue"];
            let items: BTreeMap<(u8, i64), u8> = items;
            for ((p, sk), c) in &items {
                let item = HashMap::from([
                    ("pk".to_string(), s(&format!("p{p}"))),
                    ("sk".to_string(), n(*sk)),
                    ("colour".to_string(), s(colours[*c as usize])),
                ]);
                client.put_item().table_name("scores").set_item(Some(item)).send().await.unwrap();
            }
            let mut expected: Vec<i64> = items
                .iter()
                .filter(|((p, sk), c)| *p == partition && sort.holds(*sk) && colour.is_none_or(|k| k == **c))
                .map(|((_, sk), _)| *sk)
                .collect();
            if !forward {
                expected.reverse();
            }
            let wanted = colour.map(|c| colours[c as usize]);
            let (seen, _) =
                query_all(&client, "scores", &format!("p{partition}"), &sort, forward, limit, wanted).await;
            assert_eq!(seen, expected);
        });
    }
}

#[tokio::test]
async fn query_orders_by_sort_key_and_cuts_pages_at_the_limit() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    for sk in [5, -3, 12, 0, 7] {
        let item = HashMap::from([("pk".to_string(), s("a")), ("sk".to_string(), n(sk))]);
        client.put_item().table_name("scores").set_item(Some(item)).send().await.unwrap();
    }
    let (forward, _) = query_all(&client, "scores", "a", &SortCondition::None, true, None, None).await;
    assert_eq!(forward, vec![-3, 0, 5, 7, 12]);
    let (backward, pages) = query_all(&client, "scores", "a", &SortCondition::None, false, Some(2), None).await;
    assert_eq!(backward, vec![12, 7, 5, 0, -3]);
    assert_eq!(pages, 3);
    // A page that ends exactly at the limit still reports where it stopped.
    let page = client.query().table_name("scores").key_conditions("pk", eq(s("a"))).limit(5).send().await.unwrap();
    assert_eq!(page.count(), 5);
    let lek = page.last_evaluated_key().unwrap();
    assert_eq!(lek.get("sk"), Some(&n(12)));
    let rest = client
        .query()
        .table_name("scores")
        .key_conditions("pk", eq(s("a")))
        .set_exclusive_start_key(Some(lek.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!((rest.count(), rest.last_evaluated_key()), (0, None));

    let begins = client
        .query()
        .table_name("scores")
        .key_conditions("pk", eq(s("a")))
        .key_conditions("sk", condition(ComparisonOperator::Ge, &[n(5)]))
        .select(Select::Count)
        .send()
        .await
        .unwrap();
    assert_eq!((begins.count(), begins.scanned_count()), (3, 3));
}

#[tokio::test]
async fn query_validation_messages() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    let message = |r: Result<QueryOutput, _>| error_of(r).1;
    let base = || client.query().table_name("scores");
    assert_eq!(
        message(base().send().await),
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    );
    assert_eq!(
        message(base().key_conditions("sk", eq(n(1))).send().await),
        "Query condition missed key schema element"
    );
    assert_eq!(
        message(base().key_conditions("pk", eq(n(1))).send().await),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        message(base().key_conditions("pk", condition(ComparisonOperator::BeginsWith, &[s("a")])).send().await),
        "Query key condition not supported"
    );
    assert_eq!(
        message(
            base()
                .key_conditions("pk", eq(s("a")))
                .key_conditions("sk", condition(ComparisonOperator::Between, &[n(3), n(1)]))
                .send()
                .await
        ),
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    );
    assert_eq!(
        message(
            base()
                .key_conditions("pk", eq(s("a")))
                .key_conditions("sk", condition(ComparisonOperator::BeginsWith, &[n(3)]))
                .send()
                .await
        ),
        "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"
    );
    assert_eq!(
        message(base().key_conditions("pk", condition(ComparisonOperator::Eq, &[s("a"), s("b")])).send().await),
        "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"
    );
    assert_eq!(
        message(base().key_conditions("pk", eq(s("a"))).query_filter("sk", eq(n(1))).send().await),
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"
    );
    assert_eq!(
        message(base().key_conditions("pk", eq(s("a"))).index_name("nope").send().await),
        "The table does not have the specified index: nope"
    );
    assert_eq!(
        message(
            base()
                .key_conditions("pk", eq(s("a")))
                .exclusive_start_key("pk", s("b"))
                .exclusive_start_key("sk", n(1))
                .send()
                .await
        ),
        "The provided starting key does not match the range key predicate"
    );
    assert_eq!(
        message(
            base()
                .index_name("by_flag")
                .key_conditions("flag", eq(s("on")))
                .exclusive_start_key("pk", s("b"))
                .exclusive_start_key("sk", n(1))
                .send()
                .await
        ),
        "The provided starting key is invalid"
    );
    assert_eq!(
        message(base().key_conditions("pk", eq(s("a"))).select(Select::AllProjectedAttributes).send().await),
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    );
    assert_eq!(
        message(base().key_conditions("pk", eq(s("a"))).attributes_to_get("x").attributes_to_get("x").send().await),
        "One or more parameter values were invalid: Duplicate value in attribute name: x"
    );
}

#[tokio::test]
async fn expression_queries_filter_project_and_validate() {
    let db = harness::start().await;
    let client = db.client();
    create_scores(&client, "scores").await;
    for i in 0..12 {
        let item = HashMap::from([
            ("pk".to_string(), s("a")),
            ("sk".to_string(), n(i)),
            ("group".to_string(), s(if i < 6 { "low" } else { "high" })),
            ("score".to_string(), n(100 - i)),
            ("name".to_string(), s(&format!("name-{i:02}"))),
            ("tags".to_string(), Av::Ss(vec![if i % 2 == 0 { "even".into() } else { "odd".into() }])),
            ("nested".to_string(), Av::M(HashMap::from([("deep".to_string(), n(i))]))),
        ]);
        client.put_item().table_name("scores").set_item(Some(item)).send().await.unwrap();
    }
    let out = client
        .query()
        .table_name("scores")
        .key_condition_expression("pk = :p AND sk BETWEEN :lo AND :hi")
        .filter_expression("contains(tags, :even) AND nested.deep > :two")
        .projection_expression("sk, nested.deep, #n")
        .expression_attribute_names("#n", "name")
        .expression_attribute_values(":p", s("a"))
        .expression_attribute_values(":lo", n(1))
        .expression_attribute_values(":hi", n(9))
        .expression_attribute_values(":even", s("even"))
        .expression_attribute_values(":two", n(2))
        .scan_index_forward(false)
        .send()
        .await
        .unwrap();
    let sks: Vec<&str> = out.items().iter().map(|i| i["sk"].as_n().unwrap().as_str()).collect();
    assert_eq!(sks, ["8", "6", "4"]);
    assert_eq!((out.count(), out.scanned_count()), (3, 9));
    let first = &out.items()[0];
    assert_eq!(first.len(), 3, "only the projected paths: {first:?}");
    assert_eq!(first["nested"], Av::M(HashMap::from([("deep".to_string(), n(8))])));

    // A range on the GSI sort key (a number), ascending.
    let out = client
        .query()
        .table_name("scores")
        .index_name("by_group")
        .key_condition_expression("#g = :g AND score >= :s")
        .expression_attribute_names("#g", "group")
        .expression_attribute_values(":g", s("high"))
        .expression_attribute_values(":s", n(92))
        .send()
        .await
        .unwrap();
    let scores: Vec<&str> = out.items().iter().map(|i| i["score"].as_n().unwrap().as_str()).collect();
    assert_eq!(scores, ["92", "93", "94"]);
    // LSI on `name`: begins_with.
    let out = client
        .query()
        .table_name("scores")
        .index_name("by_name")
        .key_condition_expression("pk = :p AND begins_with(#n, :prefix)")
        .expression_attribute_names("#n", "name")
        .expression_attribute_values(":p", s("a"))
        .expression_attribute_values(":prefix", s("name-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.count(), 2);

    let message = |r: Result<QueryOutput, _>| error_of(r).1;
    let keyed = || {
        client
            .query()
            .table_name("scores")
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s("a"))
    };
    assert_eq!(
        message(keyed().filter_expression("sk > :p").send().await),
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    );
    assert_eq!(
        message(keyed().expression_attribute_values(":unused", n(1)).send().await),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    );
    assert_eq!(
        message(keyed().projection_expression("sk").select(Select::Count).send().await),
        // Query's words carry the validation prefix (Scan's do not): ExtendDB's tests, verified against DynamoDB.
        "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count"
    );
    assert_eq!(
        message(keyed().projection_expression("sk").select(Select::AllAttributes).send().await),
        "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
    );
    assert_eq!(
        message(keyed().key_conditions("pk", eq(s("a"))).send().await),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"
    );
    // Legacy KeyConditions with a FilterExpression and a ProjectionExpression:
    // accepted (KeyConditions count against expressions only beside a
    // KeyConditionExpression), the filter and projection applied.
    let mixed = client
        .query()
        .table_name("scores")
        .key_conditions("pk", eq(s("a")))
        .filter_expression("#g = :high")
        .expression_attribute_names("#g", "group")
        .expression_attribute_values(":high", s("high"))
        .projection_expression("sk")
        .send()
        .await
        .unwrap();
    assert_eq!((mixed.count(), mixed.items().len()), (6, 6));
    assert!(mixed.items().iter().all(|item| item.keys().eq(["sk"].iter())));
    assert_eq!(
        message(
            client
                .query()
                .table_name("scores")
                .key_conditions("pk", eq(s("a")))
                .query_filter("v", eq(n(1)))
                .projection_expression("sk")
                .send()
                .await
        ),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {ProjectionExpression}"
    );
    assert_eq!(
        message(
            client
                .query()
                .table_name("scores")
                .index_name("by_group")
                .key_condition_expression("#g = :g")
                .expression_attribute_names("#g", "group")
                .expression_attribute_values(":g", s("high"))
                .projection_expression("nested")
                .send()
                .await
        ),
        "One or more parameter values were invalid: Global secondary index by_group does not project [nested]"
    );
    // Several are listed in the order of a Java HashSet, as DynamoDB Local does.
    assert_eq!(
        message(
            client
                .query()
                .table_name("scores")
                .index_name("by_group")
                .key_condition_expression("#g = :g")
                .expression_attribute_names("#g", "group")
                .expression_attribute_values(":g", s("high"))
                .projection_expression("tags, nested")
                .send()
                .await
        ),
        "One or more parameter values were invalid: Global secondary index by_group does not project [nested, tags]"
    );
    // Legacy KeyConditions are checked after the expressions: an unused
    // value is reported before a BEGINS_WITH on a number (dynalite's order).
    assert_eq!(
        message(
            client
                .query()
                .table_name("scores")
                .key_conditions("pk", eq(s("a")))
                .key_conditions("sk", condition(ComparisonOperator::BeginsWith, &[n(1)]))
                .filter_expression("v = :v")
                .expression_attribute_values(":v", n(1))
                .expression_attribute_values(":unused", n(2))
                .send()
                .await
        ),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    );
    // A Query filters only on attributes the index holds (listed sorted).
    assert_eq!(
        message(
            client
                .query()
                .table_name("scores")
                .index_name("by_group")
                .key_condition_expression("#g = :g")
                .filter_expression("tags = :z OR nested.deep > :z OR nested = :z")
                .expression_attribute_names("#g", "group")
                .expression_attribute_values(":g", s("high"))
                .expression_attribute_values(":z", n(0))
                .send()
                .await
        ),
        "One or more parameter values were invalid: Secondary index by_group does not project one or more filter attributes: [nested, tags]"
    );
    // The table key may be filtered on when querying an index.
    let out = client
        .query()
        .table_name("scores")
        .index_name("by_group")
        .key_condition_expression("#g = :g")
        .filter_expression("sk = :sk")
        .expression_attribute_names("#g", "group")
        .expression_attribute_values(":g", s("high"))
        .expression_attribute_values(":sk", n(7))
        .send()
        .await
        .unwrap();
    assert_eq!(out.count(), 1);
}

/// Runs a query on the `by_group` GSI through expressions, page by page.
async fn index_query_all(
    client: &Client,
    group: &str,
    min_score: i64,
    forward: bool,
    limit: Option<i32>,
) -> Vec<(i64, String, i64)> {
    let mut seen = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name("scores")
            .index_name("by_group")
            .key_condition_expression("#g = :g AND score >= :min")
            .filter_expression("attribute_exists(#n)")
            .projection_expression("pk, sk, score")
            .expression_attribute_names("#g", "group")
            .expression_attribute_names("#n", "name")
            .expression_attribute_values(":g", s(group))
            .expression_attribute_values(":min", n(min_score))
            .scan_index_forward(forward)
            .set_limit(limit)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .unwrap();
        for item in page.items() {
            let num = |k: &str| item[k].as_n().unwrap().parse::<i64>().unwrap();
            seen.push((num("score"), item["pk"].as_s().unwrap().clone(), num("sk")));
        }
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => return seen,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// On an index with repeated keys, pages collected with any limit are
    /// exactly the unpaged answer, which is the model's set in index order.
    #[test]
    fn index_pages_with_duplicate_keys_are_the_unpaged_answer(
        items in proptest::collection::btree_map((0..4u8, 0..30i64), (0..2u8, 0..4i64, any::<bool>()), 0..50),
        group in 0..2u8,
        min_score in 0..4i64,
        forward in any::<bool>(),
        limit in 1..6i32,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let db = harness::start().await;
            let client = db.client();
            create_scores(&client, "scores").await;
            for ((p, sk), (g, score, named)) in &items {
                let mut item = HashMap::from([
                    ("pk".to_string(), s(&format!("p{p}"))),
                    ("sk".to_string(), n(*sk)),
                    ("group".to_string(), s(&format!("g{g}"))),
                    ("score".to_string(), n(*score)),
                ]);
                if *named {
                    item.insert("name".into(), s("x"));
                }
                client.put_item().table_name("scores").set_item(Some(item)).send().await.unwrap();
            }
            let group = format!("g{group}");
            let whole = index_query_all(&client, &group, min_score, forward, None).await;
            let paged = index_query_all(&client, &group, min_score, forward, Some(limit)).await;
            assert_eq!(paged, whole, "paging neither skips nor repeats");
            let mut expected: Vec<(i64, String, i64)> = items
                .iter()
                .filter(|(_, (g, score, named))| format!("g{g}") == group && *score >= min_score && *named)
                .map(|((p, sk), (_, score, _))| (*score, format!("p{p}"), *sk))
                .collect();
            expected.sort();
            let mut got = whole.clone();
            got.sort();
            assert_eq!(got, expected);
            let scores: Vec<i64> = whole.iter().map(|(score, _, _)| *score).collect();
            let ordered = scores.windows(2).all(|w| if forward { w[0] <= w[1] } else { w[0] >= w[1] });
            assert!(ordered, "ordered by the index sort key: {scores:?}");
        });
    }
}
