//! Accounts and regions as namespaces: a call is served by the tables of the
//! (account, region) it is signed for, as in DynamoDB; `--shared`
//! (DynamoDB Local's `-sharedDb`) keeps one set for everyone.

use sdk_tests::create_table;

#[tokio::test]
async fn regions_and_accounts_each_have_their_own_tables_and_arns() {
    // Two keys: the harness's (default account) and one mapped to account 111122223333.
    let state = std::sync::Arc::new(emulator::State::default());
    let mut keys = emulator::auth::Credentials::single(harness::ACCESS_KEY, harness::SECRET_KEY);
    let mut other = emulator::auth::Credential::new("other-secret");
    other.account_id = Some("111122223333".into());
    keys.insert("AKIDOTHERACCOUNT", other);
    state.verify_signatures(keys);
    let db = harness::builder().state(state).start().await;
    let home = db.client();
    let europe = db.client_for("eu-west-1", harness::ACCESS_KEY, harness::SECRET_KEY);
    let elsewhere = db.client_for("us-east-1", "AKIDOTHERACCOUNT", "other-secret");

    create_table(&home, "orders", "pk", None).await;
    for (client, what) in [(&europe, "another region"), (&elsewhere, "another account")] {
        let names = client.list_tables().send().await.unwrap().table_names().to_vec();
        assert!(names.is_empty(), "{what} sees no table: {names:?}");
        let missing = client.describe_table().table_name("orders").send().await;
        assert!(missing.is_err(), "{what} cannot describe it");
    }
    // The same name in each namespace is a table of its own, with its own ARN.
    create_table(&europe, "orders", "pk", None).await;
    create_table(&elsewhere, "orders", "pk", None).await;
    let arn =
        |out: aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput| out.table.unwrap().table_arn.unwrap();
    assert_eq!(
        arn(home.describe_table().table_name("orders").send().await.unwrap()),
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders"
    );
    assert_eq!(
        arn(europe.describe_table().table_name("orders").send().await.unwrap()),
        "arn:aws:dynamodb:eu-west-1:000000000000:table/orders"
    );
    assert_eq!(
        arn(elsewhere.describe_table().table_name("orders").send().await.unwrap()),
        "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
    );
    // Items stay in their namespace.
    let item = |v: &str| aws_sdk_dynamodb::types::AttributeValue::S(v.into());
    europe.put_item().table_name("orders").item("pk", item("eu-1")).send().await.unwrap();
    let home_items = home.scan().table_name("orders").send().await.unwrap();
    assert_eq!(home_items.count(), 0);
    let eu_items = europe.scan().table_name("orders").send().await.unwrap();
    assert_eq!(eu_items.count(), 1);
}

#[tokio::test]
async fn shared_keeps_one_set_of_tables_for_every_region() {
    let db = harness::start().await;
    db.state().namespaces.set_shared(true);
    create_table(&db.client(), "orders", "pk", None).await;
    let europe = db.client_for("eu-west-1", harness::ACCESS_KEY, harness::SECRET_KEY);
    let names = europe.list_tables().send().await.unwrap().table_names().to_vec();
    assert_eq!(names, ["orders"]);
}
