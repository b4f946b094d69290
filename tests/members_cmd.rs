//! Hunt group and call center membership (API.md §15) end to end against the simulator: 60
//! users of three groups, two hunt groups and one call center per group. Adds and removals
//! (a user in two lists) → exact state and order, results per user and step, one read and
//! one write per list; rollback exact, keeping another admin's later edits; the same under
//! faults and each §15 switch; a kill and `--resume`; refusals; export round trip.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use sleipnir::sim::{
    AgentRows, AgentsOmitted, FaultConfig, HuntGroupRead, MemberVariant, SimConfig, Simulator,
    SkillPut, Variant, call_center_id, group_id, hunt_group_id, user_id,
};

use crate::support::{read_on as read, results, run_on as run, workdir};

const USERS: usize = 60;
const GROUPS: usize = 3;
const LICENCE: &str = "Call Center - Premium";

fn sim(faults: FaultConfig, members: MemberVariant) -> Simulator {
    Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            hunt_groups: 2,
            call_centers: 1,
            faults,
            variant: Variant {
                members,
                ..Variant::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// The users of group `g`, in id order.
fn members(g: usize) -> Vec<usize> {
    (1..=USERS).filter(|n| (n - 1) % GROUPS + 1 == g).collect()
}

/// Agent lists as user numbers → ids.
fn ids(users: &[usize]) -> Vec<String> {
    users.iter().map(|n| user_id(*n)).collect()
}

fn agents(sim: &Simulator, list: &str) -> Vec<String> {
    sim.agents(list)
        .expect("list")
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// Per group (members m): hunt group 1 (`Sales`) gains m5, m6 (by name), m7 and loses m1;
/// hunt group 2 (`Support`) gains m5 (a user in two lists) and m8 and loses m2 (by name);
/// the call center (`Billing`) gains m9 (by name) and m10 (their licence assigned in the
/// same row) and loses m0.
fn sheet(dir: &Path) -> String {
    let mut rows: BTreeMap<usize, [String; 5]> = BTreeMap::new();
    for g in 1..=GROUPS {
        let m = members(g);
        let (hg1, hg2, cc) = (
            hunt_group_id(1, g),
            hunt_group_id(2, g),
            call_center_id(1, g),
        );
        let mut row = |n: usize, col: usize, value: &str| {
            let cells = rows.entry(n).or_default();
            cells[col] = match cells[col].is_empty() {
                true => value.to_string(),
                false => format!("{};{value}", cells[col]),
            };
        };
        row(m[5], 0, &hg1);
        row(m[6], 0, "Sales");
        row(m[7], 0, &hg1);
        row(m[1], 1, &hg1);
        row(m[5], 0, &hg2);
        row(m[8], 0, &hg2);
        row(m[2], 1, "Support");
        row(m[9], 2, "Billing");
        row(m[10], 2, &cc);
        for i in [9, 10] {
            row(m[i], 4, LICENCE);
        }
        row(m[0], 3, &cc);
    }
    let mut text = String::from(
        "userId,huntGroups.add,huntGroups.remove,callCenters.add,callCenters.remove,services.assign\n",
    );
    for (n, cells) in rows {
        text.push_str(&format!("{},{}\n", user_id(n), cells.join(",")));
    }
    std::fs::write(dir.join("members.csv"), text).expect("sheet");
    "members.csv".into()
}

fn expected(g: usize) -> [(String, Vec<String>); 3] {
    let m = members(g);
    [
        (hunt_group_id(1, g), ids(&[m[0], m[2], m[5], m[6], m[7]])),
        (hunt_group_id(2, g), ids(&[m[1], m[3], m[5], m[8]])),
        (call_center_id(1, g), ids(&[m[1], m[9], m[10]])),
    ]
}

fn lists(sim: &Simulator) -> BTreeMap<String, Vec<(String, Option<u64>)>> {
    (1..=GROUPS)
        .flat_map(|g| {
            [
                hunt_group_id(1, g),
                hunt_group_id(2, g),
                call_center_id(1, g),
            ]
        })
        .map(|id| (id.clone(), sim.agents(&id).expect("list")))
        .collect()
}

fn apply_and_roll_back(faults: FaultConfig, members_variant: MemberVariant) {
    let counted = faults.fail_rate == 0.0 && faults.drop_rate == 0.0 && faults.rate_limit.is_none();
    let sim = sim(faults, members_variant);
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    let before = lists(&sim);

    let planned = read(dir, &sim, &["plan", &sheet, "--out", "p.jsonl"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let target = read(dir, &sim, &["plan", &sheet]);
    assert_eq!(target.code, 0, "{}", target.transcript());
    // Each list's members before → after.
    let m = members(1);
    let shown = |users: &[usize]| ids(users).join(", ");
    let line = format!(
        "hunt group `Sales` (`{}`): {} → {}",
        hunt_group_id(1, 1),
        shown(&[m[0], m[1], m[2]]),
        shown(&[m[0], m[2], m[5], m[6], m[7]])
    );
    assert!(target.stdout.contains(&line), "{line}\n{}", target.stdout);
    let line = format!(
        "call center `{}`: {} → {}",
        call_center_id(1, 1),
        shown(&[m[0], m[1]]),
        shown(&[m[1], m[9], m[10]])
    );
    assert!(target.stdout.contains(&line), "{line}\n{}", target.stdout);
    let json = read(dir, &sim, &["plan", &sheet, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(json["lists"].as_array().map(Vec::len), Some(GROUPS * 3));
    // The estimate: one write per list, whether the sheet names it by id or by name.
    let requests = &json["applyEstimate"]["requests"];
    assert_eq!(requests["groupWrites"], GROUPS * 3, "{requests}");
    let planning = sim.stats();
    let applied = run(
        dir,
        &sim,
        &["apply", "p.jsonl", "--out", "run", "--rate", "2000"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    for g in 1..=GROUPS {
        for (list, want) in expected(g) {
            assert_eq!(agents(&sim, &list), want, "{list}");
        }
    }
    // The call center agents kept their skill levels.
    let cc = sim.agents(&call_center_id(1, 1)).expect("cc");
    assert_eq!(
        cc[0].1,
        before[&call_center_id(1, 1)][1].1,
        "skill level kept"
    );

    // One result line per user and step.
    let lines = results(&dir.join("run"));
    let mut steps: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in &lines {
        steps
            .entry(line[1].to_string())
            .or_default()
            .push((line[2].to_string(), line[3].to_string()));
    }
    assert_eq!(
        steps[&user_id(m[9])],
        [
            ("services".to_string(), "applied".to_string()),
            ("callCenters".to_string(), "applied".to_string())
        ]
    );
    assert_eq!(
        steps[&user_id(m[5])],
        [("huntGroups".to_string(), "applied".to_string())]
    );
    for (user, steps) in &steps {
        assert!(
            steps.iter().all(|(_, status)| status == "applied"),
            "{user}: {steps:?}"
        );
    }

    // Each list: one read and one write (a call center losing an agent while its agents
    // have skill levels: two writes, see `operation::members`); each group's listings once,
    // where names resolve.
    if counted {
        let stats = sim.stats();
        for g in 1..=GROUPS {
            let group = group_id(g);
            let count = |method: &str, path: &str| {
                let path = format!("/api/v2{path}");
                stats.count_for_group(method, &path, &group)
                    - planning.count_for_group(method, &path, &group)
            };
            let sent = (
                count("GET", "/groups/hunt-groups"),
                count("PUT", "/groups/hunt-groups"),
                count("GET", "/groups/call-centers"),
                count("GET", "/groups/call-centers/agents"),
                count("PUT", "/groups/call-centers/agents"),
            );
            // Hunt groups: the listing and each list once; call centers: the listing, the
            // list.
            assert_eq!(sent, (1 + 2, 2, 1, 1, 2), "{group}");
        }
        // No user's record is read for its membership (its group is known from placement);
        // the six that get a licence read their services.
        let users = |method: &str, path: &str| {
            let path = format!("/api/v2{path}");
            let count = |s: &sleipnir::sim::StatsReport| -> u64 {
                s.requests
                    .iter()
                    .filter(|r| r.method == method && r.path == path)
                    .map(|r| r.count)
                    .sum()
            };
            count(&stats) - count(&planning)
        };
        // (Placing the users: the first one's record names the enterprise, whose listing
        // places them all.)
        assert_eq!(users("GET", "/users"), 2);
        assert_eq!(users("GET", "/users/services"), 6);
    }

    // Another admin adds an agent and changes a setting between the run and its rollback.
    let hg1 = hunt_group_id(1, 1);
    let mut edited = sim.agents(&hg1).expect("hg");
    edited.push((user_id(m[15]), None));
    assert!(sim.edit_service(&hg1, edited, Some(("noAnswerNumberOfRings", json!(7)))));

    let rolled = run(
        dir,
        &sim,
        &["rollback", "run", "--out", "undo", "--rate", "2000"],
    );
    assert_eq!(rolled.code, 0, "{}", rolled.transcript());
    let mut want = before.clone();
    if let Some(list) = want.get_mut(&hg1) {
        list.push((user_id(m[15]), None));
    }
    assert_eq!(lists(&sim), want, "rolled back, the later edit kept");
    assert_eq!(
        sim.service_setting(&hg1, "noAnswerNumberOfRings"),
        Some(json!(7))
    );
}

#[test]
fn membership_applies_in_one_read_and_one_write_per_list_and_rolls_back() {
    apply_and_roll_back(FaultConfig::default(), MemberVariant::default());
}

#[test]
fn membership_holds_under_503s_dropped_connections_and_429s() {
    let faults = FaultConfig {
        fail_rate: 0.1,
        drop_rate: 0.05,
        rate_limit: Some(400),
        ..FaultConfig::default()
    };
    apply_and_roll_back(faults, MemberVariant::default());
}

#[test]
fn membership_holds_under_each_unknown_of_api_15() {
    let variants = [
        MemberVariant {
            hunt_group_read: HuntGroupRead::Array,
            ..MemberVariant::default()
        },
        MemberVariant {
            hunt_group_agents: AgentRows::Ids,
            ..MemberVariant::default()
        },
        MemberVariant {
            skill_put: SkillPut::Merge,
            ..MemberVariant::default()
        },
        MemberVariant {
            agents_omitted: AgentsOmitted::Clear,
            ..MemberVariant::default()
        },
    ];
    for variant in variants {
        apply_and_roll_back(FaultConfig::default(), variant);
    }
}

#[test]
fn one_list_both_joined_and_left_in_a_row_is_refused_at_its_cell() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let hg = hunt_group_id(1, 1);
    std::fs::write(
        dir.join("bad.csv"),
        format!(
            "userId,huntGroups.add,huntGroups.remove\n{},{hg},{hg}\n",
            user_id(4)
        ),
    )
    .expect("sheet");
    // Offline: refused at its cell without a target.
    let planned = crate::support::sleipnir_in(dir, &["plan", "bad.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let said = format!(
        "hunt group `{hg}` is both added and removed for user `{}`",
        user_id(4)
    );
    assert!(
        planned.stderr.contains(&said) && planned.stderr.contains("row 2"),
        "{}",
        planned.transcript()
    );
    let applied = run(dir, &sim, &["apply", "bad.csv", "--out", "run"]);
    assert_eq!(applied.code, 2, "{}", applied.transcript());
    assert_eq!(crate::support::puts(&sim.stats()), 0);
}

#[test]
fn unknown_foreign_and_ambiguous_names_are_refused_at_their_cells_with_nothing_sent() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    assert!(sim.rename_service(&hunt_group_id(2, 1), "Sales"));
    let work = workdir();
    let dir = work.path();
    let m = members(1);
    std::fs::write(
        dir.join("bad.csv"),
        format!(
            "userId,huntGroups.add,callCenters.remove\n{},Sales,\n{},Nope,\n{},,{}\n",
            user_id(m[4]),
            user_id(m[5]),
            user_id(m[6]),
            call_center_id(1, 2)
        ),
    )
    .expect("sheet");
    let planned = read(dir, &sim, &["plan", "bad.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let said = &planned.stderr;
    for wanted in [
        format!(
            "`huntGroups.add`: 2 hunt groups of group `grp01` are named `Sales`: `{}`, `{}`",
            hunt_group_id(1, 1),
            hunt_group_id(2, 1)
        ),
        "group `grp01` has no hunt group named `Nope`; its hunt groups are `Sales`, `Sales`"
            .to_string(),
        format!(
            "`callCenters.remove`: `{}` is not a call center of group `grp01`",
            call_center_id(1, 2)
        ),
        "row 2".to_string(),
        "row 4".to_string(),
    ] {
        assert!(said.contains(&wanted), "{wanted}\n{}", planned.transcript());
    }
    let applied = run(dir, &sim, &["apply", "bad.csv", "--out", "run"]);
    assert_ne!(applied.code, 0, "{}", applied.transcript());
    let lines = results(&dir.join("run"));
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_eq!(&line[3], "failed", "{line:?}");
        assert!(
            line.iter().any(|cell| cell.contains("not sent")),
            "{line:?}"
        );
    }
    assert_eq!(crate::support::puts(&sim.stats()), 0);
}

#[test]
fn a_membership_run_killed_and_resumed_ends_exact_and_rolls_back_exactly() {
    let faults = FaultConfig {
        latency: std::time::Duration::from_millis(25),
        ..FaultConfig::default()
    };
    let sim = sim(faults, MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    let before = lists(&sim);
    let target = sim.base_url();
    let mut killed = 0;
    for delay in crate::support::kill_moments(0x5eed_0026, 4, 100, 400) {
        let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
        killed += usize::from(crate::support::kill_after(dir, &args, delay));
    }
    assert!(killed > 0, "no attempt was cut short");
    let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let last = crate::support::sleipnir_env(dir, &args, &crate::support::LOGIN);
    assert_eq!(last.code, 0, "{}", last.transcript());
    for g in 1..=GROUPS {
        for (list, want) in expected(g) {
            assert_eq!(agents(&sim, &list), want, "{list}");
        }
    }
    // One line per user and step: per group 9 users join or leave, two of them with their
    // licence first (the services step).
    let lines = results(&dir.join("run"));
    let mut seen = std::collections::BTreeSet::new();
    for line in &lines {
        assert!(
            seen.insert((line[1].to_string(), line[2].to_string())),
            "{line:?} twice"
        );
    }
    assert_eq!(lines.len(), GROUPS * (9 + 2));

    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    assert_eq!(lists(&sim), before);
}

/// An export of the membership columns plans back to nothing, reading each group's lists
/// once; an edited cell then plans one change.
#[test]
fn an_export_of_memberships_plans_back_to_nothing() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let exported = read(
        dir,
        &sim,
        &[
            "export",
            "--service-provider",
            sleipnir::sim::SERVICE_PROVIDER,
            "--columns",
            "huntGroups.add,callCenters.add",
            "--out",
            "exp.csv",
        ],
    );
    assert_eq!(exported.code, 0, "{}", exported.transcript());
    let stats = sim.stats();
    for g in 1..=GROUPS {
        let group = group_id(g);
        let count = |path: &str| stats.count_for_group("GET", &format!("/api/v2{path}"), &group);
        // The listing and each of the two hunt groups; the call center listing and its list.
        assert_eq!(count("/groups/hunt-groups"), 3, "{group}");
        assert_eq!(count("/groups/call-centers"), 1, "{group}");
        assert_eq!(count("/groups/call-centers/agents"), 1, "{group}");
    }
    let text = std::fs::read_to_string(dir.join("exp.csv")).expect("export");
    let m = members(1);
    // The group's second user is an agent of both hunt groups and the call center.
    let both = format!(
        "{},ent.sim,grp01,{};{},{}",
        user_id(m[1]),
        hunt_group_id(1, 1),
        hunt_group_id(2, 1),
        call_center_id(1, 1)
    );
    assert!(text.contains(&both), "{text}");
    let planned = read(dir, &sim, &["plan", "exp.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned.stdout.contains("0 users to change"),
        "{}",
        planned.stdout
    );
    let edited = text.replace(
        &both,
        &both.replace(&format!("{};", hunt_group_id(1, 1)), ""),
    );
    std::fs::write(dir.join("exp.csv"), edited).expect("edited");
    let planned = read(dir, &sim, &["plan", "exp.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned.stdout.contains("0 users to change"),
        "a cell that names fewer lists leaves nobody: {}",
        planned.stdout
    );
}

/// With a breaker (`--max-failures`), a slow start sends a list's members in several
/// writes: each starts from the list as the one before left it, so none is lost.
#[test]
fn a_list_written_in_several_chunks_loses_no_member() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    let args = [
        "apply",
        &sheet,
        "--out",
        "run",
        "--max-failures",
        "50",
        "--concurrency",
        "1",
    ];
    let applied = run(dir, &sim, &args);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    for g in 1..=GROUPS {
        for (list, want) in expected(g) {
            assert_eq!(agents(&sim, &list), want, "{list}");
        }
    }
    let puts = sim
        .stats()
        .count_for_group("PUT", "/api/v2/groups/hunt-groups", &group_id(1));
    assert!(puts > 2, "the lists went in several writes: {puts}");
}

/// Without bulk writes (`--no-bulk-writes`) a list is still written once, by its group's one
/// writer: users' own writes of one list would undo each other.
#[test]
fn without_bulk_writes_each_list_is_still_written_once() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    let applied = run(
        dir,
        &sim,
        &["apply", &sheet, "--out", "run", "--no-bulk-writes"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    for g in 1..=GROUPS {
        for (list, want) in expected(g) {
            assert_eq!(agents(&sim, &list), want, "{list}");
        }
        let count = |path: &str| {
            sim.stats()
                .count_for_group("PUT", &format!("/api/v2{path}"), &group_id(g))
        };
        assert_eq!(count("/groups/hunt-groups"), 2, "one write per hunt group");
    }
}

/// A reviewed plan (its before-values read by `plan --target`) applies over another admin's
/// later edit of a list: an agent put first moves every position, which is no drift.
#[test]
fn a_reviewed_plan_applies_over_a_later_edit_of_the_list() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    let planned = read(dir, &sim, &["plan", &sheet, "--out", "p.jsonl"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let m = members(1);
    let hg1 = hunt_group_id(1, 1);
    let mut edited = sim.agents(&hg1).expect("hg");
    edited.insert(0, (user_id(m[15]), None));
    assert!(sim.edit_service(&hg1, edited, None));
    let applied = run(dir, &sim, &["apply", "p.jsonl", "--out", "run"]);
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let mut want = expected(1)[0].1.clone();
    want.insert(0, user_id(m[15]));
    assert_eq!(agents(&sim, &hg1), want);
}

/// A small sheet (too few users to place by the enterprise's listing): the users' records,
/// read to check their cells, place them, and their list is still written once, with both.
#[test]
fn two_rows_of_a_small_sheet_join_one_list_in_one_write() {
    let sim = sim(FaultConfig::default(), MemberVariant::default());
    let work = workdir();
    let dir = work.path();
    let m = members(1);
    std::fs::write(
        dir.join("two.csv"),
        format!(
            "userId,huntGroups.add\n{},Sales\n{},Sales\n",
            user_id(m[10]),
            user_id(m[11])
        ),
    )
    .expect("sheet");
    let applied = run(
        dir,
        &sim,
        &["apply", "two.csv", "--out", "run", "--concurrency", "4"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let mut want = ids(&[m[0], m[1], m[2]]);
    want.extend(ids(&[m[10], m[11]]));
    assert_eq!(agents(&sim, &hunt_group_id(1, 1)), want);
    let stats = sim.stats();
    let count = |method: &str| stats.count_for_group(method, "/api/v2/groups/hunt-groups", "grp01");
    assert_eq!(
        (count("GET"), count("PUT")),
        (2, 1),
        "the listing, the list; one write"
    );
}
