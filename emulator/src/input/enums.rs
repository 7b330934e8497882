//! The enum members of data-plane requests (`ReturnValues`, `Select`,
//! `ReturnConsumedCapacity`, ...): each a Rust enum read from its wire
//! string. A value outside the set is a constraint violation in DynamoDB's
//! words (`Member must satisfy enum value set: [NONE, ALL_OLD]`), collected
//! with the request's other violations.

use super::{describe, Input, Violations};
use crate::error::ApiResult;

/// A request member with a fixed set of string values.
pub trait RequestEnum: Copy + 'static {
    /// The member's name in the request (`ReturnValues`).
    const MEMBER: &'static str;
    /// Its name in violation messages (`returnValues`).
    const PATH: &'static str;
    /// Every value with its wire name, in the order DynamoDB's message lists them.
    const VALUES: &'static [(&'static str, Self)];

    fn from_wire(wire: &str) -> Option<Self> {
        Self::VALUES.iter().find(|(name, _)| *name == wire).map(|(_, value)| *value)
    }

    /// The member of a request body; a value outside the set is reported
    /// to `v` and read as absent (the request fails at `Violations::finish`).
    fn read(input: &Input, v: &mut Violations) -> ApiResult<Option<Self>> {
        Self::read_with_path(input, v, || Self::PATH.to_string())
    }

    /// The member of a nested structure, reported under `prefix`
    /// (`transactItems.1.member.put`).
    fn read_under(input: &Input, prefix: &str, v: &mut Violations) -> ApiResult<Option<Self>> {
        Self::read_with_path(input, v, || format!("{prefix}.{}", Self::PATH))
    }

    /// The path is only built for a violation: valid requests allocate nothing.
    fn read_with_path(input: &Input, v: &mut Violations, path: impl FnOnce() -> String) -> ApiResult<Option<Self>> {
        let Some(wire) = input.str(Self::MEMBER)? else { return Ok(None) };
        let value = Self::from_wire(wire);
        if value.is_none() {
            let names: Vec<&str> = Self::VALUES.iter().map(|(name, _)| *name).collect();
            let constraint = format!("Member must satisfy enum value set: [{}]", names.join(", "));
            v.add(describe(Some(wire)), &path(), &constraint);
        }
        Ok(value)
    }
}

/// Defines a request enum: its variants with their wire names (in
/// DynamoDB's message order) and, where absence means one of them, the default.
macro_rules! request_enum {
    (
        $(#[$doc:meta])*
        $name:ident: $member:literal at $path:literal $(, default $default:ident)? {
            $($variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($variant,)+
        }

        $(impl Default for $name {
            fn default() -> $name {
                $name::$default
            }
        })?

        impl RequestEnum for $name {
            const MEMBER: &'static str = $member;
            const PATH: &'static str = $path;
            const VALUES: &'static [(&'static str, $name)] = &[$(($wire, $name::$variant),)+];
        }
    };
}

request_enum! {
    /// `ReturnValues`: which version of the item a write answers with.
    /// Every write accepts the whole set; PutItem and DeleteItem then refuse
    /// the `UPDATED_*` and `ALL_NEW` values with their own message.
    /// Listed in DynamoDB's order (dynalite's "incorrect attributes" tests,
    /// asserted against DynamoDB); DynamoDB Local lists them NONE first.
    ReturnValues: "ReturnValues" at "returnValues", default None {
        AllNew = "ALL_NEW",
        UpdatedOld = "UPDATED_OLD",
        AllOld = "ALL_OLD",
        None = "NONE",
        UpdatedNew = "UPDATED_NEW",
    }
}

request_enum! {
    /// `Select` of a Query or Scan: what each returned item holds. Absence
    /// is not one value: it depends on the projection and the index read.
    Select: "Select" at "select" {
        AllAttributes = "ALL_ATTRIBUTES",
        AllProjectedAttributes = "ALL_PROJECTED_ATTRIBUTES",
        SpecificAttributes = "SPECIFIC_ATTRIBUTES",
        Count = "COUNT",
    }
}

request_enum! {
    /// `ReturnConsumedCapacity`: whether the answer reports capacity, and
    /// in how much detail.
    ReturnConsumedCapacity: "ReturnConsumedCapacity" at "returnConsumedCapacity", default None {
        Indexes = "INDEXES",
        Total = "TOTAL",
        None = "NONE",
    }
}

request_enum! {
    /// `ReturnItemCollectionMetrics`: whether a write reports the size of
    /// the item collection it touched (tables with local secondary indexes).
    ReturnItemCollectionMetrics: "ReturnItemCollectionMetrics" at "returnItemCollectionMetrics", default None {
        Size = "SIZE",
        None = "NONE",
    }
}

request_enum! {
    /// `ReturnValuesOnConditionCheckFailure`: whether a failed condition
    /// answers with the item it was checked against.
    ReturnValuesOnConditionCheckFailure:
        "ReturnValuesOnConditionCheckFailure" at "returnValuesOnConditionCheckFailure", default None {
        AllOld = "ALL_OLD",
        None = "NONE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_names_round_trip_and_unknown_values_are_violations() {
        let body = json!({"ReturnValues": "ALL_NEW", "Select": "EVERYTHING"});
        let input = Input::new(&body).unwrap();
        let mut v = Violations::new();
        assert_eq!(ReturnValues::read(&input, &mut v).unwrap(), Some(ReturnValues::AllNew));
        assert_eq!(Select::read(&input, &mut v).unwrap(), None);
        assert_eq!(ReturnConsumedCapacity::read(&input, &mut v).unwrap(), None);
        assert_eq!(
            v.finish().unwrap_err().message,
            "1 validation error detected: Value 'EVERYTHING' at 'select' failed to satisfy constraint: Member must \
             satisfy enum value set: [ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]"
        );
    }

    #[test]
    fn nested_members_are_reported_under_their_prefix() {
        let body = json!({"ReturnValuesOnConditionCheckFailure": "ALL_NEW"});
        let input = Input::new(&body).unwrap();
        let mut v = Violations::new();
        let read = ReturnValuesOnConditionCheckFailure::read_under(&input, "transactItems.1.member.put", &mut v);
        assert_eq!(read.unwrap(), None);
        assert!(v.finish().unwrap_err().message.contains(
            "Value 'ALL_NEW' at 'transactItems.1.member.put.returnValuesOnConditionCheckFailure' failed to satisfy \
             constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"
        ));
    }
}
