//! The parts of a table definition a control-plane request carries, read
//! into typed values with DynamoDB's checks and messages: CreateTable and
//! UpdateTable share key schemas, attribute definitions, secondary indexes,
//! provisioned throughput, stream specifications and the table class, and
//! most control-plane operations a `TableName`. Operations share these
//! through this module rather than through each other.
//!
//! Some rules need more than the part itself: an index's key types come
//! from the AttributeDefinitions (which UpdateTable merges with the table's),
//! and whether throughput may or must be given from the billing mode (which
//! UpdateTable may take from the table). Such parts are read whole first and
//! resolved later ([`IndexSpec::resolve`], [`ThroughputParam::resolve`]). An
//! error found while reading them waits inside the part (an `ApiResult`
//! field) until the point where DynamoDB reports it, so the order in which
//! errors are reported stays DynamoDB's.

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::storage::stream::StreamViewType;
use crate::storage::{BillingMode, IndexDef, IndexKind, ProjectionType, Throughput};
use crate::types::{KeyAttribute, KeySchema, ScalarType};

pub const MAX_GLOBAL_INDEXES: usize = 20;
/// Longest name of a key or projected attribute (UTF-8 bytes).
const MAX_KEY_ATTRIBUTE_NAME_BYTES: usize = 255;

/// Attribute names and the scalar types AttributeDefinitions give them.
pub type AttributeDefinitions = Vec<(String, ScalarType)>;

/// An enum of the API, named on the wire.
pub trait WireEnum: Copy + 'static {
    /// Every value, in the order DynamoDB lists them in an enum violation.
    const ALL: &'static [Self];
    fn wire_name(self) -> &'static str;
}

/// `value` as a `T`. A name that is none of `T`'s is a violation at `path`,
/// reported by `v.finish()` (so `None` then, as when absent).
pub fn wire_enum<T: WireEnum>(v: &mut Violations, path: &str, value: Option<&str>) -> Option<T> {
    let value = value?;
    let found = T::ALL.iter().copied().find(|t| t.wire_name() == value);
    if found.is_none() {
        let names: Vec<&str> = T::ALL.iter().map(|t| t.wire_name()).collect();
        v.one_of(path, Some(value), &names);
    }
    found
}

impl WireEnum for BillingMode {
    const ALL: &'static [Self] = &[BillingMode::Provisioned, BillingMode::PayPerRequest];
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

impl WireEnum for ScalarType {
    const ALL: &'static [Self] = &[ScalarType::B, ScalarType::N, ScalarType::S];
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

/// The role of a KeySchema element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Hash,
    Range,
}

impl WireEnum for KeyType {
    const ALL: &'static [Self] = &[KeyType::Hash, KeyType::Range];
    fn wire_name(self) -> &'static str {
        match self {
            KeyType::Hash => "HASH",
            KeyType::Range => "RANGE",
        }
    }
}

/// `TableClass`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableClass {
    Standard,
    StandardInfrequentAccess,
}

impl WireEnum for TableClass {
    const ALL: &'static [Self] = &[TableClass::Standard, TableClass::StandardInfrequentAccess];
    fn wire_name(self) -> &'static str {
        match self {
            TableClass::Standard => "STANDARD",
            TableClass::StandardInfrequentAccess => "STANDARD_INFREQUENT_ACCESS",
        }
    }
}

/// What a stream record shows of the item (`StreamViewType`), in DynamoDB's message order.
impl WireEnum for StreamViewType {
    const ALL: &'static [Self] = &[
        StreamViewType::NewImage,
        StreamViewType::OldImage,
        StreamViewType::NewAndOldImages,
        StreamViewType::KeysOnly,
    ];
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

/// A `ProjectionType` name ([`ProjectionType`] carries INCLUDE's attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProjectionKind {
    All,
    KeysOnly,
    Include,
}

impl WireEnum for ProjectionKind {
    const ALL: &'static [Self] = &[ProjectionKind::All, ProjectionKind::KeysOnly, ProjectionKind::Include];
    fn wire_name(self) -> &'static str {
        match self {
            ProjectionKind::All => "ALL",
            ProjectionKind::KeysOnly => "KEYS_ONLY",
            ProjectionKind::Include => "INCLUDE",
        }
    }
}

/// Whose key schema or throughput a part is: some messages say so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Table,
    Index,
}

/// The `TableName` of a request about one table, with its constraints.
pub fn read_table_name<'a>(input: &Input<'a>) -> ApiResult<&'a str> {
    let name = input.str("TableName")?;
    let mut v = Violations::new();
    v.table_name("tableName", name);
    v.finish()?;
    Ok(name.unwrap_or_default())
}

/// The `TableName` of DescribeTable, DeleteTable and UpdateTable: DynamoDB
/// answers a missing name and a length outside 3..255 in its own words, then
/// the pattern as a constraint violation (dynalite's describeTable.js,
/// deleteTable.js and updateTable.js, asserted against DynamoDB).
pub fn read_definition_table_name<'a>(input: &Input<'a>) -> ApiResult<&'a str> {
    let Some(name) = input.str("TableName")? else {
        return Err(ApiError::validation("The parameter 'TableName' is required but was not present in the request"));
    };
    if !(3..=255).contains(&name.chars().count()) {
        return Err(ApiError::validation(
            "TableName must be at least 3 characters long and at most 255 characters long",
        ));
    }
    read_table_name(input)
}

pub fn table_not_found(name: &str) -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, format!("Requested resource not found: Table: {name} not found"))
}

/// The table `name` names, or DynamoDB's not-found error for it (metadata calls).
pub fn named_table(state: &crate::state::State, name: &str) -> ApiResult<std::sync::Arc<crate::storage::Table>> {
    state.table(name).ok_or_else(|| table_not_found(name))
}

pub fn too_many_global_indexes() -> ApiError {
    ApiError::new(
        ErrorKind::LimitExceeded,
        format!("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"),
    )
}

/// `AttributeDefinitions`, each checked, no name twice.
pub fn read_attribute_definitions(raw: &[Input]) -> ApiResult<AttributeDefinitions> {
    let mut defs: AttributeDefinitions = Vec::new();
    for (i, raw) in raw.iter().enumerate() {
        let (name, kind) = read_attribute_definition(raw, i + 1)?;
        if defs.iter().any(|(n, _)| n == name) {
            // Real DynamoDB's wording (DynamoDB Local: "Cannot have two
            // attributes with the same name"), see conformance/differences/gaps.md.
            return Err(ApiError::validation(format!("Attribute Name is duplicated: {name}")));
        }
        defs.push((name.to_string(), kind));
    }
    Ok(defs)
}

/// One AttributeDefinition, at 1-based `position` in the list.
fn read_attribute_definition<'a>(raw: &Input<'a>, position: usize) -> ApiResult<(&'a str, ScalarType)> {
    let name = raw.str("AttributeName")?;
    let kind = raw.str("AttributeType")?;
    let path = format!("attributeDefinitions.{position}.member");
    let mut v = Violations::new();
    v.not_null(&format!("{path}.attributeName"), &name);
    v.not_null(&format!("{path}.attributeType"), &kind);
    let kind = wire_enum::<ScalarType>(&mut v, &format!("{path}.attributeType"), kind);
    v.finish()?;
    let name = name.unwrap_or_default();
    check_attribute_name_length(name)?;
    Ok((name, kind.unwrap_or(ScalarType::S)))
}

/// Key attribute names (in AttributeDefinitions) and projected attribute
/// names are 1 to 255 bytes long.
fn check_attribute_name_length(name: &str) -> ApiResult<()> {
    if name.is_empty() || name.len() > MAX_KEY_ATTRIBUTE_NAME_BYTES {
        return Err(ApiError::validation(
            "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, inclusive",
        ));
    }
    Ok(())
}

/// The attribute names of a KeySchema (a table's or an index's), before
/// AttributeDefinitions give them types.
pub struct KeyNames {
    hash: Vec<String>,
    range: Vec<String>,
}

/// What a KeySchema may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    /// One HASH and at most one RANGE attribute: a table or a local index.
    Single,
    /// Up to four HASH and four RANGE attributes: a global secondary index.
    Multi,
}

/// A global secondary index key has at most four attributes of each kind.
const MAX_MULTI_KEY_ATTRIBUTES: usize = 4;

impl KeyNames {
    /// A KeySchema with its shape checked: DynamoDB Local checks the shape
    /// before it looks at AttributeDefinitions.
    pub fn read(raw: Option<&[Input]>, shape: KeyShape) -> ApiResult<KeyNames> {
        let raw = raw.unwrap_or_default();
        if raw.is_empty() {
            return Err(ApiError::validation(
                "No defined key schema.  A key schema containing at least a hash key must be defined for all tables",
            ));
        }
        let elements =
            raw.iter().enumerate().map(|(i, k)| read_key_element(k, i + 1)).collect::<ApiResult<Vec<_>>>()?;
        match shape {
            KeyShape::Single => Self::single(&elements),
            KeyShape::Multi => Self::multi(&elements),
        }
    }

    fn single(elements: &[(&str, KeyType)]) -> ApiResult<KeyNames> {
        if elements.len() > 2 {
            return Err(ApiError::validation(
                "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table",
            ));
        }
        match elements.iter().filter(|(_, kind)| *kind == KeyType::Hash).count() {
            0 => return Err(no_hash_key()),
            1 => {}
            _ => {
                return Err(ApiError::validation(
                    "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key",
                ))
            }
        }
        let (hash, range) = match elements[..] {
            [(hash, KeyType::Hash)] => (hash, None),
            [(hash, KeyType::Hash), (range, KeyType::Range)] => (hash, Some(range)),
            // Real DynamoDB's wording (DynamoDB Local: "Invalid key order. ..."),
            // see conformance/differences/gaps.md.
            _ => return Err(first_not_hash()),
        };
        if range == Some(hash) {
            return Err(ApiError::validation("Two keys can not have the same name"));
        }
        Ok(KeyNames { hash: vec![hash.to_string()], range: range.into_iter().map(str::to_string).collect() })
    }

    /// A multi-attribute key, checked as DynamoDB Local 3.3 checks it: element
    /// by element (a name seen before, a HASH after a RANGE), then the counts.
    fn multi(elements: &[(&str, KeyType)]) -> ApiResult<KeyNames> {
        let (mut hash, mut range): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for (name, kind) in elements {
            if hash.iter().chain(&range).any(|seen| seen == name) {
                return Err(ApiError::validation("Two keys can not have the same name"));
            }
            match kind {
                KeyType::Hash if !range.is_empty() => {
                    // Real DynamoDB's wording when the first element is the culprit, as for tables.
                    if elements[0].1 == KeyType::Range {
                        return Err(first_not_hash());
                    }
                    return Err(ApiError::validation(
                        "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second",
                    ));
                }
                KeyType::Hash => hash.push(name.to_string()),
                KeyType::Range => range.push(name.to_string()),
            }
        }
        if hash.is_empty() {
            return Err(no_hash_key());
        }
        if hash.len() > MAX_MULTI_KEY_ATTRIBUTES {
            return Err(ApiError::validation("Too many partition keys. GSI can have at most 4 partition keys"));
        }
        if range.len() > MAX_MULTI_KEY_ATTRIBUTES {
            return Err(ApiError::validation("Too many sort keys. GSI can have at most 4 sort keys"));
        }
        Ok(KeyNames { hash, range })
    }

    /// The key schema, its attributes typed by `defs`.
    pub fn resolve(self, defs: &[(String, ScalarType)], owner: Owner) -> ApiResult<KeySchema> {
        let lookup = |name: String, what: &str| -> ApiResult<KeyAttribute> {
            match defs.iter().find(|(n, _)| *n == name) {
                Some((_, kind)) => Ok(KeyAttribute { name, kind: *kind }),
                None if owner == Owner::Table => Err(ApiError::validation(format!(
                    "{what} Key not specified in Attribute Definitions.  Type unknown."
                ))),
                None => Err(ApiError::validation(format!("Attribute {name} is not defined in AttributeDefinitions"))),
            }
        };
        let mut hash = self.hash.into_iter().map(|n| lookup(n, "Hash")).collect::<ApiResult<Vec<_>>>()?.into_iter();
        let mut range = self.range.into_iter().map(|n| lookup(n, "Range")).collect::<ApiResult<Vec<_>>>()?.into_iter();
        let partition = hash.next().expect("a key schema has a hash key");
        Ok(KeySchema { partition, sort: range.next(), more_partition: hash.collect(), more_sort: range.collect() })
    }
}

fn no_hash_key() -> ApiError {
    ApiError::validation("No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key")
}

fn first_not_hash() -> ApiError {
    ApiError::validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
}

/// One KeySchemaElement, at 1-based `position` in the list.
fn read_key_element<'a>(raw: &Input<'a>, position: usize) -> ApiResult<(&'a str, KeyType)> {
    let name = raw.str("AttributeName")?;
    let kind = raw.str("KeyType")?;
    let path = format!("keySchema.{position}.member");
    let mut v = Violations::new();
    v.not_null(&format!("{path}.attributeName"), &name);
    v.not_null(&format!("{path}.keyType"), &kind);
    let kind = wire_enum::<KeyType>(&mut v, &format!("{path}.keyType"), kind);
    v.finish()?;
    Ok((name.unwrap_or_default(), kind.unwrap_or(KeyType::Range)))
}

/// A `ProvisionedThroughput` member as given: absent, or its capacity units
/// (or why they are invalid). Whether it may, or must, be given depends on
/// the billing mode, see [`ThroughputParam::resolve`].
pub struct ThroughputParam(Option<ApiResult<Throughput>>);

impl ThroughputParam {
    pub const ABSENT: ThroughputParam = ThroughputParam(None);

    /// The `ProvisionedThroughput` of `parent` (the request or an index).
    pub fn read(parent: &Input, owner: Owner) -> ApiResult<ThroughputParam> {
        let raw = parent.object("ProvisionedThroughput")?;
        Ok(ThroughputParam(raw.map(|units| read_capacity_units(units, owner))))
    }

    pub fn is_given(&self) -> bool {
        self.0.is_some()
    }

    /// The throughput under `billing`: none with on-demand billing (where a
    /// table must not give one), the given units with provisioned billing.
    pub fn resolve(self, billing: BillingMode, owner: Owner) -> ApiResult<Throughput> {
        match (billing, self.0) {
            (BillingMode::PayPerRequest, Some(_)) if owner == Owner::Table => Err(ApiError::validation(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            )),
            (BillingMode::PayPerRequest, _) => Ok(Throughput::default()),
            (BillingMode::Provisioned, None) if owner == Owner::Table => {
                Err(ApiError::validation("No provisioned throughput specified for the table"))
            }
            (BillingMode::Provisioned, None) => {
                Err(ApiError::validation("No provisioned throughput specified for the global secondary index"))
            }
            (BillingMode::Provisioned, Some(units)) => units,
        }
    }
}

fn read_capacity_units(raw: Input, owner: Owner) -> ApiResult<Throughput> {
    let read = raw.long("ReadCapacityUnits")?;
    let write = raw.long("WriteCapacityUnits")?;
    let mut v = Violations::new();
    v.not_null("provisionedThroughput.readCapacityUnits", &read);
    v.not_null("provisionedThroughput.writeCapacityUnits", &write);
    v.finish()?;
    let (read, write) = (read.unwrap_or(0), write.unwrap_or(0));
    if read < 1 || write < 1 {
        let what = if owner == Owner::Table { "Table" } else { "Index" };
        return Err(ApiError::validation(format!(
            "{what} read and write throughput must be at least 1, and cannot be null"
        )));
    }
    Ok(Throughput { read, write })
}

/// A secondary index of a CreateTable or UpdateTable request as read: its
/// name and key attribute names, then its projection and throughput.
pub struct IndexSpec {
    pub name: String,
    kind: IndexKind,
    key_names: KeyNames,
    /// Read with the index; DynamoDB reports their errors after the key types'.
    projection_and_throughput: ApiResult<(ProjectionType, ThroughputParam)>,
}

impl IndexSpec {
    pub fn read(raw: &Input, kind: IndexKind) -> ApiResult<IndexSpec> {
        let list = match kind {
            IndexKind::Global => "globalSecondaryIndexes",
            IndexKind::Local => "localSecondaryIndexes",
        };
        let name = raw.str("IndexName")?;
        let mut v = Violations::new();
        // DynamoDB names the first member of the list, whichever index it is.
        v.table_name(&format!("{list}.1.member.indexName"), name);
        v.finish()?;
        let shape = match kind {
            IndexKind::Global => KeyShape::Multi,
            IndexKind::Local => KeyShape::Single,
        };
        let key_names = KeyNames::read(raw.objects("KeySchema")?.as_deref(), shape)?;
        let projection_and_throughput = read_projection(raw, list).and_then(|projection| {
            // A local index shares its table's throughput: not read at all.
            let throughput = match kind {
                IndexKind::Global => ThroughputParam::read(raw, Owner::Index)?,
                IndexKind::Local => ThroughputParam::ABSENT,
            };
            Ok((projection, throughput))
        });
        Ok(IndexSpec { name: name.unwrap_or_default().to_string(), kind, key_names, projection_and_throughput })
    }

    /// The index with its key types from `defs` and its throughput under
    /// the table's `billing` mode.
    pub fn resolve(self, defs: &[(String, ScalarType)], billing: BillingMode) -> ApiResult<ResolvedIndex> {
        let key_schema = self.key_names.resolve(defs, Owner::Index)?;
        if self.kind == IndexKind::Local && key_schema.sort.is_none() {
            return Err(ApiError::validation("Local secondary indices must have a range key"));
        }
        let (projection, throughput) = self.projection_and_throughput?;
        let throughput = match self.kind {
            IndexKind::Global => {
                Some(throughput.resolve(billing, Owner::Index)?).filter(|_| billing == BillingMode::Provisioned)
            }
            IndexKind::Local => None,
        };
        Ok(ResolvedIndex { name: self.name, kind: self.kind, key_schema, projection, throughput })
    }
}

/// An index's `Projection` (`list` names its list in violations).
pub fn read_projection(raw: &Input, list: &str) -> ApiResult<ProjectionType> {
    let Some(projection) = raw.object("Projection")? else {
        return Err(ApiError::validation("Indexes must have a projection specified"));
    };
    let kind = projection.str("ProjectionType")?;
    let non_key = projection.strings("NonKeyAttributes")?;
    let mut v = Violations::new();
    let kind = wire_enum::<ProjectionKind>(&mut v, &format!("{list}.1.member.projection.projectionType"), kind);
    v.finish()?;
    match (kind, non_key) {
        (Some(ProjectionKind::Include), Some(attrs)) if !attrs.is_empty() => {
            attrs.iter().try_for_each(|a| check_attribute_name_length(a))?;
            Ok(ProjectionType::Include(attrs))
        }
        (Some(ProjectionKind::Include), _) => Err(ApiError::validation(
            "If Projection type INCLUDE is specified, some non-key attributes to include in the projection must be specified as well",
        )),
        (_, Some(_)) => Err(ApiError::validation(
            "No attributes should be specified to be projected unless projection type is INCLUDE",
        )),
        (Some(ProjectionKind::KeysOnly), None) => Ok(ProjectionType::KeysOnly),
        (Some(ProjectionKind::All), None) => Ok(ProjectionType::All),
        (None, None) => Err(ApiError::validation("Unknown ProjectionType: null")),
    }
}

/// A secondary index checked against its table's attribute definitions and
/// billing mode.
pub struct ResolvedIndex {
    pub name: String,
    pub kind: IndexKind,
    pub key_schema: KeySchema,
    pub projection: ProjectionType,
    pub throughput: Option<Throughput>,
}

impl ResolvedIndex {
    /// The index's definition; its ARN is under its table's.
    pub fn into_def(self, table_arn: &str) -> IndexDef {
        IndexDef {
            arn: format!("{table_arn}/index/{}", self.name),
            name: self.name,
            kind: self.kind,
            key_schema: self.key_schema,
            projection: self.projection,
            throughput: self.throughput,
            backfilled_at: None,
        }
    }
}

/// A `StreamSpecification`: streams on (with what a record shows) or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamSetting {
    Enabled(StreamViewType),
    Disabled,
}

impl StreamSetting {
    /// A `StreamSpecification` of a CreateTable (`creating`) or an
    /// UpdateTable: a view type exactly when the stream is enabled, with real
    /// DynamoDB's messages for each (conformance/differences/streams.md).
    pub fn read(spec: &Input, creating: bool) -> ApiResult<StreamSetting> {
        let enabled = spec.bool("StreamEnabled")?;
        let view = spec.str("StreamViewType")?;
        let mut v = Violations::new();
        v.not_null("streamSpecification.streamEnabled", &enabled);
        let view = wire_enum::<StreamViewType>(&mut v, "streamSpecification.streamViewType", view);
        v.finish()?;
        let invalid =
            |reason: &str| Err(ApiError::validation(format!("One or more parameter values were invalid: {reason}")));
        match (enabled, view, creating) {
            (Some(true), Some(view), _) => Ok(StreamSetting::Enabled(view)),
            (Some(true), None, true) => {
                invalid("Table is being created with a stream enabled, UpdateViewType is required")
            }
            (Some(true), None, false) => invalid("If stream is being enabled then UpdateViewType is required"),
            (_, Some(_), true) => {
                invalid("Table is being created with a stream disabled, UpdateViewType should not be specified")
            }
            (_, Some(_), false) => invalid("If stream is being disabled, then UpdateViewType must not be specified"),
            _ => Ok(StreamSetting::Disabled),
        }
    }
}
