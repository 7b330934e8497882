//! A DynamoDB-compatible emulator. See ARCHITECTURE.md for the map.
//!
//! Layers, in the order a request meets them: [`server`] (HTTP) →
//! [`protocol`] (wire format; the operation table in [`operation`] names the
//! handler) → `ops` (one module per operation family) → `expr`, `storage`
//! and `types` (expressions, tables and items). Modules only use the layers
//! below them (`tests/layers.rs`).

pub mod auth;
pub mod clock;
pub mod durable;
pub mod error;
pub(crate) mod expr;
pub mod faults;
pub mod fixtures;
pub(crate) mod input;
pub mod operation;
pub(crate) mod ops;
pub(crate) mod partiql;
pub mod protocol;
#[cfg(feature = "remote")]
pub mod remote;
pub mod seed;
pub mod server;
pub mod state;
pub(crate) mod storage;
pub mod tls;
pub(crate) mod types;

pub use error::{ApiError, ApiResult, ErrorKind};
pub use operation::Operation;
pub use ops::dispatch;
pub use state::State;
