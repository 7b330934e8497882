//! Exports and imports: the local directory that stands for Amazon S3
//! (`--s3-dir`: a bucket is a subdirectory, an object key a path under it)
//! and the registry of every export and import with its status on the
//! clock.
//!
//! An export or import does its work when it is asked for (the files are
//! written, or read, at once); its status is IN_PROGRESS until the status
//! delay has passed on the emulator's clock, then COMPLETED or FAILED, like
//! a table's CREATING (`storage::lifecycle`): nothing runs in the background.

use parking_lot::{Mutex, RwLock};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// One export or import (journaled whole by durable mode: it never changes once made).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Transfer {
    pub arn: String,
    pub table_arn: String,
    pub client_token: String,
    /// The request's parameters: a ClientToken reused with others is a conflict.
    pub parameters: Value,
    pub started_millis: i64,
    /// When its status leaves IN_PROGRESS (clock milliseconds).
    pub done_millis: i64,
    /// `(FailureCode, FailureMessage)` of a failed one.
    pub failure: Option<(String, String)>,
    /// Its description's fields that never change (status and end time are added when asked).
    pub details: serde_json::Map<String, Value>,
}

impl Transfer {
    /// IN_PROGRESS, COMPLETED or FAILED at `now_millis`.
    pub fn status(&self, now_millis: i64) -> &'static str {
        match (&self.failure, now_millis < self.done_millis) {
            (_, true) => "IN_PROGRESS",
            (None, false) => "COMPLETED",
            (Some(_), false) => "FAILED",
        }
    }
}

/// Every export (or every import), oldest first.
#[derive(Default)]
pub struct Registry {
    all: Mutex<Vec<Arc<Transfer>>>,
}

impl Registry {
    pub fn insert(&self, transfer: Transfer) -> Arc<Transfer> {
        let transfer = Arc::new(transfer);
        self.all.lock().push(Arc::clone(&transfer));
        transfer
    }

    pub fn get(&self, arn: &str) -> Option<Arc<Transfer>> {
        self.all.lock().iter().find(|t| t.arn == arn).cloned()
    }

    /// The one started with `token` since `since_millis` (DynamoDB keeps a token for 8 hours).
    pub fn by_token(&self, token: &str, since_millis: i64) -> Option<Arc<Transfer>> {
        self.all.lock().iter().rev().find(|t| t.client_token == token && t.started_millis >= since_millis).cloned()
    }

    /// Puts back one read from the journal.
    pub fn restore(&self, transfer: Transfer) {
        self.insert(transfer);
    }

    /// How many are IN_PROGRESS at `now_millis`.
    pub fn in_progress(&self, now_millis: i64) -> usize {
        self.all.lock().iter().filter(|t| now_millis < t.done_millis).count()
    }

    pub fn all(&self) -> Vec<Arc<Transfer>> {
        self.all.lock().clone()
    }
}

/// Where "S3" is, and what was exported and imported.
#[derive(Default)]
pub struct Transfers {
    s3_dir: RwLock<Option<PathBuf>>,
    pub exports: Registry,
    pub imports: Registry,
}

impl Transfers {
    /// The directory standing for S3 (`--s3-dir`, `harness`'s `set_s3_dir`).
    pub fn set_s3_dir(&self, dir: Option<PathBuf>) {
        *self.s3_dir.write() = dir;
    }

    pub fn s3_dir(&self) -> Option<PathBuf> {
        self.s3_dir.read().clone()
    }
}
