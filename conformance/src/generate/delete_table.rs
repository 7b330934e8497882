//! `DeleteTable.json`: a deleted table is gone for reads and writes.

use super::{not_found_data_plane, usual};
use crate::scenario::{Expect, Scenario};
use serde_json::json;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("DeleteTable/then-describe", "a deleted table is gone")
            .step("CreateTable", usual())
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .expect(
                "DescribeTable",
                json!({"TableName": "$Pt"}),
                Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pt not found"),
            ),
        Scenario::new("DeleteTable/missing-table", "DeleteTable of an unknown table").expect(
            "DeleteTable",
            json!({"TableName": "$Pnone"}),
            Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pnone not found"),
        ),
        Scenario::new("DeleteTable/then-put", "writes to a deleted table fail")
            .step("CreateTable", usual())
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .expect(
                "PutItem",
                json!({"TableName": "$Pt", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
                not_found_data_plane(),
            ),
        Scenario::new("DeleteTable/missing-name", "TableName is required").step("DeleteTable", json!({})),
    ]
}
