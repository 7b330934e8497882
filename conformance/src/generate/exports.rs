//! `Exports.json`: ExportTableToPointInTime, DescribeExport, ListExports,
//! ImportTable, DescribeImport and ListImports, as far as they answer
//! without a directory standing for S3: the SDK model's constraints
//! (API reference: API_ExportTableToPointInTime, API_ImportTable,
//! API_ListExports, API_ListImports, API_IncrementalExportSpecification,
//! API_CsvOptions), missing exports and imports, empty lists.
//!
//! DynamoDB Local has none of these operations, so these answers are the
//! emulator's, recorded under the `exports-and-imports` entry of
//! `known.json`. Exports and imports that write and read files are tested
//! through the SDK (tests/sdk/exports.rs).

use super::create;
use crate::scenario::Scenario;
use serde_json::{json, Value};

const TABLE_ARN: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/$Pt";

fn export(extra: Value) -> Value {
    let mut body = json!({"TableArn": TABLE_ARN, "S3Bucket": "bucket"});
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

fn import(extra: Value) -> Value {
    let mut body = json!({
        "S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": "data/"},
        "InputFormat": "DYNAMODB_JSON",
        "TableCreationParameters": create("$Pi", ("pk", "S"), None),
    });
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            "Exports/export-required-members",
            "TableArn and S3Bucket are required (API_ExportTableToPointInTime)",
        )
        .step("ExportTableToPointInTime", json!({}))
        .step("ExportTableToPointInTime", json!({"TableArn": TABLE_ARN})),
        Scenario::new(
            "Exports/export-enums",
            "ExportFormat, ExportType, S3SseAlgorithm and ExportViewType take the model's values (API_ExportTableToPointInTime, API_IncrementalExportSpecification)",
        )
        .step("ExportTableToPointInTime", export(json!({"ExportFormat": "CSV"})))
        .step("ExportTableToPointInTime", export(json!({"ExportType": "PARTIAL_EXPORT", "S3SseAlgorithm": "NONE"})))
        .step(
            "ExportTableToPointInTime",
            export(json!({"ExportType": "INCREMENTAL_EXPORT", "IncrementalExportSpecification": {"ExportViewType": "OLD_IMAGE"}})),
        ),
        Scenario::new(
            "Exports/export-bucket-owner-and-token-patterns",
            "S3Bucket, S3BucketOwner (12 digits) and ClientToken (no '$') follow the model's patterns; S3Prefix at most 1024 characters",
        )
        .step("ExportTableToPointInTime", export(json!({"S3Bucket": "-bad-"})))
        .step("ExportTableToPointInTime", export(json!({"S3BucketOwner": "1234"})))
        .step("ExportTableToPointInTime", export(json!({"ClientToken": "a$b"})))
        .step("ExportTableToPointInTime", export(json!({"S3Prefix": "p".repeat(1025), "S3SseKmsKeyId": ""}))),
        Scenario::new(
            "Exports/incremental-export-needs-a-from-time",
            "An incremental export names the start of its window (API_IncrementalExportSpecification)",
        )
        .step("ExportTableToPointInTime", export(json!({"ExportType": "INCREMENTAL_EXPORT"})))
        .step(
            "ExportTableToPointInTime",
            export(json!({"ExportType": "INCREMENTAL_EXPORT", "IncrementalExportSpecification": {"ExportToTime": 1700000000}})),
        ),
        Scenario::new(
            "Exports/describe-export-not-found",
            "DescribeExport of an ARN no export has is ExportNotFoundException; the ARN is required, 37 to 1024 characters (API_DescribeExport)",
        )
        .step("DescribeExport", json!({"ExportArn": format!("{TABLE_ARN}/export/01700000000000-0a1b2c3d")}))
        .step("DescribeExport", json!({}))
        .step("DescribeExport", json!({"ExportArn": "arn:short"})),
        Scenario::new("Exports/list-exports", "ListExports of a table without exports is empty; MaxResults is 1 to 25 (API_ListExports)")
            .step("ListExports", json!({"TableArn": TABLE_ARN}))
            .step("ListExports", json!({"TableArn": TABLE_ARN, "MaxResults": 0}))
            .step("ListExports", json!({"MaxResults": 26})),
        Scenario::new(
            "Exports/import-required-members",
            "S3BucketSource (with S3Bucket), InputFormat and TableCreationParameters are required (API_ImportTable)",
        )
        .step("ImportTable", json!({}))
        .step("ImportTable", json!({"S3BucketSource": {}, "InputFormat": "ION", "TableCreationParameters": create("$Pi", ("pk", "S"), None)})),
        Scenario::new(
            "Exports/import-enums-and-csv-options",
            "InputFormat, InputCompressionType and the CSV delimiter take the model's values (API_ImportTable, API_CsvOptions)",
        )
        .step("ImportTable", import(json!({"InputFormat": "XML", "InputCompressionType": "BZIP2"})))
        .step("ImportTable", import(json!({"InputFormat": "CSV", "InputFormatOptions": {"Csv": {"Delimiter": "ab"}}})))
        .step("ImportTable", import(json!({"InputFormat": "CSV", "InputFormatOptions": {"Csv": {"Delimiter": "#"}}})))
        .step("ImportTable", import(json!({"S3BucketSource": {"S3Bucket": "bucket", "S3BucketOwner": "owner"}}))),
        Scenario::new(
            "Exports/describe-import-not-found",
            "DescribeImport of an ARN no import has is ImportNotFoundException (API_DescribeImport)",
        )
        .step("DescribeImport", json!({"ImportArn": format!("{TABLE_ARN}/import/01700000000000-0a1b2c3d")}))
        .step("DescribeImport", json!({})),
        Scenario::new("Exports/list-imports", "ListImports of a table without imports is empty; PageSize is 1 to 25 (API_ListImports)")
            .step("ListImports", json!({"TableArn": TABLE_ARN}))
            .step("ListImports", json!({"PageSize": 26})),
        Scenario::new(
            "Exports/export-kms-key-needs-kms",
            "S3SseKmsKeyId only with S3SseAlgorithm KMS, in DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue)",
        )
        .step("ExportTableToPointInTime", export(json!({"S3SseAlgorithm": "AES256", "S3SseKmsKeyId": "alias/exports"})))
        .step("ExportTableToPointInTime", export(json!({"S3SseKmsKeyId": "alias/exports"}))),
        Scenario::new(
            "Exports/import-options-only-for-csv",
            "InputFormatOptions only for CSV, in DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue)",
        )
        .step("ImportTable", import(json!({"InputFormatOptions": {"Csv": {"Delimiter": ";"}}})))
        .step("ImportTable", import(json!({"InputFormat": "ION", "InputFormatOptions": {"Csv": {"Delimiter": ";"}}}))),
        Scenario::new(
            "Exports/list-bad-next-token",
            "a NextToken no list gave, in DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue)",
        )
        .step("ListExports", json!({"NextToken": "zz"}))
        .step("ListImports", json!({"NextToken": "zz"})),
    ]
}
