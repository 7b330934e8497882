//! `TimeToLive.json`: DescribeTimeToLive and UpdateTimeToLive: the settings,
//! turning Time to Live on and off (and the errors of doing either twice or on
//! another attribute), and the requests' validation. Expiry itself runs on the
//! clock and is covered by the SDK tests.

use super::{usual, validation};
use crate::scenario::Scenario;
use serde_json::{json, Value};

fn ttl(enabled: bool, attribute: &str) -> Value {
    json!({"TableName": "$Pt", "TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}})
}

fn on_table(name: &str, doc: &str) -> Scenario {
    Scenario::new(format!("TimeToLive/{name}"), doc).step("CreateTable", usual())
}

/// Turned on on `ttl` (DynamoDB then refuses any other change for about an
/// hour, but checks the request first: every error below comes first).
fn enabled(name: &str, doc: &str) -> Scenario {
    on_table(name, doc).step("UpdateTimeToLive", ttl(true, "ttl"))
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let other_attribute =
        || validation("TimeToLive is active on a different AttributeName: current AttributeName is ttl");
    let long_name = "a".repeat(256);
    vec![
        on_table("describe-new-table", "a new table has Time to Live off")
            .step("DescribeTimeToLive", json!({"TableName": "$Pt"})),
        enabled("enable", "turning it on names the attribute").step("DescribeTimeToLive", json!({"TableName": "$Pt"})),
        on_table("enable-on-key", "the attribute may be the partition key")
            .step("UpdateTimeToLive", ttl(true, "pk"))
            .step("DescribeTimeToLive", json!({"TableName": "$Pt"})),
        enabled("enable-twice", "on twice").step("UpdateTimeToLive", ttl(true, "ttl")),
        enabled("enable-other-attribute", "on for another attribute while on").expect(
            "UpdateTimeToLive",
            ttl(true, "expires"),
            other_attribute(),
        ),
        enabled("disable-other-attribute", "off naming another attribute").expect(
            "UpdateTimeToLive",
            ttl(false, "expires"),
            other_attribute(),
        ),
        on_table("disable-never-enabled", "off when it is off").step("UpdateTimeToLive", ttl(false, "ttl")),
        Scenario::new("TimeToLive/describe-missing-table", "an unknown table")
            .step("DescribeTimeToLive", json!({"TableName": "$Pnone"})),
        Scenario::new("TimeToLive/update-missing-table", "an unknown table")
            .step("UpdateTimeToLive", json!({"TableName": "$Pnone", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}})),
        Scenario::new("TimeToLive/describe-missing-name", "TableName is required").step("DescribeTimeToLive", json!({})),
        Scenario::new("TimeToLive/update-bad-table-name", "TableName has the table-name constraints")
            .step("UpdateTimeToLive", json!({"TableName": "ab", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}})),
        on_table("update-missing-specification", "TimeToLiveSpecification is required")
            .step("UpdateTimeToLive", json!({"TableName": "$Pt"})),
        on_table("update-missing-attribute-name", "AttributeName is required to turn it on")
            .step("UpdateTimeToLive", json!({"TableName": "$Pt", "TimeToLiveSpecification": {"Enabled": true}})),
        on_table("update-missing-attribute-name-off", "AttributeName is required to turn it off")
            .step("UpdateTimeToLive", json!({"TableName": "$Pt", "TimeToLiveSpecification": {"Enabled": false}})),
        on_table("update-missing-enabled", "Enabled is required")
            .step("UpdateTimeToLive", json!({"TableName": "$Pt", "TimeToLiveSpecification": {"AttributeName": "ttl"}})),
        on_table("update-empty-attribute-name", "AttributeName has at least 1 character").expect(
            "UpdateTimeToLive",
            ttl(true, ""),
            validation("1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        ),
        on_table("update-long-attribute-name", "AttributeName has at most 255 characters").expect(
            "UpdateTimeToLive",
            ttl(true, &long_name),
            validation(&format!("1 validation error detected: Value '{long_name}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")),
        ),
    ]
}
