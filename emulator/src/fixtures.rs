//! Tables and data from what teams already keep: `CreateTable` inputs (as
//! the AWS CLI takes them), CloudFormation templates' `AWS::DynamoDB::Table`
//! resources (YAML or JSON), and JSON files of items (plain or DynamoDB JSON).
//!
//! Shared by the harness (`harness::fixtures`) and the binary's `--seed`.
//! Everything goes through the operations themselves (`CreateTable`,
//! `PutItem`, ...), so fixtures get exactly the validation and storage path
//! of API calls.

use crate::operation::Operation;
use crate::state::State;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::fmt;

/// DynamoDB's limit on nested attribute values.
const MAX_NESTING_DEPTH: usize = 32;

/// Why a fixture could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureError(pub String);

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FixtureError {}

pub type FixtureResult<T> = Result<T, FixtureError>;

fn fail<T>(message: impl Into<String>) -> FixtureResult<T> {
    Err(FixtureError(message.into()))
}

/// Runs one operation as an API call would, turning its error into a fixture error.
pub fn call(state: &State, operation: &str, body: &Value) -> FixtureResult<Value> {
    let op = Operation::from_name(operation).ok_or_else(|| FixtureError(format!("unknown operation {operation}")))?;
    crate::ops::dispatch(state, op, body)
        .map_err(|e| FixtureError(format!("{operation}: {}: {}", e.kind.name(), e.message)))
}

/// Parses JSON, or YAML with CloudFormation's short-form tags (`!Ref X`
/// becomes `{"Ref": "X"}`, `!GetAtt A.B` becomes `{"Fn::GetAtt": ["A", "B"]}`,
/// `!Sub s` becomes `{"Fn::Sub": s}`, ...).
pub fn parse_document(text: &str) -> FixtureResult<Value> {
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| FixtureError(format!("neither JSON nor YAML: {e}")))?;
    yaml_to_json(yaml, 0)
}

fn yaml_to_json(value: serde_yaml_ng::Value, depth: usize) -> FixtureResult<Value> {
    use serde_yaml_ng::Value as Y;
    if depth > 128 {
        return fail("document nests too deeply");
    }
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::from_str(&n.to_string()).unwrap_or_else(|_| Value::String(n.to_string())),
        Y::String(s) => Value::String(s),
        Y::Sequence(list) => {
            Value::Array(list.into_iter().map(|v| yaml_to_json(v, depth + 1)).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => return fail("mapping keys must be scalars"),
                };
                out.insert(key, yaml_to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = yaml_to_json(tagged.value, depth + 1)?;
            match name {
                "Ref" | "Condition" => json!({ name: inner }),
                // `!GetAtt Resource.Attribute` is the short form of a two-element list.
                "GetAtt" => match inner {
                    Value::String(s) => {
                        let (resource, attribute) = s.split_once('.').unwrap_or((&s, ""));
                        json!({ "Fn::GetAtt": [resource, attribute] })
                    }
                    other => json!({ "Fn::GetAtt": other }),
                },
                other => json!({ format!("Fn::{other}"): inner }),
            }
        }
    })
}

/// How to read a template: a table-name prefix, and values for its parameters
/// (those not given take their `Default`).
#[derive(Clone, Debug, Default)]
pub struct TemplateOptions {
    pub prefix: String,
    pub parameters: HashMap<String, String>,
    /// `AWS::StackName` (default `stack`).
    pub stack_name: Option<String>,
}

/// Creates the tables a document describes, and returns their names:
/// a CloudFormation template (`Resources`), one `CreateTable` input, or a
/// list of them. Table names get `options.prefix`.
pub fn create_tables(state: &State, text: &str, options: &TemplateOptions) -> FixtureResult<Vec<String>> {
    let mut names = Vec::new();
    for table in table_inputs(state, &parse_document(text)?, options)? {
        names.push(table.create(state)?);
    }
    Ok(names)
}

/// A table a fixture defines: its `CreateTable` input (named, prefix
/// included) and the calls CloudFormation makes after creating it.
#[derive(Clone, Debug)]
pub struct TableInput {
    pub name: String,
    pub input: Value,
    follow_ups: FollowUps,
}

impl TableInput {
    /// Creates the table (and applies its follow-up settings); returns its name.
    pub fn create(&self, state: &State) -> FixtureResult<String> {
        call(state, "CreateTable", &self.input)?;
        for (operation, body) in &self.follow_ups {
            let mut body = body.clone();
            body["TableName"] = json!(self.name);
            call(state, operation, &body)?;
        }
        Ok(self.name.clone())
    }
}

/// Whether a parsed document defines tables (a template, a `CreateTable`
/// input or a list of them) rather than holding items.
pub fn defines_tables(document: &Value) -> bool {
    let is_input = |v: &Value| v.get("TableName").is_some() && v.get("KeySchema").is_some();
    match document {
        Value::Array(list) => !list.is_empty() && list.iter().all(is_input),
        one => one.get("Resources").is_some() || is_input(one),
    }
}

/// The tables a parsed document defines, without creating them.
pub fn table_inputs(state: &State, document: &Value, options: &TemplateOptions) -> FixtureResult<Vec<TableInput>> {
    let inputs = if document.get("Resources").is_some() {
        cloudformation_tables(state, document, options)?
    } else {
        match document {
            Value::Array(list) => list.iter().map(|i| (i.clone(), Vec::new())).collect(),
            one => vec![(one.clone(), Vec::new())],
        }
    };
    inputs
        .into_iter()
        .map(|(mut input, follow_ups)| {
            let name = input
                .get("TableName")
                .and_then(Value::as_str)
                .ok_or(FixtureError("a table needs a TableName".into()))?;
            let name = format!("{}{name}", options.prefix);
            input["TableName"] = json!(name);
            Ok(TableInput { name, input, follow_ups })
        })
        .collect()
}

/// Settings CloudFormation applies after creating a table, as the calls that set them.
type FollowUps = Vec<(&'static str, Value)>;

/// The `CreateTable` inputs (and follow-up calls) of a template's
/// `AWS::DynamoDB::Table` resources, with intrinsic functions resolved.
fn cloudformation_tables(
    state: &State,
    template: &Value,
    options: &TemplateOptions,
) -> FixtureResult<Vec<(Value, FollowUps)>> {
    let resources = template["Resources"].as_object().ok_or(FixtureError("Resources must be a mapping".into()))?;
    let resolver = Resolver::new(state, template, options);
    let mut out = Vec::new();
    for (logical_id, resource) in resources {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::DynamoDB::Table") {
            continue;
        }
        let properties = resolver.resolve(resource.get("Properties").unwrap_or(&json!({})), 0)?;
        let Value::Object(mut properties) = properties else {
            return fail(format!("{logical_id}: Properties must be a mapping"));
        };
        // CloudFormation names an unnamed table after the stack and resource.
        properties.entry("TableName").or_insert_with(|| json!(logical_id));
        let mut follow_ups = Vec::new();
        if let Some(ttl) = properties.remove("TimeToLiveSpecification") {
            follow_ups.push(("UpdateTimeToLive", json!({ "TimeToLiveSpecification": ttl })));
        }
        if let Some(pitr) = properties.remove("PointInTimeRecoverySpecification") {
            follow_ups.push(("UpdateContinuousBackups", json!({ "PointInTimeRecoverySpecification": pitr })));
        }
        if let Some(Value::Object(stream)) = properties.get_mut("StreamSpecification") {
            // CloudFormation has a stream when a view type is given.
            stream.insert("StreamEnabled".into(), json!(true));
        }
        // Settings with no CreateTable counterpart here.
        for ignored in [
            "ContributorInsightsSpecification",
            "KinesisStreamSpecification",
            "ImportSourceSpecification",
            "ResourcePolicy",
        ] {
            properties.remove(ignored);
        }
        for index in properties.get_mut("GlobalSecondaryIndexes").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(index) = index.as_object_mut() {
                index.remove("ContributorInsightsSpecification");
            }
        }
        follow_ups.retain(|(operation, _)| Operation::from_name(operation).is_some());
        out.push((Value::Object(properties), follow_ups));
    }
    if out.is_empty() {
        return fail("the template has no AWS::DynamoDB::Table resource");
    }
    Ok(out)
}

/// Resolves `Ref`, `Fn::Sub` and `Fn::Join` against parameters and pseudo parameters.
struct Resolver {
    values: HashMap<String, String>,
}

impl Resolver {
    fn new(state: &State, template: &Value, options: &TemplateOptions) -> Resolver {
        let mut values = HashMap::new();
        values.insert("AWS::Region".to_string(), state.config.region.clone());
        values.insert("AWS::AccountId".to_string(), state.config.account_id.clone());
        values.insert("AWS::StackName".to_string(), options.stack_name.clone().unwrap_or_else(|| "stack".into()));
        values.insert("AWS::Partition".to_string(), "aws".into());
        values.insert("AWS::URLSuffix".to_string(), "amazonaws.com".into());
        if let Some(parameters) = template.get("Parameters").and_then(Value::as_object) {
            for (name, spec) in parameters {
                match spec.get("Default") {
                    Some(Value::String(s)) => values.insert(name.clone(), s.clone()),
                    Some(other @ (Value::Number(_) | Value::Bool(_))) => values.insert(name.clone(), other.to_string()),
                    _ => None,
                };
            }
        }
        values.extend(options.parameters.clone());
        Resolver { values }
    }

    fn lookup(&self, name: &str) -> FixtureResult<String> {
        self.values
            .get(name)
            .cloned()
            .ok_or_else(|| FixtureError(format!("no value for {name} (pass it as a parameter)")))
    }

    fn resolve(&self, value: &Value, depth: usize) -> FixtureResult<Value> {
        if depth > 64 {
            return fail("template nests too deeply");
        }
        Ok(match value {
            Value::Array(list) => {
                Value::Array(list.iter().map(|v| self.resolve(v, depth + 1)).collect::<Result<_, _>>()?)
            }
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => json!(self.lookup(arg.as_str().unwrap_or_default())?),
                    "Fn::Sub" => json!(self.substitute(arg, depth)?),
                    "Fn::Join" => {
                        let (sep, parts) = match arg.as_array().map(Vec::as_slice) {
                            Some([Value::String(sep), parts]) => (sep, self.resolve(parts, depth + 1)?),
                            _ => return fail("Fn::Join takes [separator, [values]]"),
                        };
                        let parts: Vec<String> = parts
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|p| p.as_str().map(str::to_string).unwrap_or_else(|| p.to_string()))
                            .collect();
                        json!(parts.join(sep))
                    }
                    name if name.starts_with("Fn::") => {
                        return fail(format!("{name} is not supported in table properties"))
                    }
                    _ => Value::Object(
                        map.iter()
                            .map(|(k, v)| Ok((k.clone(), self.resolve(v, depth + 1)?)))
                            .collect::<FixtureResult<_>>()?,
                    ),
                }
            }
            Value::Object(map) => Value::Object(
                map.iter().map(|(k, v)| Ok((k.clone(), self.resolve(v, depth + 1)?))).collect::<FixtureResult<_>>()?,
            ),
            other => other.clone(),
        })
    }

    /// `Fn::Sub`: `"${Env}-users"` or `["${A}-${B}", {"A": value}]`.
    fn substitute(&self, arg: &Value, depth: usize) -> FixtureResult<String> {
        let (text, locals) = match arg {
            Value::String(s) => (s.as_str(), Map::new()),
            Value::Array(list) => match list.as_slice() {
                [Value::String(s), vars] => match self.resolve(vars, depth + 1)? {
                    Value::Object(vars) => (s.as_str(), vars),
                    _ => return fail("Fn::Sub variables must be a mapping"),
                },
                _ => return fail("Fn::Sub takes a string or [string, variables]"),
            },
            _ => return fail("Fn::Sub takes a string or [string, variables]"),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            // `${!Literal}` writes `${Literal}`.
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after.find('}').ok_or(FixtureError(format!("unclosed ${{ in Fn::Sub {text:?}")))?;
            let name = &after[..end];
            match locals.get(name) {
                Some(Value::String(s)) => out.push_str(s),
                Some(other) => out.push_str(&other.to_string()),
                None => out.push_str(&self.lookup(name)?),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// How items are written in a data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemFormat {
    /// Plain JSON objects (`{"id": "1", "age": 30}`), as a DocumentClient writes them.
    Plain,
    /// DynamoDB JSON (`{"id": {"S": "1"}, "age": {"N": "30"}}`), as the low-level API and `aws dynamodb` write them.
    DynamoDb,
}

/// Puts items into `table`: a JSON array of items (plain or DynamoDB JSON,
/// told apart by their look), an object with one array of items (a
/// json-server `db.json` such as `{"users": [...]}`, which must hold one
/// collection), or a `BatchWriteItem` `RequestItems` document for this table.
/// Returns how many items were written. Items are put one by one: on an
/// error, the items before the failing one stay written.
pub fn seed_items(state: &State, table: &str, document: &Value) -> FixtureResult<usize> {
    let items = item_list(table, document.clone())?;
    seed_items_as(state, table, &items, item_format(&items))
}

/// The format a list of items is written in, told apart by their look.
pub fn item_format(items: &[Value]) -> ItemFormat {
    if !items.is_empty() && items.iter().all(looks_like_dynamodb_json) {
        ItemFormat::DynamoDb
    } else {
        ItemFormat::Plain
    }
}

/// Puts items written in a known format.
pub fn seed_items_as(state: &State, table: &str, items: &[Value], format: ItemFormat) -> FixtureResult<usize> {
    for (i, item) in items.iter().enumerate() {
        let wire = to_wire(item.clone(), format).map_err(|e| FixtureError(format!("item {i}: {e}")))?;
        put_item(state, table, wire).map_err(|e| FixtureError(format!("item {i}: {e}")))?;
    }
    Ok(items.len())
}

/// An item as DynamoDB JSON.
pub fn to_wire(item: Value, format: ItemFormat) -> Result<Value, String> {
    match format {
        ItemFormat::DynamoDb => Ok(item),
        ItemFormat::Plain => plain_item_to_wire(&item),
    }
}

/// PutItem of one DynamoDB JSON item, as an API call would.
pub fn put_item(state: &State, table: &str, item: Value) -> FixtureResult<()> {
    call(state, "PutItem", &json!({ "TableName": table, "Item": item })).map(drop)
}

/// The items of a document for `table`: a list, a one-list object, or
/// `BatchWriteItem` `RequestItems` (see [`seed_items`]).
pub fn item_list(table: &str, document: Value) -> FixtureResult<Vec<Value>> {
    match document {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => {
            // BatchWriteItem's RequestItems: {"T": [{"PutRequest": {"Item": ...}}]}.
            if let Some(Value::Array(requests)) = map.remove(table) {
                if requests.iter().all(|r| r.get("PutRequest").is_some()) && !requests.is_empty() {
                    return Ok(requests.into_iter().map(|mut r| r["PutRequest"]["Item"].take()).collect());
                }
                return Ok(requests);
            }
            let mut lists: Vec<Value> = map.into_iter().map(|(_, v)| v).filter(Value::is_array).collect();
            match lists.pop() {
                Some(Value::Array(items)) if lists.is_empty() => Ok(items),
                _ => fail(format!("expected an array of items, or an object with one array or a {table:?} array")),
            }
        }
        _ => fail("expected an array of items"),
    }
}

const TYPE_TAGS: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"];

fn looks_like_dynamodb_json(item: &Value) -> bool {
    item.as_object().is_some_and(|attrs| {
        !attrs.is_empty()
            && attrs.values().all(|v| {
                v.as_object()
                    .is_some_and(|tagged| tagged.len() == 1 && tagged.keys().all(|k| TYPE_TAGS.contains(&k.as_str())))
            })
    })
}

/// Plain JSON to DynamoDB JSON: strings, numbers (exact as written), booleans,
/// null, lists and maps. (Sets and binary have no plain-JSON form.)
pub fn plain_item_to_wire(item: &Value) -> Result<Value, String> {
    let Value::Object(attrs) = item else { return Err("an item must be a JSON object".into()) };
    attrs
        .iter()
        .map(|(k, v)| Ok((k.clone(), plain_value_to_wire(v, 0)?)))
        .collect::<Result<Map<_, _>, String>>()
        .map(Value::Object)
}

fn plain_value_to_wire(value: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_NESTING_DEPTH {
        return Err("nesting exceeds 32 levels".into());
    }
    Ok(match value {
        Value::String(s) => json!({ "S": s }),
        Value::Number(n) => json!({ "N": n.to_string() }),
        Value::Bool(b) => json!({ "BOOL": b }),
        Value::Null => json!({ "NULL": true }),
        Value::Array(list) => {
            json!({ "L": list.iter().map(|v| plain_value_to_wire(v, depth + 1)).collect::<Result<Vec<_>, _>>()? })
        }
        Value::Object(map) => {
            json!({ "M": map.iter().map(|(k, v)| Ok((k.clone(), plain_value_to_wire(v, depth + 1)?))).collect::<Result<Map<_, _>, String>>()? })
        }
    })
}

/// Every item of `table` in the table's order (Scan's), as a JSON array in `format`.
pub fn dump_items(state: &State, table: &str, format: ItemFormat) -> FixtureResult<Value> {
    if state.table(table).is_none() {
        return fail(format!("no table {table}"));
    }
    let mut items = Vec::new();
    let mut start: Option<Value> = None;
    loop {
        let mut scan = json!({ "TableName": table });
        if let Some(key) = start.take() {
            scan["ExclusiveStartKey"] = key;
        }
        let mut page = call(state, "Scan", &scan)?;
        if let Some(Value::Array(found)) = page.get_mut("Items").map(Value::take) {
            items.extend(found.into_iter().map(|item| match format {
                ItemFormat::DynamoDb => item,
                ItemFormat::Plain => wire_item_to_plain(&item),
            }));
        }
        match page.get_mut("LastEvaluatedKey").map(Value::take) {
            Some(key) => start = Some(key),
            None => return Ok(Value::Array(items)),
        }
    }
}

/// DynamoDB values as plain JSON: sets become arrays, binary stays base64
/// text, numbers become JSON numbers (exact when they fit an integer or a
/// double; DynamoDB JSON is the lossless format).
pub fn wire_item_to_plain(item: &Value) -> Value {
    match item {
        Value::Object(attrs) => Value::Object(attrs.iter().map(|(k, v)| (k.clone(), wire_value_to_plain(v))).collect()),
        _ => Value::Null,
    }
}

fn wire_value_to_plain(value: &Value) -> Value {
    let Some((tag, inner)) = value.as_object().and_then(|o| o.iter().next()) else { return Value::Null };
    let list = |f: fn(&Value) -> Value| Value::Array(inner.as_array().into_iter().flatten().map(f).collect());
    match tag.as_str() {
        "S" | "B" | "BOOL" => inner.clone(),
        "NULL" => Value::Null,
        "N" => plain_number(inner),
        "SS" | "BS" => inner.clone(),
        "NS" => list(plain_number),
        "L" => list(wire_value_to_plain),
        "M" => wire_item_to_plain(inner),
        _ => Value::Null,
    }
}

/// A DynamoDB number as a JSON number when its canonical form is one.
fn plain_number(text: &Value) -> Value {
    let text = text.as_str().unwrap_or_default();
    let canonical = canonical_number(text).unwrap_or_else(|| text.to_string());
    serde_json::from_str::<Value>(&canonical).ok().filter(Value::is_number).unwrap_or(Value::String(canonical))
}

/// The canonical decimal form DynamoDB answers top-level numbers in (no
/// exponent, no leading or trailing zeros: `1.50E+2` is `150`); nested
/// numbers come back as they were written.
fn canonical_number(text: &str) -> Option<String> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())) || int.len() + frac.len() == 0 {
        return None;
    }
    // digits × 10^(point - digits.len()), with the decimal point after `point` digits.
    let all = format!("{int}{frac}");
    let leading = all.bytes().take_while(|b| *b == b'0').count();
    let digits = all[leading..].trim_end_matches('0');
    if digits.is_empty() {
        return Some("0".into());
    }
    let point = int.len() as i64 - leading as i64 + exponent;
    let mut out = String::from(if negative { "-" } else { "" });
    let len = digits.len() as i64;
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(digits);
    } else if point >= len {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (point - len) as usize));
    } else {
        let (i, f) = digits.split_at(point as usize);
        out.push_str(&format!("{i}.{f}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_short_form_tags_become_intrinsics() {
        let doc = parse_document("a: !Ref Env\nb: !GetAtt Table.Arn\nc: !Sub '${Env}-x'\n").unwrap();
        assert_eq!(
            doc,
            json!({"a": {"Ref": "Env"}, "b": {"Fn::GetAtt": ["Table", "Arn"]}, "c": {"Fn::Sub": "${Env}-x"}})
        );
    }

    #[test]
    fn sub_resolves_parameters_locals_and_literals() {
        let state = State::default();
        let template = json!({"Parameters": {"Env": {"Type": "String", "Default": "dev"}}});
        let resolver = Resolver::new(&state, &template, &TemplateOptions::default());
        assert_eq!(resolver.substitute(&json!("${Env}-${AWS::Region}-${!Lit}"), 0).unwrap(), "dev-us-east-1-${Lit}");
        assert_eq!(resolver.substitute(&json!(["${A}-${Env}", {"A": "x"}]), 0).unwrap(), "x-dev");
        assert!(resolver.substitute(&json!("${Missing}"), 0).is_err());
    }

    #[test]
    fn plain_and_dynamodb_json_are_told_apart() {
        assert!(looks_like_dynamodb_json(&json!({"id": {"S": "1"}, "n": {"N": "2"}})));
        assert!(!looks_like_dynamodb_json(&json!({"id": "1"})));
        assert!(!looks_like_dynamodb_json(&json!({"id": {"S": "1", "x": 2}})));
        assert_eq!(
            plain_item_to_wire(&json!({"a": 1.5, "b": [true, null], "c": {"d": "e"}})).unwrap(),
            json!({"a": {"N": "1.5"}, "b": {"L": [{"BOOL": true}, {"NULL": true}]}, "c": {"M": {"d": {"S": "e"}}}})
        );
    }

    #[test]
    fn numbers_become_plain_json_in_canonical_form() {
        for (written, canonical) in [
            ("150", "150"),
            ("1.50E+2", "150"),
            ("007", "7"),
            ("-0.0", "0"),
            ("+.5", "0.5"),
            ("1e-3", "0.001"),
            ("12.34", "12.34"),
            ("-1.2e1", "-12"),
            ("5.", "5"),
        ] {
            assert_eq!(canonical_number(written).as_deref(), Some(canonical), "{written}");
        }
        assert_eq!(canonical_number("x"), None);
        assert_eq!(
            wire_item_to_plain(
                &json!({"n": {"N": "1.0"}, "l": {"L": [{"N": "1E2"}, {"SS": ["a"]}]}, "b": {"B": "AA=="}})
            ),
            json!({"n": 1, "l": [100, ["a"]], "b": "AA=="})
        );
    }
}
