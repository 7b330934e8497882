//! Vector indexes and SearchVectors: definitions, DescribeTable, index
//! maintenance on writes, exact nearest neighbours by each distance
//! function (scores checked against hand-computed values), search
//! conditions, projections, UpdateTable's backfill, errors; and a small
//! semantic search over the forum's posts (shared/seeds/004).

use crate::error_of;
use crate::indexes::{def, key, n, s};
use aws_sdk_dynamodb::types::{
    AttributeValue as Av, BillingMode, CreateVectorIndexAction, DeleteVectorIndexAction, GlobalSecondaryIndex,
    IndexStatus, KeyType, Projection, ProjectionType, ReturnConsumedCapacity, ScalarAttributeType, SearchSchemaElement,
    SearchSchemaElementType, VectorAttributeDefinition, VectorDistanceFunction, VectorIndex, VectorIndexUpdate,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::time::Duration;

fn projection(kind: ProjectionType, include: &[&str]) -> Projection {
    let mut p = Projection::builder().projection_type(kind);
    for attr in include {
        p = p.non_key_attributes(*attr);
    }
    p.build()
}

fn element(name: &str, role: SearchSchemaElementType) -> SearchSchemaElement {
    SearchSchemaElement::builder().attribute_name(name).search_schema_element_type(role).build().unwrap()
}

fn vector_index(
    name: &str,
    attr: &str,
    dims: i64,
    distance: VectorDistanceFunction,
    projection: Projection,
    schema: &[SearchSchemaElement],
) -> VectorIndex {
    let mut b = VectorIndex::builder()
        .index_name(name)
        .vector_attribute(VectorAttributeDefinition::builder().attribute_name(attr).build().unwrap())
        .dimensions(dims)
        .distance_function(distance)
        .projection(projection);
    for e in schema {
        b = b.search_schema(e.clone());
    }
    b.build().unwrap()
}

fn vector(values: &[f64]) -> Av {
    Av::L(values.iter().map(|v| Av::N(v.to_string())).collect())
}

fn query_vector(values: &[f64]) -> Vec<Av> {
    values.iter().map(|v| Av::N(v.to_string())).collect()
}

/// `docs`: pk "doc" (S) + sk (N), so equally near items come in sort key
/// order; three indexes on the same 3-dimensional attribute `v`.
async fn create_docs(client: &Client, table: &str) {
    let mut create = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .attribute_definitions(def("sk", ScalarAttributeType::N));
    for (name, distance) in [
        ("by_cosine", VectorDistanceFunction::Cosine),
        ("by_euclid", VectorDistanceFunction::Euclidean),
        ("by_dot", VectorDistanceFunction::DotProduct),
    ] {
        create =
            create.vector_indexes(vector_index(name, "v", 3, distance, projection(ProjectionType::KeysOnly, &[]), &[]));
    }
    create.send().await.unwrap();
}

async fn put_doc(client: &Client, table: &str, sk: i64, v: &[f64]) {
    client
        .put_item()
        .table_name(table)
        .item("pk", s("doc"))
        .item("sk", n(sk))
        .item("v", vector(v))
        .send()
        .await
        .unwrap();
}

/// (sort key, score) of each result.
async fn search(client: &Client, table: &str, index: &str, q: &[f64], k: i32) -> Vec<(i64, f64)> {
    let out = client
        .search_vectors()
        .table_name(table)
        .index_name(index)
        .set_search_vector(Some(query_vector(q)))
        .top_k(k)
        .send()
        .await
        .unwrap();
    out.search_results()
        .iter()
        .map(|r| {
            let sk = match r.item().and_then(|i| i.get("sk")) {
                Some(Av::N(v)) => v.parse().unwrap(),
                other => panic!("no sort key: {other:?}"),
            };
            (sk, r.score())
        })
        .collect()
}

fn assert_results(got: &[(i64, f64)], want: &[(i64, f64)]) {
    assert_eq!(got.iter().map(|(k, _)| *k).collect::<Vec<_>>(), want.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    for ((_, got), (k, want)) in got.iter().zip(want) {
        assert!((got - want).abs() < 1e-5, "item {k}: score {got}, expected {want}");
    }
}

#[tokio::test]
async fn each_distance_function_orders_and_scores_as_computed_by_hand() {
    let db = harness::start().await;
    let client = db.client();
    create_docs(&client, "docs").await;
    // 1 = [1,0,0], 2 = [1,1,0], 3 = [0,1,0], 4 = [-2,0,0], 5 = [3,4,0]; query [1,0,0].
    for (sk, v) in
        [(1, [1.0, 0.0, 0.0]), (2, [1.0, 1.0, 0.0]), (3, [0.0, 1.0, 0.0]), (4, [-2.0, 0.0, 0.0]), (5, [3.0, 4.0, 0.0])]
    {
        put_doc(&client, "docs", sk, &v).await;
    }
    let q = [1.0, 0.0, 0.0];
    // COSINE: 1 - cos: 0, 1 - 1/sqrt(2), 1, 2, 1 - 3/5; nearest (lowest) first.
    let cosine = search(&client, "docs", "by_cosine", &q, 5).await;
    assert_results(&cosine, &[(1, 0.0), (2, 1.0 - 0.5f64.sqrt()), (5, 0.4), (3, 1.0), (4, 2.0)]);
    // EUCLIDEAN: the distance: 0, 1, sqrt(2), 3, sqrt(20).
    let euclid = search(&client, "docs", "by_euclid", &q, 5).await;
    assert_results(&euclid, &[(1, 0.0), (2, 1.0), (3, 2f64.sqrt()), (4, 3.0), (5, 20f64.sqrt())]);
    // DOT_PRODUCT: highest first: 3, then 1 and 1 (a tie: table key order), 0, -2.
    let dot = search(&client, "docs", "by_dot", &q, 5).await;
    assert_results(&dot, &[(5, 3.0), (1, 1.0), (2, 1.0), (3, 0.0), (4, -2.0)]);
    // TopK cuts the ranking; more than there are returns them all.
    assert_results(&search(&client, "docs", "by_euclid", &q, 2).await, &[(1, 0.0), (2, 1.0)]);
    assert_eq!(search(&client, "docs", "by_dot", &q, 100).await.len(), 5);
}

#[tokio::test]
async fn writes_keep_the_index_in_step() {
    let db = harness::start().await;
    let client = db.client();
    create_docs(&client, "docs").await;
    put_doc(&client, "docs", 1, &[1.0, 0.0, 0.0]).await;
    put_doc(&client, "docs", 2, &[0.0, 1.0, 0.0]).await;
    // An item without the vector attribute is not in the index.
    client.put_item().table_name("docs").item("pk", s("doc")).item("sk", n(3)).send().await.unwrap();
    let q = [1.0, 0.0, 0.0];
    assert_eq!(search(&client, "docs", "by_euclid", &q, 10).await.len(), 2);
    // Replaced: item 1 now points away; UpdateItem gives item 3 a vector.
    put_doc(&client, "docs", 1, &[-1.0, 0.0, 0.0]).await;
    client
        .update_item()
        .table_name("docs")
        .key("pk", s("doc"))
        .key("sk", n(3))
        .update_expression("SET v = :v")
        .expression_attribute_values(":v", vector(&[0.9, 0.0, 0.0]))
        .send()
        .await
        .unwrap();
    let order: Vec<i64> = search(&client, "docs", "by_euclid", &q, 10).await.iter().map(|(k, _)| *k).collect();
    assert_eq!(order, [3, 2, 1]);
    // Removing the vector, or the item, takes it out.
    client
        .update_item()
        .table_name("docs")
        .key("pk", s("doc"))
        .key("sk", n(3))
        .update_expression("REMOVE v")
        .send()
        .await
        .unwrap();
    client.delete_item().table_name("docs").key("pk", s("doc")).key("sk", n(2)).send().await.unwrap();
    let order: Vec<i64> = search(&client, "docs", "by_euclid", &q, 10).await.iter().map(|(k, _)| *k).collect();
    assert_eq!(order, [1]);
    let table = client.describe_table().table_name("docs").send().await.unwrap().table.unwrap();
    let index = &table.vector_indexes()[1];
    assert_eq!(index.index_name(), Some("by_euclid"));
    assert_eq!(index.item_count(), Some(1));
    assert!(index.index_size_bytes().unwrap() > 12, "{:?}", index.index_size_bytes());
}

#[tokio::test]
async fn writes_report_vector_write_bytes_per_index() {
    let db = harness::start().await;
    let client = db.client();
    create_docs(&client, "docs").await;
    let put = |v: &[f64], other: &str| {
        client
            .put_item()
            .table_name("docs")
            .item("pk", s("doc"))
            .item("sk", n(1))
            .item("v", vector(v))
            .item("other", s(other))
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
            .send()
    };
    let out = put(&[1.0, 0.0, 0.0], "x").await.unwrap();
    let consumed = out.consumed_capacity().unwrap();
    let vectors = consumed.vector_indexes().unwrap();
    assert_eq!(vectors.len(), 3);
    // Three dimensions of 4 bytes each.
    assert_eq!(vectors["by_dot"].vector_write_request_bytes(), Some(12.0));
    assert_eq!(consumed.capacity_units(), Some(1.0));
    // Changing an attribute the KEYS_ONLY indexes do not store writes nothing to them.
    let out = put(&[1.0, 0.0, 0.0], "y").await.unwrap();
    assert!(out.consumed_capacity().unwrap().vector_indexes().is_none());
}

#[tokio::test]
async fn malformed_vectors_are_refused_naming_the_index() {
    let db = harness::start().await;
    let client = db.client();
    create_docs(&client, "docs").await;
    let put = |v: Av| client.put_item().table_name("docs").item("pk", s("doc")).item("sk", n(1)).item("v", v).send();
    let (code, message) = error_of(put(vector(&[1.0, 2.0])).await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("has 2 dimensions") && message.contains("by_cosine"), "{message}");
    let (code, message) = error_of(put(Av::L(vec![n(1), s("x"), n(3)])).await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("list of numbers"), "{message}");
    let (_, message) = error_of(put(s("not a vector")).await);
    assert!(message.contains("Actual: S"), "{message}");
    let (_, message) = error_of(put(Av::L(vec![n(1), Av::N("1e39".into()), n(3)])).await);
    assert!(message.contains("32-bit floating-point"), "{message}");
    // More precision than a float holds is fine (rounded in the index).
    put(Av::L(vec![Av::N("3.14159265358979323846".into()), n(0), n(0)])).await.unwrap();
    let item = client.get_item().table_name("docs").key("pk", s("doc")).key("sk", n(1)).send().await.unwrap();
    assert_eq!(item.item().unwrap()["v"], Av::L(vec![Av::N("3.14159265358979323846".into()), n(0), n(0)]));
    assert_eq!(search(&client, "docs", "by_cosine", &[1.0, 0.0, 0.0], 1).await.len(), 1);
}

/// An on-demand table keyed by `hash` (S), with more attribute definitions
/// (for a search schema) and a vector index.
async fn create_keyed(
    client: &Client,
    table: &str,
    hash: &str,
    defs: &[(&str, ScalarAttributeType)],
    index: Option<VectorIndex>,
) {
    let mut create = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(hash, KeyType::Hash))
        .attribute_definitions(def(hash, ScalarAttributeType::S))
        .set_vector_indexes(index.map(|i| vec![i]));
    for (name, kind) in defs {
        create = create.attribute_definitions(def(name, kind.clone()));
    }
    create.send().await.unwrap();
}

/// `catalog`: key `id` (S); vector index `by_topic` (COSINE, 2 dimensions)
/// with `shop` (S) as HASH and `released` (N) as INLINE_FILTER, projecting `title`.
async fn create_catalog(client: &Client) {
    let index = vector_index(
        "by_topic",
        "emb",
        2,
        VectorDistanceFunction::Cosine,
        projection(ProjectionType::Include, &["title"]),
        &[element("shop", SearchSchemaElementType::Hash), element("released", SearchSchemaElementType::InlineFilter)],
    );
    let defs = [("shop", ScalarAttributeType::S), ("released", ScalarAttributeType::N)];
    create_keyed(client, "catalog", "id", &defs, Some(index)).await;
    for (id, shop, year, emb, title) in [
        ("a", "north", 2020, [1.0, 0.0], "alpha"),
        ("b", "north", 2023, [0.8, 0.6], "beta"),
        ("c", "north", 2024, [0.0, 1.0], "gamma"),
        ("d", "south", 2024, [1.0, 0.0], "delta"),
    ] {
        client
            .put_item()
            .table_name("catalog")
            .item("id", s(id))
            .item("shop", s(shop))
            .item("released", n(year))
            .item("emb", vector(&emb))
            .item("title", s(title))
            .item("secret", s("unprojected"))
            .send()
            .await
            .unwrap();
    }
    // Without the HASH attribute an item is written but not indexed.
    client.put_item().table_name("catalog").item("id", s("e")).item("emb", vector(&[1.0, 0.0])).send().await.unwrap();
}

fn ids(out: &aws_sdk_dynamodb::operation::search_vectors::SearchVectorsOutput) -> Vec<String> {
    out.search_results()
        .iter()
        .map(|r| match r.item().and_then(|i| i.get("id")) {
            Some(Av::S(id)) => id.clone(),
            _ => String::new(),
        })
        .collect()
}

#[tokio::test]
async fn search_conditions_filter_before_the_ranking() {
    let db = harness::start().await;
    let client = db.client();
    create_catalog(&client).await;
    let search = || {
        client
            .search_vectors()
            .table_name("catalog")
            .index_name("by_topic")
            .set_search_vector(Some(query_vector(&[1.0, 0.0])))
            .top_k(2)
    };
    // The HASH attribute scopes the search to one partition of the index.
    let north = search()
        .search_condition_expression("shop = :s")
        .expression_attribute_values(":s", s("north"))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&north), ["a", "b"]);
    // An INLINE_FILTER is applied before the k nearest are chosen.
    let recent = search()
        .search_condition_expression("#s = :s AND released >= :y")
        .expression_attribute_names("#s", "shop")
        .expression_attribute_values(":s", s("north"))
        .expression_attribute_values(":y", n(2023))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&recent), ["b", "c"]);
    let between = search()
        .search_condition_expression("shop = :s AND (released BETWEEN :lo AND :hi OR released = :x)")
        .expression_attribute_values(":s", s("north"))
        .expression_attribute_values(":lo", n(2024))
        .expression_attribute_values(":hi", n(2030))
        .expression_attribute_values(":x", n(2020))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&between), ["a", "c"]);
    // The default result: the table key and the projected attributes.
    let item = north.search_results()[0].item().unwrap();
    assert_eq!(item.keys().map(String::as_str).collect::<std::collections::BTreeSet<_>>(), ["id", "title"].into());

    let refused = [
        (None, "must compare the HASH attribute shop"),
        (Some("released = :y"), "must compare the HASH attribute shop"),
        (Some("shop = :s AND title = :y"), "not in the SearchSchema"),
        (Some("shop = :s AND NOT released = :y"), "NOT operator"),
        (Some("shop = :s AND attribute_exists(released)"), "Functions are not supported"),
        (Some("shop = :s OR released = :y"), "Only the equality operator (=) is supported for the HASH attribute"),
        (Some("shop = :s AND shop > :y"), "Only the equality operator (=) is supported for the HASH attribute"),
    ];
    for (condition, expected) in refused {
        let mut call = search().set_search_condition_expression(condition.map(str::to_string));
        if condition.is_some_and(|c| c.contains(":s")) {
            call = call.expression_attribute_values(":s", s("north"));
        }
        if condition.is_some_and(|c| c.contains(":y")) {
            call = call.expression_attribute_values(":y", n(2020));
        }
        let (code, message) = error_of(call.send().await);
        assert_eq!(code, "ValidationException", "{condition:?}");
        assert!(message.contains(expected), "{condition:?}: {message}");
    }
    let (_, message) = error_of(
        search()
            .search_condition_expression("shop = :s AND released = :y")
            .expression_attribute_values(":s", s("north"))
            .expression_attribute_values(":y", s("2020"))
            .send()
            .await,
    );
    assert!(message.contains("Type mismatch for attribute released"), "{message}");
    // Writes must give search schema attributes their defined types.
    let (code, message) =
        error_of(client.put_item().table_name("catalog").item("id", s("x")).item("released", s("2020")).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Type mismatch for Index Key released"), "{message}");
    let (_, message) =
        error_of(client.put_item().table_name("catalog").item("id", s("x")).item("shop", s("")).send().await);
    assert!(message.contains("empty string"), "{message}");
}

#[tokio::test]
async fn projections_and_the_vector_itself() {
    let db = harness::start().await;
    let client = db.client();
    create_catalog(&client).await;
    let search = |projection: Option<&str>| {
        client
            .search_vectors()
            .table_name("catalog")
            .index_name("by_topic")
            .set_search_vector(Some(query_vector(&[0.8, 0.6])))
            .top_k(1)
            .search_condition_expression("shop = :s")
            .expression_attribute_values(":s", s("north"))
            .set_projection_expression(projection.map(str::to_string))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
    };
    let out = search(Some("id, emb, shop, secret")).await.unwrap();
    let item: &HashMap<String, Av> = out.search_results()[0].item().unwrap();
    // The vector comes back as the index keeps it; `secret` is not projected: absent, no error.
    assert_eq!(item["emb"], Av::L(vec![Av::N("0.8".into()), Av::N("0.6".into())]));
    assert_eq!(item["shop"], s("north"));
    assert!(!item.contains_key("secret"));
    assert_eq!(item.len(), 3);
    assert!(out.search_results()[0].score().abs() < 1e-6, "{}", out.search_results()[0].score());
    // 4 indexed vectors of 2 floats read.
    assert_eq!(out.consumed_capacity().unwrap().vector_search_request_bytes(), Some(32.0));
    let out = search(None).await.unwrap();
    assert!(!out.search_results()[0].item().unwrap().contains_key("emb"));
    // A path into the vector reads the stored floats too.
    let out = search(Some("emb[1]")).await.unwrap();
    assert_eq!(out.search_results()[0].item().unwrap()["emb"], Av::L(vec![Av::N("0.6".into())]));
}

#[tokio::test]
async fn describe_table_shows_vector_indexes() {
    let db = harness::start().await;
    let client = db.client();
    create_catalog(&client).await;
    let table = client.describe_table().table_name("catalog").send().await.unwrap().table.unwrap();
    let index = &table.vector_indexes()[0];
    assert_eq!(index.index_name(), Some("by_topic"));
    assert_eq!(index.vector_attribute().unwrap().attribute_name(), "emb");
    assert_eq!(index.dimensions(), Some(2));
    assert_eq!(index.distance_function(), Some(&VectorDistanceFunction::Cosine));
    assert_eq!(index.index_status(), Some(&IndexStatus::Active));
    assert_eq!(index.item_count(), Some(4));
    assert!(index.index_arn().unwrap().ends_with(":table/catalog/index/by_topic"));
    let schema: Vec<(&str, &str)> =
        index.search_schema().iter().map(|e| (e.attribute_name(), e.search_schema_element_type().as_str())).collect();
    assert_eq!(schema, [("shop", "HASH"), ("released", "INLINE_FILTER")]);
    assert_eq!(index.projection().unwrap().non_key_attributes(), ["title"]);
    assert_eq!(table.attribute_definitions().len(), 3);
    // Backups list them among the source table's features.
    let backup = client.create_backup().table_name("catalog").backup_name("bak").send().await.unwrap();
    let arn = backup.backup_details().unwrap().backup_arn();
    let described = client.describe_backup().backup_arn(arn).send().await.unwrap();
    let features = described.backup_description().unwrap().source_table_feature_details().unwrap();
    assert_eq!(features.vector_indexes()[0].dimensions(), Some(2));
    // A restored table has the index, its vectors and its own index ARN.
    client.restore_table_from_backup().target_table_name("catalog2").backup_arn(arn).send().await.unwrap();
    let restored = client.describe_table().table_name("catalog2").send().await.unwrap().table.unwrap();
    assert!(restored.vector_indexes()[0].index_arn().unwrap().ends_with(":table/catalog2/index/by_topic"));
    let found = client
        .search_vectors()
        .table_name("catalog2")
        .index_name("by_topic")
        .set_search_vector(Some(query_vector(&[1.0, 0.0])))
        .top_k(2)
        .search_condition_expression("shop = :s")
        .expression_attribute_values(":s", s("north"))
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&found), ["a", "b"]);
}

#[tokio::test]
async fn update_table_creates_with_backfill_and_deletes() {
    let db = harness::start().await;
    let client = db.client();
    create_keyed(&client, "notes", "id", &[], None).await;
    for (id, v) in [("x", [1.0, 0.0]), ("y", [0.0, 1.0])] {
        client.put_item().table_name("notes").item("id", s(id)).item("v", vector(&v)).send().await.unwrap();
    }
    // An item whose vector the new index cannot take: skipped by the backfill.
    client.put_item().table_name("notes").item("id", s("z")).item("v", vector(&[1.0])).send().await.unwrap();
    const DELAY: Duration = Duration::from_secs(30);
    db.set_status_delay(DELAY);
    let create = CreateVectorIndexAction::builder()
        .index_name("by_v")
        .vector_attribute(VectorAttributeDefinition::builder().attribute_name("v").build().unwrap())
        .dimensions(2)
        .distance_function(VectorDistanceFunction::Euclidean)
        .projection(projection(ProjectionType::All, &[]))
        .build()
        .unwrap();
    let out = client
        .update_table()
        .table_name("notes")
        .vector_index_updates(VectorIndexUpdate::builder().create(create).build())
        .send()
        .await
        .unwrap();
    let created = &out.table_description().unwrap().vector_indexes()[0];
    assert_eq!(created.index_status(), Some(&IndexStatus::Creating));
    assert_eq!(created.backfilling(), Some(false));
    let described = client.describe_table().table_name("notes").send().await.unwrap().table.unwrap();
    assert_eq!(described.vector_indexes()[0].backfilling(), Some(true));
    let search = || {
        client
            .search_vectors()
            .table_name("notes")
            .index_name("by_v")
            .set_search_vector(Some(query_vector(&[1.0, 0.0])))
            .top_k(5)
            .send()
    };
    let (code, message) = error_of(search().await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("not ACTIVE"), "{message}");
    db.clock().advance(DELAY);
    let described = client.describe_table().table_name("notes").send().await.unwrap().table.unwrap();
    let index = &described.vector_indexes()[0];
    assert_eq!(
        (index.index_status(), index.backfilling(), index.item_count()),
        (Some(&IndexStatus::Active), None, Some(2))
    );
    let out = search().await.unwrap();
    assert_eq!(out.search_results().len(), 2);
    // ALL: every attribute but the vector.
    assert_eq!(out.search_results()[0].item().unwrap().len(), 1);

    db.set_status_delay(Duration::ZERO);
    let delete = DeleteVectorIndexAction::builder().index_name("by_v").build().unwrap();
    let out = client
        .update_table()
        .table_name("notes")
        .vector_index_updates(VectorIndexUpdate::builder().delete(delete.clone()).build())
        .send()
        .await
        .unwrap();
    assert_eq!(out.table_description().unwrap().vector_indexes()[0].index_status(), Some(&IndexStatus::Deleting));
    let described = client.describe_table().table_name("notes").send().await.unwrap().table.unwrap();
    assert!(described.vector_indexes().is_empty());
    let (code, _) = error_of(
        client
            .update_table()
            .table_name("notes")
            .vector_index_updates(VectorIndexUpdate::builder().delete(delete).build())
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    // The malformed vector written before the index was created is fine now too.
    client.put_item().table_name("notes").item("id", s("w")).item("v", vector(&[1.0, 2.0, 3.0])).send().await.unwrap();
}

#[tokio::test]
async fn definition_errors() {
    let db = harness::start().await;
    let client = db.client();
    let create = |name: &str, index: VectorIndex, billing: BillingMode| {
        let provisioned = billing == BillingMode::Provisioned;
        let mut call = client
            .create_table()
            .table_name(name)
            .billing_mode(billing)
            .key_schema(key("id", KeyType::Hash))
            .attribute_definitions(def("id", ScalarAttributeType::S))
            .vector_indexes(index);
        if provisioned {
            call = call.provisioned_throughput(
                aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
                    .read_capacity_units(1)
                    .write_capacity_units(1)
                    .build()
                    .unwrap(),
            );
        }
        call.send()
    };
    let keys = || projection(ProjectionType::KeysOnly, &[]);
    let cosine = VectorDistanceFunction::Cosine;
    let plain = |name: &str, attr: &str, dims: i64, distance: &VectorDistanceFunction| {
        vector_index(name, attr, dims, distance.clone(), keys(), &[])
    };
    let on_demand = || BillingMode::PayPerRequest;
    let undefined = [element("x", SearchSchemaElementType::Hash)];
    let cases = [
        (plain("vidx", "v", 3, &cosine), BillingMode::Provisioned, "PAY_PER_REQUEST"),
        (plain("vidx", "id", 3, &cosine), on_demand(), "'id'"),
        (plain("vidx", "v", 4097, &cosine), on_demand(), "Dimensions"),
        (plain("vidx", "v", 0, &cosine), on_demand(), "dimensions"),
        (plain("v", "v", 3, &cosine), on_demand(), "indexName"),
        (plain("vidx", "v", 3, &VectorDistanceFunction::from("cosine")), on_demand(), "distanceFunction"),
        (
            vector_index("vidx", "v", 3, cosine.clone(), keys(), &undefined),
            on_demand(),
            "not defined in attribute definitions",
        ),
    ];
    for (index, billing, expected) in cases {
        let (code, message) = error_of(create("tvec", index, billing).await);
        assert_eq!(code, "ValidationException", "{expected}");
        assert!(message.contains(expected), "{expected}: {message}");
    }
    // A name shared with a GSI.
    let (_, message) = error_of(
        client
            .create_table()
            .table_name("tvec")
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("id", KeyType::Hash))
            .attribute_definitions(def("id", ScalarAttributeType::S))
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name("same")
                    .key_schema(key("id", KeyType::Hash))
                    .projection(projection(ProjectionType::All, &[]))
                    .build()
                    .unwrap(),
            )
            .vector_indexes(plain("same", "v", 3, &cosine))
            .send()
            .await,
    );
    assert!(message.contains("Duplicate index name: same"), "{message}");
    // Searching an index the table lacks, or with the wrong dimensions.
    create("tvec", plain("vidx", "v", 3, &cosine), on_demand()).await.unwrap();
    let search = |index: &str, q: &[f64], k: i32| {
        client
            .search_vectors()
            .table_name("tvec")
            .index_name(index)
            .set_search_vector(Some(query_vector(q)))
            .top_k(k)
            .send()
    };
    let (_, message) = error_of(search("nope", &[1.0, 0.0, 0.0], 1).await);
    assert_eq!(message, "The table does not have the specified index: nope");
    let (_, message) = error_of(search("vidx", &[1.0, 0.0], 1).await);
    assert!(message.contains("has 2 dimensions"), "{message}");
    let (_, message) = error_of(search("vidx", &[1.0, 0.0, 0.0], 101).await);
    assert!(
        message.contains("at 'topK' failed to satisfy constraint: Member must have value less than or equal to 100"),
        "{message}"
    );
    // Switching the table to provisioned capacity is refused while it has vector indexes.
    let (_, message) = error_of(
        client
            .update_table()
            .table_name("tvec")
            .billing_mode(BillingMode::Provisioned)
            .provisioned_throughput(
                aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
                    .read_capacity_units(1)
                    .write_capacity_units(1)
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert!(message.contains("vector indexes"), "{message}");
}

#[tokio::test]
async fn update_table_keeps_vector_and_search_schema_attributes_consistent() {
    let db = harness::start().await;
    let client = db.client();
    create_catalog(&client).await;
    let gsi = |name: &str, attr: &str| {
        aws_sdk_dynamodb::types::GlobalSecondaryIndexUpdate::builder()
            .create(
                aws_sdk_dynamodb::types::CreateGlobalSecondaryIndexAction::builder()
                    .index_name(name)
                    .key_schema(key(attr, KeyType::Hash))
                    .projection(projection(ProjectionType::All, &[]))
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let add_gsi = |name: &str, attr: &str, kind: ScalarAttributeType| {
        client
            .update_table()
            .table_name("catalog")
            .attribute_definitions(def(attr, kind))
            .global_secondary_index_updates(gsi(name, attr))
            .send()
    };
    // The vector attribute cannot become a GSI key.
    let (code, message) = error_of(add_gsi("by_emb", "emb", ScalarAttributeType::S).await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Attribute emb is the vector attribute of vector index by_topic"), "{message}");
    // A search schema attribute keeps its type: another one in the request is
    // ignored, as DynamoDB ignores it for any attribute a key already uses.
    add_gsi("by_released", "released", ScalarAttributeType::S).await.unwrap();
    let table = client.describe_table().table_name("catalog").send().await.unwrap().table.unwrap();
    assert_eq!(table.attribute_definitions().len(), 3);
    let released = table.attribute_definitions().iter().find(|d| d.attribute_name() == "released").unwrap();
    assert_eq!(released.attribute_type(), &ScalarAttributeType::N);
    assert_eq!(table.global_secondary_indexes().len(), 1);
}

/// The forum's posts (shared/seeds/004: `postId`, `threadId`, `userId`,
/// `title`, `content`) with tiny hand-made embeddings over four topics:
/// [databases, cooking, travel, music].
#[tokio::test]
async fn semantic_search_over_forum_posts() {
    let db = harness::start().await;
    let client = db.client();
    let index = vector_index(
        "ContentEmbeddingIndex",
        "embedding",
        4,
        VectorDistanceFunction::Cosine,
        projection(ProjectionType::Include, &["title"]),
        &[element("threadId", SearchSchemaElementType::InlineFilter)],
    );
    create_keyed(&client, "forum-posts", "postId", &[("threadId", ScalarAttributeType::S)], Some(index)).await;
    let posts = [
        ("post-1", "thread-tech", "Tuning DynamoDB partition keys", [0.9, 0.0, 0.1, 0.0]),
        ("post-2", "thread-food", "Sourdough starter tips", [0.0, 0.95, 0.05, 0.0]),
        ("post-3", "thread-travel", "Backpacking the Alps on a budget", [0.0, 0.2, 0.9, 0.1]),
        ("post-4", "thread-tech", "Single-table design for a forum", [0.8, 0.0, 0.0, 0.2]),
        ("post-5", "thread-music", "Learning jazz chords", [0.05, 0.0, 0.1, 0.9]),
        ("post-6", "thread-food", "Street food in Lisbon", [0.0, 0.6, 0.6, 0.0]),
    ];
    for (id, thread, title, embedding) in posts {
        client
            .put_item()
            .table_name("forum-posts")
            .item("postId", s(id))
            .item("threadId", s(thread))
            .item("userId", s("alice"))
            .item("title", s(title))
            .item("content", s("..."))
            .item("embedding", vector(&embedding))
            .send()
            .await
            .unwrap();
    }
    let ask = |q: [f64; 4], k: i32| {
        client
            .search_vectors()
            .table_name("forum-posts")
            .index_name("ContentEmbeddingIndex")
            .set_search_vector(Some(query_vector(&q)))
            .top_k(k)
    };
    let titles = |out: &aws_sdk_dynamodb::operation::search_vectors::SearchVectorsOutput| -> Vec<String> {
        out.search_results()
            .iter()
            .map(|r| match r.item().and_then(|i| i.get("title")) {
                Some(Av::S(t)) => t.clone(),
                _ => String::new(),
            })
            .collect()
    };
    // "How should I model my database?" -> mostly databases.
    let out = ask([1.0, 0.0, 0.0, 0.0], 2).send().await.unwrap();
    assert_eq!(titles(&out), ["Tuning DynamoDB partition keys", "Single-table design for a forum"]);
    // "Where to eat while travelling?" -> cooking and travel together.
    let out = ask([0.0, 0.7, 0.7, 0.0], 1).send().await.unwrap();
    assert_eq!(titles(&out), ["Street food in Lisbon"]);
    assert!(out.search_results()[0].score() < 1e-6);
    // The same question within the food thread only.
    let out = ask([0.0, 0.0, 1.0, 0.0], 3)
        .search_condition_expression("threadId = :t")
        .expression_attribute_values(":t", s("thread-food"))
        .send()
        .await
        .unwrap();
    assert_eq!(titles(&out), ["Street food in Lisbon", "Sourdough starter tips"]);
}
