//! `--seed`: tables and items loaded from files before the server answers,
//! in the fixture formats (`fixtures`): CloudFormation templates, CreateTable
//! inputs, table files as `emulator dump` writes them (`{"Table": ...,
//! "Items": [...]}`), and item files (`TABLE=PATH` for a bare list; an object
//! of lists, or BatchWriteItem's `RequestItems`, names its tables).
//!
//! Every file is read and parsed, and every table and item checked against
//! the others, before anything is created. Then tables are created and items
//! put through the operations themselves; a refused item is reported by file,
//! index and key. The state may then hold part of the seeds: the caller
//! discards it (the binary exits before serving or writing its journal).

use crate::fixtures::{self, FixtureError, TableInput, TemplateOptions};
use crate::state::State;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// One `--seed` argument: a path, or `TABLE=PATH` for a list of items.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedFile {
    pub path: PathBuf,
    pub table: Option<String>,
}

impl SeedFile {
    /// `PATH`, or `TABLE=PATH` when no file is named by the whole text.
    pub fn parse(text: &str) -> SeedFile {
        match text.split_once('=') {
            Some((table, path)) if !Path::new(text).exists() && !table.is_empty() => {
                SeedFile { path: path.into(), table: Some(table.to_string()) }
            }
            _ => SeedFile { path: text.into(), table: None },
        }
    }
}

/// Why seeding failed: the file, and what is wrong in it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for SeedError {}

/// What seeding may do to tables that already exist (durable mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Existing {
    /// A seed that defines an existing table is refused, naming it.
    #[default]
    Refuse,
    /// The existing table is deleted (items included) and created from the seed.
    Replace,
}

/// Items put so far, for a progress display: (file, done, total in that file).
pub type Progress<'a> = &'a mut dyn FnMut(&Path, usize, usize);

/// How many tables and items were loaded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub tables: usize,
    pub items: usize,
}

/// Items of one table from one file, as DynamoDB JSON.
struct Items {
    path: PathBuf,
    table: String,
    items: Vec<Value>,
}

/// Reads, checks, then loads every file into `state`.
pub fn load(state: &State, files: &[SeedFile], existing: Existing, progress: Progress) -> Result<Loaded, SeedError> {
    let (tables, items) = read_all(state, files)?;
    check(state, &tables, &items, existing)?;
    let mut loaded = Loaded::default();
    for (path, table) in &tables {
        let fail = |e: FixtureError| SeedError { path: path.clone(), message: format!("table {}: {e}", table.name) };
        if existing == Existing::Replace && state.table(&table.name).is_some() {
            fixtures::call(state, "DeleteTable", &json!({ "TableName": table.name })).map_err(fail)?;
        }
        table.create(state).map_err(fail)?;
        loaded.tables += 1;
    }
    for batch in items {
        let key_names = key_names(state, &batch.table);
        let total = batch.items.len();
        for (i, item) in batch.items.into_iter().enumerate() {
            // Moved into the request, not copied; the key is read back from it on a refusal.
            let body = json!({ "TableName": batch.table, "Item": item });
            fixtures::call(state, "PutItem", &body).map_err(|e| SeedError {
                path: batch.path.clone(),
                message: format!("item {i}{} of table {}: {e}", describe_key(&body["Item"], &key_names), batch.table),
            })?;
            if (i + 1) % 1000 == 0 || i + 1 == total {
                progress(&batch.path, i + 1, total);
            }
        }
        loaded.items += total;
    }
    Ok(loaded)
}

type Tables = Vec<(PathBuf, TableInput)>;

/// Every file read and parsed; items converted to DynamoDB JSON.
fn read_all(state: &State, files: &[SeedFile]) -> Result<(Tables, Vec<Items>), SeedError> {
    let (mut tables, mut items) = (Vec::new(), Vec::new());
    for file in files {
        let fail = |message: String| SeedError { path: file.path.clone(), message };
        let text = std::fs::read_to_string(&file.path).map_err(|e| fail(format!("cannot read: {e}")))?;
        let mut document = fixtures::parse_document(&text).map_err(|e| fail(e.0))?;
        drop(text);
        let mut lists = Vec::new();
        if let Some(table) = &file.table {
            lists.push((table.clone(), fixtures::item_list(table, document).map_err(|e| fail(e.0))?));
        } else if let (Some(definition), Some(Value::Array(_))) = (document.get("Table"), document.get("Items")) {
            // A table file, as `emulator dump` writes it.
            let defined =
                fixtures::table_inputs(state, definition, &TemplateOptions::default()).map_err(|e| fail(e.0))?;
            let list = match document["Items"].take() {
                Value::Array(list) => list,
                _ => Vec::new(),
            };
            for table in defined {
                lists.push((table.name.clone(), list.clone()));
                tables.push((file.path.clone(), table));
            }
        } else if fixtures::defines_tables(&document) {
            let defined =
                fixtures::table_inputs(state, &document, &TemplateOptions::default()).map_err(|e| fail(e.0))?;
            tables.extend(defined.into_iter().map(|t| (file.path.clone(), t)));
        } else if let Value::Object(map) = document {
            for (table, value) in map {
                if !value.is_array() {
                    return Err(fail(format!("{table}: expected a list of items")));
                }
                // One table's list on its own, so RequestItems' PutRequests are unwrapped.
                let one = Value::Object(Map::from_iter([(table.clone(), value)]));
                lists.push((table.clone(), fixtures::item_list(&table, one).map_err(|e| fail(e.0))?));
            }
        } else {
            let name = file.path.display();
            return Err(fail(format!("a list of items needs its table: --seed TABLE={name}")));
        }
        for (table, list) in lists {
            let format = fixtures::item_format(&list);
            let wire = list
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    fixtures::to_wire(item, format).map_err(|e| fail(format!("item {i} of table {table}: {e}")))
                })
                .collect::<Result<_, _>>()?;
            items.push(Items { path: file.path.clone(), table, items: wire });
        }
    }
    Ok((tables, items))
}

/// Tables defined once, existing ones only when replacing, items only for known tables.
fn check(state: &State, tables: &Tables, items: &[Items], existing: Existing) -> Result<(), SeedError> {
    let mut defined = BTreeSet::new();
    for (path, table) in tables {
        let fail = |message: String| SeedError { path: path.clone(), message };
        if !defined.insert(table.name.as_str()) {
            return Err(fail(format!("table {} is defined by more than one seed", table.name)));
        }
        if existing == Existing::Refuse && state.table(&table.name).is_some() {
            return Err(fail(format!(
                "table {} already exists (--db-path keeps it); --seed-replace deletes it and loads the seed",
                table.name
            )));
        }
    }
    for batch in items {
        if !defined.contains(batch.table.as_str()) && state.table(&batch.table).is_none() {
            return Err(SeedError {
                path: batch.path.clone(),
                message: format!("no table {} (define it in a seed, before or after this file)", batch.table),
            });
        }
    }
    Ok(())
}

/// The table's key attribute names, to name a refused item by its key.
fn key_names(state: &State, table: &str) -> Vec<String> {
    let described = fixtures::call(state, "DescribeTable", &json!({ "TableName": table })).unwrap_or_default();
    let schema = described["Table"]["KeySchema"].as_array().cloned().unwrap_or_default();
    schema.iter().filter_map(|k| k["AttributeName"].as_str().map(str::to_string)).collect()
}

/// ` (key id="u-1")`, or nothing when the item lacks its key.
fn describe_key(item: &Value, key_names: &[String]) -> String {
    let parts: Vec<String> = key_names
        .iter()
        .filter_map(|name| {
            let value = item.get(name)?.as_object()?.values().next()?;
            Some(format!("{name}={value}"))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (key {})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> SeedFile {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        SeedFile { path, table: None }
    }

    const USERS: &str = r#"{"TableName": "users", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}"#;

    fn no_progress() -> impl FnMut(&Path, usize, usize) {
        |_: &Path, _: usize, _: usize| {}
    }

    #[test]
    fn table_equals_path_only_when_no_file_has_the_whole_name() {
        assert_eq!(SeedFile::parse("users=a.json"), SeedFile { path: "a.json".into(), table: Some("users".into()) });
        assert_eq!(SeedFile::parse("a.json"), SeedFile { path: "a.json".into(), table: None });
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("x=y.json");
        std::fs::write(&odd, "[]").unwrap();
        assert_eq!(SeedFile::parse(odd.to_str().unwrap()).table, None);
    }

    #[test]
    fn items_before_their_table_and_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let mut items = write(dir.path(), "users.json", r#"[{"id": "u1", "age": 30}, {"id": "u2"}]"#);
        items.table = Some("users".into());
        let files = [
            items,
            write(dir.path(), "batch.json", r#"{"users": [{"PutRequest": {"Item": {"id": {"S": "u3"}}}}]}"#),
            write(dir.path(), "users-table.json", USERS),
        ];
        let state = State::default();
        let loaded = load(&state, &files, Existing::Refuse, &mut no_progress()).unwrap();
        assert_eq!(loaded, Loaded { tables: 1, items: 3 });
        assert_eq!(
            fixtures::dump_items(&state, "users", fixtures::ItemFormat::Plain).unwrap().as_array().unwrap().len(),
            3
        );
    }

    #[test]
    fn bad_input_is_named_and_nothing_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let table = write(dir.path(), "t.json", USERS);
        let state = State::default();
        // Parsing fails before any table is created.
        let broken = write(dir.path(), "broken.json", "{\"users\": [ {");
        let e = load(&state, &[table.clone(), broken], Existing::Refuse, &mut no_progress()).unwrap_err();
        assert!(e.to_string().starts_with(&format!("{}: ", dir.path().join("broken.json").display())), "{e}");
        assert!(state.table("users").is_none());
        // A table for items nobody defines.
        let orphan = write(dir.path(), "orphans.json", r#"{"ghosts": [{"id": "g"}]}"#);
        let e = load(&state, &[table.clone(), orphan], Existing::Refuse, &mut no_progress()).unwrap_err();
        assert!(e.message.contains("no table ghosts"), "{e}");
        assert!(state.table("users").is_none());
        // A refused item: its index and key.
        let bad = write(dir.path(), "bad.json", r#"{"users": [{"id": "ok"}, {"id": 7}]}"#);
        let e = load(&state, &[table.clone(), bad], Existing::Refuse, &mut no_progress()).unwrap_err();
        assert!(e.message.contains("item 1 (key id=\"7\") of table users: PutItem: ValidationException"), "{e}");
        // Defined twice.
        let e = load(&State::default(), &[table.clone(), table], Existing::Refuse, &mut no_progress()).unwrap_err();
        assert!(e.message.contains("table users is defined by more than one seed"), "{e}");
        // A bare list without its table.
        let list = write(dir.path(), "list.json", r#"[{"id": "x"}]"#);
        let e = load(&State::default(), &[list], Existing::Refuse, &mut no_progress()).unwrap_err();
        assert!(e.message.contains("--seed TABLE="), "{e}");
    }

    #[test]
    fn existing_tables_are_refused_unless_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let files =
            [write(dir.path(), "dump.json", &format!(r#"{{"Table": {USERS}, "Items": [{{"id": {{"S": "a"}}}}]}}"#))];
        load(&state, &files, Existing::Refuse, &mut no_progress()).unwrap();
        fixtures::put_item(&state, "users", json!({"id": {"S": "extra"}})).unwrap();
        let e = load(&state, &files, Existing::Refuse, &mut no_progress()).unwrap_err();
        assert!(e.message.contains("table users already exists") && e.message.contains("--seed-replace"), "{e}");
        let mut seen = Vec::new();
        load(&state, &files, Existing::Replace, &mut |_: &Path, done, total| seen.push((done, total))).unwrap();
        assert_eq!(fixtures::dump_items(&state, "users", fixtures::ItemFormat::Plain).unwrap(), json!([{"id": "a"}]));
        assert_eq!(seen, [(1, 1)]);
    }
}
