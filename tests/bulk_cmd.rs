//! Bulk writes end to end (API.md §10): three groups of 40 users given one identical change
//! (a Call Forwarding Always field and a Call Recording field) plus a per-user extension,
//! some users without Call Recording, under 429s, 503s and dropped connections, against
//! both answers Odin may give to a bulk write some listed users cannot take.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sleipnir::sim::{
    BulkWritePartial, FaultConfig, SERVICE_PROVIDER, SimConfig, Simulator, StatsReport, Variant,
    group_id, user_id,
};

use crate::support::{results, run_on as run, workdir};

const USERS: usize = 120;
const GROUPS: usize = 3;
/// Call Recording unassigned before the run: the group read says so, and these users are
/// not written at all (Odin refuses settings of a service not assigned: `skipped`, unsent).
const UNASSIGNED: [usize; 3] = [5, 6, 9];
/// Call Recording unassigned by someone else after its group was read and before the bulk
/// write: listed in the bulk write, which cannot give it the change.
const RACED: usize = 4;

const CFA: &str = "Call Forwarding Always";
const CR: &str = "Call Recording";

fn group_of(n: usize) -> String {
    group_id((n - 1) % GROUPS + 1)
}

/// The sheet: per-user extensions, the same two settings for everyone; with or without the
/// users' groups.
fn sheet(dir: &Path, with_groups: bool) -> &'static str {
    let mut text = String::from("userId,");
    if with_groups {
        text.push_str("user.serviceProviderId,user.groupId,");
    }
    text.push_str(&format!(
        "user.extension,settings.{CFA}.isRingSplashActive,settings.{CR}.recordingOption\n"
    ));
    for n in 1..=USERS {
        text.push_str(&user_id(n));
        text.push(',');
        if with_groups {
            text.push_str(&format!("{SERVICE_PROVIDER},{},", group_of(n)));
        }
        text.push_str(&format!("{},true,Always\n", 7000 + n));
    }
    std::fs::write(dir.join("bulk.csv"), text).expect("sheet");
    "bulk.csv"
}

fn state(sim: &Simulator, n: usize) -> Value {
    sim.state(&user_id(n)).expect("user")
}

/// What this test changes or could lose: the extension and both services' settings.
fn watched(state: &Value) -> Value {
    json!({
        "extension": state["user"]["extension"],
        "cfa": state["settings"][CFA],
        "cr": state["settings"][CR],
    })
}

/// Requests answered `status` to `method` on paths ending with `suffix`.
fn answered(stats: &StatsReport, method: &str, suffix: &str, status: u16) -> u64 {
    stats
        .requests
        .iter()
        .filter(|r| r.method == method && r.status == status && r.path.ends_with(suffix))
        .map(|r| r.count)
        .sum()
}

fn sent(stats: &StatsReport, method: &str, suffix: &str) -> u64 {
    stats
        .requests
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .map(|r| r.count)
        .sum()
}

fn summary(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("json")
}

/// Unassign Call Recording from `users` with sleipnir itself.
fn unassign(sim: &Simulator, dir: &Path, users: &[usize]) {
    let mut text = String::from("userId,services.unassign\n");
    for n in users {
        text.push_str(&format!("{},{CR}\n", user_id(*n)));
    }
    std::fs::write(dir.join("unassign.csv"), text).expect("sheet");
    let done = run(dir, sim, &["apply", "unassign.csv", "--out", "unassign"]);
    assert_eq!(done.code, 0, "{}", done.transcript());
}

/// Another admin: once group 1's Call Recording has been read, unassign it from [`RACED`];
/// whether that came before any Call Recording bulk write.
fn race(sim: &Simulator) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while sent(&sim.stats(), "GET", "/users/call-recording/bulk") == 0 {
        assert!(Instant::now() < deadline, "the group was never read");
        std::thread::sleep(Duration::from_millis(1));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    sleipnir::odin::install_crypto();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let token = crate::sim_support::login(&client, sim).await;
        let response = client
            .put(format!("{}/users/services", sim.base_url()))
            .bearer_auth(token)
            .json(&json!({
                "userId": user_id(RACED),
                "userServices": [{"serviceName": CR, "assigned": false}],
            }))
            .send()
            .await
            .expect("answered");
        assert!(response.status().is_success(), "{}", response.status());
    });
    sent(&sim.stats(), "PUT", "/users/call-recording/bulk") == 0
}

fn simulator(partial: BulkWritePartial, faults: FaultConfig) -> Simulator {
    Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            seed: 17,
            token_ttl: Duration::from_secs(2),
            faults,
            variant: Variant {
                bulk_write_partial: partial,
                ..Variant::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

fn hostile() -> FaultConfig {
    FaultConfig {
        fail_rate: 0.05,
        drop_rate: 0.05,
        rate_limit: Some(120),
        ..FaultConfig::default()
    }
}

/// The users that cannot take the change.
fn refused() -> BTreeSet<String> {
    UNASSIGNED
        .iter()
        .chain([&RACED])
        .map(|n| user_id(*n))
        .collect()
}

fn bulk_apply_under(partial: BulkWritePartial) {
    let sim = simulator(partial, hostile());
    let work = workdir();
    let dir = work.path();
    unassign(&sim, dir, &UNASSIGNED);
    let file = sheet(dir, true);
    let before: Vec<Value> = (1..=USERS).map(|n| watched(&state(&sim, n))).collect();
    // A rate that leaves the racer time between group 1's read and its bulk write: its 40
    // extension writes come first.
    let (in_time, done) = std::thread::scope(|scope| {
        let racer = scope.spawn(|| race(&sim));
        let done = run(
            dir,
            &sim,
            &[
                "apply",
                file,
                "--out",
                "run",
                "--rate",
                "60",
                "--retries",
                "8",
            ],
        );
        (racer.join().expect("racer"), done)
    });
    assert!(
        in_time,
        "the racer came after the bulk write; slow the run down"
    );
    assert_eq!(done.code, 1, "{}", done.transcript());

    // State exact: everyone else has every change; those that could not take it have none.
    for n in 1..=USERS {
        let now = state(&sim, n);
        let id = user_id(n);
        if refused().contains(&id) {
            let mut expected = before[n - 1].clone();
            expected["cr"] = Value::Null;
            let mut seen = watched(&now);
            seen["cr"] = Value::Null;
            assert_eq!(seen, expected, "{id} was changed");
        } else {
            assert_eq!(
                now["user"]["extension"],
                json!(format!("{}", 7000 + n)),
                "{id}"
            );
            assert_eq!(
                now["settings"][CFA]["isRingSplashActive"],
                json!(true),
                "{id}"
            );
            assert_eq!(
                now["settings"][CR]["recordingOption"],
                json!("Always"),
                "{id}"
            );
        }
    }

    // Results: one line per user and step; the failures name exactly those users.
    let lines = results(&dir.join("run"));
    assert_eq!(lines.len(), USERS * 2, "{}", done.transcript());
    let failed: BTreeSet<String> = lines
        .iter()
        .filter(|l| &l[3] == "failed")
        .map(|l| l[1].to_string())
        .collect();
    assert_eq!(
        failed,
        BTreeSet::from([user_id(RACED)]),
        "{}",
        done.transcript()
    );
    let unassigned: BTreeSet<String> = UNASSIGNED.iter().map(|n| user_id(*n)).collect();
    for line in &lines {
        let expected = match (&line[1], &line[2]) {
            (user, _) if unassigned.contains(user) => "skipped",
            (user, "settings") if *user == user_id(RACED) => "failed",
            (user, _) if *user == user_id(RACED) => "compensated",
            _ => "applied",
        };
        assert_eq!(&line[3], expected, "{line:?}");
        if &line[2] == "settings" && &line[3] == "failed" {
            assert!(line[10].contains(CR), "its own error: {line:?}");
        }
    }
    let bulk_applied = lines
        .iter()
        .filter(|l| l[10].starts_with("written by a bulk write"))
        .count();
    let stats = sim.stats();
    // Every group's Call Forwarding Always went in one bulk write; Call Recording's too,
    // but for group 1's under `fail`, refused whole for the raced user.
    let listed_in_group_1 = (1..=USERS)
        .filter(|n| group_of(*n) == group_id(1) && !UNASSIGNED.contains(n))
        .count() as u64;
    let per_user_settings = answered(&stats, "PUT", "/users/services/settings", 200);
    match partial {
        BulkWritePartial::Fail => {
            // Refused whole, group 1's chunk was sent again in halves until the half with
            // the raced user was too small to be worth a bulk write: only that half's users
            // were written one by one.
            let refused = answered(&stats, "PUT", "/users/call-recording/bulk", 400);
            assert!((2..=4).contains(&refused), "{refused} refused");
            assert!(answered(&stats, "PUT", "/users/call-recording/bulk", 200) >= 4);
            assert!((4..=8).contains(&per_user_settings), "{per_user_settings}");
            let alone = USERS - 4 - bulk_applied;
            assert!((4..=8).contains(&alone), "{alone} of {listed_in_group_1}");
        }
        BulkWritePartial::Skip => {
            assert_eq!(
                answered(&stats, "PUT", "/users/call-recording/bulk", 400),
                0
            );
            assert!(answered(&stats, "PUT", "/users/call-recording/bulk", 200) >= 3);
            // The refused users were written one by one and refused; what they took of the
            // bulk writes was undone: the raced user's Call Forwarding Always.
            assert_eq!(per_user_settings, 1);
            assert_eq!(bulk_applied, USERS - 4);
        }
    }
    assert!(answered(&stats, "PUT", "/users/call-forwarding-always/bulk", 200) >= 3);
    assert_eq!(
        sent(&stats, "PUT", "/users/bulk"),
        0,
        "extensions differ per user"
    );
    let run_summary = summary(&dir.join("run"));
    assert!(run_summary["requests"]["bulkWrites"].as_u64() >= Some(5));

    // A second apply changes nothing: no bulk write, and no write at all (the users without
    // Call Recording, the raced one now too, are skipped unsent).
    let writes_before = sent(&sim.stats(), "PUT", "");
    let again = run(dir, &sim, &["apply", file, "--out", "again"]);
    assert_eq!(again.code, 1, "{}", again.transcript());
    let stats = sim.stats();
    assert_eq!(
        sent(&stats, "PUT", "/bulk"),
        sent(&sim.stats(), "PUT", "/bulk"),
    );
    let again_lines = results(&dir.join("again"));
    for line in &again_lines {
        if !refused().contains(&line[1]) {
            assert_eq!(&line[3], "unchanged", "{line:?}");
        }
    }
    let bulk_after_first = answered(&stats, "PUT", "/users/call-forwarding-always/bulk", 200)
        + answered(&stats, "PUT", "/users/call-recording/bulk", 200);
    let second_summary = summary(&dir.join("again"));
    assert_eq!(second_summary["requests"]["bulkWrites"], json!(0));
    let writes = sent(&stats, "PUT", "") - writes_before;
    assert_eq!(writes, 0, "{}", again.transcript());
    for line in again_lines.iter().filter(|l| refused().contains(&l[1])) {
        assert_eq!(&line[3], "skipped", "{line:?}");
    }
    let _ = bulk_after_first;

    // Rollback restores exactly what the first run changed. The raced user's rollback entry
    // (recorded before its first write) would restore its Call Recording too, which the
    // racer unassigned since: that field is kept (`drifted`), nothing refused is sent.
    let back = run(dir, &sim, &["rollback", "run", "--out", "back"]);
    assert_eq!(back.code, 1, "{}", back.transcript());
    let back_lines = results(&dir.join("back"));
    assert!(
        back_lines.iter().all(|l| &l[3] != "failed"),
        "{}",
        back.transcript()
    );
    let drifted: Vec<&csv::StringRecord> =
        back_lines.iter().filter(|l| &l[3] == "drifted").collect();
    assert_eq!(drifted.len(), 1, "{drifted:?}");
    assert_eq!(
        (&drifted[0][1], &drifted[0][2]),
        (user_id(RACED).as_str(), "settings")
    );
    assert!(
        drifted[0][10].contains(&format!(
            "settings `{CR}.recordingOption` was \"Always\" after the run"
        )),
        "{drifted:?}"
    );
    for n in 1..=USERS {
        let mut now = watched(&state(&sim, n));
        let mut then = before[n - 1].clone();
        if n == RACED {
            now["cr"] = Value::Null;
            then["cr"] = Value::Null;
        }
        assert_eq!(now, then, "{} after rollback", user_id(n));
    }
}

#[test]
fn a_bulk_write_some_users_cannot_take_fails_whole() {
    bulk_apply_under(BulkWritePartial::Fail);
}

#[test]
fn a_bulk_write_some_users_cannot_take_skips_them() {
    bulk_apply_under(BulkWritePartial::Skip);
}

/// A sheet of user ids only, on a fault-free server: the enterprise listing places the
/// users, and the requests sent are exactly the group reads, the per-user writes of the
/// per-user field, and per group two bulk writes with their two verifying reads.
#[test]
fn user_ids_only_are_placed_and_the_requests_are_counted() {
    let sim = simulator(BulkWritePartial::Fail, FaultConfig::default());
    let work = workdir();
    let dir = work.path();
    let file = sheet(dir, false);
    // Planned against a twin simulator (same seed, same users), so the counts below are
    // the apply's alone.
    let twin = simulator(BulkWritePartial::Fail, FaultConfig::default());
    let target = twin.base_url();
    let planned = crate::support::sleipnir_env(
        dir,
        &["plan", file, "--target", &target, "--format", "json"],
        &crate::support::LOGIN,
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let planned: Value = serde_json::from_str(&planned.stdout).expect("json");
    let estimate = planned["applyEstimate"].clone();
    let done = run(dir, &sim, &["apply", file, "--out", "run"]);
    assert_eq!(done.code, 0, "{}", done.transcript());
    let run_summary = summary(&dir.join("run"));
    // plan --target estimated exactly what the apply sent (no faults, everyone took it).
    assert_eq!(
        estimate["total"], run_summary["requests"]["requests"],
        "{estimate}"
    );
    for kind in ["groupReads", "userReads", "writes", "bulkWrites", "logins"] {
        assert_eq!(
            estimate["requests"][kind], run_summary["requests"][kind],
            "{kind}"
        );
    }
    let stats = sim.stats();
    assert_eq!(stats.total, 144 + GROUPS as u64);
    // Placing: the first user's record, then the enterprise listing; before the run, one
    // listing per group says who holds the extensions the sheet gives; then the group reads.
    assert_eq!(
        answered(&stats, "GET", "/users", 200),
        1 + 1 + 2 * GROUPS as u64
    );
    for slug in ["call-forwarding-always", "call-recording"] {
        let path = format!("/users/{slug}/bulk");
        // One read per group for the before-state, one to verify.
        assert_eq!(sent(&stats, "GET", &path), 2 * GROUPS as u64, "{path}");
        assert_eq!(sent(&stats, "PUT", &path), GROUPS as u64, "{path}");
    }
    assert_eq!(sent(&stats, "PUT", "/users/services/settings"), 0);
    assert_eq!(sent(&stats, "PUT", "/users"), USERS as u64);
    let run_summary = summary(&dir.join("run"));
    assert_eq!(run_summary["requests"]["bulkWrites"], json!(2 * GROUPS));
    assert_eq!(run_summary["requests"]["writes"], json!(USERS));
    assert_eq!(run_summary["requests"]["userReads"], json!(1));
    for n in 1..=USERS {
        let now = state(&sim, n);
        assert_eq!(now["settings"][CR]["recordingOption"], json!("Always"));
        assert_eq!(now["settings"][CFA]["isRingSplashActive"], json!(true));
    }
    // A second apply sends no write, bulk or not (token refreshes aside).
    let writes = |stats: &StatsReport| sent(stats, "PUT", "") - sent(stats, "PUT", "/auth/token");
    let before_again = writes(&sim.stats());
    let again = run(dir, &sim, &["apply", file, "--out", "again"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(writes(&sim.stats()), before_again);
    let rollback = run(dir, &sim, &["rollback", "run", "--out", "back"]);
    assert_eq!(rollback.code, 0, "{}", rollback.transcript());
    let back = summary(&dir.join("back"));
    assert_eq!(back["requests"]["bulkWrites"], json!(2 * GROUPS), "{back}");
}

/// `--no-bulk-writes` writes every user on its own; a server without bulk writes (405)
/// gets per-user writes after one refused request per target, and one warning.
#[test]
fn without_bulk_writes_every_user_is_written_alone() {
    let sim = simulator(BulkWritePartial::Fail, FaultConfig::default());
    let work = workdir();
    let dir = work.path();
    let file = sheet(dir, true);
    let done = run(
        dir,
        &sim,
        &["apply", file, "--out", "run", "--no-bulk-writes"],
    );
    assert_eq!(done.code, 0, "{}", done.transcript());
    let stats = sim.stats();
    assert_eq!(sent(&stats, "PUT", "/bulk"), 0);
    assert_eq!(
        sent(&stats, "PUT", "/users/services/settings"),
        USERS as u64
    );

    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            faults: FaultConfig {
                no_bulk_writes: true,
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let done = run(dir, &sim, &["apply", file, "--out", "unserved"]);
    assert_eq!(done.code, 0, "{}", done.transcript());
    let stats = sim.stats();
    // The first chunk of each target learns it is not served; later ones are not sent.
    assert!(answered(&stats, "PUT", "/bulk", 405) <= 2 * GROUPS as u64);
    assert_eq!(
        answered(&stats, "PUT", "/users/services/settings", 200),
        USERS as u64
    );
    assert!(
        done.stderr.contains("is not served by this Odin"),
        "{}",
        done.transcript()
    );
}

/// A user whose later step fails has its bulk-written step undone on its own: the time zone
/// goes to every user of each group in one bulk write, Call Recording fails for the users
/// whose settings Odin refuses (by a rule no read shows), and their time zone is written
/// back (compensation stays per user).
#[test]
fn a_later_failure_undoes_a_bulk_written_step_of_that_user() {
    let sim = simulator(BulkWritePartial::Skip, FaultConfig::default());
    let work = workdir();
    let dir = work.path();
    let refused: Vec<String> = UNASSIGNED.iter().map(|n| user_id(*n)).collect();
    sim.refuse_settings_of(&refused);
    let mut text = format!("userId,user.timeZone,settings.{CR}.recordingOption\n");
    for n in 1..=USERS {
        text.push_str(&format!("{},Pacific/Auckland,Always\n", user_id(n)));
    }
    std::fs::write(dir.join("zone.csv"), text).expect("sheet");
    let zones: Vec<Value> = (1..=USERS)
        .map(|n| state(&sim, n)["user"]["timeZone"].clone())
        .collect();
    let done = run(dir, &sim, &["apply", "zone.csv", "--out", "run"]);
    assert_eq!(done.code, 1, "{}", done.transcript());
    let stats = sim.stats();
    // Per group one bulk write of the time zone and one of Call Recording.
    assert_eq!(answered(&stats, "PUT", "/users/bulk", 200), GROUPS as u64);
    assert_eq!(
        answered(&stats, "PUT", "/users/call-recording/bulk", 200),
        GROUPS as u64
    );
    for line in results(&dir.join("run")) {
        let n: usize = line[1][4..9].parse().expect("user number");
        let expected = match (UNASSIGNED.contains(&n), &line[2]) {
            (true, "user") => "compensated",
            (true, _) => "failed",
            (false, _) => "applied",
        };
        assert_eq!(&line[3], expected, "{line:?}");
    }
    for n in 1..=USERS {
        let zone = &state(&sim, n)["user"]["timeZone"];
        if UNASSIGNED.contains(&n) {
            assert_eq!(zone, &zones[n - 1], "user {n} keeps its time zone");
        } else {
            assert_eq!(zone, &json!("Pacific/Auckland"), "user {n}");
        }
    }
}

/// A batch goes before its first member's group read is older than
/// `--group-read-max-age`: users whose earlier steps take long are not written from an old
/// before-state (their rollback entries hold it), even if the batch is not complete.
#[test]
fn a_batch_goes_before_its_reads_grow_old() {
    let sim = Simulator::start(
        SimConfig {
            users: 40,
            groups: 1,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let mut text = format!("userId,user.extension,settings.{CR}.recordingOption\n");
    for n in 1..=40 {
        text.push_str(&format!("{},{},Always\n", user_id(n), 6000 + n));
    }
    std::fs::write(dir.join("slow.csv"), text).expect("sheet");
    // 40 extension writes at 10/s take 4 s; a read stands for 1.5 s.
    let done = run(
        dir,
        &sim,
        &[
            "apply",
            "slow.csv",
            "--out",
            "run",
            "--rate",
            "10",
            "--group-read-max-age",
            "1.5",
        ],
    );
    assert_eq!(done.code, 0, "{}", done.transcript());
    let stats = sim.stats();
    assert!(
        sent(&stats, "PUT", "/users/call-recording/bulk") >= 2,
        "{:?}",
        stats.requests
    );
    for n in 1..=40 {
        assert_eq!(
            state(&sim, n)["settings"][CR]["recordingOption"],
            json!("Always")
        );
    }
    assert!(results(&dir.join("run")).iter().all(|l| &l[3] == "applied"));
}

/// `plan --target` warns about users whose settings change a service they do not have: the
/// group read shows it, and Odin would refuse those steps.
#[test]
fn plan_warns_about_users_without_the_service() {
    let sim = simulator(BulkWritePartial::Fail, FaultConfig::default());
    let work = workdir();
    let dir = work.path();
    unassign(&sim, dir, &UNASSIGNED);
    let file = sheet(dir, false);
    let target = sim.base_url();
    let planned = crate::support::sleipnir_env(
        dir,
        &["plan", file, "--target", &target],
        &crate::support::LOGIN,
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned
            .stderr
            .contains("3 users without `Call Recording` assigned (user00005@sim.example.net"),
        "{}",
        planned.transcript()
    );
    assert!(!planned.stderr.contains(CFA), "{}", planned.transcript());
}
