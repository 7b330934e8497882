//! `DescribeTable.json`: unknown tables, a missing name, a table after writes.

use super::usual;
use crate::scenario::{Expect, Scenario};
use serde_json::json;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("DescribeTable/missing-table", "DescribeTable of an unknown table").expect(
            "DescribeTable",
            json!({"TableName": "$Pnone"}),
            Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pnone not found"),
        ),
        Scenario::new("DescribeTable/missing-name", "TableName is required").step("DescribeTable", json!({})),
        Scenario::new("DescribeTable/after-puts", "DescribeTable after writes")
            .step("CreateTable", usual())
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}))
            .step("DescribeTable", json!({"TableName": "$Pt"})),
    ]
}
