//! Operations: one module per operation family. Each parses its request
//! into typed values, validates it with DynamoDB's messages, then acts on
//! storage. `dispatch` maps an `X-Amz-Target` operation name to its handler.

pub mod batch;
pub mod capacity;
pub mod collections;
pub mod input;
pub mod items;
pub mod legacy;
pub mod metadata;
pub mod query;
pub mod read;
pub mod reply;
pub mod scan;
pub mod tables;
pub mod transact;
pub mod update;
pub mod update_table;

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::state::State;
use input::Input;
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

/// The operations this emulator implements, by their wire names.
pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateTable" => Handler::Json(tables::create_table),
        "DescribeTable" => Handler::Json(tables::describe_table),
        "ListTables" => Handler::Json(tables::list_tables),
        "DeleteTable" => Handler::Json(tables::delete_table),
        "PutItem" => Handler::Reply(items::put_item),
        "GetItem" => Handler::Reply(items::get_item),
        "DeleteItem" => Handler::Reply(items::delete_item),
        "UpdateItem" => Handler::Reply(update::update_item),
        "BatchGetItem" => Handler::Json(batch::batch_get_item),
        "BatchWriteItem" => Handler::Json(batch::batch_write_item),
        "Query" => Handler::Reply(query::query),
        "Scan" => Handler::Reply(scan::scan),
        "UpdateTable" => Handler::Json(update_table::update_table),
        "TransactGetItems" => Handler::Json(transact::transact_get_items),
        "TransactWriteItems" => Handler::Json(transact::transact_write_items),
        "DescribeEndpoints" => Handler::Json(metadata::describe_endpoints),
        "DescribeLimits" => Handler::Json(metadata::describe_limits),
        "TagResource" => Handler::Json(metadata::tag_resource),
        "UntagResource" => Handler::Json(metadata::untag_resource),
        "ListTagsOfResource" => Handler::Json(metadata::list_tags_of_resource),
        "DescribeTimeToLive" => Handler::Json(metadata::describe_time_to_live),
        "UpdateTimeToLive" => Handler::Json(metadata::update_time_to_live),
        "DescribeContinuousBackups" => Handler::Json(metadata::describe_continuous_backups),
        "UpdateContinuousBackups" => Handler::Json(metadata::update_continuous_backups),
        _ => return None,
    })
}

/// Runs an operation; its reply as a `Value` (fixtures, journal replay, tests).
pub fn dispatch(state: &State, operation: &str, body: &Value) -> ApiResult<Value> {
    dispatch_reply(state, operation, body).map(Reply::into_value)
}

/// Runs an operation (the wire protocol's entry point).
pub fn dispatch_reply(state: &State, operation: &str, body: &Value) -> ApiResult<Reply> {
    let handler = handler(operation)
        .ok_or_else(|| ApiError::new(ErrorKind::UnknownOperation, "An unknown operation was requested."))?;
    handler.call(state, Input::new(body)?)
}
