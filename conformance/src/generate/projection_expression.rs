//! `ProjectionExpression.json`: GetItem with each projection of the grammar
//! (valid and invalid).

use super::expressions::seeded;
use super::{get, key};
use crate::scenario::Scenario;
use serde_json::json;

const PROJECTIONS: [&str; 10] =
    ["n", "l[2].k, l[0], m.deep", "nope, m.nope", "#n, s", "n, n", "m, m.x", "l[0], l.x", "status", "n,", ""];

pub(super) fn scenarios() -> Vec<Scenario> {
    PROJECTIONS
        .iter()
        .enumerate()
        .map(|(i, projection)| {
            let mut body = get(key("a", 1));
            body["ProjectionExpression"] = json!(projection);
            if projection.contains("#n") {
                body["ExpressionAttributeNames"] = json!({"#n": "n"});
            }
            seeded(format!("ProjectionExpression/get-{i}"), &format!("GetItem projecting `{projection}`"))
                .step("GetItem", body)
        })
        .collect()
}
