//! Seeding: N users spread over G groups of one service provider, each built from the real
//! examples with deterministic variation, so that changes and rollbacks are visible.
//!
//! Every user draws from its own random stream (seed and user number), so user 17 is the
//! same whether the simulator holds 20 users or 20,000.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::state::{Catalog, Directory, UserState};

/// The service provider every simulated user belongs to.
pub const SERVICE_PROVIDER: &str = "ent.sim";
/// The domain of simulated user ids.
pub const DOMAIN: &str = "sim.example.net";

/// Services that some users do not have, so that assigning them and their settings'
/// "not assigned" errors can be seen.
const OPTIONAL_SERVICES: [&str; 8] = [
    "Call Notify",
    "Priority Alert",
    "Remote Office",
    "Sequential Ring",
    "Simultaneous Ring Personal",
    "Call Forwarding Selective",
    "Hoteling Guest",
    "Executive-Assistant",
];

const FIRST: [&str; 8] = [
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const LAST: [&str; 8] = [
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];
const CITIES: [&str; 5] = ["Cincinnati", "Columbus", "Dayton", "Toledo", "Akron"];

/// The id of simulated user `n` (1-based): `user00001@sim.example.net`.
pub fn user_id(n: usize) -> String {
    format!("user{n:05}@{DOMAIN}")
}

/// The id of simulated group `g` (1-based): `grp01`.
pub fn group_id(g: usize) -> String {
    format!("grp{g:02}")
}

/// Build `users` users over `groups` groups (round robin), varied by `seed`.
pub(crate) fn seed(catalog: &Catalog, users: usize, groups: usize, seed: u64) -> Directory {
    let groups = groups.max(1);
    let mut directory = Directory::default();
    for g in 1..=groups.min(users) {
        lines_of_group(&mut directory, &group_id(g), g);
    }
    for dn in SPARE_POOL {
        pool(&mut directory).insert(dn, None);
    }
    for n in 1..=users {
        let group = group_id((n - 1) % groups + 1);
        let mut state = user(catalog, n, &group, seed);
        let id = user_id(n);
        let taken = directory
            .lines
            .extensions
            .get(&(SERVICE_PROVIDER.to_string(), group.clone()))
            .is_some_and(|taken| {
                super::lines::extension_of(&state.user).is_some_and(|e| taken.contains_key(&e))
            });
        if taken {
            // Past a few thousand users the pattern repeats: a longer extension, unique.
            state.user["extension"] = Value::String(format!("{}", 100_000 + n));
        }
        let number = user_number(n);
        directory
            .lines
            .add_to_group(SERVICE_PROVIDER, &group, number, true);
        directory
            .lines
            .hold(&id, SERVICE_PROVIDER, &group, &state.user);
        directory
            .groups
            .entry((SERVICE_PROVIDER.to_string(), group))
            .or_default()
            .push(id.clone());
        directory.users.insert(id, state);
    }
    for (key, ids) in &directory.groups {
        // Room to grow, rounded up to a hundred, as a provisioned group would have.
        directory
            .user_limits
            .insert(key.clone(), (ids.len() / 100 + 1) * 100);
    }
    directory
}

/// The number seeded user `n` holds: `5551NNNNNN` (user 1: 5551000001), activated in its
/// group's list.
pub fn user_number(n: usize) -> u64 {
    5_551_000_000 + n as u64
}

/// The numbers of the service provider's pool in no group: 555-300-0000 to 555-301-9999 (20,000 numbers: room for a benchmark giving every user a new number).
pub const SPARE_POOL: std::ops::Range<u64> = 5_553_000_000..5_553_020_000;

/// The numbers of group `g` (1-based) held by no one: 555-2gg-0000 to 555-2gg-0004, the
/// last activated (as the fixtures show free numbers that are activated).
pub fn group_spares(g: usize) -> std::ops::Range<u64> {
    let first = 5_552_000_000 + g as u64 * 10_000;
    first..first + 5
}

/// The devices of each group: (name suffix, device type); named `<group>-<suffix>`.
pub const DEVICES: [(&str, &str); 3] = [
    ("desk1", "Polycom VVX 411"),
    ("desk2", "Polycom VVX 411"),
    ("webex", "Business Communicator - PC"),
];

fn pool(directory: &mut Directory) -> &mut std::collections::BTreeMap<u64, Option<String>> {
    directory
        .lines
        .pools
        .entry(SERVICE_PROVIDER.to_string())
        .or_default()
}

/// Group `g`'s spare numbers and devices.
fn lines_of_group(directory: &mut Directory, group: &str, g: usize) {
    let spares = group_spares(g);
    let last = spares.end - 1;
    for dn in spares {
        directory
            .lines
            .add_to_group(SERVICE_PROVIDER, group, dn, dn == last);
    }
    directory.appearances.devices.insert(
        (SERVICE_PROVIDER.to_string(), group.to_string()),
        DEVICES
            .iter()
            .map(|(suffix, device_type)| {
                let name = format!("{group}-{suffix}");
                (
                    name.clone(),
                    super::appearances::Device {
                        name,
                        device_type: device_type.to_string(),
                    },
                )
            })
            .collect(),
    );
}

fn user(catalog: &Catalog, n: usize, group: &str, seed: u64) -> UserState {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let id = user_id(n);
    let (first, last) = (FIRST[n % FIRST.len()], LAST[(n / 8) % LAST.len()]);
    let extension = format!("{}", 1000 + n % 9000);
    let mut record = catalog.user.clone();
    super::state::merge(
        &mut record,
        &json!({
            "serviceProviderId": SERVICE_PROVIDER,
            "groupId": group,
            "userId": id,
            "firstName": first,
            "lastName": last,
            "callingLineIdFirstName": first,
            "callingLineIdLastName": last,
            "hiraganaFirstName": first,
            "hiraganaLastName": last,
            "extension": extension,
            "defaultAlias": id,
            "domain": DOMAIN,
            "aliases": [],
            "phoneNumber": super::lines::national(user_number(n)),
            "phoneNumberActivated": true,
            "emailAddress": id,
            "address": {"city": CITIES[rng.random_range(0..CITIES.len())]},
        }),
    );

    let mut settings: Vec<Option<Arc<Value>>> = catalog
        .settings
        .iter()
        .map(|(_, v)| Some(v.clone()))
        .collect();
    let mut services: Vec<bool> = catalog
        .services
        .iter()
        .enumerate()
        // Call center licences are given with the call centers (`members`), drawing nothing,
        // so that every other service's draw stays as it was before they were listed.
        .map(|(i, name)| {
            catalog.settings_of_service(i).is_some()
                || (!name.starts_with("Call Center - ") && rng.random_bool(0.5))
        })
        .collect();
    for name in OPTIONAL_SERVICES {
        if rng.random_bool(0.3)
            && let Some(service) = catalog.service(name)
        {
            services[service] = false;
            if let Some(entry) = catalog.settings_of_service(service) {
                settings[entry] = None;
            }
        }
    }
    let mut set = |name: &str, patch: Value| {
        if let Some(Some(value)) = catalog.settings_service(name).map(|i| &mut settings[i]) {
            super::state::merge(Arc::make_mut(value), &patch);
        }
    };
    // Unset numbers are omitted, as real Odin does; some users forward.
    let forwards = rng.random_bool(0.2);
    set(
        "Call Forwarding Always",
        json!({"isActive": forwards, "forwardToPhoneNumber": forwards.then(|| format!("+1555300{:04}", n % 10_000))}),
    );
    let busy = rng.random_bool(0.15);
    set(
        "Call Forwarding Busy",
        json!({"isActive": busy, "forwardToPhoneNumber": busy.then(|| format!("+1555400{:04}", n % 10_000))}),
    );
    let no_answer_number = rng.random_bool(0.4);
    set(
        "Call Forwarding No Answer",
        json!({
            "numberOfRings": rng.random_range(2..=6),
            "forwardToPhoneNumber": no_answer_number.then(|| format!("+1555500{:04}", n % 10_000)),
        }),
    );
    set("Do Not Disturb", json!({"isActive": rng.random_bool(0.1)}));
    let identity = json!({"serviceProviderId": SERVICE_PROVIDER, "groupId": group, "userId": id});
    set(
        "Voice Messaging User",
        json!({
            "Voice Messaging User": {"isActive": rng.random_bool(0.7), "serviceProviderId": SERVICE_PROVIDER, "groupId": group, "userId": id},
            "Voice Messaging User Advanced": identity,
            "Voice Messaging User Greeting": {"userId": id},
            "Voice Messaging User Voice Portal": identity,
        }),
    );

    round_trip_cases(catalog, n, &mut record, &mut settings, &mut services);

    let mut policy = catalog.policy.clone();
    if rng.random_bool(0.3) {
        super::state::merge(
            Arc::make_mut(&mut policy),
            &json!({"clidPolicy": "Use Configurable CLID", "maxSimultaneousCalls": rng.random_range(2..=10)}),
        );
    }
    UserState {
        user: record,
        policy,
        settings,
        services,
        packs: catalog
            .packs
            .iter()
            .map(|(_, _, assigned)| *assigned)
            .collect(),
        credentials: Default::default(),
    }
}

/// The data that spreadsheets get wrong, on a fixed share of users (by number, no random
/// draws, so every other value stays as it was): extensions with a leading zero, phone
/// numbers that Odin returns as JSON numbers (API.md §4 quirk 2), and Call Forwarding
/// Busy / Not Reachable not assigned.
fn round_trip_cases(
    catalog: &Catalog,
    n: usize,
    record: &mut Value,
    settings: &mut [Option<Arc<Value>>],
    services: &mut [bool],
) {
    if n % 10 == 4 {
        record["extension"] = Value::String(format!("0{:03}", n % 1000));
    }
    if n % 5 == 2 {
        record["mobilePhoneNumber"] = json!(15_552_000_000u64 + (n % 10_000) as u64);
    }
    if n % 5 == 3
        && let Some(Some(cfna)) = catalog
            .settings_service("Call Forwarding No Answer")
            .map(|i| &mut settings[i])
    {
        Arc::make_mut(cfna)["forwardToPhoneNumber"] =
            json!(15_555_000_000u64 + (n % 10_000) as u64);
    }
    for (name, unassigned) in [
        ("Call Forwarding Busy", n % 4 == 3),
        ("Call Forwarding Not Reachable", n % 6 == 5),
    ] {
        if unassigned && let Some(service) = catalog.service(name) {
            services[service] = false;
            if let Some(entry) = catalog.settings_of_service(service) {
                settings[entry] = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ImpSpelling;

    #[test]
    fn users_are_spread_over_groups_and_stable_across_sizes() {
        let catalog = Catalog::builtin(ImpSpelling::default(), false).unwrap();
        let small = seed(&catalog, 20, 3, 7);
        let large = seed(&catalog, 200, 3, 7);
        assert_eq!(small.users.len(), 20);
        assert_eq!(small.groups.len(), 3);
        let a = &small.users["user00017@sim.example.net"];
        let b = &large.users["user00017@sim.example.net"];
        assert_eq!(a.user, b.user);
        assert_eq!(a.services, b.services);
        assert_eq!(a.identity().2, "grp02");
    }

    #[test]
    fn call_center_licences_change_no_other_draw() {
        let plain = Catalog::builtin(ImpSpelling::default(), false).unwrap();
        let licensed = Catalog::builtin(ImpSpelling::default(), true).unwrap();
        assert_eq!(licensed.services.len(), plain.services.len() + 3);
        let (a, b) = (seed(&plain, 30, 2, 5), seed(&licensed, 30, 2, 5));
        let assigned = |catalog: &Catalog, user: &UserState| -> Vec<String> {
            catalog
                .services
                .iter()
                .zip(&user.services)
                .filter(|(_, on)| **on)
                .map(|(name, _)| name.clone())
                .collect()
        };
        for (id, user) in &a.users {
            assert_eq!(assigned(&plain, user), assigned(&licensed, &b.users[id]));
            assert_eq!(user.user, b.users[id].user);
            assert_eq!(user.settings, b.users[id].settings);
        }
    }

    #[test]
    fn seeds_vary_users_visibly() {
        let catalog = Catalog::builtin(ImpSpelling::default(), false).unwrap();
        let directory = seed(&catalog, 200, 4, 1);
        let cfa = catalog.settings_service("Call Forwarding Always").unwrap();
        let active = directory
            .users
            .values()
            .filter(|u| {
                u.settings[cfa]
                    .as_ref()
                    .is_some_and(|s| s["isActive"] == true)
            })
            .count();
        assert!((10..90).contains(&active), "{active} of 200 forward");
        let inactive_have_no_number = directory.users.values().all(|u| {
            u.settings[cfa]
                .as_ref()
                .is_none_or(|s| s["isActive"] == true || s.get("forwardToPhoneNumber").is_none())
        });
        assert!(inactive_have_no_number);
        let notify = catalog.service("Call Notify").unwrap();
        assert!(directory.users.values().any(|u| !u.services[notify]));
        assert!(directory.users.values().any(|u| u.services[notify]));
        let other = seed(&catalog, 200, 4, 2);
        assert_ne!(
            directory.users["user00001@sim.example.net"].settings,
            other.users["user00001@sim.example.net"].settings
        );
    }
}
