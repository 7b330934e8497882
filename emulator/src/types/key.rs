//! Key schemas and key values: what identifies an item, and the order items
//! are kept in (numbers numerically, strings and binary by bytes).

use super::number::Number;
use super::value::{AttributeValue, Item};
use crate::error::{ApiError, ApiResult};
use std::hash::{Hash, Hasher};

/// DynamoDB's limits on key sizes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
pub const MAX_SORT_KEY_BYTES: usize = 1024;

/// Types a key attribute may have (`AttributeDefinitions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ScalarType {
    S,
    N,
    B,
}

impl ScalarType {
    pub fn parse(s: &str) -> Option<ScalarType> {
        match s {
            "S" => Some(ScalarType::S),
            "N" => Some(ScalarType::N),
            "B" => Some(ScalarType::B),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// A key attribute value. Ordered as DynamoDB orders sort keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyValue {
    S(String),
    N(Number),
    B(Vec<u8>),
}

impl KeyValue {
    pub fn scalar_type(&self) -> ScalarType {
        match self {
            KeyValue::S(_) => ScalarType::S,
            KeyValue::N(_) => ScalarType::N,
            KeyValue::B(_) => ScalarType::B,
        }
    }

    pub fn from_attribute(value: &AttributeValue) -> Option<KeyValue> {
        match value {
            AttributeValue::S(s) => Some(KeyValue::S(s.clone())),
            AttributeValue::N(n) => Some(KeyValue::N(n.clone())),
            AttributeValue::B(b) => Some(KeyValue::B(b.clone())),
            _ => None,
        }
    }

    pub fn to_attribute(&self) -> AttributeValue {
        match self {
            KeyValue::S(s) => AttributeValue::S(s.clone()),
            KeyValue::N(n) => AttributeValue::N(n.clone()),
            KeyValue::B(b) => AttributeValue::B(b.clone()),
        }
    }

    pub fn size(&self) -> usize {
        match self {
            KeyValue::S(s) => s.len(),
            KeyValue::N(n) => n.size(),
            KeyValue::B(b) => b.len(),
        }
    }
}

/// One key attribute of a table or index: its name and type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyAttribute {
    pub name: String,
    pub kind: ScalarType,
}

/// The key of a table or index: a partition key and an optional sort key.
///
/// A global secondary index may have a multi-attribute key: up to four
/// partition (HASH) and four sort (RANGE) attributes. The first of each is
/// `partition` / `sort`, the others follow in `more_partition` /
/// `more_sort` (empty for tables and local indexes, so their definitions
/// are written as before). Such a key is kept as one [`PrimaryKey`]: the
/// partition values as one tuple, then the sort values in order, so one
/// partition's items are still contiguous and ordered by the sort
/// attributes left to right.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeySchema {
    pub partition: KeyAttribute,
    pub sort: Option<KeyAttribute>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_partition: Vec<KeyAttribute>,
    /// Only with `sort`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_sort: Vec<KeyAttribute>,
}

/// Where an item lives, and the order items are kept in: by `hash` (which
/// spreads partitions like DynamoDB's hashing does, so Scan order is not key
/// order and parallel scan segments are hash ranges), then by partition key,
/// then by sort key, so one partition's items stay together, sorted.
///
/// The key values are kept in one allocation in an order-preserving encoding
/// (comparing the bytes compares the values as DynamoDB does), so a key costs
/// 24 bytes plus its values, and comparisons are `memcmp`s. See [`encoding`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrimaryKey {
    pub hash: u64,
    bytes: Box<[u8]>,
}

impl PrimaryKey {
    pub fn new(partition: KeyValue, sort: Option<KeyValue>) -> PrimaryKey {
        let mut bytes = Vec::with_capacity(partition.size() + sort.as_ref().map_or(0, KeyValue::size) + 8);
        encoding::put(&mut bytes, &partition);
        if let Some(sort) = &sort {
            encoding::put(&mut bytes, sort);
        }
        PrimaryKey { hash: partition_hash(&partition), bytes: bytes.into_boxed_slice() }
    }

    /// The key of a (possibly multi-attribute) key schema: the partition
    /// values, then the sort values. One partition value and at most one sort
    /// value give exactly [`PrimaryKey::new`]'s key.
    pub fn compose(partition: &[KeyValue], sort: &[KeyValue]) -> PrimaryKey {
        let (hash, mut bytes) = encoded_partition(partition);
        for value in sort {
            encoding::put(&mut bytes, value);
        }
        PrimaryKey { hash, bytes: bytes.into_boxed_slice() }
    }

    /// A position in key order that need not be any item's key (a range bound).
    pub fn position(hash: u64, bytes: Vec<u8>) -> PrimaryKey {
        PrimaryKey { hash, bytes: bytes.into_boxed_slice() }
    }

    /// The key's encoded values (see [`encoding`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// A key from its encoded values ([`PrimaryKey::bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> PrimaryKey {
        let partition = encoding::Reader(bytes).value();
        PrimaryKey { hash: partition_hash(&partition), bytes: bytes.into() }
    }

    /// Before every key whose partition hash is `hash` or more.
    pub fn hash_start(hash: u64) -> PrimaryKey {
        PrimaryKey { hash, bytes: Box::default() }
    }

    pub fn partition(&self) -> KeyValue {
        encoding::Reader(&self.bytes).value()
    }

    pub fn sort(&self) -> Option<KeyValue> {
        let mut reader = encoding::Reader(&self.bytes);
        reader.skip();
        (!reader.0.is_empty()).then(|| reader.value())
    }

    /// The encoded partition key: equal for two keys exactly when their partition keys are equal.
    pub fn partition_bytes(&self) -> &[u8] {
        let mut reader = encoding::Reader(&self.bytes);
        reader.skip();
        &self.bytes[..self.bytes.len() - reader.0.len()]
    }
}

/// The partition hash and encoding of a key's partition values: one value
/// as itself, several as one tuple (so the partition is still one value to
/// [`PrimaryKey::partition_bytes`], and hashes as a whole).
pub fn encoded_partition(values: &[KeyValue]) -> (u64, Vec<u8>) {
    let mut bytes = Vec::with_capacity(values.iter().map(KeyValue::size).sum::<usize>() + 8 * values.len());
    match values {
        [one] => {
            encoding::put(&mut bytes, one);
            (partition_hash(one), bytes)
        }
        _ => {
            encoding::put_tuple(&mut bytes, values);
            let mut hasher = Fnv1a::default();
            hasher.write(&bytes);
            (mix(hasher.finish()), bytes)
        }
    }
}

impl std::fmt::Debug for PrimaryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.bytes.is_empty() {
            return write!(f, "PrimaryKey(hash {} start)", self.hash);
        }
        if !encoding::is_single(&self.bytes) {
            return write!(f, "PrimaryKey(hash {}, {:?})", self.hash, self.bytes);
        }
        f.debug_struct("PrimaryKey")
            .field("hash", &self.hash)
            .field("partition", &self.partition())
            .field("sort", &self.sort())
            .finish()
    }
}

/// Key values as bytes whose order is DynamoDB's order of the values, each
/// self-delimiting (so a partition key followed by a sort key still orders
/// by partition first, and a key without sort key sorts before the same
/// partition with any sort key).
///
/// ```text
/// S: 0x01 escaped(utf8) 0x00 0x01      escaped: 0x00 becomes 0x00 0xFF
/// B: 0x03 escaped(bytes) 0x00 0x01
/// N: 0x02 0x01 !exp16 !digit* 0xFF     negative (complemented: larger magnitude sorts first)
///    0x02 0x02                         zero
///    0x02 0x03 exp16 digit* 0x00       positive; value = 0.digits x 10^exp, exp16 = exp + 0x8000, big-endian
/// tuple: 0x04 count value*             a multi-attribute partition key's values
/// ```
///
/// No encoding starts with 0xFF, so `prefix ++ [0xFF]` sorts after every key
/// that extends `prefix` with more values (a range bound, see `KeyRange`).
pub mod encoding {
    use super::KeyValue;
    use crate::types::Number;

    const S: u8 = 0x01;
    const N: u8 = 0x02;
    const B: u8 = 0x03;
    const TUPLE: u8 = 0x04;
    /// After every encoded value (see the module's doc).
    pub const AFTER: u8 = 0xFF;
    const NEGATIVE: u8 = 0x01;
    const ZERO: u8 = 0x02;
    const POSITIVE: u8 = 0x03;

    pub fn put(out: &mut Vec<u8>, value: &KeyValue) {
        match value {
            KeyValue::S(s) => put_escaped(out, S, s.as_bytes()),
            KeyValue::B(b) => put_escaped(out, B, b),
            KeyValue::N(n) => {
                out.push(N);
                let (negative, exp, buf, digits_len) = n.raw_parts();
                let digits = &buf.as_bytes()[..digits_len as usize];
                // Exponents stay within ±130 (DynamoDB's range), far inside 16 bits.
                let exp16 = (exp + 0x8000) as u16;
                if digits.is_empty() {
                    out.push(ZERO);
                } else if negative {
                    out.push(NEGATIVE);
                    out.extend_from_slice(&(!exp16).to_be_bytes());
                    out.extend(digits.iter().map(|d| !d));
                    out.push(0xFF);
                } else {
                    out.push(POSITIVE);
                    out.extend_from_slice(&exp16.to_be_bytes());
                    out.extend_from_slice(digits);
                    out.push(0x00);
                }
            }
        }
    }

    /// Several values as one (a multi-attribute partition key; at most four).
    pub(super) fn put_tuple(out: &mut Vec<u8>, values: &[KeyValue]) {
        out.push(TUPLE);
        out.push(values.len() as u8);
        for value in values {
            put(out, value);
        }
    }

    /// Whether an encoded key starts with one plain value (not a tuple).
    pub(super) fn is_single(bytes: &[u8]) -> bool {
        bytes.first() != Some(&TUPLE)
    }

    fn put_escaped(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
        out.push(tag);
        for &b in bytes {
            out.push(b);
            if b == 0 {
                out.push(0xFF);
            }
        }
        out.extend_from_slice(&[0x00, 0x01]);
    }

    /// Reads values back from encoded keys (which only `put` writes).
    pub struct Reader<'a>(pub &'a [u8]);

    impl Reader<'_> {
        fn byte(&mut self) -> u8 {
            let (first, rest) = self.0.split_first().expect("encoded key: truncated");
            self.0 = rest;
            *first
        }

        fn unescape(&mut self) -> Vec<u8> {
            let mut out = Vec::new();
            loop {
                match self.byte() {
                    0x00 => match self.byte() {
                        0xFF => out.push(0),
                        _ => return out,
                    },
                    b => out.push(b),
                }
            }
        }

        pub fn value(&mut self) -> KeyValue {
            match self.byte() {
                S => KeyValue::S(String::from_utf8(self.unescape()).expect("encoded key: UTF-8")),
                B => KeyValue::B(self.unescape()),
                _ => KeyValue::N(self.number()),
            }
        }

        fn number(&mut self) -> Number {
            let class = self.byte();
            if class == ZERO {
                return Number::zero();
            }
            let negative = class == NEGATIVE;
            let mut exp16 = u16::from_be_bytes([self.byte(), self.byte()]);
            if negative {
                exp16 = !exp16;
            }
            let mut digits = String::new();
            loop {
                let b = self.byte();
                match (negative, b) {
                    (true, 0xFF) | (false, 0x00) => break,
                    (true, d) => digits.push(char::from(!d)),
                    (false, d) => digits.push(char::from(d)),
                }
            }
            let len = digits.len() as u8;
            Number::from_raw_parts(negative, i32::from(exp16) - 0x8000, &digits, len)
        }

        /// Steps over one value (without decoding it).
        pub fn skip(&mut self) {
            if self.0.first() == Some(&TUPLE) {
                self.byte();
                for _ in 0..self.byte() {
                    self.skip();
                }
                return;
            }
            let terminator: &[u8] = match (self.byte(), self.0.first()) {
                (S | B, _) => &[0x00, 0x01],
                (_, Some(&ZERO)) => {
                    self.byte();
                    return;
                }
                (_, Some(&NEGATIVE)) => &[0xFF],
                _ => &[0x00],
            };
            if terminator.len() == 1 {
                // Class byte and exponent, then digits up to the terminator (digits never equal it).
                let digits = &self.0[3..];
                let end = digits.iter().position(|&b| b == terminator[0]).expect("encoded key: number end");
                self.0 = &digits[end + 1..];
            } else {
                // Escaped bytes: a 0x00 is followed by 0xFF (an escaped zero) or 0x01 (the end).
                let mut at = 0;
                loop {
                    let zero = at + self.0[at..].iter().position(|&b| b == 0).expect("encoded key: string end");
                    if self.0[zero + 1] == 0x01 {
                        self.0 = &self.0[zero + 2..];
                        return;
                    }
                    at = zero + 2;
                }
            }
        }
    }
}

/// A stable hash of a partition key value (FNV-1a over a type tag and the bytes).
pub fn partition_hash(value: &KeyValue) -> u64 {
    let mut hasher = Fnv1a::default();
    match value {
        KeyValue::S(s) => {
            hasher.write_u8(b'S');
            hasher.write(s.as_bytes());
        }
        KeyValue::N(n) => {
            hasher.write_u8(b'N');
            hasher.write(n.to_string().as_bytes());
        }
        KeyValue::B(b) => {
            hasher.write_u8(b'B');
            hasher.write(b);
        }
    }
    mix(hasher.finish())
}

/// Finalises a hash with a mixer so nearby keys land far apart.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h
}

struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf29ce484222325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

impl KeySchema {
    /// A key of one partition attribute and at most one sort attribute.
    pub fn simple(partition: KeyAttribute, sort: Option<KeyAttribute>) -> KeySchema {
        KeySchema { partition, sort, more_partition: Vec::new(), more_sort: Vec::new() }
    }

    /// The partition (HASH) attributes, in order.
    pub fn partition_attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.partition).chain(&self.more_partition)
    }

    /// The sort (RANGE) attributes, in order.
    pub fn sort_attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.sort.iter().chain(&self.more_sort)
    }

    /// Every key attribute: the partition attributes, then the sort attributes.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.partition_attributes().chain(self.sort_attributes())
    }

    /// A multi-attribute key (more than one partition or sort attribute).
    pub fn is_composite(&self) -> bool {
        !self.more_partition.is_empty() || !self.more_sort.is_empty()
    }

    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.attributes().any(|a| a.name == name)
    }

    /// Validates a `Key` parameter (GetItem, DeleteItem, UpdateItem, ...):
    /// exactly the key attributes, with the right types.
    pub fn key_from_request(&self, key: &Item) -> ApiResult<PrimaryKey> {
        let expected = self.attributes().count();
        if key.len() != expected || !self.attributes().all(|a| key.contains_key(&a.name)) {
            return Err(ApiError::validation("The provided key element does not match the schema"));
        }
        self.extract(key, KeyContext::Key)
    }

    /// Validates the key attributes of a full item (PutItem).
    pub fn key_from_item(&self, item: &Item) -> ApiResult<PrimaryKey> {
        for attr in self.attributes() {
            if !item.contains_key(&attr.name) {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Missing the key {} in the item",
                    attr.name
                )));
            }
        }
        self.extract(item, KeyContext::Item)
    }

    /// The key of an item already known to be valid (read from storage).
    pub fn key_of_stored(&self, item: &Item) -> Option<PrimaryKey> {
        self.key_with(|attr| KeyValue::from_attribute(item.get(&attr.name)?))
    }

    /// The key made of `value(attribute)` for every key attribute, or `None`
    /// when one has none: a single-attribute key as [`PrimaryKey::new`] makes
    /// it, a multi-attribute one as [`PrimaryKey::compose`] does.
    pub fn key_with(&self, value: impl Fn(&KeyAttribute) -> Option<KeyValue>) -> Option<PrimaryKey> {
        if !self.is_composite() {
            let sort = match &self.sort {
                Some(s) => Some(value(s)?),
                None => None,
            };
            return Some(PrimaryKey::new(value(&self.partition)?, sort));
        }
        let partition = self.partition_attributes().map(&value).collect::<Option<Vec<_>>>()?;
        let sort = self.sort_attributes().map(&value).collect::<Option<Vec<_>>>()?;
        Some(PrimaryKey::compose(&partition, &sort))
    }

    /// A table's primary key as the item of its key attributes (a stream record's `Keys`).
    pub fn key_item(&self, key: &PrimaryKey) -> Item {
        let mut item = Item::new();
        item.insert(self.partition.name.clone(), key.partition().to_attribute());
        if let (Some(sort), Some(value)) = (&self.sort, key.sort()) {
            item.insert(sort.name.clone(), value.to_attribute());
        }
        item
    }

    /// The key attributes of an item, as an item (for `LastEvaluatedKey` and friends).
    pub fn project_key(&self, item: &Item) -> Item {
        self.attributes().filter_map(|a| item.get(&a.name).map(|v| (a.name.clone(), v.clone()))).collect()
    }

    fn extract(&self, source: &Item, context: KeyContext) -> ApiResult<PrimaryKey> {
        if self.is_composite() {
            return self.extract_composite(source, context);
        }
        let partition = key_value(&self.partition, &source[&self.partition.name], context)?;
        if partition.size() > MAX_PARTITION_KEY_BYTES {
            return Err(ApiError::validation(
                "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
            ));
        }
        let sort = match &self.sort {
            Some(attr) => {
                let value = key_value(attr, &source[&attr.name], context)?;
                if value.size() > MAX_SORT_KEY_BYTES {
                    return Err(ApiError::validation(
                        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
                    ));
                }
                Some(value)
            }
            None => None,
        };
        Ok(PrimaryKey::new(partition, sort))
    }

    /// [`KeySchema::extract`] for a multi-attribute key (an index's start key):
    /// each attribute within its own limit.
    fn extract_composite(&self, source: &Item, context: KeyContext) -> ApiResult<PrimaryKey> {
        let values = |attrs: &mut dyn Iterator<Item = &KeyAttribute>, limit: usize| {
            attrs
                .map(|attr| {
                    let value = key_value(attr, &source[&attr.name], context)?;
                    if value.size() > limit {
                        return Err(ApiError::validation(
                            "One or more parameter values were invalid: Size limit exceeded",
                        ));
                    }
                    Ok(value)
                })
                .collect::<ApiResult<Vec<_>>>()
        };
        let partition = values(&mut self.partition_attributes(), MAX_PARTITION_KEY_BYTES)?;
        let sort = values(&mut self.sort_attributes(), MAX_SORT_KEY_BYTES)?;
        Ok(PrimaryKey::compose(&partition, &sort))
    }
}

#[derive(Clone, Copy)]
enum KeyContext {
    Key,
    Item,
}

fn key_value(attr: &KeyAttribute, value: &AttributeValue, context: KeyContext) -> ApiResult<KeyValue> {
    let key = KeyValue::from_attribute(value).filter(|k| k.scalar_type() == attr.kind);
    let Some(key) = key else {
        return Err(ApiError::validation(match context {
            KeyContext::Key => "The provided key element does not match the schema".to_string(),
            KeyContext::Item => format!(
                "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
                attr.name,
                attr.kind.as_str(),
                value.type_name()
            ),
        }));
    };
    if matches!(&key, KeyValue::S(s) if s.is_empty()) || matches!(&key, KeyValue::B(b) if b.is_empty()) {
        let what = if key.scalar_type() == ScalarType::S { "string" } else { "binary" };
        return Err(ApiError::validation(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {what} value. Key: {}",
            attr.name
        )));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn number() -> impl Strategy<Value = KeyValue> {
        // Mantissas with up to 38 digits, signs, and exponents across DynamoDB's range.
        (any::<bool>(), "[0-9]{1,38}", -120i32..=120).prop_filter_map("in range", |(negative, digits, exp)| {
            let text = format!("{}{}E{}", if negative { "-" } else { "" }, digits, exp);
            Number::parse(&text).ok().map(KeyValue::N)
        })
    }

    fn key_value() -> impl Strategy<Value = KeyValue> {
        prop_oneof![
            "[a\\x00\\x01\\u{ff}z-]{0,6}".prop_map(KeyValue::S),
            proptest::collection::vec(prop_oneof![Just(0u8), Just(1), Just(0xFF), any::<u8>()], 0..6)
                .prop_map(KeyValue::B),
            number(),
        ]
    }

    proptest! {
        /// Comparing encoded keys compares (partition, sort) as DynamoDB orders them.
        #[test]
        fn encoded_keys_order_like_their_values(
            p1 in key_value(), p2 in key_value(), s1 in proptest::option::of(key_value()), s2 in proptest::option::of(key_value()),
        ) {
            let a = PrimaryKey::new(p1.clone(), s1.clone());
            let b = PrimaryKey::new(p2.clone(), s2.clone());
            prop_assert_eq!(a.partition(), p1.clone());
            prop_assert_eq!(a.sort(), s1.clone());
            if p1 == p2 {
                prop_assert_eq!(a.partition_bytes(), b.partition_bytes());
                prop_assert_eq!(a.cmp(&b), s1.cmp(&s2));
            } else {
                prop_assert_ne!(a.partition_bytes(), b.partition_bytes());
                if a.hash == b.hash {
                    prop_assert_eq!(a.cmp(&b), p1.cmp(&p2));
                }
            }
            prop_assert_eq!(a == b, p1 == p2 && s1 == s2);
        }

        /// Multi-attribute keys order like their tuples of values (a prefix
        /// first), and two keys share a partition exactly when every
        /// partition value is equal.
        #[test]
        fn composite_keys_order_like_tuples(
            p1 in proptest::collection::vec(key_value(), 1..4),
            p2 in proptest::collection::vec(key_value(), 1..4),
            s1 in proptest::collection::vec(key_value(), 0..4),
            s2 in proptest::collection::vec(key_value(), 0..4),
        ) {
            let a = PrimaryKey::compose(&p1, &s1);
            let b = PrimaryKey::compose(&p2, &s2);
            if p1 == p2 {
                prop_assert_eq!(a.partition_bytes(), b.partition_bytes());
                prop_assert_eq!(a.cmp(&b), s1.cmp(&s2));
            } else {
                prop_assert_ne!(a.partition_bytes(), b.partition_bytes());
            }
            prop_assert_eq!(a == b, p1 == p2 && s1 == s2);
            if let ([p], [] | [_]) = (&p1[..], &s1[..]) {
                prop_assert_eq!(a, PrimaryKey::new(p.clone(), s1.first().cloned()));
            }
        }

        #[test]
        fn encoded_numbers_order_numerically(x in number(), y in number()) {
            let partition = KeyValue::S("p".into());
            let a = PrimaryKey::new(partition.clone(), Some(x.clone()));
            let b = PrimaryKey::new(partition, Some(y.clone()));
            prop_assert_eq!(a.cmp(&b), x.cmp(&y));
            prop_assert_eq!(a.sort(), Some(x));
        }
    }

    #[test]
    fn a_partition_without_sort_key_comes_first_and_hash_start_before_all() {
        let p = KeyValue::S("a".into());
        let bare = PrimaryKey::new(p.clone(), None);
        let with = PrimaryKey::new(p, Some(KeyValue::S(String::new() + "\u{0}")));
        assert!(bare < with);
        assert!(PrimaryKey::hash_start(bare.hash) <= bare);
        assert_eq!(bare.sort(), None);
        let zero = PrimaryKey::new(KeyValue::N(Number::zero()), None);
        assert_eq!(zero.partition(), KeyValue::N(Number::zero()));
    }
}
