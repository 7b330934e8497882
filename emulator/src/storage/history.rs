//! A table's change history while point-in-time recovery is on: what
//! RestoreTableToPointInTime restores from.
//!
//! The history is the table's items as they were at one instant (`base`,
//! sharing the table's map until the table's next write copies it, and the
//! items' allocations always, so it costs at most the map, not the items) and
//! every change since, in order, each stamped with the emulator's clock.
//! The items at any time from `base_millis` on are the base with the changes
//! up to that time applied. Changes older than the recovery period are
//! folded into the base as writes arrive, so the history holds at most the
//! period's changes.
//!
//! A copy of a table's data (a backup, a snapshot, a fork) carries no
//! history: like a stream, a table's history starts again where its data is
//! put back (`State::attach_histories`).

use super::shared::Shared;
use super::stored::StoredItem;
use crate::clock::Clock;
use crate::types::PrimaryKey;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// One change: when, which item, and its new version (`None`: deleted).
type Change = (i64, PrimaryKey, Option<StoredItem>);

pub struct History {
    clock: Arc<Clock>,
    /// When recovery was turned on (clock milliseconds).
    pub enabled_millis: i64,
    /// How far back restores may go.
    period_millis: i64,
    /// Shared with the table's items when the history starts (copied at the table's next write).
    base: Shared<BTreeMap<PrimaryKey, StoredItem>>,
    /// The instant `base` shows.
    base_millis: i64,
    changes: VecDeque<Change>,
    /// Unique to this history in the process: the durable journal tells a new history from the one it wrote.
    pub id: u64,
    /// How many changes were ever recorded (the last change's sequence number, for the journal).
    recorded: u64,
}

impl History {
    /// The history of a table holding `items` now, kept for `period_days`.
    pub fn start(clock: Arc<Clock>, items: &Shared<BTreeMap<PrimaryKey, StoredItem>>, period_days: u32) -> History {
        let now = clock.now_millis();
        History {
            clock,
            enabled_millis: now,
            period_millis: i64::from(period_days) * 24 * 60 * 60 * 1000,
            base: items.clone(),
            base_millis: now,
            changes: VecDeque::new(),
            id: next_id(),
            recorded: 0,
        }
    }

    /// A new recovery period; changes older than it are folded away at the next write.
    pub fn set_period_days(&mut self, days: u32) {
        self.period_millis = i64::from(days) * 24 * 60 * 60 * 1000;
    }

    /// Notes that the item under `key` became `new` (or was deleted) now.
    pub fn record(&mut self, key: PrimaryKey, new: Option<StoredItem>) {
        let now = self.clock.now_millis();
        self.recorded += 1;
        self.changes.push_back((now, key, new));
        self.forget_before(now - self.period_millis);
    }

    /// Folds the changes made before `horizon` into the base.
    fn forget_before(&mut self, horizon: i64) {
        while self.changes.front().is_some_and(|(at, _, _)| *at < horizon) {
            let Some((at, key, new)) = self.changes.pop_front() else { break };
            apply(self.base.make_mut(), key, new);
            self.base_millis = at;
        }
    }

    /// The earliest instant a restore may ask for: recovery's start, or the
    /// start of the recovery period.
    pub fn earliest_millis(&self) -> i64 {
        self.base_millis.max(self.clock.now_millis() - self.period_millis).max(self.enabled_millis)
    }

    /// The table's items as they were at `millis` (at or after
    /// [`History::earliest_millis`]), every change made at that millisecond included.
    pub fn items_at(&self, millis: i64) -> BTreeMap<PrimaryKey, StoredItem> {
        let mut items = BTreeMap::clone(&self.base);
        for (at, key, new) in &self.changes {
            if *at > millis {
                break;
            }
            apply(&mut items, key.clone(), new.clone());
        }
        items
    }
}

/// One item's net change over a window of the history.
pub struct WindowChange {
    /// When it was last written in the window (clock milliseconds).
    pub at_millis: i64,
    /// The item before the window (`None`: there was none).
    pub old: Option<StoredItem>,
    /// The item after its last change in the window (`None`: deleted).
    pub new: Option<StoredItem>,
}

impl History {
    /// Every item changed at or after `from` and before `to`, with its
    /// versions before and after: an incremental export's content.
    pub fn changes_between(&self, from: i64, to: i64) -> BTreeMap<PrimaryKey, WindowChange> {
        let before = self.items_at(from - 1);
        let mut changed: BTreeMap<PrimaryKey, WindowChange> = BTreeMap::new();
        for (at, key, new) in self.changes.iter().filter(|(at, _, _)| (from..to).contains(at)) {
            let change = changed.entry(key.clone()).or_insert_with(|| WindowChange {
                at_millis: *at,
                old: before.get(key).cloned(),
                new: None,
            });
            change.at_millis = *at;
            change.new = new.clone();
        }
        changed
    }
}

fn apply(items: &mut BTreeMap<PrimaryKey, StoredItem>, key: PrimaryKey, new: Option<StoredItem>) {
    match new {
        Some(item) => {
            items.insert(key, item);
        }
        None => {
            items.remove(&key);
        }
    }
}

fn next_id() -> u64 {
    static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A history as the durable journal writes it and reads it back (`crate::durable`):
/// the base, then every change kept with its sequence number.
pub struct SavedHistory {
    pub enabled_millis: i64,
    pub period_millis: i64,
    pub base_millis: i64,
    pub base: Shared<BTreeMap<PrimaryKey, StoredItem>>,
    pub changes: Vec<(u64, Change)>,
    /// The last change's sequence number (it may have been folded into the base).
    pub recorded: u64,
}

impl History {
    /// Everything the journal needs to rebuild this history (the base is shared, not copied).
    pub fn saved(&self) -> SavedHistory {
        SavedHistory {
            enabled_millis: self.enabled_millis,
            period_millis: self.period_millis,
            base_millis: self.base_millis,
            base: self.base.clone(),
            changes: self.changes_since(self.recorded - self.changes.len() as u64).unwrap_or_default(),
            recorded: self.recorded,
        }
    }

    /// How many changes were ever recorded.
    pub fn recorded(&self) -> u64 {
        self.recorded
    }

    /// The changes recorded after the first `recorded`, with their sequence
    /// numbers; `None` if some of them were already folded into the base.
    pub fn changes_since(&self, recorded: u64) -> Option<Vec<(u64, Change)>> {
        let first = self.recorded + 1 - self.changes.len() as u64;
        if recorded + 1 < first || recorded > self.recorded {
            return None;
        }
        let skip = (recorded + 1 - first) as usize;
        Some(self.changes.iter().enumerate().skip(skip).map(|(i, c)| (first + i as u64, c.clone())).collect())
    }

    /// A history read back from the journal, going on from its last sequence number.
    pub fn restored(clock: Arc<Clock>, saved: SavedHistory) -> History {
        let recorded = saved.changes.last().map_or(saved.recorded, |(seq, _)| *seq).max(saved.recorded);
        History {
            clock,
            enabled_millis: saved.enabled_millis,
            period_millis: saved.period_millis,
            base: saved.base,
            base_millis: saved.base_millis,
            changes: saved.changes.into_iter().map(|(_, c)| c).collect(),
            id: next_id(),
            recorded,
        }
    }
}

/// A table's history, if recovery is on. A copy of the data has none.
#[derive(Default)]
pub struct HistorySlot(pub Option<Box<History>>);

impl Clone for HistorySlot {
    fn clone(&self) -> HistorySlot {
        HistorySlot(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{AttributeValue, Item, KeyValue};
    use proptest::prelude::*;

    fn key(k: u8) -> PrimaryKey {
        PrimaryKey::new(KeyValue::S(format!("k{k}")), None)
    }

    fn item(k: u8, v: u32) -> StoredItem {
        let mut item = Item::new();
        item.insert("pk".into(), AttributeValue::S(format!("k{k}")));
        item.insert("v".into(), AttributeValue::N(crate::types::Number::parse(&v.to_string()).unwrap()));
        StoredItem::encode(&key(k), &item)
    }

    fn decoded(items: &BTreeMap<PrimaryKey, StoredItem>) -> Vec<(PrimaryKey, Item)> {
        items.iter().map(|(k, v)| (k.clone(), v.decode())).collect()
    }

    proptest! {
        /// After any sequence of writes and deletes spread over time, the
        /// items at any instant of the recovery period are exactly the items
        /// the table held then (a snapshot taken at that instant).
        #[test]
        fn items_at_any_instant_match_a_snapshot_taken_then(
            ops in proptest::collection::vec((0..8u8, proptest::option::of(0..100u32), 0..3_000i64), 1..80),
            period_days in 1..3u32,
        ) {
            let clock = Arc::new(Clock::default());
            let mut table: BTreeMap<PrimaryKey, StoredItem> = BTreeMap::new();
            table.insert(key(0), item(0, 0));
            let mut history = History::start(Arc::clone(&clock), &Shared::new(table.clone()), period_days);
            // The table at each instant: the last snapshot taken then.
            let mut snapshots = BTreeMap::from([(clock.now_millis(), table.clone())]);
            for (k, value, wait) in ops {
                // Waits up to two days at a time, so old changes fold into the base.
                clock.advance_millis(wait * 60_000);
                let new = value.map(|v| item(k, v));
                apply(&mut table, key(k), new.clone());
                history.record(key(k), new);
                snapshots.insert(clock.now_millis(), table.clone());
            }
            let earliest = history.earliest_millis();
            for (at, items) in snapshots.range(earliest..) {
                prop_assert_eq!(decoded(&history.items_at(*at)), decoded(items));
            }
            // Between two snapshots the table is as at the first.
            if let Some((at, items)) = snapshots.range(earliest..).next() {
                prop_assert_eq!(decoded(&history.items_at(at + 1)), decoded(snapshots.range(..=at + 1).next_back().map_or(items, |(_, i)| i)));
            }
            // A window's changes lead from the items at its start to the items at its end.
            if let (Some(from), Some(to)) = (snapshots.range(earliest..).next().map(|(at, _)| at + 1), snapshots.keys().next_back().map(|at| at + 1)) {
                let mut items = history.items_at(from - 1);
                for (key, change) in history.changes_between(from, to) {
                    prop_assert_eq!(change.old.map(|o| o.decode()), items.get(&key).map(StoredItem::decode));
                    apply(&mut items, key, change.new);
                }
                prop_assert_eq!(decoded(&items), decoded(&history.items_at(to - 1)));
            }
            prop_assert!(history.changes.iter().all(|(at, _, _)| *at >= clock.now_millis() - history.period_millis));
        }
    }
}
