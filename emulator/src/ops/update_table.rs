//! UpdateTable: create (with backfill) and delete global secondary indexes,
//! change an index's throughput, the billing mode and table throughput,
//! streams, deletion protection and table class.
//!
//! The request is read into an [`UpdateTableRequest`], then checked whole
//! against a copy of the definition ([`UpdateTableRequest::new_definition`])
//! before anything changes. A new index is backfilled synchronously under the
//! table lock: the UpdateTable answer reports it CREATING (table UPDATING) as
//! DynamoDB does, and the next DescribeTable finds it ACTIVE, or, with a
//! status delay set, CREATING with Backfilling until the delay has passed
//! (see `crate::storage::lifecycle`).

use super::table_description::describe;
use super::table_request::{
    read_attribute_definitions, read_definition_table_name, table_not_found, too_many_global_indexes, wire_enum,
    AttributeDefinitions, IndexSpec, Owner, StreamSetting, TableClass, ThroughputParam, WireEnum, MAX_GLOBAL_INDEXES,
};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::lifecycle::{table_status, Phase, TableStatus};
use crate::storage::{BillingMode, IndexDef, IndexKind, TableDef, TableState, Throughput};
use serde_json::{json, Value};

pub fn update_table(state: &State, input: Input) -> ApiResult<Value> {
    let mut request = UpdateTableRequest::read(input)?;
    let name = request.table_name.clone();
    if let Some(actions) = request.replica_updates.take() {
        return super::replicas::update_replicas(state, &name, actions);
    }
    let Some(table) = state.table(&name) else {
        // DynamoDB checks the request itself before it looks for the table.
        request_checks(input)?;
        return Err(table_not_found(&name));
    };
    let mut guard = table.inner.write();
    let now = state.clock.now_millis();
    if let Some(error) = table_status(&guard.def, now).in_use_error(&name) {
        return Err(error);
    }
    if matches!(request.stream, Some(Ok(StreamSetting::Disabled))) && super::replicas::is_global(state, &guard.def) {
        return Err(ApiError::validation("Disabling Stream is not allowed for a Global Table replica."));
    }
    let NewDefinition { mut def, created, deleted, vectors } = request.new_definition(&guard.def)?;

    // Everything checked: apply. With a status delay the table stays
    // UPDATING, and a new index backfilling, until the delay has passed.
    def.transition = state.status_delay.begin(Phase::Updating, now);
    if let Some(index) = def.global_indexes.iter_mut().find(|i| Some(&i.name) == created.as_ref()) {
        index.backfilled_at = def.transition.map(|t| t.until_millis);
    }
    if let Some(index) = &deleted {
        guard.data.remove_index(&index.name);
    }
    if let Some(index) = created.as_ref().and_then(|name| def.index(name)) {
        guard.data.add_index(index, &def.key_schema);
    }
    let backfilled_at = def.transition.map(|t| t.until_millis);
    super::vector_indexes::apply(&mut def, &mut guard.data, &vectors, backfilled_at);
    let new_view = def.stream_view;
    def.stream_view = guard.def.stream_view;
    def.latest_stream = guard.def.latest_stream.clone();
    guard.def = def;
    apply_stream_change(state, &mut guard, new_view);
    // A global table's indexes are the same in every replica: the change is theirs too.
    let shared = (created.is_some() || deleted.is_some()).then(|| super::replicas::IndexChange {
        created: created.as_ref().and_then(|name| guard.def.index(name)).cloned(),
        deleted: deleted.as_ref().map(|index| index.name.clone()),
        definitions: guard.def.attribute_definitions.clone(),
    });
    let mut description = describe_update(state, &guard, created.as_deref(), deleted);
    super::vector_indexes::describe_update(&mut description, &vectors);
    if let Some(change) = shared {
        let id = guard.def.id.clone();
        drop(guard);
        super::replicas::share_index_change(state, &name, &id, &change);
    }
    Ok(json!({ "TableDescription": description }))
}

/// Real DynamoDB's checks of an UpdateTable request that need no table, in
/// its order and words (dynalite's updateTable.js, asserted against
/// DynamoDB): the throughput's and index updates' constraint violations
/// (write units before read units), a table's units out of bounds, an index
/// update without an action, two updates of one index. Run when the table
/// is missing, so that they come before ResourceNotFoundException as they do
/// in DynamoDB; on an existing table the typed reading reports them.
fn request_checks(input: Input) -> ApiResult<()> {
    let mut v = Violations::new();
    let units = |v: &mut Violations, raw: &Input, prefix: &str| -> ApiResult<()> {
        for (field, path) in [("WriteCapacityUnits", "writeCapacityUnits"), ("ReadCapacityUnits", "readCapacityUnits")]
        {
            let path = format!("{prefix}provisionedThroughput.{path}");
            match raw.long(field)? {
                None => v.add("null".into(), &path, "Member must not be null"),
                Some(n) if n < 1 => v.add(format!("'{n}'"), &path, "Member must have value greater than or equal to 1"),
                Some(_) => {}
            }
        }
        Ok(())
    };
    let table_units = input.object("ProvisionedThroughput")?;
    if let Some(raw) = &table_units {
        units(&mut v, raw, "")?;
    }
    let updates = input.objects("GlobalSecondaryIndexUpdates")?.unwrap_or_default();
    for (i, update) in updates.iter().enumerate() {
        for (action, member) in [("Update", "update"), ("Delete", "delete")] {
            let Some(raw) = update.object(action)? else { continue };
            let prefix = format!("globalSecondaryIndexUpdates.{}.member.{member}.", i + 1);
            v.table_name(&format!("{prefix}indexName"), raw.str("IndexName")?);
            if action == "Update" {
                match raw.object("ProvisionedThroughput")? {
                    None => v.add("null".into(), &format!("{prefix}provisionedThroughput"), "Member must not be null"),
                    Some(units_raw) => units(&mut v, &units_raw, &prefix)?,
                }
            }
        }
    }
    v.finish()?;
    if let Some(raw) = &table_units {
        for field in ["ReadCapacityUnits", "WriteCapacityUnits"] {
            if let Some(n) = raw.long(field)?.filter(|&n| n > 1_000_000_000_000) {
                return Err(ApiError::validation(format!("Given value {n} for {field} is out of bounds")));
            }
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for update in &updates {
        let actions = [update.object("Create")?, update.object("Update")?, update.object("Delete")?];
        let Some(action) = actions.into_iter().flatten().next() else {
            return Err(no_index_action());
        };
        if let Some(name) = action.str("IndexName")? {
            if names.contains(&name) {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: {name}"
                )));
            }
            names.push(name);
        }
    }
    Ok(())
}

/// An UpdateTable request as read. The parts checked against the table
/// (throughput, index updates, stream) keep any error found reading them
/// until DynamoDB reports it (see `table_request`).
pub struct UpdateTableRequest {
    pub table_name: String,
    pub billing_mode: Option<BillingMode>,
    pub table_class: Option<TableClass>,
    pub attribute_definitions: Option<AttributeDefinitions>,
    pub throughput: ThroughputParam,
    pub index_updates: Vec<ApiResult<IndexUpdate>>,
    /// `VectorIndexUpdates`, checked against the table like `index_updates`.
    pub vector_updates: Vec<ApiResult<super::vector_indexes::VectorUpdate>>,
    pub stream: Option<ApiResult<StreamSetting>>,
    pub deletion_protection: Option<bool>,
    /// Kept as given: only `Enabled` is ever read back (DescribeTable).
    pub sse_specification: Option<Value>,
    /// `ReplicaUpdates` (global tables, `super::replicas`): the only change of its call.
    pub replica_updates: Option<Vec<super::replicas::ReplicaAction>>,
}

/// One entry of `GlobalSecondaryIndexUpdates`, as read.
pub enum IndexUpdate {
    Create(IndexSpec),
    /// New throughput for an index (its errors come after the billing mode's).
    Update {
        index_name: String,
        throughput: ApiResult<ThroughputParam>,
    },
    Delete {
        index_name: String,
    },
}

/// An index update checked against the table.
enum IndexChange {
    Create(IndexDef),
    Update(String, Throughput),
    Delete(String),
}

/// The table's definition as an UpdateTable leaves it, and the index it
/// creates or deletes (one at most).
struct NewDefinition {
    def: TableDef,
    created: Option<String>,
    deleted: Option<IndexDef>,
    vectors: super::vector_indexes::VectorChange,
}

impl UpdateTableRequest {
    /// Reads the request; what can be checked without the table is checked.
    pub fn read(input: Input) -> ApiResult<UpdateTableRequest> {
        let name = read_definition_table_name(&input)?;
        let mut v = Violations::new();
        let billing_mode = wire_enum::<BillingMode>(&mut v, "billingMode", input.str("BillingMode")?);
        let table_class = wire_enum::<TableClass>(&mut v, "tableClass", input.str("TableClass")?);
        v.finish()?;
        let attribute_definitions =
            input.objects("AttributeDefinitions")?.map(|raw| read_attribute_definitions(&raw)).transpose()?;
        let throughput = ThroughputParam::read(&input, Owner::Table)?;
        let has_definitions = attribute_definitions.is_some();
        let index_updates = input.objects("GlobalSecondaryIndexUpdates")?.unwrap_or_default();
        let request = UpdateTableRequest {
            table_name: name.to_string(),
            billing_mode,
            table_class,
            attribute_definitions,
            throughput,
            index_updates: index_updates.iter().map(|raw| IndexUpdate::read(raw, has_definitions)).collect(),
            vector_updates: (input.objects("VectorIndexUpdates")?.unwrap_or_default().iter().enumerate())
                .map(|(i, raw)| super::vector_indexes::VectorUpdate::read(raw, i + 1))
                .collect(),
            stream: input.object("StreamSpecification")?.map(|spec| StreamSetting::read(&spec, false)),
            deletion_protection: input.bool("DeletionProtectionEnabled")?,
            sse_specification: input.raw("SSESpecification").cloned(),
            replica_updates: super::replicas::ReplicaAction::read_all(&input)?,
        };
        if request.replica_updates.is_some() {
            if !request.changes_nothing() {
                return Err(super::replicas::not_alone());
            }
            return Ok(request);
        }
        if request.changes_nothing() {
            // DynamoDB's words (dynalite's updateTable.js, asserted against DynamoDB).
            return Err(ApiError::validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification is required",
            ));
        }
        Ok(request)
    }

    /// New AttributeDefinitions alone change nothing: they serve new indexes.
    fn changes_nothing(&self) -> bool {
        self.billing_mode.is_none()
            && !self.throughput.is_given()
            && self.index_updates.is_empty()
            && self.vector_updates.is_empty()
            && self.stream.is_none()
            && self.deletion_protection.is_none()
            && self.table_class.is_none()
            && self.sse_specification.is_none()
    }

    /// The table's new definition, every rule that depends on the current
    /// one checked, in DynamoDB's order.
    fn new_definition(self, current: &TableDef) -> ApiResult<NewDefinition> {
        let mut def = current.clone();
        let index_updates_given = !self.index_updates.is_empty();
        change_billing(&mut def, self.billing_mode, self.throughput, index_updates_given)?;

        // Index updates, checked against the definition as it will be.
        let requested = self.attribute_definitions.unwrap_or_default();
        let changes = resolve_index_updates(self.index_updates, &as_defined(&def, &requested), &def)?;
        let mut definitions = merge_definitions(&def, requested);
        let (created, deleted) = apply_index_changes(&mut def, changes)?;
        let stream_change = self.stream.is_some();
        let vectors = super::vector_indexes::update_table_indexes(
            &mut def,
            self.vector_updates,
            &definitions,
            index_updates_given,
            stream_change,
        )?;
        // DynamoDB keeps only the definitions some key schema uses.
        definitions.retain(|(attr, _)| is_used(&def, attr));
        def.attribute_definitions = definitions;

        if let Some(stream) = self.stream {
            change_stream(&mut def, stream?)?;
        }
        if let Some(protect) = self.deletion_protection {
            def.deletion_protection = protect;
        }
        if let Some(class) = self.table_class {
            def.table_class = Some(class.wire_name().to_string());
        }
        if self.sse_specification.is_some() {
            def.sse_specification = self.sse_specification;
        }
        Ok(NewDefinition { def, created, deleted, vectors })
    }
}

impl IndexUpdate {
    /// One entry of `GlobalSecondaryIndexUpdates`: exactly one action.
    fn read(raw: &Input, has_definitions: bool) -> ApiResult<IndexUpdate> {
        let create = raw.object("Create")?;
        let update = raw.object("Update")?;
        let delete = raw.object("Delete")?;
        let (raw, is_update) = match (create, update, delete) {
            // DynamoDB's words whether or not the table exists (dynalite's updateTable.js).
            (None, None, None) => return Err(no_index_action()),
            (Some(create), None, None) => {
                // A new index's key attributes need definitions in the request.
                if !has_definitions {
                    return Err(ApiError::validation("No Attribute Schema Defined"));
                }
                return Ok(IndexUpdate::Create(IndexSpec::read(&create, IndexKind::Global)?));
            }
            (None, Some(update), None) => (update, true),
            (None, None, Some(delete)) => (delete, false),
            _ => return Err(ApiError::validation(
                "One or more parameter values were invalid: Only one of Create, Update or Delete can be specified per global secondary index update",
            )),
        };
        let index_name = raw.str("IndexName")?;
        let mut v = Violations::new();
        v.table_name("globalSecondaryIndexUpdates.1.member.indexName", index_name);
        v.finish()?;
        let index_name = index_name.unwrap_or_default().to_string();
        if !is_update {
            return Ok(IndexUpdate::Delete { index_name });
        }
        Ok(IndexUpdate::Update { index_name, throughput: ThroughputParam::read(&raw, Owner::Index) })
    }
}

/// The billing mode and table throughput; on-demand billing drops every
/// provisioned throughput.
fn change_billing(
    def: &mut TableDef,
    requested: Option<BillingMode>,
    throughput: ThroughputParam,
    index_updates_given: bool,
) -> ApiResult<()> {
    let billing_mode = requested.unwrap_or(def.billing_mode);
    match billing_mode {
        BillingMode::Provisioned if throughput.is_given() || def.billing_mode != billing_mode => {
            let units = throughput.resolve(billing_mode, Owner::Table)?;
            if def.billing_mode == billing_mode && units == def.throughput && !index_updates_given {
                return Err(ApiError::validation(format!(
                    "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for the table: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                    def.throughput.read, units.read, def.throughput.write, units.write
                )));
            }
            def.throughput = units;
        }
        BillingMode::Provisioned => {}
        BillingMode::PayPerRequest => {
            throughput.resolve(billing_mode, Owner::Table)?;
            def.throughput = Throughput::default();
            for index in &mut def.global_indexes {
                index.throughput = None;
            }
        }
    }
    def.billing_mode = billing_mode;
    Ok(())
}

/// An index update with none of Create, Update, Delete.
fn no_index_action() -> ApiError {
    ApiError::validation(
        "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null",
    )
}

/// The table's attribute definitions with the request's. An attribute the
/// table already defines keeps its type whatever the request says: DynamoDB
/// accepts the call and ignores the other type (paritysuite/dynamodb-conformance#78,
/// recorded against DynamoDB in eu-west-2, 2026-07; DynamoDB Local refuses it).
fn merge_definitions(def: &TableDef, new: AttributeDefinitions) -> AttributeDefinitions {
    let mut definitions = def.attribute_definitions.clone();
    for (attr, kind) in new {
        if !definitions.iter().any(|(n, _)| *n == attr) {
            definitions.push((attr, kind));
        }
    }
    definitions
}

/// The request's own definitions, typed as the table defines them: what a
/// new index's key attributes are looked up in. DynamoDB takes the rule that
/// the request "must include the key element(s) of the new index" literally,
/// even for attributes the table already defines (nubo-db/dynoxide#144,
/// recorded against DynamoDB in eu-west-2, 2026-07-12).
fn as_defined(def: &TableDef, requested: &AttributeDefinitions) -> AttributeDefinitions {
    let stored = |attr: &str| def.attribute_definitions.iter().find(|(n, _)| n == attr).map(|(_, kind)| *kind);
    requested.iter().map(|(attr, kind)| (attr.clone(), stored(attr).unwrap_or(*kind))).collect()
}

/// The index updates checked in order (an update's reading errors
/// included), then DynamoDB's limit of one index created or deleted at once.
fn resolve_index_updates(
    updates: Vec<ApiResult<IndexUpdate>>,
    definitions: &AttributeDefinitions,
    def: &TableDef,
) -> ApiResult<Vec<IndexChange>> {
    let mut changes = Vec::with_capacity(updates.len());
    for update in updates {
        changes.push(match update? {
            IndexUpdate::Create(spec) => {
                IndexChange::Create(spec.resolve(definitions, def.billing_mode)?.into_def(&def.arn))
            }
            IndexUpdate::Update { index_name, throughput } => {
                if def.billing_mode == BillingMode::PayPerRequest {
                    return Err(ApiError::validation(format!(
                        "One or more parameter values were invalid: ProvisionedThroughput cannot be specified for index: {index_name} when BillingMode is PAY_PER_REQUEST"
                    )));
                }
                IndexChange::Update(index_name, throughput?.resolve(BillingMode::Provisioned, Owner::Index)?)
            }
            IndexUpdate::Delete { index_name } => IndexChange::Delete(index_name),
        });
    }
    let online = changes.iter().filter(|c| !matches!(c, IndexChange::Update(..))).count();
    if online > 1 {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        ));
    }
    Ok(changes)
}

/// Applies the index changes to `def`, then checks its indexes: the name
/// of the index created and the index deleted.
fn apply_index_changes(def: &mut TableDef, changes: Vec<IndexChange>) -> ApiResult<(Option<String>, Option<IndexDef>)> {
    let mut created = None;
    let mut deleted = None;
    for change in changes {
        match change {
            IndexChange::Create(index) => {
                if def.index(&index.name).is_some() {
                    return Err(ApiError::validation("Attempting to create an index which already exists"));
                }
                created = Some(index.name.clone());
                def.global_indexes.push(index);
            }
            IndexChange::Delete(index_name) => {
                let position = def.global_indexes.iter().position(|i| i.name == index_name);
                let Some(position) = position else {
                    return Err(ApiError::table_not_found());
                };
                deleted = Some(def.global_indexes.remove(position));
            }
            IndexChange::Update(index_name, throughput) => {
                let Some(index) = def.global_indexes.iter_mut().find(|i| i.name == index_name) else {
                    return Err(ApiError::table_not_found());
                };
                index.throughput = Some(throughput);
            }
        }
    }
    if def.global_indexes.len() > MAX_GLOBAL_INDEXES {
        return Err(too_many_global_indexes());
    }
    if def.billing_mode == BillingMode::Provisioned {
        if let Some(index) = def.global_indexes.iter().find(|i| i.throughput.is_none()) {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: {}",
                index.name
            )));
        }
    }
    Ok((created, deleted))
}

/// Enables or disables the stream (applied by `apply_stream_change`);
/// asking for the state it is in is an error. Messages: real DynamoDB's
/// (DynamoDB Local leaves out the table name; conformance/differences).
fn change_stream(def: &mut TableDef, stream: StreamSetting) -> ApiResult<()> {
    match (def.stream_view, stream) {
        (Some(_), StreamSetting::Enabled(_)) => {
            Err(ApiError::validation(format!("Table already has an enabled stream: TableName: {}", def.name)))
        }
        (None, StreamSetting::Disabled) => {
            Err(ApiError::validation(format!("Table has no stream to disable: TableName: {}", def.name)))
        }
        (_, StreamSetting::Enabled(view)) => {
            def.stream_view = Some(view);
            Ok(())
        }
        (_, StreamSetting::Disabled) => {
            def.stream_view = None;
            Ok(())
        }
    }
}

/// Starts or stops the table's stream when the new definition changes it.
fn apply_stream_change(
    state: &State,
    table: &mut TableState,
    new_view: Option<crate::storage::stream::StreamViewType>,
) {
    match (table.def.stream_view, new_view) {
        (Some(_), None) => state.disable_stream(table),
        (None, Some(view)) => state.enable_stream(table, view),
        _ => {}
    }
}

/// Whether a key schema of the table or one of its indexes uses `attr`.
fn is_used(def: &TableDef, attr: &str) -> bool {
    def.key_schema.is_key_attribute(attr)
        || def.global_indexes.iter().chain(&def.local_indexes).any(|i| i.key_schema.is_key_attribute(attr))
        || super::vector_indexes::uses_definition(def, attr)
}

/// The TableDescription of an UpdateTable: UPDATING, the index created
/// CREATING (not yet backfilled, no counts) and the index deleted DELETING.
fn describe_update(state: &State, table: &TableState, created: Option<&str>, deleted: Option<IndexDef>) -> Value {
    let deleted_name = deleted.as_ref().map(|index| index.name.clone());
    let mut shown = table.def.clone();
    shown.global_indexes.extend(deleted);
    let mut description = describe(state, &shown, &table.data, TableStatus::Updating);
    let Some(indexes) = description.get_mut("GlobalSecondaryIndexes").and_then(Value::as_array_mut) else {
        return description;
    };
    for index in indexes {
        let index_name = index.get("IndexName").and_then(Value::as_str);
        if index_name.is_some() && index_name == created {
            index["IndexStatus"] = json!("CREATING");
            index["Backfilling"] = json!(false);
            if let Some(obj) = index.as_object_mut() {
                obj.remove("IndexSizeBytes");
                obj.remove("ItemCount");
            }
        } else if index_name.is_some() && index_name == deleted_name.as_deref() {
            index["IndexStatus"] = json!("DELETING");
        }
    }
    description
}
