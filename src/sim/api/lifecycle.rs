//! Creating and deleting users (API.md §14): `POST /users`, `DELETE /users`, and the reads a
//! create form makes, `GET /groups/domains` and `GET /groups/password-rules`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::agents::{group_of_query, object, text};
use super::user_lines::holder_noun;
use super::{Admin, ApiError, required};
use crate::notation::Namespace;
use crate::sim::lines::{extension_of, national, number_of, spell};
use crate::sim::seed::DOMAIN;
use crate::sim::state::{SimCredentials, UserState, write};
use crate::sim::{CreateExtension, DeleteUnknown, Sim};

/// The keys `POST /users` requires (API.md §14).
const REQUIRED: [&str; 8] = [
    "serviceProviderId",
    "groupId",
    "userId",
    "lastName",
    "firstName",
    "callingLineIdLastName",
    "callingLineIdFirstName",
    "password",
];

/// The shortest web password the groups accept (`GET /groups/password-rules` `minLength`).
pub const MIN_PASSWORD: usize = 8;
/// The longest (API.md §14: the create form takes at most 60 characters).
const MAX_PASSWORD: usize = 60;
/// The extension lengths every group allows (`GET /groups/extensions`).
const EXTENSION_LENGTHS: std::ops::RangeInclusive<usize> = 2..=6;

/// `GET /groups/domains?serviceProviderId=&groupId=` → `{default, domains}`: the one domain
/// of simulated user ids.
pub(super) async fn domains(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    group_of_query(&sim.directory(), &query)?;
    Ok(Json(json!({"default": DOMAIN, "domains": [DOMAIN]})))
}

/// `GET /groups/password-rules?serviceProviderId=&groupId=` → the group's web password
/// rules, `minLength` among them.
pub(super) async fn password_rules(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let (sp, group) = group_of_query(&sim.directory(), &query)?;
    Ok(Json(json!({
        "serviceProviderId": sp,
        "groupId": group,
        "minLength": MIN_PASSWORD,
        "minDigits": 0,
        "minUpperCaseLetters": 0,
        "minLowerCaseLetters": 0,
        "minNonAlphanumericCharacters": 0,
    })))
}

/// `POST /users {serviceProviderId, groupId, userId, lastName, firstName,
/// callingLineIdLastName, callingLineIdFirstName, password, [phoneNumber, extension, …]}` →
/// an array holding the new user's full record (`fixtures/user-create.json`). The user has
/// no services, the example policy, and `password` as its web password. Refused (400,
/// nothing created): a required key missing, an optional key the user record does not
/// have (so `activatePhoneNumber` and `passcode` too) or of the wrong kind, a user id taken
/// (by a user or a service) or not `<name>@<domain>` of `GET /groups/domains`, the group at
/// its `userLimit`, a password shorter than `minLength` or longer than 60, a number not in
/// the group's list or held, an extension held in the group or not 2 to 6 digits.
pub(super) async fn post(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let mut fields = object(&body)?;
    for key in REQUIRED {
        text(&fields, key)?;
    }
    let mut take = |key: &str| match fields.remove(key) {
        Some(Value::String(value)) => value,
        _ => String::new(),
    };
    let (sp, group, user_id, password) = (
        take("serviceProviderId"),
        take("groupId"),
        take("userId"),
        take("password"),
    );
    let mut patch = Value::Object(fields);
    sim.catalog
        .schema
        .conform(Namespace::User, &mut patch)
        .map_err(ApiError::bad_request)?;
    let mut guard = sim.directory();
    let directory = &mut *guard;
    super::known(directory, &sp, Some(&group))?;
    if user_id
        .split_once('@')
        .is_none_or(|(name, domain)| name.is_empty() || domain != DOMAIN)
    {
        return Err(ApiError::bad_request(format!(
            "user id `{user_id}` must be <name>@{DOMAIN}"
        )));
    }
    if directory.users.contains_key(&user_id) || directory.members.find(&user_id).is_some() {
        return Err(ApiError::bad_request(format!(
            "user `{user_id}` already exists"
        )));
    }
    let key = (sp.clone(), group.clone());
    let count = directory.groups.get(&key).map_or(0, Vec::len);
    if let Some(limit) = directory.user_limits.get(&key).filter(|l| count >= **l) {
        return Err(ApiError::bad_request(format!(
            "group `{group}` has reached its user limit of {limit}"
        )));
    }
    let length = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&length) {
        return Err(ApiError::bad_request(format!(
            "the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long"
        )));
    }
    let mut record = base_record(&sim, &sp, &group, &user_id);
    write(&mut record, &patch, sim.config.variant.nested_writes);
    for (hiragana, name) in [
        ("hiraganaLastName", "lastName"),
        ("hiraganaFirstName", "firstName"),
    ] {
        if record[hiragana].as_str().is_none_or(str::is_empty) {
            record[hiragana] = record[name].clone();
        }
    }
    let lines = &directory.lines;
    let number = number_of(&record);
    if let Some(dn) = number {
        if let Some(holder) = lines.holders.get(&dn) {
            return Err(ApiError::bad_request(format!(
                "phone number {} is already assigned to {} `{holder}`",
                spell(dn),
                holder_noun(directory, holder)
            )));
        }
        if !lines.list(&sp, &group).is_some_and(|l| l.contains_key(&dn)) {
            return Err(ApiError::bad_request(format!(
                "phone number {} is not assigned to group `{group}`",
                spell(dn)
            )));
        }
        record["phoneNumber"] = Value::String(national(dn));
    } else if !record["phoneNumber"].is_null() && record["phoneNumber"] != "" {
        return Err(ApiError::bad_request(format!(
            "`{}` is not a phone number",
            record["phoneNumber"]
        )));
    }
    let taken = lines.extensions.get(&key);
    match extension_of(&record) {
        Some(extension) => {
            if !extension.chars().all(|c| c.is_ascii_digit())
                || !EXTENSION_LENGTHS.contains(&extension.len())
            {
                return Err(ApiError::bad_request(format!(
                    "extension `{extension}` must be 2 to 6 digits"
                )));
            }
            if let Some(holder) = taken.and_then(|t| t.get(&extension)) {
                return Err(ApiError::bad_request(format!(
                    "extension {extension} is already assigned to {} `{holder}` in group `{group}`",
                    holder_noun(directory, holder)
                )));
            }
        }
        None => {
            if let (Some(dn), CreateExtension::FromNumber) =
                (number, sim.config.variant.members.create_extension)
            {
                let derived = national(dn)[6..].to_string();
                if !taken.is_some_and(|t| t.contains_key(&derived)) {
                    record["extension"] = Value::String(derived);
                }
            }
        }
    }
    record["phoneNumberActivated"] =
        Value::Bool(number.is_some_and(|dn| directory.lines.activated(&sp, &group, dn)));
    directory.lines.hold(&user_id, &sp, &group, &record);
    directory
        .groups
        .entry(key)
        .or_default()
        .push(user_id.clone());
    let catalog = &sim.catalog;
    directory.users.insert(
        user_id,
        UserState {
            user: record.clone(),
            policy: catalog.policy.clone(),
            settings: vec![None; catalog.settings.len()],
            services: vec![false; catalog.services.len()],
            packs: vec![false; catalog.packs.len()],
            credentials: SimCredentials {
                web_password: Some(password),
                ..SimCredentials::default()
            },
        },
    );
    Ok(Json(Value::Array(vec![record])))
}

/// A new user's record before the body's optional keys: the keys of
/// `fixtures/user-create.json`, language and time zone the seeded users'.
fn base_record(sim: &Sim, sp: &str, group: &str, user_id: &str) -> Value {
    let example = &sim.catalog.user;
    json!({
        "serviceProviderId": sp,
        "groupId": group,
        "userId": user_id,
        "lastName": "",
        "firstName": "",
        "callingLineIdLastName": "",
        "callingLineIdFirstName": "",
        "hiraganaLastName": "",
        "hiraganaFirstName": "",
        "extension": "",
        "language": example["language"],
        "timeZone": example["timeZone"],
        "timeZoneDisplayName": example["timeZoneDisplayName"],
        "defaultAlias": user_id,
        "countryCode": "1",
        "allowVideo": true,
        "callingLineIdPhoneNumber": "",
        "phoneNumber": "",
        "domain": DOMAIN,
        "endpointType": "none",
        "aliases": [],
        "accessDeviceEndpoint": {"contacts": []},
        "trunkAddressing": {"trunkGroupDeviceEndpoint": {"contacts": []}},
        "department": {"serviceProviderId": "", "groupId": "", "name": ""},
        "emailAddress": "",
        "nationalPrefix": "",
        "phoneNumberActivated": false,
        "isEnterprise": true,
        "passwordExpiresDays": "-2147483648",
    })
}

/// `DELETE /users?userId=` (a body, `{}` as odins_spear sends, is ignored) → `[]`. The user
/// goes with its credentials, SCA endpoints and places in every hunt group and call center
/// agent list; its number stays in its group's list, unassigned, and its extension is free.
/// An unknown user is a 404, or with `--delete-unknown 200` a 200 `[]`.
pub(super) async fn delete(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let user_id = required(&query, "userId")?;
    let mut guard = sim.directory();
    let directory = &mut *guard;
    let Some(user) = directory.users.remove(user_id) else {
        return match sim.config.variant.members.delete_unknown {
            DeleteUnknown::NotFound => Err(ApiError::unknown_user(user_id)),
            DeleteUnknown::Ok => Ok(Json(json!([]))),
        };
    };
    let (_, sp, group) = user.identity();
    directory.lines.release(user_id, sp, group, &user.user);
    if let Some(ids) = directory
        .groups
        .get_mut(&(sp.to_string(), group.to_string()))
    {
        ids.retain(|id| id != user_id);
    }
    let appearances = &mut directory.appearances;
    for endpoint in appearances.endpoints.remove(user_id).unwrap_or_default() {
        appearances.line_ports.remove(&endpoint.line_port);
    }
    directory.members.remove_user(user_id);
    Ok(Json(json!([])))
}
