//! `GlobalTables.json`: UpdateTable's `ReplicaUpdates` (global tables,
//! version 2019.11.21) as one region sees them. DynamoDB Local 3.3.1 keeps
//! no replicas (it answers `ReplicaUpdates` alone with "Nothing to update"),
//! so the answers are the emulator's, recorded under the `global-tables`
//! entry of `known.json`. Each scenario cites its source: the developer
//! guide's "Global tables version 2019.11.21" and the UpdateTable /
//! ReplicaDescription API reference for the shapes, and the ack-api-quirks
//! findings recorded against DynamoDB (`services/dynamodb`, table-replicas.md,
//! verified 2026-10-09) for the rules and their messages.

use super::{create, usual};
use crate::scenario::Scenario;
use serde_json::{json, Value};

const GUIDE: &str = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html";
const UPDATE_TABLE: &str = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html";
const LEGACY: &str = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeGlobalTable.html";
const FINDINGS: &str = "ack-api-quirks services/dynamodb table-replicas.md";

fn replica_updates(updates: Value) -> Value {
    json!({"TableName": "$Pt", "ReplicaUpdates": updates})
}

fn create_in(region: &str) -> Value {
    replica_updates(json!([{"Create": {"RegionName": region}}]))
}

fn delete_in(region: &str) -> Value {
    replica_updates(json!([{"Delete": {"RegionName": region}}]))
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let base =
        |name: &str, doc: String| Scenario::new(format!("GlobalTables/{name}"), doc).step("CreateTable", usual());
    vec![
        base(
            "add-and-remove-replica",
            format!("a replica in us-west-2: the table UPDATING with it listed, GlobalTableVersion 2019.11.21, a NEW_AND_OLD_IMAGES stream turned on (no stream prerequisite: {FINDINGS} DDB-TABLE-221); removed again, no Replicas ({GUIDE}; {UPDATE_TABLE})"),
        )
        .step("UpdateTable", create_in("us-west-2"))
        .step("DescribeTable", json!({"TableName": "$Pt"}))
        .step("UpdateTable", delete_in("us-west-2"))
        .step("DescribeTable", json!({"TableName": "$Pt"})),
        base("local-region", format!("the table's own region ({FINDINGS} DDB-TABLE-203, 223)"))
            .step("UpdateTable", create_in("us-east-1")),
        base("unknown-region", format!("a region global tables do not support ({FINDINGS} DDB-TABLE-223)"))
            .step("UpdateTable", create_in("us-fake-1")),
        base("not-the-only-change", format!("ReplicaUpdates with another change ({FINDINGS} DDB-TABLE-224)")).step(
            "UpdateTable",
            json!({"TableName": "$Pt", "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}], "DeletionProtectionEnabled": true}),
        ),
        base("two-creates", format!("one Create or Delete per call ({FINDINGS} DDB-TABLE-265)")).step(
            "UpdateTable",
            replica_updates(json!([{"Create": {"RegionName": "us-west-2"}}, {"Create": {"RegionName": "eu-west-1"}}])),
        ),
        base("two-action-types", format!("Create and Delete in one entry ({FINDINGS} DDB-TABLE-223)")).step(
            "UpdateTable",
            replica_updates(json!([{"Create": {"RegionName": "us-west-2"}, "Delete": {"RegionName": "us-west-2"}}])),
        ),
        base("no-action", format!("an entry without an action ({FINDINGS} DDB-TABLE-223)"))
            .step("UpdateTable", replica_updates(json!([{}]))),
        base("update-without-settings", format!("an Update naming only its region ({FINDINGS} DDB-TABLE-223)"))
            .step("UpdateTable", replica_updates(json!([{"Update": {"RegionName": "us-west-2"}}]))),
        base("delete-non-member", format!("removing a region that holds no replica ({FINDINGS} DDB-TABLE-203, 307)"))
            .step("UpdateTable", delete_in("ca-central-1")),
        Scenario::new("GlobalTables/missing-table", format!("ReplicaUpdates on a missing table ({UPDATE_TABLE})"))
            .step("UpdateTable", json!({"TableName": "$Pnope", "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]})),
        Scenario::new(
            "GlobalTables/provisioned-table",
            format!("a PROVISIONED table without write auto scaling ({FINDINGS} DDB-TABLE-188, 249)"),
        )
        .step("CreateTable", {
            let mut table = create("$Pt", ("pk", "S"), None);
            table["BillingMode"] = json!("PROVISIONED");
            table["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1});
            table
        })
        .step("UpdateTable", create_in("us-west-2")),
        base("existing-replica", format!("a Create for a region that already holds a replica ({FINDINGS} DDB-TABLE-203, 225)"))
            .step("UpdateTable", create_in("us-west-2"))
            .step("UpdateTable", create_in("us-west-2"))
            .step("UpdateTable", delete_in("us-west-2")),
        base(
            "delete-source-within-a-day",
            format!("DeleteTable of the table that added a replica less than 24 hours ago ({FINDINGS} DDB-TABLE-266; {GUIDE})"),
        )
        .step("UpdateTable", create_in("us-west-2"))
        .step("DeleteTable", json!({"TableName": "$Pt"}))
        .step("UpdateTable", delete_in("us-west-2")),
        base("disable-stream-of-replica", format!("a replica's stream cannot be turned off ({FINDINGS} DDB-TABLE-227)"))
            .step("UpdateTable", create_in("us-west-2"))
            .step("UpdateTable", json!({"TableName": "$Pt", "StreamSpecification": {"StreamEnabled": false}}))
            .step("UpdateTable", delete_in("us-west-2")),
        Scenario::new(
            "GlobalTables/legacy-operations",
            format!("the 2017.11.29 (Legacy) operations today: CreateGlobalTable refused, none to list or describe ({FINDINGS}: table-global-tables.md DDB-GLOBALTABLE-001, 002; {LEGACY})"),
        )
        .step("CreateGlobalTable", json!({"GlobalTableName": "$Pt", "ReplicationGroup": [{"RegionName": "us-east-1"}]}))
        .step("ListGlobalTables", json!({}))
        .step("DescribeGlobalTable", json!({"GlobalTableName": "$Pt"}))
        .step("DescribeGlobalTableSettings", json!({"GlobalTableName": "$Pt"}))
        .step("UpdateGlobalTable", json!({"GlobalTableName": "$Pt", "ReplicaUpdates": [{"Delete": {"RegionName": "us-west-2"}}]}))
        .step("UpdateGlobalTable", json!({"GlobalTableName": "$Pt", "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]}))
        .step("UpdateGlobalTableSettings", json!({"GlobalTableName": "$Pt", "GlobalTableBillingMode": "PAY_PER_REQUEST"})),
        base("replica-auto-scaling-regional", format!("replica auto scaling of a table with no replica ({FINDINGS} DDB-TABLE-187)"))
            .step("DescribeTableReplicaAutoScaling", json!({"TableName": "$Pt"}))
            .step("UpdateTableReplicaAutoScaling", json!({"TableName": "$Pt", "ProvisionedWriteCapacityAutoScalingUpdate": {"MinimumUnits": 1, "MaximumUnits": 10}})),
        base("replica-auto-scaling-on-demand", format!("an on-demand global table: its replicas listed without settings, a capacity refused ({FINDINGS} DDB-TABLE-190, 265)"))
            .step("UpdateTable", create_in("us-west-2"))
            .step("DescribeTableReplicaAutoScaling", json!({"TableName": "$Pt"}))
            .step("UpdateTableReplicaAutoScaling", json!({"TableName": "$Pt", "ProvisionedWriteCapacityAutoScalingUpdate": {"MinimumUnits": 1, "MaximumUnits": 10}}))
            .step("UpdateTable", delete_in("us-west-2")),
        Scenario::new("GlobalTables/legacy-name-constraint", format!("a global table name too short ({LEGACY})"))
            .step("DescribeGlobalTable", json!({"GlobalTableName": "ab"})),
    ]
}
