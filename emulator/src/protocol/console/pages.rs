//! The console's pages. Each answers a status and the page's HTML; what an
//! operation refuses is shown on the page, escaped like everything else.

use super::html::{href, page, show, size, Html};
use super::{call, Query};
use crate::operation::Operation;
use crate::state::State;
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Items per page of a Scan or Query.
const PAGE_ITEMS: u64 = 25;
/// Stream records shown, the newest.
const STREAM_RECORDS: usize = 100;

type Page = (StatusCode, String);

fn failed(status: StatusCode, title: &str, nonce: &str, message: &str) -> Page {
    (
        status,
        page(title, nonce, None, |h| {
            h.error(message);
        }),
    )
}

pub fn tables(state: &State, nonce: &str) -> Page {
    let mut names = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let mut body = json!({ "Limit": 100 });
        if let Some(start) = &start {
            body["ExclusiveStartTableName"] = json!(start);
        }
        match call(state, Operation::ListTables, body) {
            Ok(answer) => {
                let listed = answer["TableNames"].as_array().into_iter().flatten();
                names.extend(listed.filter_map(Value::as_str).map(str::to_string));
                match answer["LastEvaluatedTableName"].as_str() {
                    Some(last) => start = Some(last.to_string()),
                    None => break,
                }
            }
            Err(e) => return failed(StatusCode::INTERNAL_SERVER_ERROR, "Tables", nonce, &e.to_string()),
        }
    }
    let body = page("Tables", nonce, None, |h| {
        if names.is_empty() {
            h.raw("<p class=\"muted\">No tables yet.</p>");
            return;
        }
        h.raw("<table><thead><tr><th>Table</th><th>Status</th><th>Key</th><th>Indexes</th>");
        h.raw("<th>Items</th><th>Size</th><th>Stream</th></tr></thead><tbody>");
        for name in &names {
            h.raw("<tr><td>").link("table", &[("name", name)], name).raw("</td>");
            // A table deleted since the listing shows its refusal in its row.
            let table = match call(state, Operation::DescribeTable, json!({ "TableName": name })) {
                Ok(answer) => answer["Table"].clone(),
                Err(e) => {
                    h.raw("<td colspan=\"6\">").text(&e.to_string()).raw("</td></tr>");
                    continue;
                }
            };
            let definitions = &table["AttributeDefinitions"];
            h.cell(table["TableStatus"].as_str().unwrap_or("")).cell(&keys(&table["KeySchema"], definitions));
            h.raw("<td>");
            for (kind, index) in indexes(&table) {
                let status = index["IndexStatus"].as_str().unwrap_or("ACTIVE");
                let index_name = index["IndexName"].as_str().unwrap_or("");
                h.text(&format!("{index_name} ({kind}, {status})")).raw("<br>");
            }
            h.raw("</td>");
            h.cell(&table["ItemCount"].as_u64().unwrap_or(0).to_string());
            h.cell(&size(table["TableSizeBytes"].as_u64().unwrap_or(0)));
            match table["StreamSpecification"]["StreamViewType"].as_str() {
                Some(view) => h.raw("<td>").link("stream", &[("name", name)], view).raw("</td>"),
                None => h.cell("off"),
            };
            h.raw("</tr>");
        }
        h.raw("</tbody></table>");
    });
    (StatusCode::OK, body)
}

/// The table's global and local secondary indexes, with their kind.
fn indexes(table: &Value) -> impl Iterator<Item = (&'static str, &Value)> {
    let of = |field: &str, kind: &'static str| {
        table[field].as_array().into_iter().flatten().map(move |index| (kind, index)).collect::<Vec<_>>()
    };
    of("GlobalSecondaryIndexes", "global").into_iter().chain(of("LocalSecondaryIndexes", "local"))
}

/// `pk (S), sk (N, sort)`: a key schema with its attributes' types.
fn keys(schema: &Value, definitions: &Value) -> String {
    let parts: Vec<String> = key_attributes(schema)
        .iter()
        .map(|(name, kind)| {
            let sort = if kind == "RANGE" { ", sort" } else { "" };
            format!("{name} ({}{sort})", attribute_type(definitions, name))
        })
        .collect();
    parts.join(", ")
}

/// (attribute, HASH or RANGE) in schema order.
fn key_attributes(schema: &Value) -> Vec<(String, String)> {
    let field = |key: &Value, f: &str| key[f].as_str().unwrap_or("").to_string();
    schema.as_array().into_iter().flatten().map(|key| (field(key, "AttributeName"), field(key, "KeyType"))).collect()
}

fn attribute_type<'a>(definitions: &'a Value, name: &str) -> &'a str {
    let found = definitions.as_array().into_iter().flatten().find(|d| d["AttributeName"] == name);
    found.and_then(|d| d["AttributeType"].as_str()).unwrap_or("S")
}

/// The table a page is about (`?name=`) and its description, or the page saying why not.
fn described<'q>(state: &State, query: &'q Query, title: &str, nonce: &str) -> Result<(&'q str, Value), Page> {
    let Some(name) = query.get("name") else {
        return Err(failed(StatusCode::BAD_REQUEST, title, nonce, "which table? (?name=TABLE)"));
    };
    match call(state, Operation::DescribeTable, json!({ "TableName": name })) {
        Ok(answer) => Ok((name, answer["Table"].clone())),
        Err(e) => Err(failed(StatusCode::NOT_FOUND, name, nonce, &e.to_string())),
    }
}

pub fn table(state: &State, query: &Query, nonce: &str) -> Page {
    let (name, table) = match described(state, query, "Table", nonce) {
        Ok(found) => found,
        Err(page) => return page,
    };
    let index = query.get("index");
    let schema = match index {
        None => table["KeySchema"].clone(),
        Some(index) => match indexes(&table).find(|(_, i)| i["IndexName"] == index) {
            Some((_, found)) => found["KeySchema"].clone(),
            None => return failed(StatusCode::NOT_FOUND, name, nonce, &format!("{name} has no index {index}")),
        },
    };
    let read = read_items(state, query, name, &table, &schema);
    let body = page(name, nonce, None, |h| {
        h.raw("<p>").text(table["TableStatus"].as_str().unwrap_or("")).raw(" · ");
        h.text(&format!("{} items", table["ItemCount"].as_u64().unwrap_or(0))).raw(" · ");
        h.text(&size(table["TableSizeBytes"].as_u64().unwrap_or(0))).raw(" · ");
        h.link("stream", &[("name", name)], "stream records").raw("</p>");
        h.raw("<h2>Definition</h2><p>Key: ").text(&keys(&table["KeySchema"], &table["AttributeDefinitions"]));
        h.raw("</p><details><summary>DescribeTable</summary>").json(&table).raw("</details>");
        write_indexes(h, &table);
        write_targets(h, name, &table, index);
        write_query_form(h, query, name, index, &schema, &table["AttributeDefinitions"]);
        match &read {
            Ok(answer) => write_items(h, query, answer, &table["KeySchema"], &schema),
            Err(message) => {
                h.error(message);
            }
        }
    });
    (StatusCode::OK, body)
}

fn write_indexes(h: &mut Html, table: &Value) {
    let all: Vec<_> = indexes(table).collect();
    if all.is_empty() {
        return;
    }
    h.raw("<h2>Indexes</h2><table><thead><tr><th>Index</th><th>Kind</th><th>Key</th><th>Projection</th>");
    h.raw("<th>Status</th><th>Items</th></tr></thead><tbody>");
    for (kind, index) in all {
        h.raw("<tr>").cell(index["IndexName"].as_str().unwrap_or("")).cell(kind);
        h.cell(&keys(&index["KeySchema"], &table["AttributeDefinitions"]));
        let projection = &index["Projection"];
        let mut shown = projection["ProjectionType"].as_str().unwrap_or("").to_string();
        if let Some(extra) = projection["NonKeyAttributes"].as_array() {
            let extra: Vec<&str> = extra.iter().filter_map(Value::as_str).collect();
            shown.push_str(&format!(" ({})", extra.join(", ")));
        }
        h.cell(&shown).cell(index["IndexStatus"].as_str().unwrap_or("ACTIVE"));
        h.cell(&index["ItemCount"].as_u64().unwrap_or(0).to_string()).raw("</tr>");
    }
    h.raw("</tbody></table>");
}

/// Links to browse the table or one of its indexes.
fn write_targets(h: &mut Html, name: &str, table: &Value, current: Option<&str>) {
    h.raw("<h2>Items</h2><p class=\"tabs\">Browse: ");
    let mark = |h: &mut Html, on: bool| {
        h.raw(if on { "<span class=\"current\">" } else { "<span>" });
    };
    mark(h, current.is_none());
    h.link("table", &[("name", name)], "table").raw("</span>");
    for (_, index) in indexes(table) {
        let index_name = index["IndexName"].as_str().unwrap_or("");
        mark(h, current == Some(index_name));
        h.link("table", &[("name", name), ("index", index_name)], index_name).raw("</span>");
    }
    h.raw("</p>");
}

const SORT_OPERATORS: [(&str, &str); 7] = [
    ("=", "="),
    ("<", "<"),
    ("<=", "≤"),
    (">", ">"),
    (">=", "≥"),
    ("begins_with", "begins with"),
    ("between", "between … and"),
];

fn write_query_form(h: &mut Html, query: &Query, name: &str, index: Option<&str>, schema: &Value, defs: &Value) {
    let field = |h: &mut Html, field: &str| {
        h.raw(" <input name=\"").raw(field).raw("\" value=\"").text(query.get(field).unwrap_or("")).raw("\">");
    };
    h.raw("<form method=\"get\" action=\"").raw(&href("table", &[])).raw("\">");
    h.raw("<input type=\"hidden\" name=\"name\" value=\"").text(name).raw("\">");
    if let Some(index) = index {
        h.raw("<input type=\"hidden\" name=\"index\" value=\"").text(index).raw("\">");
    }
    h.raw("<input type=\"hidden\" name=\"mode\" value=\"query\">");
    let attributes = key_attributes(schema);
    for (i, (attribute, _)) in attributes.iter().filter(|(_, kind)| kind == "HASH").enumerate() {
        h.raw("<label>").text(&format!("{attribute} ({}) =", attribute_type(defs, attribute)));
        field(h, &format!("h{i}"));
        h.raw("</label>");
    }
    if let Some((attribute, _)) = attributes.iter().find(|(_, kind)| kind == "RANGE") {
        h.raw("<label>").text(&format!("{attribute} ({}) ", attribute_type(defs, attribute)));
        h.raw("<select name=\"sop\"><option value=\"\">any</option>");
        for (value, text) in SORT_OPERATORS {
            let selected = if query.get("sop") == Some(value) { " selected" } else { "" };
            h.raw("<option value=\"").text(value).raw("\"").raw(selected).raw(">").text(text).raw("</option>");
        }
        h.raw("</select>");
        field(h, "s1");
        field(h, "s2");
        let checked = if query.get("order") == Some("desc") { " checked" } else { "" };
        h.raw("</label><label><input type=\"checkbox\" name=\"order\" value=\"desc\"").raw(checked);
        h.raw("> descending</label>");
    }
    h.raw("<button type=\"submit\">Query</button> ");
    let mut scan = vec![("name", name)];
    scan.extend(index.map(|i| ("index", i)));
    h.link("table", &scan, "Scan all").raw("</form>");
}

/// A page of the target's items: Query when the form was sent, Scan otherwise.
fn read_items(state: &State, query: &Query, name: &str, table: &Value, schema: &Value) -> Result<Value, String> {
    let mut body = json!({ "TableName": name, "Limit": PAGE_ITEMS });
    if let Some(index) = query.get("index") {
        body["IndexName"] = json!(index);
    }
    if let Some(start) = query.get("start") {
        let start: Value = serde_json::from_str(start).map_err(|e| format!("the page's start key is not JSON: {e}"))?;
        body["ExclusiveStartKey"] = start;
    }
    if query.get("mode") != Some("query") {
        return call(state, Operation::Scan, body).map_err(|e| e.to_string());
    }
    let defs = &table["AttributeDefinitions"];
    let typed = |attribute: &str, text: &str| json!({ attribute_type(defs, attribute): text });
    let (mut names, mut values, mut conditions) = (json!({}), json!({}), Vec::new());
    let attributes = key_attributes(schema);
    for (i, (attribute, _)) in attributes.iter().filter(|(_, kind)| kind == "HASH").enumerate() {
        let value = query.get(&format!("h{i}")).ok_or_else(|| format!("a Query needs a value for {attribute}"))?;
        names[format!("#h{i}")] = json!(attribute);
        values[format!(":h{i}")] = typed(attribute, value);
        conditions.push(format!("#h{i} = :h{i}"));
    }
    if let (Some((attribute, _)), Some(op)) = (attributes.iter().find(|(_, kind)| kind == "RANGE"), query.get("sop")) {
        names["#s"] = json!(attribute);
        values[":s1"] = typed(attribute, query.get("s1").unwrap_or(""));
        conditions.push(match op {
            "begins_with" => "begins_with(#s, :s1)".to_string(),
            "between" => {
                values[":s2"] = typed(attribute, query.get("s2").unwrap_or(""));
                "#s BETWEEN :s1 AND :s2".to_string()
            }
            op if SORT_OPERATORS.iter().any(|(known, _)| *known == op) => format!("#s {op} :s1"),
            op => return Err(format!("unknown sort key condition {op}")),
        });
    }
    body["KeyConditionExpression"] = json!(conditions.join(" AND "));
    body["ExpressionAttributeNames"] = names;
    body["ExpressionAttributeValues"] = values;
    if query.get("order") == Some("desc") {
        body["ScanIndexForward"] = json!(false);
    }
    call(state, Operation::Query, body).map_err(|e| e.to_string())
}

fn write_items(h: &mut Html, query: &Query, answer: &Value, table_schema: &Value, schema: &Value) {
    let items = answer["Items"].as_array().map(Vec::as_slice).unwrap_or_default();
    let verb = if query.get("mode") == Some("query") { "Query" } else { "Scan" };
    h.raw("<p class=\"muted\">").text(&format!(
        "{verb}: {} items on this page ({} read)",
        items.len(),
        answer["ScannedCount"].as_u64().unwrap_or(0)
    ));
    h.raw("</p>");
    // Key attributes first (the table's, then the index's), then the rest by name.
    let mut columns: Vec<String> = Vec::new();
    for (attribute, _) in key_attributes(table_schema).into_iter().chain(key_attributes(schema)) {
        if !columns.contains(&attribute) {
            columns.push(attribute);
        }
    }
    let rest: BTreeSet<&String> = items.iter().filter_map(Value::as_object).flat_map(|item| item.keys()).collect();
    columns.extend(rest.into_iter().filter(|name| !columns.contains(name)).cloned().collect::<Vec<_>>());
    if !items.is_empty() {
        h.raw("<table class=\"items\"><thead><tr>");
        for column in &columns {
            h.raw("<th>").text(column).raw("</th>");
        }
        h.raw("</tr></thead><tbody>");
        for item in items {
            h.raw("<tr>");
            for column in &columns {
                h.cell(&item.get(column).map(show).unwrap_or_default());
            }
            h.raw("</tr>");
        }
        h.raw("</tbody></table>");
    }
    if let Some(last) = answer.get("LastEvaluatedKey") {
        let start = last.to_string();
        let mut params: Vec<(&str, &str)> = Vec::new();
        for field in ["name", "index", "mode", "h0", "h1", "h2", "h3", "sop", "s1", "s2", "order"] {
            if let Some(value) = query.get(field) {
                params.push((field, value));
            }
        }
        params.push(("start", &start));
        h.raw("<p>").link("table", &params, "Next page →").raw("</p>");
    }
}

pub fn stream(state: &State, query: &Query, nonce: &str) -> Page {
    let (name, table) = match described(state, query, "Stream", nonce) {
        Ok(found) => found,
        Err(page) => return page,
    };
    let records = newest_records(state, name);
    let paused = query.get("paused").is_some();
    let title = format!("{name}: stream records");
    let body = page(&title, nonce, (!paused).then_some(2), |h| {
        h.raw("<p>").link("table", &[("name", name)], name).raw(" · ");
        match table["StreamSpecification"]["StreamViewType"].as_str() {
            Some(view) => h.text(&format!("stream on ({view})")),
            None => h.text("no stream is enabled now"),
        };
        h.raw(" · ");
        if paused {
            h.link("stream", &[("name", name)], "follow (reload every 2 s)");
        } else {
            h.text("reloading every 2 s · ").link("stream", &[("name", name), ("paused", "1")], "pause");
        }
        h.raw("</p>");
        if records.is_empty() {
            h.raw("<p class=\"muted\">No records yet.</p>");
            return;
        }
        h.raw("<table class=\"records\"><thead><tr><th>#</th><th>Time</th><th>Event</th><th>Keys</th>");
        h.raw("<th>New image</th><th>Old image</th></tr></thead><tbody>");
        for (sequence, record) in records.iter().rev().take(STREAM_RECORDS) {
            let change = &record["dynamodb"];
            let image = |field: &str| change.get(field).map(|m| show(&json!({ "M": m }))).unwrap_or_default();
            let time =
                change["ApproximateCreationDateTime"].as_f64().map(|s| format!("{} UTC", state.clock.stream_label(s)));
            h.raw("<tr>").cell(&sequence.to_string()).cell(&time.unwrap_or_default());
            h.cell(record["eventName"].as_str().unwrap_or("")).cell(&image("Keys"));
            h.cell(&image("NewImage")).cell(&image("OldImage")).raw("</tr>");
        }
        h.raw("</tbody></table>");
    });
    (StatusCode::OK, body)
}

/// The table's newest records (at most [`STREAM_RECORDS`] are shown). Sequence
/// numbers are shared by every stream, so the last few thousand are read first:
/// the page reloads every 2 s and should not build every record of a long stream.
fn newest_records(state: &State, table: &str) -> Vec<(u64, Value)> {
    const RECENT: u64 = 5_000;
    let latest = state.latest_stream_sequence();
    let recent = state.stream_records_after(table, latest.saturating_sub(RECENT));
    if recent.len() >= STREAM_RECORDS || latest <= RECENT {
        return recent;
    }
    state.stream_records_after(table, 0)
}

pub fn settings(state: &State, nonce: &str) -> Page {
    let faults = state.faults.to_json();
    let now = state.clock.now_millis();
    let body = page("Faults & clock", nonce, None, |h| {
        h.raw("<h2>Fault rules</h2>");
        let rules = faults["rules"].as_array().map(Vec::as_slice).unwrap_or_default();
        if rules.is_empty() {
            h.raw("<p class=\"muted\">No rules: every call runs normally.</p>");
        } else {
            h.raw("<table class=\"faults\"><thead><tr><th>Id</th><th>Operation</th><th>Table</th><th>Fault</th>");
            h.raw("<th>When</th><th>Matched</th><th>Injected</th><th></th></tr></thead><tbody>");
            for rule in rules {
                let id = rule["id"].as_u64().unwrap_or(0).to_string();
                let fault = match (rule["fault"].as_str(), rule["latencyMs"].as_u64()) {
                    (Some(fault), _) => fault.to_string(),
                    (None, Some(ms)) => format!("{ms} ms latency"),
                    (None, None) => String::new(),
                };
                let when = [("probability", "probability "), ("count", "next "), ("every", "every ")]
                    .iter()
                    .find_map(|(field, label)| rule.get(*field).map(|v| format!("{label}{v}")))
                    .unwrap_or_else(|| "always".into());
                h.raw("<tr>").cell(&id).cell(rule["operation"].as_str().unwrap_or("any"));
                h.cell(rule["table"].as_str().unwrap_or("any")).cell(&fault).cell(&when);
                h.cell(&rule["matched"].to_string()).cell(&rule["injected"].to_string()).raw("<td>");
                admin_form(h, &format!("faults/{id}"), "DELETE", "Remove");
                h.raw("</td></tr>");
            }
            h.raw("</tbody></table>");
        }
        h.raw(&format!("<p class=\"muted\">{} faults injected in all.</p>", faults["injected"].as_u64().unwrap_or(0)));
        h.raw("<form class=\"add-fault\" data-admin=\"").raw(&href("faults", &[])).raw("\">");
        h.raw("<label>New rule (JSON: operation, table, fault or latencyMs, probability / count / every)<br>");
        h.raw("<textarea name=\"rule\">{\"operation\": \"PutItem\", \"fault\": ");
        h.raw("\"ProvisionedThroughputExceededException\", \"count\": 1}</textarea></label><br>");
        h.raw("<button type=\"submit\">Add rule</button><output></output></form>");
        admin_form(h, "faults", "DELETE", "Remove every rule");

        h.raw("<h2>Clock</h2><p>Now: ").text(&state.clock.stream_label(now as f64 / 1000.0));
        h.text(&format!(" UTC ({now} ms; moved by {} ms)", state.clock.offset_millis())).raw("</p>");
        h.raw("<form class=\"advance\" data-admin=\"").raw(&href("clock", &[])).raw("\">");
        h.raw("<label>Advance by <input name=\"advanceMillis\" type=\"number\" value=\"60000\"> ms</label>");
        h.raw("<button type=\"submit\">Advance</button><output></output></form>");
        h.raw("<form data-admin=\"").raw(&href("clock", &[])).raw("\">");
        h.raw(&format!("<label>Set to <input name=\"setMillis\" type=\"number\" value=\"{now}\"> ms</label>"));
        h.raw("<button type=\"submit\">Set</button><output></output></form>");

        let delay = state.status_delay.get().as_millis();
        h.raw("<h2>Status delay</h2><p>Tables and indexes stay CREATING, UPDATING or DELETING for ");
        h.text(&format!("{delay} ms.")).raw("</p>");
        h.raw("<form class=\"status-delay\" data-admin=\"").raw(&href("status-delay", &[])).raw("\">");
        h.raw(&format!("<label>Delay <input name=\"millis\" type=\"number\" min=\"0\" value=\"{delay}\"> ms</label>"));
        h.raw("<button type=\"submit\">Set</button><output></output></form>");
        h.raw("<h2>Time to Live</h2>");
        admin_form(h, "ttl/sweep", "POST", "Delete expired items now");
    });
    (StatusCode::OK, body)
}

/// A button sending an empty JSON body to the admin API.
fn admin_form(h: &mut Html, path: &str, method: &str, label: &str) {
    h.raw("<form data-admin=\"").raw(&href(path, &[])).raw("\" data-method=\"").raw(method).raw("\">");
    h.raw("<button type=\"submit\">").text(label).raw("</button><output></output></form>");
}
