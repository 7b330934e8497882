//! Operations: one module per operation family. Each parses its request
//! into typed values, validates it with DynamoDB's messages, then acts on
//! storage. `dispatch` runs an [`Operation`] by its row of the operation table.

pub mod backups;
pub mod batch;
pub mod capacity;
pub mod collections;
pub mod create_table;
pub mod exports;
pub mod import_formats;
pub mod imports;
pub mod integrations;
pub mod item_request;
pub mod items;
pub mod legacy_global_tables;
pub mod metadata;
pub mod query;
pub mod read;
pub mod recovery;
pub mod replica_auto_scaling;
pub mod replicas;
pub mod reply;
pub mod scan;
pub mod search_vectors;
pub mod statements;
pub mod streams;
pub mod table_description;
pub mod table_request;
pub mod tables;
pub mod transact;
pub mod transfers;
pub mod update;
pub mod update_table;
pub mod vector_indexes;

use crate::error::ApiResult;
use crate::input::Input;
use crate::operation::{operation_table, Operation};
use crate::state::State;
pub use reply::Reply;
use serde_json::Value;

/// An operation's implementation: most answer a JSON value, those that
/// return items write their reply themselves (see [`reply`]).
#[derive(Clone, Copy)]
pub enum Handler {
    Json(fn(&State, Input) -> ApiResult<Value>),
    Reply(fn(&State, Input) -> ApiResult<Reply>),
}

impl Handler {
    fn call(self, state: &State, input: Input) -> ApiResult<Reply> {
        match self {
            Handler::Json(handler) => handler(state, input).map(Reply::Json),
            Handler::Reply(handler) => handler(state, input),
        }
    }
}

macro_rules! define_handlers {
    ($($name:ident: $service:ident, $access:ident, $tables:ident, $shape:ident, $kind:ident($($handler:tt)+);)*) => {
        /// The handler of each operation: the last column of the operation table.
        fn handler(operation: Operation) -> Handler {
            match operation {
                $(Operation::$name => Handler::$kind($($handler)+),)*
            }
        }
    };
}
operation_table!(define_handlers);

/// Runs an operation; its reply as a `Value` (fixtures, journal replay, tests).
pub fn dispatch(state: &State, operation: Operation, body: &Value) -> ApiResult<Value> {
    dispatch_reply(state, operation, body).map(Reply::into_value)
}

/// Runs an operation (the wire protocol's entry point).
pub fn dispatch_reply(state: &State, operation: Operation, body: &Value) -> ApiResult<Reply> {
    handler(operation).call(state, Input::new(body)?)
}
