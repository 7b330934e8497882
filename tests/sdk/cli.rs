//! The AWS CLI (botocore's own serializers and model) against the emulator:
//! table definitions and PartiQL, unchanged. The CLI is installed from PyPI
//! on first use (`harness::aws_cli`).

use serde_json::{json, Value};

/// The AWS CLI pointed at one emulator.
struct Cli {
    cli: harness::AwsCli,
    endpoint: String,
    db: harness::Emulator,
}

impl Cli {
    /// The CLI (installed on first use) and a fresh emulator; `None` where the
    /// CLI cannot be installed (outside CI).
    async fn start() -> Option<Cli> {
        let cli = tokio::task::spawn_blocking(harness::aws_cli).await.expect("install thread")?;
        let db = harness::start().await;
        Some(Cli { cli, endpoint: db.endpoint().to_string(), db })
    }

    /// `aws ARGS` against the emulator, on a blocking thread (the CLI is a subprocess).
    async fn run(&self, args: &[&str]) -> Result<Value, String> {
        let (cli, endpoint) = (self.cli.clone(), self.endpoint.clone());
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            cli.run(&endpoint, &args)
        })
        .await
        .expect("cli thread")
    }
}

impl Cli {
    /// `aws dynamodb create-table`: an on-demand table with a string partition key.
    async fn create_on_demand(&self, table: &str, key: &str) {
        let definition = format!("AttributeName={key},AttributeType=S");
        let schema = format!("AttributeName={key},KeyType=HASH");
        let args = ["dynamodb", "create-table", "--table-name", table, "--billing-mode", "PAY_PER_REQUEST"];
        let mut args = args.to_vec();
        args.extend(["--attribute-definitions", &definition, "--key-schema", &schema]);
        self.run(&args).await.expect("create-table");
    }
}

fn items(answer: &Value) -> Vec<Value> {
    answer["Items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_runs_partiql_and_round_trips_table_definitions() {
    let Some(cli) = Cli::start().await else { return };
    let created = cli.run(&[
        "dynamodb",
        "create-table",
        "--table-name",
        "Posts",
        "--attribute-definitions",
        "AttributeName=threadId,AttributeType=S",
        "AttributeName=createdAt,AttributeType=N",
        "AttributeName=author,AttributeType=S",
        "--key-schema",
        "AttributeName=threadId,KeyType=HASH",
        "AttributeName=createdAt,KeyType=RANGE",
        "--global-secondary-indexes",
        r#"[{"IndexName":"byAuthor","KeySchema":[{"AttributeName":"author","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]"#,
        "--billing-mode",
        "PAY_PER_REQUEST",
    ])
    .await
    .expect("create-table");
    assert_eq!(created["TableDescription"]["TableName"], "Posts");

    let described = cli.run(&["dynamodb", "describe-table", "--table-name", "Posts"]).await.expect("describe-table");
    let table = &described["Table"];
    assert_eq!(table["KeySchema"][1], json!({"AttributeName": "createdAt", "KeyType": "RANGE"}));
    assert_eq!(table["GlobalSecondaryIndexes"][0]["IndexName"], "byAuthor");
    assert_eq!(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");

    for (created_at, author) in [(1, "ana"), (2, "bo"), (3, "ana")] {
        let statement = format!(
            "INSERT INTO \"Posts\" VALUE {{'threadId': 't1', 'createdAt': {created_at}, 'author': '{author}'}}"
        );
        let answer = cli.run(&["dynamodb", "execute-statement", "--statement", &statement]).await.expect("insert");
        assert_eq!(items(&answer), Vec::<Value>::new());
    }
    let duplicate = "INSERT INTO \"Posts\" VALUE {'threadId': 't1', 'createdAt': 1}";
    let error = cli.run(&["dynamodb", "execute-statement", "--statement", duplicate]).await.unwrap_err();
    assert!(error.contains("DuplicateItemException"), "{error}");

    let newest_first = cli
        .run(&[
            "dynamodb",
            "execute-statement",
            "--statement",
            "SELECT createdAt FROM \"Posts\" WHERE threadId = ? ORDER BY createdAt DESC",
            "--parameters",
            r#"[{"S": "t1"}]"#,
        ])
        .await
        .expect("select");
    let order: Vec<&str> = newest_first["Items"]
        .as_array()
        .expect("Items")
        .iter()
        .map(|i| i["createdAt"]["N"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(order, ["3", "2", "1"]);

    let batch = cli.run(&[
        "dynamodb",
        "batch-execute-statement",
        "--statements",
        r#"[{"Statement": "SELECT author FROM \"Posts\" WHERE threadId = 't1' AND createdAt = 2"}, {"Statement": "SELECT * FROM \"Posts\" WHERE threadId = 't1'"}]"#,
    ])
    .await
    .expect("batch-execute-statement");
    assert_eq!(batch["Responses"][0]["Item"], json!({"author": {"S": "bo"}}));
    assert_eq!(batch["Responses"][1]["Error"]["Code"], "ValidationError");

    let cancelled = cli.run(&[
        "dynamodb",
        "execute-transaction",
        "--transact-statements",
        r#"[{"Statement": "UPDATE \"Posts\" SET edited = true WHERE threadId = 't1' AND createdAt = 1"}, {"Statement": "UPDATE \"Posts\" SET edited = true WHERE threadId = 't1' AND createdAt = 9"}]"#,
    ])
    .await
    .unwrap_err();
    assert!(cancelled.contains("TransactionCanceledException"), "{cancelled}");
    cli.run(&[
        "dynamodb",
        "execute-transaction",
        "--transact-statements",
        r#"[{"Statement": "UPDATE \"Posts\" SET edited = true WHERE threadId = 't1' AND createdAt = 1"}, {"Statement": "DELETE FROM \"Posts\" WHERE threadId = 't1' AND createdAt = 2"}]"#,
        "--client-request-token",
        "cli-token-1",
    ])
    .await
    .expect("execute-transaction");

    let by_author = cli
        .run(&[
            "dynamodb",
            "execute-statement",
            "--statement",
            "SELECT createdAt, edited FROM \"Posts\".\"byAuthor\" WHERE author = 'ana'",
        ])
        .await
        .expect("select on the index");
    let mut found: Vec<(String, bool)> = items(&by_author)
        .iter()
        .map(|i| (i["createdAt"]["N"].as_str().unwrap_or("").to_string(), i["edited"]["BOOL"] == true))
        .collect();
    found.sort();
    assert_eq!(found, [("1".to_string(), true), ("3".to_string(), false)]);
    let remaining = cli.run(&["dynamodb", "scan", "--table-name", "Posts", "--select", "COUNT"]).await.expect("scan");
    assert_eq!(remaining["Count"], 2);
}

/// A multi-attribute GSI key through the CLI: botocore's model carries it
/// (several HASH and RANGE elements), DescribeTable gives it back as given, and
/// a Query binds both HASH attributes.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_round_trips_a_multi_attribute_index_key() {
    let Some(cli) = Cli::start().await else { return };
    let index = r#"[{"IndexName":"TenantEmailIndex","KeySchema":[{"AttributeName":"tenantId","KeyType":"HASH"},{"AttributeName":"email","KeyType":"HASH"},{"AttributeName":"createdAt","KeyType":"RANGE"},{"AttributeName":"id","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]"#;
    cli.run(&[
        "dynamodb",
        "create-table",
        "--table-name",
        "TenantUsers",
        "--attribute-definitions",
        "AttributeName=id,AttributeType=S",
        "AttributeName=tenantId,AttributeType=S",
        "AttributeName=email,AttributeType=S",
        "AttributeName=createdAt,AttributeType=N",
        "--key-schema",
        "AttributeName=id,KeyType=HASH",
        "--global-secondary-indexes",
        index,
        "--billing-mode",
        "PAY_PER_REQUEST",
    ])
    .await
    .expect("create-table");
    let described = cli.run(&["dynamodb", "describe-table", "--table-name", "TenantUsers"]).await.expect("describe");
    let given: Value = serde_json::from_str(index).unwrap();
    assert_eq!(described["Table"]["GlobalSecondaryIndexes"][0]["KeySchema"], given[0]["KeySchema"]);
    for item in [
        r#"{"id":{"S":"u1"},"tenantId":{"S":"acme"},"email":{"S":"ana@x.io"},"createdAt":{"N":"2"}}"#,
        r#"{"id":{"S":"u2"},"tenantId":{"S":"acme"},"email":{"S":"ana@x.io"},"createdAt":{"N":"1"}}"#,
        r#"{"id":{"S":"u3"},"tenantId":{"S":"initech"},"email":{"S":"ana@x.io"},"createdAt":{"N":"3"}}"#,
    ] {
        cli.run(&["dynamodb", "put-item", "--table-name", "TenantUsers", "--item", item]).await.expect("put-item");
    }
    let found = cli
        .run(&[
            "dynamodb",
            "query",
            "--table-name",
            "TenantUsers",
            "--index-name",
            "TenantEmailIndex",
            "--key-condition-expression",
            "tenantId = :t AND email = :e",
            "--expression-attribute-values",
            r#"{":t":{"S":"acme"},":e":{"S":"ana@x.io"}}"#,
        ])
        .await
        .expect("query");
    let found = items(&found);
    let ids: Vec<&str> = found.iter().map(|i| i["id"]["S"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["u2", "u1"], "one tenant's users with that email, oldest first");
}

/// A vector index through the CLI (botocore 1.43.64 carries VectorIndexes and
/// SearchVectors): created, described as given, and searched.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_round_trips_a_vector_index_and_searches_it() {
    let Some(cli) = Cli::start().await else { return };
    let index = r#"[{"IndexName":"by_meaning","VectorAttribute":{"AttributeName":"embedding"},"Dimensions":3,"DistanceFunction":"COSINE","Projection":{"ProjectionType":"KEYS_ONLY"}}]"#;
    cli.run(&[
        "dynamodb",
        "create-table",
        "--table-name",
        "Posts",
        "--attribute-definitions",
        "AttributeName=id,AttributeType=S",
        "--key-schema",
        "AttributeName=id,KeyType=HASH",
        "--billing-mode",
        "PAY_PER_REQUEST",
        "--vector-indexes",
        index,
    ])
    .await
    .expect("create-table");
    let described = cli.run(&["dynamodb", "describe-table", "--table-name", "Posts"]).await.expect("describe");
    let vectors = &described["Table"]["VectorIndexes"][0];
    assert_eq!(vectors["IndexName"], "by_meaning");
    assert_eq!(vectors["Dimensions"], 3);
    assert_eq!(vectors["DistanceFunction"], "COSINE");
    for item in [
        r#"{"id":{"S":"cats"},"embedding":{"L":[{"N":"1"},{"N":"0"},{"N":"0"}]}}"#,
        r#"{"id":{"S":"dogs"},"embedding":{"L":[{"N":"0.9"},{"N":"0.1"},{"N":"0"}]}}"#,
        r#"{"id":{"S":"taxes"},"embedding":{"L":[{"N":"0"},{"N":"0"},{"N":"1"}]}}"#,
    ] {
        cli.run(&["dynamodb", "put-item", "--table-name", "Posts", "--item", item]).await.expect("put-item");
    }
    let found = cli
        .run(&[
            "dynamodb",
            "search-vectors",
            "--table-name",
            "Posts",
            "--index-name",
            "by_meaning",
            "--search-vector",
            r#"[{"N":"1"},{"N":"0.05"},{"N":"0"}]"#,
            "--top-k",
            "2",
        ])
        .await
        .expect("search-vectors");
    let ids: Vec<&str> = found["SearchResults"]
        .as_array()
        .expect("SearchResults")
        .iter()
        .map(|r| r["Item"]["id"]["S"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["cats", "dogs"], "nearest first");
}

/// Global tables as the AWS CLI makes them: `update-table --replica-updates`,
/// then the replica read in its own region with `--region`.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_adds_a_replica_in_another_region() {
    let Some(cli) = Cli::start().await else { return };
    cli.create_on_demand("Users", "userId").await;
    let updated = cli
        .run(&[
            "dynamodb",
            "update-table",
            "--table-name",
            "Users",
            "--replica-updates",
            "Create={RegionName=eu-west-1}",
        ])
        .await
        .expect("update-table --replica-updates");
    assert_eq!(updated["TableDescription"]["GlobalTableVersion"], "2019.11.21");
    assert_eq!(
        updated["TableDescription"]["Replicas"],
        json!([{ "RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE" }])
    );
    let item = r#"{"userId":{"S":"u1"},"name":{"S":"Ada"}}"#;
    cli.run(&["dynamodb", "put-item", "--table-name", "Users", "--item", item]).await.expect("put-item");
    let replica = cli
        .run(&["dynamodb", "describe-table", "--table-name", "Users", "--region", "eu-west-1"])
        .await
        .expect("describe-table in eu-west-1");
    assert_eq!(replica["Table"]["Replicas"], json!([{ "RegionName": "us-east-1", "ReplicaStatus": "ACTIVE" }]));
    let got = cli
        .run(&[
            "dynamodb",
            "get-item",
            "--table-name",
            "Users",
            "--key",
            r#"{"userId":{"S":"u1"}}"#,
            "--region",
            "eu-west-1",
        ])
        .await
        .expect("get-item in eu-west-1");
    assert_eq!(got["Item"]["name"]["S"], "Ada");
}

/// The backup runbooks through the CLI, unchanged: back a table up, lose an
/// item, restore the backup into a new table; restore to a second before the
/// accident and to the latest restorable time; attach a resource policy.
#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_runs_the_backup_restore_and_policy_runbooks() {
    let Some(cli) = Cli::start().await else { return };
    cli.run(&[
        "dynamodb",
        "create-table",
        "--table-name",
        "forum-microservices-users-dev",
        "--attribute-definitions",
        "AttributeName=userId,AttributeType=S",
        "--key-schema",
        "AttributeName=userId,KeyType=HASH",
        "--billing-mode",
        "PAY_PER_REQUEST",
    ])
    .await
    .expect("create-table");
    let recovery = cli
        .run(&[
            "dynamodb",
            "update-continuous-backups",
            "--table-name",
            "forum-microservices-users-dev",
            "--point-in-time-recovery-specification",
            "PointInTimeRecoveryEnabled=true",
        ])
        .await
        .expect("update-continuous-backups");
    let pitr = &recovery["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
    assert_eq!(pitr["PointInTimeRecoveryStatus"], "ENABLED");
    for id in ["u1", "u2"] {
        let item = format!(r#"{{"userId":{{"S":"{id}"}}}}"#);
        cli.run(&["dynamodb", "put-item", "--table-name", "forum-microservices-users-dev", "--item", &item])
            .await
            .expect("put-item");
    }

    let created = cli
        .run(&[
            "dynamodb",
            "create-backup",
            "--table-name",
            "forum-microservices-users-dev",
            "--backup-name",
            "before-cleanup",
        ])
        .await
        .expect("create-backup");
    assert_eq!(created["BackupDetails"]["BackupStatus"], "CREATING");
    let backup_arn = created["BackupDetails"]["BackupArn"].as_str().expect("BackupArn").to_string();
    let described = cli.run(&["dynamodb", "describe-backup", "--backup-arn", &backup_arn]).await.expect("describe");
    assert_eq!(described["BackupDescription"]["BackupDetails"]["BackupStatus"], "AVAILABLE");
    let listed = cli
        .run(&["dynamodb", "list-backups", "--table-name", "forum-microservices-users-dev"])
        .await
        .expect("list-backups");
    assert_eq!(listed["BackupSummaries"][0]["BackupArn"], backup_arn.as_str());

    // A minute on, the accident; then six minutes, so the minute before it is restorable.
    cli.db.clock().advance(std::time::Duration::from_secs(60));
    // As the forum's README writes it: --restore-date-time 2024-11-23T10:00:00Z.
    let second = (cli.db.clock().now_millis() / 1000 - 1) as f64;
    let before_accident = format!("{}Z", cli.db.clock().stream_label(second).trim_end_matches(".000"));
    cli.run(&[
        "dynamodb",
        "delete-item",
        "--table-name",
        "forum-microservices-users-dev",
        "--key",
        r#"{"userId":{"S":"u1"}}"#,
    ])
    .await
    .expect("delete-item");
    cli.db.clock().advance(std::time::Duration::from_secs(360));

    let restored = cli
        .run(&[
            "dynamodb",
            "restore-table-from-backup",
            "--target-table-name",
            "forum-microservices-users-from-backup",
            "--backup-arn",
            &backup_arn,
        ])
        .await
        .expect("restore-table-from-backup");
    assert_eq!(restored["TableDescription"]["RestoreSummary"]["SourceBackupArn"], backup_arn.as_str());
    let at_second = cli
        .run(&[
            "dynamodb",
            "restore-table-to-point-in-time",
            "--source-table-name",
            "forum-microservices-users-dev",
            "--target-table-name",
            "forum-microservices-users-restored",
            "--restore-date-time",
            &before_accident,
            "--region",
            "us-east-1",
        ])
        .await
        .expect("restore-table-to-point-in-time");
    assert_eq!(at_second["TableDescription"]["TableName"], "forum-microservices-users-restored");
    cli.run(&[
        "dynamodb",
        "restore-table-to-point-in-time",
        "--source-table-name",
        "forum-microservices-users-dev",
        "--target-table-name",
        "forum-microservices-users-latest",
        "--use-latest-restorable-time",
    ])
    .await
    .expect("restore-table-to-point-in-time --use-latest-restorable-time");
    for (table, count) in [
        ("forum-microservices-users-from-backup", 2),
        ("forum-microservices-users-restored", 2),
        ("forum-microservices-users-latest", 1),
    ] {
        let scanned = cli.run(&["dynamodb", "scan", "--table-name", table, "--select", "COUNT"]).await.expect("scan");
        assert_eq!(scanned["Count"], count, "{table}");
    }

    let table_arn = described["BackupDescription"]["SourceTableDetails"]["TableArn"].as_str().expect("TableArn");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::000000000000:root"}},"Action":"dynamodb:GetItem","Resource":"{table_arn}"}}]}}"#
    );
    let put = cli
        .run(&["dynamodb", "put-resource-policy", "--resource-arn", table_arn, "--policy", &policy])
        .await
        .expect("put-resource-policy");
    let revision = put["RevisionId"].as_str().expect("RevisionId");
    let got = cli.run(&["dynamodb", "get-resource-policy", "--resource-arn", table_arn]).await.expect("get");
    assert_eq!((got["Policy"].as_str(), got["RevisionId"].as_str()), (Some(policy.as_str()), Some(revision)));
    let stale = cli
        .run(&[
            "dynamodb",
            "put-resource-policy",
            "--resource-arn",
            table_arn,
            "--policy",
            &policy,
            "--expected-revision-id",
            "1234",
        ])
        .await
        .unwrap_err();
    assert!(stale.contains("PolicyNotFoundException"), "{stale}");
}
