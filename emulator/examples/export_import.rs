//! ExportTableToPointInTime and ImportTable in process: a table of N items
//! of 200 bytes (the benchmark's shape) exported in DYNAMODB_JSON and ION
//! and imported back; prints each one's time and the data file's size.
//! `cargo run --release -p emulator --example export_import [items]`

mod support;

use emulator::state::State;
use serde_json::json;
use std::time::Instant;
use support::call;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let items: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let state = State::default();
    let s3 = std::env::temp_dir().join(format!("export-import-{}", std::process::id()));
    std::fs::create_dir_all(s3.join("bucket")).expect("bucket directory");
    state.transfers.set_s3_dir(Some(s3.clone()));
    call(&state, "CreateTable", &support::bench_table("source", false));
    let pitr = json!({"TableName": "source", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}});
    call(&state, "UpdateContinuousBackups", &pitr);
    support::load(&state, "source", items);
    for format in ["DYNAMODB_JSON", "ION"] {
        let began = Instant::now();
        let arn = state.table_arn("source");
        let export = json!({"TableArn": arn, "S3Bucket": "bucket", "S3Prefix": format, "ExportFormat": format});
        let exported = call(&state, "ExportTableToPointInTime", &export);
        let export_time = began.elapsed();
        let manifest = exported["ExportDescription"]["ExportArn"].as_str().unwrap_or_default().to_string();
        let described = call(&state, "DescribeExport", &json!({"ExportArn": manifest}));
        let summary = described["ExportDescription"]["ExportManifest"].as_str().unwrap_or_default();
        let data_dir = s3.join("bucket").join(summary.trim_end_matches("manifest-summary.json")).join("data");
        let bytes: u64 = std::fs::read_dir(&data_dir)
            .map_or(0, |d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum());
        let began = Instant::now();
        let mut import = json!({
            "S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": format!("{format}/")},
            "InputFormat": format, "InputCompressionType": "GZIP",
            "TableCreationParameters": support::bench_table(&format!("imported-{format}"), false),
        });
        import["TableCreationParameters"]["TableName"] = json!(format!("imported-{format}"));
        let imported = call(&state, "ImportTable", &import);
        let import_time = began.elapsed();
        let arn = imported["ImportTableDescription"]["ImportArn"].as_str().unwrap_or_default().to_string();
        let described = call(&state, "DescribeImport", &json!({"ImportArn": arn}));
        println!(
            "{format:>13}: {items} items exported in {:.0} ms ({:.1} MB gzip), imported in {:.0} ms ({} imported, {} errors)",
            export_time.as_secs_f64() * 1e3,
            bytes as f64 / 1e6,
            import_time.as_secs_f64() * 1e3,
            described["ImportTableDescription"]["ImportedItemCount"],
            described["ImportTableDescription"]["ErrorCount"],
        );
    }
    let _ = std::fs::remove_dir_all(&s3);
}
