//! Items as a table keeps them: one shared, immutable allocation holding the
//! item's primary key and a compact binary encoding of its attributes, about
//! the item's own size (a `BTreeMap` item costs five to six times that in
//! nodes and small allocations).
//!
//! The table and each of its indexes hold the same allocation (an `Arc`), so
//! an index read reaches the item without a lookup in the table, and copying
//! one out of the lock is a reference count. Operations work on decoded
//! [`Item`]s, or write the JSON straight from the bytes
//! ([`StoredItem::write_json`]). Only this module knows the layout around the item's encoding:
//!
//! ```text
//! stored := varint(len) key varint(size) map     key: the PrimaryKey's bytes; size: DynamoDB's item size
//! ```
//! (`map` is the item codec's encoding: `types::codec`.)

use crate::types::codec::{put_bytes, put_map, put_varint, Reader};
use crate::types::{Item, PrimaryKey};
use std::cmp::Ordering;
use triomphe::Arc;

/// An encoded item with its primary key. Stored items are equal and ordered
/// as their primary keys are (what an index group sorts its members by, so
/// items sharing an index key come in table key order).
#[derive(Clone)]
pub struct StoredItem {
    bytes: Arc<[u8]>,
}

impl PartialEq for StoredItem {
    fn eq(&self, other: &StoredItem) -> bool {
        self.key_bytes() == other.key_bytes()
    }
}

impl Eq for StoredItem {}

impl PartialOrd for StoredItem {
    fn partial_cmp(&self, other: &StoredItem) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for StoredItem {
    fn cmp(&self, other: &StoredItem) -> Ordering {
        (self.key_hash(), self.key_bytes()).cmp(&(other.key_hash(), other.key_bytes()))
    }
}

impl std::fmt::Debug for StoredItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.decode().fmt(f)
    }
}

impl StoredItem {
    pub fn encode(key: &PrimaryKey, item: &Item) -> StoredItem {
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|out| {
            out.clear();
            put_bytes(out, key.bytes());
            put_varint(out, crate::types::item_size(item) as u64);
            put_map(out, item);
            // Copied out at its exact size: a grown vector would keep its spare room.
            let stored = StoredItem { bytes: Arc::from(out.as_slice()) };
            if out.capacity() > 64 * 1024 {
                *out = Vec::new();
            }
            stored
        })
    }

    pub fn decode(&self) -> Item {
        let mut reader = self.item_reader();
        reader.varint();
        reader.map()
    }

    /// DynamoDB's size of the item (names plus values), without decoding it.
    pub fn size(&self) -> usize {
        self.item_reader().varint() as usize
    }

    /// The item's encoded primary key ([`PrimaryKey::bytes`]), without copying it.
    pub fn key_bytes(&self) -> &[u8] {
        Reader { bytes: &self.bytes }.bytes()
    }

    pub fn key(&self) -> PrimaryKey {
        PrimaryKey::from_bytes(self.key_bytes())
    }

    /// The key's partition hash ([`PrimaryKey::hash`]), computed: it is not
    /// stored, as only index groups compare items, and rarely.
    fn key_hash(&self) -> u64 {
        crate::types::key::partition_hash(&crate::types::key::encoding::Reader(self.key_bytes()).value())
    }

    /// How this item's key compares with `key`, in table key order.
    pub fn cmp_key(&self, key: &PrimaryKey) -> Ordering {
        (self.key_hash(), self.key_bytes()).cmp(&(key.hash, key.bytes()))
    }

    /// Writes the item's wire JSON (the item codec's writer), without decoding the item.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut reader = self.item_reader();
        reader.varint();
        reader.write_map(out, false);
    }

    /// The whole encoding (key, size and item): what the durable journal writes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// An item from [`StoredItem::as_bytes`] (checked by the journal's CRC);
    /// `None` unless the key and size read back.
    pub fn from_bytes(bytes: &[u8]) -> Option<StoredItem> {
        // The key's length, read without the reader's panics on truncated input.
        let prefix = bytes.iter().position(|b| *b < 0x80).filter(|at| *at < 10)?;
        let key_len = bytes[..=prefix].iter().rev().fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7f));
        (key_len < (bytes.len() - prefix) as u64).then(|| StoredItem { bytes: Arc::from(bytes) })
    }

    fn item_reader(&self) -> Reader<'_> {
        let mut reader = Reader { bytes: &self.bytes };
        reader.bytes();
        reader
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::item_from_json;
    use serde_json::json;

    #[test]
    fn every_type_survives_a_round_trip_with_its_size() {
        let item = item_from_json(&json!({
            "s": {"S": "text ü"}, "e": {"S": ""},
            "n": {"N": "-12.50"}, "big": {"N": "9.9999999999999999999999999999999999999E+125"},
            "tiny": {"N": "-1E-130"}, "zero": {"N": "0"},
            "b": {"B": "AAEC/w=="}, "t": {"BOOL": true}, "f": {"BOOL": false}, "null": {"NULL": true},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.50", "-3e2"]}, "bs": {"BS": ["AA==", "AQ=="]},
            "l": {"L": [{"N": "1.0"}, {"L": []}, {"M": {"x": {"N": "007"}}}]},
            "m": {"M": {"nested": {"M": {"deeper": {"SS": ["z"]}}}, "": {"S": "empty name"}}},
        }))
        .expect("valid item");
        let key = PrimaryKey::new(crate::types::KeyValue::S("k\u{0}ey".into()), None);
        let stored = StoredItem::encode(&key, &item);
        let back = stored.decode();
        assert_eq!(back, item);
        assert_eq!(stored.size(), crate::types::item_size(&item));
        assert_eq!(stored.key(), key);
        // The JSON written from the bytes is the JSON of the decoded item.
        let mut from_bytes = Vec::new();
        stored.write_json(&mut from_bytes);
        let mut from_item = Vec::new();
        crate::types::codec::write_item_json(&mut from_item, &back);
        assert_eq!(String::from_utf8(from_bytes).unwrap(), String::from_utf8(from_item).unwrap());
        // Numbers inside lists and maps keep the text they were written with.
        assert_eq!(crate::types::item_to_json(&back)["l"]["L"][0], json!({"N": "1.0"}));
        assert_eq!(crate::types::item_to_json(&back), crate::types::item_to_json(&item));
    }

    #[test]
    fn an_empty_item_round_trips() {
        let key = PrimaryKey::new(crate::types::KeyValue::S("k".into()), None);
        let stored = StoredItem::encode(&key, &Item::new());
        assert_eq!(stored.decode(), Item::new());
        assert_eq!(stored.size(), 0);
    }
}
