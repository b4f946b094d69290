//! Numbers (API.md §12) end to end against the simulator: 60 users of three groups get new
//! numbers — half from the enterprise's pool, not yet in their group; some the group's
//! spares; some the numbers of users the same sheet moves away — and activation. State,
//! results, the group-level requests, rollback (group lists included) and refusals.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use sleipnir::sim::{
    DnsPutAnswer, FaultConfig, PhoneNotInGroup, SERVICE_PROVIDER, SPARE_POOL, SimConfig, Simulator,
    Variant, group_id, group_spares, user_id, user_number,
};

use crate::support::{read_on as read, results, run_on as run, workdir};

pub(crate) const USERS: usize = 60;
pub(crate) const GROUPS: usize = 3;

fn sim(faults: FaultConfig, variant: Variant) -> Simulator {
    Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            faults,
            variant,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// User `n`'s group number (users are dealt round robin).
fn group_of(n: usize) -> usize {
    (n - 1) % GROUPS + 1
}

/// Ten national digits.
fn digits(number: u64) -> String {
    format!("{number:010}")
}

/// The number each user is given: per group (20 users, in id order), the first 10 a number
/// of the enterprise's pool (not in the group), the next 5 the group's spares, the last 5
/// the numbers of the group's first 5 users, who move to pool numbers.
fn new_numbers() -> BTreeMap<usize, String> {
    let mut given = BTreeMap::new();
    let mut pool = SPARE_POOL;
    for g in 1..=GROUPS {
        let members: Vec<usize> = (1..=USERS).filter(|n| group_of(*n) == g).collect();
        let mut spares = group_spares(g);
        for (i, n) in members.iter().enumerate() {
            let number = match i {
                0..10 => pool.next().expect("pool"),
                10..15 => spares.next().expect("spare"),
                _ => user_number(members[i - 15]),
            };
            given.insert(*n, digits(number));
        }
    }
    given
}

fn sheet(dir: &Path, numbers: &BTreeMap<usize, String>, spelling: fn(&str) -> String) -> String {
    let mut text = String::from("userId,user.phoneNumber,user.phoneNumberActivated\n");
    for (n, number) in numbers {
        text.push_str(&format!("{},{},true\n", user_id(*n), spelling(number)));
    }
    std::fs::write(dir.join("numbers.csv"), text).expect("sheet");
    "numbers.csv".into()
}

/// Every user's new number, activated, and a Webex SCA endpoint (its service assigned in
/// the same row where the user lacks it): the whole line of a user at once.
fn line_sheet(
    dir: &Path,
    numbers: &BTreeMap<usize, String>,
    spelling: fn(&str) -> String,
) -> String {
    let mut text = String::from(
        "userId,user.phoneNumber,user.phoneNumberActivated,services.assign,\
         sca.add[0].linePort,sca.add[0].deviceName\n",
    );
    for (n, number) in numbers {
        let group = group_id(group_of(*n));
        text.push_str(&format!(
            "{},{},true,{SCA},{},{group}-webex\n",
            user_id(*n),
            spelling(number),
            webex(*n)
        ));
    }
    std::fs::write(dir.join("line.csv"), text).expect("sheet");
    "line.csv".into()
}

/// The SCA service the sheet assigns (one Webex endpoint each needs one appearance).
const SCA: &str = "Shared Call Appearance 5";

/// User `n`'s Webex line port.
fn webex(n: usize) -> String {
    format!("u{n}_webex@sim.example")
}

/// Every user's id, number and activation, assigned services and SCA endpoints, and every
/// group's list.
type Snapshot = (
    Vec<(String, Value, Value, Value)>,
    Vec<BTreeMap<String, bool>>,
);

fn snapshot(sim: &Simulator) -> Snapshot {
    let users = (1..=USERS)
        .map(|n| {
            let state = sim.state(&user_id(n)).expect("user");
            let record = &state["user"];
            let endpoints: Vec<Value> = state["settings"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(name, _)| name.starts_with("Shared Call Appearance"))
                .flat_map(|(_, doc)| doc["endpoints"].as_array().cloned().unwrap_or_default())
                .collect();
            (
                user_id(n),
                record["phoneNumber"].clone(),
                record["phoneNumberActivated"].clone(),
                serde_json::json!({"services": state["services"], "endpoints": endpoints}),
            )
        })
        .collect();
    let lists = (1..=GROUPS)
        .map(|g| sim.numbers(SERVICE_PROVIDER, &group_id(g)).list)
        .collect();
    (users, lists)
}

fn assert_applied(sim: &Simulator, numbers: &BTreeMap<usize, String>) {
    for (n, number) in numbers {
        let state = sim.state(&user_id(*n)).expect("user");
        assert_eq!(state["user"]["phoneNumber"], number.as_str(), "user {n}");
        assert_eq!(state["user"]["phoneNumberActivated"], true, "user {n}");
        let list = sim.numbers(SERVICE_PROVIDER, &group_id(group_of(*n))).list;
        assert_eq!(
            list.get(number),
            Some(&true),
            "user {n}: {number} active in its group"
        );
        let endpoints = state["settings"]["Shared Call Appearance"]["endpoints"].to_string();
        assert!(endpoints.contains(&webex(*n)), "user {n}: {endpoints}");
    }
}

fn apply_and_roll_back(faults: FaultConfig, variant: Variant, spelling: fn(&str) -> String) {
    let counted = faults.fail_rate == 0.0 && faults.drop_rate == 0.0 && faults.rate_limit.is_none();
    let put_answers_list = variant.dns_put_answer == DnsPutAnswer::List;
    let counted = counted.then_some(put_answers_list);
    apply_and_roll_back_on(&sim(faults, variant), counted, spelling);
}

/// New numbers and activation for every user of `sim` (seeded with [`USERS`] users in
/// [`GROUPS`] groups) applied and rolled back, the state checked exact after each; with
/// `counted` (whether the server's PUT answers the list), the group-level requests too.
pub(crate) fn apply_and_roll_back_on(
    sim: &Simulator,
    counted: Option<bool>,
    spelling: fn(&str) -> String,
) {
    let work = workdir();
    let dir = work.path();
    let numbers = new_numbers();
    let sheet = line_sheet(dir, &numbers, spelling);
    let before = snapshot(sim);

    let planned = read(dir, sim, &["plan", &sheet, "--out", "p.jsonl"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    // Bulk writes of at most 4 users: a group's list is one write however many users it
    // takes (the limit and the waiting limit are for batches of users).
    let small = ["--bulk-size", "4"];
    let estimated = read(
        dir,
        sim,
        &["plan", &sheet, "--format", "json", small[0], small[1]],
    );
    assert_eq!(estimated.code, 0, "{}", estimated.transcript());
    let estimated: Value = serde_json::from_str(&estimated.stdout).expect("json");
    let estimate = estimated["applyEstimate"]["requests"].clone();
    let planning = sim.stats();
    let applied = run(
        dir,
        sim,
        &[
            "apply", "p.jsonl", "--out", "run", "--rate", "2000", small[0], small[1],
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert_applied(sim, &numbers);

    // One result line per user and step: the pool numbers are added to their group first.
    let lines = results(&dir.join("run"));
    let mut steps: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in &lines {
        steps
            .entry(line[1].to_string())
            .or_default()
            .push((line[2].to_string(), line[3].to_string()));
    }
    assert_eq!(steps.len(), USERS);
    // The step order: the service the endpoint needs, the number into the group, the
    // record, the endpoint, the activation.
    let first: Vec<(&str, &str)> = steps[&user_id(1)]
        .iter()
        .map(|(step, status)| (step.as_str(), status.as_str()))
        .collect();
    assert_eq!(
        first,
        [
            ("services", "applied"),
            ("numbers", "applied"),
            ("user", "applied"),
            ("sca", "applied"),
            ("activation", "applied"),
        ],
        "user 1 takes a pool number"
    );
    for (user, steps) in &steps {
        assert!(
            steps
                .iter()
                .all(|(_, status)| status == "applied" || status == "unchanged"),
            "{user}: {steps:?}"
        );
    }

    // Without faults, each group's numbers went in one request and its activations in one,
    // with one read of its list, the arrangement's before the run: the PUT's answer (the
    // whole list) shows the activations and the numbers added before them. A server whose
    // PUT answers no list costs one read after it.
    if let Some(put_answers_list) = counted {
        let stats = sim.stats();
        let read_after = u64::from(!put_answers_list);
        for g in 1..=GROUPS {
            let group = group_id(g);
            let count = |method: &str, path: &str| {
                let path = format!("/api/v2{path}");
                stats.count_for_group(method, &path, &group)
                    - planning.count_for_group(method, &path, &group)
            };
            let sent = (
                count("GET", "/groups/dns/details"),
                count("POST", "/groups/dns"),
                count("PUT", "/groups/dns"),
                count("GET", "/groups/dns"),
            );
            assert_eq!(sent, (1 + read_after, 1, 1, 0), "{group}");
        }
        // plan --target estimated the group-level requests the apply sent.
        let summary = std::fs::read_to_string(dir.join("run/summary.json")).expect("summary");
        let summary: Value = serde_json::from_str(&summary).expect("json");
        assert_eq!(
            estimate["groupWrites"], summary["requests"]["groupWrites"],
            "{estimate}"
        );
        assert_eq!(
            estimate["groupWrites"],
            serde_json::json!(2 * GROUPS),
            "{estimate}"
        );
        if put_answers_list {
            assert_eq!(
                estimate["groupReads"], summary["requests"]["groupReads"],
                "{estimate}"
            );
        }
    }

    let undone = run(dir, sim, &["rollback", "run", "--out", "undo"]);
    let failed: Vec<String> = results(&dir.join("undo"))
        .iter()
        .filter(|l| &l[3] != "applied")
        .map(|l| format!("{} {} {}: {}", &l[1], &l[2], &l[3], &l[10]))
        .collect();
    assert_eq!(undone.code, 0, "{}\n{failed:#?}", undone.transcript());
    let after = snapshot(sim);
    assert_eq!(
        after.0, before.0,
        "every user's number and activation as before"
    );
    assert_eq!(after.1, before.1, "every group's list as before");
    let pool = sim.numbers(SERVICE_PROVIDER, &group_id(1)).pool;
    for number in SPARE_POOL {
        assert_eq!(
            pool.get(&digits(number)),
            Some(&None),
            "{number} back in no group"
        );
    }
}

#[test]
fn sixty_users_get_new_numbers_and_a_rollback_gives_the_old_ones_back() {
    apply_and_roll_back(FaultConfig::default(), Variant::default(), |n| {
        n.to_string()
    });
}

#[test]
fn numbers_in_list_spelling_against_a_server_that_adds_a_number_itself() {
    let variant = Variant {
        phone_not_in_group: PhoneNotInGroup::Add,
        ..Variant::default()
    };
    apply_and_roll_back(FaultConfig::default(), variant, |n| format!("+1-{n}"));
}

#[test]
fn an_activation_answered_without_the_list_is_judged_by_one_read() {
    let variant = Variant {
        dns_put_answer: DnsPutAnswer::Empty,
        ..Variant::default()
    };
    apply_and_roll_back(FaultConfig::default(), variant, |n| n.to_string());
}

#[test]
fn numbers_land_exactly_under_503s_dropped_connections_and_429s() {
    let faults = FaultConfig {
        fail_rate: 0.1,
        drop_rate: 0.05,
        rate_limit: Some(400),
        latency: Duration::from_millis(2),
        ..FaultConfig::default()
    };
    apply_and_roll_back(faults, Variant::default(), |n| n.to_string());
}

#[test]
fn held_foreign_unknown_and_swapped_numbers_are_refused_at_their_cells() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    // Row 2: user 1 takes user 4's number (same group), and user 4 stays: held.
    // Row 3: user 2 takes a spare of another group: in group grp01, not grp02.
    // Row 4: user 5 takes a number the enterprise does not have.
    // Rows 5–6: users 3 and 6 swap: a cycle.
    // Row 7: user 8 takes a pool number: fine.
    let text = format!(
        "userId,user.phoneNumber\n{},{}\n{},{}\n{},5559999999\n{},{}\n{},{}\n{},{}\n",
        user_id(1),
        digits(user_number(4)),
        user_id(2),
        digits(group_spares(1).start),
        user_id(5),
        user_id(3),
        digits(user_number(6)),
        user_id(6),
        digits(user_number(3)),
        user_id(8),
        digits(SPARE_POOL.start),
    );
    std::fs::write(dir.join("bad.csv"), text).expect("sheet");
    let before = snapshot(&sim);

    let planned = read(dir, &sim, &["plan", "bad.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let said = planned.stderr.clone();
    for expected in [
        "row 2, column B".to_string(),
        format!("held by `{}`", user_id(4)),
        "row 3, column B".to_string(),
        "in group `grp01`".to_string(),
        "row 4, column B".to_string(),
        "not among the enterprise's numbers".to_string(),
        "cycle of swaps".to_string(),
    ] {
        assert!(said.contains(&expected), "{expected}: {said}");
    }
    assert!(!said.contains("row 7"), "{said}");

    // Apply refuses the same users with nothing sent for them, and changes user 8.
    let applied = run(dir, &sim, &["apply", "bad.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let lines = results(&dir.join("run"));
    for n in [1, 2, 5, 3, 6] {
        let mine: Vec<_> = lines.iter().filter(|l| l[1] == *user_id(n)).collect();
        assert!(!mine.is_empty(), "user {n}");
        assert_eq!(&mine[0][3], "failed", "user {n}: {mine:?}");
        assert!(mine[0][10].starts_with("not sent: "), "user {n}: {mine:?}");
    }
    let after = snapshot(&sim);
    for n in [1, 2, 5, 3, 6] {
        assert_eq!(after.0[n - 1], before.0[n - 1], "user {n} untouched");
    }
    let eight = sim.state(&user_id(8)).expect("user");
    assert_eq!(
        eight["user"]["phoneNumber"],
        digits(SPARE_POOL.start).as_str()
    );
}

/// A run killed (SIGKILL) at seeded moments and resumed each time ends with every number
/// given and activated, and its rollback gives the lists back as they were.
#[test]
fn a_numbers_run_killed_and_resumed_ends_exact_and_rolls_back_exactly() {
    let faults = FaultConfig {
        latency: Duration::from_millis(25),
        ..FaultConfig::default()
    };
    let sim = sim(faults, Variant::default());
    let work = workdir();
    let dir = work.path();
    let numbers = new_numbers();
    let sheet = line_sheet(dir, &numbers, |n| n.to_string());
    let before = snapshot(&sim);
    let target = sim.base_url();
    let mut killed = 0;
    for delay in crate::support::kill_moments(0x5eed_0025, 4, 150, 500) {
        let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
        killed += usize::from(crate::support::kill_after(dir, &args, delay));
    }
    assert!(killed > 0, "no attempt was cut short");
    let args = crate::support::resumable_apply(dir, &sheet, &target, 4);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let last = crate::support::sleipnir_env(dir, &args, &crate::support::LOGIN);
    assert_eq!(last.code, 0, "{}", last.transcript());
    assert_applied(&sim, &numbers);
    let lines = results(&dir.join("run"));
    let steps: usize = lines.len();
    // services (assigned or already there), numbers, user, sca, activation.
    assert_eq!(steps, USERS * 5, "one line per user and step");

    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    let after = snapshot(&sim);
    assert_eq!(after.0, before.0);
    assert_eq!(after.1, before.1);
}

/// An export of the number columns plans back to nothing, then plans the edit.
#[test]
fn an_export_of_numbers_plans_back_to_nothing() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let columns = "user.phoneNumber,user.phoneNumberActivated,user.extension";
    let exported = read(
        dir,
        &sim,
        &[
            "export",
            "--service-provider",
            SERVICE_PROVIDER,
            "--columns",
            columns,
            "--out",
            "exp.csv",
        ],
    );
    assert_eq!(exported.code, 0, "{}", exported.transcript());
    let planned = read(dir, &sim, &["plan", "exp.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned
            .stdout
            .contains("0 users to change (0 fields), 60 already as planned"),
        "{}",
        planned.stdout
    );
    // An edited activation is one change of the group's list.
    let text = std::fs::read_to_string(dir.join("exp.csv")).expect("export");
    let one = format!(
        "{},ent.sim,grp01,{},true,",
        user_id(1),
        digits(user_number(1))
    );
    assert!(text.contains(&one), "{text}");
    let edited = text.replace(&one, &one.replace(",true,", ",false,"));
    std::fs::write(dir.join("exp.csv"), edited).expect("edited");
    let planned = read(dir, &sim, &["plan", "exp.csv"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned.stdout.contains("1 users to change") || planned.stdout.contains("1 user to change"),
        "{}",
        planned.stdout
    );
    assert!(planned.stdout.contains("activation"), "{}", planned.stdout);
}

/// An extension another user of the group holds, whom the sheet does not move, is refused
/// at its cell naming the holder, by plan --target and by apply (nothing sent for the user).
#[test]
fn an_extension_held_in_the_group_is_refused_naming_its_holder() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    let held = sim.state(&user_id(7)).expect("user")["user"]["extension"].clone();
    let held = held.as_str().expect("an extension").to_string();
    let mut text = String::from("userId,user.extension\n");
    text.push_str(&format!("{},{held}\n", user_id(1)));
    text.push_str(&format!("{},7777\n", user_id(4)));
    for n in [10, 13, 16] {
        text.push_str(&format!("{},{}\n", user_id(n), 7000 + n));
    }
    std::fs::write(dir.join("ext.csv"), text).expect("sheet");
    let before = sim.state(&user_id(1)).expect("user")["user"]["extension"].clone();

    let planned = read(dir, &sim, &["plan", "ext.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let expected = "row 2, column B";
    assert!(planned.stderr.contains(expected), "{}", planned.stderr);
    assert!(
        planned
            .stderr
            .contains(&format!("held by `{}`", user_id(7))),
        "{}",
        planned.stderr
    );

    let applied = run(dir, &sim, &["apply", "ext.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let lines = results(&dir.join("run"));
    let one: Vec<_> = lines.iter().filter(|l| l[1] == *user_id(1)).collect();
    assert_eq!(&one[0][3], "failed", "{one:?}");
    assert!(
        one[0][10].contains(&format!("held by `{}`", user_id(7))),
        "{one:?}"
    );
    assert_eq!(
        sim.state(&user_id(1)).expect("user")["user"]["extension"],
        before
    );
    assert_eq!(
        sim.state(&user_id(4)).expect("user")["user"]["extension"],
        "7777"
    );
}

/// A small sheet without group columns is checked all the same (its users' records say
/// their groups), and a cell that is not a phone number is refused at its cell.
#[test]
fn a_small_sheet_is_checked_and_rubbish_numbers_are_refused() {
    let sim = sim(FaultConfig::default(), Variant::default());
    let work = workdir();
    let dir = work.path();
    // Spelled as a list spells it (not digits alone): the refusal still names its cell.
    let text = format!(
        "userId,user.phoneNumber\n{},+1-{}\n",
        user_id(2),
        digits(user_number(5))
    );
    std::fs::write(dir.join("held.csv"), text).expect("sheet");
    let planned = read(dir, &sim, &["plan", "held.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    assert!(
        planned.stderr.contains("row 2, column B"),
        "{}",
        planned.stderr
    );
    assert!(
        planned
            .stderr
            .contains(&format!("held by `{}`", user_id(5))),
        "{}",
        planned.stderr
    );
    let applied = run(dir, &sim, &["apply", "held.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let lines = results(&dir.join("run"));
    assert!(lines[0][10].starts_with("not sent: "), "{lines:?}");
    assert_eq!(
        sim.stats().count_for_group("PUT", "/api/v2/users", "grp02"),
        0
    );

    let text = format!(
        "userId,user.phoneNumber\n{},555-CALL-NOW\n{},+1 (555) 300-0002\n",
        user_id(1),
        user_id(4)
    );
    std::fs::write(dir.join("rubbish.csv"), text).expect("sheet");
    let planned = crate::support::sleipnir_in(dir, &["plan", "rubbish.csv"]);
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    assert!(
        planned.stderr.contains("row 2, column B"),
        "{}",
        planned.stderr
    );
    assert!(
        planned.stderr.contains("is not a phone number"),
        "{}",
        planned.stderr
    );
    assert!(!planned.stderr.contains("row 3"), "{}", planned.stderr);
}

/// A server that answers the group's `POST /groups/dns` 200 without adding the numbers: the
/// users' records are refused (the number is not in the group), and the read of the list
/// after it shows the numbers missing: their `numbers` lines say `failed`, never `applied`.
#[test]
fn numbers_answered_2xx_that_did_not_land_are_failed_not_applied() {
    let faults = FaultConfig {
        dns_adds_lost: true,
        ..FaultConfig::default()
    };
    let sim = sim(faults, Variant::default());
    let work = workdir();
    let dir = work.path();
    let members: Vec<usize> = (1..=USERS).filter(|n| group_of(*n) == 1).take(5).collect();
    let numbers: BTreeMap<usize, String> = members
        .iter()
        .zip(SPARE_POOL)
        .map(|(n, number)| (*n, digits(number)))
        .collect();
    let sheet = sheet(dir, &numbers, |n| n.to_string());
    let before = snapshot(&sim);
    let applied = run(dir, &sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let lines = results(&dir.join("run"));
    for n in &members {
        let mine: Vec<(String, String, String)> = lines
            .iter()
            .filter(|l| l[1] == *user_id(*n))
            .map(|l| (l[2].to_string(), l[3].to_string(), l[10].to_string()))
            .collect();
        assert_eq!(mine.len(), 3, "user {n}: {mine:?}");
        assert_eq!(
            (mine[0].0.as_str(), mine[0].1.as_str()),
            ("numbers", "failed"),
            "user {n}: {mine:?}"
        );
        assert!(mine[0].2.contains("does not show it"), "user {n}: {mine:?}");
        assert!(mine.iter().all(|l| l.1 != "applied"), "user {n}: {mine:?}");
    }
    // One POST for the group, taken on its 2xx; no PUT (no user holds its number).
    let stats = sim.stats();
    assert_eq!(
        stats.count_for_group("POST", "/api/v2/groups/dns", "grp01"),
        1
    );
    assert_eq!(
        stats.count_for_group("PUT", "/api/v2/groups/dns", "grp01"),
        0
    );
    assert_eq!(snapshot(&sim), before, "nothing changed");
}
