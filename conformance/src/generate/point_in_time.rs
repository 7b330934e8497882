//! `PointInTimeRecovery.json`: UpdateContinuousBackups, DescribeContinuousBackups
//! and RestoreTableToPointInTime. DynamoDB Local 3.3 has none of them
//! (UnknownOperationException), so the answers are the emulator's, recorded
//! under the `point-in-time-recovery` entry of `known.json`; the rules are the
//! API reference's (API_UpdateContinuousBackups, API_PointInTimeRecoverySpecification:
//! RecoveryPeriodInDays 1..35, API_PointInTimeRecoveryDescription,
//! API_RestoreTableToPointInTime), see conformance/differences/point-in-time-recovery.md.

use super::{create, put, usual};
use crate::scenario::Scenario;
use serde_json::{json, Value};

fn enable(extra: Value) -> Value {
    let mut spec = json!({"PointInTimeRecoveryEnabled": true});
    if let (Some(spec), Value::Object(extra)) = (spec.as_object_mut(), extra) {
        spec.extend(extra);
    }
    json!({"TableName": "$Pt", "PointInTimeRecoverySpecification": spec})
}

fn restore(extra: Value) -> Value {
    let mut body = json!({"SourceTableName": "$Pt", "TargetTableName": "$Pr"});
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let item =
        |pk: &str, sk: i64| json!({"pk": {"S": pk}, "sk": {"N": sk.to_string()}, "v": {"S": format!("{pk}{sk}")}});
    let base =
        |name: &str, doc: &str| Scenario::new(format!("PointInTimeRecovery/{name}"), doc).step("CreateTable", usual());
    let mut out = vec![
        base("describe-disabled", "a new table: continuous backups on, point-in-time recovery off")
            .step("DescribeContinuousBackups", json!({"TableName": "$Pt"})),
        base("enable-and-describe", "enabling reports the default 35-day period and the window")
            .step("UpdateContinuousBackups", enable(json!({})))
            .step("DescribeContinuousBackups", json!({"TableName": "$Pt"})),
        base("enable-with-period", "RecoveryPeriodInDays is kept")
            .step("UpdateContinuousBackups", enable(json!({"RecoveryPeriodInDays": 7})))
            .step("DescribeContinuousBackups", json!({"TableName": "$Pt"})),
        base("period-too-long", "RecoveryPeriodInDays above 35")
            .step("UpdateContinuousBackups", enable(json!({"RecoveryPeriodInDays": 36}))),
        base("period-zero", "RecoveryPeriodInDays below 1")
            .step("UpdateContinuousBackups", enable(json!({"RecoveryPeriodInDays": 0}))),
        base("period-while-disabling", "RecoveryPeriodInDays with recovery turned off")
            .step(
                "UpdateContinuousBackups",
                json!({"TableName": "$Pt", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": false, "RecoveryPeriodInDays": 7}}),
            ),
        base("missing-specification", "the specification is required")
            .step("UpdateContinuousBackups", json!({"TableName": "$Pt"})),
        Scenario::new("PointInTimeRecovery/describe-missing-table", "DescribeContinuousBackups of a missing table")
            .step("DescribeContinuousBackups", json!({"TableName": "$Pnope"})),
        base("restore-latest", "restoring to the latest restorable time gives the items held then")
            .step("PutItem", put(item("a", 1)))
            .step("PutItem", put(item("b", 2)))
            .step("UpdateContinuousBackups", enable(json!({})))
            .step("RestoreTableToPointInTime", restore(json!({"UseLatestRestorableTime": true})))
            .step("Scan", json!({"TableName": "$Pr", "ConsistentRead": true}))
            .step("DescribeContinuousBackups", json!({"TableName": "$Pr"})),
        base("restore-with-billing-override", "overrides apply to the restored table")
            .step("UpdateContinuousBackups", enable(json!({})))
            .step(
                "RestoreTableToPointInTime",
                restore(json!({"UseLatestRestorableTime": true, "BillingModeOverride": "PROVISIONED", "ProvisionedThroughputOverride": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}})),
            )
            .step("DescribeTable", json!({"TableName": "$Pr"})),
        base("restore-without-recovery", "a table without point-in-time recovery")
            .step("RestoreTableToPointInTime", restore(json!({"UseLatestRestorableTime": true}))),
        base("restore-too-early", "a time before recovery began")
            .step("UpdateContinuousBackups", enable(json!({})))
            .step("RestoreTableToPointInTime", restore(json!({"RestoreDateTime": 1_000_000_000}))),
        base("restore-target-exists", "the target table exists")
            .step("UpdateContinuousBackups", enable(json!({})))
            .step("CreateTable", create("$Pr", ("pk", "S"), None))
            .step("RestoreTableToPointInTime", restore(json!({"UseLatestRestorableTime": true}))),
        base("restore-both-times", "RestoreDateTime and UseLatestRestorableTime together")
            .step("UpdateContinuousBackups", enable(json!({})))
            .step("RestoreTableToPointInTime", restore(json!({"UseLatestRestorableTime": true, "RestoreDateTime": 1_000_000_000}))),
        base("restore-no-time", "neither RestoreDateTime nor UseLatestRestorableTime")
            .step("UpdateContinuousBackups", enable(json!({})))
            .step("RestoreTableToPointInTime", restore(json!({}))),
    ];
    out.push(Scenario::new("PointInTimeRecovery/restore-missing-source", "a source table that does not exist").step(
        "RestoreTableToPointInTime",
        json!({"SourceTableName": "$Pnope", "TargetTableName": "$Pr", "UseLatestRestorableTime": true}),
    ));
    out
}
