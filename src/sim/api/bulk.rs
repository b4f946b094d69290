//! `GET /users/call-forwarding-{always,busy,no-answer,not-reachable}/bulk?serviceProviderId=&groupId=`
//! (API.md §7a): one element per user of the group, built from the same settings that
//! `/users/services/settings` serves, so both views always agree.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Admin, ApiError, required};
use crate::sim::Sim;

type BulkQuery = Query<HashMap<String, String>>;
type BulkAnswer = Result<Json<Value>, ApiError>;

/// `GET /users/call-forwarding-always/bulk`.
pub(super) async fn call_forwarding_always(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: BulkQuery,
) -> BulkAnswer {
    bulk(&sim, &query, "Call Forwarding Always")
}

/// `GET /users/call-forwarding-busy/bulk`.
pub(super) async fn call_forwarding_busy(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: BulkQuery,
) -> BulkAnswer {
    bulk(&sim, &query, "Call Forwarding Busy")
}

/// `GET /users/call-forwarding-no-answer/bulk`.
pub(super) async fn call_forwarding_no_answer(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: BulkQuery,
) -> BulkAnswer {
    bulk(&sim, &query, "Call Forwarding No Answer")
}

/// `GET /users/call-forwarding-not-reachable/bulk`.
pub(super) async fn call_forwarding_not_reachable(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    query: BulkQuery,
) -> BulkAnswer {
    bulk(&sim, &query, "Call Forwarding Not Reachable")
}

/// The group's users with `service`: `{service: {assigned, serviceName}, user: {…},
/// data: {settings…, userId}}`, and `data: {}` where the service is not assigned.
fn bulk(sim: &Sim, Query(query): &BulkQuery, service: &str) -> BulkAnswer {
    if sim.config.faults.no_bulk_reads {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no such endpoint"));
    }
    let sp = required(query, "serviceProviderId")?;
    let group = required(query, "groupId")?;
    let index = sim
        .catalog
        .settings_service(service)
        .ok_or_else(|| ApiError::bad_request(format!("unknown service `{service}`")))?;
    let directory = sim.directory();
    let entries: Vec<Value> = super::groups_of(&directory, sp, Some(group))?
        .flat_map(|ids| ids.iter())
        .filter_map(|id| directory.users.get(id))
        .map(|user| {
            let (user_id, _, _) = user.identity();
            let data = match &user.settings[index] {
                Some(settings) => {
                    let mut data = settings.as_object().cloned().unwrap_or_default();
                    data.insert("userId".into(), Value::String(user_id.to_string()));
                    Value::Object(data)
                }
                None => Value::Object(Map::new()),
            };
            json!({
                "service": {"assigned": user.settings[index].is_some(), "serviceName": service},
                "user": super::rows::bulk(user),
                "data": data,
            })
        })
        .collect();
    Ok(Json(Value::Array(entries)))
}
