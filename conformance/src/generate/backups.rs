//! `Backups.json`: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
//! RestoreTableFromBackup, and the SYSTEM backup DeleteTable takes of a table
//! with point-in-time recovery on. DynamoDB Local 3.3.1 has none of these
//! operations (UnknownOperationException, probed 2026-12-05), so the answers
//! are the emulator's, recorded under the `backups` entry of `known.json`.
//! Each scenario's doc names its source: the API reference (API_CreateBackup,
//! API_DescribeBackup, API_ListBackups, API_DeleteBackup,
//! API_RestoreTableFromBackup, API_BackupDetails), the developer guide
//! (PointInTimeRecovery_Howitworks, "Delete a table with PITR enabled") or
//! ack-api-quirks' recordings against DynamoDB (DDB-BACKUP-0xx,
//! DDB-TABLE-442's message catalogue); see conformance/differences/backups.md.
//!
//! Backup ARNs end in an id made up per backup (`<ms>-<8 hex>`): the
//! normalizer compares them by shape, so scenarios refer to a backup through
//! the answer that created it (`${N/...}`).

use super::{put, usual};
use crate::scenario::{answer, Scenario};
use serde_json::{json, Value};

/// A well-formed ARN of a backup that does not exist.
const NO_SUCH_BACKUP: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/$Pt/backup/01700000000000-0a1b2c3d";

fn create_backup(name: &str) -> Value {
    json!({"TableName": "$Pt", "BackupName": name})
}

fn backup_arn(step: usize) -> String {
    answer(step, "/BackupDetails/BackupArn")
}

fn list(extra: Value) -> Value {
    let mut body = json!({"TableName": "$Pt"});
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

fn restore(arn: &str, extra: Value) -> Value {
    let mut body = json!({"TargetTableName": "$Pr", "BackupArn": arn});
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let item = json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "kept"}});
    let base = |name: &str, doc: &str| Scenario::new(format!("Backups/{name}"), doc).step("CreateTable", usual());
    let alone = |name: &str, doc: &str| Scenario::new(format!("Backups/{name}"), doc);
    let recovery_on =
        json!({"TableName": "$Pt", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}});
    vec![
        base("create-and-describe", "CreateBackup answers CREATING; DescribeBackup AVAILABLE with the source table's details (API_CreateBackup, API_DescribeBackup; DDB-BACKUP-003, DDB-BACKUP-004)")
            .step("PutItem", put(item.clone()))
            .step("CreateBackup", create_backup("nightly"))
            .step("DescribeBackup", json!({"BackupArn": backup_arn(2)})),
        alone("create-missing-table", "a table that does not exist: TableNotFoundException (API_CreateBackup; DDB-BACKUP-001)")
            .step("CreateBackup", json!({"TableName": "$Pnope", "BackupName": "nightly"})),
        base("create-name-too-short", "BackupName of fewer than 3 characters (API_CreateBackup: length 3..255)")
            .step("CreateBackup", create_backup("ab")),
        base("create-name-bad-pattern", "BackupName outside [a-zA-Z0-9_.-]+ (API_CreateBackup)")
            .step("CreateBackup", create_backup("night ly!")),
        base("create-without-name", "BackupName is required (API_CreateBackup)")
            .step("CreateBackup", json!({"TableName": "$Pt"})),
        base("create-same-name-twice", "backup names need not be unique: two backups (DDB-BACKUP-011)")
            .step("CreateBackup", create_backup("nightly"))
            .step("CreateBackup", create_backup("nightly"))
            .step("ListBackups", list(json!({}))),
        alone("describe-missing", "a well-formed ARN of no backup: BackupNotFoundException (API_DescribeBackup; DDB-BACKUP-005)")
            .step("DescribeBackup", json!({"BackupArn": NO_SUCH_BACKUP})),
        alone("describe-table-arn", "a table's ARN is not a backup's: 'Invalid Backup ARN' (DDB-BACKUP-012)")
            .step("DescribeBackup", json!({"BackupArn": "arn:aws:dynamodb:us-east-1:000000000000:table/$Pt"})),
        alone("describe-arn-too-short", "BackupArn shorter than 37 characters (API_DescribeBackup: length 37..1024)")
            .step("DescribeBackup", json!({"BackupArn": "arn:aws:dynamodb"})),
        alone("describe-without-arn", "BackupArn is required (API_DescribeBackup)").step("DescribeBackup", json!({})),
        base("delete-then-describe", "DeleteBackup answers DELETED; the backup is gone at once (API_DeleteBackup; DDB-BACKUP-005)")
            .step("CreateBackup", create_backup("nightly"))
            .step("DeleteBackup", json!({"BackupArn": backup_arn(1)}))
            .step("DescribeBackup", json!({"BackupArn": backup_arn(1)}))
            .step("DeleteBackup", json!({"BackupArn": backup_arn(1)}))
            .step("ListBackups", list(json!({}))),
        alone("delete-missing", "DeleteBackup of no backup: BackupNotFoundException (API_DeleteBackup)")
            .step("DeleteBackup", json!({"BackupArn": NO_SUCH_BACKUP})),
        base("list-pages", "ListBackups pages by Limit and ExclusiveStartBackupArn; no LastEvaluatedBackupArn on the last page (API_ListBackups; DDB-BACKUP-014)")
            .step("CreateBackup", create_backup("nightly"))
            .step("CreateBackup", create_backup("nightly"))
            .step("ListBackups", list(json!({"Limit": 1})))
            .step("ListBackups", list(json!({"Limit": 1, "ExclusiveStartBackupArn": answer(3, "/LastEvaluatedBackupArn")})))
            .step("ListBackups", list(json!({"Limit": 2}))),
        alone("list-missing-table", "ListBackups of a table that does not exist: an empty list (DDB-BACKUP-014)")
            .step("ListBackups", json!({"TableName": "$Pnope"})),
        base("list-bad-type", "BackupType outside USER, SYSTEM, AWS_BACKUP, ALL (API_ListBackups)")
            .step("ListBackups", list(json!({"BackupType": "user"}))),
        base("list-limit-too-large", "Limit above 100 (API_ListBackups: 1..100; DDB-BACKUP-014)")
            .step("ListBackups", list(json!({"Limit": 101}))),
        base("list-inverted-time-range", "TimeRangeLowerBound after TimeRangeUpperBound (DDB-BACKUP-014; DDB-TABLE-442's wording)")
            .step("ListBackups", list(json!({"TimeRangeLowerBound": 2_000_000_000, "TimeRangeUpperBound": 1_000_000_000}))),
        base("list-time-range", "the time range keeps backups created in [lower, upper) (DDB-BACKUP-014): none before 2001, one since")
            .step("CreateBackup", create_backup("nightly"))
            .step("ListBackups", list(json!({"TimeRangeUpperBound": 1_000_000_000})))
            .step("ListBackups", list(json!({"TimeRangeLowerBound": 1_000_000_000}))),
        base("system-backup-on-delete", "deleting a table with point-in-time recovery on takes the SYSTEM backup <table>$DeletedTableBackup, listed only for BackupType SYSTEM or ALL (developer guide, PointInTimeRecovery_Howitworks; API_BackupDetails; DDB-BACKUP-014, DDB-BACKUP-015)")
            .step("UpdateContinuousBackups", recovery_on.clone())
            .step("PutItem", put(item.clone()))
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .step("ListBackups", list(json!({})))
            .step("ListBackups", list(json!({"BackupType": "SYSTEM"})))
            .step("DescribeBackup", json!({"BackupArn": answer(5, "/BackupSummaries/0/BackupArn")}))
            .step("RestoreTableFromBackup", restore(&answer(5, "/BackupSummaries/0/BackupArn"), json!({"TargetTableName": "$Pt"})))
            .step("Scan", json!({"TableName": "$Pt"})),
        base("no-system-backup-without-recovery", "a table deleted without point-in-time recovery leaves no SYSTEM backup (DDB-BACKUP-015)")
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .step("ListBackups", list(json!({"BackupType": "ALL"}))),
        base("restore-and-read", "RestoreTableFromBackup creates the table with the backup's items and a RestoreSummary naming the backup (API_RestoreTableFromBackup, API_RestoreSummary)")
            .step("PutItem", put(item.clone()))
            .step("CreateBackup", create_backup("nightly"))
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}))
            .step("RestoreTableFromBackup", restore(&backup_arn(2), json!({})))
            .step("Scan", json!({"TableName": "$Pr"})),
        base("restore-target-exists", "the target table exists: TableAlreadyExistsException (API_RestoreTableFromBackup)")
            .step("CreateBackup", create_backup("nightly"))
            .step("RestoreTableFromBackup", restore(&backup_arn(1), json!({"TargetTableName": "$Pt"}))),
        base("restore-missing-backup", "a backup that does not exist: BackupNotFoundException (API_RestoreTableFromBackup)")
            .step("RestoreTableFromBackup", restore(NO_SUCH_BACKUP, json!({}))),
        base("restore-unknown-index-override", "an index override the source never had (DDB-TABLE-442's wording)")
            .step("CreateBackup", create_backup("nightly"))
            .step(
                "RestoreTableFromBackup",
                restore(
                    &backup_arn(1),
                    json!({"GlobalSecondaryIndexOverride": [{"IndexName": "nope", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
                ),
            ),
        base("restore-bad-billing-mode", "BillingModeOverride outside PROVISIONED, PAY_PER_REQUEST (API_RestoreTableFromBackup)")
            .step("CreateBackup", create_backup("nightly"))
            .step("RestoreTableFromBackup", restore(&backup_arn(1), json!({"BillingModeOverride": "FREE"}))),
        base("restore-without-target", "TargetTableName is required (API_RestoreTableFromBackup)")
            .step("CreateBackup", create_backup("nightly"))
            .step("RestoreTableFromBackup", json!({"BackupArn": backup_arn(1)})),
    ]
}
