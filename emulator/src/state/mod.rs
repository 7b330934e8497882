//! What every request shares: the catalog of tables, the configuration and
//! the clock.

use crate::error::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::storage::lifecycle::StatusDelay;
use crate::storage::{Catalog, Table, TableState};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

mod tokens;
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

/// Wall-clock time plus an offset a test can move forward.
#[derive(Default)]
pub struct Clock {
    offset_millis: AtomicI64,
}

impl Clock {
    pub fn now_millis(&self) -> i64 {
        wall_millis() + self.offset_millis.load(Ordering::Relaxed)
    }

    /// Seconds since the epoch with millisecond precision, as DynamoDB's timestamps.
    pub fn now_seconds(&self) -> f64 {
        self.now_millis() as f64 / 1000.0
    }

    pub fn advance_millis(&self, millis: i64) {
        self.offset_millis.fetch_add(millis, Ordering::Relaxed);
    }

    /// Moves the clock so that now is `millis` since the epoch (it keeps running from there).
    pub fn set_millis(&self, millis: i64) {
        self.offset_millis.store(millis - wall_millis(), Ordering::Relaxed);
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.advance_millis(by.as_millis().min(i64::MAX as u128) as i64);
    }

    /// How far this clock is from real time.
    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Relaxed)
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }

    /// A stream label (ISO-8601 local time with milliseconds) for a timestamp.
    pub fn stream_label(&self, seconds: f64) -> String {
        let millis = (seconds * 1000.0) as i64;
        let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
        let (y, m, d) = civil_from_days(days);
        let (h, min, s, ms) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}")
    }
}

fn wall_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Days since 1970-01-01 to a (year, month, day) date (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

/// Where durable mode records what calls wrote (`crate::durable` keeps one
/// on disk). The protocol layer commits before it answers a call that may
/// have written, so an acknowledged write is never lost.
pub trait Journal: Send + Sync {
    /// Records every change since the last commit and returns once it is
    /// on disk. `definitions`: the call may have changed table definitions
    /// (an item write cannot, so their comparison is skipped).
    fn commit(&self, state: &State, definitions: bool) -> std::io::Result<()>;
}

#[derive(Default)]
pub struct State {
    pub catalog: Catalog,
    pub config: Config,
    pub clock: Clock,
    pub faults: Faults,
    /// Recent TransactWriteItems `ClientRequestToken`s (idempotency).
    pub transaction_tokens: TransactionTokens,
    /// Set in durable mode (`--db-path`): every write is journaled before it is acknowledged.
    pub journal: std::sync::OnceLock<Box<dyn Journal>>,
    /// How long table creation, updates, index backfill and deletion stay in
    /// progress (default: done at once). See `crate::storage::lifecycle`.
    pub status_delay: StatusDelay,
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
    /// Copies every table and item (the clock and fault rules are not part of it).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot { tables: self.catalog.snapshot() }
    }

    /// Puts this state's tables back as they were in `snapshot`.
    pub fn restore(&self, snapshot: &Snapshot) {
        self.catalog.restore(&snapshot.tables);
    }

    /// A new, independent state holding the snapshot's tables, with this
    /// state's configuration and clock offset (fault rules start empty).
    pub fn fork(&self, snapshot: &Snapshot) -> State {
        let state = State { config: self.config.clone(), ..State::default() };
        state.clock.advance_millis(self.clock.offset_millis());
        state.status_delay.set(self.status_delay.get());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_labels_are_iso_dates() {
        assert_eq!(Clock::default().stream_label(1_795_317_293.312), "2026-11-22T03:14:53.312");
        assert_eq!(Clock::default().stream_label(0.0), "1970-01-01T00:00:00.000");
    }
}
