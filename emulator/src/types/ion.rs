//! Amazon Ion text as DynamoDB's exports and imports use it (developer
//! guide, "DynamoDB table export output format", Ion section): an item is a
//! struct; strings are strings, numbers decimals (`103.`, `2.5d3`), binary
//! blobs (`{{base64}}`), booleans `true`/`false`, NULL `null`, lists and
//! maps Ion lists and structs, and sets lists annotated `$dynamodb_SS::`,
//! `$dynamodb_NS::` or `$dynamodb_BS::`.
//!
//! The reader takes the Ion text such files hold (version markers, comments,
//! annotations, quoted symbols, long strings, typed nulls) into wire JSON
//! (`{"S": ...}`), so the items it reads are checked by `item_from_json`
//! like any other. Nesting is bounded ([`MAX_DEPTH`]): the reader recurses
//! once per level.

use super::{AttributeValue, Item, Number};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value};

/// Deepest nesting the reader accepts: an item's 32 levels, its `Item`
/// wrapper and a set, with room to spare.
pub const MAX_DEPTH: usize = 40;

/// Writes `item` as an Ion struct.
pub fn write_item(out: &mut String, item: &Item) {
    out.push('{');
    for (i, (name, value)) in item.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_symbol(out, name);
        out.push(':');
        write_value(out, value);
    }
    out.push('}');
}

fn write_value(out: &mut String, value: &AttributeValue) {
    match value {
        AttributeValue::S(s) => write_string(out, s),
        AttributeValue::N(n) => write_decimal(out, n),
        AttributeValue::B(b) => write_blob(out, b),
        AttributeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AttributeValue::Null => out.push_str("null"),
        AttributeValue::SS(set) => write_set(out, "SS", set, |out, s| write_string(out, s)),
        AttributeValue::NS(set) => write_set(out, "NS", set, write_decimal),
        AttributeValue::BS(set) => write_set(out, "BS", set, |out, b| write_blob(out, b)),
        AttributeValue::L(list) => write_list(out, list, write_value),
        AttributeValue::M(map) => write_item(out, map),
    }
}

/// A set: a list annotated with its type.
fn write_set<T>(out: &mut String, kind: &str, set: &[T], write: impl Fn(&mut String, &T)) {
    out.push_str("$dynamodb_");
    out.push_str(kind);
    out.push_str("::");
    write_list(out, set, write);
}

fn write_list<T>(out: &mut String, list: &[T], write: impl Fn(&mut String, &T)) {
    out.push('[');
    for (i, v) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, v);
    }
    out.push(']');
}

/// A number as an Ion decimal: the exponent marked `d`, and a point where
/// there is neither point nor exponent (`100` would be an Ion integer).
fn write_decimal(out: &mut String, n: &Number) {
    let text = n.written();
    let decimal = text.replace('e', "d").replace('E', "D");
    let needs_point = !decimal.contains(['.', 'd', 'D']);
    out.push_str(&decimal);
    if needs_point {
        out.push('.');
    }
}

fn write_blob(out: &mut String, bytes: &[u8]) {
    out.push_str("{{");
    out.push_str(&BASE64.encode(bytes));
    out.push_str("}}");
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    escape_into(out, s, '"');
    out.push('"');
}

/// A field name: bare when it is an identifier Ion does not reserve, quoted otherwise.
fn write_symbol(out: &mut String, name: &str) {
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "null" | "true" | "false" | "nan");
    if bare {
        out.push_str(name);
    } else {
        out.push('\'');
        escape_into(out, name, '\'');
        out.push('\'');
    }
}

fn escape_into(out: &mut String, s: &str, quote: char) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// Reads every top-level value of an Ion text (version markers skipped) as
/// DynamoDB's wire JSON of the value: structs become `{"M": ...}`, and so on.
/// Each value is paired with the line it starts on.
#[cfg(test)]
pub fn read_values(text: &str) -> Result<Vec<(usize, Value)>, String> {
    values(text).collect()
}

/// [`read_values`] one value at a time: the values before an error are read,
/// and nothing after it.
pub fn values(text: &str) -> Values<'_> {
    Values { reader: Reader { bytes: text.as_bytes(), pos: 0, counted: std::cell::Cell::new((0, 1)) }, failed: false }
}

pub struct Values<'a> {
    reader: Reader<'a>,
    failed: bool,
}

impl Iterator for Values<'_> {
    type Item = Result<(usize, Value), String>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            let reader = &mut self.reader;
            let read = reader.skip_space().and_then(|()| {
                if reader.pos >= reader.bytes.len() {
                    return Ok(None);
                }
                let line = reader.line();
                Ok(Some((line, reader.value(0)?)))
            });
            match read {
                Ok(None) => return None,
                Ok(Some((_, Read::VersionMarker))) => {}
                Ok(Some((line, Read::Value(v)))) => return Some(Ok((line, v))),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

/// The wire JSON of an `{Item: {...}}` value's item (the form exports write).
pub fn item_of(value: &Value) -> Option<&Map<String, Value>> {
    value.get("M")?.get("Item")?.get("M")?.as_object()
}

enum Read {
    Value(Value),
    /// `$ion_1_0` at the top level.
    VersionMarker,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The line at a position read before (lines are counted from there: the reader only moves forward).
    counted: std::cell::Cell<(usize, usize)>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn line(&self) -> usize {
        let (at, line) = self.counted.get();
        let from = at.min(self.pos);
        let line = if from == at { line } else { 1 };
        let start = if from == at { at } else { 0 };
        let line = line + self.bytes[start..self.pos].iter().filter(|&&b| b == b'\n').count();
        self.counted.set((self.pos, line));
        line
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at line {}", self.line())
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes[self.pos..].starts_with(s.as_bytes())
    }

    fn skip_space(&mut self) -> Result<(), String> {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => self.pos += 1,
                Some(b'/') if self.starts_with("//") => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.starts_with("/*") => {
                    let end = self.bytes[self.pos + 2..].windows(2).position(|w| w == b"*/");
                    let end = end.ok_or_else(|| self.error("unterminated comment"))?;
                    self.pos += end + 4;
                }
                _ => return Ok(()),
            }
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        self.skip_space()?;
        if self.peek() != Some(b) {
            return Err(self.error(&format!("expected '{}'", b as char)));
        }
        self.pos += 1;
        Ok(())
    }

    /// One value with its annotations; `depth` levels of containers are open.
    fn value(&mut self, depth: usize) -> Result<Read, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("values nested too deeply"));
        }
        let mut annotation = None;
        loop {
            self.skip_space()?;
            let start = self.pos;
            let symbol = match self.peek() {
                Some(b'\'') if !self.starts_with("'''") => Some(self.quoted(b'\'')?),
                Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => Some(self.identifier()),
                _ => None,
            };
            let Some(symbol) = symbol else { break };
            self.skip_space()?;
            if self.starts_with("::") {
                self.pos += 2;
                annotation.get_or_insert(symbol);
                continue;
            }
            let quoted = self.bytes[start] == b'\'';
            return Ok(Read::Value(match symbol.as_str() {
                "$ion_1_0" if depth == 0 && !quoted => return Ok(Read::VersionMarker),
                "null" if !quoted => self.typed_null(),
                "true" if !quoted => json!({ "BOOL": true }),
                "false" if !quoted => json!({ "BOOL": false }),
                "nan" if !quoted => return Err(self.error("nan is not a DynamoDB number")),
                _ => json!({ "S": symbol }),
            }));
        }
        let value = match self.peek() {
            Some(b'{') if self.starts_with("{{") => json!({ "B": self.blob()? }),
            Some(b'{') => self.structure(depth)?,
            Some(b'[') => self.list(depth, annotation.as_deref())?,
            Some(b'"') => json!({ "S": self.quoted(b'"')? }),
            Some(b'\'') => json!({ "S": self.long_strings()? }),
            Some(b) if b.is_ascii_digit() || b == b'-' || b == b'+' => json!({ "N": self.number()? }),
            Some(b'(') => return Err(self.error("s-expressions are not DynamoDB values")),
            _ => return Err(self.error("expected a value")),
        };
        Ok(Read::Value(value))
    }

    fn identifier(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$') {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned()
    }

    /// `null` or a typed null (`null.string`): DynamoDB's NULL either way.
    fn typed_null(&mut self) -> Value {
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.identifier();
        }
        json!({ "NULL": true })
    }

    fn structure(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1;
        let mut fields = Map::new();
        loop {
            self.skip_space()?;
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(json!({ "M": fields }));
                }
                Some(b'"') => {}
                Some(b'\'') if self.starts_with("'''") => {}
                Some(b'\'') => {}
                Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => {}
                _ => return Err(self.error("expected a field name")),
            }
            let name = match self.peek() {
                Some(b'"') => self.quoted(b'"')?,
                Some(b'\'') if self.starts_with("'''") => self.long_strings()?,
                Some(b'\'') => self.quoted(b'\'')?,
                _ => self.identifier(),
            };
            self.expect(b':')?;
            let Read::Value(value) = self.value(depth + 1)? else { return Err(self.error("expected a value")) };
            fields.insert(name, value);
            self.skip_space()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    /// A list; annotated `$dynamodb_SS`/`NS`/`BS`, a set of that type.
    fn list(&mut self, depth: usize, annotation: Option<&str>) -> Result<Value, String> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space()?;
            if self.peek() == Some(b']') {
                self.pos += 1;
                break;
            }
            let Read::Value(value) = self.value(depth + 1)? else { return Err(self.error("expected a value")) };
            items.push(value);
            self.skip_space()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
        let set = match annotation {
            Some("$dynamodb_SS") => "S",
            Some("$dynamodb_NS") => "N",
            Some("$dynamodb_BS") => "B",
            _ => return Ok(json!({ "L": items })),
        };
        let members: Option<Vec<Value>> = items.iter().map(|v| v.get(set).cloned()).collect();
        let members = members.ok_or_else(|| self.error(&format!("a $dynamodb_{set}S set holds another type")))?;
        Ok(json!({ format!("{set}S"): members }))
    }

    fn blob(&mut self) -> Result<String, String> {
        self.pos += 2;
        let end = self.bytes[self.pos..].windows(2).position(|w| w == b"}}");
        let end = end.ok_or_else(|| self.error("unterminated blob"))?;
        let text: String = String::from_utf8_lossy(&self.bytes[self.pos..self.pos + end]).split_whitespace().collect();
        self.pos += end + 2;
        if text.starts_with('"') || text.starts_with("'''") {
            return Err(self.error("clobs are not DynamoDB values"));
        }
        BASE64.decode(&text).map_err(|_| self.error("invalid base64 in a blob"))?;
        Ok(text)
    }

    /// A number's text as DynamoDB writes it: Ion's `d` exponent as `e`,
    /// a trailing point dropped (`103.` is 103).
    fn number(&mut self) -> Result<String, String> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-')) {
            self.pos += 1;
        }
        let text: String = String::from_utf8_lossy(&self.bytes[start..self.pos]).replace('_', "");
        let valid =
            text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b'd' | b'D' | b'e' | b'E'));
        if !valid || matches!(text.as_str(), "+inf" | "-inf") {
            return Err(self.error(&format!("'{text}' is not a DynamoDB number")));
        }
        let text = text.replace('d', "e").replace('D', "E");
        Ok(text.strip_suffix('.').map(str::to_string).unwrap_or(text))
    }

    /// `'''long'''` strings, consecutive ones joined.
    fn long_strings(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            self.skip_space()?;
            if !self.starts_with("'''") {
                return Ok(out);
            }
            self.pos += 3;
            loop {
                if self.starts_with("'''") {
                    self.pos += 3;
                    break;
                }
                match self.peek() {
                    None => return Err(self.error("unterminated string")),
                    Some(b'\\') => self.escape(&mut out)?,
                    Some(_) => self.char_into(&mut out),
                }
            }
        }
    }

    /// A string or symbol in `quote`s.
    fn quoted(&mut self, quote: u8) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(self.error("unterminated string")),
                Some(b) if b == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => self.char_into(&mut out),
            }
        }
    }

    fn char_into(&mut self, out: &mut String) {
        let rest = &self.bytes[self.pos..];
        let len = match rest[0] {
            b if b < 0x80 => 1,
            b if b >= 0xf0 => 4,
            b if b >= 0xe0 => 3,
            _ => 2,
        }
        .min(rest.len());
        out.push_str(&String::from_utf8_lossy(&rest[..len]));
        self.pos += len;
    }

    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        self.pos += 1;
        let Some(b) = self.peek() else { return Err(self.error("unterminated escape")) };
        self.pos += 1;
        let simple = match b {
            b'n' => Some('\n'),
            b't' => Some('\t'),
            b'r' => Some('\r'),
            b'0' => Some('\0'),
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'v' => Some('\u{b}'),
            b'"' | b'\'' | b'\\' | b'/' | b'?' => Some(b as char),
            b'\n' => return Ok(()),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return Ok(());
        }
        let digits = match b {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => return Err(self.error("invalid escape")),
        };
        let hex = self.bytes.get(self.pos..self.pos + digits).ok_or_else(|| self.error("invalid escape"))?;
        let code = std::str::from_utf8(hex).ok().and_then(|h| u32::from_str_radix(h, 16).ok());
        let c = code.and_then(char::from_u32).ok_or_else(|| self.error("invalid escape"))?;
        self.pos += digits;
        out.push(c);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::item_from_json;

    #[test]
    fn every_type_survives_writing_and_reading() {
        let item = item_from_json(&json!({
            "s": {"S": "text ü \"quoted\"\n"}, "n": {"N": "-12.50"}, "big": {"N": "9.9999999999999999999999999999999999999E+125"},
            "int": {"N": "100"}, "b": {"B": "AAEC/w=="}, "t": {"BOOL": true}, "null": {"NULL": true},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["AA==", "AQ=="]},
            "l": {"L": [{"N": "1.0"}, {"N": "7"}, {"L": []}, {"M": {"x": {"N": "1E5"}}}]},
            "m": {"M": {"nested": {"M": {"deeper": {"SS": ["z"]}}}, "": {"S": "empty name"}, "null": {"S": "x"}}},
            "with space": {"S": "y"},
        }))
        .unwrap();
        let mut text = String::from("$ion_1_0 {Item:");
        write_item(&mut text, &item);
        text.push('}');
        let values = read_values(&text).unwrap();
        assert_eq!(values.len(), 1);
        let back = item_from_json(&Value::Object(item_of(&values[0].1).unwrap().clone())).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn reads_what_dynamodb_writes() {
        let text = "$ion_1_0 {Item:{Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],Id:103.,Price:2.E1,'Odd':null.string}}\n// a comment\n{Item:{Id:104d0,Blob:{{ AAE= }},Long:'''a''' '''b'''}}";
        let values = read_values(text).unwrap();
        assert_eq!(values.len(), 2);
        let first = item_of(&values[0].1).unwrap();
        assert_eq!(first["Id"], json!({"N": "103"}));
        assert_eq!(first["Price"], json!({"N": "2.E1"}));
        assert_eq!(first["Authors"], json!({"SS": ["Author1", "Author2"]}));
        assert_eq!(first["Odd"], json!({"NULL": true}));
        let second = item_of(&values[1].1).unwrap();
        assert_eq!((values[1].0, &second["Id"], &second["Long"]), (3, &json!({"N": "104e0"}), &json!({"S": "ab"})));
        assert_eq!(second["Blob"], json!({"B": "AAE="}));
    }

    /// Wire JSON of attribute values of every type, nested up to four levels.
    fn wire_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let number = "-?[0-9]{1,6}(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,2})?";
        let blob = proptest::collection::vec(any::<u8>(), 0..6).prop_map(|b| BASE64.encode(b));
        let leaf = prop_oneof![
            any::<String>().prop_map(|s| json!({ "S": s })),
            number.prop_map(|n| json!({ "N": n })),
            blob.clone().prop_map(|b| json!({ "B": b })),
            any::<bool>().prop_map(|b| json!({ "BOOL": b })),
            Just(json!({ "NULL": true })),
            proptest::collection::btree_set("[a-z\"\\\\ü]{0,4}", 1..4).prop_map(|s| json!({ "SS": s })),
            proptest::collection::btree_set("[1-9][0-9]{0,3}(\\.[0-9]{1,2})?", 1..4).prop_map(|s| json!({ "NS": s })),
            proptest::collection::btree_set(blob, 1..3).prop_map(|s| json!({ "BS": s })),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|l| json!({ "L": l })),
                proptest::collection::btree_map("[a-zA-Z_ '$.-]{0,5}", inner, 0..4).prop_map(|m| json!({ "M": m })),
            ]
        })
    }

    proptest::proptest! {
        /// Any item written as Ion reads back as the same item.
        #[test]
        fn any_item_survives_writing_and_reading(
            fields in proptest::collection::btree_map("[a-zA-Z_ '$.-]{1,5}", wire_value(), 1..6)
        ) {
            let Ok(item) = item_from_json(&json!(fields)) else { return Ok(()) };
            let mut text = String::from("$ion_1_0 {Item:");
            write_item(&mut text, &item);
            text.push('}');
            let values = read_values(&text).map_err(proptest::test_runner::TestCaseError::fail)?;
            let back = item_from_json(&Value::Object(item_of(&values[0].1).cloned().unwrap_or_default()));
            proptest::prop_assert_eq!(back.ok(), Some(item), "{}", text);
        }
    }

    proptest::proptest! {
        /// Any text reads to values or an error, never a panic.
        #[test]
        fn any_text_reads_or_fails(text in "[\\[\\]{}()'\"\\\\:,._$a-z0-9dDeE+\\- \n/*]{0,60}") {
            let _ = read_values(&text);
        }
    }

    #[test]
    fn deep_nesting_and_bad_text_are_errors_not_crashes() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(read_values(&deep).unwrap_err().contains("nested too deeply"));
        for bad in ["{a:", "{{AA", "\"open", "[1,,]", "(a b)", "{a 1}", "$dynamodb_SS::[1]", "nan", "0x1F", "/* x"] {
            assert!(read_values(bad).is_err(), "{bad}");
        }
    }
}
