//! Applying at scale: group-scale before-reads, their freshness, and what a failed read
//! leaves in the results.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use sleipnir::sim::{
    FaultConfig, SERVICE_PROVIDER, SimConfig, Simulator, StatsReport, group_id, user_id,
};

use crate::support::{LOGIN, results, run_on as run, sleipnir_env, workdir};

#[test]
fn a_user_that_cannot_be_read_records_odins_status() {
    let sim = Simulator::start(
        SimConfig {
            users: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    std::fs::write(
        dir.join("s.csv"),
        format!(
            "userId,user.extension\n{},4001\nnobody@sim.example.net,4002\n",
            user_id(1)
        ),
    )
    .expect("sheet");
    let done = run(dir, &sim, &["apply", "s.csv", "--out", "run"]);
    assert_eq!(done.code, 1, "{}", done.transcript());
    let lines = results(&dir.join("run"));
    let unknown = lines
        .iter()
        .find(|l| &l[1] == "nobody@sim.example.net")
        .expect("a line");
    assert_eq!((&unknown[3], &unknown[4]), ("failed", "404"));
    // Its read was sent: the step's attempts count it.
    assert_eq!(&unknown[5], "1");
    assert!(
        unknown[10].starts_with("reading user: HTTP 404"),
        "{:?}",
        unknown
    );
}

/// A sheet for users `1..=users` of a simulator with `groups` groups, with their service
/// provider and group: a new extension and Call Forwarding Always on to a number.
fn group_sheet(dir: &Path, users: usize, groups: usize) -> &'static str {
    let mut text = String::from(
        "userId,user.serviceProviderId,user.groupId,user.extension,\
         settings.Call Forwarding Always.isActive,settings.Call Forwarding Always.forwardToPhoneNumber\n",
    );
    for n in 1..=users {
        text.push_str(&format!(
            "{},{SERVICE_PROVIDER},{},{},true,+1555666{n:04}\n",
            user_id(n),
            group_id((n - 1) % groups + 1),
            8000 + n,
        ));
    }
    std::fs::write(dir.join("groups.csv"), text).expect("sheet");
    "groups.csv"
}

fn states(sim: &Simulator, users: usize) -> Vec<Value> {
    (1..=users)
        .map(|n| sim.state(&user_id(n)).expect("user"))
        .collect()
}

fn summary(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("json")
}

/// Answers with status 200 to `method` on paths ending with `suffix`.
fn answered(stats: &StatsReport, method: &str, suffix: &str) -> u64 {
    stats
        .requests
        .iter()
        .filter(|r| r.method == method && r.status == 200 && r.path.ends_with(suffix))
        .map(|r| r.count)
        .sum()
}

#[test]
fn seven_groups_cost_a_few_reads_each_and_one_write_per_change_and_roll_back_exactly() {
    const USERS: usize = 70;
    const GROUPS: usize = 7;
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            seed: 11,
            token_ttl: Duration::from_secs(1),
            faults: FaultConfig {
                fail_rate: 0.05,
                drop_rate: 0.05,
                rate_limit: Some(150),
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let sheet = group_sheet(dir, USERS, GROUPS);
    let before = states(&sim, USERS);
    let applied = run(
        dir,
        &sim,
        &[
            "apply",
            sheet,
            "--out",
            "run",
            "--concurrency",
            "8",
            "--rate",
            "200",
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let stats = sim.stats();
    assert!(
        stats.failed > 0 && stats.dropped > 0,
        "faults happened: {stats:?}"
    );
    // Every user's extension and forwarding change: two writes each, however many faults.
    assert_eq!(answered(&stats, "PUT", "/users"), USERS as u64);
    assert_eq!(
        answered(&stats, "PUT", "/users/services/settings"),
        USERS as u64
    );
    // Reads: the group listing and one bulk read per group, nothing per user.
    let listings = answered(&stats, "GET", "/users");
    let bulk = answered(&stats, "GET", "/call-forwarding-always/bulk");
    assert!(
        listings >= GROUPS as u64 && listings <= 2 * GROUPS as u64,
        "{listings}"
    );
    assert!(bulk >= GROUPS as u64 && bulk <= 2 * GROUPS as u64, "{bulk}");
    assert_eq!(answered(&stats, "GET", "/users/services/settings"), 0);
    let requests = &summary(&dir.join("run"))["requests"];
    assert_eq!(requests["userReads"], 0, "{requests}");
    assert!(requests["groupReads"].as_u64().expect("count") >= 2 * GROUPS as u64);
    let after = states(&sim, USERS);
    for (n, state) in after.iter().enumerate() {
        let n = n + 1;
        assert_eq!(state["user"]["extension"], (8000 + n).to_string());
        let always = &state["settings"]["Call Forwarding Always"];
        assert_eq!(always["isActive"], true);
        assert_eq!(always["forwardToPhoneNumber"], format!("+1555666{n:04}"));
    }
    // Applying it again reads per group and writes nothing.
    let again = run(
        dir,
        &sim,
        &["apply", sheet, "--out", "again", "--rate", "200"],
    );
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(summary(&dir.join("again"))["requests"]["writes"], 0);
    let undone = run(
        dir,
        &sim,
        &[
            "rollback",
            "run",
            "--out",
            "undo",
            "--concurrency",
            "8",
            "--rate",
            "200",
        ],
    );
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    assert_eq!(states(&sim, USERS), before, "rolled back exactly");
}

#[test]
fn a_group_read_older_than_the_bound_is_read_again() {
    const USERS: usize = 12;
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let sheet = group_sheet(dir, USERS, 1);
    // plan --target reads the group too: one listing, one bulk read, nothing per user.
    let target = sim.base_url();
    let planned = sleipnir_env(dir, &["plan", sheet, "--target", &target], &LOGIN);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned.stdout.contains("12 users to change"),
        "{}",
        planned.stdout
    );
    let stats = sim.stats();
    assert_eq!(answered(&stats, "GET", "/call-forwarding-always/bulk"), 1);
    assert_eq!(answered(&stats, "GET", "/users/services/settings"), 0);
    // 24 writes at 20 requests/s take over a second: a 0.2 s bound forces re-reads.
    let short = run(
        dir,
        &sim,
        &[
            "apply",
            sheet,
            "--out",
            "short",
            "--rate",
            "20",
            "--concurrency",
            "1",
            "--group-read-max-age",
            "0.2",
        ],
    );
    assert_eq!(short.code, 0, "{}", short.transcript());
    let group_reads = summary(&dir.join("short"))["requests"]["groupReads"]
        .as_u64()
        .expect("count");
    assert!(group_reads > 2, "the group was read again: {group_reads}");
    for state in states(&sim, USERS) {
        assert_eq!(
            state["settings"]["Call Forwarding Always"]["isActive"],
            true
        );
    }
    // With the default bound the same group is read once (listing + bulk), plus the
    // listing the arrangement reads before the run to learn who holds the extensions the
    // sheet gives (several users of the group get one).
    std::fs::write(
        dir.join("groups.csv"),
        std::fs::read_to_string(dir.join("groups.csv"))
            .expect("sheet")
            .replace(",true,", ",false,"),
    )
    .expect("sheet");
    let default = run(
        dir,
        &sim,
        &["apply", sheet, "--out", "default", "--concurrency", "1"],
    );
    assert_eq!(default.code, 0, "{}", default.transcript());
    assert_eq!(summary(&dir.join("default"))["requests"]["groupReads"], 3);
}

#[test]
fn a_user_changed_after_the_group_read_keeps_the_other_change() {
    const USERS: usize = 10;
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let sheet = group_sheet(dir, USERS, 1);
    let target = sim.base_url();
    let args = [
        "apply",
        sheet,
        "--out",
        "run",
        "--target",
        &target,
        "--yes",
        // 10 users × 2 writes at 5/s: seconds for the change made by hand to land first.
        "--rate",
        "5",
        "--concurrency",
        "1",
    ];
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
        .current_dir(dir)
        .args(args)
        .envs(LOGIN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("apply starts");
    // Once the group has been read, someone else renames the last user by hand.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while answered(&sim.stats(), "GET", "/call-forwarding-always/bulk") == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the group was never read"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let by_hand = dir.join("hand.csv");
    std::fs::write(
        &by_hand,
        format!(
            "userId,user.callingLineIdFirstName\n{},Grace\n",
            user_id(USERS)
        ),
    )
    .expect("sheet");
    // Made by hand, outside the run's sight: a state directory of its own (in one shared
    // with the run, the run's claim on the user would refuse it).
    let elsewhere = dir.join("elsewhere");
    let mut env = LOGIN.to_vec();
    env.push((
        crate::support::STATE_DIR_VAR,
        elsewhere.to_str().expect("UTF-8"),
    ));
    let hand = sleipnir_env(
        dir,
        &[
            "apply", "hand.csv", "--out", "hand", "--target", &target, "--yes", "--rate", "500",
        ],
        &env,
    );
    assert_eq!(hand.code, 0, "{}", hand.transcript());
    let output = child.wait_with_output().expect("apply ends");
    assert!(output.status.success());
    let last = sim.state(&user_id(USERS)).expect("user");
    // The run wrote only its own fields: the other change stands, as with a per-user read.
    assert_eq!(last["user"]["callingLineIdFirstName"], "Grace");
    assert_eq!(last["user"]["extension"], (8000 + USERS).to_string());
    assert!(
        answered(&sim.stats(), "GET", "/call-forwarding-always/bulk") >= 1
            && summary(&dir.join("run"))["requests"]["userReads"] == 0
    );
    // Rolling the run back restores its fields and leaves the other change alone.
    let undone = run(dir, &sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(undone.code, 0, "{}", undone.transcript());
    let last = sim.state(&user_id(USERS)).expect("user");
    assert_eq!(last["user"]["callingLineIdFirstName"], "Grace");
    assert_ne!(last["user"]["extension"], (8000 + USERS).to_string());
}

#[test]
fn a_server_without_bulk_reads_is_read_per_user_with_one_warning() {
    const USERS: usize = 8;
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: 1,
            faults: FaultConfig {
                no_bulk_reads: true,
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let sheet = group_sheet(dir, USERS, 1);
    let applied = run(
        dir,
        &sim,
        &["apply", sheet, "--out", "run", "--concurrency", "1"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    for (n, state) in states(&sim, USERS).iter().enumerate() {
        let n = n + 1;
        assert_eq!(state["user"]["extension"], (8000 + n).to_string());
        let always = &state["settings"]["Call Forwarding Always"];
        assert_eq!(always["forwardToPhoneNumber"], format!("+1555666{n:04}"));
    }
    let requests = &summary(&dir.join("run"))["requests"];
    // The group listing still serves the user records; the settings are read per user; one
    // listing before the run says who holds the extensions the sheet gives.
    assert_eq!(requests["userReads"], USERS as u64, "{requests}");
    assert_eq!(requests["groupReads"], 3, "{requests}");
    let log = std::fs::read_to_string(dir.join("run/run.log")).expect("run.log");
    assert_eq!(log.matches("answered 404").count(), 1, "{log}");
    assert_eq!(
        applied.stderr.matches("warning:").count(),
        1,
        "{}",
        applied.stderr
    );
    assert!(
        applied.stderr.contains("answered 404"),
        "{}",
        applied.stderr
    );
}
