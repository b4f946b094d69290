//! Shared call appearance endpoints from a sheet (API.md §13), against the simulator: added
//! (with the service assigned in the same row for some users), removed, flags changed;
//! the state exact after apply, under faults, after rollback, compensation and a resume
//! after SIGKILL; what the reads show Odin refuses is refused unsent; an export plans back
//! to nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use sleipnir::sim::{FaultConfig, ScaDeleteStyle, SimConfig, Simulator, Variant, user_id};

use crate::support::{LOGIN, read_on, results, run_on as run, sleipnir_env, workdir};

pub(crate) const USERS: usize = 24;
const ENDPOINTS: &str = "/api/v2/users/shared-call-appearance/endpoints";
const DEVICES: &str = "/api/v2/groups/devices";
const DOMAIN: &str = "sim.example";

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).expect("written");
    name.to_string()
}

/// The group of seeded user `n` of two groups.
fn group(n: usize) -> String {
    format!("grp{:02}", (n - 1) % 2 + 1)
}

fn port(n: usize, what: &str) -> String {
    format!("u{n}_{what}@{DOMAIN}")
}

/// `user`'s endpoints: line port → the endpoint as the simulator holds it.
fn endpoints(sim: &Simulator, user: &str) -> BTreeMap<String, Value> {
    let state = sim.state(user).expect("user");
    state["settings"]["Shared Call Appearance"]["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let port = e["linePort"].as_str().unwrap_or_default().to_string();
            let mut kept = e.clone();
            if let Some(map) = kept.as_object_mut() {
                map.remove("linePort");
                map.remove("deviceType");
            }
            (port, kept)
        })
        .collect()
}

fn all_endpoints(sim: &Simulator) -> Vec<BTreeMap<String, Value>> {
    (1..=USERS).map(|n| endpoints(sim, &user_id(n))).collect()
}

fn endpoint(device: &str, flags: [bool; 3]) -> Value {
    json!({"deviceName": device, "deviceLevel": "Group", "isActive": flags[0],
           "allowOrigination": flags[1], "allowTermination": flags[2]})
}

/// The SCA services (the simulator seeds some of them, at random, for every user).
const SCA_SERVICES: &str = "Shared Call Appearance;Shared Call Appearance 5;\
    Shared Call Appearance 10;Shared Call Appearance 15;Shared Call Appearance 20;\
    Shared Call Appearance 25;Shared Call Appearance 30;Shared Call Appearance 35";

/// Users not divisible by 3 get `Shared Call Appearance 5` and a desk endpoint; the others
/// lose every SCA service.
fn setup(dir: &Path, sim: &Simulator) {
    let mut text = String::from(
        "userId,services.assign,services.unassign,sca.add[0].linePort,sca.add[0].deviceName,sca.add[0].isActive\n",
    );
    for n in 1..=USERS {
        if n % 3 == 0 {
            text.push_str(&format!("{},,{SCA_SERVICES},,,\n", user_id(n)));
            continue;
        }
        text.push_str(&format!(
            "{},Shared Call Appearance 5,,{},{}-desk1,{}\n",
            user_id(n),
            port(n, "desk"),
            group(n),
            n % 5 != 0
        ));
    }
    let sheet = write(dir, "setup.csv", &text);
    let done = run(dir, sim, &["apply", &sheet, "--out", "setup"]);
    assert_eq!(done.code, 0, "{}", done.transcript());
}

/// The sheet of the tests: every user adds a Webex endpoint (users divisible by 3 assign
/// the service in the same row); users ≡ 1 (mod 3) remove their desk endpoint; even users
/// ≡ 2 (mod 3) stop its termination.
fn sheet(dir: &Path) -> String {
    let mut text = String::from(
        "userId,services.assign,sca.add[0].linePort,sca.add[0].deviceName,sca.add[0].allowOrigination,\
         sca.add[1].linePort,sca.add[1].deviceName,sca.add[1].allowTermination,sca.remove\n",
    );
    for n in 1..=USERS {
        let assign = if n % 3 == 0 {
            "Shared Call Appearance"
        } else {
            ""
        };
        let flags = if n % 3 == 2 && n % 2 == 0 {
            format!("{},{}-desk1,false", port(n, "desk"), group(n))
        } else {
            ",,".to_string()
        };
        let remove = if n % 3 == 1 {
            port(n, "desk")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{},{assign},{},{}-webex,{},{flags},{remove}\n",
            user_id(n),
            port(n, "wbx"),
            group(n),
            n % 4 != 0,
        ));
    }
    write(dir, "sca.csv", &text)
}

/// What the sheet leaves each user with, from the endpoints before it.
fn expected(before: &[BTreeMap<String, Value>]) -> Vec<BTreeMap<String, Value>> {
    (1..=USERS)
        .map(|n| {
            let mut now = before[n - 1].clone();
            now.insert(
                port(n, "wbx"),
                endpoint(&format!("{}-webex", group(n)), [true, n % 4 != 0, true]),
            );
            if n % 3 == 1 {
                now.remove(&port(n, "desk"));
            }
            if n % 3 == 2 && n % 2 == 0 {
                now.get_mut(&port(n, "desk")).expect("desk")["allowTermination"] = json!(false);
            }
            now
        })
        .collect()
}

/// Requests `method` on the endpoint path answered 2xx.
fn sent(sim: &Simulator, method: &str, path: &str) -> u64 {
    sim.stats()
        .requests
        .iter()
        .filter(|r| r.method == method && r.path == path && r.status < 300)
        .map(|r| r.count)
        .sum()
}

fn sim(faults: FaultConfig, variant: Variant) -> Simulator {
    Simulator::start(
        SimConfig {
            users: USERS,
            groups: 2,
            faults,
            variant,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// Setup, apply the sheet, check the state, roll back, check it again (`sim` seeded with
/// [`USERS`] users in two groups).
pub(crate) fn apply_and_roll_back(sim: &Simulator, counted: bool) {
    let work = workdir();
    let dir = work.path();
    setup(dir, sim);
    let before = all_endpoints(sim);
    let services: Vec<Value> = (1..=USERS)
        .map(|n| sim.state(&user_id(n)).expect("user")["services"].clone())
        .collect();
    let sheet = sheet(dir);
    let (posts, deletes, puts) = (
        sent(sim, "POST", ENDPOINTS),
        sent(sim, "DELETE", ENDPOINTS),
        sent(sim, "PUT", ENDPOINTS),
    );
    if counted {
        // The estimate counts one write per endpoint changed: 24 added, 8 removed, 4
        // changed, and the 8 services assigned.
        let planned = read_on(dir, sim, &["plan", &sheet]);
        assert_eq!(planned.code, 0, "{}", planned.transcript());
        assert!(planned.stdout.contains(" 44 writes,"), "{}", planned.stdout);
    }
    let devices = |group: &str| sim.stats().count_for_group("GET", DEVICES, group);
    let read_before = [devices("grp01"), devices("grp02")];
    let applied = run(
        dir,
        sim,
        &["apply", &sheet, "--out", "run", "--rate", "400"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert_eq!(all_endpoints(sim), expected(&before));
    // One result line per user and step: the services step of users ≡ 0 (mod 3), and one
    // SCA step each.
    assert_eq!(results(&dir.join("run")).len(), USERS + USERS / 3);
    if counted {
        // One request per endpoint changed, and the group's devices read once per group.
        assert_eq!(sent(sim, "POST", ENDPOINTS) - posts, USERS as u64);
        assert_eq!(sent(sim, "DELETE", ENDPOINTS) - deletes, (USERS / 3) as u64);
        assert_eq!(sent(sim, "PUT", ENDPOINTS) - puts, 4);
        assert_eq!(
            [devices("grp01"), devices("grp02")],
            read_before.map(|n| n + 1)
        );
    }
    let undone = run(
        dir,
        sim,
        &["rollback", "run", "--out", "undo", "--rate", "400"],
    );
    let failed: Vec<String> = results(&dir.join("undo"))
        .iter()
        .filter(|line| &line[3] != "applied" && &line[3] != "unchanged")
        .map(|line| line.iter().collect::<Vec<_>>().join(" | "))
        .collect();
    assert_eq!(undone.code, 0, "{}\n{failed:#?}", undone.transcript());
    assert_eq!(all_endpoints(sim), before);
    for n in 1..=USERS {
        let now = sim.state(&user_id(n)).expect("user")["services"].clone();
        assert_eq!(now, services[n - 1], "user {n}");
    }
}

#[test]
fn endpoints_are_added_removed_and_changed_exactly_and_rolled_back() {
    apply_and_roll_back(&sim(FaultConfig::default(), Variant::default()), true);
}

#[test]
fn endpoints_stay_exact_under_503s_dropped_connections_and_429s() {
    let faults = FaultConfig {
        fail_rate: 0.15,
        drop_rate: 0.15,
        rate_limit: Some(30),
        ..FaultConfig::default()
    };
    let sim = sim(faults, Variant::default());
    apply_and_roll_back(&sim, false);
    let stats = sim.stats();
    assert!(
        stats.failed > 0 && stats.dropped > 0 && stats.rate_limited > 0,
        "the faults were injected: {} 503s, {} dropped, {} 429s",
        stats.failed,
        stats.dropped,
        stats.rate_limited
    );
}

#[test]
fn both_delete_styles_flat_reads_and_lists_without_flags_are_handled() {
    for style in [ScaDeleteStyle::Body, ScaDeleteStyle::Query] {
        let variant = Variant {
            sca_delete_style: style,
            ..Variant::default()
        };
        apply_and_roll_back(&sim(FaultConfig::default(), variant), true);
    }
    // A user's read answers a flat list of endpoints (newer odins_spear pages).
    let variant = Variant {
        sca_read_flat: true,
        ..Variant::default()
    };
    apply_and_roll_back(&sim(FaultConfig::default(), variant), true);
    // The list leaves the flags out: each endpoint is read on its own, so a rollback still
    // restores them (checked through the single reads' answers, as the state view hides
    // them too).
    let variant = Variant {
        sca_list_without_flags: true,
        ..Variant::default()
    };
    let sim = sim(FaultConfig::default(), variant);
    let work = workdir();
    let dir = work.path();
    setup(dir, &sim);
    let sheet = sheet(dir);
    let applied = run(dir, &sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let rollback = std::fs::read_to_string(dir.join("run/rollback.jsonl")).expect("rollback");
    // User 1's removed desk endpoint is recorded with its flags, to be added back as it was.
    assert!(
        rollback.contains(&format!(
            "\"{}\":{{\"allowOrigination\":true,\"allowTermination\":true,\"deviceLevel\":\"Group\",\"deviceName\":\"grp01-desk1\",\"isActive\":true}}",
            port(1, "desk")
        )),
        "{rollback}"
    );
    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
}

#[test]
fn a_later_step_that_fails_removes_the_endpoint_added() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    setup(dir, &sim);
    let user = user_id(1);
    let before = endpoints(&sim, &user);
    sim.refuse_settings_of(std::slice::from_ref(&user));
    // A hand-made plan: the endpoint, then settings Odin refuses.
    let plan = write(
        dir,
        "plan.jsonl",
        &format!(
            "{{\"sleipnir\":\"plan\",\"version\":1,\"source\":\"plan.jsonl\",\"sha256\":\"00\"}}\n\
             {{\"userId\":\"{user}\",\"rows\":[2],\"steps\":[\
             {{\"resource\":\"sca\",\"patch\":{{\"{}\":{{\"deviceName\":\"grp01-webex\",\"deviceLevel\":\"Group\"}},\"{}\":null}}}},\
             {{\"resource\":\"settings\",\"patch\":{{\"Do Not Disturb.isActive\":true}}}}]}}\n",
            port(1, "wbx"),
            port(1, "desk"),
        ),
    );
    let failed = run(dir, &sim, &["apply", &plan, "--out", "run"]);
    assert_eq!(failed.code, 1, "{}", failed.transcript());
    let results = std::fs::read_to_string(dir.join("run/results.csv")).expect("results");
    assert!(results.contains(",sca,compensated,"), "{results}");
    assert_eq!(endpoints(&sim, &user), before);
}

mod handover;
mod refused;
mod resume;
