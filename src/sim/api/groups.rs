//! `GET /groups?serviceProviderId=` → the service provider's groups (API.md §7a).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::{Admin, ApiError, required};
use crate::sim::Sim;

/// The groups as `fixtures/groups.json` shows them: `groupId`, `groupName`, `userLimit`,
/// `serviceProviderId`. An unknown service provider is a 404.
pub(super) async fn get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let sp = required(&query, "serviceProviderId")?;
    let directory = sim.directory();
    let groups: Vec<Value> = directory
        .groups
        .iter()
        .filter(|((s, _), _)| s == sp)
        .map(|((s, g), ids)| {
            json!({
                "groupId": g,
                "groupName": format!("Group {g}"),
                "userLimit": directory
                    .user_limits
                    .get(&(s.clone(), g.clone()))
                    .copied()
                    .unwrap_or((ids.len() / 100 + 1) * 100),
                "serviceProviderId": s,
            })
        })
        .collect();
    if groups.is_empty() {
        return Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("service provider `{sp}` not found"),
        ));
    }
    Ok(Json(Value::Array(groups)))
}
