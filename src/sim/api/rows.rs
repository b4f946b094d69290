//! The user summaries Odin answers in place of user records: the rows of a group or
//! enterprise listing (`GET /users?serviceProviderId=…`, with or without `extended=true`) and
//! the `user` part of a `/bulk` element (API.md §7a). A row holds only some of the record's
//! fields, and `department` as text; a field the record lacks is absent from the row too.

use serde_json::{Map, Value};

use crate::sim::state::UserState;

/// BroadWorks' user-list columns: a listing row without `extended=true` (API.md §7a, [UI]
/// `group-users/index.js`), `department` added as text.
const LISTING: [&str; 11] = [
    "userId",
    "lastName",
    "firstName",
    "hiraganaLastName",
    "hiraganaFirstName",
    "phoneNumber",
    "phoneNumberActivated",
    "emailAddress",
    "extension",
    "countryCode",
    "nationalPrefix",
];

/// An extended listing row: the keys of the real example (`fixtures/group-users.json`). It
/// lacks `address`, `department`, `emailAddress`, `nationalPrefix`, `phoneNumberActivated`.
const EXTENDED: [&str; 25] = [
    "serviceProviderId",
    "groupId",
    "userId",
    "lastName",
    "firstName",
    "callingLineIdLastName",
    "callingLineIdFirstName",
    "hiraganaLastName",
    "hiraganaFirstName",
    "phoneNumber",
    "extension",
    "callingLineIdPhoneNumber",
    "language",
    "timeZone",
    "timeZoneDisplayName",
    "defaultAlias",
    "accessDeviceEndpoint",
    "countryCode",
    "allowVideo",
    "domain",
    "endpointType",
    "aliases",
    "trunkAddressing",
    "isEnterprise",
    "passwordExpiresDays",
];

/// The `user` part of a `/bulk` element: the keys of the real examples
/// (`fixtures/bulk-call-forwarding-*.json`).
const BULK: [&str; 10] = [
    "userId",
    "lastName",
    "firstName",
    "phoneNumber",
    "phoneNumberActivated",
    "emailAddress",
    "hiraganaLastName",
    "hiraganaFirstName",
    "extension",
    "domain",
];

/// A listing row of `user`: summary columns, or with `extended` the extended ones; with
/// `enterprise` (a listing of a whole service provider) also the user's `groupId`.
pub(super) fn listing(user: &UserState, extended: bool, enterprise: bool) -> Value {
    if extended {
        return Value::Object(pick(user, &EXTENDED));
    }
    let mut row = pick(user, &LISTING);
    row.insert("inTrunkGroup".into(), Value::Bool(false));
    row.insert("department".into(), department(user));
    if enterprise {
        row.insert(
            "groupId".into(),
            Value::String(user.identity().2.to_string()),
        );
    }
    Value::Object(row)
}

/// The `user` part of a `/bulk` element.
pub(super) fn bulk(user: &UserState) -> Value {
    let mut row = pick(user, &BULK);
    row.insert("department".into(), department(user));
    row.insert("inTrunkGroup".into(), Value::Bool(false));
    Value::Object(row)
}

/// The keys of the record that it has, in `keys`' order.
fn pick(user: &UserState, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|key| Some((key.to_string(), user.user.get(*key)?.clone())))
        .collect()
}

/// The department as listings show it: `name (group)`, or null without one.
fn department(user: &UserState) -> Value {
    user.user["department"]["name"]
        .as_str()
        .filter(|name| !name.is_empty())
        .map(|name| Value::String(format!("{name} ({})", user.identity().2)))
        .unwrap_or(Value::Null)
}
