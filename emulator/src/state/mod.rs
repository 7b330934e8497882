//! What every request shares: the catalog of tables, the configuration and
//! the clock.

use crate::error::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::storage::lifecycle::StatusDelay;
use crate::storage::{Catalog, Table, TableState};
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod backups;
pub mod namespaces;
pub mod replication;
mod streams;
mod tokens;
pub mod transfers;
mod ttl;
pub use crate::clock::Clock;
pub use tokens::{TokenClaim, TokenClaimGuard, TransactionTokens, TOKEN_TTL_MILLIS};

#[derive(Clone)]
pub struct Config {
    /// Region named in ARNs.
    pub region: String,
    /// Account id named in ARNs.
    pub account_id: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { region: "us-east-1".into(), account_id: "000000000000".into() }
    }
}

/// Where durable mode records what calls wrote (`crate::durable` keeps one
/// on disk). The protocol layer commits before it answers a call that may
/// have written, so an acknowledged write is never lost.
pub trait Journal: Send + Sync {
    /// Records every change since the last commit and returns once it is
    /// on disk. `definitions`: the call may have changed table definitions
    /// (an item write cannot, so their comparison is skipped).
    fn commit(&self, state: &State, definitions: bool) -> std::io::Result<()>;

    /// Work kept off the request path (a compaction), with a commit of what
    /// background work changed; the binary calls it after each [`Journal::wait_for_upkeep`].
    fn upkeep(&self, state: &State) -> std::io::Result<()> {
        self.commit(state, true)
    }

    /// The pause before the next upkeep: `at_most`, or less when work is due.
    fn wait_for_upkeep(&self, at_most: std::time::Duration) {
        std::thread::sleep(at_most);
    }
}

#[derive(Default)]
pub struct State {
    pub catalog: Catalog,
    pub config: Config,
    /// Shared with the stream logs, which stamp and trim records by it.
    pub clock: Arc<Clock>,
    pub faults: Faults,
    /// The clock offset at the last Time to Live sweep (see `ttl`).
    pub ttl_swept_offset: std::sync::atomic::AtomicI64,
    /// Every table's stream, enabled or kept for reading after it was disabled.
    pub streams: crate::storage::stream::Streams,
    /// Recent TransactWriteItems `ClientRequestToken`s (idempotency).
    pub transaction_tokens: TransactionTokens,
    /// Set in durable mode (`--db-path`): every write is journaled before it is acknowledged.
    pub journal: std::sync::OnceLock<Box<dyn Journal>>,
    /// How long table creation, updates, index backfill and deletion stay in
    /// progress (default: done at once). See `crate::storage::lifecycle`.
    pub status_delay: StatusDelay,
    /// On-demand backups (they outlive their tables).
    pub backups: backups::Backups,
    /// Exports to and imports from the directory standing for S3 (`--s3-dir`).
    pub transfers: transfers::Transfers,
    /// Set when API calls must carry a valid Signature Version 4 by one of
    /// these keys (`crate::auth`); unset, every request is served.
    pub credentials: std::sync::OnceLock<crate::auth::Credentials>,
    /// The other (account, region) namespaces' states, unless everything is shared. See `namespaces`.
    pub namespaces: namespaces::Namespaces,
    /// Global tables: replicas and the delivery of their writes, shared by every namespace. See `replication`.
    pub replication: Arc<replication::Replication>,
    /// How long a Query, Scan or PartiQL page may evaluate (`PAGE_TIME_BUDGET`).
    pub page_time_budget: PageTimeBudget,
}

/// How long one page of a Query, Scan or PartiQL SELECT may take to evaluate
/// before it ends early with its `LastEvaluatedKey` (a page may always hold
/// fewer items than `Limit`): a pathological filter over many small items
/// cannot hold the table's read lock, and its writers, for long.
pub const PAGE_TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);

/// Milliseconds; [`PAGE_TIME_BUDGET`] unless set.
pub struct PageTimeBudget(std::sync::atomic::AtomicU64);

impl Default for PageTimeBudget {
    fn default() -> Self {
        PageTimeBudget(std::sync::atomic::AtomicU64::new(PAGE_TIME_BUDGET.as_millis() as u64))
    }
}

/// A copy of an emulator's tables and items at one moment. Restoring or
/// forking one copies in-memory maps: far cheaper than re-creating tables and
/// re-putting items through the API.
#[derive(Clone)]
pub struct Snapshot {
    tables: Vec<TableState>,
}

impl Snapshot {
    pub fn table_names(&self) -> Vec<&str> {
        self.tables.iter().map(|t| t.def.name.as_str()).collect()
    }
}

impl State {
    /// How long one page of a read may evaluate before it ends early (see
    /// [`PAGE_TIME_BUDGET`]).
    pub fn page_time_budget(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.page_time_budget.0.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Sets [`State::page_time_budget`] (tests shorten it to see pages end early).
    pub fn set_page_time_budget(&self, budget: std::time::Duration) {
        let millis = u64::try_from(budget.as_millis()).unwrap_or(u64::MAX);
        self.page_time_budget.0.store(millis, std::sync::atomic::Ordering::Relaxed);
    }

    /// Turns signature verification on with these keys; false if it was already on.
    pub fn verify_signatures(&self, credentials: crate::auth::Credentials) -> bool {
        self.credentials.set(credentials).is_ok()
    }

    /// Copies every table and item (the clock and fault rules are not part of it).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot { tables: self.catalog.snapshot() }
    }

    /// Puts this state's tables back as they were in `snapshot`.
    pub fn restore(&self, snapshot: &Snapshot) {
        self.catalog.restore(&snapshot.tables);
        // A restored table with a stream enabled starts a new stream, and
        // one with point-in-time recovery on a new history.
        self.attach_streams();
        self.attach_histories();
    }

    /// A new, independent state holding the snapshot's tables, with this
    /// state's configuration and clock offset (fault rules start empty).
    pub fn fork(&self, snapshot: &Snapshot) -> State {
        let state = State { config: self.config.clone(), ..State::default() };
        state.clock.advance_millis(self.clock.offset_millis());
        state.status_delay.set(self.status_delay.get());
        state.set_page_time_budget(self.page_time_budget());
        state.restore(snapshot);
        state
    }

    /// The table named `name`. A table deleted with a status delay is dropped
    /// here once its DELETING period has passed.
    pub fn table(&self, name: &str) -> Option<Arc<Table>> {
        let table = self.catalog.get(name)?;
        let gone = crate::storage::lifecycle::is_gone(&table.inner.read().def, self.clock.now_millis());
        if gone {
            self.catalog.remove_if_same(name, &table);
            return None;
        }
        Some(table)
    }

    /// The table a data-plane request names. A table that is being created
    /// or deleted is not found, as in DynamoDB.
    pub fn serving_table(&self, name: &str) -> ApiResult<Arc<Table>> {
        let table = self.table(name).ok_or_else(ApiError::table_not_found)?;
        let status = crate::storage::lifecycle::table_status(&table.inner.read().def, self.clock.now_millis());
        if !status.serves_items() {
            return Err(ApiError::table_not_found());
        }
        Ok(table)
    }

    /// [`State::serving_table`] for every name (once each), ready for
    /// `storage::lock_read` / `lock_write`; a missing one fails the request.
    pub fn serving_tables<'a>(&self, names: impl Iterator<Item = &'a str>) -> ApiResult<BTreeMap<String, Arc<Table>>> {
        let mut tables = BTreeMap::new();
        for name in names {
            if !tables.contains_key(name) {
                tables.insert(name.to_string(), self.serving_table(name)?);
            }
        }
        Ok(tables)
    }

    /// Table names in ListTables order, without tables whose deletion has completed.
    pub fn table_names(&self) -> Vec<String> {
        self.catalog.names().into_iter().filter(|name| self.table(name).is_some()).collect()
    }

    pub fn table_arn(&self, table: &str) -> String {
        format!("arn:aws:dynamodb:{}:{}:table/{table}", self.config.region, self.config.account_id)
    }
}
