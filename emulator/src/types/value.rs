//! Attribute values: the ten DynamoDB types, decoded from and encoded to the
//! wire's `{"S": "..."}` form, with DynamoDB's validation and size accounting.

use super::number::{Number, NumberError};
use crate::error::{ApiError, ApiResult};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;
use std::collections::BTreeMap;

/// An item (and a map value): attribute names to values, in a stable order.
pub type Item = BTreeMap<String, AttributeValue>;

/// DynamoDB allows 32 levels of nested lists and maps.
pub const MAX_NESTING_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq)]
pub enum AttributeValue {
    S(String),
    N(Number),
    B(Vec<u8>),
    Bool(bool),
    Null,
    SS(Vec<String>),
    NS(Vec<Number>),
    BS(Vec<Vec<u8>>),
    L(Vec<AttributeValue>),
    M(Item),
}

impl AttributeValue {
    /// The wire tag of this value's type ("S", "N", "BOOL", ...).
    /// The type's long name, as DynamoDB's messages spell it (`STRING_SET`).
    pub fn long_type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "STRING",
            AttributeValue::N(_) => "NUMBER",
            AttributeValue::B(_) => "BINARY",
            AttributeValue::Bool(_) => "BOOLEAN",
            AttributeValue::Null => "NULL",
            AttributeValue::L(_) => "LIST",
            AttributeValue::M(_) => "MAP",
            AttributeValue::SS(_) => "STRING_SET",
            AttributeValue::NS(_) => "NUMBER_SET",
            AttributeValue::BS(_) => "BINARY_SET",
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::SS(_) => "SS",
            AttributeValue::NS(_) => "NS",
            AttributeValue::BS(_) => "BS",
            AttributeValue::L(_) => "L",
            AttributeValue::M(_) => "M",
        }
    }

    /// Bytes this value counts for in DynamoDB's item size (the name is
    /// counted by the caller). Documented rules: strings and binary by length,
    /// numbers by significant digits, 1 byte for BOOL/NULL, 3 bytes of
    /// overhead per list or map plus 1 per element.
    pub fn size(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.size(),
            AttributeValue::B(b) => b.len(),
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::SS(v) => v.iter().map(String::len).sum(),
            AttributeValue::NS(v) => v.iter().map(Number::size).sum(),
            AttributeValue::BS(v) => v.iter().map(Vec::len).sum(),
            AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + e.size()).sum::<usize>(),
            AttributeValue::M(m) => 3 + m.iter().map(|(k, e)| 1 + k.len() + e.size()).sum::<usize>(),
        }
    }

    /// Decodes one wire attribute value.
    pub fn from_json(value: &Value) -> ApiResult<AttributeValue> {
        decode_value(value, 0)
    }

    /// Encodes a top-level value (a key attribute, an expression value):
    /// DynamoDB answers numbers there in canonical form. Written by the item codec.
    pub fn to_json(&self) -> Value {
        super::codec::value_to_json(self)
    }
}

/// Top-level numbers of a stored item keep only their value (DynamoDB
/// returns them canonical, and so does a copy of one into a map or list);
/// numbers inside lists and maps keep their text.
pub fn forget_top_level_text(item: &mut Item) {
    for value in item.values_mut() {
        match value {
            AttributeValue::N(n) => n.forget_written(),
            AttributeValue::NS(set) => set.iter_mut().for_each(Number::forget_written),
            _ => {}
        }
    }
}

/// Total item size as DynamoDB computes it: attribute names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size()).sum()
}

/// Decodes a wire map of attribute values (an `Item`, a `Key`, `ExpressionAttributeValues`).
pub fn item_from_json(value: &Value) -> ApiResult<Item> {
    decode_map(value, 0)
}

fn decode_map(value: &Value, depth: usize) -> ApiResult<Item> {
    let obj = match value {
        Value::Object(obj) => obj,
        other => return Err(unexpected(other, "Map")),
    };
    let mut item = Item::new();
    for (name, v) in obj {
        check_attribute_name(name)?;
        if v.is_null() {
            return Err(ApiError::validation(format!("{NULL_ATTRIBUTE_VALUE}: {name} is null")));
        }
        item.insert(name.clone(), decode_value(v, depth)?);
    }
    Ok(item)
}

/// DynamoDB's word for a `null` where an attribute value belongs (a map's
/// member, a list's element), as DynamoDB Local answers it (probed
/// 2026-12-05; conformance scenarios `PutItem/null-*`).
pub const NULL_ATTRIBUTE_VALUE: &str = "The supplied Item contains a null AttributeValue";

/// The longest attribute name DynamoDB stores: 64 KB less one byte.
pub const MAX_ATTRIBUTE_NAME_BYTES: usize = 65_535;

/// A name over 65,535 bytes, at any depth, refused as DynamoDB answered
/// PutItem and UpdateItem values (measured against the service,
/// https://github.com/ExtendDB/extenddb/issues/365).
pub fn check_attribute_name(name: &str) -> ApiResult<()> {
    if name.len() > MAX_ATTRIBUTE_NAME_BYTES {
        return Err(ApiError::validation(format!("1 validation error detected: {ATTRIBUTE_NAME_TOO_LARGE}")));
    }
    Ok(())
}

pub const ATTRIBUTE_NAME_TOO_LARGE: &str = "Attribute name is too large, must be less than 65536 bytes";

const TYPE_TAGS: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"];

fn nesting_too_deep() -> ApiError {
    ApiError::validation(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
    )
}

fn decode_value(value: &Value, depth: usize) -> ApiResult<AttributeValue> {
    let obj = match value {
        Value::Object(obj) => obj,
        Value::Null => return Err(ApiError::validation(NULL_ATTRIBUTE_VALUE)),
        other => return Err(unexpected(other, "AttributeValue")),
    };
    if depth > MAX_NESTING_DEPTH {
        return Err(nesting_too_deep());
    }
    let mut found: Option<(&str, &Value)> = None;
    for (tag, v) in obj {
        if v.is_null() || !TYPE_TAGS.contains(&tag.as_str()) {
            continue;
        }
        if found.is_some() {
            return Err(ApiError::validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
            ));
        }
        found = Some((tag.as_str(), v));
    }
    let Some((tag, v)) = found else {
        return Err(ApiError::validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ));
    };
    Ok(match tag {
        "S" => AttributeValue::S(expect_str(v, "String")?.to_string()),
        "N" => AttributeValue::N(parse_number(expect_str(v, "String")?)?),
        "B" => AttributeValue::B(decode_base64(v)?),
        "BOOL" => AttributeValue::Bool(expect_bool(v)?),
        "NULL" => {
            if !expect_bool(v)? {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: Null attribute value types must have the value of true",
                ));
            }
            AttributeValue::Null
        }
        "SS" => {
            let items = expect_list(v)?
                .iter()
                .map(|e| match e {
                    Value::Null => Err(ApiError::validation(
                        "One or more parameter values were invalid: An string set may not have a null string as a member",
                    )),
                    e => expect_str(e, "String").map(str::to_string),
                })
                .collect::<ApiResult<Vec<_>>>()?;
            if items.is_empty() {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: An string set  may not be empty",
                ));
            }
            if has_duplicates(&items, |s| s.clone()) {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Input collection [{}] contains duplicates.",
                    items.join(", ")
                )));
            }
            AttributeValue::SS(items)
        }
        "NS" => {
            let items = expect_list(v)?
                .iter()
                .map(|e| match e {
                    Value::Null => Err(ApiError::validation("A value provided cannot be converted into a number")),
                    e => parse_number(expect_str(e, "String")?),
                })
                .collect::<ApiResult<Vec<_>>>()?;
            if items.is_empty() {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: An number set  may not be empty",
                ));
            }
            if has_duplicates(&items, Number::to_string) {
                return Err(ApiError::validation("Input collection contains duplicates"));
            }
            AttributeValue::NS(items)
        }
        "BS" => {
            let items = expect_list(v)?.iter().map(decode_base64).collect::<ApiResult<Vec<_>>>()?;
            if items.is_empty() {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: Binary sets should not be empty",
                ));
            }
            if has_duplicates(&items, |b| BASE64.encode(b)) {
                let written: Vec<&str> = expect_list(v)?.iter().filter_map(Value::as_str).collect();
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Input collection [{}]of type BS contains duplicates.",
                    written.join(", ")
                )));
            }
            AttributeValue::BS(items)
        }
        // A list or map is itself a level: the 32nd level may hold only scalars
        // (as DynamoDB Local checks it: 31 maps around a string pass, 32 maps fail).
        "L" | "M" if depth + 1 >= MAX_NESTING_DEPTH => return Err(nesting_too_deep()),
        "L" => AttributeValue::L(
            expect_list(v)?.iter().map(|e| decode_value(e, depth + 1)).collect::<ApiResult<Vec<_>>>()?,
        ),
        _ => AttributeValue::M(decode_map(v, depth + 1)?),
    })
}

/// A number of a request's attribute value, with DynamoDB's messages for
/// those it refuses (dynalite's tests, asserted against DynamoDB; DynamoDB
/// Local words the first two differently, conformance/differences/numbers.md).
fn parse_number(text: &str) -> ApiResult<Number> {
    Number::parse_written(text).map_err(|e| match e {
        NumberError::Invalid if text.is_empty() => {
            ApiError::validation("The parameter cannot be converted to a numeric value")
        }
        NumberError::Invalid => {
            ApiError::validation(format!("The parameter cannot be converted to a numeric value: {text}"))
        }
        NumberError::TooPrecise => {
            ApiError::validation("Attempting to store more than 38 significant digits in a Number")
        }
        other => ApiError::validation(other.message()),
    })
}

fn decode_base64(v: &Value) -> ApiResult<Vec<u8>> {
    let text = expect_str(v, "Blob")?;
    BASE64.decode(text).map_err(|_| {
        ApiError::serialization(
            "Base64 encoded length is expected a multiple of 4 bytes but found: ".to_string() + &text.len().to_string(),
        )
    })
}

fn has_duplicates<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> bool {
    let mut keys: Vec<K> = items.iter().map(key).collect();
    keys.sort();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// The token name DynamoDB's deserializer reports for a JSON value.
pub fn json_token(value: &Value) -> &'static str {
    match value {
        Value::Null => "NULL_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// The SerializationException DynamoDB gives when a field has the wrong JSON type.
pub fn unexpected(value: &Value, expected: &str) -> ApiError {
    match value {
        Value::Object(_) => ApiError::serialization("Start of structure or map found where not expected"),
        Value::Array(_) => ApiError::serialization("Start of list found where not expected"),
        other => ApiError::serialization(format!("{} cannot be converted to {expected}", json_token(other))),
    }
}

fn expect_str<'a>(v: &'a Value, expected: &str) -> ApiResult<&'a str> {
    v.as_str().ok_or_else(|| unexpected(v, expected))
}

fn expect_bool(v: &Value) -> ApiResult<bool> {
    v.as_bool().ok_or_else(|| unexpected(v, "Boolean"))
}

fn expect_list(v: &Value) -> ApiResult<&Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a),
        Value::Object(_) => Err(ApiError::serialization("Start of structure or map found where not expected")),
        other => Err(ApiError::serialization(format!("Unexpected value type in payload: {}", json_token(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let long_plain = "a".repeat(100);
        let long_quoted = format!("{}\"{}", "b".repeat(40), "c".repeat(40));
        for text in [
            "",
            "plain",
            "quote\"",
            "back\\slash",
            "tab\t",
            "nul\u{0}",
            "\u{1f}",
            "é ü 日本 🎉",
            "\u{7f}",
            &long_plain,
            &long_quoted,
        ] {
            let mut out = Vec::new();
            crate::types::codec::json::write_str(&mut out, text);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn round_trips_every_type() {
        let wire = json!({
            "s": {"S": "x"}, "n": {"N": "1.50"}, "b": {"B": "AAE="}, "t": {"BOOL": true},
            "z": {"NULL": true}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
            "bs": {"BS": ["AA=="]}, "l": {"L": [{"S": "a"}, {"N": "2"}]}, "m": {"M": {"k": {"S": "v"}}}
        });
        let item = item_from_json(&wire).unwrap();
        let back = crate::types::item_to_json(&item);
        assert_eq!(back["n"], json!({"N": "1.5"}));
        assert_eq!(back["m"], wire["m"]);
        assert_eq!(back["bs"], wire["bs"]);
    }

    #[test]
    fn rejects_like_dynamodb() {
        let err = |v: Value| AttributeValue::from_json(&v).unwrap_err().message;
        assert!(err(json!({})).starts_with("Supplied AttributeValue is empty"));
        assert!(err(json!({"S": "a", "N": "1"})).starts_with("Supplied AttributeValue has more than one"));
        assert_eq!(err(json!({"S": 5})), "NUMBER_VALUE cannot be converted to String");
        assert!(err(json!({"SS": ["a", "a"]})).contains("contains duplicates"));
        assert!(err(json!({"NS": ["1", "1.0"]})).contains("contains duplicates"));
        assert!(err(json!({"NULL": false})).contains("Null attribute value types"));
        assert_eq!(
            AttributeValue::from_json(&json!({"B": "!!!"})).unwrap_err().kind,
            crate::error::ErrorKind::Serialization
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut v = json!({"S": "leaf"});
        for _ in 0..40 {
            v = json!({"L": [v]});
        }
        assert!(AttributeValue::from_json(&v).unwrap_err().message.contains("Nesting Levels"));
    }

    #[test]
    fn the_32nd_level_holds_only_scalars() {
        let nest = |levels: usize, leaf: Value| (0..levels).fold(leaf, |v, _| json!({"M": {"m": v}}));
        assert!(AttributeValue::from_json(&nest(31, json!({"S": "x"}))).is_ok());
        assert!(AttributeValue::from_json(&nest(31, json!({"M": {}}))).is_err());
        assert!(AttributeValue::from_json(&nest(31, json!({"L": []}))).is_err());
        assert!(AttributeValue::from_json(&nest(32, json!({"S": "x"}))).is_err());
    }

    #[test]
    fn sizes_follow_documented_rules() {
        let item = item_from_json(&json!({"ab": {"S": "xyz"}, "n": {"N": "123"}})).unwrap();
        assert_eq!(item_size(&item), 2 + 3 + 1 + 3);
    }
}
