//! A DynamoDB-compatible emulator. See ARCHITECTURE.md for the map.
//!
//! Layers, in the order a request meets them: [`server`] (HTTP) →
//! [`protocol`] (wire format, dispatch) → [`ops`] (one module per operation)
//! → [`types`] and [`storage`] (typed values, tables and items).

pub mod durable;
pub mod error;
pub mod expr;
pub mod faults;
pub mod fixtures;
pub mod lifecycle;
pub mod ops;
pub mod protocol;
pub mod server;
pub mod state;
pub mod storage;
pub mod types;

pub use error::{ApiError, ApiResult, ErrorKind};
pub use state::State;
