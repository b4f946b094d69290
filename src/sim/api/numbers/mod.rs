//! The number lists (API.md §12): `GET|POST|PUT|DELETE /groups/dns`, `GET
//! /groups/dns/details`, `GET|POST|DELETE /service-providers/dns`.
//!
//! Numbers are answered as `+1-NNNNNNNNNN`, runs of consecutive numbers in one state
//! collapsed into `{min, max}` rows (`max: null` for one number; `""` in the details), as the
//! fixtures show. A `dns` list sent may spell each number `+1-NNN`, as national digits, as a
//! JSON number, or as `{min, max}` (`max` null, `""` or equal to `min` for one number).
//!
//! Refusals are 400s naming the number (nothing is changed by a refused request):
//! - `POST /groups/dns`: a number not in the service provider's pool, or in another group; one
//!   already in the group as `--dns-add-existing` says (`refuse`: 400; `ignore`: skipped).
//! - `PUT /groups/dns`: a number not in the group; an element without `activated`. Only the
//!   listed numbers change; the answer is the whole list (`--dns-put-answer empty`: `{}`).
//! - `DELETE /groups/dns`: a number not in the group, or still held by a user.
//! - `POST /service-providers/dns`: a number in another service provider's pool; one already
//!   in this pool as `--dns-add-existing` says.
//! - `DELETE /service-providers/dns`: a number not in the pool, or still in a group.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::{Value, json};

mod write;

use super::{Admin, ApiError, known, required};
use crate::sim::Sim;
use crate::sim::lines::{Dn, Lines, normalise_value, runs, spell};
pub(super) use write::{group_delete, group_post, group_put, sp_delete, sp_post};

/// The most numbers one range may hold.
const MAX_RANGE: u64 = 10_000;

type Params = Query<HashMap<String, String>>;

/// `GET /groups/dns?serviceProviderId=&groupId=[&q=available]`: `{serviceProviderId,
/// groupId, dns: [{assigned, activated, min, max}]}`; with `q=available` only the numbers no
/// one holds, one row per number.
pub(super) async fn group_get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
) -> Result<Json<Value>, ApiError> {
    let (sp, group) = (
        required(&query, "serviceProviderId")?,
        required(&query, "groupId")?,
    );
    let directory = sim.directory();
    known(&directory, sp, Some(group))?;
    let available = query.get("q").is_some_and(|q| q == "available");
    Ok(Json(group_list(&directory.lines, sp, group, available)))
}

/// The GET answer of a group's list.
pub(super) fn group_list(lines: &Lines, sp: &str, group: &str, available: bool) -> Value {
    let numbers = lines
        .list(sp, group)
        .into_iter()
        .flatten()
        .map(|(dn, activated)| (*dn, (lines.holders.contains_key(dn), *activated)))
        .filter(|(_, (assigned, _))| !available || !assigned);
    let rows: Vec<(Dn, Dn, (bool, bool))> = if available {
        numbers.map(|(dn, key)| (dn, dn, key)).collect()
    } else {
        runs(numbers)
    };
    let dns: Vec<Value> = rows
        .into_iter()
        .map(|(min, max, (assigned, activated))| {
            json!({"assigned": assigned, "activated": activated, "min": spell(min),
                   "max": (max != min).then(|| spell(max))})
        })
        .collect();
    json!({"serviceProviderId": sp, "groupId": group, "dns": dns})
}

/// `GET /groups/dns/details?serviceProviderId=&groupId=`: each number held by a user in a
/// row of its own with the user's names, extension and type `Normal`; one held by a hunt group
/// or call center with its id's name part as `lastName`, its kind as `firstName` and
/// `userType`, its extension as a JSON number; free numbers in runs with nulls
/// (`fixtures/group-dns-details.json`).
pub(super) async fn group_details(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
) -> Result<Json<Value>, ApiError> {
    let (sp, group) = (
        required(&query, "serviceProviderId")?,
        required(&query, "groupId")?,
    );
    let directory = sim.directory();
    known(&directory, sp, Some(group))?;
    let lines = &directory.lines;
    let numbers = lines
        .list(sp, group)
        .into_iter()
        .flatten()
        .map(|(dn, activated)| (*dn, (lines.holders.get(dn).cloned(), *activated)));
    // Held numbers never join a run: each has a row of its own.
    let mut rows: Vec<(Dn, Dn, (Option<String>, bool))> = Vec::new();
    for (dn, key) in numbers {
        match rows.last_mut() {
            Some((_, max, last)) if key.0.is_none() && *max + 1 == dn && *last == key => {
                *max = dn;
            }
            _ => rows.push((dn, dn, key)),
        }
    }
    let dns: Vec<Value> = rows
        .into_iter()
        .map(|(min, max, (holder, activated))| {
            let user = holder.as_deref().and_then(|id| directory.users.get(id));
            let service = holder.as_deref().and_then(|id| directory.members.find(id));
            let field = |key: &str| match (user, service) {
                (Some(u), _) => u.user[key].clone(),
                (None, Some(s)) => match key {
                    "lastName" => json!(s.id.split('@').next().unwrap_or_default()),
                    "firstName" => json!(s.kind.user_type()),
                    "extension" => s.extension.as_deref().map_or(Value::Null, |e| {
                        e.parse::<u64>().map_or_else(|_| json!(e), |n| json!(n))
                    }),
                    _ => Value::Null,
                },
                (None, None) => Value::Null,
            };
            let user_type = match (user, service) {
                (Some(_), _) => Some("Normal"),
                (None, Some(s)) => Some(s.kind.user_type()),
                (None, None) => None,
            };
            let phone_numbers = if min == max {
                spell(min)
            } else {
                format!("{} - {}", spell(min), spell(max))
            };
            json!({
                "phoneNumbers": phone_numbers,
                "department": Value::Null,
                "activated": activated,
                "userId": holder,
                "lastName": field("lastName"),
                "firstName": field("firstName"),
                "extension": field("extension"),
                "emailAddress": field("emailAddress"),
                "userType": user_type,
                "countryCode": 1,
                "nationalPrefix": Value::Null,
                "min": spell(min),
                "max": if min == max { String::new() } else { spell(max) },
            })
        })
        .collect();
    Ok(Json(
        json!({"serviceProviderId": sp, "groupId": group, "dns": dns}),
    ))
}

/// `GET /service-providers/dns?serviceProviderId=[&q=available]`: `{serviceProviderId, dns:
/// [{canDelete, groupId, min, max}]}`, runs by group; with `q=available` only the numbers in
/// no group.
pub(super) async fn sp_get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Params,
) -> Result<Json<Value>, ApiError> {
    let sp = required(&query, "serviceProviderId")?;
    let directory = sim.directory();
    known(&directory, sp, None)?;
    let available = query.get("q").is_some_and(|q| q == "available");
    let numbers = directory
        .lines
        .pools
        .get(sp)
        .into_iter()
        .flatten()
        .filter(|(_, group)| !available || group.is_none())
        .map(|(dn, group)| (*dn, group.clone()));
    let dns: Vec<Value> = runs(numbers)
        .into_iter()
        .map(|(min, max, group)| {
            json!({"canDelete": group.is_none(), "groupId": group, "min": spell(min),
                   "max": (max != min).then(|| spell(max))})
        })
        .collect();
    Ok(Json(json!({"serviceProviderId": sp, "dns": dns})))
}

/// A write's body: the object, its `serviceProviderId`, its `groupId` when `with_group`, and
/// its `dns` list read as numbers each with the `activated` its element carried.
pub(super) struct DnsBody {
    pub sp: String,
    pub group: String,
    pub dns: Vec<(Dn, Option<bool>)>,
}

impl DnsBody {
    pub fn parse(body: &Bytes, with_group: bool) -> Result<DnsBody, ApiError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(ApiError::bad_request("the body must be a JSON object"));
        };
        let text = |key: &str| match map.get(key) {
            Some(Value::String(v)) if !v.is_empty() => Ok(v.clone()),
            _ => Err(ApiError::bad_request(format!(
                "`{key}` is required in the body"
            ))),
        };
        let sp = text("serviceProviderId")?;
        let group = if with_group {
            text("groupId")?
        } else {
            String::new()
        };
        let Some(Value::Array(elements)) = map.get("dns") else {
            return Err(ApiError::bad_request(
                "`dns` is required in the body: a list of numbers or `{min, max}` ranges",
            ));
        };
        if elements.is_empty() {
            return Err(ApiError::bad_request(
                "`dns` is empty: list at least one number",
            ));
        }
        let mut dns = Vec::new();
        let mut seen = BTreeSet::new();
        for element in elements {
            for (dn, activated) in numbers_of(element)? {
                if seen.insert(dn) {
                    dns.push((dn, activated));
                }
            }
        }
        Ok(DnsBody { sp, group, dns })
    }
}

/// The numbers of one `dns` element: a number in any spelling, or `{min, max[, activated]}`.
fn numbers_of(element: &Value) -> Result<Vec<(Dn, Option<bool>)>, ApiError> {
    let unreadable =
        |what: &Value| ApiError::bad_request(format!("`{what}` is not a phone number"));
    let Value::Object(range) = element else {
        let dn = normalise_value(element).ok_or_else(|| unreadable(element))?;
        return Ok(vec![(dn, None)]);
    };
    let activated = match range.get("activated") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "`activated` must be true or false, not `{other}`"
            )));
        }
    };
    let min_value = range.get("min").unwrap_or(&Value::Null);
    let min = normalise_value(min_value).ok_or_else(|| unreadable(min_value))?;
    let max = match range.get("max") {
        None | Some(Value::Null) => min,
        Some(Value::String(text)) if text.is_empty() => min,
        Some(value) => normalise_value(value).ok_or_else(|| unreadable(value))?,
    };
    if max < min || max - min >= MAX_RANGE {
        return Err(ApiError::bad_request(format!(
            "the range {} - {} is not a range of at most {MAX_RANGE} numbers",
            spell(min),
            spell(max)
        )));
    }
    Ok((min..=max).map(|dn| (dn, activated)).collect())
}
