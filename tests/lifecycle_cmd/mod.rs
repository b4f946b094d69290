//! Creating and deleting users (API.md §14) end to end against the simulator: an onboarding
//! sheet of new users with numbers, services, settings and passwords (half generated), an
//! offboarding sheet with `--allow-delete`, their rollbacks, resume after a kill, and the
//! refusals made before anything is sent.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use sleipnir::sim::{
    FaultConfig, SERVICE_PROVIDER, SPARE_POOL, SimConfig, Simulator, Variant, call_center_id,
    group_id, hunt_group_id, user_id,
};

use crate::support::{results, run_on as run, workdir};

/// New users of the onboarding sheet, in two groups.
const NEW: usize = 100;
const GROUPS: usize = 2;

fn sim(users: usize, faults: FaultConfig, members: usize) -> Simulator {
    sim_with(users, faults, members, Variant::default())
}

fn sim_with(users: usize, faults: FaultConfig, members: usize, variant: Variant) -> Simulator {
    Simulator::start(
        SimConfig {
            users,
            groups: GROUPS,
            faults,
            variant,
            hunt_groups: members,
            call_centers: usize::from(members > 0),
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

fn new_id(n: usize) -> String {
    format!("new{n:03}@sim.example.net")
}

/// New user `n`'s group (1-based, alternating).
fn new_group(n: usize) -> usize {
    (n - 1) % GROUPS + 1
}

/// New user `n`'s number: from the enterprise's pool, in no group yet.
fn new_number(n: usize) -> String {
    format!("{:010}", SPARE_POOL.start + n as u64)
}

fn new_extension(n: usize) -> String {
    format!("7{n:03}")
}

/// Odd users get a password of the sheet's, even ones `<generate>`.
fn password(n: usize) -> String {
    match n % 2 {
        0 => "<generate>".into(),
        _ => format!("Onboard-{n}-Pass"),
    }
}

fn onboarding_sheet(dir: &Path) -> String {
    onboarding_sheet_with(dir, password)
}

/// The onboarding sheet with each user's password cell from `password`.
fn onboarding_sheet_with(dir: &Path, password: fn(usize) -> String) -> String {
    let mut text = String::from(
        "userId,Action,user.serviceProviderId,user.groupId,user.firstName,user.lastName,\
         user.callingLineIdFirstName,user.callingLineIdLastName,credentials.webPassword,\
         user.phoneNumber,user.extension,services.assign,\
         settings.Call Forwarding Always.isActive,huntGroups.add,callCenters.add\n",
    );
    for n in 1..=NEW {
        let g = new_group(n);
        // Hunt group 1 by its name, hunt group 2 by its id; the call center by its name,
        // its licence assigned in the same row.
        text.push_str(&format!(
            "{},create,{SERVICE_PROVIDER},{},First{n},Last{n},F{n},L{n},{},{},{},\
             Call Forwarding Always;{LICENCE},true,Sales;{},Billing\n",
            new_id(n),
            group_id(g),
            password(n),
            new_number(n),
            new_extension(n),
            hunt_group_id(2, g),
        ));
    }
    std::fs::write(dir.join("onboard.csv"), text).expect("sheet");
    "onboard.csv".into()
}

/// The call center licence the onboarding assigns (call center 1 is of type `Premium`).
const LICENCE: &str = "Call Center - Premium";

/// Every hunt group's and call center's agents, in order, with skill levels.
fn agent_lists(sim: &Simulator) -> Vec<Vec<(String, Option<u64>)>> {
    (1..=GROUPS)
        .flat_map(|g| {
            [
                hunt_group_id(1, g),
                hunt_group_id(2, g),
                call_center_id(1, g),
            ]
        })
        .map(|id| sim.agents(&id).unwrap_or_default())
        .collect()
}

/// The agent lists after the onboarding: each list as before, then the group's new users
/// in row order.
fn onboarded_lists(before: &[Vec<(String, Option<u64>)>]) -> Vec<Vec<(String, Option<u64>)>> {
    before
        .iter()
        .enumerate()
        .map(|(i, list)| {
            let g = i / 3 + 1;
            let mut list = list.clone();
            list.extend(
                (1..=NEW)
                    .filter(|n| new_group(*n) == g)
                    .map(|n| (new_id(n), None)),
            );
            list
        })
        .collect()
}

/// Every new user's existence, record fields, services and setting of the sheet, and each
/// group's number list.
fn assert_onboarded(sim: &Simulator) {
    for n in 1..=NEW {
        let id = new_id(n);
        let state = sim.state(&id).unwrap_or_else(|| panic!("{id} created"));
        let record = &state["user"];
        assert_eq!(record["firstName"], format!("First{n}"), "{id}");
        assert_eq!(record["callingLineIdLastName"], format!("L{n}"), "{id}");
        assert_eq!(record["groupId"], group_id(new_group(n)), "{id}");
        assert_eq!(record["phoneNumber"], new_number(n), "{id}");
        assert_eq!(record["extension"], new_extension(n), "{id}");
        let assigned = state["services"]["userServices"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["serviceName"] == "Call Forwarding Always" && s["assigned"] == true);
        assert!(assigned, "{id}: service assigned");
        assert_eq!(
            state["settings"]["Call Forwarding Always"]["isActive"], true,
            "{id}"
        );
        let credentials = sim.credentials(&id).expect("credentials");
        if n % 2 == 1 {
            assert_eq!(
                credentials.web_password.as_deref(),
                Some(password(n).as_str())
            );
        }
    }
}

type Lists = Vec<BTreeMap<String, bool>>;

fn lists(sim: &Simulator) -> Lists {
    (1..=GROUPS)
        .map(|g| sim.numbers(SERVICE_PROVIDER, &group_id(g)).list)
        .collect()
}

fn onboard_and_roll_back(faults: FaultConfig) {
    onboard_and_roll_back_on(sim(6, faults.clone(), 2), &faults);
}

fn onboard_and_roll_back_on(sim: Simulator, faults: &FaultConfig) {
    let counted = faults.fail_rate == 0.0 && faults.drop_rate == 0.0;
    let work = workdir();
    let dir = work.path();
    let sheet = onboarding_sheet(dir);
    let before = lists(&sim);
    let agents = agent_lists(&sim);
    let applied = run(
        dir,
        &sim,
        &["apply", &sheet, "--out", "run", "--rate", "2000"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert_onboarded(&sim);
    assert_eq!(
        agent_lists(&sim),
        onboarded_lists(&agents),
        "new agents appended"
    );
    let lines = results(&dir.join("run"));
    // account, services, numbers, user, settings, credentials, hunt groups, call centers.
    assert_eq!(lines.len(), NEW * STEPS, "one line per user and step");
    assert!(
        lines.iter().all(|l| &l[3] == "applied"),
        "{:?}",
        lines.iter().find(|l| &l[3] != "applied")
    );
    let generated = std::fs::read_to_string(dir.join("run/credentials.csv")).expect("csv");
    assert_eq!(generated.lines().count(), 1 + NEW / 2, "{generated}");
    if counted {
        let stats = sim.stats();
        assert_eq!(stats.count("POST", "/api/v2/users"), NEW as u64);
        // The web password goes with the create: no second write of it.
        assert_eq!(stats.count("PUT", "/api/v2/users/passwords"), 0);
        // Each list: read once, written once, for all its group's new users.
        for g in 1..=GROUPS {
            let group = group_id(g);
            let count = |method, path| stats.count_for_group(method, path, &group);
            assert_eq!(
                count("GET", "/api/v2/groups/hunt-groups"),
                1 + 2,
                "listing + 2 lists"
            );
            assert_eq!(count("PUT", "/api/v2/groups/hunt-groups"), 2, "{group}");
            assert_eq!(count("GET", "/api/v2/groups/call-centers"), 1, "{group}");
            assert_eq!(
                count("GET", "/api/v2/groups/call-centers/agents"),
                1,
                "{group}"
            );
            assert_eq!(
                count("PUT", "/api/v2/groups/call-centers/agents"),
                1,
                "{group}"
            );
        }
    }
    // Another admin adds an agent of the group to a hunt group between the run and its
    // rollback.
    let edited = hunt_group_id(2, 1);
    let mut list = sim.agents(&edited).expect("hunt group");
    assert!(!list.iter().any(|(id, _)| *id == user_id(1)));
    list.insert(0, (user_id(1), None));
    assert!(sim.edit_service(&edited, list, None));

    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    for n in 1..=NEW {
        assert!(!sim.has_user(&new_id(n)), "{} deleted", new_id(n));
    }
    assert_eq!(
        lists(&sim),
        before,
        "the numbers added left the groups again"
    );
    let mut expected = agents.clone();
    expected[1].insert(0, (user_id(1), None));
    assert_eq!(
        agent_lists(&sim),
        expected,
        "lists as before, the other edit kept"
    );
}

/// The steps of each onboarded user.
const STEPS: usize = 8;

#[test]
fn an_onboarding_sheet_creates_its_users_and_its_rollback_deletes_them() {
    onboard_and_roll_back(FaultConfig::default());
}

#[test]
fn an_onboarding_sheet_is_exact_under_faults() {
    onboard_and_roll_back(FaultConfig {
        fail_rate: 0.1,
        drop_rate: 0.05,
        rate_limit: Some(400),
        latency: Duration::from_millis(2),
        ..FaultConfig::default()
    });
}

/// Whichever way Odin answers the unknowns of API.md §14 — a read of an unknown user 400
/// with BroadWorks' text, a delete of one 200, a create with a number given an extension
/// of its own — and with answers lost, the run and its rollback are the same.
#[test]
fn an_onboarding_is_exact_whatever_odin_answers_the_unknowns() {
    let mut variant = Variant::default();
    variant.members.unknown_user_read = sleipnir::sim::UnknownUserRead::BadRequest;
    variant.members.delete_unknown = sleipnir::sim::DeleteUnknown::Ok;
    variant.members.create_extension = sleipnir::sim::CreateExtension::FromNumber;
    let faults = FaultConfig {
        drop_rate: 0.05,
        ..FaultConfig::default()
    };
    onboard_and_roll_back_on(sim_with(6, faults.clone(), 2, variant), &faults);
}

/// Under the other answers to API.md's unknowns — nested writes merged, an expired token
/// answered 401 (tokens living 2 s), error texts in `details`, bulk writes skipping users —
/// the onboarding and its rollback are exact too.
#[test]
fn an_onboarding_is_exact_under_the_other_answers_to_odins_unknowns() {
    let variant = Variant {
        nested_writes: sleipnir::sim::NestedWrites::Merge,
        expired_token_status: sleipnir::sim::ExpiredTokenStatus::Unauthorized,
        error_body: sleipnir::sim::ErrorBody::Details,
        bulk_write_partial: sleipnir::sim::BulkWritePartial::Skip,
        ..Variant::default()
    };
    let sim = Simulator::start(
        SimConfig {
            users: 6,
            groups: GROUPS,
            variant,
            token_ttl: Duration::from_secs(2),
            hunt_groups: 2,
            call_centers: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    onboard_and_roll_back_on(sim, &FaultConfig::default());
}

#[test]
fn an_onboarding_killed_at_any_moment_resumes_exactly() {
    let faults = FaultConfig {
        latency: Duration::from_millis(20),
        ..FaultConfig::default()
    };
    let sim = sim(4, faults, 2);
    let work = workdir();
    let dir = work.path();
    let agents = agent_lists(&sim);
    // Half the passwords generated: a resumed attempt sends the values the earlier ones
    // generated, which are the ones in the run's credentials.csv.
    let sheet = onboarding_sheet(dir);
    let before = lists(&sim);
    let target = sim.base_url();
    let mut killed = 0;
    for delay in crate::support::kill_moments(0x5eed_0026, 4, 150, 600) {
        let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
        killed += usize::from(crate::support::kill_after(dir, &args, delay));
    }
    assert!(killed > 0, "no attempt was cut short");
    let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let last = crate::support::sleipnir_env(dir, &args, &crate::support::LOGIN);
    assert_eq!(last.code, 0, "{}", last.transcript());
    assert_onboarded(&sim);
    let generated = std::fs::read_to_string(dir.join("run/credentials.csv")).expect("csv");
    let mut handed_out = csv::Reader::from_reader(generated.as_bytes());
    let mut count = 0;
    for record in handed_out.records() {
        let record = record.expect("a line");
        let held = sim.credentials(&record[0]).expect("the user").web_password;
        assert_eq!(
            held.as_deref(),
            Some(&record[2]),
            "{}: the value handed out",
            &record[0]
        );
        count += 1;
    }
    assert_eq!(
        count,
        NEW / 2,
        "one generated value per user, whatever the attempts"
    );
    assert_eq!(
        agent_lists(&sim),
        onboarded_lists(&agents),
        "new agents appended"
    );
    let lines = results(&dir.join("run"));
    assert_eq!(lines.len(), NEW * STEPS, "one line per user and step");
    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    for n in 1..=NEW {
        assert!(!sim.has_user(&new_id(n)), "{} deleted", new_id(n));
    }
    assert_eq!(lists(&sim), before);
    assert_eq!(agent_lists(&sim), agents);
}

mod offboard;
