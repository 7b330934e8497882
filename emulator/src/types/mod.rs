//! Typed values: numbers, attribute values, items and keys. Everything past
//! the wire layer works with these, never with raw JSON.

pub mod codec;
pub mod ion;
pub mod key;
pub mod number;
pub mod value;

pub use codec::item_to_json;
pub use key::{KeyAttribute, KeySchema, KeyValue, PrimaryKey, ScalarType};
pub use number::Number;
pub use value::{item_from_json, item_size, AttributeValue, Item};
