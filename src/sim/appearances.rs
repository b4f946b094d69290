//! Devices and shared call appearance endpoints as the simulator holds them (API.md §13):
//! each group's devices, each user's endpoints, and the line ports in use system-wide.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

/// One device of a group (`GET /groups/devices`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Device {
    /// Its name, unique in the group.
    pub name: String,
    /// Its type, e.g. `Polycom VVX 411`.
    pub device_type: String,
}

/// One shared call appearance endpoint of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The device's name.
    pub device_name: String,
    /// `Group` (or `Service Provider`).
    pub device_level: String,
    /// `<name>@<domain>`, unique system-wide.
    pub line_port: String,
    /// The endpoint's flags.
    pub is_active: bool,
    pub allow_origination: bool,
    pub allow_termination: bool,
}

impl Endpoint {
    /// The single endpoint read's shape (`fixtures/user-shared-call-appearance-endpoint.json`).
    pub fn view(&self, user_id: &str) -> Value {
        json!({
            "userId": user_id,
            "isActive": self.is_active,
            "allowOrigination": self.allow_origination,
            "allowTermination": self.allow_termination,
            "deviceName": self.device_name,
            "deviceLevel": self.device_level,
            "linePort": self.line_port,
        })
    }

    /// A list element: `deviceType, deviceName, deviceLevel, linePort`, with the flags
    /// unless `without_flags` (API.md §13: whether lists carry them is unknown).
    pub fn list_view(&self, device_type: &str, without_flags: bool) -> Value {
        let mut element = json!({
            "deviceType": device_type,
            "deviceName": self.device_name,
            "deviceLevel": self.device_level,
            "linePort": self.line_port,
        });
        if !without_flags && let Some(map) = element.as_object_mut() {
            map.insert("isActive".into(), Value::Bool(self.is_active));
            map.insert(
                "allowOrigination".into(),
                Value::Bool(self.allow_origination),
            );
            map.insert(
                "allowTermination".into(),
                Value::Bool(self.allow_termination),
            );
        }
        element
    }
}

/// Devices and endpoints.
#[derive(Debug, Default)]
pub(crate) struct Appearances {
    /// Per (service provider, group): its devices by name.
    pub devices: BTreeMap<(String, String), BTreeMap<String, Device>>,
    /// Per user id: its endpoints, in the order added.
    pub endpoints: HashMap<String, Vec<Endpoint>>,
    /// Every line port in use, and the user whose endpoint it is.
    pub line_ports: HashMap<String, String>,
}

impl Appearances {
    /// The device `name` of a group.
    pub fn device(&self, sp: &str, group: &str, name: &str) -> Option<&Device> {
        self.devices
            .get(&(sp.to_string(), group.to_string()))?
            .get(name)
    }

    /// A user's endpoints (none when it has none).
    pub fn of(&self, user_id: &str) -> &[Endpoint] {
        self.endpoints.get(user_id).map_or(&[], Vec::as_slice)
    }
}

/// The most appearances the assigned services allow (API.md §13 Limits): the largest number
/// in the names of the assigned `Shared Call Appearance[ N]` services (`Shared Call
/// Appearance` alone is 1); `None` when none is assigned.
pub(crate) fn max_appearances<'a>(assigned: impl Iterator<Item = &'a str>) -> Option<u32> {
    assigned
        .filter_map(|name| {
            let rest = name.strip_prefix("Shared Call Appearance")?;
            if rest.is_empty() {
                Some(1)
            } else {
                rest.strip_prefix(' ')?.parse::<u32>().ok()
            }
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_assigned_sca_service_sets_the_limit() {
        assert_eq!(
            max_appearances(["Shared Call Appearance"].into_iter()),
            Some(1)
        );
        assert_eq!(
            max_appearances(
                [
                    "Shared Call Appearance 5",
                    "Call Notify",
                    "Shared Call Appearance"
                ]
                .into_iter()
            ),
            Some(5)
        );
        assert_eq!(max_appearances(["Call Notify"].into_iter()), None);
        assert_eq!(
            max_appearances(["Shared Call Appearances"].into_iter()),
            None
        );
    }
}
