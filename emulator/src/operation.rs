//! The operation table: every operation the emulator answers, one row each.
//!
//! The rows are written once, in [`operation_table!`], and read by every
//! place that needs to know about operations: the [`Operation`] enum and its
//! properties here (the wire protocol's dispatch, fault matching, the durable
//! journal's "may write"), the handler of each row in `ops` (`ops::handler`),
//! and the robustness test's check that every operation has a template.
//! Adding an operation is one row plus its module in `ops/`.
//!
//! The table is a "callback" macro: `operation_table!(m)` calls `m!` with
//! every row, so each reader generates what it needs from the same list.
//! The handler column is only tokens here; `ops` resolves it.

/// Calls `$callback!` with every row of the operation table.
///
/// Columns: wire name, service (the `X-Amz-Target` prefix), access (what the
/// call may change), how the request names its tables, shape (single call,
/// batch, transaction), and the handler in `ops` (`Json` answers a value,
/// `Reply` writes its reply itself).
macro_rules! operation_table {
    ($callback:ident) => {
        $callback! {
            // name                      service   access  tables        shape        handler
            CreateTable:               DynamoDb, Define, TableName,    Single,      Json(create_table::create_table);
            DescribeTable:             DynamoDb, Read,   TableName,    Single,      Json(tables::describe_table);
            ListTables:                DynamoDb, Read,   NoTable,      Single,      Json(tables::list_tables);
            DeleteTable:               DynamoDb, Define, TableName,    Single,      Json(tables::delete_table);
            UpdateTable:               DynamoDb, Define, TableName,    Single,      Json(update_table::update_table);
            PutItem:                   DynamoDb, Write,  TableName,    Single,      Reply(items::put_item);
            GetItem:                   DynamoDb, Read,   TableName,    Single,      Reply(items::get_item);
            DeleteItem:                DynamoDb, Write,  TableName,    Single,      Reply(items::delete_item);
            UpdateItem:                DynamoDb, Write,  TableName,    Single,      Reply(update::update_item);
            Query:                     DynamoDb, Read,   TableName,    Single,      Reply(query::query);
            Scan:                      DynamoDb, Read,   TableName,    Single,      Reply(scan::scan);
            SearchVectors:             DynamoDb, Read,   TableName,    Single,      Json(search_vectors::search_vectors);
            BatchGetItem:              DynamoDb, Read,   RequestItems, BatchGet,    Json(batch::batch_get_item);
            BatchWriteItem:            DynamoDb, Write,  RequestItems, BatchWrite,  Json(batch::batch_write_item);
            TransactGetItems:          DynamoDb, Read,   TransactItems, Transaction, Json(transact::transact_get_items);
            TransactWriteItems:        DynamoDb, Write,  TransactItems, Transaction, Json(transact::transact_write_items);
            ExecuteStatement:          DynamoDb, Write,  Statement,    Single,      Reply(statements::execute_statement);
            BatchExecuteStatement:     DynamoDb, Write,  Statements,   BatchStatements, Json(statements::batch_execute_statement);
            ExecuteTransaction:        DynamoDb, Write,  TransactStatements, Transaction, Json(statements::execute_transaction);
            DescribeEndpoints:         DynamoDb, Read,   NoTable,      Single,      Json(metadata::describe_endpoints);
            DescribeLimits:            DynamoDb, Read,   NoTable,      Single,      Json(metadata::describe_limits);
            TagResource:               DynamoDb, Define, ResourceArn,  Single,      Json(metadata::tag_resource);
            UntagResource:             DynamoDb, Define, ResourceArn,  Single,      Json(metadata::untag_resource);
            ListTagsOfResource:        DynamoDb, Read,   ResourceArn,  Single,      Json(metadata::list_tags_of_resource);
            DescribeTimeToLive:        DynamoDb, Read,   TableName,    Single,      Json(metadata::describe_time_to_live);
            UpdateTimeToLive:          DynamoDb, Define, TableName,    Single,      Json(metadata::update_time_to_live);
            DescribeContinuousBackups: DynamoDb, Read,   TableName,    Single,      Json(recovery::describe_continuous_backups);
            UpdateContinuousBackups:   DynamoDb, Define, TableName,    Single,      Json(recovery::update_continuous_backups);
            CreateBackup:              DynamoDb, Define, TableName,    Single,      Json(backups::create_backup);
            DescribeBackup:            DynamoDb, Read,   NoTable,      Single,      Json(backups::describe_backup);
            ListBackups:               DynamoDb, Read,   TableName,    Single,      Json(backups::list_backups);
            DeleteBackup:              DynamoDb, Define, NoTable,      Single,      Json(backups::delete_backup);
            RestoreTableFromBackup:    DynamoDb, Define, NoTable,      Single,      Json(backups::restore_table_from_backup);
            RestoreTableToPointInTime: DynamoDb, Define, NoTable,      Single,      Json(recovery::restore_table_to_point_in_time);
            ExportTableToPointInTime:  DynamoDb, Define, NoTable,      Single,      Json(exports::export_table_to_point_in_time);
            DescribeExport:            DynamoDb, Read,   NoTable,      Single,      Json(exports::describe_export);
            ListExports:               DynamoDb, Read,   NoTable,      Single,      Json(exports::list_exports);
            ImportTable:               DynamoDb, Define, NoTable,      Single,      Json(imports::import_table);
            DescribeImport:            DynamoDb, Read,   NoTable,      Single,      Json(imports::describe_import);
            ListImports:               DynamoDb, Read,   NoTable,      Single,      Json(imports::list_imports);
            PutResourcePolicy:         DynamoDb, Define, ResourceArn,  Single,      Json(integrations::put_resource_policy);
            GetResourcePolicy:         DynamoDb, Read,   ResourceArn,  Single,      Json(integrations::get_resource_policy);
            DeleteResourcePolicy:      DynamoDb, Define, ResourceArn,  Single,      Json(integrations::delete_resource_policy);
            EnableKinesisStreamingDestination:   DynamoDb, Define, TableName, Single, Json(integrations::enable_kinesis_streaming_destination);
            DisableKinesisStreamingDestination:  DynamoDb, Define, TableName, Single, Json(integrations::disable_kinesis_streaming_destination);
            UpdateKinesisStreamingDestination:   DynamoDb, Define, TableName, Single, Json(integrations::update_kinesis_streaming_destination);
            DescribeKinesisStreamingDestination: DynamoDb, Read,   TableName, Single, Json(integrations::describe_kinesis_streaming_destination);
            UpdateContributorInsights:   DynamoDb, Define, TableName, Single,    Json(integrations::update_contributor_insights);
            DescribeContributorInsights: DynamoDb, Read,   TableName, Single,    Json(integrations::describe_contributor_insights);
            ListContributorInsights:     DynamoDb, Read,   TableName, Single,    Json(integrations::list_contributor_insights);
            CreateGlobalTable:           DynamoDb, Define, NoTable,   Single,    Json(legacy_global_tables::create_global_table);
            UpdateGlobalTable:           DynamoDb, Define, NoTable,   Single,    Json(legacy_global_tables::update_global_table);
            DescribeGlobalTable:         DynamoDb, Read,   NoTable,   Single,    Json(legacy_global_tables::describe_global_table);
            ListGlobalTables:            DynamoDb, Read,   NoTable,   Single,    Json(legacy_global_tables::list_global_tables);
            DescribeGlobalTableSettings: DynamoDb, Read,   NoTable,   Single,    Json(legacy_global_tables::describe_global_table_settings);
            UpdateGlobalTableSettings:   DynamoDb, Define, NoTable,   Single,    Json(legacy_global_tables::update_global_table_settings);
            DescribeTableReplicaAutoScaling: DynamoDb, Read,  TableName, Single, Json(replica_auto_scaling::describe_table_replica_auto_scaling);
            UpdateTableReplicaAutoScaling:   DynamoDb, Define, TableName, Single, Json(replica_auto_scaling::update_table_replica_auto_scaling);
            ListStreams:               DynamoDbStreams, Read, TableName, Single,  Json(streams::list_streams);
            DescribeStream:            DynamoDbStreams, Read, StreamArn, Single,  Json(streams::describe_stream);
            GetShardIterator:          DynamoDbStreams, Read, StreamArn, Single,  Json(streams::get_shard_iterator);
            GetRecords:                DynamoDbStreams, Read, ShardIterator, Single, Reply(streams::get_records);
        }
    };
}
pub(crate) use operation_table;

/// Which service an operation belongs to: its `X-Amz-Target` prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    DynamoDb,
    DynamoDbStreams,
}

impl Service {
    pub const ALL: [Service; 2] = [Service::DynamoDb, Service::DynamoDbStreams];

    /// The `X-Amz-Target` prefix (the operation's name follows it).
    pub fn target_prefix(self) -> &'static str {
        match self {
            Service::DynamoDb => "DynamoDB_20120810.",
            Service::DynamoDbStreams => "DynamoDBStreams_20120810.",
        }
    }
}

/// What a call may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Nothing: never journaled.
    Read,
    /// Items (the journal records the keys it touched).
    Write,
    /// Tables or their definitions (the journal also compares definitions).
    Define,
}

/// Where a request names the tables it touches (for fault rules by table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tables {
    NoTable,
    /// `TableName`.
    TableName,
    /// `ResourceArn` (`arn:aws:dynamodb:region:account:table/NAME`).
    ResourceArn,
    /// The keys of `RequestItems`.
    RequestItems,
    /// The `TableName` of each `TransactItems` element.
    TransactItems,
    /// `StreamArn` (`arn:aws:dynamodb:region:account:table/NAME/stream/LABEL`).
    StreamArn,
    /// `ShardIterator` (it starts with the stream's ARN).
    ShardIterator,
    /// The table named in the PartiQL `Statement`.
    Statement,
    /// The tables named in each `Statements` element's PartiQL statement.
    Statements,
    /// The tables named in each `TransactStatements` element's statement.
    TransactStatements,
}

/// A single call, a batch (which can leave part of its work unprocessed)
/// or a transaction (which fails whole, with cancellation reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Single,
    BatchGet,
    BatchWrite,
    /// BatchExecuteStatement: failures are reported per statement.
    BatchStatements,
    Transaction,
}

macro_rules! define_operations {
    ($($name:ident: $service:ident, $access:ident, $tables:ident, $shape:ident, $kind:ident($($handler:tt)+);)*) => {
        /// An operation of the table, named as on the wire.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $($name,)*
        }

        impl Operation {
            /// Every operation, in table order.
            pub const ALL: &'static [Operation] = &[$(Operation::$name,)*];

            /// The wire name (`X-Amz-Target` after the service prefix).
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$name => stringify!($name),)*
                }
            }

            /// The operation named `name` (any service).
            pub fn from_name(name: &str) -> Option<Operation> {
                match name {
                    $(stringify!($name) => Some(Operation::$name),)*
                    _ => None,
                }
            }

            pub fn service(self) -> Service {
                match self {
                    $(Operation::$name => Service::$service,)*
                }
            }

            pub fn access(self) -> Access {
                match self {
                    $(Operation::$name => Access::$access,)*
                }
            }

            pub fn tables(self) -> Tables {
                match self {
                    $(Operation::$name => Tables::$tables,)*
                }
            }

            pub fn shape(self) -> Shape {
                match self {
                    $(Operation::$name => Shape::$shape,)*
                }
            }
        }
    };
}
operation_table!(define_operations);

impl Operation {
    /// The operation an `X-Amz-Target` header names: a service prefix and
    /// one of that service's operations.
    pub fn from_target(target: &str) -> Option<Operation> {
        Service::ALL.iter().find_map(|service| {
            let op = Operation::from_name(target.strip_prefix(service.target_prefix())?)?;
            (op.service() == *service).then_some(op)
        })
    }

    /// Whether the call may write anything (the durable journal commits after it).
    pub fn may_write(self) -> bool {
        self.access() != Access::Read
    }

    /// BatchGetItem or BatchWriteItem: a call that can leave work unprocessed.
    pub fn is_batch(self) -> bool {
        matches!(self.shape(), Shape::BatchGet | Shape::BatchWrite)
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_targets_need_their_prefix() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(*op));
            let target = format!("{}{}", op.service().target_prefix(), op.name());
            assert_eq!(Operation::from_target(&target), Some(*op));
        }
        assert_eq!(Operation::from_target("PutItem"), None);
        assert_eq!(Operation::from_target("DynamoDB_20120810.PutItems"), None);
        assert_eq!(Operation::from_target("DynamoDB_20120810."), None);
    }

    #[test]
    fn reads_never_write() {
        assert!(!Operation::Query.may_write() && !Operation::BatchGetItem.may_write());
        assert!(Operation::BatchWriteItem.may_write() && Operation::UpdateTimeToLive.may_write());
        assert_eq!(Operation::TagResource.access(), Access::Define);
        assert!(Operation::BatchGetItem.is_batch() && !Operation::TransactWriteItems.is_batch());
    }
}
