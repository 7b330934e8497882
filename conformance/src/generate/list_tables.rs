//! `ListTables.json`: paging through names and the limits of its parameters.

use super::create;
use crate::scenario::Scenario;
use serde_json::json;

pub(super) fn scenarios() -> Vec<Scenario> {
    let three = |s: Scenario| {
        s.step("CreateTable", create("$Pa", ("k", "S"), None))
            .step("CreateTable", create("$Pb", ("k", "S"), None))
            .step("CreateTable", create("$Pc", ("k", "S"), None))
    };
    vec![
        three(Scenario::new("ListTables/paging", "Limit and ExclusiveStartTableName page through names"))
            .step("ListTables", json!({"Limit": 2, "ExclusiveStartTableName": "$P"}))
            .step("ListTables", json!({"Limit": 2, "ExclusiveStartTableName": "$Pb"})),
        three(Scenario::new("ListTables/limit-one", "Limit 1 returns one name and where to go on"))
            .step("ListTables", json!({"Limit": 1, "ExclusiveStartTableName": "$Pa"})),
        Scenario::new("ListTables/limit-zero", "Limit must be at least 1").step("ListTables", json!({"Limit": 0})),
        Scenario::new("ListTables/limit-over-100", "Limit is at most 100").step("ListTables", json!({"Limit": 101})),
        Scenario::new("ListTables/start-name-too-short", "ExclusiveStartTableName follows table-name rules")
            .step("ListTables", json!({"ExclusiveStartTableName": "ab"})),
    ]
}
