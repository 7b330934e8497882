//! DynamoDB Streams: each table's change feed, kept as shards of records.
//!
//! Every committed change to an item goes through `TableData::put_over` /
//! `remove_over`, which note it (`TableData::note_change`): the journal gets
//! the key, an attached stream a [`Change`] holding the table's own stored
//! items as images (reference-counted: a record costs no copy of the item).
//! Changes wait in the table's data until its write lock is released
//! (`storage::TableWriteGuard`), then are published together, so a reader
//! never sees half of a transaction's or a batch's records in a stream.
//!
//! Time is the emulator's clock: a shard is closed and succeeded by a child
//! every [`Streams::shard_period_millis`] (DynamoDB: about four hours),
//! records older than 24 hours are trimmed, and (in `ops::streams`) an
//! iterator expires 15 minutes after it was handed out.

use super::stored::StoredItem;
use crate::clock::Clock;
use crate::types::codec::{json, write_item_json};
use crate::types::{item_size, KeySchema, PrimaryKey};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// How long DynamoDB keeps stream records.
pub const RETENTION_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// How often DynamoDB starts a new shard, roughly.
pub const DEFAULT_SHARD_PERIOD_MILLIS: i64 = 4 * 60 * 60 * 1000;

/// What a stream's records carry besides the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StreamViewType {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

impl StreamViewType {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamViewType::KeysOnly => "KEYS_ONLY",
            StreamViewType::NewImage => "NEW_IMAGE",
            StreamViewType::OldImage => "OLD_IMAGE",
            StreamViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    pub fn keeps_new(self) -> bool {
        matches!(self, StreamViewType::NewImage | StreamViewType::NewAndOldImages)
    }

    pub fn keeps_old(self) -> bool {
        matches!(self, StreamViewType::OldImage | StreamViewType::NewAndOldImages)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventName {
    Insert,
    Modify,
    Remove,
}

impl EventName {
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::Insert => "INSERT",
            EventName::Modify => "MODIFY",
            EventName::Remove => "REMOVE",
        }
    }
}

/// One item change, as a table write made it, waiting to be published.
#[derive(Clone, Debug)]
pub struct Change {
    pub key: PrimaryKey,
    pub old: Option<StoredItem>,
    pub new: Option<StoredItem>,
    /// Deleted by Time to Live (the record names the service as its author).
    pub by_ttl: bool,
}

impl Change {
    pub fn event(&self) -> EventName {
        match (&self.old, &self.new) {
            (None, _) => EventName::Insert,
            (Some(_), Some(_)) => EventName::Modify,
            (Some(_), None) => EventName::Remove,
        }
    }
}

/// A published record.
#[derive(Clone, Debug)]
pub struct StreamRecord {
    pub sequence: u64,
    pub created_ms: i64,
    pub event: EventName,
    pub event_id: u128,
    pub key: PrimaryKey,
    /// Only the images the stream's view type keeps.
    pub old: Option<StoredItem>,
    pub new: Option<StoredItem>,
    pub by_ttl: bool,
}

/// A shard: records in sequence order, open until its period ends (or the
/// stream is disabled), then closed with a child that continues it.
#[derive(Clone, Debug)]
pub struct Shard {
    pub id: String,
    pub parent: Option<String>,
    pub created_ms: i64,
    pub starting_sequence: u64,
    /// Set when the shard is closed: its last sequence number.
    pub ending_sequence: Option<u64>,
    pub records: VecDeque<StreamRecord>,
    /// Records before this sequence number were trimmed.
    pub trimmed_before: u64,
}

/// A stream's state, read and written under its lock.
#[derive(Clone, Debug)]
pub struct StreamLog {
    pub arn: String,
    pub label: String,
    pub table: String,
    pub key_schema: KeySchema,
    pub view_type: StreamViewType,
    pub created_ms: i64,
    /// When the stream was disabled (its table's stream turned off or the table deleted).
    pub disabled_ms: Option<i64>,
    pub shards: Vec<Shard>,
    /// Bumped whenever the shards or the status change (the journal rewrites the header then).
    pub version: u64,
}

/// One stream: its log, and what it shares with the other streams (the
/// clock, sequence numbers, the shard period).
pub struct Stream {
    log: Mutex<StreamLog>,
    clock: Arc<Clock>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Sequence numbers increase across every stream of the emulator (as on DynamoDB Local).
    sequence: AtomicU64,
    shard_period_millis: AtomicI64,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared { sequence: AtomicU64::new(0), shard_period_millis: AtomicI64::new(DEFAULT_SHARD_PERIOD_MILLIS) }
    }
}

impl Stream {
    pub fn arn(&self) -> String {
        self.log.lock().arn.clone()
    }

    /// The log as it is now, trimmed to the retention period.
    pub fn read(&self) -> parking_lot::MutexGuard<'_, StreamLog> {
        let mut log = self.log.lock();
        log.trim(self.clock.now_millis());
        log
    }

    /// The sequence number the next record of any stream will get.
    pub fn next_sequence(&self) -> u64 {
        self.shared.sequence.load(Ordering::Relaxed) + 1
    }

    /// Appends changes as records, in order, with the clock's time.
    pub fn publish(&self, changes: Vec<Change>) {
        let now = self.clock.now_millis();
        let mut log = self.log.lock();
        if log.disabled_ms.is_some() {
            return;
        }
        log.trim(now);
        log.roll_over(now, self.shared.shard_period_millis.load(Ordering::Relaxed), self.next_sequence());
        let view = log.view_type;
        let shard = log.shards.last_mut().expect("an enabled stream has an open shard");
        for change in changes {
            let sequence = self.shared.sequence.fetch_add(1, Ordering::Relaxed) + 1;
            shard.records.push_back(StreamRecord {
                sequence,
                created_ms: now,
                event: change.event(),
                event_id: fastrand::u128(..),
                key: change.key,
                old: change.old.filter(|_| view.keeps_old()),
                new: change.new.filter(|_| view.keeps_new()),
                by_ttl: change.by_ttl,
            });
        }
    }

    /// Stops the stream: its open shard is closed; the records stay readable
    /// until they are trimmed.
    pub fn disable(&self) {
        let now = self.clock.now_millis();
        let mut log = self.log.lock();
        if log.disabled_ms.is_none() {
            log.disabled_ms = Some(now);
            log.version += 1;
            let last = self.shared.sequence.load(Ordering::Relaxed);
            if let Some(shard) = log.shards.last_mut() {
                shard.close(last);
            }
        }
    }
}

impl Shard {
    /// The records from sequence number `from` on (records are in sequence order).
    pub fn records_from(&self, from: u64) -> impl Iterator<Item = &StreamRecord> {
        self.records.range(self.records.partition_point(|r| r.sequence < from)..)
    }

    fn new(created_ms: i64, parent: Option<String>, starting_sequence: u64) -> Shard {
        Shard {
            id: format!("shardId-{created_ms:020}-{:08x}", fastrand::u32(..)),
            parent,
            created_ms,
            starting_sequence,
            ending_sequence: None,
            records: VecDeque::new(),
            trimmed_before: starting_sequence,
        }
    }

    /// Closes the shard after its last record (or, empty, at `last_sequence`).
    fn close(&mut self, last_sequence: u64) {
        if self.ending_sequence.is_none() {
            let end = self.records.back().map_or(last_sequence.max(self.starting_sequence), |r| r.sequence);
            self.ending_sequence = Some(end);
        }
    }
}

impl StreamLog {
    /// Closes the open shard once its period is over and opens its child.
    fn roll_over(&mut self, now: i64, period: i64, next_sequence: u64) {
        let Some(open) = self.shards.last_mut() else { return };
        if open.ending_sequence.is_some() || period <= 0 || now < open.created_ms + period {
            return;
        }
        open.close(next_sequence - 1);
        let parent = Some(open.id.clone());
        self.shards.push(Shard::new(now, parent, next_sequence));
        self.version += 1;
    }

    /// Drops records past retention, and closed shards left with none.
    fn trim(&mut self, now: i64) {
        let horizon = now - RETENTION_MILLIS;
        for shard in &mut self.shards {
            while shard.records.front().is_some_and(|r| r.created_ms < horizon) {
                if let Some(record) = shard.records.pop_front() {
                    shard.trimmed_before = record.sequence + 1;
                }
            }
        }
        let keep_from = self
            .shards
            .iter()
            .position(|s| s.ending_sequence.is_none() || !s.records.is_empty() || s.created_ms >= horizon)
            .unwrap_or(self.shards.len());
        self.shards.drain(..keep_from);
    }

    /// The stream's status as DescribeStream reports it.
    pub fn status(&self) -> &'static str {
        if self.disabled_ms.is_some() {
            "DISABLED"
        } else {
            "ENABLED"
        }
    }

    pub fn shard(&self, id: &str) -> Option<&Shard> {
        self.shards.iter().find(|s| s.id == id)
    }

    /// A record as GetRecords answers it, or as a Lambda trigger receives
    /// it, written straight to `out` (images from the stored bytes).
    pub fn write_record(&self, out: &mut Vec<u8>, record: &StreamRecord, region: &str, form: RecordForm) {
        use std::io::Write;
        let keys = self.key_schema.key_item(&record.key);
        let size = item_size(&keys)
            + record.new.as_ref().map_or(0, StoredItem::size)
            + record.old.as_ref().map_or(0, StoredItem::size);
        let id = uuid::Builder::from_random_bytes(record.event_id.to_le_bytes()).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let _ = write!(
            out,
            r#"{{"eventID":"{}","eventName":"{}","#,
            id.hyphenated().encode_lower(&mut text),
            record.event.as_str()
        );
        out.extend_from_slice(br#""eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"#);
        json::write_str(out, region);
        // DynamoDB rounds the creation time down to the second.
        let _ = write!(
            out,
            r#","dynamodb":{{"ApproximateCreationDateTime":{},"Keys":"#,
            record.created_ms.div_euclid(1000)
        );
        write_item_json(out, &keys);
        if let Some(new) = &record.new {
            out.extend_from_slice(br#","NewImage":"#);
            new.write_json(out);
        }
        if let Some(old) = &record.old {
            out.extend_from_slice(br#","OldImage":"#);
            old.write_json(out);
        }
        let _ = write!(
            out,
            r#","SequenceNumber":"{}","SizeBytes":{size},"StreamViewType":"{}"}}"#,
            sequence_text(record.sequence),
            self.view_type.as_str()
        );
        if record.by_ttl {
            // The Streams API spells the identity's members in Pascal case, a Lambda event in camel case.
            out.extend_from_slice(match form {
                RecordForm::Api => br#","userIdentity":{"Type":"Service","PrincipalId":"dynamodb.amazonaws.com"}"#,
                RecordForm::LambdaEvent => {
                    br#","userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}"#
                }
            });
        }
        if form == RecordForm::LambdaEvent {
            out.extend_from_slice(br#","eventSourceARN":"#);
            json::write_str(out, &self.arn);
        }
        out.push(b'}');
    }

    /// [`StreamLog::write_record`] as a `serde_json::Value` (the harness's records).
    pub fn record_json(&self, record: &StreamRecord, region: &str, form: RecordForm) -> Value {
        let mut out = Vec::new();
        self.write_record(&mut out, record, region, form);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }
}

/// A stream's log without its records, as the durable journal keeps it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StreamHeader {
    pub arn: String,
    pub label: String,
    pub table: String,
    pub key_schema: KeySchema,
    pub view_type: StreamViewType,
    pub created_ms: i64,
    pub disabled_ms: Option<i64>,
    pub shards: Vec<ShardHeader>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ShardHeader {
    pub id: String,
    pub parent: Option<String>,
    pub created_ms: i64,
    pub starting_sequence: u64,
    pub ending_sequence: Option<u64>,
    pub trimmed_before: u64,
}

impl StreamLog {
    pub fn header(&self) -> StreamHeader {
        StreamHeader {
            arn: self.arn.clone(),
            label: self.label.clone(),
            table: self.table.clone(),
            key_schema: self.key_schema.clone(),
            view_type: self.view_type,
            created_ms: self.created_ms,
            disabled_ms: self.disabled_ms,
            shards: self
                .shards
                .iter()
                .map(|s| ShardHeader {
                    id: s.id.clone(),
                    parent: s.parent.clone(),
                    created_ms: s.created_ms,
                    starting_sequence: s.starting_sequence,
                    ending_sequence: s.ending_sequence,
                    trimmed_before: s.trimmed_before,
                })
                .collect(),
        }
    }

    /// A log from a header, keeping the records of `previous`'s shards that the header still has.
    pub fn from_header(header: StreamHeader, previous: Option<StreamLog>) -> StreamLog {
        let mut kept: Vec<Shard> = previous.map(|p| p.shards).unwrap_or_default();
        let shards = header
            .shards
            .into_iter()
            .map(|h| {
                let records = kept.iter_mut().find(|s| s.id == h.id).map(|s| std::mem::take(&mut s.records));
                Shard {
                    id: h.id,
                    parent: h.parent,
                    created_ms: h.created_ms,
                    starting_sequence: h.starting_sequence,
                    ending_sequence: h.ending_sequence,
                    records: records.unwrap_or_default(),
                    trimmed_before: h.trimmed_before,
                }
            })
            .collect();
        StreamLog {
            arn: header.arn,
            label: header.label,
            table: header.table,
            key_schema: header.key_schema,
            view_type: header.view_type,
            created_ms: header.created_ms,
            disabled_ms: header.disabled_ms,
            shards,
            version: 1,
        }
    }
}

/// What the journal has not yet recorded of a stream.
pub struct StreamChanges {
    pub version: u64,
    /// The header, when the log's version is not the one already recorded.
    pub header: Option<StreamHeader>,
    pub key_schema: KeySchema,
    /// The records after the last one recorded, with their shard's id.
    pub records: Vec<(String, StreamRecord)>,
}

impl Stream {
    /// The records after sequence number `after` and, unless `known_version`
    /// is the log's version, its header (the journal's increment).
    pub fn changes_since(&self, after: u64, known_version: Option<u64>) -> StreamChanges {
        let log = self.log.lock();
        let records =
            log.shards.iter().flat_map(|s| s.records_from(after + 1).map(|r| (s.id.clone(), r.clone()))).collect();
        StreamChanges {
            version: log.version,
            header: (known_version != Some(log.version)).then(|| log.header()),
            key_schema: log.key_schema.clone(),
            records,
        }
    }
}

/// How a record is written: as the Streams API answers it, or as a Lambda
/// event source mapping hands it to a function (`eventSourceARN`, and the
/// TTL identity's members in camel case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordForm {
    Api,
    LambdaEvent,
}

/// A sequence number as the API writes it: 21 digits.
pub fn sequence_text(sequence: u64) -> String {
    format!("{sequence:021}")
}

/// Every stream of the emulator, enabled or not, in creation order.
#[derive(Default)]
pub struct Streams {
    streams: Mutex<Vec<Arc<Stream>>>,
    shared: Arc<Shared>,
}

impl Streams {
    /// A new, enabled stream for `table`, with an open shard.
    pub fn create(
        &self,
        clock: &Arc<Clock>,
        table: &str,
        table_arn: &str,
        key_schema: &KeySchema,
        view_type: StreamViewType,
    ) -> Arc<Stream> {
        let now = clock.now_millis();
        let mut streams = self.streams.lock();
        // A label names the stream: two in the same millisecond would share an ARN.
        let label = unique_label(&streams, table, clock.stream_label(now as f64 / 1000.0));
        let log = StreamLog {
            arn: format!("{table_arn}/stream/{label}"),
            label,
            table: table.to_string(),
            key_schema: key_schema.clone(),
            view_type,
            created_ms: now,
            disabled_ms: None,
            shards: vec![Shard::new(now, None, self.shared.sequence.load(Ordering::Relaxed) + 1)],
            version: 1,
        };
        let stream =
            Arc::new(Stream { log: Mutex::new(log), clock: Arc::clone(clock), shared: Arc::clone(&self.shared) });
        streams.push(Arc::clone(&stream));
        stream
    }

    /// The sequence number of the newest record of any stream (0: none yet).
    pub fn latest_sequence(&self) -> u64 {
        self.shared.sequence.load(Ordering::Relaxed)
    }

    /// How often shards roll over (default four hours; `<= 0`: never).
    pub fn set_shard_period_millis(&self, millis: i64) {
        self.shared.shard_period_millis.store(millis, Ordering::Relaxed);
    }

    /// The stream with this ARN, if it is still kept (not past retention since it was disabled).
    pub fn get(&self, arn: &str, now: i64) -> Option<Arc<Stream>> {
        self.prune(now);
        self.streams.lock().iter().find(|s| s.log.lock().arn == arn).cloned()
    }

    /// Every kept stream, newest first (ListStreams' order).
    pub fn all(&self, now: i64) -> Vec<Arc<Stream>> {
        self.prune(now);
        self.streams.lock().iter().rev().cloned().collect()
    }

    /// How many records the kept streams hold.
    pub fn record_count(&self, now: i64) -> u64 {
        self.all(now).iter().map(|s| s.read().shards.iter().map(|sh| sh.records.len() as u64).sum::<u64>()).sum()
    }

    /// Forgets streams disabled longer ago than the retention period.
    fn prune(&self, now: i64) {
        let horizon = now - RETENTION_MILLIS;
        self.streams.lock().retain(|s| s.log.lock().disabled_ms.is_none_or(|at| at >= horizon));
    }

    /// Replaces every stream with `logs` (durable mode's replay); sequence
    /// numbers go on after the highest one seen.
    pub fn restore(&self, clock: &Arc<Clock>, logs: Vec<StreamLog>) {
        let highest = logs
            .iter()
            .flat_map(|l| &l.shards)
            .map(|s| {
                s.records
                    .back()
                    .map_or(s.starting_sequence.saturating_sub(1), |r| r.sequence)
                    .max(s.ending_sequence.unwrap_or(0))
            })
            .max()
            .unwrap_or(0);
        self.shared.sequence.fetch_max(highest, Ordering::Relaxed);
        let mut streams = self.streams.lock();
        streams.clear();
        streams.extend(logs.into_iter().map(|log| {
            Arc::new(Stream { log: Mutex::new(log), clock: Arc::clone(clock), shared: Arc::clone(&self.shared) })
        }));
    }
}

fn unique_label(streams: &[Arc<Stream>], table: &str, label: String) -> String {
    let taken = |l: &str| {
        streams.iter().any(|s| {
            let log = s.log.lock();
            log.table == table && log.label == l
        })
    };
    if !taken(&label) {
        return label;
    }
    // Same millisecond: step the label's milliseconds on (they stay ordered).
    let mut millis: i64 = label.rsplit('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let stem = label.rsplit_once('.').map_or(label.as_str(), |(s, _)| s).to_string();
    loop {
        millis += 1;
        let next = format!("{stem}.{:03}", millis % 1000);
        if !taken(&next) {
            return next;
        }
    }
}

/// A table's attachment to its enabled stream: the changes of the current
/// write, published when the table's write lock is released. A copy of a
/// table's data (a snapshot) is not attached to any stream.
#[derive(Default)]
pub struct StreamSink(Option<Sink>);

struct Sink {
    stream: Arc<Stream>,
    pending: Vec<Change>,
}

impl Clone for StreamSink {
    fn clone(&self) -> StreamSink {
        StreamSink(None)
    }
}

impl StreamSink {
    pub fn attach(stream: Arc<Stream>) -> StreamSink {
        StreamSink(Some(Sink { stream, pending: Vec::new() }))
    }

    pub fn is_attached(&self) -> bool {
        self.0.is_some()
    }

    pub fn stream(&self) -> Option<&Arc<Stream>> {
        self.0.as_ref().map(|s| &s.stream)
    }

    pub fn push(&mut self, change: Change) {
        if let Some(sink) = &mut self.0 {
            sink.pending.push(change);
        }
    }

    /// Publishes the pending changes (called as the table's write lock is released).
    pub fn flush(&mut self) {
        if let Some(sink) = &mut self.0 {
            if !sink.pending.is_empty() {
                sink.stream.publish(std::mem::take(&mut sink.pending));
            }
        }
    }
}

impl std::fmt::Debug for StreamSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "StreamSink(attached)" } else { "StreamSink(none)" })
    }
}
