//! Global tables (version 2019.11.21): which tables are replicas of one
//! another, and the delivery of their writes.
//!
//! Every namespace of an emulator shares one [`Replication`]. A global table
//! is a [`Group`] keyed by account and table name; each member is the table
//! of that name in one region. Writes leave a member through its
//! `storage::replica::ReplicaLink` into the group's outbox and are delivered
//! to every other member once the replication delay (`--replication-delay-ms`,
//! default 0) has passed on the clock: `protocol` delivers what is due before
//! and after each call, so nothing runs in the background. Each member keeps
//! the stamp of the last write of every key, so the last writer wins
//! whatever order deliveries take.
//!
//! A member's status (CREATING, ACTIVE, DELETING) is kept here rather than
//! read from the member's own table, so describing one table never takes
//! another table's lock.

use super::State;
use crate::storage::replica::Outbox;
use crate::storage::Table;
use dashmap::DashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// How long a replica that added another one is its source: it cannot be
/// removed meanwhile (DynamoDB's 24 hours).
pub const SOURCE_PERIOD_MILLIS: i64 = 24 * 60 * 60 * 1000;

#[derive(Default)]
pub struct Replication {
    delay_millis: AtomicI64,
    /// Changes waiting in every group's outbox.
    waiting: Arc<AtomicUsize>,
    groups: DashMap<(String, String), Arc<Group>>,
    /// The state an emulator started with, through which every other
    /// namespace is found (set by whoever serves it: `server`, the harness).
    root: OnceLock<Weak<State>>,
}

/// One global table: its replicas, in the order they joined.
pub struct Group {
    pub outbox: Arc<Outbox>,
    members: Mutex<Vec<Member>>,
}

#[derive(Clone)]
pub struct Member {
    pub region: String,
    pub table_id: String,
    pub table: Arc<Table>,
    /// The region whose endpoint added it (`None`: the table the group grew from), and when.
    pub source: Option<String>,
    pub added_millis: i64,
    /// CREATING until then.
    pub creating_until: Option<i64>,
    /// Being removed: DELETING until then (listed no more afterwards).
    pub deleting_until: Option<i64>,
}

/// A member's status as `ReplicaDescription.ReplicaStatus` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaStatus {
    Creating,
    Active,
    Deleting,
}

impl ReplicaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaStatus::Creating => "CREATING",
            ReplicaStatus::Active => "ACTIVE",
            ReplicaStatus::Deleting => "DELETING",
        }
    }
}

impl Member {
    /// `None` once a removed member's DELETING period has passed.
    pub fn status(&self, now: i64) -> Option<ReplicaStatus> {
        match (self.deleting_until, self.creating_until) {
            (Some(until), _) if now >= until => None,
            (Some(_), _) => Some(ReplicaStatus::Deleting),
            (None, Some(until)) if now < until => Some(ReplicaStatus::Creating),
            _ => Some(ReplicaStatus::Active),
        }
    }

    fn live(&self) -> bool {
        self.deleting_until.is_none()
    }
}

impl Group {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Member>> {
        self.members.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every member still listed at `now`, in joining order.
    pub fn members(&self, now: i64) -> Vec<Member> {
        let mut members = self.lock();
        members.retain(|m| m.status(now).is_some());
        members.clone()
    }

    /// The member in `region` that is table `table_id` (not one being removed).
    pub fn live_member(&self, region: &str, table_id: &str) -> Option<Member> {
        self.lock().iter().find(|m| m.region == region && m.table_id == table_id && m.live()).cloned()
    }

    pub fn add(&self, member: Member) {
        self.lock().push(member);
    }

    /// Marks the member in `region` removed: DELETING until `until`.
    pub fn remove(&self, region: &str, until: i64) {
        for member in self.lock().iter_mut().filter(|m| m.region == region && m.live()) {
            member.deleting_until = Some(until);
        }
    }

    /// Whether the member in `region` added another one that is still a
    /// member, less than [`SOURCE_PERIOD_MILLIS`] ago.
    pub fn is_recent_source(&self, region: &str, now: i64) -> bool {
        let recent = |m: &Member| now - m.added_millis < SOURCE_PERIOD_MILLIS;
        self.lock().iter().any(|m| m.source.as_deref() == Some(region) && m.status(now).is_some() && recent(m))
    }
}

impl Replication {
    /// How long a write takes to reach the other replicas (0: delivered
    /// right after the call that made it).
    pub fn set_delay(&self, delay: std::time::Duration) {
        self.delay_millis.store(delay.as_millis().min(i64::MAX as u128) as i64, Ordering::Relaxed);
    }

    pub fn delay(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.delay_millis.load(Ordering::Relaxed).max(0) as u64)
    }

    /// The global table `name` of `account`, if it has ever had a replica.
    pub fn group(&self, account: &str, name: &str) -> Option<Arc<Group>> {
        self.groups.get(&(account.to_string(), name.to_string())).map(|g| Arc::clone(&g))
    }

    /// The group of `name`, made (with an empty outbox) if there is none.
    pub fn group_or_new(&self, account: &str, name: &str) -> Arc<Group> {
        let key = (account.to_string(), name.to_string());
        let group = self.groups.entry(key).or_insert_with(|| {
            Arc::new(Group { outbox: Arc::new(Outbox::new(Arc::clone(&self.waiting))), members: Mutex::default() })
        });
        Arc::clone(&group)
    }

    /// Forgets a group none of whose members is listed any more.
    pub fn forget_if_empty(&self, account: &str, name: &str, now: i64) {
        let key = (account.to_string(), name.to_string());
        if let Some((_, group)) = self.groups.remove_if(&key, |_, g| g.members(now).is_empty()) {
            group.outbox.clear();
        }
    }

    /// Whether any change is waiting for delivery.
    pub fn has_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) != 0
    }

    /// Delivers every change written at least the replication delay ago to
    /// the other live members of its group.
    pub fn deliver_due(&self, now: i64) {
        if !self.has_waiting() {
            return;
        }
        let written_by = now.saturating_sub(self.delay_millis.load(Ordering::Relaxed));
        let groups: Vec<Arc<Group>> = self.groups.iter().map(|g| Arc::clone(&g)).collect();
        for group in groups {
            let due = group.outbox.take_due(written_by);
            if due.is_empty() {
                continue;
            }
            // The outbox's lock is released: a writer posting meanwhile never waits for us.
            let members: Vec<Member> = group.lock().iter().filter(|m| m.live()).cloned().collect();
            for change in &due {
                for member in members.iter().filter(|m| *m.region != *change.origin) {
                    member.table.inner.write().data.apply_replicated(change);
                }
            }
        }
    }
}

impl State {
    /// Makes this state the one other namespaces are reached through (see
    /// [`Replication`]); the server and the harness call it.
    pub fn serve_regions(self: &Arc<State>) {
        let _ = self.replication.root.set(Arc::downgrade(self));
    }

    /// Whether every call is served by this one state (`--shared`, durable
    /// mode), so another region's table would be this very table.
    pub fn serves_every_region(&self) -> bool {
        self.namespaces.is_shared()
            && self.replication.root.get().and_then(Weak::upgrade).is_none_or(|root| {
                root.config.region == self.config.region && root.config.account_id == self.config.account_id
            })
    }

    /// The state of `region` in this state's account (made on first use).
    /// `None` for this state's own region when no root is registered.
    pub fn region_state(&self, region: &str) -> Option<Arc<State>> {
        match self.replication.root.get().and_then(Weak::upgrade) {
            Some(root) if root.config.account_id == self.config.account_id && root.config.region == region => {
                Some(root)
            }
            Some(root) => Some(root.namespace_of(&self.config.account_id, region)),
            // Not registered: this state is the root (a namespace's state always has one).
            None if region != self.config.region && !self.namespaces.is_shared() => {
                Some(self.namespace_of(&self.config.account_id, region))
            }
            None => None,
        }
    }

    /// Whether this state, or the one other namespaces are reached through,
    /// journals to disk (durable mode), which does not record replicas.
    pub fn journals(&self) -> bool {
        let root = self.replication.root.get().and_then(Weak::upgrade);
        self.journal.get().is_some() || root.is_some_and(|root| root.journal.get().is_some())
    }

    /// Delivers the replicated writes that are due (see [`Replication`]).
    pub fn deliver_replication(&self) {
        // Every call comes here twice: without global tables, no clock read.
        if self.replication.has_waiting() {
            self.replication.deliver_due(self.clock.now_millis());
        }
    }
}
