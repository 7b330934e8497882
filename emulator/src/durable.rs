//! Durable development mode (`--db-path DIR`): tables and items survive
//! restarts, and every write acknowledged to a client survives `kill -9`.
//!
//! Design: a write-ahead journal of storage state, hooked below the
//! operations so every write path is covered without knowing about it.
//! `TableData::put` / `remove` note the keys they touch (only when
//! journaling: the in-memory default pays one branch). Before the protocol
//! layer answers a call that may have written, [`Journal::commit`] walks the
//! catalog of every namespace (account and region), appends the current
//! version of every noted key (a put or a delete), new/dropped tables, the
//! changes of point-in-time recovery's histories with their clock stamps and,
//! after a call that may change table definitions (the operation table says
//! which), changed definitions, and fsyncs. Records carry current values
//! read under the table's lock, so the last record of a key is always its
//! latest state, whatever order concurrent requests commit in. Commits are
//! grouped: a caller whose writes an earlier caller's commit already carried
//! to the disk returns without writing.
//!
//! Compaction (when the journal has grown well past the live data, run by
//! [`Journal::upkeep`] off the request path) writes the current state to a
//! side file without the journal's lock, reading each table in short chunks
//! under its read lock, while commits go on appending to the journal; the
//! journal's tail since the compaction began is then copied after it, and
//! the side file is synced and renamed over the journal under the lock
//! (the only moment commits wait: one copy of the last few commits, two
//! fsyncs). A fuzzy read of a table is sound because every key written
//! after the compaction began is recorded again in that tail, with its value
//! at the end. A compaction that fails (a directory turned read-only, a
//! full disk) changes nothing: the journal goes on taking commits, and the
//! upkeep tries again after a back-off. A directory or journal that cannot
//! be written at start refuses the start before anything is changed.
//!
//! File format: one record per line, `CRC32(hex) TEXT`: TEXT is JSON, or
//! for the bulk (items and history entries) `P|B|H namespace table ...`
//! with the item codec's stored bytes in base64 (no JSON to parse at
//! start-up; journals of JSON puts still replay). Each commit's records end
//! with a `commit` marker, and replay applies a commit only once it has
//! read its marker. A commit torn by a crash (it was never acknowledged) is
//! dropped whole, so no transaction is half applied. A damaged record before
//! the end refuses to start (see [`OnDamage`]). Records without a namespace
//! (older journals) belong to the emulator's own (account, region).

use crate::state::backups::Backup;
use crate::state::{self, State};
use crate::storage::history::{History, SavedHistory};
use crate::storage::stream::{EventName, StreamHeader, StreamLog, StreamRecord};
use crate::storage::{StoredItem, Table, TableData, TableDef, TableState};
use crate::types::{item_from_json, item_to_json, KeySchema, PrimaryKey};
use base64::Engine;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const JOURNAL_FILE: &str = "emulator-journal.log";
/// Locked (exclusively, for the life of the process) by the one emulator using the directory.
const LOCK_FILE: &str = "emulator.lock";
const COMPACTING_FILE: &str = "emulator-journal.compacting";
/// Compact when the journal holds this many more records than live items.
const COMPACT_SLACK: u64 = 50_000;
/// Items a compaction copies per hold of a table's read lock: writers never wait long.
const SCAN_CHUNK: usize = 1_024;
/// A compaction copies the journal's new tail without the lock until it is this small.
const TAIL_UNDER_LOCK: u64 = 256 * 1024;
/// A compaction syncs its side file every this many bytes written.
const SYNC_EVERY: usize = 4 << 20;
/// After a failed compaction (a read-only directory, a full disk) the next
/// attempt waits this long, doubling up to [`RETRY_AT_MOST`]: the journal
/// keeps growing meanwhile, but the failure is not retried in a tight loop.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_AT_MOST: Duration = Duration::from_secs(60);
const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;

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
    /// Held by the one compaction running.
    compaction: Mutex<()>,
    /// Commit tickets handed out: a caller's writes were made before it took its ticket.
    tickets: AtomicU64,
    /// Every commit ticket up to this one is on disk.
    durable: AtomicU64,
    /// Whether a caller is leading a commit (writing and syncing for everyone waiting).
    leading: Mutex<bool>,
    /// Signalled when a commit ends.
    led: parking_lot::Condvar,
    /// The journal has grown well past the live data: [`Journal::upkeep`] compacts it.
    compaction_due: AtomicBool,
    /// Records beyond twice the live items that make a compaction due.
    compact_slack: u64,
    /// A testing knob (`--compact-after N`): compaction is due once this many
    /// records were appended since the last one, whatever the live data.
    compact_after: Option<u64>,
    /// When the background upkeep may compact again after a failure.
    retry: Mutex<Retry>,
    /// Wakes the background upkeep when a compaction becomes due.
    wake: parking_lot::Condvar,
    /// How long the last compaction held the journal's lock to switch files (microseconds):
    /// the longest any commit waited for it.
    switch_micros: AtomicU64,
}

/// A table as the journal names it: (namespace, table name).
type TableId = (String, String);

/// The background compaction's back-off after failures.
#[derive(Default)]
struct Retry {
    /// No compaction before this moment.
    not_before: Option<Instant>,
    /// Failed compactions in a row.
    failures: u32,
}

struct Inner {
    file: File,
    /// The journal's length: everything before it is whole commits, on disk.
    len: u64,
    /// What the journal last recorded of each table.
    known: HashMap<TableId, Known>,
    /// What it last recorded of each stream: its log's version and its last record.
    streams: HashMap<String, KnownStream>,
    /// The backups it holds (a backup never changes: written once, then dropped).
    backups: BTreeSet<String>,
    /// The exports and imports it holds (written once: they never change).
    transfers: BTreeSet<String>,
    records: u64,
    /// Live records when last counted (at start or the last compaction).
    live: u64,
    /// A commit failed to reach the disk: the next one rewrites the journal whole (a compaction).
    rewrite: bool,
    /// Failed commits so far: a compaction running across one gives up (what it copies lacks that commit).
    failures: u64,
}

#[derive(Clone, Copy)]
struct KnownStream {
    version: u64,
    last_sequence: u64,
}

/// A table as last recorded: its `Table::serial`, definition and history (id, last change recorded).
struct Known {
    serial: u64,
    def: String,
    history: Option<(u64, u64)>,
}

impl Journal {
    /// Opens (creating if needed) the journal in `dir` and loads what it
    /// holds into `state` (and the namespaces it names). `state` should be empty.
    pub fn open(dir: &Path, state: &State) -> io::Result<Journal> {
        Journal::open_with(dir, state, OnDamage::Refuse)
    }

    /// [`Journal::open`], saying what to do with a damaged record that is not
    /// the journal's last (a torn last record is always dropped: that write
    /// was never acknowledged).
    pub fn open_with(dir: &Path, state: &State, on_damage: OnDamage) -> io::Result<Journal> {
        fs::create_dir_all(dir).map_err(naming("create the directory", dir))?;
        let path = dir.join(JOURNAL_FILE);
        // Before the lock is taken (and written): a directory or journal this
        // process cannot write refuses to start with nothing on disk changed.
        check_writable(dir, &path)?;
        let lock = lock_directory(dir)?;
        // A compaction a crash interrupted: the journal it was replacing is whole.
        let _ = fs::remove_file(dir.join(COMPACTING_FILE));
        let root = namespace_key(state);
        let replayed = if path.exists() { replay(&path, on_damage, &root)? } else { Replayed::default() };
        let count: usize = replayed.namespaces.values().map(|n| n.tables.len()).sum();
        let mut restored = BTreeSet::new();
        for (ns, namespace) in replayed.namespaces {
            let target = namespace_state(state, &ns, &root);
            restored.extend(namespace.install(target.as_deref().unwrap_or(state)));
        }
        let file = OpenOptions::new().create(true).append(true).open(&path).map_err(naming("open", &path))?;
        let len = file.metadata()?.len();
        let journal = Journal {
            dir: dir.to_path_buf(),
            _lock: lock,
            inner: Mutex::new(Inner {
                file,
                len,
                known: HashMap::new(),
                streams: HashMap::new(),
                backups: BTreeSet::new(),
                transfers: BTreeSet::new(),
                records: replayed.records,
                live: 0,
                rewrite: false,
                failures: 0,
            }),
            compaction: Mutex::new(()),
            tickets: AtomicU64::new(0),
            durable: AtomicU64::new(0),
            leading: Mutex::new(false),
            led: parking_lot::Condvar::new(),
            compaction_due: AtomicBool::new(false),
            compact_slack: COMPACT_SLACK,
            compact_after: None,
            retry: Mutex::new(Retry::default()),
            wake: parking_lot::Condvar::new(),
            switch_micros: AtomicU64::new(0),
        };
        {
            let mut inner = journal.inner.lock();
            inner.live = learn(state, &mut inner, &restored);
        }
        if replayed.dropped > 0 {
            // Torn or skipped records must not stay in the journal: rewritten now.
            journal.compact(state)?;
        } else {
            journal.note_growth(&journal.inner.lock());
        }
        tracing::info!(tables = count, dir = %dir.display(), "durable data loaded");
        Ok(journal)
    }

    /// A testing knob: compact whenever `records` records were appended since
    /// the last compaction (instead of when the journal holds well over twice
    /// the live data), so that compactions run back to back under writes.
    pub fn compact_after(mut self, records: u64) -> Journal {
        self.compact_after = Some(records);
        self
    }

    /// Records every change since the last commit and waits until it is on
    /// disk. Called before answering any call that may have written;
    /// `definitions`: the call may have changed a table definition.
    pub fn commit(&self, state: &State, definitions: bool) -> io::Result<()> {
        // Taken after this caller's writes: a commit that starts later carries them.
        let ticket = self.tickets.fetch_add(1, Ordering::SeqCst) + 1;
        {
            // One caller leads each commit; the others wait for it, and those
            // whose writes it carried return without taking the journal's lock.
            let mut leading = self.leading.lock();
            loop {
                if !definitions && self.durable.load(Ordering::SeqCst) >= ticket {
                    return Ok(());
                }
                if !*leading {
                    *leading = true;
                    break;
                }
                self.led.wait(&mut leading);
            }
        }
        let _lead = Lead(self);
        let mut inner = self.inner.lock();
        if inner.rewrite {
            drop(inner);
            return self.compact(state);
        }
        self.write_commit(&mut inner, state, definitions)?;
        self.note_growth(&inner);
        Ok(())
    }

    /// Appends every change since the last commit to the journal and syncs it.
    fn write_commit(&self, inner: &mut Inner, state: &State, definitions: bool) -> io::Result<()> {
        let covered = self.tickets.load(Ordering::SeqCst);
        let mut out = Vec::new();
        let written = collect_all(state, inner, &mut out, definitions);
        if written > 0 {
            let before = inner.len;
            // A failed write (a full disk) must not leave half a commit for later
            // commits to follow: the journal is cut back to where it was.
            if let Err(error) = inner.file.write_all(&out).and_then(|()| inner.file.sync_data()) {
                let _ = inner.file.set_len(before);
                // What this commit drained is not on disk: the next commit rewrites the whole journal.
                inner.rewrite = true;
                inner.failures += 1;
                return Err(error);
            }
            inner.len += out.len() as u64;
            inner.records += written;
        }
        self.durable.fetch_max(covered, Ordering::SeqCst);
        Ok(())
    }

    /// Marks a compaction due once the journal holds well over twice the live
    /// records (or `compact_after` records past the last compaction), and wakes the upkeep.
    fn note_growth(&self, inner: &Inner) {
        let due = match self.compact_after {
            Some(after) => inner.records >= inner.live.saturating_add(after),
            None => inner.records > inner.live.saturating_mul(2) + self.compact_slack,
        };
        if due && !self.compaction_due.swap(true, Ordering::Relaxed) {
            // Under the retry lock, so a waiter between its check and its wait cannot miss it.
            let _retry = self.retry.lock();
            self.wake.notify_all();
        }
    }

    /// Waits until a compaction is due (and no failure's back-off holds it),
    /// or `at_most` has passed: the background upkeep's pause between calls.
    pub fn wait_for_upkeep(&self, at_most: Duration) {
        let deadline = Instant::now() + at_most;
        let mut retry = self.retry.lock();
        loop {
            let now = Instant::now();
            let held = retry.not_before.filter(|&at| at > now);
            if now >= deadline || (self.compaction_due.load(Ordering::Relaxed) && held.is_none()) {
                return;
            }
            let until = held.map_or(deadline, |at| at.min(deadline));
            self.wake.wait_until(&mut retry, until);
        }
    }

    /// Work kept off the request path: commits what background work
    /// changed, and compacts the journal when it is due. The binary runs it
    /// on a thread of its own, after [`Journal::wait_for_upkeep`]. After a
    /// failure (a read-only directory, a full disk) nothing is tried again
    /// for a back-off (1 s, doubling up to a minute); requests' commits go
    /// on appending to the journal meanwhile.
    pub fn upkeep(&self, state: &State) -> io::Result<()> {
        if self.retry.lock().not_before.is_some_and(|at| at > Instant::now()) {
            return Ok(());
        }
        let result = self.commit(state, true).map_err(|e| ("journal commit failed", e)).and_then(|()| {
            if !self.compaction_due.swap(false, Ordering::Relaxed) {
                return Ok(());
            }
            self.compact(state).map_err(|e| {
                self.compaction_due.store(true, Ordering::Relaxed);
                ("journal compaction failed (commits go on appending to the journal)", e)
            })
        });
        let mut retry = self.retry.lock();
        match result {
            Ok(()) => {
                if retry.failures > 0 {
                    tracing::info!(failures = retry.failures, "journal upkeep succeeded again after failed attempts");
                }
                *retry = Retry::default();
                Ok(())
            }
            Err((what, error)) => {
                let wait = RETRY_FIRST.saturating_mul(1 << retry.failures.min(6)).min(RETRY_AT_MOST);
                retry.failures += 1;
                retry.not_before = Some(Instant::now() + wait);
                let message = format!("{what}: {error}; next attempt in {} s", wait.as_secs());
                Err(io::Error::new(error.kind(), message))
            }
        }
    }

    /// How long the last compaction held the journal's lock (the only time commits wait for it).
    pub fn last_switch(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.switch_micros.load(Ordering::Relaxed))
    }

    /// Rewrites the journal as the current state: written to a side file
    /// while commits go on, then renamed over the journal (see the module doc).
    pub fn compact(&self, state: &State) -> io::Result<()> {
        let _one = self.compaction.lock();
        let path = self.dir.join(JOURNAL_FILE);
        let side_path = self.dir.join(COMPACTING_FILE);
        // Everything so far on disk in the journal; the copy starts here.
        let (start, records_at_start, failures) = {
            let mut inner = self.inner.lock();
            self.write_commit(&mut inner, state, true)?;
            (inner.len, inner.records, inner.failures)
        };
        let result = self.write_side_file(state, &path, &side_path, (start, records_at_start, failures));
        if result.is_err() {
            let _ = fs::remove_file(&side_path);
        }
        result
    }

    fn write_side_file(&self, state: &State, path: &Path, side_path: &Path, at: (u64, u64, u64)) -> io::Result<()> {
        let (start, records_at_start, failures) = at;
        let file = File::create(side_path).map_err(naming("create the compaction's side file", side_path))?;
        let mut side = io::BufWriter::with_capacity(1 << 20, Syncing { file, unsynced: 0 });
        let snapshot = write_snapshot(state, &mut side).map_err(naming("write", side_path))?;
        // The journal's tail since the copy began, while commits go on.
        let mut journal = File::open(path).map_err(naming("read", path))?;
        journal.seek(SeekFrom::Start(start))?;
        let mut copied = start;
        loop {
            let end = self.inner.lock().len;
            copy_range(&mut journal, &mut side, end - copied)?;
            let step = end - copied;
            copied = end;
            if step < TAIL_UNDER_LOCK {
                break;
            }
        }
        let mut side = side.into_inner().map_err(|e| e.into_error())?.file;
        side.sync_data()?;
        // The switch: the last commits' tail, then what is not yet committed, synced and renamed.
        let mut inner = self.inner.lock();
        let held = std::time::Instant::now();
        if inner.failures != failures {
            // A commit failed meanwhile: the next one rewrites the journal.
            let _ = fs::remove_file(side_path);
            return Ok(());
        }
        let mut tail = Vec::new();
        journal.read_to_end(&mut tail)?;
        tail.truncate((inner.len - copied) as usize);
        let covered = self.tickets.load(Ordering::SeqCst);
        let mut out = Vec::new();
        let written = collect_all(state, &mut inner, &mut out, true);
        // Everything that can fail before the rename: until it, the journal is the one in use.
        let ready = side
            .write_all(&tail)
            .and_then(|()| side.write_all(&out))
            .and_then(|()| side.sync_data())
            .and_then(|()| Ok((OpenOptions::new().append(true).open(side_path)?, side.metadata()?.len())))
            .map_err(naming("write", side_path))
            .and_then(|ready| fs::rename(side_path, path).map(|()| ready).map_err(naming("rename", side_path)));
        let (file, len) = match ready {
            Ok(ready) => ready,
            Err(error) => {
                let _ = fs::remove_file(side_path);
                // The journal is as it was and takes what this switch drained instead.
                self.append_drained(&mut inner, &out, written, covered);
                return Err(error);
            }
        };
        // Renamed: the side file is the journal now, whatever follows.
        inner.len = len;
        inner.file = file;
        inner.records = snapshot + (inner.records - records_at_start) + written;
        inner.live = snapshot;
        inner.rewrite = false;
        self.compaction_due.store(false, Ordering::Relaxed);
        self.note_growth(&inner);
        // The rename itself must reach the disk before the old journal is forgotten.
        if let Err(error) = File::open(&self.dir).and_then(|dir| dir.sync_all()) {
            // Not known durable: the next commit rewrites the journal (and syncs the directory again).
            inner.rewrite = true;
            inner.failures += 1;
            return Err(naming("sync the directory", &self.dir)(error));
        }
        self.durable.fetch_max(covered, Ordering::SeqCst);
        self.switch_micros.store(held.elapsed().as_micros() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// After a switch failed before its rename: appends the records it drained
    /// (`written` of them in `out`, covering tickets up to `covered`) to the
    /// journal still in use, as a commit would; if that fails too, the next
    /// commit rewrites the journal.
    fn append_drained(&self, inner: &mut Inner, out: &[u8], written: u64, covered: u64) {
        if written == 0 {
            return;
        }
        let before = inner.len;
        if inner.file.write_all(out).and_then(|()| inner.file.sync_data()).is_ok() {
            inner.len += out.len() as u64;
            inner.records += written;
            // Not when a rewrite is pending: what an earlier failed commit drained is still missing.
            if !inner.rewrite {
                self.durable.fetch_max(covered, Ordering::SeqCst);
            }
        } else {
            let _ = inner.file.set_len(before);
            inner.rewrite = true;
            inner.failures += 1;
        }
    }
}

/// The commit a caller leads: when it ends (even by a panic), the next waiting caller may lead.
struct Lead<'a>(&'a Journal);

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        *self.0.leading.lock() = false;
        self.0.led.notify_all();
    }
}

/// A side file synced every few megabytes as it is written: the disk never
/// holds a backlog whose flush would hold up the journal's own fsyncs.
struct Syncing {
    file: File,
    unsynced: usize,
}

impl Write for Syncing {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.unsynced += written;
        if self.unsynced >= SYNC_EVERY {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Names the file and what was done to it in an I/O error (its kind kept):
/// "cannot create the compaction's side file /data/emulator-journal.compacting: Permission denied".
fn naming<'a>(what: &'a str, path: &'a Path) -> impl FnOnce(io::Error) -> io::Error + 'a {
    move |error| io::Error::new(error.kind(), format!("cannot {what} {}: {error}", path.display()))
}

/// Refuses, before anything is written, a directory this process cannot
/// create files in (compactions write a side file there and rename it) or a
/// journal it cannot append to. The probe file is unique and removed at once.
fn check_writable(dir: &Path, journal: &Path) -> io::Result<()> {
    let probe = dir.join(format!("emulator-write-check.{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(naming("create files in the data directory", dir))?;
    fs::remove_file(&probe).map_err(naming("remove", &probe))?;
    match OpenOptions::new().append(true).open(journal) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(naming("write the journal", journal)(error)),
        _ => Ok(()),
    }
}

/// Copies `len` bytes from `from` to `to`.
fn copy_range(from: &mut File, to: &mut impl Write, len: u64) -> io::Result<()> {
    let copied = io::copy(&mut from.take(len), to)?;
    if copied != len {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the journal is shorter than written"));
    }
    Ok(())
}

/// The namespace key of a state: `account:region`.
fn namespace_key(state: &State) -> String {
    format!("{}:{}", state.config.account_id, state.config.region)
}

/// The state of namespace `ns` (`None`: `state` itself, the emulator's own).
fn namespace_state(state: &State, ns: &str, root: &str) -> Option<Arc<State>> {
    if ns == root {
        return None;
    }
    let (account, region) = ns.split_once(':').unwrap_or((ns, &state.config.region));
    Some(state.namespace_of(account, region))
}

/// Every namespace's state with its key, the emulator's own first; `others` keeps the rest alive.
fn namespaces<'a>(state: &'a State, others: &'a [Arc<State>]) -> Vec<(String, &'a State)> {
    let mut all: Vec<(String, &State)> = others.iter().map(|s| (namespace_key(s), &**s)).collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.insert(0, (namespace_key(state), state));
    all
}

/// Takes the directory's exclusive lock before anything in it is read or
/// written, and writes this process's id into the lock file; a directory
/// in use answers an error naming the process holding it.
fn lock_directory(dir: &Path) -> io::Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(naming("open the lock file", &path))?;
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

/// Takes what the journal holds as known (just replayed): every table and
/// stream, backup and transfer, so the next commit records only changes.
/// Histories not among `restored` (started at this start) are not in the
/// journal yet: the next commit writes them whole. Returns the live records
/// (tables, items, stream records, backups).
fn learn(state: &State, inner: &mut Inner, restored: &BTreeSet<u64>) -> u64 {
    let others = state.other_namespaces();
    let mut live = 0;
    for (ns, st) in namespaces(state, &others) {
        for (name, table) in st.catalog.entries() {
            let mut guard = table.inner.write();
            guard.data.changed = Some(BTreeSet::new());
            let history =
                guard.data.history.0.as_ref().filter(|h| restored.contains(&h.id)).map(|h| (h.id, h.recorded()));
            live += guard.data.item_count() + 1;
            inner.known.insert((ns.clone(), name), Known { serial: table.serial, def: def_json(&guard.def), history });
        }
        live += collect_stream_changes(&ns, st, &mut inner.streams, &mut Vec::new());
        for backup in st.backups.all() {
            live += backup.table.data.item_count() + 1;
            inner.backups.insert(backup.arn.clone());
        }
        for kind in ["export", "import"] {
            inner.transfers.extend(transfer_registry(st, kind).all().iter().map(|t| t.arn.clone()));
        }
    }
    live
}

/// Every change since the last commit, in every namespace, with its commit
/// marker; the number of records (0: nothing changed, nothing to write).
fn collect_all(state: &State, inner: &mut Inner, out: &mut Vec<u8>, definitions: bool) -> u64 {
    let others = state.other_namespaces();
    let all = namespaces(state, &others);
    let Inner { known, streams, backups, transfers, .. } = inner;
    let mut written = collect_changes(&all, known, streams, out, definitions);
    if definitions {
        for (ns, st) in &all {
            written += collect_backup_changes(ns, st, backups, out);
            written += collect_transfer_changes(ns, st, transfers, out);
        }
        // Backups and exports deleted with a namespace's state are never: namespaces live as long as the process.
    }
    if written == 0 {
        return 0;
    }
    written + commit_marker(out, written)
}

/// Appends records for what changed since `known` was last updated, and
/// updates it. Definitions are compared (serialised) only when `definitions`
/// is set: an item write cannot change one. Streams are read while the
/// tables are still locked, so their records match the items recorded.
/// Returns the number of records.
fn collect_changes(
    namespaces: &[(String, &State)],
    known: &mut HashMap<TableId, Known>,
    known_streams: &mut HashMap<String, KnownStream>,
    out: &mut Vec<u8>,
    definitions: bool,
) -> u64 {
    let mut records = 0;
    let mut tables: Vec<(TableId, Arc<Table>)> = namespaces
        .iter()
        .flat_map(|(ns, st)| st.catalog.entries().into_iter().map(move |(name, t)| ((ns.clone(), name), t)))
        .collect();
    tables.sort_by(|a, b| a.0.cmp(&b.0));
    let live: BTreeSet<&TableId> = tables.iter().map(|(id, _)| id).collect();
    let dropped: Vec<TableId> = known.keys().filter(|id| !live.contains(id)).cloned().collect();
    for (ns, name) in dropped {
        records += record(out, json!({"t": "drop", "ns": ns, "table": name}));
        known.remove(&(ns, name));
    }
    // Every table locked at once, in the global order batches and
    // transactions lock in (one namespace's tables by name): a transaction
    // applies under all its tables' locks, so the journal records all of it
    // or none of it, never one table's half (which a crash could otherwise
    // leave behind).
    let mut guards: Vec<_> = tables.iter().map(|(id, table)| (id, table.serial, table.inner.write())).collect();
    for ((ns, name), serial, guard) in &mut guards {
        let id = (ns.clone(), name.clone());
        // Data replaced wholesale by a fresh `TableData` (not tracking) is
        // treated like a new table: written out whole.
        let same_table = known.get(&id).is_some_and(|k| k.serial == *serial) && guard.data.changed.is_some();
        let TableState { def, data } = &mut **guard;
        if same_table {
            let Some(k) = known.get_mut(&id) else { continue };
            if data.changed.as_ref().is_some_and(|c| !c.is_empty()) {
                let changed = data.changed.replace(BTreeSet::new()).unwrap_or_default();
                for key in changed {
                    records += match data.items.get(&key) {
                        Some(item) => item_line(out, 'P', ns, name, item),
                        None => record(
                            out,
                            json!({"t": "del", "ns": ns, "table": name, "key": key_json(&def.key_schema, &key)}),
                        ),
                    };
                }
            }
            if definitions {
                let def_text = def_json(def);
                if k.def != def_text {
                    records += record(out, json!({"t": "def", "ns": ns, "table": name, "def": raw(&def_text)}));
                    k.def = def_text;
                }
            }
            records += collect_history(out, ns, name, data.history.0.as_deref(), &mut k.history);
        } else {
            // New to the journal (created, re-created, restored or replaced): all of it.
            data.changed = Some(BTreeSet::new());
            let def_text = def_json(def);
            records += record(out, json!({"t": "create", "ns": ns, "table": name, "def": raw(&def_text)}));
            for item in data.items.values() {
                records += item_line(out, 'P', ns, name, item);
            }
            let mut history = None;
            records += collect_history(out, ns, name, data.history.0.as_deref(), &mut history);
            known.insert(id, Known { serial: *serial, def: def_text, history });
        }
    }
    for (ns, st) in namespaces {
        records += collect_stream_changes(ns, st, known_streams, out);
    }
    drop(guards);
    records
}

/// A table's point-in-time history: its new changes since `known` (id,
/// last change recorded), or the whole of it when it is new to the journal
/// (or its unrecorded changes were already folded into its base).
fn collect_history(
    out: &mut Vec<u8>,
    ns: &str,
    table: &str,
    history: Option<&History>,
    known: &mut Option<(u64, u64)>,
) -> u64 {
    let Some(history) = history else {
        *known = None;
        return 0;
    };
    let new = match *known {
        Some((id, recorded)) if id == history.id => history.changes_since(recorded),
        _ => None,
    };
    *known = Some((history.id, history.recorded()));
    match new {
        Some(changes) => changes.iter().map(|(seq, change)| change_line(out, ns, table, *seq, change)).sum(),
        None => saved_history_lines(out, ns, table, &history.saved()),
    }
}

/// A whole history: its header, its base's items, its changes.
fn saved_history_lines(out: &mut Vec<u8>, ns: &str, table: &str, saved: &SavedHistory) -> u64 {
    let mut records = record(
        out,
        json!({"t": "hist", "ns": ns, "table": table, "enabled": saved.enabled_millis,
            "period": saved.period_millis, "base_at": saved.base_millis,
            "base_seq": saved.recorded - saved.changes.len() as u64}),
    );
    for item in saved.base.values() {
        records += item_line(out, 'B', ns, table, item);
    }
    for (seq, change) in &saved.changes {
        records += change_line(out, ns, table, *seq, change);
    }
    records
}

/// Appends what changed in a namespace's streams since `known`: a stream's
/// header when it is new or its shards or status changed, then its new records.
fn collect_stream_changes(ns: &str, state: &State, known: &mut HashMap<String, KnownStream>, out: &mut Vec<u8>) -> u64 {
    let mut records = 0;
    for stream in state.streams.all(state.clock.now_millis()).into_iter().rev() {
        let arn = stream.arn();
        let seen = known.get(&arn).copied();
        let mut last = seen.map_or(0, |k| k.last_sequence);
        let changes = stream.changes_since(last, seen.map(|k| k.version));
        if let Some(header) = &changes.header {
            records += record(out, json!({"t": "stream", "ns": ns, "header": header}));
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
fn collect_backup_changes(ns: &str, state: &State, known: &mut BTreeSet<String>, out: &mut Vec<u8>) -> u64 {
    let mut records = 0;
    let all = state.backups.all();
    let arns: Vec<&str> = all.iter().map(|b| b.arn.as_str()).collect();
    // A backup's ARN names its namespace's account and region.
    let ours = |arn: &str| ns.split_once(':').is_some_and(|(a, r)| arn.contains(&format!(":{r}:{a}:")));
    let gone: Vec<String> = known.iter().filter(|a| ours(a) && !arns.contains(&a.as_str())).cloned().collect();
    for arn in gone {
        records += record(out, json!({"t": "bdrop", "arn": arn}));
        known.remove(&arn);
    }
    for backup in &all {
        if known.insert(backup.arn.clone()) {
            records += backup_lines(out, ns, backup);
        }
    }
    records
}

fn backup_lines(out: &mut Vec<u8>, ns: &str, backup: &Backup) -> u64 {
    let mut records = record(
        out,
        json!({"t": "backup", "ns": ns, "arn": backup.arn, "name": backup.name, "created": backup.created_millis,
            "def": raw(&def_json(&backup.table.def))}),
    );
    for item in backup.table.data.items.values() {
        records += record(out, json!({"t": "bitem", "arn": backup.arn, "item": item_to_json(&item.decode())}));
    }
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
fn collect_transfer_changes(ns: &str, state: &State, known: &mut BTreeSet<String>, out: &mut Vec<u8>) -> u64 {
    let mut records = 0;
    for kind in ["export", "import"] {
        for transfer in transfer_registry(state, kind).all() {
            if known.insert(transfer.arn.clone()) {
                records += record(out, json!({"t": "xfer", "ns": ns, "kind": kind, "x": &*transfer}));
            }
        }
    }
    records
}

/// Writes the whole state of every namespace (tables read in chunks, each
/// under its read lock for a moment) as one commit; returns its records.
fn write_snapshot(state: &State, out: &mut impl Write) -> io::Result<u64> {
    let others = state.other_namespaces();
    let mut records = 0;
    let mut buffer = Vec::with_capacity(1 << 20);
    for (ns, st) in namespaces(state, &others) {
        let mut tables = st.catalog.entries();
        tables.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, table) in tables {
            let (def, history) = {
                let guard = table.inner.read();
                (def_json(&guard.def), guard.data.history.0.as_ref().map(|h| h.saved()))
            };
            records += record(&mut buffer, json!({"t": "create", "ns": ns, "table": name, "def": raw(&def)}));
            let mut after: Option<PrimaryKey> = None;
            loop {
                let chunk: Vec<StoredItem> = {
                    let guard = table.inner.read();
                    let items = &guard.data.items;
                    let range = match &after {
                        None => items.range::<PrimaryKey, _>(..),
                        Some(last) => items.range::<PrimaryKey, _>((Bound::Excluded(last), Bound::Unbounded)),
                    };
                    range.take(SCAN_CHUNK).map(|(_, item)| item.clone()).collect()
                };
                let Some(last) = chunk.last() else { break };
                after = Some(last.key());
                for item in &chunk {
                    records += item_line(&mut buffer, 'P', &ns, &name, item);
                }
                out.write_all(&buffer)?;
                buffer.clear();
            }
            if let Some(saved) = &history {
                records += saved_history_lines(&mut buffer, &ns, &name, saved);
            }
        }
        records += collect_stream_changes(&ns, st, &mut HashMap::new(), &mut buffer);
        for backup in st.backups.all() {
            records += backup_lines(&mut buffer, &ns, &backup);
            out.write_all(&buffer)?;
            buffer.clear();
        }
        records += collect_transfer_changes(&ns, st, &mut BTreeSet::new(), &mut buffer);
    }
    records += commit_marker(&mut buffer, records);
    out.write_all(&buffer)?;
    Ok(records)
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

/// An item record (`P`: a put; `B`: an item of a history's base), the
/// stored bytes in base64: `CRC P ns table BYTES`.
fn item_line(out: &mut Vec<u8>, kind: char, ns: &str, table: &str, item: &StoredItem) -> u64 {
    let start = out.len();
    out.extend_from_slice(b"00000000 ");
    let text = out.len();
    let _ = write!(out, "{kind} {ns} {table} ");
    push_base64(out, item.as_bytes());
    finish_line(out, start, text)
}

/// A history's change: `CRC H ns table SEQ AT BYTES` (a put) or `... AT -KEY` (a delete).
fn change_line(
    out: &mut Vec<u8>,
    ns: &str,
    table: &str,
    seq: u64,
    change: &(i64, PrimaryKey, Option<StoredItem>),
) -> u64 {
    let (at, key, new) = change;
    let start = out.len();
    out.extend_from_slice(b"00000000 ");
    let text = out.len();
    let _ = write!(out, "H {ns} {table} {seq} {at} ");
    match new {
        Some(item) => push_base64(out, item.as_bytes()),
        None => {
            out.push(b'-');
            push_base64(out, key.bytes());
        }
    }
    finish_line(out, start, text)
}

/// Fills in the CRC of the line begun at `start` (its text at `text`) and ends it.
fn finish_line(out: &mut Vec<u8>, start: usize, text: usize) -> u64 {
    let crc = format!("{:08x}", crc32fast::hash(&out[text..]));
    out[start..start + 8].copy_from_slice(crc.as_bytes());
    out.push(b'\n');
    1
}

/// Appends `bytes` in base64, encoded straight into the output buffer.
fn push_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + base64::encoded_len(bytes.len(), false).unwrap_or(0), 0);
    let written = BASE64.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
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

/// Backups as replay reads them: name, creation time, definition, items.
type ReplayedBackups = BTreeMap<String, (String, i64, TableDef, BTreeMap<PrimaryKey, StoredItem>)>;

/// A table as replay reads it.
struct ReplayedTable {
    def: TableDef,
    /// Every put (`Some`) and delete since its creation, in order: the last of a key stands.
    items: Vec<(PrimaryKey, Option<StoredItem>)>,
    history: Option<SavedHistory>,
}

/// One namespace's part of the journal.
#[derive(Default)]
struct ReplayedNamespace {
    tables: HashMap<String, ReplayedTable>,
    /// Table names in the order they were (last) created.
    order: Vec<String>,
    streams: Vec<StreamLog>,
    backups: ReplayedBackups,
    /// Exports and imports by ARN: kind ("export" or "import") and record.
    transfers: BTreeMap<String, (String, crate::state::transfers::Transfer)>,
}

/// Everything a journal holds, by namespace.
#[derive(Default)]
struct Replayed {
    namespaces: BTreeMap<String, ReplayedNamespace>,
    /// Records read (commit markers included).
    records: u64,
    /// Records dropped (torn, damaged, or of a commit a crash tore).
    dropped: u64,
}

impl ReplayedNamespace {
    /// Puts what was read into `state`: tables (with their histories),
    /// streams, backups, exports and imports. Returns the restored histories' ids.
    fn install(mut self, state: &State) -> Vec<u64> {
        let mut restored = Vec::new();
        let mut tables = Vec::new();
        for name in &self.order {
            let Some(table) = self.tables.remove(name) else { continue };
            let ReplayedTable { def, items, history } = table;
            let items = latest(items);
            let data = table_data(&def, items);
            tables.push((TableState { def, data }, history));
        }
        let states: Vec<TableState> = tables.iter().map(|(t, _)| t.clone()).collect();
        state.catalog.restore(&states);
        drop(states);
        for (table, history) in tables {
            let (Some(history), Some(live)) = (history, state.catalog.get(&table.def.name)) else { continue };
            let mut guard = live.inner.write();
            if guard.def.point_in_time_recovery {
                let history = History::restored(Arc::clone(&state.clock), history);
                restored.push(history.id);
                guard.data.history.0 = Some(Box::new(history));
            }
        }
        for (arn, (name, created_millis, def, items)) in self.backups {
            let data = table_data(&def, items);
            state.backups.insert(Backup { arn, name, created_millis, table: TableState { def, data } });
        }
        for (_, (kind, transfer)) in self.transfers {
            transfer_registry(state, &kind).restore(transfer);
        }
        state.streams.restore(&state.clock, self.streams);
        // Tables go on with their journaled stream (or a new one, if it is
        // gone) and history (a new one where recovery is on and none was journaled).
        state.attach_streams();
        state.attach_histories();
        restored
    }
}

/// The items a table's puts and deletes leave, in the table's order. A
/// compacted journal lists a table's items in that order already, so the
/// sort is one pass and the map is built in bulk rather than item by item.
fn latest(mut writes: Vec<(PrimaryKey, Option<StoredItem>)>) -> BTreeMap<PrimaryKey, StoredItem> {
    // Stable: a key's writes stay in the order they were made.
    writes.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kept: Vec<(PrimaryKey, StoredItem)> = Vec::with_capacity(writes.len());
    let mut writes = writes.into_iter().peekable();
    while let Some((key, item)) = writes.next() {
        if writes.peek().is_some_and(|(next, _)| *next == key) {
            continue;
        }
        if let Some(item) = item {
            kept.push((key, item));
        }
    }
    kept.into_iter().collect()
}

/// A table's data holding `items`, its indexes filled.
fn table_data(def: &TableDef, items: BTreeMap<PrimaryKey, StoredItem>) -> TableData {
    let mut data = TableData::new(def);
    data.size_bytes = items.values().map(|i| i.size() as u64).sum();
    if !data.indexes.is_empty() || !data.vectors.is_empty() {
        // Each index's keys gathered in one pass (one decode per item), then loaded in bulk.
        let mut keyed: Vec<(Vec<(PrimaryKey, StoredItem)>, u64)> =
            data.indexes.iter().map(|_| (Vec::new(), 0)).collect();
        for (key, stored) in &items {
            let item = stored.decode();
            for (index, (keys, size)) in data.indexes.iter().zip(&mut keyed) {
                if let Some(index_key) = index.key_of(&item) {
                    keys.push((index_key, stored.clone()));
                    *size += index.projected_size(&item) as u64;
                }
            }
            for vectors in &mut data.vectors {
                vectors.insert(key, &item, stored);
            }
        }
        for (index, (keys, size)) in data.indexes.iter_mut().zip(keyed) {
            index.load(keys, size);
        }
    }
    *data.items.make_mut() = items;
    data
}

/// Reads the journal. A torn last record is dropped; a damaged one before
/// the end refuses to start unless `on_damage` skips it. Records without a
/// namespace belong to `root`.
fn replay(path: &Path, on_damage: OnDamage, root: &str) -> io::Result<Replayed> {
    let mut replayed = Replayed::default();
    let bytes = fs::read(path)?;
    let lines = line_spans(&bytes);
    let parsed = parse_all(&bytes, &lines);
    // The current commit's records, applied when its marker is read.
    let (mut pending, mut markers): (Vec<Record>, u64) = (Vec::new(), 0);
    let last = lines.len().saturating_sub(1);
    for (index, (record, &(at, _))) in parsed.into_iter().zip(&lines).enumerate() {
        let Some(record) = record else {
            replayed.dropped += 1;
            if index == last {
                tracing::warn!(
                    offset = at,
                    "the journal ends with a torn record (a write never acknowledged); dropping it"
                );
                continue;
            }
            if on_damage == OnDamage::Refuse {
                return Err(damaged(path, at as u64, index as u64 + 1));
            }
            tracing::warn!(offset = at, record = index + 1, "skipping a damaged journal record (--db-repair)");
            continue;
        };
        replayed.records += 1;
        if !matches!(&record, Record::Json(v) if v["t"] == "commit") {
            pending.push(record);
            continue;
        }
        markers += 1;
        for record in pending.drain(..) {
            apply_record(&mut replayed.namespaces, root, record)?;
        }
    }
    if !pending.is_empty() {
        if markers == 0 {
            // A journal from before commit markers: every record stands alone.
            for record in pending.drain(..) {
                apply_record(&mut replayed.namespaces, root, record)?;
            }
        } else {
            tracing::warn!(
                records = pending.len(),
                "the journal ends with a commit torn by a crash (never acknowledged); dropping it"
            );
            replayed.dropped += pending.len() as u64;
        }
    }
    // The journal is rewritten next: keep it as it was, nothing is lost.
    if replayed.dropped > 0 {
        let copy = path.with_extension(format!("damaged-{}", std::process::id()));
        fs::copy(path, &copy)?;
        tracing::warn!(copy = %copy.display(), dropped = replayed.dropped, "the journal as it was is kept beside it");
    }
    Ok(replayed)
}

/// Each line's (start, end) in `bytes`, its newline included (the last may have none: torn).
fn line_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(bytes.len() / 256);
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |at| start + at + 1);
        spans.push((start, end));
        start = end;
    }
    spans
}

/// Parses (and checks) every line, on two threads for a large journal: the
/// CRCs and the items' base64 are most of a replay's work.
fn parse_all<'a>(bytes: &'a [u8], lines: &[(usize, usize)]) -> Vec<Option<Record<'a>>> {
    let parse = |spans: &[(usize, usize)]| -> Vec<Option<Record<'a>>> {
        spans.iter().map(|&(start, end)| parse_record(&bytes[start..end])).collect()
    };
    if lines.len() < 50_000 {
        return parse(lines);
    }
    let (first, second) = lines.split_at(lines.len() / 2);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| parse(second));
        let mut parsed = parse(first);
        parsed.extend(later.join().unwrap_or_default());
        parsed
    })
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

/// One journal record, checked against its CRC.
enum Record<'a> {
    Json(Value),
    /// `P` (a put) or `B` (a history's base item), its item decoded.
    Item {
        kind: u8,
        ns: &'a str,
        table: &'a str,
        item: StoredItem,
    },
    /// `H`: a history's change, read when applied.
    Change {
        ns: &'a str,
        table: &'a str,
        rest: &'a [u8],
    },
}

fn parse_record(line: &[u8]) -> Option<Record<'_>> {
    let line = line.strip_suffix(b"\n")?;
    let (crc, text) = (line.get(..8)?, line.get(9..)?);
    let crc = u32::from_str_radix(std::str::from_utf8(crc).ok()?, 16).ok()?;
    if crc32fast::hash(text) != crc {
        return None;
    }
    match text.first()? {
        b'{' => serde_json::from_slice(text).ok().map(Record::Json),
        kind @ (b'P' | b'B' | b'H') => {
            let mut parts = text.get(2..)?.splitn(3, |b| *b == b' ');
            let ns = std::str::from_utf8(parts.next()?).ok()?;
            let table = std::str::from_utf8(parts.next()?).ok()?;
            let rest = parts.next()?;
            if *kind == b'H' {
                return Some(Record::Change { ns, table, rest });
            }
            Some(Record::Item { kind: *kind, ns, table, item: decode_item(rest).ok()? })
        }
        _ => None,
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

fn decode_item(text: &[u8]) -> io::Result<StoredItem> {
    let bytes = BASE64.decode(text).map_err(|e| invalid(format!("bad item record: {e}")))?;
    StoredItem::from_bytes(&bytes).ok_or_else(|| invalid("bad item record"))
}

fn apply_record(namespaces: &mut BTreeMap<String, ReplayedNamespace>, root: &str, record: Record) -> io::Result<()> {
    match record {
        Record::Item { kind, ns, table, item } => {
            let entry = replayed_table(namespaces, ns, table)?;
            if kind == b'P' {
                entry.items.push((item.key(), Some(item)));
            } else if let Some(history) = &mut entry.history {
                history.base.make_mut().insert(item.key(), item);
            }
            Ok(())
        }
        Record::Change { ns, table, rest } => apply_change(replayed_table(namespaces, ns, table)?, rest),
        Record::Json(value) => {
            let ns = value["ns"].as_str().unwrap_or(root).to_string();
            let namespace = namespaces.entry(ns).or_default();
            let applied = match value["t"].as_str() {
                Some("stream" | "srec") => apply_stream(&mut namespace.streams, &value),
                Some("backup" | "bitem") => apply_backup(&mut namespace.backups, &value),
                Some("bdrop") => {
                    let arn = value["arn"].as_str().unwrap_or_default();
                    namespaces.values_mut().for_each(|n| {
                        n.backups.remove(arn);
                    });
                    Ok(())
                }
                Some("xfer") => serde_json::from_value::<crate::state::transfers::Transfer>(value["x"].clone())
                    .map(|transfer| {
                        let kind = value["kind"].as_str().unwrap_or("import").to_string();
                        namespace.transfers.insert(transfer.arn.clone(), (kind, transfer));
                    })
                    .map_err(|e| format!("bad export or import record: {e}")),
                Some("hist") => apply_history_header(namespace, &value),
                _ => apply(namespace, &value),
            };
            applied.map_err(invalid)
        }
    }
}

/// The table an item or history record names.
fn replayed_table<'n>(
    namespaces: &'n mut BTreeMap<String, ReplayedNamespace>,
    ns: &str,
    table: &str,
) -> io::Result<&'n mut ReplayedTable> {
    let namespace = namespaces.get_mut(ns).ok_or_else(|| invalid(format!("item of unknown namespace {ns}")))?;
    namespace.tables.get_mut(table).ok_or_else(|| invalid(format!("item of unknown table {table}")))
}

/// A history's header: the history starts again from what follows.
fn apply_history_header(namespace: &mut ReplayedNamespace, record: &Value) -> Result<(), String> {
    let name = record["table"].as_str().ok_or("history without a table")?;
    let table = namespace.tables.get_mut(name).ok_or(format!("history of unknown table {name}"))?;
    let number = |field: &str| record[field].as_i64().unwrap_or(0);
    table.history = Some(SavedHistory {
        enabled_millis: number("enabled"),
        period_millis: number("period"),
        base_millis: number("base_at"),
        base: Default::default(),
        changes: Vec::new(),
        recorded: record["base_seq"].as_u64().unwrap_or(0),
    });
    Ok(())
}

/// A history's change: `SEQ AT BYTES` or `SEQ AT -KEY`; one already read (a compaction's overlap) is skipped.
fn apply_change(table: &mut ReplayedTable, rest: &[u8]) -> io::Result<()> {
    let Some(history) = &mut table.history else { return Ok(()) };
    let text = std::str::from_utf8(rest).map_err(|_| invalid("bad history record"))?;
    let mut parts = text.splitn(3, ' ');
    let mut number = || parts.next().and_then(|p| p.parse::<i64>().ok()).ok_or_else(|| invalid("bad history record"));
    let (seq, at) = (number()? as u64, number()?);
    let value = parts.next().ok_or_else(|| invalid("bad history record"))?;
    // `recorded`: the last change read (at first, the last one folded into the base).
    if seq <= history.recorded {
        return Ok(());
    }
    let change = match value.strip_prefix('-') {
        Some(key) => {
            let key = BASE64.decode(key).map_err(|e| invalid(format!("bad history record: {e}")))?;
            (at, PrimaryKey::from_bytes(&key), None)
        }
        None => {
            let item = decode_item(value.as_bytes())?;
            (at, item.key(), Some(item))
        }
    };
    history.changes.push((seq, change));
    history.recorded = history.recorded.max(seq);
    Ok(())
}

/// A backup's definition or one of its items.
fn apply_backup(backups: &mut ReplayedBackups, record: &Value) -> Result<(), String> {
    let arn = record["arn"].as_str().ok_or("backup record without an ARN")?.to_string();
    if record["t"] == "backup" {
        let def = serde_json::from_value::<TableDef>(record["def"].clone())
            .map_err(|e| format!("bad backup definition: {e}"))?;
        let name = record["name"].as_str().unwrap_or_default().to_string();
        let created = record["created"].as_i64().unwrap_or_default();
        backups.insert(arn, (name, created, def, BTreeMap::new()));
        return Ok(());
    }
    let (_, _, def, items) = backups.get_mut(&arn).ok_or(format!("item of unknown backup {arn}"))?;
    let item = item_from_json(&record["item"]).map_err(|e| e.message)?;
    let key = def.key_schema.key_from_item(&item).map_err(|e| e.message)?;
    items.insert(key.clone(), StoredItem::encode(&key, &item));
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
    // A record a compaction's copy already holds (its tail overlaps the snapshot).
    if shard.records.back().is_some_and(|last| last.sequence >= stream_record.sequence) {
        return Ok(());
    }
    shard.records.push_back(stream_record);
    Ok(())
}

/// A table's creation, definition change, drop, or an item put or deleted as JSON (older journals).
fn apply(namespace: &mut ReplayedNamespace, record: &Value) -> Result<(), String> {
    let name = record["table"].as_str().ok_or("record without a table")?.to_string();
    let def =
        || serde_json::from_value::<TableDef>(record["def"].clone()).map_err(|e| format!("bad table definition: {e}"));
    match record["t"].as_str() {
        Some("create") => {
            namespace.tables.insert(name.clone(), ReplayedTable { def: def()?, items: Vec::new(), history: None });
            namespace.order.retain(|n| n != &name);
            namespace.order.push(name);
        }
        Some("def") => {
            if let Some(entry) = namespace.tables.get_mut(&name) {
                entry.def = def()?;
            }
        }
        Some("drop") => {
            namespace.tables.remove(&name);
        }
        Some(kind @ ("put" | "del")) => {
            let table = namespace.tables.get_mut(&name).ok_or(format!("write into unknown table {name}"))?;
            let item = item_from_json(&record[if kind == "put" { "item" } else { "key" }]).map_err(|e| e.message)?;
            let key = table.def.key_schema.key_from_item(&item).map_err(|e| e.message)?;
            if kind == "put" {
                let stored = StoredItem::encode(&key, &item);
                table.items.push((key, Some(stored)));
            } else {
                table.items.push((key, None));
            }
        }
        other => return Err(format!("unknown journal record {other:?}")),
    }
    Ok(())
}

impl state::Journal for Journal {
    fn commit(&self, state: &State, definitions: bool) -> io::Result<()> {
        Journal::commit(self, state, definitions)
    }

    fn upkeep(&self, state: &State) -> io::Result<()> {
        Journal::upkeep(self, state)
    }

    fn wait_for_upkeep(&self, at_most: Duration) {
        Journal::wait_for_upkeep(self, at_most)
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

    /// The items of `table` in `state`: key `k` to attribute `v` (or "-").
    fn contents(state: &State, table: &str) -> Vec<(String, String)> {
        let scanned = call(state, "Scan", json!({"TableName": table}));
        let mut items: Vec<(String, String)> = scanned["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["k"]["S"].as_str().unwrap().to_string(), i["v"]["S"].as_str().unwrap_or("-").to_string()))
            .collect();
        items.sort();
        items
    }

    fn put(state: &State, table: &str, k: &str, v: &str) {
        call(state, "PutItem", json!({"TableName": table, "Item": {"k": {"S": k}, "v": {"S": v}}}));
    }

    #[test]
    fn each_namespace_survives_reopening_apart() {
        let dir = tempfile::tempdir().unwrap();
        {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            let europe = state.namespace_of("000000000000", "eu-west-1");
            let other_account = state.namespace_of("111111111111", "us-east-1");
            for (st, v) in [(&state, "home"), (&*europe, "europe"), (&*other_account, "other")] {
                create_table(st, "tbl");
                put(st, "tbl", "a", v);
            }
            create_table(&europe, "only-in-europe");
            journal.commit(&state, true).unwrap();
            call(&europe, "DeleteItem", json!({"TableName": "tbl", "Key": {"k": {"S": "a"}}}));
            put(&europe, "tbl", "b", "europe");
            journal.commit(&state, false).unwrap();
        }
        for compacted in [false, true] {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            let europe = state.namespace_of("000000000000", "eu-west-1");
            let other_account = state.namespace_of("111111111111", "us-east-1");
            assert_eq!(contents(&state, "tbl"), [("a".to_string(), "home".to_string())], "compacted: {compacted}");
            assert_eq!(contents(&europe, "tbl"), [("b".to_string(), "europe".to_string())]);
            assert_eq!(contents(&other_account, "tbl"), [("a".to_string(), "other".to_string())]);
            assert_eq!(state.table_names(), ["tbl"]);
            assert_eq!(europe.table_names(), ["only-in-europe", "tbl"]);
            journal.compact(&state).unwrap();
        }
    }

    #[test]
    fn a_journal_without_namespaces_replays_into_the_emulators_own() {
        let dir = tempfile::tempdir().unwrap();
        let source = State::default();
        create_table(&source, "old");
        let def = def_json(&source.catalog.get("old").unwrap().inner.read().def);
        let mut out = Vec::new();
        record(&mut out, json!({"t": "create", "table": "old", "def": raw(&def)}));
        record(&mut out, json!({"t": "put", "table": "old", "item": {"k": {"S": "a"}, "v": {"S": "1"}}}));
        commit_marker(&mut out, 2);
        fs::write(dir.path().join(JOURNAL_FILE), out).unwrap();
        let state =
            State { config: state::Config { region: "eu-west-1".into(), ..Default::default() }, ..Default::default() };
        drop(Journal::open(dir.path(), &state).unwrap());
        assert_eq!(contents(&state, "old"), [("a".to_string(), "1".to_string())]);
    }

    #[test]
    fn point_in_time_history_survives_reopening_and_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let pause = || std::thread::sleep(std::time::Duration::from_millis(15));
        let (before, earliest) = {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            create_table(&state, "tbl");
            put(&state, "tbl", "gone", "1");
            call(
                &state,
                "UpdateContinuousBackups",
                json!({"TableName": "tbl", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
            );
            put(&state, "tbl", "a", "1");
            journal.commit(&state, true).unwrap();
            pause();
            let before = state.clock.now_millis();
            pause();
            put(&state, "tbl", "a", "2");
            call(&state, "DeleteItem", json!({"TableName": "tbl", "Key": {"k": {"S": "gone"}}}));
            journal.commit(&state, false).unwrap();
            let described = call(&state, "DescribeContinuousBackups", json!({"TableName": "tbl"}));
            let pitr = &described["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
            (before, pitr["EarliestRestorableDateTime"].clone())
        };
        // Reopened as written, then after a compaction, then with a change made after the reopening.
        for round in 0..3 {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            state.clock.advance_millis(10 * 60 * 1000);
            let described = call(&state, "DescribeContinuousBackups", json!({"TableName": "tbl"}));
            let pitr = &described["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
            assert_eq!(pitr["EarliestRestorableDateTime"], earliest, "round {round}");
            let target = format!("back{round}");
            call(
                &state,
                "RestoreTableToPointInTime",
                json!({"SourceTableName": "tbl", "TargetTableName": target, "RestoreDateTime": before as f64 / 1000.0}),
            );
            assert_eq!(
                contents(&state, &target),
                [("a".to_string(), "1".to_string()), ("gone".to_string(), "1".to_string())]
            );
            call(&state, "DeleteTable", json!({"TableName": target}));
            match round {
                0 => journal.compact(&state).unwrap(),
                _ => {
                    put(&state, "tbl", "later", "3");
                    journal.commit(&state, true).unwrap();
                }
            }
        }
    }

    #[test]
    fn secondary_indexes_are_rebuilt_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        let s = |n: &str| json!({"AttributeName": n, "AttributeType": "S"});
        let key = |h: &str| json!([{"AttributeName": h, "KeyType": "HASH"}]);
        call(
            &state,
            "CreateTable",
            json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [s("k"), s("g")],
                "KeySchema": key("k"), "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": key("g"),
                "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
        );
        for i in 0..200 {
            // Groups of one to forty items under an index key, and items without one.
            let mut item = json!({"k": {"S": format!("k{i}")}, "v": {"S": "x".repeat(i % 7)}});
            if i % 9 != 0 {
                item["g"] = json!({"S": format!("g{}", i % (1 + i / 40))});
            }
            call(&state, "PutItem", json!({"TableName": "tbl", "Item": item}));
        }
        journal.commit(&state, true).unwrap();
        drop(journal);
        let back = reopen(dir.path());
        let shape = |st: &State| {
            let table = st.catalog.get("tbl").unwrap();
            let guard = table.inner.read();
            let index = guard.data.index("by-g").unwrap();
            let entries: Vec<(PrimaryKey, usize)> =
                index.entries.iter().map(|(k, g)| (k.clone(), format!("{g:?}").len())).collect();
            (index.item_count, index.size_bytes, entries)
        };
        assert_eq!(shape(&back), shape(&state));
        let query = json!({"TableName": "tbl", "IndexName": "by-g", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "g1"}}});
        assert_eq!(call(&back, "Query", query.clone()), call(&state, "Query", query));
    }

    #[test]
    fn writes_during_a_compaction_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let expected = {
            let state = State::default();
            let journal = Journal::open(dir.path(), &state).unwrap();
            for table in ["left", "right"] {
                create_table(&state, table);
            }
            for i in 0..3_000 {
                put(&state, "left", &format!("k{i}"), "old");
            }
            journal.commit(&state, true).unwrap();
            std::thread::scope(|scope| {
                let writer = scope.spawn(|| {
                    for i in 0..400 {
                        // Rewrites, deletes and new keys in both tables while the copy runs.
                        put(&state, "left", &format!("k{}", i * 7), "new");
                        call(
                            &state,
                            "DeleteItem",
                            json!({"TableName": "left", "Key": {"k": {"S": format!("k{}", i * 7 + 1)}}}),
                        );
                        put(&state, "right", &format!("r{i}"), "new");
                        journal.commit(&state, false).unwrap();
                    }
                });
                let mut compactions = 0;
                while !writer.is_finished() || compactions == 0 {
                    journal.compact(&state).unwrap();
                    compactions += 1;
                }
                writer.join().unwrap();
            });
            journal.commit(&state, false).unwrap();
            (contents(&state, "left"), contents(&state, "right"))
        };
        let back = reopen(dir.path());
        assert_eq!((contents(&back, "left"), contents(&back, "right")), expected);
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
            journal.upkeep(&state).unwrap();
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
    fn a_compaction_that_cannot_write_its_side_file_backs_off_while_commits_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap().compact_after(1);
        create_table(&state, "tbl");
        put(&state, "tbl", "a", "1");
        journal.commit(&state, true).unwrap();
        // A directory where the side file goes: creating it fails, as in a read-only directory.
        let side = dir.path().join(COMPACTING_FILE);
        fs::create_dir(&side).unwrap();
        let failed = journal.upkeep(&state).unwrap_err().to_string();
        assert!(failed.contains("cannot create the compaction's side file"), "{failed}");
        assert!(failed.ends_with("next attempt in 1 s"), "{failed}");
        // Commits go on; the upkeep does not try again before the back-off has passed.
        put(&state, "tbl", "b", "2");
        journal.commit(&state, false).unwrap();
        journal.upkeep(&state).unwrap();
        let started = Instant::now();
        journal.wait_for_upkeep(Duration::from_secs(5));
        assert!(started.elapsed() >= Duration::from_millis(500), "woken during the back-off");
        fs::remove_dir(&side).unwrap();
        journal.wait_for_upkeep(Duration::from_secs(5));
        journal.upkeep(&state).unwrap();
        let lines = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap().lines().count();
        assert_eq!(lines, 4, "compacted: the table, two items and the commit marker");
        drop(journal);
        assert_eq!(contents(&reopen(dir.path()), "tbl"), contents(&state, "tbl"));
    }

    /// Makes a directory immutable (`chattr +i`: even root cannot add, remove or rename its
    /// entries, while its files stay writable) until dropped; `None` where the file system or
    /// the user cannot.
    struct Immutable<'a>(&'a Path);

    impl<'a> Immutable<'a> {
        fn set(dir: &'a Path) -> Option<Immutable<'a>> {
            let done = std::process::Command::new("chattr").arg("+i").arg(dir).output();
            done.is_ok_and(|out| out.status.success()).then_some(Immutable(dir))
        }
    }

    impl Drop for Immutable<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr").arg("-i").arg(self.0).output();
        }
    }

    #[test]
    fn a_switch_refused_at_its_rename_keeps_what_it_drained_in_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::default();
        let journal = Journal::open(dir.path(), &state).unwrap();
        create_table(&state, "tbl");
        put(&state, "tbl", "a", "1");
        journal.commit(&state, true).unwrap();
        // A side file left by an earlier failure: it can be rewritten, but not renamed.
        let side = dir.path().join(COMPACTING_FILE);
        fs::write(&side, "").unwrap();
        let Some(_immutable) = Immutable::set(dir.path()) else {
            println!("skipped: chattr +i is not available here");
            return;
        };
        let at = {
            let mut inner = journal.inner.lock();
            journal.write_commit(&mut inner, &state, true).unwrap();
            (inner.len, inner.records, inner.failures)
        };
        // Written after the copy began and not yet committed: the switch drains it.
        put(&state, "tbl", "b", "2");
        let failed = journal.write_side_file(&state, &dir.path().join(JOURNAL_FILE), &side, at).unwrap_err();
        assert!(failed.to_string().starts_with("cannot rename"), "{failed}");
        // The journal took what the switch drained: later commits append as before, no rewrite.
        put(&state, "tbl", "c", "3");
        journal.commit(&state, false).unwrap();
        drop((_immutable, journal));
        let expected = [("a", "1"), ("b", "2"), ("c", "3")].map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(contents(&reopen(dir.path()), "tbl"), expected);
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
        // Flip one character inside the record of "b" (the second of three puts).
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        let b = lines.iter().enumerate().filter(|(_, l)| l[9..].starts_with("P ")).nth(1).unwrap().0;
        let last = lines[b].pop().unwrap();
        lines[b].push(if last == 'A' { 'B' } else { 'A' });
        let damaged = lines.join("\n") + "\n";
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
