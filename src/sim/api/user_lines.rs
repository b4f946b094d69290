//! A user's number and extension (API.md §12): the rules every write of a user record goes
//! through (`PUT /users`, `PUT /users/bulk`), `GET /users/dns` and `GET /groups/extensions`.
//!
//! A record written with a `phoneNumber` (any spelling) must name a number of the user's
//! group's list that no other user holds; one not in the group is refused, or with
//! `--phone-not-in-group add` taken from the service provider's pool into the group (not
//! activated). An `extension` another user of the group holds is refused, as BroadWorks
//! does. `phoneNumberActivated` is not written: it mirrors the number's flag in the group's
//! list (false without a number).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::{Admin, ApiError, known, required};
use crate::sim::lines::{Dn, extension_of, national, number_of, spell};
use crate::sim::state::{Directory, write};
use crate::sim::{PhoneNotInGroup, Sim};

/// A user record as a write would leave it, checked, and the number to add to the group
/// first (`--phone-not-in-group add`).
pub(crate) struct Prospect {
    record: Value,
    add: Option<Dn>,
}

/// What writing `patch` into `user_id`'s record would give, refused (400) where the number
/// or the extension cannot be the user's.
pub(crate) fn prospect(
    sim: &Sim,
    directory: &Directory,
    user_id: &str,
    patch: &Value,
) -> Result<Prospect, ApiError> {
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    let (_, sp, group) = user.identity();
    let mut record = user.user.clone();
    write(&mut record, patch, sim.config.variant.nested_writes);
    let lines = &directory.lines;
    let mut add = None;
    if let Some(dn) = number_of(&record)
        && number_of(&user.user) != Some(dn)
    {
        if let Some(holder) = lines.holders.get(&dn).filter(|h| *h != user_id) {
            return Err(ApiError::bad_request(format!(
                "phone number {} is already assigned to {} `{holder}`",
                spell(dn),
                holder_noun(directory, holder)
            )));
        }
        let in_group = lines.list(sp, group).is_some_and(|l| l.contains_key(&dn));
        if !in_group {
            let free_in_pool = lines.pool_group(sp, dn) == Some(None);
            match sim.config.variant.phone_not_in_group {
                PhoneNotInGroup::Add if free_in_pool => add = Some(dn),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "phone number {} is not assigned to group `{group}`",
                        spell(dn)
                    )));
                }
            }
        }
    } else if !record["phoneNumber"].is_null()
        && record["phoneNumber"] != ""
        && record["phoneNumber"] != user.user["phoneNumber"]
    {
        return Err(ApiError::bad_request(format!(
            "`{}` is not a phone number",
            record["phoneNumber"]
        )));
    }
    if let Some(extension) = extension_of(&record)
        && extension_of(&user.user).as_ref() != Some(&extension)
        && let Some(holder) = lines
            .extensions
            .get(&(sp.to_string(), group.to_string()))
            .and_then(|taken| taken.get(&extension))
            .filter(|h| *h != user_id)
    {
        return Err(ApiError::bad_request(format!(
            "extension {extension} is already assigned to {} `{holder}` in group `{group}`",
            holder_noun(directory, holder)
        )));
    }
    Ok(Prospect { record, add })
}

/// What holds a number or extension: `user`, `hunt group` or `call center`.
pub(crate) fn holder_noun(directory: &Directory, holder: &str) -> &'static str {
    directory
        .members
        .find(holder)
        .map_or("user", |service| service.kind.noun())
}

/// Write a checked record: the number added to the group if it must be, what the user held
/// released, what it now holds taken, `phoneNumberActivated` mirrored. The full record.
pub(crate) fn commit(directory: &mut Directory, user_id: &str, prospect: Prospect) -> Value {
    let Prospect { mut record, add } = prospect;
    let Some(user) = directory.users.get_mut(user_id) else {
        return record;
    };
    let (_, sp, group) = user.identity();
    let (sp, group) = (sp.to_string(), group.to_string());
    let lines = &mut directory.lines;
    if let Some(dn) = add {
        lines.add_to_group(&sp, &group, dn, false);
    }
    // Records carry national digits, whatever spelling was sent (API.md §12).
    if let Some(dn) = number_of(&record) {
        record["phoneNumber"] = Value::String(national(dn));
    }
    let activated = number_of(&record).is_some_and(|dn| lines.activated(&sp, &group, dn));
    record["phoneNumberActivated"] = Value::Bool(activated);
    lines.release(user_id, &sp, &group, &user.user);
    lines.hold(user_id, &sp, &group, &record);
    user.user = record;
    user.user.clone()
}

/// `GET /users/dns?userId=`: the user's number as `[{min, max: null, activated}]`, `[]`
/// when it has none (API.md §12: a list whose elements have at least `min` and
/// `activated`).
pub(super) async fn user_dns(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let user_id = required(&query, "userId")?;
    let directory = sim.directory();
    let user = directory
        .users
        .get(user_id)
        .ok_or_else(|| ApiError::unknown_user(user_id))?;
    let (_, sp, group) = user.identity();
    let dns: Vec<Value> = number_of(&user.user)
        .map(|dn| {
            json!({"min": spell(dn), "max": Value::Null,
                   "activated": directory.lines.activated(sp, group, dn)})
        })
        .into_iter()
        .collect();
    Ok(Json(Value::Array(dns)))
}

/// `GET /groups/extensions?serviceProviderId=&groupId=` → `{minExtensionLength: 2,
/// maxExtensionLength: 6, defaultExtensionLength: 4}` for every group.
pub(super) async fn group_extensions(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let sp = required(&query, "serviceProviderId")?;
    let group = required(&query, "groupId")?;
    known(&sim.directory(), sp, Some(group))?;
    Ok(Json(json!({
        "serviceProviderId": sp,
        "groupId": group,
        "minExtensionLength": 2,
        "maxExtensionLength": 6,
        "defaultExtensionLength": 4,
    })))
}
