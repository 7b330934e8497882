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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeySchema {
    pub partition: KeyAttribute,
    pub sort: Option<KeyAttribute>,
}

/// Where an item lives: the order of this struct's fields is the storage
/// order. `hash` spreads partitions like DynamoDB's hashing does (so Scan
/// order is not key order, and parallel scan segments are hash ranges),
/// while items of one partition stay sorted by their sort key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PrimaryKey {
    pub hash: u64,
    pub partition: KeyValue,
    pub sort: Option<KeyValue>,
}

impl PrimaryKey {
    pub fn new(partition: KeyValue, sort: Option<KeyValue>) -> PrimaryKey {
        PrimaryKey { hash: partition_hash(&partition), partition, sort }
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
    // Finalise with a mixer so nearby keys land far apart.
    let mut h = hasher.finish();
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

impl Hash for PrimaryKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.partition.hash(state);
        self.sort.hash(state);
    }
}

impl KeySchema {
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.partition).chain(self.sort.as_ref())
    }

    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.attributes().any(|a| a.name == name)
    }

    /// Validates a `Key` parameter (GetItem, DeleteItem, UpdateItem, ...):
    /// exactly the key attributes, with the right types.
    pub fn key_from_request(&self, key: &Item) -> ApiResult<PrimaryKey> {
        let expected = 1 + self.sort.is_some() as usize;
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
        let partition = KeyValue::from_attribute(item.get(&self.partition.name)?)?;
        let sort = match &self.sort {
            Some(s) => Some(KeyValue::from_attribute(item.get(&s.name)?)?),
            None => None,
        };
        Some(PrimaryKey::new(partition, sort))
    }

    /// The key attributes of an item, as an item (for `LastEvaluatedKey` and friends).
    pub fn project_key(&self, item: &Item) -> Item {
        self.attributes().filter_map(|a| item.get(&a.name).map(|v| (a.name.clone(), v.clone()))).collect()
    }

    fn extract(&self, source: &Item, context: KeyContext) -> ApiResult<PrimaryKey> {
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
