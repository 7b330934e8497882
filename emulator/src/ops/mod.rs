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
pub mod scan;
pub mod tables;
pub mod transact;
pub mod update;
pub mod update_table;

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::state::State;
use input::Input;
use serde_json::Value;

type Handler = fn(&State, Input) -> ApiResult<Value>;

/// The operations this emulator implements, by their wire names.
pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateTable" => tables::create_table,
        "DescribeTable" => tables::describe_table,
        "ListTables" => tables::list_tables,
        "DeleteTable" => tables::delete_table,
        "PutItem" => items::put_item,
        "GetItem" => items::get_item,
        "DeleteItem" => items::delete_item,
        "UpdateItem" => update::update_item,
        "BatchGetItem" => batch::batch_get_item,
        "BatchWriteItem" => batch::batch_write_item,
        "Query" => query::query,
        "Scan" => scan::scan,
        "UpdateTable" => update_table::update_table,
        "TransactGetItems" => transact::transact_get_items,
        "TransactWriteItems" => transact::transact_write_items,
        "DescribeEndpoints" => metadata::describe_endpoints,
        "DescribeLimits" => metadata::describe_limits,
        "TagResource" => metadata::tag_resource,
        "UntagResource" => metadata::untag_resource,
        "ListTagsOfResource" => metadata::list_tags_of_resource,
        "DescribeTimeToLive" => metadata::describe_time_to_live,
        "UpdateTimeToLive" => metadata::update_time_to_live,
        "DescribeContinuousBackups" => metadata::describe_continuous_backups,
        "UpdateContinuousBackups" => metadata::update_continuous_backups,
        _ => return None,
    })
}

pub fn dispatch(state: &State, operation: &str, body: &Value) -> ApiResult<Value> {
    let handler = handler(operation)
        .ok_or_else(|| ApiError::new(ErrorKind::UnknownOperation, "An unknown operation was requested."))?;
    handler(state, Input::new(body)?)
}
