//! `emulator dump` and `emulator load`: a table's definition and items
//! between any endpoint (this emulator, DynamoDB Local, real DynamoDB) and a
//! file, through the AWS SDK with its default credential chain. Behind the
//! `remote` feature (on by default), so the library alone does without the SDK.
//!
//! The file is what `--seed` reads: `{"Table": <CreateTable input>,
//! "Items": [<DynamoDB JSON>, ...]}`, one item per line.

use crate::fixtures;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, PutRequest, ScalarAttributeType,
    StreamSpecification, StreamViewType, TableClass, TableDescription, TableStatus, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

/// DynamoDB's limit on nested attribute values.
const MAX_DEPTH: usize = 32;
/// BatchWriteItem's limit.
const BATCH: usize = 25;
/// Attempts at a batch's unprocessed items before giving up.
const ATTEMPTS: u32 = 12;

/// A client for `endpoint` (real DynamoDB when `None`): region and
/// credentials from the environment (the SDK's default chain). An explicit
/// endpoint without credentials anywhere gets dummy ones, as DynamoDB Local
/// and the emulator take any.
pub async fn client(endpoint: Option<&str>, region: Option<&str>) -> Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(url) = endpoint {
        loader = loader.endpoint_url(url);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    let mut config = loader.load().await;
    let mut builder = config.clone().into_builder();
    if config.region().is_none() {
        builder.set_region(Some(Region::new("us-east-1")));
    }
    let has_credentials = match config.credentials_provider() {
        Some(provider) => {
            use aws_sdk_dynamodb::config::ProvideCredentials;
            provider.provide_credentials().await.is_ok()
        }
        None => false,
    };
    if endpoint.is_some() && !has_credentials {
        let dummy = aws_sdk_dynamodb::config::Credentials::new("emulator", "emulator", None, None, "emulator-dump");
        builder.set_credentials_provider(Some(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(dummy)));
    }
    config = builder.build();
    Client::new(&config)
}

fn sdk_error(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> String {
    format!("{what}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e))
}

/// Writes `table`'s definition and every item (Scan, page by page) to `out`,
/// telling `progress` the count after each page; returns how many items.
pub async fn dump(
    client: &Client,
    table: &str,
    out: &mut dyn Write,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<usize, String> {
    let described =
        client.describe_table().table_name(table).send().await.map_err(|e| sdk_error("DescribeTable", e))?;
    let description = described.table().ok_or("DescribeTable answered no table")?;
    let io = |e: std::io::Error| format!("write: {e}");
    write!(out, "{{\"Table\": {},\n\"Items\": [", table_input(description)).map_err(io)?;
    let (mut count, mut start) = (0usize, None);
    loop {
        let page = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_error("Scan", e))?;
        for item in page.items() {
            let separator = if count == 0 { "\n" } else { ",\n" };
            write!(out, "{separator}{}", item_json(item)).map_err(io)?;
            count += 1;
        }
        progress(count);
        match page.last_evaluated_key() {
            Some(key) if !key.is_empty() => start = Some(key.clone()),
            _ => break,
        }
    }
    writeln!(out, "\n]}}").map_err(io)?;
    out.flush().map_err(io)?;
    Ok(count)
}

/// What `load` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub created: bool,
    pub items: usize,
}

/// Loads a file `dump` wrote (or, with `table`, any item file the harness
/// reads) into `table` (default: the name in the file): creates the table
/// when missing, waits until it is ACTIVE, then BatchWriteItems the items, 25
/// at a time, retrying unprocessed items with backoff.
pub async fn load(
    client: &Client,
    document: &Value,
    table: Option<&str>,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Loaded, String> {
    let definition = document.get("Table").filter(|_| document.get("Items").is_some());
    let name = match (table, definition.and_then(|d| d["TableName"].as_str())) {
        (Some(name), _) | (None, Some(name)) => name.to_string(),
        (None, None) => return Err("the file names no table (not a file `emulator dump` wrote): give --table".into()),
    };
    let items = match definition {
        Some(_) => document["Items"].as_array().cloned().unwrap_or_default(),
        None => fixtures::item_list(&name, document.clone()).map_err(|e| e.0)?,
    };
    let format = fixtures::item_format(&items);
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let wire = fixtures::to_wire(item, format).map_err(|e| format!("item {i}: {e}"))?;
            item_from_json(&wire).map_err(|e| format!("item {i}: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let exists = client.describe_table().table_name(&name).send().await;
    let created = match (exists, definition) {
        (Ok(_), _) => false,
        (Err(e), Some(definition)) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
            create_table(client, &name, definition).await?;
            true
        }
        (Err(e), None) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
            return Err(format!(
                "no table {name}, and the file does not define it (only files `emulator dump` wrote do)"
            ))
        }
        (Err(e), _) => return Err(sdk_error("DescribeTable", e)),
    };
    for (i, chunk) in items.chunks(BATCH).enumerate() {
        write_batch(client, &name, chunk).await?;
        progress((i * BATCH + chunk.len()).min(items.len()), items.len());
    }
    Ok(Loaded { created, items: items.len() })
}

async fn write_batch(client: &Client, table: &str, items: &[HashMap<String, AttributeValue>]) -> Result<(), String> {
    let mut requests = items
        .iter()
        .map(|item| {
            let put = PutRequest::builder().set_item(Some(item.clone())).build().map_err(|e| e.to_string())?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut pause = Duration::from_millis(50);
    for _ in 0..ATTEMPTS {
        let answer = client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .map_err(|e| sdk_error("BatchWriteItem", e))?;
        requests = answer.unprocessed_items().and_then(|u| u.get(table)).cloned().unwrap_or_default();
        if requests.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
    Err(format!("{} items still unprocessed after {ATTEMPTS} attempts", requests.len()))
}

async fn create_table(client: &Client, name: &str, input: &Value) -> Result<(), String> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
    };
    let text = |v: &Value, field: &str| v[field].as_str().unwrap_or_default().to_string();
    let keys = |v: &Value| -> Result<Vec<KeySchemaElement>, String> {
        v["KeySchema"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| {
                KeySchemaElement::builder()
                    .attribute_name(text(k, "AttributeName"))
                    .key_type(KeyType::from(text(k, "KeyType").as_str()))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect()
    };
    let throughput = |v: &Value| -> Result<Option<ProvisionedThroughput>, String> {
        let Some(t) = v.get("ProvisionedThroughput") else { return Ok(None) };
        ProvisionedThroughput::builder()
            .read_capacity_units(t["ReadCapacityUnits"].as_i64().unwrap_or(1))
            .write_capacity_units(t["WriteCapacityUnits"].as_i64().unwrap_or(1))
            .build()
            .map(Some)
            .map_err(|e| e.to_string())
    };
    let projection = |v: &Value| {
        let p = &v["Projection"];
        let kind = p["ProjectionType"].as_str().map(ProjectionType::from);
        let non_key = Some(strings(&p["NonKeyAttributes"])).filter(|n| !n.is_empty());
        Projection::builder().set_projection_type(kind).set_non_key_attributes(non_key).build()
    };
    let mut request = client
        .create_table()
        .table_name(name)
        .set_key_schema(Some(keys(input)?))
        .set_provisioned_throughput(throughput(input)?)
        .set_billing_mode(input["BillingMode"].as_str().map(BillingMode::from))
        .set_table_class(input["TableClass"].as_str().map(TableClass::from));
    for a in input["AttributeDefinitions"].as_array().into_iter().flatten() {
        let kind = ScalarAttributeType::from(text(a, "AttributeType").as_str());
        let definition = AttributeDefinition::builder().attribute_name(text(a, "AttributeName")).attribute_type(kind);
        request = request.attribute_definitions(definition.build().map_err(|e| e.to_string())?);
    }
    for index in input["GlobalSecondaryIndexes"].as_array().into_iter().flatten() {
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(text(index, "IndexName"))
            .set_key_schema(Some(keys(index)?))
            .projection(projection(index))
            .set_provisioned_throughput(throughput(index)?);
        request = request.global_secondary_indexes(gsi.build().map_err(|e| e.to_string())?);
    }
    for index in input["LocalSecondaryIndexes"].as_array().into_iter().flatten() {
        let lsi = LocalSecondaryIndex::builder()
            .index_name(text(index, "IndexName"))
            .set_key_schema(Some(keys(index)?))
            .projection(projection(index));
        request = request.local_secondary_indexes(lsi.build().map_err(|e| e.to_string())?);
    }
    if let Some(stream) = input.get("StreamSpecification") {
        let spec = StreamSpecification::builder()
            .stream_enabled(stream["StreamEnabled"].as_bool().unwrap_or(false))
            .set_stream_view_type(stream["StreamViewType"].as_str().map(StreamViewType::from));
        request = request.stream_specification(spec.build().map_err(|e| e.to_string())?);
    }
    request.send().await.map_err(|e| sdk_error("CreateTable", e))?;
    // Real DynamoDB creates asynchronously: writes wait for ACTIVE.
    for _ in 0..600 {
        let described =
            client.describe_table().table_name(name).send().await.map_err(|e| sdk_error("DescribeTable", e))?;
        if described.table().and_then(TableDescription::table_status) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("table {name} not ACTIVE after 5 minutes"))
}

/// The CreateTable input that makes a table like `description` (keys,
/// indexes, capacity mode, stream, class).
pub fn table_input(description: &TableDescription) -> Value {
    let keys = |schema: &[KeySchemaElement]| -> Value {
        schema.iter().map(|k| json!({"AttributeName": k.attribute_name(), "KeyType": k.key_type().as_str()})).collect()
    };
    let projection = |p: Option<&Projection>| -> Value {
        let mut out = json!({"ProjectionType": p.and_then(Projection::projection_type).map_or("ALL", |t| t.as_str())});
        if let Some(non_key) = p.map(Projection::non_key_attributes).filter(|n| !n.is_empty()) {
            out["NonKeyAttributes"] = json!(non_key);
        }
        out
    };
    let throughput = |read: Option<i64>, write: Option<i64>| json!({"ReadCapacityUnits": read.unwrap_or(1).max(1), "WriteCapacityUnits": write.unwrap_or(1).max(1)});
    let table_throughput = description.provisioned_throughput();
    let on_demand = description.billing_mode_summary().and_then(|b| b.billing_mode())
        == Some(&BillingMode::PayPerRequest)
        || table_throughput.and_then(|t| t.read_capacity_units()).unwrap_or(0) == 0;
    let mut input = json!({
        "TableName": description.table_name(),
        "AttributeDefinitions": description.attribute_definitions().iter()
            .map(|a| json!({"AttributeName": a.attribute_name(), "AttributeType": a.attribute_type().as_str()}))
            .collect::<Vec<_>>(),
        "KeySchema": keys(description.key_schema()),
        "BillingMode": if on_demand { "PAY_PER_REQUEST" } else { "PROVISIONED" },
    });
    if !on_demand {
        let t = table_throughput;
        input["ProvisionedThroughput"] =
            throughput(t.and_then(|t| t.read_capacity_units()), t.and_then(|t| t.write_capacity_units()));
    }
    let gsis: Vec<Value> = description
        .global_secondary_indexes()
        .iter()
        .map(|index| {
            let mut out = json!({"IndexName": index.index_name(), "KeySchema": keys(index.key_schema()),
                "Projection": projection(index.projection())});
            if !on_demand {
                let t = index.provisioned_throughput();
                out["ProvisionedThroughput"] =
                    throughput(t.and_then(|t| t.read_capacity_units()), t.and_then(|t| t.write_capacity_units()));
            }
            out
        })
        .collect();
    if !gsis.is_empty() {
        input["GlobalSecondaryIndexes"] = Value::Array(gsis);
    }
    let lsis: Vec<Value> = description
        .local_secondary_indexes()
        .iter()
        .map(|index| {
            json!({"IndexName": index.index_name(), "KeySchema": keys(index.key_schema()),
                "Projection": projection(index.projection())})
        })
        .collect();
    if !lsis.is_empty() {
        input["LocalSecondaryIndexes"] = Value::Array(lsis);
    }
    if let Some(stream) = description.stream_specification().filter(|s| s.stream_enabled()) {
        input["StreamSpecification"] =
            json!({"StreamEnabled": true, "StreamViewType": stream.stream_view_type().map(StreamViewType::as_str)});
    }
    if let Some(class) = description.table_class_summary().and_then(|c| c.table_class()) {
        input["TableClass"] = json!(class.as_str());
    }
    input
}

/// An SDK item as DynamoDB JSON.
pub fn item_json(item: &HashMap<String, AttributeValue>) -> Value {
    // Sorted, so dumps of the same data are the same file.
    let sorted: std::collections::BTreeMap<_, _> = item.iter().collect();
    Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), value_json(v, 0))).collect())
}

fn value_json(value: &AttributeValue, depth: usize) -> Value {
    let b64 = |b: &Blob| json!(base64::engine::general_purpose::STANDARD.encode(b.as_ref()));
    if depth > MAX_DEPTH {
        return json!({"NULL": true});
    }
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": b64(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Ss(list) => json!({ "SS": list }),
        AttributeValue::Ns(list) => json!({ "NS": list }),
        AttributeValue::Bs(list) => json!({ "BS": list.iter().map(b64).collect::<Vec<_>>() }),
        AttributeValue::L(list) => json!({ "L": list.iter().map(|v| value_json(v, depth + 1)).collect::<Vec<_>>() }),
        AttributeValue::M(map) => {
            let sorted: std::collections::BTreeMap<_, _> = map.iter().collect();
            json!({ "M": sorted.into_iter().map(|(k, v)| (k.clone(), value_json(v, depth + 1))).collect::<Map<_, _>>() })
        }
        // NULL, and any member a newer service model adds.
        _ => json!({ "NULL": true }),
    }
}

/// A DynamoDB JSON item as the SDK's.
pub fn item_from_json(item: &Value) -> Result<HashMap<String, AttributeValue>, String> {
    let Value::Object(attributes) = item else { return Err("an item must be a JSON object".into()) };
    attributes.iter().map(|(k, v)| Ok((k.clone(), value_from_json(v, 0)?))).collect()
}

fn value_from_json(value: &Value, depth: usize) -> Result<AttributeValue, String> {
    if depth > MAX_DEPTH {
        return Err("nesting exceeds 32 levels".into());
    }
    let Some((tag, inner)) = value.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
        return Err(format!("not a DynamoDB JSON value: {value}"));
    };
    let text = || inner.as_str().map(str::to_string).ok_or(format!("{tag} takes a string"));
    let texts = || -> Result<Vec<String>, String> {
        inner
            .as_array()
            .ok_or(format!("{tag} takes a list"))?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or(format!("{tag} takes strings")))
            .collect()
    };
    let blob = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Blob::new)
            .map_err(|e| format!("{tag}: not base64: {e}"))
    };
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(text()?),
        "N" => AttributeValue::N(text()?),
        "B" => AttributeValue::B(blob(&text()?)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or("BOOL takes true or false")?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(texts()?),
        "NS" => AttributeValue::Ns(texts()?),
        "BS" => AttributeValue::Bs(texts()?.iter().map(|s| blob(s)).collect::<Result<_, _>>()?),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .ok_or("L takes a list")?
                .iter()
                .map(|v| value_from_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(
            inner
                .as_object()
                .ok_or("M takes an object")?
                .iter()
                .map(|(k, v)| Ok((k.clone(), value_from_json(v, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => return Err(format!("unknown type {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_through_the_sdk_types() {
        let item = json!({"b": {"B": "AAE="}, "bs": {"BS": ["AA=="]}, "id": {"S": "1"}, "l": {"L": [{"N": "1.50"},
            {"NULL": true}, {"BOOL": false}]}, "m": {"M": {"ns": {"NS": ["1", "2"]}, "ss": {"SS": ["a"]}}}});
        assert_eq!(item_json(&item_from_json(&item).unwrap()), item);
        assert!(item_from_json(&json!({"x": {"Q": "1"}})).unwrap_err().contains("unknown type Q"));
        assert!(item_from_json(&json!({"x": {"B": "!"}})).unwrap_err().contains("not base64"));
        let mut deep = json!({"S": "x"});
        for _ in 0..40 {
            deep = json!({ "L": [deep] });
        }
        assert!(item_from_json(&json!({ "x": deep })).unwrap_err().contains("32 levels"));
    }
}
