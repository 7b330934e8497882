//! Accounts and regions as namespaces: DynamoDB keeps each account's tables
//! in each region apart, and so does DynamoDB Local unless `-sharedDb` is
//! given. A call is served by the state of the (account, region) it was
//! signed for: the region from the signature's credential scope, the
//! account from the access key's configured account (one default account
//! otherwise). The state an emulator starts with serves its own configured
//! (account, region); any other is a state of its own, made on first use,
//! sharing the clock, with its own tables, backups, streams and ARNs.
//!
//! `--shared` (DynamoDB Local's `-sharedDb`) serves every call from the one
//! state. Durable mode journals every namespace (`crate::durable`).

use super::{Config, State};
use dashmap::DashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Default)]
pub struct Namespaces {
    shared: AtomicBool,
    others: DashMap<(String, String), Arc<State>>,
}

impl Namespaces {
    /// Serve every call from one state, whatever its account and region.
    pub fn set_shared(&self, shared: bool) {
        self.shared.store(shared, Ordering::Relaxed);
    }

    pub fn is_shared(&self) -> bool {
        self.shared.load(Ordering::Relaxed)
    }
}

impl State {
    /// The state serving a call signed by `key` for `region` (see
    /// `auth::claimed_scope`), when it is not this one.
    pub fn namespace(&self, scope: Option<(&str, &str)>) -> Option<Arc<State>> {
        if self.namespaces.is_shared() {
            return None;
        }
        let (key, region) = scope?;
        let mapped = self.credentials.get().and_then(|c| c.get(key)).and_then(|c| c.account_id.as_deref());
        let account = mapped.unwrap_or(&self.config.account_id);
        // Most calls are this state's: nothing is allocated for them.
        if account == self.config.account_id && region == self.config.region {
            return None;
        }
        Some(self.namespace_of(account, region))
    }

    /// The state of another (account, region), made on first use.
    pub fn namespace_of(&self, account: &str, region: &str) -> Arc<State> {
        let key = (account.to_string(), region.to_string());
        let other = self.namespaces.others.entry(key.clone()).or_insert_with(|| Arc::new(self.other(key))).clone();
        // Settings the admin API changes on this state hold for every namespace.
        other.status_delay.set(self.status_delay.get());
        other
    }

    fn other(&self, (account_id, region): (String, String)) -> State {
        let other = State {
            config: Config { region, account_id },
            clock: Arc::clone(&self.clock),
            replication: Arc::clone(&self.replication),
            ..State::default()
        };
        other.transfers.set_s3_dir(self.transfers.s3_dir());
        // A namespace's own calls are its own: it has none nested.
        other.namespaces.set_shared(true);
        other
    }

    /// The states of the other namespaces used so far.
    pub fn other_namespaces(&self) -> Vec<Arc<State>> {
        self.namespaces.others.iter().map(|e| Arc::clone(e.value())).collect()
    }
}
