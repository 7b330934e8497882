//! Exports to and imports from the directory standing for S3: a table
//! exported in DynamoDB JSON and in Ion and imported back item for item, an
//! incremental export's net changes with old and new images, CSV and ZSTD
//! imports, statuses on the clock, and the errors DynamoDB answers.

use crate::error_of;
use aws_sdk_dynamodb::operation::export_table_to_point_in_time::builders::ExportTableToPointInTimeFluentBuilder;
use aws_sdk_dynamodb::operation::import_table::builders::ImportTableFluentBuilder;
use aws_sdk_dynamodb::primitives::{Blob, DateTime};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as Av, BillingMode, CsvOptions, ExportFormat, ExportStatus, ExportType,
    ExportViewType, ImportStatus, IncrementalExportSpecification, InputCompressionType, InputFormat,
    InputFormatOptions, KeySchemaElement, KeyType, PointInTimeRecoverySpecification, S3BucketSource,
    ScalarAttributeType, TableCreationParameters, TableStatus,
};
use aws_sdk_dynamodb::Client;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

const ARN: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/";

/// An emulator with a directory standing for S3 holding the bucket `bucket`.
fn emulator_with_s3() -> (harness::Embedded, tempfile::TempDir) {
    let db = harness::embedded();
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir(dir.path().join("bucket")).expect("bucket");
    db.set_s3_dir(dir.path());
    (db, dir)
}

/// The table `name` as `creation` defines it, with point-in-time recovery if `pitr`.
async fn create(client: &Client, name: &str, pitr: bool) {
    let definition = creation(name);
    let create = client.create_table().table_name(name).billing_mode(BillingMode::PayPerRequest);
    let create = create.set_key_schema(Some(definition.key_schema().to_vec()));
    create.set_attribute_definitions(Some(definition.attribute_definitions)).send().await.expect("create table");
    if pitr {
        enable_recovery(client, name).await;
    }
}

async fn enable_recovery(client: &Client, name: &str) {
    let spec = PointInTimeRecoverySpecification::builder().point_in_time_recovery_enabled(true).build().unwrap();
    let update = client.update_continuous_backups().table_name(name);
    update.point_in_time_recovery_specification(spec).send().await.expect("enable recovery");
}

fn attribute(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder().attribute_name(name).attribute_type(kind).build().unwrap()
}

fn creation(name: &str) -> TableCreationParameters {
    TableCreationParameters::builder()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .key_schema(KeySchemaElement::builder().attribute_name("sk").key_type(KeyType::Range).build().unwrap())
        .attribute_definitions(attribute("pk", ScalarAttributeType::S))
        .attribute_definitions(attribute("sk", ScalarAttributeType::N))
        .build()
        .unwrap()
}

/// An export of `table` to `s3://bucket/prefix`.
fn export_to(client: &Client, table: &str, prefix: &str) -> ExportTableToPointInTimeFluentBuilder {
    client.export_table_to_point_in_time().table_arn(format!("{ARN}{table}")).s3_bucket("bucket").s3_prefix(prefix)
}

/// An import of `s3://bucket/prefix` in `format` into the new table `table` (keys `pk` S, `sk` N).
fn import_from(client: &Client, prefix: &str, format: InputFormat, table: &str) -> ImportTableFluentBuilder {
    let source = S3BucketSource::builder().s3_bucket("bucket").s3_key_prefix(prefix).build().unwrap();
    client.import_table().s3_bucket_source(source).input_format(format).table_creation_parameters(creation(table))
}

fn n(v: &str) -> Av {
    Av::N(v.to_string())
}

fn s(v: &str) -> Av {
    Av::S(v.to_string())
}

/// Items holding every attribute type, numbers at full precision, nesting.
fn every_type(i: usize) -> HashMap<String, Av> {
    let nested = Av::M(HashMap::from([
        ("list".to_string(), Av::L(vec![n("1.50"), s("two"), Av::Null(true), Av::Bool(false)])),
        ("deeper".to_string(), Av::M(HashMap::from([("ss".to_string(), Av::Ss(vec!["x".into(), "y".into()]))]))),
        ("quote \"and\" \\".to_string(), s("line\nbreak ü")),
    ]));
    HashMap::from([
        ("pk".to_string(), s(&format!("item-{i}"))),
        ("sk".to_string(), n(&i.to_string())),
        ("precise".to_string(), n("12345678901234567890123456789012345678")),
        ("small".to_string(), n("-0.000000000000000000000000000001")),
        ("big".to_string(), n("9.9999999999999999999999999999999999999E+125")),
        ("bin".to_string(), Av::B(Blob::new(vec![0u8, 1, 2, 255, i as u8]))),
        ("yes".to_string(), Av::Bool(true)),
        ("nothing".to_string(), Av::Null(true)),
        ("strings".to_string(), Av::Ss(vec!["a".into(), "b".into()])),
        ("numbers".to_string(), Av::Ns(vec!["1".into(), "2.5".into(), "-3E+2".into()])),
        ("blobs".to_string(), Av::Bs(vec![Blob::new(vec![1u8]), Blob::new(vec![2u8, 3])])),
        ("nested".to_string(), nested),
        ("empty".to_string(), Av::L(vec![])),
    ])
}

async fn scan_all(client: &Client, table: &str) -> Vec<HashMap<String, Av>> {
    let out = client.scan().table_name(table).send().await.expect("scan");
    let mut items = out.items().to_vec();
    items.sort_by_key(|i| i["sk"].as_n().unwrap().parse::<i64>().unwrap());
    items
}

fn read_gz(path: &Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("data file"))
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

/// The export's summary manifest and its data files' text.
fn export_files(root: &Path, manifest_key: &str) -> (Value, Vec<String>) {
    let bucket = root.join("bucket");
    let summary: Value = serde_json::from_slice(&std::fs::read(bucket.join(manifest_key)).unwrap()).unwrap();
    let files_key = summary["manifestFilesS3Key"].as_str().unwrap();
    let files = std::fs::read_to_string(bucket.join(files_key)).unwrap();
    let data = files
        .lines()
        .map(|line| {
            let entry: Value = serde_json::from_str(line).unwrap();
            let path = bucket.join(entry["dataFileS3Key"].as_str().unwrap());
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(entry["etag"].as_str().unwrap().len(), 32, "an MD5 in hex");
            assert!(!bytes.is_empty());
            read_gz(&path)
        })
        .collect();
    (summary, data)
}

#[tokio::test]
async fn a_table_exported_in_dynamodb_json_and_ion_imports_back_item_for_item() {
    let (db, dir) = emulator_with_s3();
    let client = db.client();
    create(&client, "source", true).await;
    for i in 0..12 {
        client.put_item().table_name("source").set_item(Some(every_type(i))).send().await.expect("put");
    }
    let original = scan_all(&client, "source").await;
    for (format, prefix, table) in
        [(ExportFormat::DynamodbJson, "exports/json", "from-json"), (ExportFormat::Ion, "exports/ion", "from-ion")]
    {
        let out = export_to(&client, "source", prefix).export_format(format.clone()).send().await.expect("export");
        let export = out.export_description().unwrap();
        assert_eq!(export.export_status(), Some(&ExportStatus::InProgress));
        let described = client.describe_export().export_arn(export.export_arn().unwrap()).send().await.unwrap();
        let described = described.export_description().unwrap().clone();
        assert_eq!(described.export_status(), Some(&ExportStatus::Completed));
        assert_eq!((described.item_count(), described.export_type()), (Some(12), Some(&ExportType::FullExport)));
        assert!(described.billed_size_bytes().unwrap() > 0 && described.end_time().is_some());
        let manifest = described.export_manifest().unwrap();
        let export_dir = manifest.trim_end_matches("manifest-summary.json");
        for file in ["_started", "manifest-summary.checksum", "manifest-files.json", "manifest-files.checksum"] {
            assert!(dir.path().join("bucket").join(export_dir).join(file).is_file(), "{file}");
        }
        let (summary, data) = export_files(dir.path(), manifest);
        assert_eq!(summary["itemCount"], 12);
        assert_eq!(summary["exportArn"].as_str(), export.export_arn());
        assert_eq!(summary["s3Prefix"], prefix);
        let text = data.concat();
        if format == ExportFormat::Ion {
            assert!(text.starts_with("$ion_1_0 {Item:{"), "{text}");
            assert!(text.contains("strings:$dynamodb_SS::[\"a\",\"b\"]"), "{text}");
        } else {
            assert_eq!(text.lines().count(), 12);
            assert!(text.lines().all(|l| l.starts_with("{\"Item\":{")));
        }

        let format = if format == ExportFormat::Ion { InputFormat::Ion } else { InputFormat::DynamodbJson };
        let import = import_from(&client, &format!("{prefix}/"), format, table);
        let import = import.input_compression_type(InputCompressionType::Gzip).send().await.expect("import");
        let import = import.import_table_description().unwrap();
        assert_eq!(import.import_status(), Some(&ImportStatus::InProgress));
        let described = client.describe_import().import_arn(import.import_arn().unwrap()).send().await.unwrap();
        let described = described.import_table_description().unwrap().clone();
        assert_eq!(described.import_status(), Some(&ImportStatus::Completed));
        assert_eq!(
            (described.imported_item_count(), described.processed_item_count(), described.error_count()),
            (12, 12, 0)
        );
        assert!(described.processed_size_bytes().unwrap() > 0);
        assert_eq!(scan_all(&client, table).await, original, "{table}");
    }
}

#[tokio::test]
async fn an_incremental_export_holds_each_items_net_change_with_old_and_new_images() {
    let (db, dir) = emulator_with_s3();
    let client = db.client();
    create(&client, "orders", true).await;
    let put = |pk: &'static str, v: &'static str| {
        client.put_item().table_name("orders").item("pk", s(pk)).item("sk", n("1")).item("v", s(v)).send()
    };
    for pk in ["a", "b", "c"] {
        put(pk, "first").await.unwrap();
    }
    db.clock().advance(Duration::from_secs(60));
    let from = db.clock().now_millis();
    db.clock().advance(Duration::from_secs(1));
    put("a", "second").await.unwrap();
    put("a", "third").await.unwrap();
    client.delete_item().table_name("orders").key("pk", s("b")).key("sk", n("1")).send().await.unwrap();
    put("d", "new").await.unwrap();
    put("e", "brief").await.unwrap();
    client.delete_item().table_name("orders").key("pk", s("e")).key("sk", n("1")).send().await.unwrap();
    db.clock().advance(Duration::from_secs(20 * 60));
    let to = db.clock().now_millis();
    db.clock().advance(Duration::from_secs(60));
    put("c", "after the window").await.unwrap();

    let spec = |from: i64, to: i64| {
        IncrementalExportSpecification::builder()
            .export_from_time(DateTime::from_millis(from))
            .export_to_time(DateTime::from_millis(to))
            .export_view_type(ExportViewType::NewAndOldImages)
            .build()
    };
    let incremental = |from: i64, to: i64| {
        let export = export_to(&client, "orders", "incremental").export_type(ExportType::IncrementalExport);
        export.incremental_export_specification(spec(from, to)).send()
    };
    let out = incremental(from, to).await.expect("incremental export");
    let arn = out.export_description().unwrap().export_arn().unwrap().to_string();
    let described = client.describe_export().export_arn(&arn).send().await.unwrap();
    let described = described.export_description().unwrap().clone();
    assert_eq!((described.item_count(), described.export_type()), (Some(3), Some(&ExportType::IncrementalExport)));
    let (summary, data) = export_files(dir.path(), described.export_manifest().unwrap());
    assert_eq!(
        (summary["exportType"].as_str(), summary["outputView"].as_str()),
        (Some("INCREMENTAL_EXPORT"), Some("NEW_AND_OLD_IMAGES"))
    );
    assert!(summary["manifestFilesS3Key"].as_str().unwrap().starts_with("incremental/AWSDynamoDB/"));
    let lines: Vec<Value> = data.concat().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let by_key = |pk: &str| lines.iter().find(|l| l["Keys"]["pk"]["S"] == pk).cloned();
    let a = by_key("a").expect("a changed");
    assert_eq!((&a["OldImage"]["v"]["S"], &a["NewImage"]["v"]["S"]), (&Value::from("first"), &Value::from("third")));
    assert!(a["Metadata"]["WriteTimestampMicros"]["N"].as_str().unwrap().parse::<i64>().unwrap() > from * 1000);
    let b = by_key("b").expect("b deleted");
    assert_eq!((b["OldImage"]["v"]["S"].as_str(), b.get("NewImage")), (Some("first"), None));
    let d = by_key("d").expect("d created");
    assert_eq!((d.get("OldImage"), d["NewImage"]["v"]["S"].as_str()), (None, Some("new")));
    assert!(by_key("c").is_none() && by_key("e").is_none(), "{lines:?}");

    // The window's rules: at least 15 minutes, within the recovery window.
    let (code, message) = error_of(incremental(to - 60_000, to).await);
    assert_eq!(code, "ValidationException", "{message}");
    assert!(message.contains("15 minutes"), "{message}");
    let (code, _) = error_of(incremental(from - 3_600_000, to).await);
    assert_eq!(code, "InvalidExportTimeException");
}

#[tokio::test]
async fn csv_and_zstd_imports_type_key_attributes_and_count_bad_lines() {
    let (db, dir) = emulator_with_s3();
    let client = db.client();
    let csv = "pk;sk;note;count;blank\na;1;first;10;\n\"b;quoted\";2;\"multi\nline\";20;x\nc;not-a-number;bad;1;\n;3;no key;1;\nd;4;fourth;;\n";
    let compressed = ruzstd::encoding::compress_to_vec(csv.as_bytes(), ruzstd::encoding::CompressionLevel::Fastest);
    std::fs::create_dir_all(dir.path().join("bucket/csv/part")).unwrap();
    std::fs::write(dir.path().join("bucket/csv/part/one.csv.zst"), compressed).unwrap();
    let options = InputFormatOptions::builder().csv(CsvOptions::builder().delimiter(";").build()).build();
    let import = import_from(&client, "csv/", InputFormat::Csv, "from-csv").input_format_options(options);
    let out = import.input_compression_type(InputCompressionType::Zstd).send().await.expect("import");
    let arn = out.import_table_description().unwrap().import_arn().unwrap().to_string();
    let described = client.describe_import().import_arn(&arn).send().await.unwrap();
    let described = described.import_table_description().unwrap().clone();
    assert_eq!((described.processed_item_count(), described.imported_item_count(), described.error_count()), (5, 3, 2));
    let items = scan_all(&client, "from-csv").await;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["count"], s("10"), "only key attributes are typed");
    assert_eq!(items[1]["pk"], s("b;quoted"));
    assert_eq!(items[1]["note"], s("multi\nline"));
    assert!(!items[0].contains_key("blank") && !items[2].contains_key("count"), "empty values are left out");

    // A header list and no compression; the table's sort key typed as a number.
    std::fs::write(dir.path().join("bucket/plain.csv"), "x,7,hello\n").unwrap();
    let options = InputFormatOptions::builder()
        .csv(CsvOptions::builder().header_list("pk").header_list("sk").header_list("greeting").build())
        .build();
    let import = import_from(&client, "plain.csv", InputFormat::Csv, "from-header-list");
    import.input_format_options(options).send().await.expect("import");
    let items = scan_all(&client, "from-header-list").await;
    assert_eq!((items[0]["sk"].clone(), items[0]["greeting"].clone()), (n("7"), s("hello")));
}

#[tokio::test]
async fn statuses_follow_the_clock_and_lists_page() {
    let (db, _dir) = emulator_with_s3();
    let client = db.client();
    create(&client, "paged", true).await;
    client.put_item().table_name("paged").item("pk", s("a")).item("sk", n("1")).send().await.unwrap();
    db.set_status_delay(Duration::from_secs(30));
    let mut arns = Vec::new();
    for prefix in ["one", "two", "three"] {
        let out = export_to(&client, "paged", prefix).send().await.unwrap();
        arns.push(out.export_description().unwrap().export_arn().unwrap().to_string());
    }
    let status = |arn: String| {
        let client = client.clone();
        async move {
            let out = client.describe_export().export_arn(arn).send().await.unwrap();
            out.export_description().unwrap().export_status().cloned().unwrap()
        }
    };
    assert_eq!(status(arns[0].clone()).await, ExportStatus::InProgress);
    let in_progress = client.describe_export().export_arn(&arns[0]).send().await.unwrap();
    let in_progress = in_progress.export_description().unwrap();
    assert!(
        in_progress.item_count().is_none()
            && in_progress.export_manifest().is_none()
            && in_progress.end_time().is_none()
    );
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_exports()
            .table_arn(format!("{ARN}paged"))
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.export_summaries().len() <= 2);
        listed.extend(page.export_summaries().iter().map(|e| e.export_arn().unwrap().to_string()));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(listed, arns);

    let import = import_from(&client, "one/", InputFormat::DynamodbJson, "imported");
    let import = import.input_compression_type(InputCompressionType::Gzip).send().await.unwrap();
    let import_arn = import.import_table_description().unwrap().import_arn().unwrap().to_string();
    let table = client.describe_table().table_name("imported").send().await.unwrap();
    assert_eq!(table.table().unwrap().table_status(), Some(&TableStatus::Creating));

    db.clock().advance(Duration::from_secs(31));
    assert_eq!(status(arns[0].clone()).await, ExportStatus::Completed);
    let described = client.describe_import().import_arn(&import_arn).send().await.unwrap();
    let described = described.import_table_description().unwrap().clone();
    assert_eq!((described.import_status(), described.imported_item_count()), (Some(&ImportStatus::Completed), 1));
    let table = client.describe_table().table_name("imported").send().await.unwrap();
    assert_eq!(table.table().unwrap().table_status(), Some(&TableStatus::Active));
    let imports = client.list_imports().page_size(1).send().await.unwrap();
    assert_eq!(imports.import_summary_list().len(), 1);
    assert!(imports.next_token().is_none());
}

#[tokio::test]
async fn exports_and_imports_answer_dynamodbs_errors() {
    let db = harness::embedded();
    let client = db.client();
    create(&client, "plain", false).await;
    let export = |table: &str, bucket: &str| {
        client.export_table_to_point_in_time().table_arn(format!("{ARN}{table}")).s3_bucket(bucket).send()
    };
    let (code, message) = error_of(export("plain", "bucket").await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("--s3-dir"), "{message}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bucket")).unwrap();
    db.set_s3_dir(dir.path());
    assert_eq!(error_of(export("plain", "bucket").await).0, "PointInTimeRecoveryUnavailableException");
    assert_eq!(error_of(export("missing", "bucket").await).0, "TableNotFoundException");
    assert_eq!(error_of(export("plain", "-bad-").await).0, "ValidationException");
    create(&client, "recovered", true).await;
    let future = client
        .export_table_to_point_in_time()
        .table_arn(format!("{ARN}recovered"))
        .s3_bucket("bucket")
        .export_time(DateTime::from_millis(db.clock().now_millis() + 3_600_000))
        .send()
        .await;
    assert_eq!(error_of(future).0, "InvalidExportTimeException");

    // A bucket that does not exist fails the export.
    let failed = export("recovered", "no-such-bucket").await.unwrap();
    let arn = failed.export_description().unwrap().export_arn().unwrap();
    let failed = client.describe_export().export_arn(arn).send().await.unwrap();
    let failed = failed.export_description().unwrap();
    assert_eq!((failed.export_status(), failed.failure_code()), (Some(&ExportStatus::Failed), Some("S3NoSuchBucket")));

    // ClientToken: the same request is the same export; other parameters conflict.
    let with_token = |prefix: &str| export_to(&client, "recovered", prefix).client_token("token-1").send();
    let first = with_token("a").await.unwrap().export_description().unwrap().export_arn().unwrap().to_string();
    let again = with_token("a").await.unwrap().export_description().unwrap().export_arn().unwrap().to_string();
    assert_eq!(first, again);
    assert_eq!(error_of(with_token("b").await).0, "ExportConflictException");

    let unknown = format!("{ARN}recovered/export/01700000000000-00000000");
    assert_eq!(error_of(client.describe_export().export_arn(unknown).send().await).0, "ExportNotFoundException");
    let unknown = format!("{ARN}recovered/import/01700000000000-00000000");
    assert_eq!(error_of(client.describe_import().import_arn(unknown).send().await).0, "ImportNotFoundException");
    assert_eq!(error_of(client.list_exports().max_results(26).send().await).0, "ValidationException");

    let import = |table: &str, prefix: &str| import_from(&client, prefix, InputFormat::DynamodbJson, table).send();
    assert_eq!(error_of(import("recovered", "a/").await).0, "ResourceInUseException");
    // Checked as CreateTable checks it.
    let bad = TableCreationParameters::builder()
        .table_name("undefined-key")
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .attribute_definitions(attribute("other", ScalarAttributeType::S))
        .build()
        .unwrap();
    let bad = import_from(&client, "", InputFormat::DynamodbJson, "unused").table_creation_parameters(bad).send().await;
    assert_eq!(error_of(bad).0, "ValidationException");
    // Nothing under the prefix: the import fails and creates no table.
    let empty = import("from-nothing", "nothing/").await.unwrap();
    let arn = empty.import_table_description().unwrap().import_arn().unwrap();
    let empty = client.describe_import().import_arn(arn).send().await.unwrap();
    assert_eq!(empty.import_table_description().unwrap().import_status(), Some(&ImportStatus::Failed));
    assert_eq!(
        error_of(client.describe_table().table_name("from-nothing").send().await).0,
        "ResourceNotFoundException"
    );
    // ClientToken: the same import again is the same import; other parameters conflict.
    let with_token = |prefix: &str| {
        import_from(&client, prefix, InputFormat::DynamodbJson, "tokened").client_token("import-token").send()
    };
    let first = with_token("a/").await.unwrap().import_table_description().unwrap().import_arn().unwrap().to_string();
    let again = with_token("a/").await.unwrap().import_table_description().unwrap().import_arn().unwrap().to_string();
    assert_eq!(first, again);
    assert_eq!(error_of(with_token("b/").await).0, "ImportConflictException");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_cli_exports_and_imports_unchanged() {
    let Some(cli) = tokio::task::spawn_blocking(harness::aws_cli).await.expect("install thread") else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir(dir.path().join("bucket")).expect("bucket");
    let db = harness::builder().s3_dir(dir.path()).start().await;
    let client = db.client();
    create(&client, "cli-source", true).await;
    for i in 0..3 {
        client.put_item().table_name("cli-source").set_item(Some(every_type(i))).send().await.expect("put");
    }
    let endpoint = db.endpoint().to_string();
    // The CLI is a blocking process: the whole runbook runs on one blocking thread.
    let answers = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| cli.run(&endpoint, args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let table_arn = format!("{ARN}cli-source");
        let exported = run(&[
            "dynamodb", "export-table-to-point-in-time", "--table-arn", &table_arn, "--s3-bucket", "bucket",
            "--s3-prefix", "cli", "--export-format", "ION",
        ]);
        let export_arn = exported["ExportDescription"]["ExportArn"].as_str().expect("export arn").to_string();
        let export = run(&["dynamodb", "describe-export", "--export-arn", &export_arn]);
        let parameters = r#"{"TableName":"cli-imported","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}"#;
        let imported = run(&[
            "dynamodb", "import-table", "--s3-bucket-source", "S3Bucket=bucket,S3KeyPrefix=cli/", "--input-format",
            "ION", "--input-compression-type", "GZIP", "--table-creation-parameters", parameters,
        ]);
        let import_arn = imported["ImportTableDescription"]["ImportArn"].as_str().expect("import arn").to_string();
        let import = run(&["dynamodb", "describe-import", "--import-arn", &import_arn]);
        let listed = run(&["dynamodb", "list-imports", "--table-arn", &format!("{ARN}cli-imported")]);
        (export, import, listed)
    })
    .await
    .expect("cli thread");
    let (export, import, listed) = answers;
    assert_eq!(export["ExportDescription"]["ExportStatus"], "COMPLETED");
    assert_eq!(export["ExportDescription"]["ItemCount"], 3);
    assert_eq!(import["ImportTableDescription"]["ImportedItemCount"], 3);
    assert_eq!(listed["ImportSummaryList"].as_array().map(Vec::len), Some(1));
    assert_eq!(scan_all(&client, "cli-imported").await, scan_all(&client, "cli-source").await);
}

#[tokio::test]
async fn at_most_fifty_imports_and_three_hundred_exports_run_at_once() {
    let (db, _dir) = emulator_with_s3();
    let client = db.client();
    create(&client, "busy", true).await;
    db.set_status_delay(Duration::from_secs(60));
    // Nothing to read: each import fails, after a minute in progress.
    for i in 0..50 {
        import_from(&client, "nothing/", InputFormat::Csv, &format!("busy-{i}")).send().await.expect("import");
    }
    let one_more = import_from(&client, "nothing/", InputFormat::Csv, "busy-50");
    let (code, _) = error_of(one_more.clone().send().await);
    assert_eq!(code, "LimitExceededException");
    // A missing bucket fails each export, after a minute in progress.
    let export = || client.export_table_to_point_in_time().table_arn(format!("{ARN}busy")).s3_bucket("no-bucket");
    for _ in 0..300 {
        export().send().await.expect("export");
    }
    assert_eq!(error_of(export().send().await).0, "LimitExceededException");
    db.clock().advance(Duration::from_secs(61));
    export().send().await.expect("export once the others are done");
    one_more.send().await.expect("import once the others are done");
}

/// The forum's migration runbook: export the users table, import it into a
/// new table that adds an index, and read the new index at once.
#[tokio::test]
async fn a_migration_imports_an_export_into_a_table_with_a_new_index() {
    use aws_sdk_dynamodb::types::{GlobalSecondaryIndex, Projection, ProjectionType};
    let (db, _dir) = emulator_with_s3();
    let client = db.client();
    db.create_tables(
        r#"{"TableName": "forum-users", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}]}"#,
    )
    .expect("users table");
    enable_recovery(&client, "forum-users").await;
    for (id, email) in [("u1", "ana@example.com"), ("u2", "bo@example.com"), ("u3", "cy@example.com")] {
        let put = client.put_item().table_name("forum-users").item("userId", s(id)).item("email", s(email));
        put.send().await.expect("put");
    }
    let export = client.export_table_to_point_in_time().table_arn(format!("{ARN}forum-users"));
    export.s3_bucket("bucket").s3_prefix("migration").send().await.expect("export");

    let index = GlobalSecondaryIndex::builder()
        .index_name("EmailIndex")
        .key_schema(KeySchemaElement::builder().attribute_name("email").key_type(KeyType::Hash).build().unwrap())
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .unwrap();
    let parameters = TableCreationParameters::builder()
        .table_name("forum-users-v2")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(KeySchemaElement::builder().attribute_name("userId").key_type(KeyType::Hash).build().unwrap())
        .attribute_definitions(attribute("userId", ScalarAttributeType::S))
        .attribute_definitions(attribute("email", ScalarAttributeType::S))
        .global_secondary_indexes(index)
        .build()
        .unwrap();
    let source = S3BucketSource::builder().s3_bucket("bucket").s3_key_prefix("migration/").build().unwrap();
    let import = client.import_table().s3_bucket_source(source).input_format(InputFormat::DynamodbJson);
    let import = import.input_compression_type(InputCompressionType::Gzip).table_creation_parameters(parameters);
    import.send().await.expect("import");
    let found = client
        .query()
        .table_name("forum-users-v2")
        .index_name("EmailIndex")
        .key_condition_expression("email = :e")
        .expression_attribute_values(":e", s("bo@example.com"))
        .send()
        .await
        .expect("query the new index");
    assert_eq!(found.items().len(), 1);
    assert_eq!(found.items()[0]["userId"], s("u2"));
    // The new table holds exactly the old one's items.
    let by_id = |mut items: Vec<HashMap<String, Av>>| {
        items.sort_by(|a, b| a["userId"].as_s().unwrap().cmp(b["userId"].as_s().unwrap()));
        items
    };
    let old = client.scan().table_name("forum-users").send().await.expect("scan the old table");
    let new = client.scan().table_name("forum-users-v2").send().await.expect("scan the new table");
    assert_eq!(by_id(new.items().to_vec()), by_id(old.items().to_vec()));
    assert_eq!(new.count(), 3);
}
