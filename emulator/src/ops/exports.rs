//! ExportTableToPointInTime, DescribeExport and ListExports: a table's
//! items at an instant of its point-in-time recovery window (a full export)
//! or its changes over a window (an incremental export), written in
//! DynamoDB's S3 layout under the directory standing for S3
//! (developer guide, "DynamoDB table export output format"):
//!
//! ```text
//! <bucket>/<prefix>/AWSDynamoDB/<ExportId>/_started, manifest-summary.json, manifest-summary.checksum,
//!                                          manifest-files.json, manifest-files.checksum
//! <bucket>/<prefix>/AWSDynamoDB/<ExportId>/data/<file>.json.gz | .ion.gz     (full exports)
//! <bucket>/<prefix>/AWSDynamoDB/data/<file>.json.gz | .ion.gz                (incremental exports)
//! ```
//!
//! The files are written when the export is asked for (consistent at its
//! ExportTime); its status is IN_PROGRESS for the status delay, then
//! COMPLETED. A bucket directory that does not exist fails the export
//! (FAILED, `S3NoSuchBucket`), as a missing bucket fails DynamoDB's.
//! Server-side encryption settings are recorded, not applied.

use super::transfers::{self as shared, conflict, iso, seconds, TOKEN_MILLIS};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::transfers::Transfer;
use crate::state::State;
use crate::storage::history::WindowChange;
use crate::storage::StoredItem;
use crate::types::{codec, ion, Item, KeySchema, PrimaryKey};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::Path;

/// An incremental export's window, at least 15 minutes and at most 24 hours (API reference).
const MIN_WINDOW_MILLIS: i64 = 15 * 60 * 1000;
const MAX_WINDOW_MILLIS: i64 = 24 * 60 * 60 * 1000;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    DynamoDbJson,
    Ion,
}

/// What an export holds.
enum Content {
    /// The items at an instant.
    Full(Vec<StoredItem>),
    /// Each changed item's net change over the window; `true`: with old images.
    Incremental(Vec<(PrimaryKey, WindowChange)>, KeySchema, bool),
}

/// An ExportTableToPointInTime request, checked.
struct ExportRequest<'a> {
    table_arn: &'a str,
    bucket: &'a str,
    prefix: Option<&'a str>,
    format: Format,
    export_time: Option<i64>,
    /// `(from, to, view)` of an incremental export.
    incremental: Option<(i64, Option<i64>, &'a str)>,
    client_token: Option<String>,
}

impl<'a> ExportRequest<'a> {
    fn read(input: &Input<'a>) -> ApiResult<ExportRequest<'a>> {
        let mut v = Violations::new();
        let table_arn = input.str("TableArn")?;
        v.not_null("tableArn", &table_arn);
        v.length("tableArn", table_arn, 1, 1024);
        shared::check_bucket(&mut v, input, "s3Bucket", "s3BucketOwner")?;
        let prefix = input.str("S3Prefix")?;
        v.length("s3Prefix", prefix, 0, 1024);
        let algorithm = input.str("S3SseAlgorithm")?;
        v.one_of("s3SseAlgorithm", algorithm, &["AES256", "KMS"]);
        let kms_key = input.str("S3SseKmsKeyId")?;
        v.length("s3SseKmsKeyId", kms_key, 1, 2048);
        let format = input.str("ExportFormat")?;
        v.one_of("exportFormat", format, &["DYNAMODB_JSON", "ION"]);
        let export_type = input.str("ExportType")?;
        v.one_of("exportType", export_type, &["FULL_EXPORT", "INCREMENTAL_EXPORT"]);
        let spec = input.object("IncrementalExportSpecification")?;
        let view = match &spec {
            Some(spec) => spec.str("ExportViewType")?,
            None => None,
        };
        v.one_of("incrementalExportSpecification.exportViewType", view, &["NEW_IMAGE", "NEW_AND_OLD_IMAGES"]);
        let client_token = shared::client_token(&mut v, input)?;
        v.finish()?;
        // DynamoDB's words for the shape rules here (ack-api-quirks DDB-TABLE-442's message catalogue).
        if kms_key.is_some() && algorithm != Some("KMS") {
            return Err(ApiError::validation("Invalid Request: KMS Key Id is not supported for this encryption type"));
        }
        let export_time = super::backups::time_bound(input, "ExportTime")?;
        let incremental = if export_type == Some("INCREMENTAL_EXPORT") {
            let spec = spec.unwrap_or(Input::empty());
            let from = super::backups::time_bound(&spec, "ExportFromTime")?;
            let to = super::backups::time_bound(&spec, "ExportToTime")?;
            let Some(from) = from else {
                return Err(ApiError::validation(
                    "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification",
                ));
            };
            if export_time.is_some() {
                return Err(ApiError::validation("ExportTime cannot be specified for an incremental export"));
            }
            Some((from, to, view.unwrap_or("NEW_AND_OLD_IMAGES")))
        } else {
            None
        };
        Ok(ExportRequest {
            table_arn: table_arn.unwrap_or_default(),
            bucket: input.str("S3Bucket")?.unwrap_or_default(),
            prefix: prefix.map(|p| p.trim_end_matches('/')).filter(|p| !p.is_empty()),
            format: if format == Some("ION") { Format::Ion } else { Format::DynamoDbJson },
            export_time,
            incremental,
            client_token,
        })
    }
}

fn invalid_time(message: String) -> ApiError {
    ApiError::new(ErrorKind::InvalidExportTime, message)
}

pub fn export_table_to_point_in_time(state: &State, input: Input) -> ApiResult<Value> {
    let request = ExportRequest::read(&input)?;
    let root = shared::s3_root(state)?;
    let now = state.clock.now_millis();
    let parameters = Value::Object(
        input.fields().filter(|(k, _)| *k != "ClientToken").map(|(k, v)| (k.clone(), v.clone())).collect(),
    );
    if let Some(token) = &request.client_token {
        if let Some(existing) = state.transfers.exports.by_token(token, now - TOKEN_MILLIS) {
            if existing.parameters != parameters {
                return Err(conflict(ErrorKind::ExportConflict, "exporting to the specified S3 bucket"));
            }
            return Ok(json!({ "ExportDescription": description(&existing, now) }));
        }
    }
    shared::check_limit(&state.transfers.exports, now, shared::MAX_EXPORTS_IN_PROGRESS, "exports")?;
    let not_found = || ApiError::new(ErrorKind::TableNotFound, format!("Table not found: {}", request.table_arn));
    let name = shared::table_name_of(state, request.table_arn).ok_or_else(not_found)?;
    let table = state.table(name).ok_or_else(not_found)?;
    // What the export holds, read under the table's read lock.
    let (content, table_id, export_time) = {
        let guard = table.inner.read();
        let history = super::recovery::readable_history(&guard, name, now, not_found)?;
        let earliest = history.earliest_millis();
        let outside = |what: &str, at: i64| {
            invalid_time(format!(
                "{what} {} is outside the point in time recovery window: {} to {}",
                seconds(at),
                seconds(earliest),
                seconds(now)
            ))
        };
        match request.incremental {
            None => {
                let at = request.export_time.unwrap_or(now);
                if !(earliest..=now).contains(&at) {
                    return Err(outside("ExportTime", at));
                }
                (Content::Full(history.items_at(at).into_values().collect()), guard.def.id.clone(), at)
            }
            Some((from, to, view)) => {
                let to = to.unwrap_or(now);
                if from < earliest || from > now {
                    return Err(outside("ExportFromTime", from));
                }
                if to > now {
                    return Err(outside("ExportToTime", to));
                }
                if to - from < MIN_WINDOW_MILLIS {
                    return Err(ApiError::validation(
                        "The incremental export window (ExportToTime minus ExportFromTime) must be at least 15 minutes",
                    ));
                }
                if to - from > MAX_WINDOW_MILLIS {
                    return Err(ApiError::validation(
                        "The incremental export window (ExportToTime minus ExportFromTime) must be at most 24 hours",
                    ));
                }
                // An item created and deleted within the window has no net change.
                let changes = history
                    .changes_between(from, to)
                    .into_iter()
                    .filter(|(_, c)| c.old.is_some() || c.new.is_some())
                    .collect();
                let with_old = view == "NEW_AND_OLD_IMAGES";
                (Content::Incremental(changes, guard.def.key_schema.clone(), with_old), guard.def.id.clone(), to)
            }
        }
    };
    let id = shared::new_id(now);
    let arn = format!("{}/export/{id}", state.table_arn(name));
    let base = match request.prefix {
        Some(prefix) => format!("{prefix}/AWSDynamoDB"),
        None => "AWSDynamoDB".to_string(),
    };
    let export_dir_key = format!("{base}/{id}");
    let data_dir_key =
        if request.incremental.is_some() { format!("{base}/data") } else { format!("{export_dir_key}/data") };
    let mut details = Map::new();
    for member in ["S3Bucket", "S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId"] {
        if let Some(value) = input.raw(member) {
            details.insert(member.into(), value.clone());
        }
    }
    let client_token = request.client_token.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    details.insert("ExportArn".into(), json!(arn));
    details.insert("TableArn".into(), json!(state.table_arn(name)));
    details.insert("TableId".into(), json!(table_id));
    details.insert("ClientToken".into(), json!(client_token));
    details.insert("StartTime".into(), json!(seconds(now)));
    details.insert("ExportTime".into(), json!(seconds(export_time)));
    details.insert("ExportFormat".into(), json!(if request.format == Format::Ion { "ION" } else { "DYNAMODB_JSON" }));
    details.insert(
        "ExportType".into(),
        json!(if request.incremental.is_some() { "INCREMENTAL_EXPORT" } else { "FULL_EXPORT" }),
    );
    if let Some((from, to, view)) = request.incremental {
        details.insert(
            "IncrementalExportSpecification".into(),
            json!({ "ExportFromTime": seconds(from), "ExportToTime": seconds(to.unwrap_or(export_time)), "ExportViewType": view }),
        );
    }
    let (lines, item_count, billed) = render(&content, request.format);
    let summary_key = format!("{export_dir_key}/manifest-summary.json");
    let bucket_dir = root.join(request.bucket);
    let failure = if !bucket_dir.is_dir() {
        Some(("S3NoSuchBucket".to_string(), format!("The specified bucket does not exist: {}", request.bucket)))
    } else {
        let files = ExportFiles {
            state,
            root: &root,
            request: &request,
            export_dir_key: &export_dir_key,
            data_dir_key: &data_dir_key,
        };
        let summary = json!({
            "version": "2020-06-30",
            "exportArn": arn,
            "startTime": iso(state, now),
            "endTime": iso(state, now + state.status_delay.get().as_millis() as i64),
            "tableArn": state.table_arn(name),
            "tableId": details["TableId"],
            "exportTime": iso(state, export_time),
            "s3Bucket": request.bucket,
            "s3Prefix": request.prefix,
            "s3SseAlgorithm": input.str("S3SseAlgorithm")?.unwrap_or("AES256"),
            "s3SseKmsKeyId": input.str("S3SseKmsKeyId")?,
            "manifestFilesS3Key": format!("{export_dir_key}/manifest-files.json"),
            "billedSizeBytes": billed,
            "itemCount": item_count,
            "outputFormat": details["ExportFormat"],
        });
        files.write(summary, &details, &lines, item_count).err().map(|e| {
            let code =
                if e.kind() == std::io::ErrorKind::PermissionDenied { "S3AccessDenied" } else { "S3WriteFailed" };
            (code.to_string(), format!("Writing the export failed: {e}"))
        })
    };
    if failure.is_none() {
        details.insert("ItemCount".into(), json!(item_count));
        details.insert("BilledSizeBytes".into(), json!(billed));
        details.insert("ExportManifest".into(), json!(summary_key));
    }
    let export = state.transfers.exports.insert(Transfer {
        arn,
        table_arn: state.table_arn(name),
        client_token,
        parameters,
        started_millis: now,
        done_millis: now + state.status_delay.get().as_millis() as i64,
        failure,
        details,
    });
    // Answered IN_PROGRESS even when done at once, as CreateTable answers CREATING.
    Ok(json!({ "ExportDescription": description(&export, now.min(export.done_millis - 1)) }))
}

/// The data file's lines, its item count and the items' size.
fn render(content: &Content, format: Format) -> (Vec<u8>, usize, u64) {
    let mut out = Vec::new();
    if format == Format::Ion {
        out.extend_from_slice(b"$ion_1_0 ");
    }
    match content {
        Content::Full(items) => {
            for stored in items {
                match format {
                    Format::DynamoDbJson => {
                        out.extend_from_slice(b"{\"Item\":");
                        stored.write_json(&mut out);
                        out.extend_from_slice(b"}\n");
                    }
                    Format::Ion => {
                        let mut text = String::from("{Item:");
                        ion::write_item(&mut text, &stored.decode());
                        text.push_str("}\n");
                        out.extend_from_slice(text.as_bytes());
                    }
                }
            }
            let billed = items.iter().map(|s| s.size() as u64).sum();
            (out, items.len(), billed)
        }
        Content::Incremental(changes, schema, with_old) => {
            let mut billed = 0;
            for (key, change) in changes {
                let micros = change.at_millis * 1000;
                let keys = schema.key_item(key);
                let new = change.new.as_ref().map(StoredItem::decode);
                let old = change.old.as_ref().filter(|_| *with_old).map(StoredItem::decode);
                billed += change.new.as_ref().map_or(0, |s| s.size() as u64);
                let parts: [(&str, Option<&Item>); 3] =
                    [("Keys", Some(&keys)), ("NewImage", new.as_ref()), ("OldImage", old.as_ref())];
                match format {
                    Format::DynamoDbJson => {
                        out.extend_from_slice(
                            format!("{{\"Metadata\":{{\"WriteTimestampMicros\":{{\"N\":\"{micros}\"}}}}").as_bytes(),
                        );
                        for (name, item) in parts {
                            let Some(item) = item else { continue };
                            out.extend_from_slice(format!(",\"{name}\":").as_bytes());
                            codec::write_item_json(&mut out, item);
                        }
                        out.extend_from_slice(b"}\n");
                    }
                    Format::Ion => {
                        let mut text = format!("{{Metadata:{{WriteTimestampMicros:{micros}.}}");
                        for (name, item) in parts {
                            let Some(item) = item else { continue };
                            text.push(',');
                            text.push_str(name);
                            text.push(':');
                            ion::write_item(&mut text, item);
                        }
                        text.push_str("}\n");
                        out.extend_from_slice(text.as_bytes());
                    }
                }
            }
            (out, changes.len(), billed)
        }
    }
}

/// Where one export writes its files.
struct ExportFiles<'a> {
    state: &'a State,
    root: &'a Path,
    request: &'a ExportRequest<'a>,
    export_dir_key: &'a str,
    data_dir_key: &'a str,
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

impl ExportFiles<'_> {
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = shared::object_path(self.root, self.request.bucket, key)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.message))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    }

    /// `_started`, the data file, then the manifests (with their checksums).
    fn write(
        &self,
        mut summary: Value,
        details: &Map<String, Value>,
        lines: &[u8],
        items: usize,
    ) -> std::io::Result<()> {
        self.put(&format!("{}/_started", self.export_dir_key), b"")?;
        // The fastest level: 12 times quicker than the default here, files 1.5 times larger (examples/export_import.rs).
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(lines)?;
        let data = gz.finish()?;
        let extension = if self.request.format == Format::Ion { "ion.gz" } else { "json.gz" };
        let name: String = std::iter::repeat_with(|| {
            let c = fastrand::u8(0..36);
            if c < 10 {
                (b'0' + c) as char
            } else {
                (b'a' + c - 10) as char
            }
        })
        .take(26)
        .collect();
        let data_key = format!("{}/{name}.{extension}", self.data_dir_key);
        self.put(&data_key, &data)?;
        let files_line = json!({
            "itemCount": items,
            "md5Checksum": BASE64.encode(Md5::digest(&data)),
            "etag": md5_hex(&data),
            "dataFileS3Key": data_key,
        });
        let files = format!("{files_line}\n");
        self.put(&format!("{}/manifest-files.json", self.export_dir_key), files.as_bytes())?;
        self.put(&format!("{}/manifest-files.checksum", self.export_dir_key), md5_hex(files.as_bytes()).as_bytes())?;
        if let Some(spec) = details.get("IncrementalExportSpecification") {
            let state = self.state;
            let at = |member: &str| spec[member].as_f64().map(|s| iso(state, (s * 1000.0).round() as i64));
            summary["exportFromTime"] = json!(at("ExportFromTime"));
            summary["exportToTime"] = json!(at("ExportToTime"));
            summary["outputView"] = spec["ExportViewType"].clone();
            summary["exportType"] = json!("INCREMENTAL_EXPORT");
        } else {
            summary["exportType"] = json!("FULL_EXPORT");
        }
        let summary = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        self.put(&format!("{}/manifest-summary.json", self.export_dir_key), &summary)?;
        self.put(&format!("{}/manifest-summary.checksum", self.export_dir_key), md5_hex(&summary).as_bytes())
    }
}

/// ExportDescription at `now`: what the export wrote is reported once it is done.
fn description(export: &Transfer, now: i64) -> Value {
    let mut fields = shared::describe_transfer(export, now, "ExportStatus");
    if export.status(now) == "IN_PROGRESS" {
        for member in ["ItemCount", "BilledSizeBytes", "ExportManifest"] {
            fields.remove(member);
        }
    }
    Value::Object(fields)
}

pub fn describe_export(state: &State, input: Input) -> ApiResult<Value> {
    let export = shared::named(&state.transfers.exports, &input, "ExportArn", "exportArn", ErrorKind::ExportNotFound)?;
    Ok(json!({ "ExportDescription": description(&export, state.clock.now_millis()) }))
}

pub fn list_exports(state: &State, input: Input) -> ApiResult<Value> {
    let summary = |e: &Transfer, now| json!({ "ExportArn": e.arn, "ExportStatus": e.status(now), "ExportType": e.details["ExportType"] });
    shared::list(state, &input, &state.transfers.exports, ("MaxResults", "maxResults"), "ExportSummaries", summary)
}
