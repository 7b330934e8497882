//! A seeded fixture to fork per test: tables and items prepared once per
//! process, then every test gets its own emulator holding them.
//!
//! A fork shares the fixture's item maps copy on write (see the emulator's
//! `storage::shared`), so it costs a few microseconds whatever the number of
//! items; a fork's first write to a table copies that table's maps once (the
//! items themselves stay shared). Writes in one fork are seen by no other
//! fork and not by the fixture.
//!
//! ```no_run
//! use std::sync::LazyLock;
//!
//! static SALES: LazyLock<harness::Fixture> = LazyLock::new(|| {
//!     harness::Fixture::new(|db| {
//!         db.create_tables(r#"{"TableName": "sales", "BillingMode": "PAY_PER_REQUEST",
//!             "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
//!             "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}"#)
//!             .unwrap();
//!         db.seed("sales", r#"[{"id": "s1", "quantity": 2}, {"id": "s2", "quantity": 5}]"#).unwrap();
//!     })
//! });
//!
//! # async fn demo() {
//! let db = SALES.embedded(); // this test's own seeded emulator, in process
//! let client = db.client();
//! # }
//! ```

use crate::{embedded, embedded_with_state, Embedded, Emulator, Snapshot};
use std::sync::Arc;

/// Tables and items prepared once, forked by each test ([`Fixture::embedded`], [`Fixture::start`]).
pub struct Fixture {
    /// The emulator the fixture was seeded in: forks take its configuration and clock offset.
    seeded: Embedded,
    snapshot: Snapshot,
}

impl Fixture {
    /// Prepares a fixture: `setup` creates tables and seeds items in a fresh
    /// in-process emulator (its `create_tables`, `seed`, or `state()`).
    pub fn new(setup: impl FnOnce(&Embedded)) -> Fixture {
        let seeded = embedded();
        setup(&seeded);
        Fixture::from_embedded(seeded)
    }

    /// A fixture of an emulator prepared otherwise (through its client, say): its tables as they are now.
    pub fn from_embedded(seeded: Embedded) -> Fixture {
        let snapshot = seeded.snapshot();
        Fixture { seeded, snapshot }
    }

    /// The fixture's tables and items, for `restore` on another emulator.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// A new in-process emulator holding the fixture's tables: independent
    /// of the fixture and of every other fork.
    pub fn embedded(&self) -> Embedded {
        embedded_with_state(Arc::new(self.seeded.state().fork(&self.snapshot)))
    }

    /// [`Fixture::embedded`] served over HTTP on a loopback port, as
    /// [`crate::start`] serves (signatures verified). It always starts an
    /// emulator, whatever `HARNESS_TARGET` says. Needs a tokio runtime.
    pub async fn start(&self) -> Emulator {
        crate::start_with_state(Arc::new(self.seeded.state().fork(&self.snapshot))).await
    }
}
