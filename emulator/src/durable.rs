//! Durable development mode (`--db-path DIR`): tables and items survive
//! restarts, and every write acknowledged to a client survives `kill -9`.
//!
//! Design: a write-ahead journal of storage state, hooked below the
//! operations so every write path is covered without knowing about it.
//! `TableData::put` / `remove` note the keys they touch (only when
//! journaling: the in-memory default pays one branch). Before the protocol
//! layer answers a call that may have written, [`Journal::commit`] walks the
//! catalog, appends the current version of every noted key (a put or a
//! delete), new/dropped tables and, after a call that may change table
//! definitions (the operation table says which), changed definitions, and
//! fsyncs. Records
//! carry current values read under the table's lock, so the last record of a
//! key is always its latest state, whatever order concurrent requests
//! commit in. At start the journal is replayed, then compacted (rewritten
//! as one create per table plus its items, atomically by rename); it is
//! compacted again when it has grown well past the live data.
//!
//! File format: one record per line, `CRC32(hex) JSON`; each commit's
//! records end with a `commit` marker, and replay applies a commit only once
//! it has read its marker. A commit torn by a crash (it was never
//! acknowledged) is dropped whole, so no transaction is half applied. A
//! damaged record before the end refuses to start (see [`OnDamage`]).

use crate::state::backups::Backup;
use crate::state::{self, State};
use crate::storage::stream::{EventName, StreamHeader, StreamLog, StreamRecord};
use crate::storage::{StoredItem, TableData, TableDef, TableState};
use crate::types::codec::json;
use crate::types::{item_from_json, item_to_json, Item, KeySchema, PrimaryKey};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

const JOURNAL_FILE: &str = "emulator-journal.log";
/// Locked (exclusively, for the life of the process) by the one emulator using the directory.
const LOCK_FILE: &str = "emulator.lock";
const COMPACTING_FILE: &str = "emulator-journal.compacting";
/// Compact when the journal holds this many more records than live items.
const COMPACT_SLACK: u64 = 50_000;

/// What to do at start-up with a damaged record in the middle of the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDamage {
    /// Refuse to start, saying where the damage is and how to recover (the default).
    Refuse,
    /// Skip the damaged records and keep the rest (`--db-repair`); the
    /// journal as it was is copied beside it first.
    Skip,
}

/// The journal of one data directory.
pub struct Journal {
    dir: PathBuf,
    /// Holds the directory's lock: a second process on the same directory
    /// would rewrite the journal under this one and lose its writes.
    _lock: File,
    inner: Mutex<Inner>,
    /// Records beyond twice the live items that trigger a compaction.
    compact_slack: u64,
}

struct Inner {
    file: File,
    /// What the journal last recorded of each table: its `Table::serial` and definition.
    known: HashMap<String, Known>,
    /// What it last recorded of each stream: its log's version and its last record.
    streams: HashMap<String, KnownStream>,
    /// The backups it holds (a backup never changes: written once, then dropped).
    backups: BTreeSet<String>,
    /// The exports and imports it holds (written once: they never change).
    transfers: BTreeSet<String>,
    records: u64,
    /// A commit failed to reach the disk: the next one rewrites the journal whole (a compaction).
    rewrite: bool,
}

#[derive(Clone, Copy)]
struct KnownStream {
    version: u64,
    last_sequence: u64,
}

struct Known {
    serial: u64,
    def: String,
}

impl Journal {
    /// Opens (creating if needed) the journal in `dir`, loads what it holds
    /// into `state`, and compacts it. `state` should be empty.
    pub fn open(dir: &Path, state: &State) -> io::Result<Journal> {
        Journal::open_with(dir, state, OnDamage::Refuse)
    }

    /// [`Journal::open`], saying what to do with a damaged record that is not
    /// the journal's last (a torn last record is always dropped: that write
    /// was never acknowledged).
    pub fn open_with(dir: &Path, state: &State, on_damage: OnDamage) -> io::Result<Journal> {
        fs::create_dir_all(dir)?;
        let lock = lock_directory(dir)?;
        let path = dir.join(JOURNAL_FILE);
        let (tables, streams, backups, transfers) =
            if path.exists() { replay(&path, on_damage)? } else { (Vec::new(), Vec::new(), Vec::new(), Vec::new()) };
        let count = tables.len();
        state.catalog.restore(&tables);
        for backup in backups {
            state.backups.insert(backup);
        }
        for (kind, transfer) in transfers {
            transfer_registry(state, &kind).restore(transfer);
        }
        state.streams.restore(&state.clock, streams);
        // Tables go on with their journaled stream (or a new one, if it is gone);
        // point-in-time recovery's history is not journaled: it starts again here.
        state.attach_streams();
        state.attach_histories();
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let journal = Journal {
            dir: dir.to_path_buf(),
            _lock: lock,
            inner: Mutex::new(Inner {
                file,
                known: HashMap::new(),
                streams: HashMap::new(),
                backups: BTreeSet::new(),
                transfers: BTreeSet::new(),
                records: 0,
                rewrite: false,
            }),
            compact_slack: COMPACT_SLACK,
        };
        journal.compact(state)?;
        tracing::info!(tables = count, dir = %dir.display(), "durable data loaded");
        Ok(journal)
    }

    /// Records every change since the last commit and waits until it is on
    /// disk. Called before answering any call that may have written;
    /// `definitions`: the call may have changed a table definition.
    pub fn commit(&self, state: &State, definitions: bool) -> io::Result<()> {
        let mut inner = self.inner.lock();
        if inner.rewrite {
            drop(inner);
            return self.compact(state);
        }
        let mut out = Vec::new();
        let mut written = collect_changes(state, &mut inner.known, &mut out, definitions);
        written += collect_stream_changes(state, &mut inner.streams, &mut out);
        if definitions {
            written += collect_backup_changes(state, &mut inner.backups, &mut out);
            written += collect_transfer_changes(state, &mut inner.transfers, &mut out);
        }
        if written == 0 {
            return Ok(());
        }
        let written = written + commit_marker(&mut out, written);
        // A failed write (a full disk) must not leave half a commit for later
        // commits to follow: the journal is cut back to where it was.
        let before = inner.file.metadata()?.len();
        if let Err(error) = inner.file.write_all(&out).and_then(|()| inner.file.sync_data()) {
            let _ = inner.file.set_len(before);
            // What this commit drained is not on disk: the next commit rewrites the whole journal.
            inner.rewrite = true;
            return Err(error);
        }
        inner.records += written;
        // Live records: each table and its items, and the stream records kept (a compaction rewrites those too).
        let live: u64 = state.catalog.entries().iter().map(|(_, t)| t.inner.read().data.item_count() + 1).sum::<u64>()
            + state.streams.record_count(state.clock.now_millis())
            + state.backups.all().iter().map(|b| b.table.data.item_count() + 1).sum::<u64>();
        if inner.records > live.saturating_mul(2) + self.compact_slack {
            drop(inner);
            self.compact(state)?;
        }
        Ok(())
    }

    /// Rewrites the journal as the current state: written to a side file,
    /// synced, then renamed over the journal.
    pub fn compact(&self, state: &State) -> io::Result<()> {
        let mut inner = self.inner.lock();
        let mut known = HashMap::new();
        let mut streams = HashMap::new();
        let mut backups = BTreeSet::new();
        let mut transfers = BTreeSet::new();
        let mut out = Vec::new();
        let records = collect_changes(state, &mut known, &mut out, true)
            + collect_stream_changes(state, &mut streams, &mut out)
            + collect_backup_changes(state, &mut backups, &mut out)
            + collect_transfer_changes(state, &mut transfers, &mut out);
        let records = records + commit_marker(&mut out, records);
        let side = self.dir.join(COMPACTING_FILE);
        {
            let mut file = File::create(&side)?;
            file.write_all(&out)?;
            file.sync_all()?;
        }
        fs::rename(&side, self.dir.join(JOURNAL_FILE))?;
        // The rename itself must reach the disk before the old journal is forgotten.
        File::open(&self.dir)?.sync_all()?;
        inner.file = OpenOptions::new().append(true).open(self.dir.join(JOURNAL_FILE))?;
        inner.known = known;
        inner.streams = streams;
        inner.backups = backups;
        inner.transfers = transfers;
        inner.records = records;
        inner.rewrite = false;
        Ok(())
    }
}

/// Takes the directory's exclusive lock before anything in it is read or
/// written, and writes this process's id into the lock file; a directory
/// in use answers an error naming the process holding it.
fn lock_directory(dir: &Path) -> io::Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            let who = if holder.is_empty() { String::new() } else { format!(" (process {holder})") };
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("{} is in use by another emulator{who}; stop it or choose another directory", dir.display()),
            ));
        }
        Err(fs::TryLockError::Error(e)) => return Err(e),
    }
    file.set_len(0)?;
    writeln!(file, "{}", std::process::id())?;
    file.sync_all()?;
    Ok(file)
}

/// Appends records for what changed since `known` was last updated, and
/// updates it. Definitions are compared (serialised) only when `definitions`
/// is set: an item write cannot change one. Returns the number of records.
fn collect_changes(state: &State, known: &mut HashMap<String, Known>, out: &mut Vec<u8>, definitions: bool) -> u64 {
    let mut records = 0;
    let mut tables = state.catalog.entries();
    tables.sort_by(|a, b| a.0.cmp(&b.0));
    let live: BTreeSet<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
    let dropped: Vec<String> = known.keys().filter(|n| !live.contains(n.as_str())).cloned().collect();
    for name in dropped {
        known.remove(&name);
        records += record(out, json!({"t": "drop", "table": name}));
    }
    // Every table locked at once, in the global name order batches and
    // transactions lock in: a transaction applies under all its tables'
    // locks, so the journal records all of it or none of it, never one
    // table's half (which a crash could otherwise leave behind).
    let mut guards: Vec<_> = tables.iter().map(|(name, table)| (name, table.serial, table.inner.write())).collect();
    for (name, serial, guard) in &mut guards {
        let name: &String = name;
        // Data replaced wholesale by a fresh `TableData` (not tracking) is
        // treated like a new table: written out whole.
        let same_table = known.get(name).is_some_and(|k| k.serial == *serial) && guard.data.changed.is_some();
        if same_table {
            let pending = guard.data.changed.as_ref().is_some_and(|c| !c.is_empty())
                || (definitions && known.get(name).is_some_and(|k| k.def != def_json(&guard.def)));
            if !pending {
                continue;
            }
            let TableState { def, data } = &mut **guard;
            let changed = data.changed.replace(BTreeSet::new()).unwrap_or_default();
            for key in changed {
                records += match data.items.get(&key) {
                    Some(item) => put_record(out, name, item),
                    None => record(out, json!({"t": "del", "table": name, "key": key_json(&def.key_schema, &key)})),
                };
            }
            let def_text = if definitions { def_json(def) } else { continue };
            if let Some(k) = known.get_mut(name) {
                if k.def != def_text {
                    records += record(out, json!({"t": "def", "table": name, "def": raw(&def_text)}));
                    k.def = def_text;
                }
            }
        } else {
            // New to the journal (created, re-created, restored or replaced): all of it.
            guard.data.changed = Some(BTreeSet::new());
            let def_text = def_json(&guard.def);
            records += record(out, json!({"t": "create", "table": name, "def": raw(&def_text)}));
            for item in guard.data.items.values() {
                records += put_record(out, name, item);
            }
            known.insert(name.clone(), Known { serial: *serial, def: def_text });
        }
    }
    records
}

/// Appends what changed in the streams since `known`: a stream's header
/// when it is new or its shards or status changed, then its new records.
fn collect_stream_changes(state: &State, known: &mut HashMap<String, KnownStream>, out: &mut Vec<u8>) -> u64 {
    let mut records = 0;
    for stream in state.streams.all(state.clock.now_millis()).into_iter().rev() {
        let arn = stream.arn();
        let seen = known.get(&arn).copied();
        let mut last = seen.map_or(0, |k| k.last_sequence);
        let changes = stream.changes_since(last, seen.map(|k| k.version));
        if let Some(header) = &changes.header {
            records += record(out, json!({"t": "stream", "header": header}));
        }
        for (shard, r) in &changes.records {
            let keys = changes.key_schema.key_item(&r.key);
            let image = |i: &Option<StoredItem>| i.as_ref().map(|i| item_to_json(&i.decode()));
            records += record(
                out,
                json!({"t": "srec", "arn": arn, "shard": shard, "seq": r.sequence, "at": r.created_ms,
                    "event": r.event.as_str(), "id": r.event_id.to_string(), "key": item_to_json(&keys),
                    "old": image(&r.old), "new": image(&r.new), "ttl": r.by_ttl}),
            );
            last = last.max(r.sequence);
        }
        known.insert(arn, KnownStream { version: changes.version, last_sequence: last });
    }
    records
}

/// New backups written whole (definition, then items), deleted ones dropped.
fn collect_backup_changes(state: &State, known: &mut BTreeSet<String>, out: &mut Vec<u8>) -> u64 {
    let mut records = 0;
    let all = state.backups.all();
    let live: BTreeSet<String> = all.iter().map(|b| b.arn.clone()).collect();
    for gone in known.difference(&live) {
        records += record(out, json!({"t": "bdrop", "arn": gone}));
    }
    for backup in all.iter().filter(|b| !known.contains(&b.arn)) {
        records += record(
            out,
            json!({"t": "backup", "arn": backup.arn, "name": backup.name, "created": backup.created_millis,
                "def": raw(&def_json(&backup.table.def))}),
        );
        for item in backup.table.data.items.values() {
            records += record(out, json!({"t": "bitem", "arn": backup.arn, "item": item_to_json(&item.decode())}));
        }
    }
    *known = live;
    records
}

/// The registry of exports (`kind` "export") or imports.
fn transfer_registry<'a>(state: &'a State, kind: &str) -> &'a crate::state::transfers::Registry {
    if kind == "export" {
        &state.transfers.exports
    } else {
        &state.transfers.imports
    }
}

/// New exports and imports, each written whole once.
fn collect_transfer_changes(state: &State, known: &mut BTreeSet<String>, out: &mut Vec<u8>) -> u64 {
    let mut records = 0;
    for kind in ["export", "import"] {
        for transfer in transfer_registry(state, kind).all() {
            if known.insert(transfer.arn.clone()) {
                records += record(out, json!({"t": "xfer", "kind": kind, "x": &*transfer}));
            }
        }
    }
    records
}

fn def_json(def: &TableDef) -> String {
    serde_json::to_string(def).unwrap_or_default()
}

fn raw(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn key_json(schema: &KeySchema, key: &PrimaryKey) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(schema.partition.name.clone(), key.partition().to_attribute().to_json());
    if let (Some(sort), Some(value)) = (&schema.sort, &key.sort()) {
        out.insert(sort.name.clone(), value.to_attribute().to_json());
    }
    Value::Object(out)
}

/// A put record, its item written straight from the stored bytes.
fn put_record(out: &mut Vec<u8>, table: &str, item: &StoredItem) -> u64 {
    let mut text = Vec::with_capacity(48 + table.len() + 2 * item.size());
    text.extend_from_slice(br#"{"t":"put","table":"#);
    json::write_str(&mut text, table);
    text.extend_from_slice(br#","item":"#);
    item.write_json(&mut text);
    text.push(b'}');
    let _ = write!(out, "{:08x} ", crc32fast::hash(&text));
    out.extend_from_slice(&text);
    out.push(b'\n');
    1
}

/// Ends a commit's records: replay applies a commit's records only once it
/// reads this marker, so a commit torn by a crash is dropped whole (none of
/// a transaction's halves survive without the other).
fn commit_marker(out: &mut Vec<u8>, records: u64) -> u64 {
    record(out, json!({"t": "commit", "records": records}))
}

fn record(out: &mut Vec<u8>, value: Value) -> u64 {
    let text = value.to_string();
    let _ = writeln!(out, "{:08x} {text}", crc32fast::hash(text.as_bytes()));
    1
}

/// Reads the journal into tables. Stops at the first damaged record (a torn
/// tail) and cuts the file there.
/// Backups as replay reads them: name, creation time, definition, items.
type ReplayedBackups = BTreeMap<String, (String, i64, TableDef, BTreeMap<PrimaryKey, Item>)>;

/// Exports and imports as replay reads them: kind ("export" or "import") and record.
type ReplayedTransfers = Vec<(String, crate::state::transfers::Transfer)>;

/// Everything a journal holds: tables, streams, backups, exports and imports.
type Replayed = (Vec<TableState>, Vec<StreamLog>, Vec<Backup>, ReplayedTransfers);

fn replay(path: &Path, on_damage: OnDamage) -> io::Result<Replayed> {
    let mut backups: ReplayedBackups = BTreeMap::new();
    let mut transfers: ReplayedTransfers = Vec::new();
    let mut tables: Tables = HashMap::new();
    let mut streams: Vec<StreamLog> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut reader = BufReader::new(File::open(path)?);
    let (mut line, mut offset, mut index, mut dropped) = (Vec::new(), 0u64, 0u64, 0u64);
    // The current commit's records, applied when its marker is read.
    let (mut pending, mut markers): (Vec<Value>, u64) = (Vec::new(), 0);
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        let at = offset;
        offset += n as u64;
        index += 1;
        let Some(value) = parse_record(&line) else {
            dropped += 1;
            if reader.fill_buf()?.is_empty() {
                tracing::warn!(
                    offset = at,
                    "the journal ends with a torn record (a write never acknowledged); dropping it"
                );
                continue;
            }
            if on_damage == OnDamage::Refuse {
                return Err(damaged(path, at, index));
            }
            tracing::warn!(offset = at, record = index, "skipping a damaged journal record (--db-repair)");
            continue;
        };
        if value["t"] != "commit" {
            pending.push(value);
            continue;
        }
        markers += 1;
        for value in pending.drain(..) {
            apply_record(&mut tables, &mut order, &mut streams, (&mut backups, &mut transfers), &value)?;
        }
    }
    if !pending.is_empty() {
        if markers == 0 {
            // A journal from before commit markers: every record stands alone.
            for value in pending.drain(..) {
                apply_record(&mut tables, &mut order, &mut streams, (&mut backups, &mut transfers), &value)?;
            }
        } else {
            tracing::warn!(
                records = pending.len(),
                "the journal ends with a commit torn by a crash (never acknowledged); dropping it"
            );
            dropped += pending.len() as u64;
        }
    }
    // Compaction rewrites the journal next: keep it as it was, nothing is lost.
    if dropped > 0 {
        let copy = path.with_extension(format!("damaged-{}", std::process::id()));
        fs::copy(path, &copy)?;
        tracing::warn!(copy = %copy.display(), dropped, "the journal as it was is kept beside it");
    }
    let mut out = Vec::new();
    for name in order {
        if let Some((def, items)) = tables.remove(&name) {
            let mut data = TableData::new(&def);
            for (key, item) in items {
                data.put(key, item);
            }
            out.push(TableState { def, data });
        }
    }
    let backups = backups
        .into_iter()
        .map(|(arn, (name, created_millis, def, items))| {
            let mut data = TableData::new(&def);
            for (key, item) in items {
                data.put(key, item);
            }
            Backup { arn, name, created_millis, table: TableState { def, data } }
        })
        .collect();
    Ok((out, streams, backups, transfers))
}

fn damaged(path: &Path, offset: u64, record: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the journal {} is damaged at byte {offset} (record {record}), with records after it; nothing was \
             changed. To start with the damaged records skipped and the rest kept (the journal as it is now is \
             copied beside it first), add --db-repair; or restore the directory from a backup.",
            path.display()
        ),
    )
}

fn apply_record(
    tables: &mut Tables,
    order: &mut Vec<String>,
    streams: &mut Vec<StreamLog>,
    (backups, transfers): (&mut ReplayedBackups, &mut ReplayedTransfers),
    value: &Value,
) -> io::Result<()> {
    let applied = match value["t"].as_str() {
        Some("stream" | "srec") => apply_stream(streams, value),
        Some("backup" | "bitem" | "bdrop") => apply_backup(backups, value),
        Some("xfer") => serde_json::from_value(value["x"].clone())
            .map(|transfer| transfers.push((value["kind"].as_str().unwrap_or("import").to_string(), transfer)))
            .map_err(|e| format!("bad export or import record: {e}")),
        _ => apply(tables, order, value),
    };
    applied.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// A backup's definition, one of its items, or its deletion.
fn apply_backup(backups: &mut ReplayedBackups, record: &Value) -> Result<(), String> {
    let arn = record["arn"].as_str().ok_or("backup record without an ARN")?.to_string();
    match record["t"].as_str() {
        Some("backup") => {
            let def = serde_json::from_value::<TableDef>(record["def"].clone())
                .map_err(|e| format!("bad backup definition: {e}"))?;
            let name = record["name"].as_str().unwrap_or_default().to_string();
            let created = record["created"].as_i64().unwrap_or_default();
            backups.insert(arn, (name, created, def, BTreeMap::new()));
        }
        Some("bitem") => {
            let (_, _, def, items) = backups.get_mut(&arn).ok_or(format!("item of unknown backup {arn}"))?;
            let item = item_from_json(&record["item"]).map_err(|e| e.message)?;
            let key = def.key_schema.key_from_item(&item).map_err(|e| e.message)?;
            items.insert(key, item);
        }
        _ => {
            backups.remove(&arn);
        }
    }
    Ok(())
}

/// A stream header (a new stream, or its shards or status changed) or one of its records.
fn apply_stream(streams: &mut Vec<StreamLog>, record: &Value) -> Result<(), String> {
    if record["t"] == "stream" {
        let header: StreamHeader =
            serde_json::from_value(record["header"].clone()).map_err(|e| format!("bad stream header: {e}"))?;
        let at = streams.iter().position(|s| s.arn == header.arn);
        let previous = at.map(|i| streams.remove(i));
        streams.push(StreamLog::from_header(header, previous));
        return Ok(());
    }
    let arn = record["arn"].as_str().ok_or("stream record without an ARN")?;
    let log = streams.iter_mut().find(|s| s.arn == arn).ok_or(format!("record of unknown stream {arn}"))?;
    let keys = item_from_json(&record["key"]).map_err(|e| e.message)?;
    let key = log.key_schema.key_from_item(&keys).map_err(|e| e.message)?;
    let image = |field: &str| -> Result<Option<StoredItem>, String> {
        match &record[field] {
            Value::Null => Ok(None),
            value => Ok(Some(StoredItem::encode(&key, &item_from_json(value).map_err(|e| e.message)?))),
        }
    };
    let event = match record["event"].as_str() {
        Some("INSERT") => EventName::Insert,
        Some("MODIFY") => EventName::Modify,
        _ => EventName::Remove,
    };
    let stream_record = StreamRecord {
        sequence: record["seq"].as_u64().ok_or("stream record without a sequence number")?,
        created_ms: record["at"].as_i64().unwrap_or(0),
        event,
        event_id: record["id"].as_str().and_then(|id| id.parse().ok()).unwrap_or(0),
        old: image("old")?,
        new: image("new")?,
        key,
        by_ttl: record["ttl"].as_bool().unwrap_or(false),
    };
    let shard = record["shard"].as_str().unwrap_or_default();
    let shard = log.shards.iter_mut().find(|s| s.id == shard).ok_or(format!("record of unknown shard {shard}"))?;
    shard.records.push_back(stream_record);
    Ok(())
}

fn parse_record(line: &[u8]) -> Option<Value> {
    let line = line.strip_suffix(b"\n")?;
    let (crc, text) = (line.get(..8)?, line.get(9..)?);
    let crc = u32::from_str_radix(std::str::from_utf8(crc).ok()?, 16).ok()?;
    if crc32fast::hash(text) != crc {
        return None;
    }
    serde_json::from_slice(text).ok()
}

type Tables = HashMap<String, (TableDef, BTreeMap<PrimaryKey, Item>)>;

fn apply(tables: &mut Tables, order: &mut Vec<String>, record: &Value) -> Result<(), String> {
    let name = record["table"].as_str().ok_or("record without a table")?.to_string();
    let def =
        || serde_json::from_value::<TableDef>(record["def"].clone()).map_err(|e| format!("bad table definition: {e}"));
    match record["t"].as_str() {
        Some("create") => {
            tables.insert(name.clone(), (def()?, BTreeMap::new()));
            order.retain(|n| n != &name);
            order.push(name);
        }
        Some("def") => {
            if let Some(entry) = tables.get_mut(&name) {
                entry.0 = def()?;
            }
        }
        Some("drop") => {
            tables.remove(&name);
        }
        Some("put") => {
            let (def, items) = tables.get_mut(&name).ok_or(format!("put into unknown table {name}"))?;
            let item = item_from_json(&record["item"]).map_err(|e| e.message)?;
            let key = def.key_schema.key_from_item(&item).map_err(|e| e.message)?;
            items.insert(key, item);
        }
        Some("del") => {
            let (def, items) = tables.get_mut(&name).ok_or(format!("delete from unknown table {name}"))?;
            let key = item_from_json(&record["key"]).map_err(|e| e.message)?;
            let key = def.key_schema.key_from_item(&key).map_err(|e| e.message)?;
            items.remove(&key);
        }
        other => return Err(format!("unknown journal record {other:?}")),
    }
    Ok(())
}

impl state::Journal for Journal {
    fn commit(&self, state: &State, definitions: bool) -> io::Result<()> {
        Journal::commit(self, state, definitions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops;

    fn call(state: &State, op: &str, body: Value) -> Value {
        let operation = crate::Operation::from_name(op).unwrap();
        ops::dispatch(state, operation, &body).unwrap_or_else(|e| panic!("{op}: {}", e.message))
    }

    /// A table `name` keyed by the string `k`.
    fn create_table(state: &State, name: &str) {
        call(
            state,
            "CreateTable",
            json!({"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}),
        );
    }

    fn reopen(dir: &Path) -> State {
        let state = State::default();
        let journal = Journal::open(dir, &state).unwrap();
        drop(journal);
        state
    }

    #[test]
    fn vector_indexes_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            state.journal.set(Box::new(journal)).ok().unwrap();
            let index = json!({"IndexName": "vidx", "VectorAttribute": {"AttributeName": "v"}, "Dimensions": 2,
                "DistanceFunction": "EUCLIDEAN", "Projection": {"ProjectionType": "KEYS_ONLY"}});
            call(
                &state,
                "CreateTable",
                json!({"TableName": "docs", "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "VectorIndexes": [index]}),
            );
            state.journal.get().unwrap().commit(&state, true).unwrap();
            for (k, x) in [("a", "1"), ("b", "5")] {
                let v = json!({"L": [{"N": x}, {"N": "0"}]});
                call(&state, "PutItem", json!({"TableName": "docs", "Item": {"k": {"S": k}, "v": v}}));
            }
            state.journal.get().unwrap().commit(&state, false).unwrap();
        }
        let state = reopen(dir.path());
        let found = call(
            &state,
            "SearchVectors",
            json!({"TableName": "docs", "IndexName": "vidx", "TopK": 5,
            "SearchVector": [{"N": "4"}, {"N": "0"}]}),
        );
        assert_eq!(found["SearchResults"][0]["Item"]["k"], json!({"S": "b"}));
        assert_eq!(found["SearchResults"][1]["Score"], json!(3.0));
    }

    #[test]
    fn backups_survive_reopening_and_deletion_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let arn = {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            state.journal.set(Box::new(journal)).ok().unwrap();
            create_table(&state, "posts");
            for k in ["a", "b"] {
                call(&state, "PutItem", json!({"TableName": "posts", "Item": {"k": {"S": k}}}));
            }
            state.journal.get().unwrap().commit(&state, false).unwrap();
            let created = call(&state, "CreateBackup", json!({"TableName": "posts", "BackupName": "first"}));
            state.journal.get().unwrap().commit(&state, true).unwrap();
            // Written after the backup: not in it.
            call(&state, "PutItem", json!({"TableName": "posts", "Item": {"k": {"S": "c"}}}));
            let second = call(&state, "CreateBackup", json!({"TableName": "posts", "BackupName": "second"}));
            state.journal.get().unwrap().commit(&state, true).unwrap();
            let second = second["BackupDetails"]["BackupArn"].as_str().unwrap().to_string();
            call(&state, "DeleteBackup", json!({"BackupArn": second}));
            state.journal.get().unwrap().commit(&state, true).unwrap();
            created["BackupDetails"]["BackupArn"].as_str().unwrap().to_string()
        };
        let state = reopen(dir.path());
        let listed = call(&state, "ListBackups", json!({}));
        assert_eq!(listed["BackupSummaries"].as_array().unwrap().len(), 1);
        let described = call(&state, "DescribeBackup", json!({"BackupArn": arn}));
        assert_eq!(described["BackupDescription"]["SourceTableDetails"]["ItemCount"], 2);
        call(&state, "RestoreTableFromBackup", json!({"TargetTableName": "restored", "BackupArn": arn}));
        let scanned = call(&state, "Scan", json!({"TableName": "restored"}));
        assert_eq!(scanned["Count"], 2);
    }

    #[test]
    fn exports_and_imports_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let s3 = tempfile::tempdir().unwrap();
        std::fs::create_dir(s3.path().join("bucket")).unwrap();
        let (export, import) = {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            state.journal.set(Box::new(journal)).ok().unwrap();
            state.transfers.set_s3_dir(Some(s3.path().to_path_buf()));
            create_table(&state, "posts");
            call(
                &state,
                "UpdateContinuousBackups",
                json!({"TableName": "posts", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
            );
            call(&state, "PutItem", json!({"TableName": "posts", "Item": {"k": {"S": "a"}}}));
            let arn = state.table_arn("posts");
            let export = call(
                &state,
                "ExportTableToPointInTime",
                json!({"TableArn": arn, "S3Bucket": "bucket", "S3Prefix": "p"}),
            );
            let import = call(
                &state,
                "ImportTable",
                json!({"S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": "p/"},
                "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
                "TableCreationParameters": {"TableName": "copy", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}}),
            );
            state.journal.get().unwrap().commit(&state, true).unwrap();
            let arn_of = |v: &Value, d: &str, a: &str| v[d][a].as_str().unwrap().to_string();
            (arn_of(&export, "ExportDescription", "ExportArn"), arn_of(&import, "ImportTableDescription", "ImportArn"))
        };
        let state = reopen(dir.path());
        let described = call(&state, "DescribeExport", json!({"ExportArn": export}));
        assert_eq!(described["ExportDescription"]["ItemCount"], 1);
        let described = call(&state, "DescribeImport", json!({"ImportArn": import}));
        assert_eq!(described["ImportTableDescription"]["ImportedItemCount"], 1);
        assert_eq!(call(&state, "Scan", json!({"TableName": "copy"}))["Count"], 1);
    }

    #[test]
    fn tables_items_and_deletes_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        for k in ["a", "b", "c"] {
            call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": k}, "v": {"N": "1"}}}));
        }
        journal.commit(&state, true).unwrap();
        call(&state, "DeleteItem", json!({"TableName": "tbl", "Key": {"k": {"S": "b"}}}));
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "c"}, "v": {"N": "2"}}}));
        journal.commit(&state, true).unwrap();
        drop(journal);

        let back = reopen(dir.path());
        let table = back.catalog.get("tbl").unwrap();
        let guard = table.inner.read();
        let keys: Vec<String> = guard.data.items.values().map(|i| format!("{:?}", i.decode()["k"])).collect();
        assert_eq!(guard.data.item_count(), 2, "{keys:?}");
        assert!(guard
            .data
            .items
            .values()
            .any(|i| i.decode()["v"] == crate::types::AttributeValue::N(crate::types::Number::parse("2").unwrap())));
        assert_eq!(guard.def.name, "tbl");
    }

    #[test]
    fn the_journal_is_compacted_as_it_grows() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let mut journal = Journal::open(dir.path(), &state).unwrap();
        journal.compact_slack = 10;
        create_table(&state, "tbl");
        for n in 0..100 {
            call(
                &state,
                "PutItem",
                json!({"TableName": "tbl", "Item": {"k": {"S": "same"}, "n": {"N": n.to_string()}}}),
            );
            journal.commit(&state, true).unwrap();
        }
        let lines = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap().lines().count();
        assert!(lines <= 16, "{lines} records (commit markers included) for one table and one item");
        drop(journal);
        let back = reopen(dir.path());
        let table = back.catalog.get("tbl").unwrap();
        let guard = table.inner.read();
        let item = guard.data.items.values().next().unwrap().decode();
        assert_eq!(item["n"], crate::types::AttributeValue::N(crate::types::Number::parse("99").unwrap()));
    }

    #[test]
    fn definition_changes_survive() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        journal.commit(&state, true).unwrap();
        call(
            &state,
            "UpdateTimeToLive",
            json!({"TableName": "tbl",
            "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": true}}),
        );
        journal.commit(&state, true).unwrap();
        drop(journal);
        let back = reopen(dir.path());
        assert_eq!(back.catalog.get("tbl").unwrap().inner.read().def.ttl_attribute.as_deref(), Some("expires"));
    }

    #[test]
    fn definitions_are_compared_only_after_calls_that_may_change_them() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        journal.commit(&state, true).unwrap();
        let defs = || fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap().matches(r#""t":"def""#).count();
        call(
            &state,
            "UpdateTimeToLive",
            json!({"TableName": "tbl", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}}),
        );
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "a"}}}));
        // An item write's commit (a concurrent one, say) records the item, not the definition.
        journal.commit(&state, false).unwrap();
        assert_eq!(defs(), 0);
        // The definition change is recorded by the commit of the call that made it.
        journal.commit(&state, true).unwrap();
        assert_eq!(defs(), 1);
        drop(journal);
        let back = reopen(dir.path());
        let table = back.catalog.get("tbl").unwrap();
        assert_eq!(table.inner.read().def.ttl_attribute.as_deref(), Some("exp"));
        assert_eq!(table.inner.read().data.item_count(), 1);
    }

    #[test]
    fn stream_records_survive_reopening_and_the_stream_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        state.streams.set_shard_period_millis(60_000);
        let journal = Journal::open(dir.path(), &state).unwrap();
        let created = call(
            &state,
            "CreateTable",
            json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}),
        );
        let arn = created["TableDescription"]["LatestStreamArn"].as_str().unwrap().to_string();
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "a"}, "v": {"N": "1"}}}));
        journal.commit(&state, true).unwrap();
        state.clock.advance_millis(61_000);
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "a"}, "v": {"N": "2"}}}));
        call(&state, "DeleteItem", json!({"TableName": "tbl", "Key": {"k": {"S": "a"}}}));
        journal.commit(&state, false).unwrap();
        let before = state.stream_records_after("tbl", 0);
        drop(journal);

        let back = State::default();
        back.clock.advance_millis(61_000);
        let journal = Journal::open(dir.path(), &back).unwrap();
        let after = back.stream_records_after("tbl", 0);
        assert_eq!(after.len(), 3);
        assert_eq!(after, before, "the same records, sequence numbers, images and ids");
        let shards = back.streams.get(&arn, back.clock.now_millis()).unwrap().read().shards.len();
        assert_eq!(shards, 2, "the rolled-over shard and its child");
        // The table goes on writing to the same stream, after the journaled sequence numbers.
        call(&back, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "b"}}}));
        let last = back.stream_records_after("tbl", 0);
        assert_eq!(last.len(), 4);
        assert!(last[3].0 > last[2].0);
        assert_eq!(last[3].1["eventSourceARN"], arn);
        drop(journal);
    }

    #[test]
    fn data_replaced_wholesale_is_still_journaled() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "a"}}}));
        journal.commit(&state, true).unwrap();
        {
            // As an operation rebuilding a table's data would.
            let table = state.catalog.get("tbl").unwrap();
            let mut guard = table.inner.write();
            let mut fresh = TableData::new(&guard.def);
            let items: Vec<_> = guard.data.items.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for (k, v) in items {
                fresh.put(k, v.decode());
            }
            guard.data = fresh;
        }
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "b"}}}));
        journal.commit(&state, true).unwrap();
        drop(journal);
        assert_eq!(reopen(dir.path()).catalog.get("tbl").unwrap().inner.read().data.item_count(), 2);
    }

    #[test]
    fn a_torn_tail_is_dropped_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "a"}}}));
        journal.commit(&state, true).unwrap();
        drop(journal);
        let path = dir.path().join(JOURNAL_FILE);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"0badc0de {\"t\": \"put\", \"table\": \"tbl\", \"item\": {\"k\": {\"S\": \"torn").unwrap();
        drop(file);
        let back = reopen(dir.path());
        assert_eq!(back.catalog.get("tbl").unwrap().inner.read().data.item_count(), 1);
    }

    #[test]
    fn damage_in_the_middle_refuses_to_start_unless_repairing() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        journal.commit(&state, true).unwrap();
        for k in ["a", "b", "c"] {
            call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": k}}}));
            journal.commit(&state, false).unwrap();
        }
        drop(journal);
        let path = dir.path().join(JOURNAL_FILE);
        let original = fs::read_to_string(&path).unwrap();
        // Flip one character inside the record of "b" (the third of five).
        let damaged = original.replacen(r#"{"S":"b"}"#, r#"{"S":"x"}"#, 1);
        fs::write(&path, &damaged).unwrap();

        let error = Journal::open(dir.path(), &State::default()).err().expect("damage refuses to start");
        let message = error.to_string();
        assert!(message.contains("damaged at byte") && message.contains("--db-repair"), "{message}");
        assert_eq!(fs::read_to_string(&path).unwrap(), damaged, "nothing was changed");

        let repaired = State::default();
        drop(Journal::open_with(dir.path(), &repaired, OnDamage::Skip).unwrap());
        assert_eq!(repaired.catalog.get("tbl").unwrap().inner.read().data.item_count(), 2, "a and c kept");
        let copies = fs::read_dir(dir.path()).unwrap().filter_map(Result::ok);
        let copy = copies.map(|e| e.path()).find(|p| p.to_string_lossy().contains("damaged-")).expect("a copy");
        assert_eq!(fs::read_to_string(copy).unwrap(), damaged);
    }

    #[test]
    fn a_commit_torn_by_a_crash_is_dropped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        for name in ["left", "right"] {
            create_table(&state, name);
        }
        journal.commit(&state, true).unwrap();
        call(
            &state,
            "TransactWriteItems",
            json!({"TransactItems": [
                {"Put": {"TableName": "left", "Item": {"k": {"S": "a"}}}},
                {"Put": {"TableName": "right", "Item": {"k": {"S": "a"}}}}]}),
        );
        journal.commit(&state, false).unwrap();
        drop(journal);
        // The crash came before the commit's marker reached the disk: one half is there, the marker is not.
        let path = dir.path().join(JOURNAL_FILE);
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[lines.len() - 1].contains(r#""t":"commit""#));
        fs::write(&path, lines[..lines.len() - 2].join("\n") + "\n").unwrap();

        let back = reopen(dir.path());
        let count = |t: &str| back.catalog.get(t).unwrap().inner.read().data.item_count();
        assert_eq!((count("left"), count("right")), (0, 0), "neither half of the transaction");
    }

    #[test]
    fn dropped_and_recreated_tables_replay_to_the_latest() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        let create = json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]});
        call(&state, "CreateTable", create.clone());
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "old"}}}));
        journal.commit(&state, true).unwrap();
        call(&state, "DeleteTable", json!({"TableName": "tbl"}));
        journal.commit(&state, true).unwrap();
        call(&state, "CreateTable", create);
        call(&state, "PutItem", json!({"TableName": "tbl", "Item": {"k": {"S": "new"}}}));
        journal.commit(&state, true).unwrap();
        drop(journal);
        let back = reopen(dir.path());
        let table = back.catalog.get("tbl").unwrap();
        let guard = table.inner.read();
        assert_eq!(guard.data.item_count(), 1);
        assert!(guard.data.items.values().all(|i| i.decode()["k"] == crate::types::AttributeValue::S("new".into())));
    }
}
