//! What an operation answers. Most operations build a `serde_json::Value`;
//! those that return items (GetItem, Query, Scan and the writes' `Attributes`)
//! write their JSON straight to bytes with [`ObjectWriter`]: building a
//! `Value` costs a map per attribute, which dominated their CPU time.

use crate::storage::StoredItem;
use crate::types::codec::{json, write_item_json};
use crate::types::Item;
use serde_json::Value;

pub enum Reply {
    Json(Value),
    /// A complete JSON object, already encoded.
    Encoded(Vec<u8>),
}

impl Reply {
    /// The body's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Reply::Json(value) => serde_json::to_vec(&value).unwrap_or_default(),
            Reply::Encoded(bytes) => bytes,
        }
    }

    /// As a `Value` (for callers that inspect or change a reply).
    pub fn into_value(self) -> Value {
        match self {
            Reply::Json(value) => value,
            Reply::Encoded(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }
}

/// Anything written as an item's wire JSON: a decoded [`Item`], or a
/// [`StoredItem`] straight from its bytes.
pub trait ItemJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

impl ItemJson for Item {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_item_json(out, self);
    }
}

impl ItemJson for StoredItem {
    fn write_json(&self, out: &mut Vec<u8>) {
        StoredItem::write_json(self, out);
    }
}

impl<T: ItemJson + ?Sized> ItemJson for &T {
    fn write_json(&self, out: &mut Vec<u8>) {
        (**self).write_json(out);
    }
}

/// Writes one JSON object field by field.
pub struct ObjectWriter {
    out: Vec<u8>,
    empty: bool,
}

impl ObjectWriter {
    pub fn new() -> ObjectWriter {
        let mut out = Vec::with_capacity(512);
        out.push(b'{');
        ObjectWriter { out, empty: true }
    }

    fn name(&mut self, name: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        json::write_str(&mut self.out, name);
        self.out.push(b':');
    }

    pub fn value(&mut self, name: &str, value: &Value) {
        self.name(name);
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    pub fn item(&mut self, name: &str, item: &impl ItemJson) {
        self.name(name);
        item.write_json(&mut self.out);
    }

    pub fn items<T: ItemJson>(&mut self, name: &str, items: impl IntoIterator<Item = T>) {
        self.name(name);
        self.out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            item.write_json(&mut self.out);
        }
        self.out.push(b']');
    }

    pub fn finish(mut self) -> Reply {
        self.out.push(b'}');
        Reply::Encoded(self.out)
    }
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter::new()
    }
}

/// The answer of a single-item operation: the item (as `field`), consumed
/// capacity and item collection metrics, each when present.
pub fn item_response<T: ItemJson>(
    field: &str,
    item: Option<&T>,
    capacity: Option<Value>,
    metrics: Option<Value>,
) -> Reply {
    let mut out = ObjectWriter::new();
    if let Some(item) = item {
        out.item(field, item);
    }
    if let Some(capacity) = &capacity {
        out.value("ConsumedCapacity", capacity);
    }
    if let Some(metrics) = &metrics {
        out.value("ItemCollectionMetrics", metrics);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{item_from_json, item_to_json};
    use serde_json::json;

    #[test]
    fn written_items_are_the_json_of_their_values() {
        let item = item_from_json(&json!({
            "s": {"S": "quote \" backslash \\ newline \n ü \u{1}"}, "n": {"N": "-0012.50"},
            "b": {"B": "AAEC/w=="}, "e": {"B": ""}, "t": {"BOOL": true}, "f": {"BOOL": false}, "z": {"NULL": true},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1.0", "2"]}, "bs": {"BS": ["AA==", "AQ=="]},
            "l": {"L": [{"N": "1.0"}, {"L": []}, {"M": {"x": {"N": "007"}, "y": {"NS": ["3.00"]}}}]},
            "m": {"M": {"": {"S": ""}}},
        }))
        .expect("valid item");
        let mut writer = ObjectWriter::new();
        writer.item("Item", &item);
        writer.value("Count", &json!(1));
        writer.items("Items", [&item, &item]);
        let written: Value = serde_json::from_slice(&writer.finish().into_bytes()).expect("valid JSON");
        let expected = item_to_json(&item);
        assert_eq!(written, json!({"Item": expected, "Count": 1, "Items": [expected, expected]}));
    }

    #[test]
    fn an_empty_object_is_valid_json() {
        assert_eq!(ObjectWriter::new().finish().into_value(), json!({}));
    }
}
