//! What a table carries besides its items and keys, for the services around
//! it: resource-based policies (on the table and on its stream), Kinesis
//! streaming destinations, contributor insights, and the backup it was
//! restored from. Kept in the table's
//! definition, so they are journaled in durable mode and go with the table.
//! Statuses move on the emulator's clock: a change is dated, and ENABLING
//! (or DISABLING) lasts the status delay set when it was made.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Integrations {
    /// Resource-based policies, by the ARN they are attached to (the table's or its stream's).
    #[serde(default)]
    pub policies: Vec<ResourcePolicy>,
    #[serde(default)]
    pub kinesis_destinations: Vec<KinesisDestination>,
    /// Contributor insights of the table (`index: None`) and of its indexes.
    #[serde(default)]
    pub contributor_insights: Vec<ContributorInsights>,
    /// The backup a restored table came from (DescribeTable's `RestoreSummary`).
    #[serde(default)]
    pub restored_from: Option<RestoredFrom>,
    /// Point-in-time recovery's `RecoveryPeriodInDays`, when set (35 otherwise).
    #[serde(default)]
    pub recovery_period_days: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RestoredFrom {
    /// The backup restored; `None` for a point-in-time restore.
    #[serde(default)]
    pub backup_arn: Option<String>,
    pub table_arn: String,
    /// Seconds since the epoch: the backup's time, or the point in time restored.
    pub at: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResourcePolicy {
    pub resource_arn: String,
    pub document: String,
    pub revision_id: String,
}

/// A change of state: when (clock ms), and until when it is in progress.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Change {
    pub at_millis: i64,
    pub until_millis: i64,
}

impl Change {
    pub fn new(now_millis: i64, delay_millis: i64) -> Change {
        Change { at_millis: now_millis, until_millis: now_millis + delay_millis.max(0) }
    }

    pub fn in_progress(&self, now_millis: i64) -> bool {
        now_millis < self.until_millis
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KinesisDestination {
    pub stream_arn: String,
    pub enabled: bool,
    pub change: Change,
    /// `MILLISECOND` or `MICROSECOND`.
    pub precision: String,
}

impl KinesisDestination {
    /// ENABLING → ACTIVE, DISABLING → DISABLED.
    pub fn status(&self, now_millis: i64) -> &'static str {
        match (self.enabled, self.change.in_progress(now_millis)) {
            (true, true) => "ENABLING",
            (true, false) => "ACTIVE",
            (false, true) => "DISABLING",
            (false, false) => "DISABLED",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ContributorInsights {
    pub index: Option<String>,
    pub enabled: bool,
    pub change: Change,
    /// `ACCESSED_AND_THROTTLED_KEYS` or `THROTTLED_KEYS`.
    pub mode: String,
}

impl ContributorInsights {
    /// ENABLING → ENABLED, DISABLING → DISABLED.
    pub fn status(&self, now_millis: i64) -> &'static str {
        match (self.enabled, self.change.in_progress(now_millis)) {
            (true, true) => "ENABLING",
            (true, false) => "ENABLED",
            (false, true) => "DISABLING",
            (false, false) => "DISABLED",
        }
    }
}
