//! ImportTable, DescribeImport and ListImports: a new table created from
//! the objects under a key prefix of the directory standing for S3 (an
//! export's data files, or DynamoDB JSON, Ion or CSV files), as the
//! developer guide's "Importing data from Amazon S3 to DynamoDB" describes.
//!
//! The table is checked as CreateTable checks it (`create_table::new_table_def`)
//! and created at once with every item that reads, CREATING for the status
//! delay; the import is IN_PROGRESS as long, then COMPLETED. An item that
//! does not read (bad JSON or Ion, a missing key attribute or one of the
//! wrong type, too large) is counted in `ErrorCount` and skipped: DynamoDB
//! logs it to CloudWatch, the emulator as a warning naming object and line.
//! An import with no object to read fails (FAILED) and creates no table.

use super::import_formats::{self as formats, Compression};
use super::transfers::{self as shared, conflict, seconds, TOKEN_MILLIS};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{describe, Input, Violations};
use crate::state::transfers::Transfer;
use crate::state::State;
use crate::storage::{TableData, TableDef, TableState};
use crate::types::item_from_json;
use serde_json::{json, Map, Value};

/// The delimiters the model allows (`[,;:|\t ]`).
const DELIMITERS: &[char] = &[',', ';', ':', '|', '\t', ' '];

/// An ImportTable request, checked.
struct ImportRequest<'a> {
    bucket: &'a str,
    prefix: &'a str,
    format: &'a str,
    compression: Compression,
    delimiter: char,
    headers: Option<Vec<String>>,
    creation: Input<'a>,
    client_token: Option<String>,
}

impl<'a> ImportRequest<'a> {
    fn read(input: &Input<'a>) -> ApiResult<ImportRequest<'a>> {
        let mut v = Violations::new();
        let source = input.object("S3BucketSource")?;
        v.not_null("s3BucketSource", &source);
        let source = source.unwrap_or(Input::empty());
        if input.has("S3BucketSource") {
            shared::check_bucket(&mut v, &source, "s3BucketSource.s3Bucket", "s3BucketSource.s3BucketOwner")?;
        }
        let prefix = source.str("S3KeyPrefix")?;
        v.length("s3BucketSource.s3KeyPrefix", prefix, 0, 1024);
        let format = input.str("InputFormat")?;
        v.not_null("inputFormat", &format);
        v.one_of("inputFormat", format, &["DYNAMODB_JSON", "ION", "CSV"]);
        let compression = input.str("InputCompressionType")?;
        v.one_of("inputCompressionType", compression, &["GZIP", "ZSTD", "NONE"]);
        let csv = match input.object("InputFormatOptions")? {
            Some(options) => options.object("Csv")?,
            None => None,
        };
        let csv = csv.unwrap_or(Input::empty());
        let delimiter = csv.str("Delimiter")?;
        v.length("inputFormatOptions.csv.delimiter", delimiter, 1, 1);
        if let Some(d) = delimiter.filter(|d| d.chars().count() == 1 && !d.starts_with(DELIMITERS)) {
            v.add(
                describe(Some(d)),
                "inputFormatOptions.csv.delimiter",
                "Member must satisfy regular expression pattern: [,;:|\\t ]",
            );
        }
        let headers = csv.strings("HeaderList")?;
        if let Some(h) = &headers {
            if h.is_empty() || h.len() > 255 {
                v.add_unechoed("inputFormatOptions.csv.headerList", "Member must have length between 1 and 255");
            }
            if let Some(bad) = h.iter().find(|h| h.is_empty() || h.chars().count() > 65536) {
                v.add(
                    describe(Some(bad)),
                    "inputFormatOptions.csv.headerList.member",
                    "Member must have length between 1 and 65536",
                );
            }
        }
        let creation = input.object("TableCreationParameters")?;
        v.not_null("tableCreationParameters", &creation);
        let client_token = shared::client_token(&mut v, input)?;
        v.finish()?;
        // Options for CSV only, in DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue).
        if let Some(other) = format.filter(|f| *f != "CSV" && input.has("InputFormatOptions")) {
            return Err(ApiError::validation(format!(
                "Invalid Request: Unsupported InputFormatOptions for the given input format: {other}."
            )));
        }
        Ok(ImportRequest {
            bucket: source.str("S3Bucket")?.unwrap_or_default(),
            prefix: prefix.unwrap_or_default(),
            format: format.unwrap_or_default(),
            compression: match compression {
                Some("GZIP") => Compression::Gzip,
                Some("ZSTD") => Compression::Zstd,
                _ => Compression::None,
            },
            delimiter: delimiter.and_then(|d| d.chars().next()).unwrap_or(','),
            headers,
            creation: creation.unwrap_or(Input::empty()),
            client_token,
        })
    }
}

/// What reading the objects gave.
#[derive(Default)]
struct Outcome {
    processed: u64,
    imported: u64,
    errors: u64,
    bytes: u64,
}

pub fn import_table(state: &State, input: Input) -> ApiResult<Value> {
    let request = ImportRequest::read(&input)?;
    let root = shared::s3_root(state)?;
    let now = state.clock.now_millis();
    let parameters = Value::Object(
        input.fields().filter(|(k, _)| *k != "ClientToken").map(|(k, v)| (k.clone(), v.clone())).collect(),
    );
    if let Some(token) = &request.client_token {
        if let Some(existing) = state.transfers.imports.by_token(token, now - TOKEN_MILLIS) {
            if existing.parameters != parameters {
                return Err(conflict(ErrorKind::ImportConflict, "importing from the specified S3 source"));
            }
            return Ok(json!({ "ImportTableDescription": description(&existing, now) }));
        }
    }
    let def = super::create_table::new_table_def(state, request.creation)?;
    shared::check_limit(&state.transfers.imports, now, shared::MAX_IMPORTS_IN_PROGRESS, "imports")?;
    let name = def.name.clone();
    let in_use = || ApiError::new(ErrorKind::ResourceInUse, format!("Table already exists: {name}"));
    if state.table(&def.name).is_some() {
        return Err(in_use());
    }
    let bucket_dir = shared::object_path(&root, request.bucket, "")?;
    shared::object_path(&root, request.bucket, request.prefix)?;
    let mut data = TableData::new(&def);
    let mut outcome = Outcome::default();
    let objects = formats::objects(&bucket_dir, request.prefix);
    let failure = if !bucket_dir.is_dir() {
        Some(("S3NoSuchBucket", format!("The specified bucket does not exist: {}", request.bucket)))
    } else if objects.is_empty() {
        Some(("S3NoSuchKey", format!("No objects found under s3://{}/{}", request.bucket, request.prefix)))
    } else {
        for object in &objects {
            read_object(&request, &def, object, &mut data, &mut outcome);
        }
        None
    };
    let table_arn = def.arn.clone();
    let table_id = def.id.clone();
    let done = now + state.status_delay.get().as_millis() as i64;
    if failure.is_none() {
        state.catalog.create_from(TableState { def, data }).ok_or_else(in_use)?;
    }
    let id = shared::new_id(now);
    let client_token = request.client_token.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut details = Map::new();
    details.insert("ImportArn".into(), json!(format!("{table_arn}/import/{id}")));
    details.insert("TableArn".into(), json!(table_arn));
    details.insert("TableId".into(), json!(table_id));
    details.insert("ClientToken".into(), json!(client_token));
    for member in ["S3BucketSource", "InputFormat", "InputFormatOptions", "TableCreationParameters"] {
        if let Some(value) = input.raw(member) {
            details.insert(member.into(), value.clone());
        }
    }
    details.insert("InputCompressionType".into(), json!(input.str("InputCompressionType")?.unwrap_or("NONE")));
    details.insert(
        "CloudWatchLogGroupArn".into(),
        json!(format!(
            "arn:aws:logs:{}:{}:log-group:/aws-dynamodb/imports:*",
            state.config.region, state.config.account_id
        )),
    );
    details.insert("StartTime".into(), json!(seconds(now)));
    details.insert("ProcessedSizeBytes".into(), json!(outcome.bytes));
    details.insert("ProcessedItemCount".into(), json!(outcome.processed));
    details.insert("ImportedItemCount".into(), json!(outcome.imported));
    details.insert("ErrorCount".into(), json!(outcome.errors));
    let import = state.transfers.imports.insert(Transfer {
        arn: format!("{table_arn}/import/{id}"),
        table_arn,
        client_token,
        parameters,
        started_millis: now,
        done_millis: done,
        failure: failure.map(|(code, message)| (code.to_string(), message)),
        details,
    });
    // Answered IN_PROGRESS even when done at once, as CreateTable answers CREATING.
    Ok(json!({ "ImportTableDescription": description(&import, now.min(import.done_millis - 1)) }))
}

/// Reads one object's items into `data`, counting them.
fn read_object(
    request: &ImportRequest,
    def: &TableDef,
    object: &formats::Object,
    data: &mut TableData,
    outcome: &mut Outcome,
) {
    let skip = |line: usize, why: &str| {
        tracing::warn!(target: "emulator::imports", object = %object.key, line, "import skipped an item: {why}");
    };
    let raw = match std::fs::read(&object.path) {
        Ok(raw) => raw,
        Err(e) => {
            skip(0, &format!("unreadable: {e}"));
            outcome.errors += 1;
            return;
        }
    };
    outcome.bytes += raw.len() as u64;
    let text = match formats::decompress(&raw, request.compression).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            skip(0, "not UTF-8 text");
            outcome.errors += 1;
            return;
        }
        Err(e) => {
            skip(0, &e);
            outcome.errors += 1;
            return;
        }
    };
    let items = match request.format {
        "ION" => formats::ion_items(&text),
        "CSV" => formats::csv_items(&text, request.delimiter, request.headers.as_deref(), &def.attribute_definitions),
        _ => formats::dynamodb_json_items(&text),
    };
    for (line, item) in items {
        outcome.processed += 1;
        let checked = item.and_then(|json| item_from_json(&json).map_err(|e| e.message)).and_then(|item| {
            let key = def.key_schema.key_from_item(&item).map_err(|e| e.message)?;
            super::item_request::validate_new_item(def, &item).map_err(|e| e.message)?;
            Ok((key, item))
        });
        match checked {
            Ok((key, item)) => {
                data.put(key, item);
                outcome.imported += 1;
            }
            Err(why) => {
                skip(line, &why);
                outcome.errors += 1;
            }
        }
    }
}

/// ImportTableDescription at `now`: counts are reported once the import is done.
fn description(import: &Transfer, now: i64) -> Value {
    let mut fields = shared::describe_transfer(import, now, "ImportStatus");
    if import.status(now) == "IN_PROGRESS" {
        for count in ["ProcessedSizeBytes", "ProcessedItemCount", "ImportedItemCount", "ErrorCount"] {
            fields.insert(count.into(), json!(0));
        }
    }
    Value::Object(fields)
}

pub fn describe_import(state: &State, input: Input) -> ApiResult<Value> {
    let import = shared::named(&state.transfers.imports, &input, "ImportArn", "importArn", ErrorKind::ImportNotFound)?;
    Ok(json!({ "ImportTableDescription": description(&import, state.clock.now_millis()) }))
}

/// ImportSummary's members.
const SUMMARY: &[&str] = &[
    "ImportArn",
    "ImportStatus",
    "TableArn",
    "S3BucketSource",
    "CloudWatchLogGroupArn",
    "InputFormat",
    "StartTime",
    "EndTime",
];

pub fn list_imports(state: &State, input: Input) -> ApiResult<Value> {
    let summary = |import: &Transfer, now| {
        let fields = shared::describe_transfer(import, now, "ImportStatus");
        Value::Object(fields.into_iter().filter(|(k, _)| SUMMARY.contains(&k.as_str())).collect())
    };
    shared::list(state, &input, &state.transfers.imports, ("PageSize", "pageSize"), "ImportSummaryList", summary)
}
