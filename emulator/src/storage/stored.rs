//! Items as a table keeps them: one allocation holding a compact binary
//! encoding of the attributes, about the item's own size (a `BTreeMap` item
//! costs five to six times that in nodes and small allocations).
//!
//! Operations work on decoded [`Item`]s; a table decodes an item when it is
//! read and encodes it when it is written. Only this module knows the layout:
//!
//! ```text
//! item  := varint(size) varint(count) (name value)*      size: DynamoDB's item size
//! name  := varint(len) utf8
//! value := tag payload                                   tags: see `Tag`
//! ```

use crate::types::{AttributeValue, Item, Number};

/// An encoded item and, in its first bytes, its DynamoDB size.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredItem {
    bytes: Box<[u8]>,
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
    pub fn encode(item: &Item) -> StoredItem {
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUFFER.with_borrow_mut(|out| {
            out.clear();
            put_varint(out, crate::types::item_size(item) as u64);
            put_map(out, item);
            // Copied out at its exact size: a grown vector would keep its spare room.
            let stored = StoredItem { bytes: out.as_slice().into() };
            if out.capacity() > 64 * 1024 {
                *out = Vec::new();
            }
            stored
        })
    }

    pub fn decode(&self) -> Item {
        let mut reader = Reader { bytes: &self.bytes };
        reader.varint();
        reader.map()
    }

    /// DynamoDB's size of the item (names plus values), without decoding it.
    pub fn size(&self) -> usize {
        Reader { bytes: &self.bytes }.varint() as usize
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
        AttributeValue::SS(set) => {
            out.push(tag::SS);
            put_varint(out, set.len() as u64);
            set.iter().for_each(|s| put_bytes(out, s.as_bytes()));
        }
        AttributeValue::NS(set) => {
            out.push(tag::NS);
            put_varint(out, set.len() as u64);
            set.iter().for_each(|n| put_number(out, n));
        }
        AttributeValue::BS(set) => {
            out.push(tag::BS);
            put_varint(out, set.len() as u64);
            set.iter().for_each(|b| put_bytes(out, b));
        }
        AttributeValue::L(list) => {
            out.push(tag::L);
            put_varint(out, list.len() as u64);
            list.iter().for_each(|v| put_value(out, v));
        }
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
        std::str::from_utf8(self.bytes()).expect("stored item: numbers are ASCII")
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
        let stored = StoredItem::encode(&item);
        let back = stored.decode();
        assert_eq!(back, item);
        assert_eq!(stored.size(), crate::types::item_size(&item));
        // Numbers inside lists and maps keep the text they were written with.
        assert_eq!(crate::types::item_to_json(&back)["l"]["L"][0], json!({"N": "1.0"}));
        assert_eq!(crate::types::item_to_json(&back), crate::types::item_to_json(&item));
    }

    #[test]
    fn an_empty_item_round_trips() {
        let stored = StoredItem::encode(&Item::new());
        assert_eq!(stored.decode(), Item::new());
        assert_eq!(stored.size(), 0);
    }
}
