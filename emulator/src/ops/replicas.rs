//! Global tables, version 2019.11.21: UpdateTable's `ReplicaUpdates` (add,
//! update or remove the table of the same name in another region of the
//! account), the `Replicas` and `GlobalTableVersion` of a table's
//! description, and what DeleteTable and stream changes must respect.
//!
//! DynamoDB's rules and words, as recorded against DynamoDB (ack-api-quirks
//! `services/dynamodb` findings DDB-TABLE-203, 221, 223, 224, 226, 227, 249,
//! 265, 266, 267; the developer guide's "Global tables version
//! 2019.11.21"): `ReplicaUpdates` must be the only change of the call, one
//! Create or Delete per call, no stream prerequisite (a Create turns on a
//! NEW_AND_OLD_IMAGES stream when the table has none), PROVISIONED tables
//! need write auto scaling (which the emulator has not, so only on-demand
//! tables get replicas), a replica that added another one less than 24
//! hours ago cannot be removed. The group itself, and the delivery of
//! writes, live in `state::replication`.

use super::table_request::table_not_found;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::replication::{Group, Member};
use crate::state::State;
use crate::storage::lifecycle::{table_status, Phase};
use crate::storage::replica::{ReplicaLink, Stamp};
use crate::storage::stream::StreamViewType;
use crate::storage::{BillingMode, Table, TableData, TableDef, TableState};
use crate::types::PrimaryKey;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The version `DescribeTable` names for a table with replicas.
pub const GLOBAL_TABLE_VERSION: &str = "2019.11.21";

/// Regions DynamoDB offers global tables in (the commercial partition).
const REGIONS: &[&str] = &[
    "ap-south-2",
    "ap-south-1",
    "eu-south-1",
    "eu-south-2",
    "me-central-1",
    "il-central-1",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "eu-north-1",
    "eu-west-3",
    "eu-west-2",
    "eu-west-1",
    "ap-northeast-3",
    "ap-northeast-2",
    "me-south-1",
    "ap-northeast-1",
    "sa-east-1",
    "ap-east-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "mx-central-1",
    "us-east-1",
    "us-east-2",
];

/// One entry of `ReplicaUpdates`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplicaAction {
    Create {
        region: String,
    },
    /// A change of the replica's settings (KMS key, throughput or table class
    /// overrides): accepted, the emulator keeps none of them.
    Update {
        region: String,
        throughput_override: bool,
    },
    Delete {
        region: String,
    },
}

impl ReplicaAction {
    fn region(&self) -> &str {
        match self {
            ReplicaAction::Create { region }
            | ReplicaAction::Update { region, .. }
            | ReplicaAction::Delete { region } => region,
        }
    }

    /// `ReplicaUpdates` as read: each entry names exactly one action.
    pub fn read_all(input: &Input) -> ApiResult<Option<Vec<ReplicaAction>>> {
        let Some(entries) = input.objects("ReplicaUpdates")? else { return Ok(None) };
        if entries.is_empty() {
            let mut v = Violations::new();
            v.add("'[]'".into(), "replicaUpdates", "Member must have length greater than or equal to 1");
            v.finish()?;
        }
        let mut actions = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let mut present = Vec::new();
            for (field, member) in [("Create", "create"), ("Update", "update"), ("Delete", "delete")] {
                if let Some(raw) = entry.object(field)? {
                    present.push((field, member, raw));
                }
            }
            let (field, member, raw) = match present.len() {
                0 => return Err(no_actions()),
                1 => present.remove(0),
                _ => {
                    return Err(ApiError::validation(
                        "Update table operation with more than one type of replica actions not allowed.",
                    ))
                }
            };
            let mut v = Violations::new();
            let path = format!("replicaUpdates.{}.member.{member}.regionName", i + 1);
            let region = raw.str("RegionName")?;
            if region.is_none() {
                v.add("null".into(), &path, "Member must not be null");
            }
            v.finish()?;
            let region = region.unwrap_or_default().to_string();
            actions.push(match field {
                "Create" => ReplicaAction::Create { region },
                "Delete" => ReplicaAction::Delete { region },
                _ => {
                    let settings = [
                        "KMSMasterKeyId",
                        "ProvisionedThroughputOverride",
                        "OnDemandThroughputOverride",
                        "GlobalSecondaryIndexes",
                        "TableClassOverride",
                    ];
                    if !settings.iter().any(|s| raw.has(s)) {
                        return Err(no_actions());
                    }
                    ReplicaAction::Update { region, throughput_override: raw.has("ProvisionedThroughputOverride") }
                }
            });
        }
        // Two identical Creates are one (DDB-TABLE-224); otherwise one Create or Delete per call.
        actions.dedup();
        let online = actions.iter().filter(|a| !matches!(a, ReplicaAction::Update { .. })).count();
        if online > 1 {
            return Err(ApiError::validation(
                "Update table operation with more than one create or delete replica actions not allowed",
            ));
        }
        Ok(Some(actions))
    }
}

fn no_actions() -> ApiError {
    ApiError::validation("There are no actions specified in the Replica Update Action of the request.")
}

/// The answer to `ReplicaUpdates` combined with any other change.
pub fn not_alone() -> ApiError {
    ApiError::validation(
        "One or more parameter values were invalid: Replica modification must be the only operation in the request",
    )
}

fn in_use() -> ApiError {
    ApiError::new(ErrorKind::ResourceInUse, "The resource which you are attempting to change is in use.")
}

fn already_replica(name: &str) -> ApiError {
    ApiError::validation(format!(
        "Failed to create a the new replica of table with name: \u{2018}{name}\u{2019} because one or more replicas already existed as tables."
    ))
}

fn not_member(region: &str) -> ApiError {
    ApiError::validation(format!(
        "Update global table operation failed because one or more replicas were not part of the global table. Please retry the request without these replicas: [{region}]."
    ))
}

fn recent_source() -> ApiError {
    ApiError::validation(
        "Replica cannot be deleted because it has acted as a source region for new replica(s) being added to the table in the last 24 hours.",
    )
}

/// UpdateTable with `ReplicaUpdates` (and nothing else).
pub fn update_replicas(state: &State, name: &str, actions: Vec<ReplicaAction>) -> ApiResult<Value> {
    if state.serves_every_region() {
        return Err(ApiError::validation(
            "Replicas are not available in a shared namespace: this emulator serves every region from one namespace (--shared, or durable mode), so a replica in another region would be this very table. Start it without --shared (and in memory) to use global tables.",
        ));
    }
    if state.journals() {
        return Err(ApiError::validation(
            "Replicas are not kept by durable mode (--db-path): its journal records no global table, so a replica would not survive a restart. Start the emulator in memory to use global tables.",
        ));
    }
    let table = state.table(name).ok_or_else(|| table_not_found(name))?;
    for action in &actions {
        let region = action.region();
        if region == state.config.region {
            return Err(ApiError::validation(
                "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.",
            ));
        }
        if !REGIONS.contains(&region) {
            return Err(ApiError::validation(format!(
                "Region {region} is not supported. The latest version of global tables are only supported in the following regions: [{}].",
                REGIONS.join(", ")
            )));
        }
    }
    // The Create's region, looked at before this table is locked: no other
    // table's lock is ever taken while holding this one's (`State::table`
    // reads the table it finds), so two regions adding each other cannot deadlock.
    let taken: Vec<String> = actions
        .iter()
        .filter(|a| matches!(a, ReplicaAction::Create { .. }))
        .filter(|a| state.region_state(a.region()).is_some_and(|s| s.table(name).is_some()))
        .map(|a| a.region().to_string())
        .collect();
    let mut guard = table.inner.write();
    let now = state.clock.now_millis();
    if table_status(&guard.def, now).in_use_error(name).is_some() {
        return Err(in_use());
    }
    let account = state.config.account_id.clone();
    let group = state.replication.group(&account, name);
    let me = group.as_ref().and_then(|g| own_member(state, g, &guard.def));
    if let Some(group) = &group {
        // A replica still being added or removed holds the group (DDB-TABLE-227, 228).
        if group.members(now).iter().any(|m| m.status(now) != Some(crate::state::replication::ReplicaStatus::Active)) {
            return Err(in_use());
        }
    }
    for action in &actions {
        let region = action.region();
        let member =
            me.as_ref().and(group.as_ref()).and_then(|g| g.members(now).into_iter().find(|m| m.region == region));
        match action {
            ReplicaAction::Create { .. } => {
                if guard.def.billing_mode == BillingMode::Provisioned {
                    return Err(ApiError::validation(
                        "Table write capacity should either be Pay-Per-Request or AutoScaled.",
                    ));
                }
                if member.is_some()
                    || taken.iter().any(|r| r == region)
                    || (me.is_none() && group.as_ref().is_some_and(|g| !g.members(now).is_empty()))
                {
                    return Err(already_replica(name));
                }
            }
            ReplicaAction::Update { throughput_override, .. } => {
                if member.is_none() {
                    return Err(not_member(region));
                }
                if *throughput_override {
                    return Err(ApiError::validation(
                        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                    ));
                }
            }
            ReplicaAction::Delete { .. } => {
                if member.is_none() {
                    return Err(not_member(region));
                }
                if group.as_ref().is_some_and(|g| g.is_recent_source(region, now)) {
                    return Err(recent_source());
                }
            }
        }
    }

    // Everything checked: apply. The table is UPDATING while a replica is added or removed.
    guard.def.transition = state.status_delay.begin(Phase::Updating, now);
    let mut removed = None;
    for action in actions {
        match action {
            ReplicaAction::Create { region } => add_replica(state, &table, &mut guard, &region, now)?,
            ReplicaAction::Update { .. } => {}
            ReplicaAction::Delete { region } => {
                let until = state.status_delay.begin(Phase::Deleting, now).map_or(now, |t| t.until_millis);
                if let Some(group) = &group {
                    group.remove(&region, until);
                }
                removed = Some(region);
            }
        }
    }
    let description = super::table_description::describe(
        state,
        &guard.def,
        &guard.data,
        crate::storage::lifecycle::TableStatus::Updating,
    );
    drop(guard);
    // The removed replica's own table goes (no other table's lock is held).
    if let Some(region) = removed {
        if let Some(target) = state.region_state(&region) {
            if let Some(replica) = target.table(name) {
                let mut replica_guard = replica.inner.write();
                replica_guard.data.replica.0 = None;
                super::tables::retire(&target, &replica, replica_guard, now);
            }
        }
        state.replication.forget_if_empty(&account, name, now);
    }
    Ok(json!({ "TableDescription": description }))
}

/// Creates the replica of `source` in `region`: the same definition and
/// items, its own id, ARN and stream, CREATING for the status delay; links
/// both to the group. Runs under the source's write lock, so no write is
/// missed between the copy and the link.
fn add_replica(
    state: &State,
    source_table: &Arc<Table>,
    source: &mut TableState,
    region: &str,
    now: i64,
) -> ApiResult<()> {
    let name = source.def.name.clone();
    let target = state.region_state(region).ok_or_else(|| {
        ApiError::new(ErrorKind::InternalServerError, "Internal server error: no state serves the other regions")
    })?;
    // No stream prerequisite: DynamoDB turns on NEW_AND_OLD_IMAGES when there is none (DDB-TABLE-221).
    let view = source.def.stream_view.unwrap_or(StreamViewType::NewAndOldImages);
    let account = state.config.account_id.clone();
    let existing = state.replication.group(&account, &name).filter(|g| own_member(state, g, &source.def).is_some());
    let joined = existing.is_some();
    let group = existing.unwrap_or_else(|| {
        state.replication.forget_if_empty(&account, &name, now);
        state.replication.group_or_new(&account, &name)
    });

    // The replica first: the source changes only once it exists.
    let def = replica_definition(&source.def, &target, now);
    let mut data = TableData::new(&def);
    for (key, item) in source.data.items.iter() {
        data.put(key.clone(), item.decode());
    }
    let stamps: HashMap<PrimaryKey, Stamp> =
        source.data.replica.0.as_ref().map(|link| link.stamps().clone()).unwrap_or_default();
    data.replica.0 = Some(ReplicaLink::new(region, Arc::clone(&target.clock), Arc::clone(&group.outbox), stamps));
    let mut replica = TableState { def, data };
    target.enable_stream(&mut replica, view);
    let (id, creating_until) = (replica.def.id.clone(), replica.def.transition.map(|t| t.until_millis));
    let table = target.catalog.create_from(replica).ok_or_else(|| already_replica(&name))?;

    if source.def.stream_view.is_none() {
        state.enable_stream(source, view);
    }
    if !joined {
        let link =
            ReplicaLink::new(&state.config.region, Arc::clone(&state.clock), Arc::clone(&group.outbox), HashMap::new());
        source.data.replica.0 = Some(link);
        group.add(member(&state.config.region, &source.def.id, Arc::clone(source_table), None, now, None));
    }
    let added_by = Some(state.config.region.clone());
    group.add(member(region, &id, table, added_by, now, creating_until));
    Ok(())
}

fn member(
    region: &str,
    table_id: &str,
    table: Arc<Table>,
    source: Option<String>,
    now: i64,
    creating_until: Option<i64>,
) -> Member {
    Member {
        region: region.to_string(),
        table_id: table_id.to_string(),
        table,
        source,
        added_millis: now,
        creating_until,
        deleting_until: None,
    }
}

/// The replica's definition in `target`: the source's schema, indexes,
/// billing, TTL and table class; its own id, ARN and creation time; no tags,
/// policies, point-in-time recovery or deletion protection (regional settings).
fn replica_definition(source: &TableDef, target: &State, now: i64) -> TableDef {
    let mut def = source.clone();
    def.id = uuid::Uuid::new_v4().to_string();
    def.arn = target.table_arn(&def.name);
    def.created_at = now as f64 / 1000.0;
    def.transition = target.status_delay.begin(Phase::Creating, now);
    def.stream_view = None;
    def.latest_stream = None;
    def.tags = Vec::new();
    def.deletion_protection = false;
    def.point_in_time_recovery = false;
    def.integrations = Default::default();
    for index in def.global_indexes.iter_mut().chain(def.local_indexes.iter_mut()) {
        index.arn = format!("{}/index/{}", def.arn, index.name);
    }
    def
}

/// `Replicas` of a table's description: the other members of its global
/// table with their status, when it has any.
pub fn describe_replicas(state: &State, def: &TableDef) -> Option<Value> {
    let group = state.replication.group(&state.config.account_id, &def.name)?;
    own_member(state, &group, def)?;
    let now = state.clock.now_millis();
    let others: Vec<Value> = group
        .members(now)
        .into_iter()
        .filter(|m| m.region != state.config.region)
        .filter_map(|m| Some(json!({ "RegionName": m.region, "ReplicaStatus": m.status(now)?.as_str() })))
        .collect();
    (!others.is_empty()).then_some(Value::Array(others))
}

/// The group's member for table `def` of this state's region: the very
/// table in the catalog (one put back from a snapshot is no replica: it has
/// no link).
fn own_member(state: &State, group: &Group, def: &TableDef) -> Option<Member> {
    member_for(state, group, &def.name, &def.id)
}

fn member_for(state: &State, group: &Group, name: &str, id: &str) -> Option<Member> {
    let member = group.live_member(&state.config.region, id)?;
    let current = state.catalog.get(name)?;
    Arc::ptr_eq(&current, &member.table).then_some(member)
}

/// Applies a setting DynamoDB keeps the same in every replica (Time to
/// Live) to the other replicas of table `name` (`id`), once the caller has
/// released its own table's lock.
pub fn share_setting(state: &State, name: &str, id: &str, apply: impl Fn(&mut TableDef)) {
    for member in other_replicas(state, name, id) {
        apply(&mut member.table.inner.write().def);
    }
}

/// The other replicas (not being removed) of table `name` (`id`), if it is one.
fn other_replicas(state: &State, name: &str, id: &str) -> Vec<Member> {
    let Some(group) = state.replication.group(&state.config.account_id, name) else { return Vec::new() };
    if member_for(state, &group, name, id).is_none() {
        return Vec::new();
    }
    let now = state.clock.now_millis();
    let deleting = Some(crate::state::replication::ReplicaStatus::Deleting);
    group.members(now).into_iter().filter(|m| m.region != state.config.region && m.status(now) != deleting).collect()
}

/// A global secondary index created or deleted by UpdateTable, for the other replicas.
pub struct IndexChange {
    pub created: Option<crate::storage::IndexDef>,
    pub deleted: Option<String>,
    pub definitions: Vec<(String, crate::types::ScalarType)>,
}

/// Creates (with backfill) or deletes the index in the other replicas of
/// table `name` (`id`), as DynamoDB does for a global table; the caller has
/// released its own table's lock.
pub fn share_index_change(state: &State, name: &str, id: &str, change: &IndexChange) {
    for member in other_replicas(state, name, id) {
        let mut guard = member.table.inner.write();
        let table = &mut *guard;
        if let Some(deleted) = &change.deleted {
            table.def.global_indexes.retain(|i| i.name != *deleted);
            table.data.remove_index(deleted);
        }
        if let Some(index) = change.created.as_ref().filter(|i| table.def.index(&i.name).is_none()) {
            let mut index = index.clone();
            index.arn = format!("{}/index/{}", table.def.arn, index.name);
            table.data.add_index(&index, &table.def.key_schema);
            table.def.global_indexes.push(index);
        }
        table.def.attribute_definitions = change.definitions.clone();
    }
}

/// Whether `def` is a replica of a global table with other replicas.
pub fn is_global(state: &State, def: &TableDef) -> bool {
    describe_replicas(state, def).is_some()
}

/// DeleteTable of a replica: refused while it is the source of a replica
/// added less than 24 hours ago (DDB-TABLE-266).
pub fn check_delete(state: &State, def: &TableDef) -> ApiResult<()> {
    let Some(group) = state.replication.group(&state.config.account_id, &def.name) else { return Ok(()) };
    if own_member(state, &group, def).is_some()
        && group.is_recent_source(&state.config.region, state.clock.now_millis())
    {
        return Err(recent_source());
    }
    Ok(())
}

/// DeleteTable of a replica: it leaves the group (DELETING in the others'
/// `Replicas` until `until`) and replicates no more.
pub fn leave(state: &State, table: &mut TableState, until: i64) {
    table.data.replica.0 = None;
    let account = &state.config.account_id;
    let Some(group) = state.replication.group(account, &table.def.name) else { return };
    if own_member(state, &group, &table.def).is_some() {
        group.remove(&state.config.region, until);
    }
    state.replication.forget_if_empty(account, &table.def.name, state.clock.now_millis());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    const REGIONS_USED: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];

    /// One write: (region, key, `Some(value)` to put or `None` to delete, clock step in ms).
    type Write = (usize, u8, Option<u16>, u8);

    fn write() -> impl Strategy<Value = Write> {
        (0..3usize, 0..6u8, proptest::option::of(0..1000u16), 0..20u8)
    }

    /// A table `ggg` in us-east-1 with replicas in the two other regions; the states by region.
    fn global_table(delay_ms: u64) -> Vec<Arc<State>> {
        let root = Arc::new(State::default());
        root.serve_regions();
        root.replication.set_delay(std::time::Duration::from_millis(delay_ms));
        let table = json!({"TableName": "ggg", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]});
        crate::dispatch(&root, crate::Operation::CreateTable, &table).unwrap();
        for region in &REGIONS_USED[1..] {
            let add = json!({"TableName": "ggg", "ReplicaUpdates": [{"Create": {"RegionName": region}}]});
            crate::dispatch(&root, crate::Operation::UpdateTable, &add).unwrap();
        }
        REGIONS_USED.iter().map(|r| root.region_state(r).unwrap_or_else(|| Arc::clone(&root))).collect()
    }

    fn apply(state: &State, (_, key, value, _): &Write) {
        let key_json = json!({"pk": {"S": key.to_string()}});
        match value {
            Some(v) => {
                let item = json!({"pk": {"S": key.to_string()}, "v": {"N": v.to_string()}});
                crate::dispatch(state, crate::Operation::PutItem, &json!({"TableName": "ggg", "Item": item})).unwrap();
            }
            None => {
                crate::dispatch(state, crate::Operation::DeleteItem, &json!({"TableName": "ggg", "Key": key_json}))
                    .unwrap();
            }
        };
    }

    fn contents(state: &State) -> BTreeMap<String, String> {
        let table = state.table("ggg").unwrap();
        let guard = table.inner.read();
        guard
            .data
            .items
            .values()
            .map(|item| {
                let item = item.decode();
                (format!("{:?}", item["pk"]), format!("{:?}", item.get("v")))
            })
            .collect()
    }

    proptest! {
        /// Delivered after every write, three replicas hold exactly what one
        /// table applying every write in order would.
        #[test]
        fn immediate_replication_matches_one_table(writes in prop::collection::vec(write(), 1..60)) {
            let states = global_table(0);
            let model = State::default();
            crate::dispatch(&model, crate::Operation::CreateTable, &json!({"TableName": "ggg", "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})).unwrap();
            for w in &writes {
                apply(&states[w.0], w);
                states[0].deliver_replication();
                apply(&model, w);
            }
            for state in &states {
                prop_assert_eq!(contents(state), contents(&model));
            }
        }

        /// With a delay, writes cross in flight and arrive out of order; once
        /// every delivery is made, all replicas hold the same items (last writer wins).
        #[test]
        fn delayed_replication_converges(writes in prop::collection::vec(write(), 1..60), delay in 1..40u64) {
            let states = global_table(delay);
            for w in &writes {
                states[0].clock.advance_millis(i64::from(w.3));
                apply(&states[w.0], w);
                if w.3 % 3 == 0 {
                    states[0].deliver_replication();
                }
            }
            states[0].clock.advance_millis(delay as i64 + 1);
            states[0].deliver_replication();
            let first = contents(&states[0]);
            for state in &states[1..] {
                prop_assert_eq!(contents(state), first.clone());
            }
        }
    }

    fn read(body: Value) -> ApiResult<Option<Vec<ReplicaAction>>> {
        ReplicaAction::read_all(&Input::new(&body).unwrap())
    }

    #[test]
    fn reads_one_action_per_entry() {
        let actions = read(json!({ "ReplicaUpdates": [{ "Create": { "RegionName": "eu-west-1" } }] })).unwrap();
        assert_eq!(actions, Some(vec![ReplicaAction::Create { region: "eu-west-1".into() }]));
        assert_eq!(read(json!({})).unwrap(), None);
    }

    #[test]
    fn refuses_entries_without_or_with_several_actions() {
        let none = read(json!({ "ReplicaUpdates": [{}] })).unwrap_err();
        assert_eq!(none.message, "There are no actions specified in the Replica Update Action of the request.");
        let bare_update = read(json!({ "ReplicaUpdates": [{ "Update": { "RegionName": "eu-west-1" } }] })).unwrap_err();
        assert_eq!(bare_update.message, none.message);
        let two = json!({ "ReplicaUpdates": [{ "Create": { "RegionName": "a" }, "Delete": { "RegionName": "a" } }] });
        assert!(read(two).unwrap_err().message.contains("more than one type of replica actions"));
    }

    #[test]
    fn an_empty_list_is_a_constraint_violation() {
        let empty = read(json!({ "ReplicaUpdates": [] })).unwrap_err();
        assert_eq!(
            empty.message,
            "1 validation error detected: Value '[]' at 'replicaUpdates' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
    }

    #[test]
    fn one_create_or_delete_per_call_identical_creates_merged() {
        let same = json!({ "ReplicaUpdates": [{ "Create": { "RegionName": "eu-west-1" } }, { "Create": { "RegionName": "eu-west-1" } }] });
        assert_eq!(read(same).unwrap().unwrap().len(), 1);
        let two = json!({ "ReplicaUpdates": [{ "Create": { "RegionName": "eu-west-1" } }, { "Delete": { "RegionName": "us-west-2" } }] });
        assert!(read(two).unwrap_err().message.contains("more than one create or delete replica actions"));
    }
}
