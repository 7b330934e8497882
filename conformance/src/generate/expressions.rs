//! What the three expression families (`condition_expression.rs`,
//! `update_item.rs`, `projection_expression.rs`) share: the item every
//! scenario starts from and the placeholder values. Each rejected request is
//! followed by a read showing nothing was written.

use super::{key, put, usual, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

/// The item every expression scenario starts from.
fn seed() -> Value {
    with(
        key("a", 1),
        json!({
            "n": {"N": "5"}, "s": {"S": "héllo"}, "ss": {"SS": ["x", "y"]},
            "l": {"L": [{"N": "1"}, {"S": "two"}, {"M": {"k": {"S": "v"}}}]},
            "m": {"M": {"x": {"S": "y"}, "deep": {"M": {"z": {"N": "0"}}}}}
        }),
    )
}

pub(super) fn seeded(name: String, doc: &str) -> Scenario {
    Scenario::new(name, doc).step("CreateTable", usual()).step("PutItem", put(seed()))
}

fn values() -> Value {
    json!({
        ":one": {"N": "1"}, ":five": {"N": "5"}, ":s": {"S": "hé"}, ":x": {"S": "x"}, ":l": {"L": [{"S": "z"}]},
        ":ss": {"SS": ["y", "w"]}, ":b": {"BOOL": true}, ":type": {"S": "SS"}
    })
}

/// Keeps only the placeholders `expression` mentions (DynamoDB rejects unused ones).
pub(super) fn used_values(expressions: &[&str]) -> Option<Value> {
    let all = values();
    let map: serde_json::Map<String, Value> = all
        .as_object()?
        .iter()
        .filter(|(k, _)| expressions.iter().any(|e| mentions(e, k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

fn mentions(expression: &str, placeholder: &str) -> bool {
    expression.match_indices(placeholder).any(|(i, _)| {
        let after = expression[i + placeholder.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}
