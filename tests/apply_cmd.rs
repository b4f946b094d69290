//! `sleipnir apply` and `sleipnir rollback` against the in-process simulator.

use std::path::Path;

use serde_json::Value;
use sleipnir::sim::{FaultConfig, SimConfig, Simulator, user_id};

use crate::sim_support::{Odin, odin};
use crate::support::{LOGIN, results, run_on as apply, sleipnir_env, workdir};

/// A sheet of `users` users touching every resource: services assigned and unassigned, the
/// user record, the policy, and settings (some of a service the sheet itself assigns).
fn sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from(
        "userId,services.assign,services.unassign,user.extension,policy.clidPolicy,\
         settings.Call Forwarding Always.isActive,settings.Call Forwarding Always.forwardToPhoneNumber,\
         settings.Do Not Disturb.isActive,settings.Sequential Ring.ringBaseLocationFirst\n",
    );
    for n in 1..=users {
        let assign = if n % 3 == 0 { "Sequential Ring" } else { "" };
        let unassign = if n % 5 == 0 { "Call Notify" } else { "" };
        let ring_first = if n % 3 == 0 { "false" } else { "" };
        text.push_str(&format!(
            "{},{assign},{unassign},{},{},{},+1555777{n:04},{},{ring_first}\n",
            user_id(n),
            7000 + n,
            if n % 2 == 0 {
                "Use Configurable CLID"
            } else {
                "Use DN"
            },
            n % 2 == 0,
            n % 4 == 0,
        ));
    }
    let path = dir.join("sheet.csv");
    std::fs::write(&path, text).expect("sheet written");
    path.to_string_lossy().into_owned()
}

async fn states(odin: &Odin, users: usize) -> Vec<Value> {
    let mut all = Vec::new();
    for n in 1..=users {
        all.push(odin.state(&user_id(n)).await);
    }
    all
}

/// Every field and service of the plan has its planned value in the simulator.
async fn assert_as_planned(odin: &Odin, dir: &Path, sheet: &str) {
    let plan = plan_of(dir, sheet);
    for user in &plan.users {
        let state = odin.state(&user.user_id).await;
        let wrong = sleipnir::apply::verify::mismatches(user, &state);
        assert!(wrong.is_empty(), "{}: {wrong:?}", user.user_id);
    }
}

fn plan_of(dir: &Path, sheet: &str) -> sleipnir::plan::Plan {
    let out = dir.join("check.jsonl");
    let run = sleipnir_env(
        dir,
        &["plan", sheet, "--out", out.to_str().expect("path"), "-q"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    sleipnir::plan::file::read(&out).expect("plan file")
}

/// The results lines not applied or unchanged, for failure messages.
fn not_done(dir: &Path) -> Vec<String> {
    results(dir)
        .iter()
        .filter(|l| &l[3] != "applied" && &l[3] != "unchanged")
        .map(|l| l.iter().collect::<Vec<_>>().join(" | "))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_and_rollback_survive_faults() {
    const USERS: usize = 40;
    let odin = odin(SimConfig {
        users: USERS,
        token_ttl: std::time::Duration::from_secs(2),
        faults: FaultConfig {
            fail_rate: 0.05,
            // About 110 writes succeed: at 2% none was dropped in about one run in ten (the
            // fault draws depend on timing through token refreshes); at 5%, one in 300.
            drop_rate: 0.05,
            // Well under the run's --rate 80, so that 429s come even when a loaded machine
            // (the whole suite at once on 2 cores) cannot send 60 requests a second.
            rate_limit: Some(40),
            ..FaultConfig::default()
        },
        seed: 7,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, USERS);
    let before = states(&odin, USERS).await;

    let run = apply(
        dir,
        &odin.sim,
        &[
            "apply",
            &sheet,
            "--out",
            "run",
            "--rate",
            "80",
            "--concurrency",
            "8",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_as_planned(&odin, dir, &sheet).await;
    let lines = results(&dir.join("run"));
    let steps: usize = plan_of(dir, &sheet)
        .users
        .iter()
        .map(|u| u.steps.len())
        .sum();
    assert_eq!(lines.len(), steps, "one results line per user and step");
    assert!(
        lines
            .iter()
            .all(|l| &l[3] == "applied" || &l[3] == "unchanged")
    );
    let rows: Vec<usize> = lines.iter().map(|l| l[0].parse().expect("row")).collect();
    assert!(
        rows.windows(2).all(|w| w[0] <= w[1]),
        "results are sorted by row"
    );
    let stats = odin.stats().await;
    assert!(
        stats.failed > 0 && stats.dropped > 0 && stats.rate_limited > 0,
        "faults happened: {stats:?}"
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    assert!(
        summary["requests"]["refreshes"]
            .as_u64()
            .expect("refreshes")
            > 0,
        "the token expired mid-run"
    );

    // A second apply of the same sheet sends no write.
    let puts = |stats: &sleipnir::sim::StatsReport| {
        stats
            .requests
            .iter()
            .filter(|r| r.method == "PUT" && !r.path.contains("/auth/"))
            .map(|r| r.count)
            .sum::<u64>()
    };
    let writes_before = puts(&odin.stats().await);
    let again = apply(
        dir,
        &odin.sim,
        &[
            "apply",
            &sheet,
            "--out",
            "again",
            "--rate",
            "80",
            "--concurrency",
            "8",
        ],
    );
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(puts(&odin.stats().await), writes_before);
    assert!(
        results(&dir.join("again"))
            .iter()
            .all(|l| &l[3] == "unchanged")
    );

    // The rollback restores every user's four resources exactly.
    let undo = apply(
        dir,
        &odin.sim,
        &[
            "rollback",
            "run",
            "--out",
            "undo",
            "--rate",
            "80",
            "--concurrency",
            "8",
        ],
    );
    assert_eq!(
        undo.code,
        0,
        "{}\n{:?}",
        undo.transcript(),
        not_done(&dir.join("undo"))
    );
    let after = states(&odin, USERS).await;
    for (n, (a, b)) in before.iter().zip(&after).enumerate() {
        assert_eq!(a, b, "user {} is back as it was", n + 1);
    }
}

#[tokio::test]
async fn a_bad_sheet_sends_nothing() {
    let odin = odin(SimConfig {
        users: 3,
        ..SimConfig::default()
    })
    .await;
    let total = odin.stats().await.total;
    let work = workdir();
    let bad = work.path().join("bad.csv");
    std::fs::write(
        &bad,
        "userId,settings.Do Not Disturb.isActive\nuser00001@sim.example.net,maybe\n",
    )
    .expect("write");
    let run = apply(
        work.path(),
        &odin.sim,
        &["apply", bad.to_str().expect("path")],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("`maybe` is not a boolean"));
    assert_eq!(odin.stats().await.total, total);
    assert!(
        !work.path().join("runs").exists(),
        "no run directory for a run that never started"
    );
}

#[tokio::test]
async fn failures_are_results_with_odins_details_and_exit_1() {
    let odin = odin(SimConfig {
        users: 3,
        ..SimConfig::default()
    })
    .await;
    // Odin refuses user 1's settings by a rule no read shows.
    odin.sim.refuse_settings_of(&[user_id(1)]);
    let work = workdir();
    let sheet = work.path().join("s.csv");
    std::fs::write(
        &sheet,
        format!(
            "userId,user.extension,settings.Call Forwarding Always.forwardToPhoneNumber,settings.Do Not Disturb.isActive\n{},4001,+15557770001,true\n{},4002,,true\n",
            user_id(1),
            user_id(2)
        ),
    )
    .expect("write");
    let run = apply(
        work.path(),
        &odin.sim,
        &["apply", sheet.to_str().expect("path"), "--out", "run"],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    let lines = results(&work.path().join("run"));
    let line = |user: &str, resource: &str| {
        lines
            .iter()
            .find(|l| &l[1] == user && &l[2] == resource)
            .expect("line")
            .clone()
    };
    let failed = line(&user_id(1), "settings");
    assert_eq!(&failed[3], "failed");
    assert_eq!(&failed[4], "400");
    assert_eq!(
        &failed[10],
        "HTTP 400: the settings of user `user00001@sim.example.net` break a rule of this server (--refuse-settings-of)"
    );
    // Its user step was written, then undone when the settings step failed.
    assert_eq!(&line(&user_id(1), "user")[3], "compensated");
    assert_eq!(&line(&user_id(2), "settings")[3], "applied");
}

#[tokio::test]
async fn rate_limit_is_never_exceeded() {
    let odin = odin(SimConfig {
        users: 30,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 30);
    let run = apply(
        work.path(),
        &odin.sim,
        &[
            "apply",
            &sheet,
            "--rate",
            "20",
            "--concurrency",
            "16",
            "--out",
            "run",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let stats = odin.stats().await;
    assert!(
        stats.max_requests_per_second <= 22,
        "{} in one second",
        stats.max_requests_per_second
    );
}

#[tokio::test]
async fn unreachable_targets_and_refused_logins_exit_3() {
    let odin = odin(SimConfig {
        users: 1,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 1);
    let wrong = sleipnir_env(
        work.path(),
        &["apply", &sheet, "--target", &odin.sim.base_url(), "--yes"],
        &[
            ("ODIN_USERNAME", "admin@sim.example.net"),
            ("ODIN_PASSWORD", "wrong"),
        ],
    );
    assert_eq!(wrong.code, 3, "{}", wrong.transcript());
    assert_eq!(
        wrong.stderr,
        "error: login refused: invalid username or password\n"
    );
    assert!(!wrong.stderr.contains("wrong") || !wrong.stderr.contains("PASSWORD"));
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("addr").port()
    };
    let unreachable = sleipnir_env(
        work.path(),
        &[
            "apply",
            &sheet,
            "--target",
            &format!("http://127.0.0.1:{closed}/api/v2"),
            "--yes",
        ],
        &LOGIN,
    );
    assert_eq!(unreachable.code, 3, "{}", unreachable.transcript());
    assert!(
        unreachable.stderr.starts_with("error: cannot reach Odin"),
        "{}",
        unreachable.stderr
    );
}

#[test]
fn usage_errors_exit_2_before_anything_is_sent() {
    let work = workdir();
    let sheet = sheet(work.path(), 1);
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (
            &["apply", &sheet, "--target", "http://127.0.0.1:9/api/v2"],
            &LOGIN,
            "error: refusing to apply without confirmation: pass --yes when not on a terminal\n",
        ),
        (
            &[
                "apply",
                &sheet,
                "--target",
                "http://odin.example.net/api/v2",
                "--yes",
            ],
            &LOGIN,
            "error: `http://odin.example.net/api/v2` is plain http to another machine: the password would travel in clear; use https, or pass --allow-insecure-http\n",
        ),
        (
            &["apply", &sheet, "--yes"],
            &LOGIN,
            "error: no target: pass --target URL or set ODIN_URL\n",
        ),
        (
            &[
                "apply",
                &sheet,
                "--target",
                "http://127.0.0.1:9/api/v2",
                "--yes",
            ],
            &[("ODIN_USERNAME", "admin")],
            "error: set ODIN_PASSWORD to log in to Odin (it is never taken from a flag)\n",
        ),
    ];
    for (args, env, stderr) in cases {
        let run = sleipnir_env(work.path(), args, env);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert_eq!(run.stderr, stderr);
    }
}

#[test]
fn demo_applies_rolls_back_and_checks_both() {
    let work = workdir();
    let run = sleipnir_env(work.path(), &["demo", "--out", "demo", "-q"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("check: 200 of 200 users hold every value the sheet asks"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("check: all 200 users are back exactly as they were"),
        "{}",
        run.stdout
    );
    for part in ["apply", "rollback"] {
        for file in [
            "results.csv",
            "rollback.jsonl",
            "journal.jsonl",
            "summary.json",
            "run.log",
        ] {
            assert!(
                work.path().join("demo").join(part).join(file).is_file(),
                "{part}/{file}"
            );
        }
    }
}

#[tokio::test]
async fn ctrl_c_finishes_users_in_flight_and_exits_130() {
    let odin = odin(SimConfig {
        users: 30,
        faults: FaultConfig {
            latency: std::time::Duration::from_millis(100),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 30);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
        .current_dir(work.path())
        .args([
            "apply",
            &sheet,
            "--target",
            &odin.sim.base_url(),
            "--yes",
            "--out",
            "run",
            "-q",
        ])
        .args(["--rate", "1000", "--concurrency", "2"])
        .envs(LOGIN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("apply starts");
    // Wait until some user has been written, then interrupt as Ctrl-C would.
    let journal = work.path().join("run/journal.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read_to_string(&journal).map_or(true, |j| !j.contains("\"applied\"")) {
        assert!(std::time::Instant::now() < deadline, "no step was applied");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let output = child.wait_with_output().expect("apply ends");
    assert_eq!(output.status.code(), Some(130));
    // The hint continues the run itself, not a new one from failed.jsonl.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let hint = stdout
        .lines()
        .find_map(|line| line.strip_prefix("continue it with: "))
        .unwrap_or_else(|| panic!("no resume hint: {stdout}"));
    assert_eq!(
        hint,
        format!(
            "sleipnir apply {sheet} --resume run --target {}",
            odin.sim.base_url()
        )
    );
    assert!(!stdout.contains("failed.jsonl --target"), "{stdout}");
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(summary["interrupted"], true);
    let lines = results(&work.path().join("run"));
    let steps: usize = plan_of(work.path(), &sheet)
        .users
        .iter()
        .map(|u| u.steps.len())
        .sum();
    assert_eq!(
        lines.len(),
        steps,
        "every step has its line, the unstarted ones skipped"
    );
    assert!(
        lines
            .iter()
            .any(|l| &l[3] == "skipped" && l[10].contains("not started"))
    );
    assert!(lines.iter().all(|l| &l[3] != "failed"));
}

/// Have the simulator refuse the settings writes of users `from..=to` (and of no one else),
/// as Odin refuses a value by rules no read shows.
fn refuse_settings(odin: &Odin, from: usize, to: usize) {
    let users: Vec<String> = (from..=to).map(user_id).collect();
    odin.sim.refuse_settings_of(&users);
}

/// Users whose settings step fails (when refused) after their user step was written.
fn failing_sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from(
        "userId,user.extension,settings.Call Forwarding Always.forwardToPhoneNumber,settings.Do Not Disturb.isActive\n",
    );
    for n in 1..=users {
        text.push_str(&format!(
            "{},{},+1555777{n:04},true\n",
            user_id(n),
            6000 + n
        ));
    }
    let path = dir.join("failing.csv");
    std::fs::write(&path, text).expect("sheet written");
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn a_user_whose_later_step_fails_is_undone_whole() {
    let odin = odin(SimConfig {
        users: 6,
        ..SimConfig::default()
    })
    .await;
    refuse_settings(&odin, 1, 3);
    let before = states(&odin, 6).await;
    let work = workdir();
    let sheet = failing_sheet(work.path(), 6);
    let run = apply(work.path(), &odin.sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let after = states(&odin, 6).await;
    for n in 1..=3 {
        assert_eq!(
            before[n - 1],
            after[n - 1],
            "user {n} ends exactly as before"
        );
    }
    for n in 4..=6 {
        assert_eq!(after[n - 1]["user"]["extension"], format!("{}", 6000 + n));
    }
    let lines = results(&work.path().join("run"));
    let status = |n: usize, resource: &str| {
        lines
            .iter()
            .find(|l| l[1] == user_id(n) && &l[2] == resource)
            .map(|l| l[3].to_string())
    };
    assert_eq!(status(1, "user").as_deref(), Some("compensated"));
    assert_eq!(status(1, "settings").as_deref(), Some("failed"));
    assert_eq!(status(4, "user").as_deref(), Some("applied"));
    let failed =
        sleipnir::plan::file::read(&work.path().join("run/failed.jsonl")).expect("failed.jsonl");
    let ids: Vec<&str> = failed.users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    assert!(
        failed.users.iter().all(|u| u.steps.len() == 2),
        "the undone step is to be redone too"
    );

    // With --no-compensate the written step stays.
    let kept = apply(
        work.path(),
        &odin.sim,
        &["apply", &sheet, "--out", "kept", "--no-compensate"],
    );
    assert_eq!(kept.code, 1, "{}", kept.transcript());
    assert_eq!(odin.state(&user_id(1)).await["user"]["extension"], "6001");
}

#[tokio::test]
async fn the_breaker_stops_new_users_and_failed_jsonl_finishes_the_job() {
    const USERS: usize = 30;
    let odin = odin(SimConfig {
        users: USERS,
        ..SimConfig::default()
    })
    .await;
    refuse_settings(&odin, 1, USERS);
    let work = workdir();
    let sheet = failing_sheet(work.path(), USERS);
    let run = apply(
        work.path(),
        &odin.sim,
        &[
            "apply",
            &sheet,
            "--out",
            "run",
            "--max-failures",
            "5",
            "--concurrency",
            "1",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("stopped (5 users failed (--max-failures 5))"),
        "{}",
        run.stdout
    );
    let lines = results(&work.path().join("run"));
    let failed_users: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter(|l| &l[3] == "failed")
        .map(|l| &l[1])
        .collect();
    assert_eq!(failed_users.len(), 5);
    let skipped_users = lines
        .iter()
        .filter(|l| &l[3] == "skipped" && l[10].contains("not started"))
        .count();
    assert_eq!(skipped_users, (USERS - 5) * 2);

    // Fix the cause, then feed failed.jsonl back in: every user ends as the sheet asks.
    odin.sim.refuse_settings_of(&[]);
    let retry = apply(
        work.path(),
        &odin.sim,
        &[
            "apply",
            "run/failed.jsonl",
            "--out",
            "retry",
            "--concurrency",
            "4",
        ],
    );
    assert_eq!(retry.code, 0, "{}", retry.transcript());
    assert_as_planned(&odin, work.path(), &sheet).await;
}

#[tokio::test]
async fn a_reviewed_plan_skips_users_changed_since_and_force_writes_them() {
    const USERS: usize = 8;
    let odin = odin(SimConfig {
        users: USERS,
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, USERS);
    let target = odin.sim.base_url();
    let planned = sleipnir_env(
        dir,
        &[
            "plan",
            &sheet,
            "--target",
            &target,
            "--rate",
            "500",
            "--out",
            "reviewed.jsonl",
        ],
        &LOGIN,
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    assert!(
        planned
            .stdout
            .starts_with(&format!("plan for `{sheet}` against {target}"))
    );
    assert!(
        planned
            .stdout
            .contains(&format!("~ {} (row 2)", user_id(1))),
        "{}",
        planned.stdout
    );
    assert!(
        planned
            .stdout
            .contains(&format!("extension: \"{}\" → \"7001\"", 1001)),
        "{}",
        planned.stdout
    );
    let reviewed = sleipnir::plan::file::read(&dir.join("reviewed.jsonl")).expect("plan file");
    assert_eq!(reviewed.source.target.as_deref(), Some(target.as_str()));
    assert!(reviewed.users.iter().all(|u| u.before.is_some()));

    // Someone changes user 3 behind sleipnir's back.
    odin.put_json(
        "/users",
        serde_json::json!({"userId": user_id(3), "serviceProviderId": "ent.sim", "groupId": "grp03", "extension": "3333"}),
    )
    .await;
    let run = apply(dir, &odin.sim, &["apply", "reviewed.jsonl", "--out", "run"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let lines = results(&dir.join("run"));
    let of = |n: usize| {
        lines
            .iter()
            .filter(move |l| l[1] == user_id(n))
            .collect::<Vec<_>>()
    };
    assert_eq!(&of(3)[0][3], "drifted");
    assert_eq!(
        &of(3)[0][10],
        "user `extension` was \"1003\" when planned, is \"3333\" now"
    );
    assert!(of(3)[1..].iter().all(|l| &l[3] == "skipped"));
    assert_eq!(
        odin.state(&user_id(3)).await["user"]["extension"],
        "3333",
        "unwritten"
    );
    for n in (1..=USERS).filter(|n| *n != 3) {
        assert!(
            of(n)
                .iter()
                .all(|l| &l[3] == "applied" || &l[3] == "unchanged"),
            "user {n}"
        );
    }
    let forced = apply(
        dir,
        &odin.sim,
        &["apply", "reviewed.jsonl", "--out", "forced", "--force"],
    );
    assert_eq!(forced.code, 0, "{}", forced.transcript());
    assert_eq!(odin.state(&user_id(3)).await["user"]["extension"], "7003");
}

#[test]
fn canary_with_yes_shows_the_first_users_and_goes_on() {
    let sim = Simulator::start(
        SimConfig {
            users: 10,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let sheet = sheet(work.path(), 10);
    let run = apply(
        work.path(),
        &sim,
        &["apply", &sheet, "--out", "run", "--canary", "3", "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("canary: 3 users done, 7 to go\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("  {}: ", user_id(1))),
        "{}",
        run.stdout
    );
    assert!(
        results(&work.path().join("run"))
            .iter()
            .all(|l| &l[3] == "applied" || &l[3] == "unchanged")
    );
}

/// Says no after the canary, and remembers what it was shown.
struct Declines(Vec<String>);

impl sleipnir::apply::Observer for Declines {
    fn progress(&mut self, _: &sleipnir::apply::Progress) {}

    fn canary(
        &mut self,
        results: &[sleipnir::apply::ledger::StepResult],
        _: &sleipnir::apply::Progress,
    ) -> sleipnir::apply::Decision {
        self.0 = results.iter().map(|r| r.user_id.clone()).collect();
        sleipnir::apply::Decision::Stop
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_who_declines_after_the_canary_stops_the_run() {
    use sleipnir::apply::{ApplyOptions, ledger::Ledger};
    let sim = Simulator::start(
        SimConfig {
            users: 10,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let path = sheet(work.path(), 10);
    let sheet = sleipnir::sheet::read(Path::new(&path), &Default::default()).expect("sheet");
    let plan = sleipnir::plan::build(
        &sheet,
        None,
        &sleipnir::schema::Schema::builtin().expect("schema"),
    )
    .expect("plan");
    let config = sleipnir::odin::ClientConfig {
        rate: 500.0,
        ..sleipnir::odin::ClientConfig::new(sim.base_url())
    };
    let login = sleipnir::odin::Credentials::new(
        sleipnir::sim::DEFAULT_USERNAME,
        sleipnir::sim::DEFAULT_PASSWORD,
    );
    let client = std::sync::Arc::new(
        sleipnir::odin::OdinClient::connect(config, login)
            .await
            .expect("login"),
    );
    let ledger = Ledger::create(&work.path().join("run"), &plan.source).expect("ledger");
    let options = ApplyOptions {
        canary: Some(4),
        ..ApplyOptions::new(2)
    };
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let mut observer = Declines(Vec::new());
    let summary = sleipnir::apply::run(
        &plan,
        client,
        ledger,
        options,
        Default::default(),
        stopped,
        &mut observer,
    )
    .await
    .expect("run");
    let shown: std::collections::BTreeSet<String> = observer.0.into_iter().collect();
    assert_eq!(shown.len(), 4, "the canary is the first 4 users");
    assert!(shown.contains(&user_id(1)) && shown.contains(&user_id(4)));
    assert_eq!(
        summary.stopped_by.as_deref(),
        Some("stopped after the canary of 4 users")
    );
    assert!(!summary.interrupted);
    assert_eq!(summary.exit_code(), 1);
    let steps: usize = plan.users[4..].iter().map(|u| u.steps.len()).sum();
    assert_eq!(
        summary.steps.skipped, steps,
        "users after the canary are skipped"
    );
}

#[tokio::test]
async fn throttling_is_waited_out_and_does_not_use_up_retries() {
    throttled(false).await;
}

/// `Retry-After` as an HTTP date (RFC 9110 allows both forms) is waited out the same.
#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_date_is_waited_out_too() {
    throttled(true).await;
}

async fn throttled(retry_after_date: bool) {
    let odin = odin(SimConfig {
        users: 4,
        faults: FaultConfig {
            rate_limit: Some(5),
            retry_after_date,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let sheet = sheet(work.path(), 4);
    let run = apply(
        work.path(),
        &odin.sim,
        &[
            "apply",
            &sheet,
            "--out",
            "run",
            "--retries",
            "0",
            "--concurrency",
            "4",
        ],
    );
    assert_eq!(
        run.code,
        0,
        "{}\n{:?}",
        run.transcript(),
        not_done(&work.path().join("run"))
    );
    let throttled = odin.stats().await.rate_limited;
    assert!(throttled > 0, "the server did throttle");
    // The pool paused rather than asking again and again (about 15 answers of 429 in
    // either form; the parsing of both forms is unit-tested in odin::transport).
    assert!(throttled <= 40, "{throttled} answers of 429");
    // `answered 429` counts the answers the server gave, not the waits made.
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(summary["requests"]["throttled"], throttled, "{summary}");
}
