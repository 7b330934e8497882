//! Items as a table keeps them: one shared, immutable allocation holding the
//! item's primary key and a compact binary encoding of its attributes, about
//! the item's own size (a `BTreeMap` item costs five to six times that in
//! nodes and small allocations).
//!
//! The table and each of its indexes hold the same allocation (an `Arc`), so
//! an index read reaches the item without a lookup in the table, and copying
//! one out of the lock is a reference count. Operations work on decoded
//! [`Item`]s, or write the JSON straight from the bytes
//! ([`StoredItem::write_json`]). Only this module knows the layout:
//!
//! ```text
//! stored := varint(len) key item                         key: the PrimaryKey's bytes
//! item   := varint(size) varint(count) (name value)*     size: DynamoDB's item size
//! name   := varint(len) utf8
//! value  := tag payload                                  tags: see `tag`
//! ```

use crate::types::value::json;
use crate::types::{AttributeValue, Item, Number, PrimaryKey};
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

mod tag {
    pub const S: u8 = 0;
    pub const N: u8 = 1;
    pub const B: u8 = 2;
    pub const FALSE: u8 = 3;
    pub const TRUE: u8 = 4;
    pub const NULL: u8 = 5;
    pub const SS: u8 = 6;
    pub const NS: u8 = 7;
    pub const BS: u8 = 8;
    pub const L: u8 = 9;
    pub const M: u8 = 10;
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

    /// Writes the item's wire JSON: the same text as `types::value::write_item_json`
    /// of [`StoredItem::decode`], without building the item.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut reader = self.item_reader();
        reader.varint();
        reader.write_map(out, false);
    }

    fn item_reader(&self) -> Reader<'_> {
        let mut reader = Reader { bytes: &self.bytes };
        reader.bytes();
        reader
    }
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_map(out: &mut Vec<u8>, map: &Item) {
    put_varint(out, map.len() as u64);
    for (name, value) in map {
        put_bytes(out, name.as_bytes());
        put_value(out, value);
    }
}

fn put_number(out: &mut Vec<u8>, n: &Number) {
    let (negative, exp, buf, digits_len) = n.raw_parts();
    out.push(negative as u8);
    // Zigzag, so small negative exponents stay one byte.
    put_varint(out, ((exp << 1) ^ (exp >> 31)) as u32 as u64);
    out.push(digits_len);
    put_bytes(out, buf.as_bytes());
}

/// A tag, a count, then each element.
fn put_list<T>(out: &mut Vec<u8>, tag: u8, items: &[T], put: impl Fn(&mut Vec<u8>, &T)) {
    out.push(tag);
    put_varint(out, items.len() as u64);
    items.iter().for_each(|item| put(out, item));
}

fn put_value(out: &mut Vec<u8>, value: &AttributeValue) {
    match value {
        AttributeValue::S(s) => {
            out.push(tag::S);
            put_bytes(out, s.as_bytes());
        }
        AttributeValue::N(n) => {
            out.push(tag::N);
            put_number(out, n);
        }
        AttributeValue::B(b) => {
            out.push(tag::B);
            put_bytes(out, b);
        }
        AttributeValue::Bool(b) => out.push(if *b { tag::TRUE } else { tag::FALSE }),
        AttributeValue::Null => out.push(tag::NULL),
        AttributeValue::SS(set) => put_list(out, tag::SS, set, |out, s| put_bytes(out, s.as_bytes())),
        AttributeValue::NS(set) => put_list(out, tag::NS, set, put_number),
        AttributeValue::BS(set) => put_list(out, tag::BS, set, |out, b| put_bytes(out, b)),
        AttributeValue::L(list) => put_list(out, tag::L, list, put_value),
        AttributeValue::M(map) => {
            out.push(tag::M);
            put_map(out, map);
        }
    }
}

/// Reads what the `put_*` functions wrote. The bytes never come from outside
/// the process, so a malformed encoding is a bug of this module: it panics
/// (and the request is answered 500), it is not a client error.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.bytes.split_first().expect("stored item: truncated");
        self.bytes = rest;
        *first
    }

    fn varint(&mut self) -> u64 {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    fn bytes(&mut self) -> &'a [u8] {
        let len = self.varint() as usize;
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        head
    }

    fn string(&mut self) -> String {
        String::from_utf8(self.bytes().to_vec()).expect("stored item: names and strings are UTF-8")
    }

    fn str(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).expect("stored item: names, strings and numbers are UTF-8")
    }

    fn number(&mut self) -> Number {
        let negative = self.byte() != 0;
        let zigzag = self.varint() as u32;
        let exp = ((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32);
        let digits_len = self.byte();
        Number::from_raw_parts(negative, exp, self.str(), digits_len)
    }

    fn count(&mut self) -> usize {
        self.varint() as usize
    }

    fn map(&mut self) -> Item {
        let count = self.count();
        (0..count)
            .map(|_| {
                let name = self.string();
                (name, self.value())
            })
            .collect()
    }

    fn write_map(&mut self, out: &mut Vec<u8>, nested: bool) {
        let count = self.count();
        out.push(b'{');
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            json::write_str_bytes(out, self.bytes());
            out.push(b':');
            self.write_value(out, nested);
        }
        out.push(b'}');
    }

    fn write_list(&mut self, out: &mut Vec<u8>, tag: &str, mut each: impl FnMut(&mut Self, &mut Vec<u8>)) {
        let count = self.count();
        json::open(out, tag);
        out.push(b'[');
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            each(self, out);
        }
        out.extend_from_slice(b"]}");
    }

    // As `types::value::write_value`, reading the value's encoding; depth bounded as `value`.
    fn write_value(&mut self, out: &mut Vec<u8>, nested: bool) {
        match self.byte() {
            tag::S => {
                json::open(out, "S");
                json::write_str_bytes(out, self.bytes());
                out.push(b'}');
            }
            tag::N => {
                json::open(out, "N");
                json::write_number(out, &self.number(), nested);
                out.push(b'}');
            }
            tag::B => {
                json::open(out, "B");
                json::write_binary(out, self.bytes());
                out.push(b'}');
            }
            tag::FALSE => out.extend_from_slice(b"{\"BOOL\":false}"),
            tag::TRUE => out.extend_from_slice(b"{\"BOOL\":true}"),
            tag::NULL => out.extend_from_slice(b"{\"NULL\":true}"),
            tag::SS => self.write_list(out, "SS", |r, out| json::write_str_bytes(out, r.bytes())),
            tag::NS => self.write_list(out, "NS", |r, out| json::write_number(out, &r.number(), nested)),
            tag::BS => self.write_list(out, "BS", |r, out| json::write_binary(out, r.bytes())),
            tag::L => self.write_list(out, "L", |r, out| r.write_value(out, true)),
            tag::M => {
                json::open(out, "M");
                self.write_map(out, true);
                out.push(b'}');
            }
            other => panic!("stored item: unknown tag {other}"),
        }
    }

    // Depth is bounded by the nesting DynamoDB allows (32), checked when the item was accepted.
    fn value(&mut self) -> AttributeValue {
        match self.byte() {
            tag::S => AttributeValue::S(self.string()),
            tag::N => AttributeValue::N(self.number()),
            tag::B => AttributeValue::B(self.bytes().to_vec()),
            tag::FALSE => AttributeValue::Bool(false),
            tag::TRUE => AttributeValue::Bool(true),
            tag::NULL => AttributeValue::Null,
            tag::SS => AttributeValue::SS((0..self.count()).map(|_| self.string()).collect()),
            tag::NS => AttributeValue::NS((0..self.count()).map(|_| self.number()).collect()),
            tag::BS => AttributeValue::BS((0..self.count()).map(|_| self.bytes().to_vec()).collect()),
            tag::L => AttributeValue::L((0..self.count()).map(|_| self.value()).collect()),
            tag::M => AttributeValue::M(self.map()),
            other => panic!("stored item: unknown tag {other}"),
        }
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
        crate::types::value::write_item_json(&mut from_item, &back);
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
