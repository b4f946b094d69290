//! Assigned services and service packs (`/users/services`): the one place that knows how plan
//! files and results name them (`userServices.<name>`, `servicePackServices.<name>`), how Odin
//! lists them, and how a write assigns or unassigns them.

use std::fmt;

use serde_json::{Map, Value, json};

/// The service a settings field path (`Call Forwarding Busy.isActive`) belongs to: its
/// first segment, as service names hold no `.` (API.md §4).
pub fn settings_service(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Names of one service that Odin spells two ways (API.md §4, quirk 7): the licence
/// `Integrated IM&P` is assigned and listed as `Integrated IMP` by Odin's own front end.
const SPELLINGS: [[&str; 2]; 1] = [["Integrated IM&P", "Integrated IMP"]];

/// A user service or a service pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A service pack (`servicePackServices`). Ordered first, as its key sorts first.
    Pack,
    /// A user service (`userServices`).
    Service,
}

impl Kind {
    /// The list that holds it, in Odin's documents and in plan keys.
    pub fn list(self) -> &'static str {
        match self {
            Kind::Pack => "servicePackServices",
            Kind::Service => "userServices",
        }
    }

    fn of_list(list: &str) -> Option<Kind> {
        [Kind::Pack, Kind::Service]
            .into_iter()
            .find(|kind| kind.list() == list)
    }
}

/// One service or pack, by name.
///
/// Ordering (packs first, then by name) is the order of their plan keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceRef {
    /// Service or pack.
    pub kind: Kind,
    /// Its name, as Odin lists it.
    pub name: String,
}

impl ServiceRef {
    /// A user service.
    pub fn service(name: impl Into<String>) -> ServiceRef {
        ServiceRef {
            kind: Kind::Service,
            name: name.into(),
        }
    }

    /// A service pack.
    pub fn pack(name: impl Into<String>) -> ServiceRef {
        ServiceRef {
            kind: Kind::Pack,
            name: name.into(),
        }
    }

    /// Its key in plan patches, results and before-values: `userServices.<name>` or
    /// `servicePackServices.<name>`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.kind.list(), self.name)
    }

    /// The service or pack a plan key names; `None` when the key is not one.
    pub fn from_key(key: &str) -> Option<ServiceRef> {
        let (list, name) = key.split_once('.')?;
        Some(ServiceRef {
            kind: Kind::of_list(list)?,
            name: name.to_string(),
        })
    }

    /// Whether Odin's listing (the `GET /users/services` document, or a write body in the
    /// same shape) has it assigned, under any of its spellings; one missing from the listing
    /// counts as unassigned. `"true"` strings count as true.
    pub fn is_assigned(&self, listing: &Value) -> bool {
        self.listed(listing)
            .map(|item| match &item["assigned"] {
                Value::Bool(b) => *b,
                Value::String(s) => s.eq_ignore_ascii_case("true"),
                _ => false,
            })
            .unwrap_or(false)
    }

    /// The same service as `listing` spells it: what a write must send (API.md §4, quirk 7:
    /// a sheet may write `Integrated IM&P` or `Integrated IMP`, and servers differ). Itself
    /// when the listing does not hold it.
    pub fn as_listed(&self, listing: &Value) -> ServiceRef {
        let name = self
            .listed(listing)
            .and_then(|item| item["serviceName"].as_str())
            .unwrap_or(&self.name);
        ServiceRef {
            kind: self.kind,
            name: name.to_string(),
        }
    }

    /// Whether `name` (a listing's or a settings document's key) names this service, under
    /// any of its spellings: the settings of the licence `Integrated IM&P` are keyed
    /// `Integrated IMP` (API.md §4, quirk 7).
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name
            || (self.kind == Kind::Service
                && SPELLINGS
                    .iter()
                    .any(|names| names.contains(&self.name.as_str()) && names.contains(&name)))
    }

    /// Set its `assigned` in `listing` (a `GET /users/services` document), under the
    /// spelling the listing uses; added to the list when missing.
    pub fn set_assigned(&self, listing: &mut Value, assigned: bool) {
        let name = self.as_listed(listing).name;
        if !listing.is_object() {
            *listing = json!({});
        }
        let list = &mut listing[self.kind.list()];
        if !list.is_array() {
            *list = json!([]);
        }
        if let Some(items) = list.as_array_mut() {
            match items.iter_mut().find(|s| s["serviceName"] == name.as_str()) {
                Some(item) => item["assigned"] = Value::Bool(assigned),
                None => items.push(json!({"serviceName": name, "assigned": assigned})),
            }
        }
    }

    /// Its entry in the listing, under any of its spellings (its own first).
    fn listed<'a>(&self, listing: &'a Value) -> Option<&'a Value> {
        let items = listing[self.kind.list()].as_array()?;
        let find = |name: &str| items.iter().find(|s| s["serviceName"] == name);
        find(&self.name).or_else(|| {
            SPELLINGS
                .iter()
                .filter(|names| self.kind == Kind::Service && names.contains(&self.name.as_str()))
                .flat_map(|names| names.iter())
                .find_map(|name| find(name))
        })
    }
}

impl fmt::Display for ServiceRef {
    /// `Name`, or `pack Name` for a service pack.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Pack => write!(f, "pack {}", self.name),
            Kind::Service => f.write_str(&self.name),
        }
    }
}

/// A services step: what to assign and what to unassign.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceChanges {
    /// Services and packs to assign.
    pub assign: Vec<ServiceRef>,
    /// Services and packs to unassign.
    pub unassign: Vec<ServiceRef>,
}

/// Why a plan patch is not a services patch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServicesPatchError {
    /// A key that names neither a service nor a pack.
    #[error(
        "`{0}` is not a service key; services patches hold `userServices.<name>` or `servicePackServices.<name>`"
    )]
    Key(String),
    /// A value that is not `true` (assign) or `false` (unassign).
    #[error("`{0}` must be true (assign) or false (unassign)")]
    Value(String),
}

impl ServiceChanges {
    /// Each service or pack with whether it ends up assigned, in plan key order.
    pub fn entries(&self) -> Vec<(&ServiceRef, bool)> {
        let mut all: Vec<(&ServiceRef, bool)> = self
            .assign
            .iter()
            .map(|s| (s, true))
            .chain(self.unassign.iter().map(|s| (s, false)))
            .collect();
        all.sort();
        all
    }

    /// How many services and packs change.
    pub fn len(&self) -> usize {
        self.assign.len() + self.unassign.len()
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The plan file patch: each key → whether it ends up assigned.
    pub fn to_patch(&self) -> Map<String, Value> {
        self.entries()
            .into_iter()
            .map(|(service, assigned)| (service.key(), Value::Bool(assigned)))
            .collect()
    }

    /// Read a plan file patch written by [`ServiceChanges::to_patch`].
    pub fn from_patch(patch: &Map<String, Value>) -> Result<ServiceChanges, ServicesPatchError> {
        let mut changes = ServiceChanges::default();
        for (key, value) in patch {
            let service =
                ServiceRef::from_key(key).ok_or_else(|| ServicesPatchError::Key(key.clone()))?;
            match value {
                Value::Bool(true) => changes.assign.push(service),
                Value::Bool(false) => changes.unassign.push(service),
                _ => return Err(ServicesPatchError::Value(key.clone())),
            }
        }
        Ok(changes)
    }

    /// The same changes the other way round: what undoes them.
    pub fn reversed(&self) -> ServiceChanges {
        ServiceChanges {
            assign: self.unassign.clone(),
            unassign: self.assign.clone(),
        }
    }

    /// The `PUT /users/services` body (without `userId`) that makes these changes; each list
    /// only when it has entries, as Odin's own client sends it.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        for kind in [Kind::Service, Kind::Pack] {
            let entries: Vec<Value> = self
                .entries()
                .into_iter()
                .filter(|(service, _)| service.kind == kind)
                .map(|(service, assigned)| {
                    json!({"serviceName": service.name, "assigned": assigned})
                })
                .collect();
            if !entries.is_empty() {
                body.insert(kind.list().to_string(), Value::Array(entries));
            }
        }
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_sort_like_their_text() {
        let pack = ServiceRef::pack("SIP-DID");
        let service = ServiceRef::service("Call Forwarding Always");
        assert_eq!(pack.key(), "servicePackServices.SIP-DID");
        assert_eq!(ServiceRef::from_key(&service.key()), Some(service.clone()));
        assert_eq!(ServiceRef::from_key("settings.X"), None);
        assert!(pack < service && pack.key() < service.key());
        assert_eq!(pack.to_string(), "pack SIP-DID");
    }

    #[test]
    fn patches_and_bodies() {
        let patch = json!({"userServices.Call Notify": true, "servicePackServices.P": false});
        let changes = ServiceChanges::from_patch(patch.as_object().unwrap()).unwrap();
        assert_eq!(changes.assign, [ServiceRef::service("Call Notify")]);
        assert_eq!(changes.unassign, [ServiceRef::pack("P")]);
        assert_eq!(Value::Object(changes.to_patch()), patch);
        assert_eq!(
            changes.body(),
            json!({"userServices": [{"serviceName": "Call Notify", "assigned": true}],
                   "servicePackServices": [{"serviceName": "P", "assigned": false}]})
        );
        assert_eq!(changes.reversed().assign, [ServiceRef::pack("P")]);
        let bad = json!({"userServices.X": "yes"});
        assert!(ServiceChanges::from_patch(bad.as_object().unwrap()).is_err());
    }

    #[test]
    fn a_licence_spelt_two_ways_is_found_and_written_as_the_listing_spells_it() {
        let listing = json!({"userServices": [{"serviceName": "Integrated IMP", "assigned": true},
                                              {"serviceName": "A", "assigned": false}]});
        let sheet = ServiceRef::service("Integrated IM&P");
        assert!(sheet.is_assigned(&listing));
        assert_eq!(
            sheet.as_listed(&listing),
            ServiceRef::service("Integrated IMP")
        );
        let other =
            json!({"userServices": [{"serviceName": "Integrated IM&P", "assigned": false}]});
        let sheet = ServiceRef::service("Integrated IMP");
        assert!(!sheet.is_assigned(&other));
        assert_eq!(sheet.as_listed(&other).name, "Integrated IM&P");
        // Names spelt one way, and names the listing lacks, stay as they are.
        assert_eq!(ServiceRef::service("A").as_listed(&listing).name, "A");
        assert_eq!(ServiceRef::service("B").as_listed(&listing).name, "B");
        assert_eq!(
            ServiceRef::pack("Integrated IM&P").as_listed(&listing).name,
            "Integrated IM&P"
        );
    }

    #[test]
    fn assignment_is_read_from_the_listing() {
        let listing = json!({"userServices": [{"serviceName": "A", "assigned": true},
                                              {"serviceName": "B", "assigned": false}]});
        assert!(ServiceRef::service("A").is_assigned(&listing));
        assert!(!ServiceRef::service("B").is_assigned(&listing));
        assert!(!ServiceRef::service("C").is_assigned(&listing));
        assert!(!ServiceRef::pack("A").is_assigned(&listing));
    }
}
