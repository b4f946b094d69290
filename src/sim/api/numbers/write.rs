//! The writes of the number lists: see the parent module for what each refuses.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::{DnsBody, group_list};
use crate::sim::api::user_lines::holder_noun;
use crate::sim::api::{Admin, ApiError, known};
use crate::sim::lines::{Dn, spell};
use crate::sim::state::Directory;
use crate::sim::{DnsAddExisting, DnsPutAnswer, Sim};

/// `POST /groups/dns {serviceProviderId, groupId, dns}`: the numbers move from the service
/// provider's pool into the group's list, not activated. Answers the group's list. With
/// `--dns-adds-lost`, adds nothing and answers the same.
pub(crate) async fn group_post(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = DnsBody::parse(&body, true)?;
    let (sp, group) = (body.sp.as_str(), body.group.as_str());
    let mut directory = sim.directory();
    known(&directory, sp, Some(group))?;
    if sim.config.faults.dns_adds_lost {
        return Ok(Json(group_list(&directory.lines, sp, group, false)));
    }
    let mut added = Vec::new();
    for (dn, _) in &body.dns {
        match directory.lines.pool_group(sp, *dn) {
            None => {
                return Err(ApiError::bad_request(format!(
                    "phone number {} is not in service provider `{sp}`'s numbers",
                    spell(*dn)
                )));
            }
            Some(Some(other)) if other != group => {
                return Err(ApiError::bad_request(format!(
                    "phone number {} is already assigned to group `{other}`",
                    spell(*dn)
                )));
            }
            Some(Some(_)) => existing(&sim, *dn, &format!("group `{group}`"))?,
            Some(None) => added.push(*dn),
        }
    }
    for dn in added {
        directory.lines.add_to_group(sp, group, dn, false);
    }
    Ok(Json(group_list(&directory.lines, sp, group, false)))
}

/// A number already in the list it is added to: refused or skipped, as the switch says.
fn existing(sim: &Sim, dn: Dn, list: &str) -> Result<(), ApiError> {
    match sim.config.variant.dns_add_existing {
        DnsAddExisting::Refuse => Err(ApiError::bad_request(format!(
            "phone number {} is already in {list}",
            spell(dn)
        ))),
        DnsAddExisting::Ignore => Ok(()),
    }
}

/// `PUT /groups/dns {serviceProviderId, groupId, dns: [{min, max, activated}]}`: the listed
/// numbers take their `activated`; the holders' records mirror it. Answers the whole list
/// (`--dns-put-answer empty`: `{}`).
pub(crate) async fn group_put(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = DnsBody::parse(&body, true)?;
    let (sp, group) = (body.sp.as_str(), body.group.as_str());
    let mut guard = sim.directory();
    let directory: &mut Directory = &mut guard;
    known(directory, sp, Some(group))?;
    let Some(list) = directory
        .lines
        .lists
        .get_mut(&(sp.to_string(), group.to_string()))
    else {
        return Err(not_in_group(body.dns[0].0, group));
    };
    let mut changes = Vec::new();
    for (dn, activated) in &body.dns {
        let Some(activated) = activated else {
            return Err(ApiError::bad_request(format!(
                "`activated` is required for {}",
                spell(*dn)
            )));
        };
        if !list.contains_key(dn) {
            return Err(not_in_group(*dn, group));
        }
        changes.push((*dn, *activated));
    }
    for (dn, activated) in changes {
        list.insert(dn, activated);
        if let Some(user) = directory
            .lines
            .holders
            .get(&dn)
            .and_then(|id| directory.users.get_mut(id))
        {
            user.user["phoneNumberActivated"] = Value::Bool(activated);
        }
    }
    match sim.config.variant.dns_put_answer {
        DnsPutAnswer::List => Ok(Json(group_list(&directory.lines, sp, group, false))),
        DnsPutAnswer::Empty => Ok(Json(Value::Object(Map::new()))),
    }
}

fn not_in_group(dn: Dn, group: &str) -> ApiError {
    ApiError::bad_request(format!(
        "phone number {} is not assigned to group `{group}`",
        spell(dn)
    ))
}

/// `DELETE /groups/dns {serviceProviderId, groupId, dns}`: the numbers go back to the
/// service provider's pool, in no group. A number a user holds is refused.
pub(crate) async fn group_delete(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = DnsBody::parse(&body, true)?;
    let (sp, group) = (body.sp.as_str(), body.group.as_str());
    let mut directory = sim.directory();
    known(&directory, sp, Some(group))?;
    for (dn, _) in &body.dns {
        let lines = &directory.lines;
        if !lines.list(sp, group).is_some_and(|l| l.contains_key(dn)) {
            return Err(not_in_group(*dn, group));
        }
        if let Some(holder) = lines.holders.get(dn) {
            let what = holder_noun(&directory, holder);
            return Err(ApiError::bad_request(format!(
                "phone number {} is in use by {what} `{holder}`: unassign it from the {what} first",
                spell(*dn)
            )));
        }
    }
    let lines = &mut directory.lines;
    for (dn, _) in &body.dns {
        if let Some(list) = lines.lists.get_mut(&(sp.to_string(), group.to_string())) {
            list.remove(dn);
        }
        lines
            .pools
            .entry(sp.to_string())
            .or_default()
            .insert(*dn, None);
    }
    Ok(Json(json!({})))
}

/// `POST /service-providers/dns {serviceProviderId, dns}`: the numbers join the pool, in
/// no group.
pub(crate) async fn sp_post(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = DnsBody::parse(&body, false)?;
    let sp = body.sp.as_str();
    let mut directory = sim.directory();
    known(&directory, sp, None)?;
    let mut added = Vec::new();
    for (dn, _) in &body.dns {
        match directory.lines.pool_of(*dn) {
            Some(owner) if owner == sp => {
                existing(&sim, *dn, &format!("service provider `{sp}`'s numbers"))?;
            }
            Some(owner) => {
                return Err(ApiError::bad_request(format!(
                    "phone number {} belongs to service provider `{owner}`",
                    spell(*dn)
                )));
            }
            None => added.push(*dn),
        }
    }
    let pool = directory.lines.pools.entry(sp.to_string()).or_default();
    for dn in added {
        pool.insert(dn, None);
    }
    Ok(Json(json!({})))
}

/// `DELETE /service-providers/dns {serviceProviderId, dns}`: the numbers leave the pool. A
/// number still in a group is refused.
pub(crate) async fn sp_delete(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = DnsBody::parse(&body, false)?;
    let sp = body.sp.as_str();
    let mut directory = sim.directory();
    known(&directory, sp, None)?;
    for (dn, _) in &body.dns {
        match directory.lines.pool_group(sp, *dn) {
            None => {
                return Err(ApiError::bad_request(format!(
                    "phone number {} is not in service provider `{sp}`'s numbers",
                    spell(*dn)
                )));
            }
            Some(Some(group)) => {
                return Err(ApiError::bad_request(format!(
                    "phone number {} is assigned to group `{group}`: remove it from the group first",
                    spell(*dn)
                )));
            }
            Some(None) => {}
        }
    }
    if let Some(pool) = directory.lines.pools.get_mut(sp) {
        for (dn, _) in &body.dns {
            pool.remove(dn);
        }
    }
    Ok(Json(Value::Object(Map::new())))
}
