//! A group's devices (API.md §13): `GET|POST /groups/devices`, the devices an SCA endpoint
//! must be on.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::sca::object;
use super::{Admin, ApiError, known, required};
use crate::sim::Sim;
use crate::sim::appearances::Device;

/// `GET /groups/devices?serviceProviderId=&groupId=[&deviceName=]` → the group's devices.
pub(super) async fn get(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let sp = required(&query, "serviceProviderId")?;
    let group = required(&query, "groupId")?;
    let directory = sim.directory();
    known(&directory, sp, Some(group))?;
    let name = query.get("deviceName");
    let devices: Vec<Value> = directory
        .appearances
        .devices
        .get(&(sp.to_string(), group.to_string()))
        .into_iter()
        .flat_map(|devices| devices.values())
        .filter(|d| name.is_none_or(|name| *name == d.name))
        .map(|d| device_view(sp, group, d))
        .collect();
    Ok(Json(Value::Array(devices)))
}

fn device_view(sp: &str, group: &str, device: &Device) -> Value {
    json!({"serviceProviderId": sp, "groupId": group, "deviceName": device.name,
           "deviceType": device.device_type, "deviceLevel": "Group"})
}

/// `POST /groups/devices {serviceProviderId, groupId, deviceName, deviceType}` → the device;
/// a name the group already has is a 400.
pub(super) async fn post(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = object(&body)?;
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ApiError::bad_request(format!("`{key}` is required in the body")))
    };
    let (sp, group) = (text("serviceProviderId")?, text("groupId")?);
    let device = Device {
        name: text("deviceName")?,
        device_type: text("deviceType")?,
    };
    let mut directory = sim.directory();
    known(&directory, &sp, Some(&group))?;
    let devices = directory
        .appearances
        .devices
        .entry((sp.clone(), group.clone()))
        .or_default();
    if devices.contains_key(&device.name) {
        return Err(ApiError::bad_request(format!(
            "device `{}` already exists in group `{group}`",
            device.name
        )));
    }
    let view = device_view(&sp, &group, &device);
    devices.insert(device.name.clone(), device);
    Ok(Json(view))
}
