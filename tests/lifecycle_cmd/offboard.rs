//! Offboarding (`action` `delete`, `--allow-delete`) and its rollback, and the refusals
//! of creates made before anything is sent.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use sleipnir::sim::{
    FaultConfig, SERVICE_PROVIDER, Simulator, call_center_id, hunt_group_id, user_id,
};

use super::{GROUPS, sim};
use crate::support::{results, run_on as run, workdir};

/// The offboarded users: the first 20 of 40 (each group's first ten).
const OFF: usize = 20;

fn offboarding_sheet(dir: &Path) -> String {
    let mut text = String::from("userId,action\n");
    for n in 1..=OFF {
        text.push_str(&format!("{},delete\n", user_id(n)));
    }
    std::fs::write(dir.join("offboard.csv"), text).expect("sheet");
    "offboard.csv".into()
}

/// What a rollback of a delete brings back of user `n`: its record's names, number and
/// extension, its services, its settings' `isActive`s, its policy; and every agent list.
type Agents = Option<Vec<(String, Option<u64>)>>;

/// The agent lists of `kept`, each sorted: who is an agent, with what skill level.
fn members_of(kept: &Kept) -> Vec<Agents> {
    let mut lists = kept.1.clone();
    for list in lists.iter_mut().flatten() {
        list.sort();
    }
    lists
}
type Kept = (Vec<Value>, Vec<Agents>);

fn kept(sim: &Simulator) -> Kept {
    let users = (1..=OFF)
        .map(|n| {
            let state = sim.state(&user_id(n)).unwrap_or_default();
            let record = &state["user"];
            let active: BTreeMap<String, Value> = state["settings"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(name, doc)| Some((name.clone(), doc.get("isActive")?.clone())))
                .collect();
            serde_json::json!({
                "names": [record["firstName"], record["lastName"], record["callingLineIdFirstName"]],
                "line": [record["phoneNumber"], record["extension"]],
                "services": state["services"],
                "active": active,
                "policy": state["policy"],
            })
        })
        .collect();
    let lists = (1..=GROUPS)
        .flat_map(|g| {
            [
                hunt_group_id(1, g),
                hunt_group_id(2, g),
                call_center_id(1, g),
            ]
            .map(|id| sim.agents(&id))
        })
        .collect();
    (users, lists)
}

#[test]
fn an_offboarding_needs_allow_delete_and_its_rollback_creates_the_users_again() {
    let sim = sim(40, FaultConfig::default(), 2);
    let work = workdir();
    let dir = work.path();
    let sheet = offboarding_sheet(dir);
    let before = kept(&sim);

    // Without the flag: refused at each row's cell, nothing planned or sent.
    let refused = crate::support::sleipnir_in(dir, &["plan", &sheet]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("row 2, column B (`action`): deleting user")
            && refused.stderr.contains("--allow-delete"),
        "{}",
        refused.stderr
    );
    let requests = sim.stats().total;
    let refused = run(dir, &sim, &["apply", &sheet, "--out", "nope"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(sim.stats().total, requests, "nothing sent");
    assert!(sim.has_user(&user_id(1)));

    // With it: the plan says what no rollback brings back, per user.
    let planned = crate::support::sleipnir_in(dir, &["plan", &sheet, "--allow-delete"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert_eq!(
        planned.stdout.matches("no rollback brings back").count(),
        OFF,
        "{}",
        planned.stdout
    );
    assert!(planned.stdout.contains("voice messages"));

    let applied = run(
        dir,
        &sim,
        &[
            "apply",
            &sheet,
            "--allow-delete",
            "--out",
            "run",
            "--rate",
            "2000",
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied.stdout.contains("DELETES 20 users"),
        "{}",
        applied.stdout
    );
    assert_offboarded(&sim);
    assert!(sim.has_user(&user_id(OFF + 1)));

    roll_back_to(dir, &sim, &before);
    // New credentials, named as such.
    let generated = std::fs::read_to_string(dir.join("undo/credentials.csv")).expect("csv");
    assert_eq!(generated.lines().count(), 1 + OFF, "{generated}");
}

/// Every offboarded user is gone.
fn assert_offboarded(sim: &Simulator) {
    for n in 1..=OFF {
        assert!(!sim.has_user(&user_id(n)), "{} deleted", user_id(n));
    }
}

/// Roll back the run in `dir/run` and check the offboarded users are back as `before` kept
/// them.
fn roll_back_to(dir: &Path, sim: &Simulator, before: &Kept) {
    let undone = run(
        dir,
        sim,
        &["rollback", "run", "--out", "undo", "--rate", "2000"],
    );
    let failed: Vec<String> = std::fs::read_to_string(dir.join("undo/results.csv"))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains(",failed,") || line.contains(",skipped,"))
        .map(str::to_string)
        .collect();
    assert_eq!(undone.code, 0, "{}\n{failed:#?}", undone.transcript());
    let after = kept(sim);
    assert_eq!(after.0, before.0, "records, services, settings, policy");
    // Every membership and skill level is back. Each deleted agent goes back next to the
    // agents its delete read beside it, which is its old place unless several agents of
    // one list were deleted and read at different moments of the run and come back in
    // separate writes (a known gap: the note of issue 26).
    assert_eq!(
        members_of(&after),
        members_of(before),
        "agent lists, skill levels"
    );
}

#[test]
fn a_create_missing_a_required_column_or_of_a_user_that_exists_is_refused() {
    let sim = sim(4, FaultConfig::default(), 0);
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("missing.csv"),
        "userId,action,user.groupId,user.firstName\nnew1@sim.example.net,create,grp01,Ann\n",
    )
    .expect("sheet");
    let refused = crate::support::sleipnir_in(dir, &["plan", "missing.csv"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("row 2, column B (`action`): creating user")
            && refused.stderr.contains("`user.serviceProviderId`")
            && refused.stderr.contains("`user.lastName`")
            && refused.stderr.contains("`credentials.webPassword`"),
        "{}",
        refused.stderr
    );
    std::fs::write(
        dir.join("exists.csv"),
        format!(
            "userId,action,user.serviceProviderId,user.groupId,user.firstName,user.lastName,\
             user.callingLineIdFirstName,user.callingLineIdLastName,credentials.webPassword\n\
             {},create,{SERVICE_PROVIDER},grp01,A,B,A,B,Some-Pass-123\n",
            user_id(1)
        ),
    )
    .expect("sheet");
    let requests = sim.stats().count("POST", "/api/v2/users");
    let offline = crate::support::sleipnir_in(dir, &["plan", "exists.csv"]);
    assert_eq!(offline.code, 0, "offline, nothing is known of who exists");
    let refused = crate::support::read_on(dir, &sim, &["plan", "exists.csv"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("row 2: user `user00001@sim.example.net` exists already"),
        "{}",
        refused.stderr
    );
    let applied = run(dir, &sim, &["apply", "exists.csv", "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    assert_eq!(
        sim.stats().count("POST", "/api/v2/users"),
        requests,
        "nothing created"
    );
    let state = sim.state(&user_id(1)).expect("user");
    assert_ne!(
        state["user"]["firstName"], "A",
        "the user that exists is not changed"
    );
}

#[test]
fn an_offboarding_killed_at_any_moment_resumes_and_rolls_back_exactly() {
    let faults = FaultConfig {
        latency: Duration::from_millis(15),
        ..FaultConfig::default()
    };
    let sim = sim(40, faults, 2);
    let work = workdir();
    let dir = work.path();
    let sheet = offboarding_sheet(dir);
    let before = kept(&sim);
    let target = sim.base_url();
    let resumable = |dir: &Path| {
        let mut args = crate::support::resumable_apply(dir, &sheet, &target, 4);
        args.push("--allow-delete".into());
        args
    };
    let mut killed = 0;
    for delay in crate::support::kill_moments(0x5eed_0260, 4, 150, 500) {
        killed += usize::from(crate::support::kill_after(dir, &resumable(dir), delay));
    }
    assert!(killed > 0, "no attempt was cut short");
    let args = resumable(dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let last = crate::support::sleipnir_env(dir, &args, &crate::support::LOGIN);
    assert_eq!(last.code, 0, "{}", last.transcript());
    assert_offboarded(&sim);
    let lines = results(&dir.join("run"));
    assert_eq!(lines.len(), OFF, "one line per user and step");
    roll_back_to(dir, &sim, &before);
}

/// Deleted under jittered latency, 503s, dropped connections and 429s, the users come back
/// with their records, services, settings, policy and every membership.
#[test]
fn an_offboarding_under_faults_rolls_back_every_user_and_membership() {
    let faults = FaultConfig {
        fail_rate: 0.1,
        drop_rate: 0.05,
        rate_limit: Some(400),
        latency: Duration::from_millis(5),
        jitter: Duration::from_millis(40),
        ..FaultConfig::default()
    };
    let sim = sim(40, faults, 2);
    let work = workdir();
    let dir = work.path();
    let sheet = offboarding_sheet(dir);
    let before = kept(&sim);
    let applied = run(
        dir,
        &sim,
        &[
            "apply",
            &sheet,
            "--allow-delete",
            "--out",
            "run",
            "--rate",
            "2000",
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert_offboarded(&sim);
    roll_back_to(dir, &sim, &before);
}

/// `plan --target` reads each created user's group once: a group Odin does not have, or a
/// web password shorter than the group's minimum, is refused at its row before anything is
/// sent.
#[test]
fn a_create_in_a_group_that_does_not_exist_or_with_a_short_password_is_refused() {
    let sim = sim(4, FaultConfig::default(), 0);
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("new.csv"),
        format!(
            "userId,action,user.serviceProviderId,user.groupId,user.firstName,user.lastName,\
             user.callingLineIdFirstName,user.callingLineIdLastName,credentials.webPassword\n\
             nowhere@sim.example.net,create,{SERVICE_PROVIDER},grp99,A,B,A,B,Long-Enough-1\n\
             short@sim.example.net,create,{SERVICE_PROVIDER},grp01,A,B,A,B,Abcdef1\n"
        ),
    )
    .expect("sheet");
    let refused = crate::support::read_on(dir, &sim, &["plan", "new.csv"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("row 2: creating user `nowhere@sim.example.net`: group `grp99`")
            && refused.stderr.contains(
                "row 3: creating user `short@sim.example.net`: its web password is shorter"
            ),
        "{}",
        refused.stderr
    );
    assert_eq!(sim.stats().count("POST", "/api/v2/users"), 0);
}

/// A mapping may name the actions in the sheet's own words (`values`), as any column's.
#[test]
fn a_mapping_names_the_actions_in_the_sheet_s_words() {
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("m.toml"),
        "user_id = \"Benutzer\"\n\n[columns]\n\
         \"Aktion\" = { field = \"action\", type = \"string\", values = { \"Neu\" = \"create\", \"Löschen\" = \"delete\" } }\n\
         \"Vorname\" = \"user.firstName\"\n",
    )
    .expect("mapping");
    std::fs::write(
        dir.join("s.csv"),
        "Benutzer,Aktion,Vorname\nweg@x.net,Löschen,\nwer@x.net,Umziehen,\nneu@x.net,Neu,A\n",
    )
    .expect("sheet");
    let planned = crate::support::sleipnir_in(
        dir,
        &["plan", "s.csv", "--mapping", "m.toml", "--allow-delete"],
    );
    assert_eq!(planned.code, 2, "{}", planned.transcript());
    let said = &planned.stderr;
    assert!(
        said.contains("row 3, column B (`Aktion`): `Umziehen` is not an action")
            && said.contains("the mapping's `Löschen`, `Neu`")
            && said.contains("row 4, column B (`Aktion`): creating user `neu@x.net` needs")
            && !said.contains("row 2"),
        "{said}"
    );
}
