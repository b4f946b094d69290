//! Hunt groups and call centers as the simulator holds them (API.md §15): per group, its
//! service instances in seeding order, each with its profile, settings, number, extension
//! and ordered agent list; and their seeding.
//!
//! A service's number and extension are held in [`super::lines::Lines`] under its service
//! user id, as a user's are, so that users cannot take them (BroadWorks refuses an extension
//! a service holds) and `GET /groups/dns/details` shows the service as the holder.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::lines::{Dn, national};
use super::seed::{DOMAIN, SERVICE_PROVIDER, group_id};
use super::state::{Catalog, Directory};

/// The licences a call center agent needs, weakest first (API.md §15): an agent's strongest
/// licence must be at least the call center's type (`Basic`, `Standard`, `Premium`).
pub const CALL_CENTER_LICENCES: [&str; 3] = [
    "Call Center - Basic",
    "Call Center - Standard",
    "Call Center - Premium",
];

/// What a service instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    HuntGroup,
    CallCenter,
}

impl Kind {
    /// Its `userType` in the number details (API.md §12).
    pub fn user_type(self) -> &'static str {
        match self {
            Kind::HuntGroup => "Hunt Group",
            Kind::CallCenter => "Call Center",
        }
    }

    /// How error texts name it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::HuntGroup => "hunt group",
            Kind::CallCenter => "call center",
        }
    }
}

/// One agent of a service, in hunt order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Agent {
    pub user_id: String,
    /// A call center agent's skill level (1–20), when set.
    pub skill_level: Option<u64>,
}

/// One hunt group or call center.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub kind: Kind,
    /// Its service user id, `<name>@<domain>`.
    pub id: String,
    pub sp: String,
    pub group: String,
    /// `serviceInstanceProfile` without `phoneNumber`/`extension` (kept below).
    pub profile: Value,
    pub number: Option<Dn>,
    pub extension: Option<String>,
    /// The other settings (hunt group: `policy`, `huntAfterNoAnswer`…; call center: `type`,
    /// `policy`, `routingType`…).
    pub settings: Value,
    pub agents: Vec<Agent>,
}

impl Service {
    /// Its name (the profile's).
    pub fn name(&self) -> &str {
        self.profile["name"].as_str().unwrap_or_default()
    }

    /// A call center's type level: index into [`CALL_CENTER_LICENCES`].
    pub fn level(&self) -> usize {
        licence_level(self.settings["type"].as_str().unwrap_or_default()).unwrap_or(0)
    }

    /// Its number as records spell it, or null.
    pub fn number_value(&self) -> Value {
        self.number
            .map_or(Value::Null, |dn| Value::String(national(dn)))
    }

    /// Its extension, or null.
    pub fn extension_value(&self) -> Value {
        self.extension.clone().map_or(Value::Null, Value::String)
    }

    /// The profile with its number and extension, as the reads of a user's hunt groups show
    /// it (`fixtures/group-hunt-groups-user.json`).
    pub fn full_profile(&self) -> Value {
        let mut profile = self.profile.clone();
        if let Some(map) = profile.as_object_mut() {
            map.insert("phoneNumber".into(), self.number_value());
            map.insert("extension".into(), self.extension_value());
            map.insert("countryCode".into(), json!("1"));
            map.insert("nationalPrefix".into(), json!("1"));
        }
        profile
    }
}

/// The level of a call center type or licence (`Basic`, `Call Center - Standard`…).
pub(crate) fn licence_level(name: &str) -> Option<usize> {
    let kind = name.strip_prefix("Call Center - ").unwrap_or(name);
    ["Basic", "Standard", "Premium"]
        .iter()
        .position(|k| *k == kind)
}

/// Every group's services.
#[derive(Debug, Default)]
pub(crate) struct Members {
    /// Per (service provider, group): its services, hunt groups then call centers.
    pub services: BTreeMap<(String, String), Vec<Service>>,
}

impl Members {
    /// The services of `kind` of a group.
    pub fn of<'a>(
        &'a self,
        sp: &str,
        group: &str,
        kind: Kind,
    ) -> impl Iterator<Item = &'a Service> + use<'a> {
        self.services
            .get(&(sp.to_string(), group.to_string()))
            .into_iter()
            .flatten()
            .filter(move |s| s.kind == kind)
    }

    /// The service with id `id`, of any group.
    pub fn find(&self, id: &str) -> Option<&Service> {
        self.services.values().flatten().find(|s| s.id == id)
    }

    /// The same, for changing.
    pub fn find_mut(&mut self, id: &str) -> Option<&mut Service> {
        self.services.values_mut().flatten().find(|s| s.id == id)
    }

    /// The group of service `id`, for the counts by group.
    pub fn group_of(&self, id: &str) -> Option<String> {
        self.find(id).map(|s| s.group.clone())
    }

    /// Take `user_id` out of every agent list (a deleted user).
    pub fn remove_user(&mut self, user_id: &str) {
        for service in self.services.values_mut().flatten() {
            service.agents.retain(|a| a.user_id != user_id);
        }
    }
}

/// The id of hunt group `k` of group `g` (1-based): `hg1.grp01@sim.example.net`.
pub fn hunt_group_id(k: usize, g: usize) -> String {
    format!("hg{k}.{}@{DOMAIN}", group_id(g))
}

/// The id of call center `k` of group `g` (1-based): `cc1.grp01@sim.example.net`.
pub fn call_center_id(k: usize, g: usize) -> String {
    format!("cc{k}.{}@{DOMAIN}", group_id(g))
}

/// The number of service `k` of group `g`: `5554gggg0k` (hunt groups k = 1…, call centers
/// 50 + k), a range no user, spare or pool number uses.
pub fn service_number(g: usize, k: usize) -> u64 {
    5_554_000_000 + g as u64 * 100 + k as u64
}

/// The extension of service `k` of group `g`: `5ggkk`, five digits (users have four, or
/// six past a few thousand).
pub fn service_extension(g: usize, k: usize) -> String {
    format!("5{g:02}{k:02}")
}

const HUNT_NAMES: [&str; 3] = ["Sales", "Support", "Reception"];
const HUNT_POLICIES: [&str; 5] = ["Regular", "Circular", "Simultaneous", "Uniform", "Weighted"];
const CENTER_NAMES: [(&str, &str, &str); 2] = [
    ("Billing", "Premium", "Circular"),
    ("Orders", "Standard", "Simultaneous"),
];

/// Give each group `hunt_groups` hunt groups and `call_centers` call centers (API.md §15).
/// Every hunt group holds a number (activated) and an extension, with three users of its
/// group as agents (hunt group k: the group's users k to k + 2). Call center 1 holds a
/// number and an extension, the others neither (as `fixtures/group-call-centers.json`
/// shows them). With call centers, each group's first two users get `Call Center - Premium`
/// and the next two `Call Center - Standard`; call center 1 (`Premium`) has the first two
/// as agents, the others (`Standard`) the second and third, skill levels 1 and 2.
pub(crate) fn seed(
    directory: &mut Directory,
    catalog: &Catalog,
    hunt_groups: usize,
    call_centers: usize,
) {
    let groups: Vec<(usize, String, Vec<String>)> = directory
        .groups
        .iter()
        .filter(|((sp, _), _)| sp == SERVICE_PROVIDER)
        .filter_map(|((_, group), ids)| {
            let g = group.strip_prefix("grp")?.parse::<usize>().ok()?;
            Some((g, group.clone(), ids.clone()))
        })
        .collect();
    for (g, group, users) in groups {
        let mut services = Vec::new();
        for k in 1..=hunt_groups {
            let name = HUNT_NAMES
                .get(k - 1)
                .map_or_else(|| format!("Hunt Group {k}"), |n| n.to_string());
            let mut settings = json!({
                "policy": HUNT_POLICIES[(k - 1) % HUNT_POLICIES.len()],
                "huntAfterNoAnswer": true,
                "noAnswerNumberOfRings": 5,
                "forwardAfterTimeout": k % 2 == 0,
                "forwardTimeoutSeconds": 10 + k,
                "allowCallWaitingForAgents": true,
                "useSystemHuntGroupCLIDSetting": true,
                "includeHuntGroupNameInCLID": true,
                "enableNotReachableForwarding": false,
                "makeBusyWhenNotReachable": false,
            });
            if k % 2 == 0 {
                // Odin answers it as a JSON number (fixtures/group-hunt-groups-user.json).
                settings["forwardToPhoneNumber"] = json!(3000 + k);
            }
            services.push(Service {
                kind: Kind::HuntGroup,
                id: hunt_group_id(k, g),
                sp: SERVICE_PROVIDER.to_string(),
                group: group.clone(),
                profile: profile(&name, "Hunt"),
                number: Some(service_number(g, k)),
                extension: Some(service_extension(g, k)),
                settings,
                agents: users
                    .iter()
                    .skip(k - 1)
                    .take(3)
                    .map(|id| Agent {
                        user_id: id.clone(),
                        skill_level: None,
                    })
                    .collect(),
            });
        }
        if call_centers > 0 {
            for (i, id) in users.iter().take(4).enumerate() {
                let licence = if i < 2 {
                    CALL_CENTER_LICENCES[2]
                } else {
                    CALL_CENTER_LICENCES[1]
                };
                if let (Some(user), Some(service)) =
                    (directory.users.get_mut(id), catalog.service(licence))
                {
                    user.services[service] = true;
                }
            }
        }
        for k in 1..=call_centers {
            let (name, kind, policy) =
                CENTER_NAMES
                    .get(k - 1)
                    .copied()
                    .unwrap_or(("Call Center", "Standard", "Regular"));
            let name = if k > CENTER_NAMES.len() {
                format!("{name} {k}")
            } else {
                name.to_string()
            };
            let first = usize::from(k > 1);
            services.push(Service {
                kind: Kind::CallCenter,
                id: call_center_id(k, g),
                sp: SERVICE_PROVIDER.to_string(),
                group: group.clone(),
                profile: profile(&name, "Call Center"),
                number: (k == 1).then(|| service_number(g, 50 + k)),
                extension: (k == 1).then(|| service_extension(g, 50 + k)),
                settings: json!({
                    "type": kind,
                    "policy": policy,
                    "routingType": "Priority Based",
                    "video": false,
                    "isActive": true,
                    "queueLength": 10,
                    "allowAgentLogoff": true,
                    "allowCallWaitingForAgents": false,
                }),
                agents: users
                    .iter()
                    .take(4)
                    .skip(first)
                    .take(2)
                    .enumerate()
                    .map(|(i, id)| Agent {
                        user_id: id.clone(),
                        skill_level: Some(i as u64 + 1),
                    })
                    .collect(),
            });
        }
        for service in &services {
            hold(directory, service);
        }
        directory
            .members
            .services
            .insert((SERVICE_PROVIDER.to_string(), group), services);
    }
}

/// Record the number and extension `service` holds, its number activated in its group.
fn hold(directory: &mut Directory, service: &Service) {
    let lines = &mut directory.lines;
    if let Some(dn) = service.number {
        lines.add_to_group(&service.sp, &service.group, dn, true);
        lines.holders.insert(dn, service.id.clone());
    }
    if let Some(extension) = &service.extension {
        lines
            .extensions
            .entry((service.sp.clone(), service.group.clone()))
            .or_default()
            .insert(extension.clone(), service.id.clone());
    }
}

/// A service instance profile (`fixtures/group-hunt-group.json`).
fn profile(name: &str, first: &str) -> Value {
    json!({
        "name": name,
        "callingLineIdLastName": name,
        "callingLineIdFirstName": first,
        "hiraganaLastName": name,
        "hiraganaFirstName": first,
        "language": "English",
        "timeZone": "America/New_York",
        "timeZoneDisplayName": "(GMT-05:00) (US) Eastern Time",
        "aliases": [],
    })
}
