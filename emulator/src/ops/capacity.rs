//! Consumed capacity, computed the way DynamoDB documents it: writes in
//! 1 KB units, reads in 4 KB units (half for eventually consistent reads),
//! every operation at least one unit.

use super::input::CapacityDetail;
use serde_json::{json, Map, Value};

pub fn write_units(size_bytes: usize) -> f64 {
    size_bytes.div_ceil(1024).max(1) as f64
}

pub fn read_units(size_bytes: usize, consistent: bool) -> f64 {
    let units = size_bytes.div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// What one operation consumed on a table and its indexes.
#[derive(Debug, Default, Clone)]
pub struct Consumed {
    pub table_name: String,
    pub table: f64,
    pub global_indexes: Vec<(String, f64)>,
    pub local_indexes: Vec<(String, f64)>,
}

impl Consumed {
    pub fn table(table_name: &str, units: f64) -> Consumed {
        Consumed { table_name: table_name.to_string(), table: units, ..Consumed::default() }
    }

    pub fn total(&self) -> f64 {
        self.table + self.global_indexes.iter().chain(&self.local_indexes).map(|(_, u)| u).sum::<f64>()
    }

    /// The `ConsumedCapacity` element, or `None` when it was not asked for.
    pub fn to_json(&self, detail: CapacityDetail) -> Option<Value> {
        match detail {
            CapacityDetail::None => None,
            CapacityDetail::Total => Some(json!({ "TableName": self.table_name, "CapacityUnits": self.total() })),
            CapacityDetail::Indexes => {
                let mut out = Map::new();
                out.insert("TableName".into(), json!(self.table_name));
                out.insert("CapacityUnits".into(), json!(self.total()));
                out.insert("Table".into(), json!({ "CapacityUnits": self.table }));
                let section = |indexes: &[(String, f64)]| -> Value {
                    indexes
                        .iter()
                        .map(|(n, u)| (n.clone(), json!({ "CapacityUnits": u })))
                        .collect::<Map<_, _>>()
                        .into()
                };
                if !self.global_indexes.is_empty() {
                    out.insert("GlobalSecondaryIndexes".into(), section(&self.global_indexes));
                }
                if !self.local_indexes.is_empty() {
                    out.insert("LocalSecondaryIndexes".into(), section(&self.local_indexes));
                }
                Some(Value::Object(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up() {
        assert_eq!(write_units(0), 1.0);
        assert_eq!(write_units(1024), 1.0);
        assert_eq!(write_units(1025), 2.0);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(100, false), 0.5);
    }
}
