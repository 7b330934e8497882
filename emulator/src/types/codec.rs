//! The item codec: items in a compact binary encoding, and the one writer
//! of items' wire JSON, which reads that encoding.
//!
//! Stored items (`storage::StoredItem`) keep this encoding, so GetItem and
//! Query pages write their JSON straight from the table's bytes. A decoded
//! [`Item`] is written by encoding it first ([`write_item_json`]): one
//! writer, so an item reads back the same whichever way it is held.
//! (Reading wire JSON into items is `value::item_from_json`.)
//!
//! ```text
//! map    := varint(count) (name value)*
//! name   := varint(len) utf8
//! value  := tag payload                                  tags: see `tag`
//! ```

use super::{AttributeValue, Item, Number};
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

pub mod tag {
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

/// Writes an item's wire JSON to `out` (numbers at the top level canonical,
/// inside lists and maps as written).
pub fn write_item_json(out: &mut Vec<u8>, item: &Item) {
    with_scratch(|scratch| {
        put_map(scratch, item);
        Reader { bytes: scratch }.write_map(out, false);
    })
}

/// An item's wire JSON as a `serde_json::Value` (replies built as values,
/// error details, fixtures).
pub fn item_to_json(item: &Item) -> Value {
    let mut out = Vec::new();
    write_item_json(&mut out, item);
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// One top-level value's wire JSON (a key attribute, an expression value).
pub fn value_to_json(value: &AttributeValue) -> Value {
    let mut out = Vec::new();
    with_scratch(|scratch| {
        put_value(scratch, value);
        Reader { bytes: scratch }.write_value(&mut out, false);
    });
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// A reusable per-thread encoding buffer (writing an item is frequent; a
/// fresh buffer each time would be an allocation per reply).
fn with_scratch<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        let result = f(scratch);
        if scratch.capacity() > 64 * 1024 {
            *scratch = Vec::new();
        }
        result
    })
}

/// Pieces of the wire JSON: the codec's writer and `ops::reply::ObjectWriter` use them.
pub(crate) mod json {
    use super::{Number, BASE64};
    use base64::Engine;

    pub fn write_str(out: &mut Vec<u8>, s: &str) {
        write_str_bytes(out, s.as_bytes());
    }

    /// A JSON string from the bytes of a Rust string (stored items keep
    /// theirs as bytes; JSON escapes only ASCII, so no UTF-8 check is needed
    /// to copy one that has nothing to escape, the common case).
    pub fn write_str_bytes(out: &mut Vec<u8>, s: &[u8]) {
        // Counted rather than `any`: no early exit, so the check vectorizes.
        let needs_escape =
            s.iter().map(|&b| u8::from(b < 0x20 || b == b'"' || b == b'\\')).fold(0u8, |a, x| a | x) != 0;
        if !needs_escape {
            out.reserve(s.len() + 2);
            out.push(b'"');
            out.extend_from_slice(s);
            out.push(b'"');
        } else {
            // Writing to a Vec cannot fail; the bytes are a Rust string's, so nothing is lost.
            let _ = serde_json::to_writer(&mut *out, &*String::from_utf8_lossy(s));
        }
    }

    /// Top-level numbers are written canonical, nested ones as they were written.
    pub fn write_number(out: &mut Vec<u8>, n: &Number, nested: bool) {
        out.push(b'"');
        if nested {
            out.extend_from_slice(n.written().as_bytes());
        } else {
            use std::io::Write;
            let _ = write!(out, "{n}");
        }
        out.push(b'"');
    }

    pub fn write_binary(out: &mut Vec<u8>, b: &[u8]) {
        out.push(b'"');
        let start = out.len();
        out.resize(start + base64::encoded_len(b.len(), true).unwrap_or(0), 0);
        let written = BASE64.encode_slice(b, &mut out[start..]).unwrap_or(0);
        out.truncate(start + written);
        out.push(b'"');
    }

    /// `{"TAG":` (the caller writes the payload and the closing brace).
    pub fn open(out: &mut Vec<u8>, tag: &str) {
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(tag.as_bytes());
        out.extend_from_slice(b"\":");
    }
}

pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Encodes a map of attributes (an item, or an `M` value's payload).
pub fn put_map(out: &mut Vec<u8>, map: &Item) {
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
pub struct Reader<'a> {
    pub bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn byte(&mut self) -> u8 {
        let (first, rest) = self.bytes.split_first().expect("stored item: truncated");
        self.bytes = rest;
        *first
    }

    pub fn varint(&mut self) -> u64 {
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

    pub fn bytes(&mut self) -> &'a [u8] {
        let len = self.varint() as usize;
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        head
    }

    pub fn string(&mut self) -> String {
        String::from_utf8(self.bytes().to_vec()).expect("stored item: names and strings are UTF-8")
    }

    pub fn str(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).expect("stored item: names, strings and numbers are UTF-8")
    }

    pub fn number(&mut self) -> Number {
        let negative = self.byte() != 0;
        let zigzag = self.varint() as u32;
        let exp = ((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32);
        let digits_len = self.byte();
        Number::from_raw_parts(negative, exp, self.str(), digits_len)
    }

    pub fn count(&mut self) -> usize {
        self.varint() as usize
    }

    pub fn map(&mut self) -> Item {
        let count = self.count();
        (0..count)
            .map(|_| {
                let name = self.string();
                (name, self.value())
            })
            .collect()
    }

    pub fn write_map(&mut self, out: &mut Vec<u8>, nested: bool) {
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

    /// Writes the next value's wire JSON (numbers canonical at the top
    /// level, as written when `nested`); depth bounded as `value`.
    pub fn write_value(&mut self, out: &mut Vec<u8>, nested: bool) {
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
    pub fn value(&mut self) -> AttributeValue {
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
