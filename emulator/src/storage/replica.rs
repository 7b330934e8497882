//! A global table's replica, as its data sees it: the table's own writes
//! leave through the group's [`Outbox`] (stamped with the clock and a
//! sequence number), and writes from the other replicas come in through
//! [`ReplicaLink::apply`], where the last writer wins by stamp.
//!
//! The link hangs off `TableData::note_change`, the one place every
//! committed change passes (PutItem, UpdateItem, DeleteItem, batches,
//! transactions, PartiQL, Time to Live deletes alike); `state::replication`
//! delivers the outbox to the other replicas on the clock.

use super::stored::StoredItem;
use super::TableData;
use crate::clock::Clock;
use crate::types::PrimaryKey;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// When a write happened: the clock's milliseconds, then a sequence number
/// (one counter per group) to order writes of the same millisecond.
pub type Stamp = (i64, u64);

/// One committed change of a replica, on its way to the others.
#[derive(Clone)]
pub struct Outgoing {
    /// The region of the replica it was written in.
    pub origin: Arc<str>,
    pub key: PrimaryKey,
    /// The new item (`None`: deleted).
    pub item: Option<StoredItem>,
    pub stamp: Stamp,
}

/// The changes a global table's replicas have made and not yet delivered,
/// oldest first, shared by every replica of the group.
#[derive(Default)]
pub struct Outbox {
    queue: Mutex<VecDeque<Outgoing>>,
    sequence: AtomicU64,
    /// Changes waiting in every outbox of the emulator (shared with them):
    /// delivery looks at the outboxes only when it is not zero.
    waiting: Arc<AtomicUsize>,
}

impl Outbox {
    pub fn new(waiting: Arc<AtomicUsize>) -> Outbox {
        Outbox { waiting, ..Outbox::default() }
    }

    fn stamp(&self, clock: &Clock) -> Stamp {
        (clock.now_millis(), self.sequence.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn post(&self, changes: Vec<Outgoing>) {
        let count = changes.len();
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(changes);
        self.waiting.fetch_add(count, Ordering::Relaxed);
    }

    /// Takes the changes written at or before `written_by` (clock ms).
    pub fn take_due(&self, written_by: i64) -> Vec<Outgoing> {
        let mut queue = self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = queue.iter().take_while(|c| c.stamp.0 <= written_by).count();
        let taken: Vec<Outgoing> = queue.drain(..due).collect();
        self.waiting.fetch_sub(taken.len(), Ordering::Relaxed);
        taken
    }

    /// Drops every change still waiting (the group is gone).
    pub fn clear(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.waiting.fetch_sub(queue.len(), Ordering::Relaxed);
        queue.clear();
    }
}

/// A table's membership in a global table: where its writes go, and the
/// stamp of the last write of every key it has seen (deletes included, so
/// an older write arriving late cannot bring an item back).
pub struct ReplicaLink {
    region: Arc<str>,
    clock: Arc<Clock>,
    outbox: Arc<Outbox>,
    stamps: HashMap<PrimaryKey, Stamp>,
    /// The current write's changes, posted when the table's write lock is released.
    pending: Vec<Outgoing>,
    /// Set while a change from another replica is applied: it is not sent back.
    applying: bool,
}

impl ReplicaLink {
    pub fn new(
        region: &str,
        clock: Arc<Clock>,
        outbox: Arc<Outbox>,
        stamps: HashMap<PrimaryKey, Stamp>,
    ) -> ReplicaLink {
        ReplicaLink { region: region.into(), clock, outbox, stamps, pending: Vec::new(), applying: false }
    }

    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    /// The stamps, for a new replica backfilled from this one.
    pub fn stamps(&self) -> &HashMap<PrimaryKey, Stamp> {
        &self.stamps
    }

    /// Notes a committed change of this table (see `TableData::note_change`).
    pub(super) fn note(&mut self, key: &PrimaryKey, item: Option<&StoredItem>) {
        if self.applying {
            return;
        }
        let stamp = self.outbox.stamp(&self.clock);
        self.stamps.insert(key.clone(), stamp);
        self.pending.push(Outgoing { origin: Arc::clone(&self.region), key: key.clone(), item: item.cloned(), stamp });
    }

    /// Posts the current write's changes (called as the write lock is released).
    pub(super) fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.outbox.post(std::mem::take(&mut self.pending));
        }
    }
}

/// A table's [`ReplicaLink`], if it is a replica. A copy of a table's data
/// (a snapshot, a backup) is no replica.
#[derive(Default)]
pub struct ReplicaSlot(pub Option<ReplicaLink>);

impl Clone for ReplicaSlot {
    fn clone(&self) -> ReplicaSlot {
        ReplicaSlot(None)
    }
}

impl std::fmt::Debug for ReplicaSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "ReplicaSlot(linked)" } else { "ReplicaSlot(none)" })
    }
}

impl TableData {
    /// Applies a change another replica made, unless this table has seen a
    /// later write of that key (last writer wins). Indexes, the stream and
    /// the history follow as for any write; the change is not sent on.
    pub fn apply_replicated(&mut self, change: &Outgoing) -> bool {
        let Some(link) = self.replica.0.as_mut() else { return false };
        if link.stamps.get(&change.key).is_some_and(|seen| *seen >= change.stamp) {
            return false;
        }
        link.stamps.insert(change.key.clone(), change.stamp);
        link.applying = true;
        match &change.item {
            Some(item) => {
                self.put(change.key.clone(), item.decode());
            }
            None => {
                self.remove(&change.key);
            }
        }
        if let Some(link) = self.replica.0.as_mut() {
            link.applying = false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Table, TableDef};
    use crate::types::AttributeValue;

    fn def() -> TableDef {
        use crate::types::{KeyAttribute, KeySchema, ScalarType};
        TableDef::for_tests("t", KeySchema::simple(KeyAttribute { name: "pk".into(), kind: ScalarType::S }, None))
    }

    fn table(region: &str, outbox: &Arc<Outbox>, clock: &Arc<Clock>) -> Table {
        let table = Table::new(def());
        let link = ReplicaLink::new(region, Arc::clone(clock), Arc::clone(outbox), HashMap::new());
        table.inner.write().data.replica.0 = Some(link);
        table
    }

    fn item(pk: &str, v: &str) -> (PrimaryKey, crate::types::Item) {
        let mut item = crate::types::Item::new();
        item.insert("pk".into(), AttributeValue::S(pk.into()));
        item.insert("v".into(), AttributeValue::S(v.into()));
        (def().key_schema.key_from_item(&item).unwrap(), item)
    }

    #[test]
    fn every_write_is_posted_when_the_lock_is_released_and_expiry_counts() {
        let (clock, outbox) = (Arc::new(Clock::default()), Arc::new(Outbox::default()));
        let east = table("us-east-1", &outbox, &clock);
        let (key, value) = item("a", "1");
        {
            let mut guard = east.inner.write();
            guard.data.put(key.clone(), value);
            guard.data.remove_expired(&key);
            assert!(outbox.take_due(i64::MAX).is_empty(), "nothing leaves before the lock is released");
        }
        let posted = outbox.take_due(i64::MAX);
        assert_eq!(posted.len(), 2);
        assert!(posted[0].item.is_some() && posted[1].item.is_none());
        assert!(posted[0].stamp < posted[1].stamp);
    }

    #[test]
    fn the_last_writer_wins_and_applied_changes_are_not_sent_back() {
        let (clock, outbox) = (Arc::new(Clock::default()), Arc::new(Outbox::default()));
        let (east, west) = (table("us-east-1", &outbox, &clock), table("us-west-2", &outbox, &clock));
        let (key, older) = item("a", "east");
        east.inner.write().data.put(key.clone(), older);
        let from_east = outbox.take_due(i64::MAX).remove(0);
        let (_, newer) = item("a", "west");
        west.inner.write().data.put(key.clone(), newer);
        let from_west = outbox.take_due(i64::MAX).remove(0);

        assert!(!west.inner.write().data.apply_replicated(&from_east), "older than the west's own write");
        assert!(east.inner.write().data.apply_replicated(&from_west));
        for side in [&east, &west] {
            let v = side.inner.read().data.get(&key).unwrap()["v"].clone();
            assert_eq!(v, AttributeValue::S("west".into()));
        }
        assert!(outbox.take_due(i64::MAX).is_empty(), "a replicated write is not replicated again");
    }
}
