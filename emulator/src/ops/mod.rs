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

type Handler = fn(&State, Input) -> ApiResult<Reply>;

/// The operations this emulator implements, by their wire names.
pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateTable" => |s, i| tables::create_table(s, i).map(Reply::Json),
        "DescribeTable" => |s, i| tables::describe_table(s, i).map(Reply::Json),
        "ListTables" => |s, i| tables::list_tables(s, i).map(Reply::Json),
        "DeleteTable" => |s, i| tables::delete_table(s, i).map(Reply::Json),
        "PutItem" => items::put_item,
        "GetItem" => items::get_item,
        "DeleteItem" => items::delete_item,
        "UpdateItem" => update::update_item,
        "BatchGetItem" => |s, i| batch::batch_get_item(s, i).map(Reply::Json),
        "BatchWriteItem" => |s, i| batch::batch_write_item(s, i).map(Reply::Json),
        "Query" => query::query,
        "Scan" => scan::scan,
        "UpdateTable" => |s, i| update_table::update_table(s, i).map(Reply::Json),
        "TransactGetItems" => |s, i| transact::transact_get_items(s, i).map(Reply::Json),
        "TransactWriteItems" => |s, i| transact::transact_write_items(s, i).map(Reply::Json),
        "DescribeEndpoints" => |s, i| metadata::describe_endpoints(s, i).map(Reply::Json),
        "DescribeLimits" => |s, i| metadata::describe_limits(s, i).map(Reply::Json),
        "TagResource" => |s, i| metadata::tag_resource(s, i).map(Reply::Json),
        "UntagResource" => |s, i| metadata::untag_resource(s, i).map(Reply::Json),
        "ListTagsOfResource" => |s, i| metadata::list_tags_of_resource(s, i).map(Reply::Json),
        "DescribeTimeToLive" => |s, i| metadata::describe_time_to_live(s, i).map(Reply::Json),
        "UpdateTimeToLive" => |s, i| metadata::update_time_to_live(s, i).map(Reply::Json),
        "DescribeContinuousBackups" => |s, i| metadata::describe_continuous_backups(s, i).map(Reply::Json),
        "UpdateContinuousBackups" => |s, i| metadata::update_continuous_backups(s, i).map(Reply::Json),
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
    handler(state, Input::new(body)?)
}
