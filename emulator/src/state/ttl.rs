//! Time to Live: deleting items whose TTL attribute has passed, on the
//! emulator's clock.
//!
//! As DynamoDB documents it: only a top-level Number in epoch seconds counts;
//! any other type, a missing attribute, or a time more than five years in the
//! past never expires. Until a sweep deletes them, expired items are still
//! read and written like any other. A deletion is a REMOVE stream record
//! authored by the service, updates indexes and counts, and is charged to no
//! caller. Sweeps run when asked (`State::sweep_expired`): the server on a
//! timer, the protocol layer whenever the clock has been moved, the harness
//! and the admin API on demand. (Tested through the SDK: `tests/sdk/ttl.rs`.)

use super::State;
use crate::types::{AttributeValue, Number, PrimaryKey};
use std::sync::atomic::Ordering;

/// DynamoDB ignores expiration times further in the past than this.
const IGNORED_AFTER_SECONDS: i64 = 5 * 365 * 24 * 60 * 60;

impl State {
    /// Deletes every item whose Time to Live has passed; returns how many.
    pub fn sweep_expired(&self) -> usize {
        // Every namespace expires its items on the one clock.
        let others: usize = self.other_namespaces().iter().map(|other| other.sweep_expired()).sum();
        others + self.sweep_own()
    }

    fn sweep_own(&self) -> usize {
        let now_ms = self.clock.now_millis();
        self.ttl_swept_offset.store(self.clock.offset_millis(), Ordering::Relaxed);
        let (now, oldest) = (seconds(now_ms), seconds(now_ms - IGNORED_AFTER_SECONDS * 1000));
        let mut deleted = 0;
        for name in self.catalog.names() {
            let Some(table) = self.table(&name) else { continue };
            let expired: Vec<PrimaryKey> = {
                let guard = table.inner.read();
                // Items expire once TTL is ENABLED (not while ENABLING).
                let Some(attribute) = guard.def.ttl_active(now_ms).map(str::to_string) else { continue };
                guard
                    .data
                    .items
                    .iter()
                    .filter(|(_, stored)| is_expired(stored.decode().get(&attribute), &now, &oldest))
                    .map(|(key, _)| key.clone())
                    .collect()
            };
            if expired.is_empty() {
                continue;
            }
            let mut guard = table.inner.write();
            let Some(attribute) = guard.def.ttl_attribute.clone() else { continue };
            for key in expired {
                // Read again under the write lock: a write since may have moved the time.
                let still = guard.data.get(&key).is_some_and(|item| is_expired(item.get(&attribute), &now, &oldest));
                if still && guard.data.remove_expired(&key).is_some() {
                    deleted += 1;
                }
            }
        }
        deleted
    }

    /// Sweeps if the clock has been moved since the last sweep (so a test
    /// that advances the clock sees expired items go at its next call).
    pub fn sweep_if_clock_moved(&self) {
        if self.clock.offset_millis() != self.ttl_swept_offset.load(Ordering::Relaxed) {
            self.sweep_expired();
        }
    }
}

fn seconds(millis: i64) -> Number {
    let text = format!("{}.{:03}", millis.div_euclid(1000), millis.rem_euclid(1000));
    Number::parse(&text).unwrap_or_else(|_| Number::parse("0").expect("zero is a number"))
}

fn is_expired(value: Option<&AttributeValue>, now: &Number, oldest: &Number) -> bool {
    matches!(value, Some(AttributeValue::N(at)) if at <= now && at >= oldest)
}
