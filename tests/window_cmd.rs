//! Maintenance windows and the daily request budget, with windows of a few seconds around
//! the test's own clock: a run outside its window sends nothing (exit 4); a window that
//! closes mid-run defers the users not started (exit 5), and `--resume` in the next window
//! finishes them with the record exact; a budget of N requests stops at N or fewer, is
//! shared by the runs that share the state directory, and defers the rest.

use std::path::Path;

use serde_json::Value;
use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, results, sleipnir_env, workdir};

/// Minutes of the day, UTC, as `HH:MM`.
fn hhmm(minutes: i64) -> String {
    let m = minutes.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Seconds since midnight UTC, now.
fn now_seconds() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    secs % 86_400
}

/// A UTC window open now whose users stop starting about `after` seconds from now: it
/// opens a minute ago and closes at the first whole minute at least 30 s after the
/// deadline; the cutoff is what lies between. `(--window, --window-cutoff)`.
fn closing_in(after: i64) -> (String, String) {
    let now = now_seconds();
    let open = now / 60 - 1;
    let close = (now + after + 30).div_euclid(60) + 1;
    let cutoff = close * 60 - (now + after);
    (
        format!("{}-{}", hhmm(open), hhmm(close)),
        format!("{cutoff}s"),
    )
}

/// A UTC window that opened a minute ago and stays open for an hour.
fn open_for_an_hour() -> String {
    let now = now_seconds() / 60;
    format!("{}-{}", hhmm(now - 1), hhmm(now + 60))
}

fn sheet(dir: &Path, users: usize) {
    let mut text = String::from("userId,user.extension\n");
    for n in 1..=users {
        text.push_str(&format!("{},{}\n", user_id(n), 7000 + n));
    }
    std::fs::write(dir.join("s.csv"), text).expect("sheet");
}

fn sim(users: usize) -> Simulator {
    Simulator::start(
        SimConfig {
            users,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim")
}

/// `sleipnir ARGS --target SIM` in `dir` with the simulator's login and `state` as the
/// state directory.
fn on(dir: &Path, sim: &Simulator, state: &Path, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target]);
    let state = state.display().to_string();
    let mut env = LOGIN.to_vec();
    env.push(("SLEIPNIR_STATE_DIR", &state));
    sleipnir_env(dir, &all, &env)
}

fn summary(run: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).expect("summary"))
        .expect("json")
}

fn extension(sim: &Simulator, n: usize) -> Value {
    sim.state(&user_id(n)).expect("user")["user"]["extension"].clone()
}

#[test]
fn a_run_outside_its_window_or_on_a_frozen_day_sends_nothing() {
    let sim = sim(4);
    let work = workdir();
    let dir = work.path();
    sheet(dir, 4);
    let state = dir.join("state");
    let now = now_seconds() / 60;
    let later = format!("{}-{}", hhmm(now + 120), hhmm(now + 180));
    let run = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--window",
            &later,
            "--window-tz",
            "UTC",
        ],
    );
    assert_eq!(run.code, 4, "{}", run.transcript());
    assert!(
        run.stderr.contains("outside the maintenance window"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("opens next at"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was sent"), "{}", run.stderr);
    // Today frozen: closed although the window is open.
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let frozen = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--window",
            &open_for_an_hour(),
            "--window-tz",
            "UTC",
            "--freeze",
            &today,
        ],
    );
    assert_eq!(frozen.code, 4, "{}", frozen.transcript());
    assert_eq!(sim.stats().total, 0, "not even the login was sent");
    for n in 1..=4 {
        assert_ne!(extension(&sim, n), format!("{}", 7000 + n));
    }
}

#[test]
fn a_window_closing_mid_run_defers_the_rest_and_resume_in_the_next_one_finishes_them() {
    const USERS: usize = 60;
    let sim = sim(USERS);
    let work = workdir();
    let dir = work.path();
    sheet(dir, USERS);
    let state = dir.join("state");
    let before: Vec<Value> = (1..=USERS).map(|n| extension(&sim, n)).collect();
    // About 5 s of starting users at 10 requests/s (2 requests a user): some users,
    // never all.
    let (window, cutoff) = closing_in(5);
    let first = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--out",
            "run",
            "--rate",
            "10",
            "--concurrency",
            "2",
            "--no-bulk-writes",
            "--group-read-max-age",
            "0",
            "--window",
            &window,
            "--window-tz",
            "UTC",
            "--window-cutoff",
            &cutoff,
        ],
    );
    assert_eq!(first.code, 5, "{}", first.transcript());
    let lines = results(&dir.join("run"));
    let deferred = lines.iter().filter(|l| &l[3] == "deferred").count();
    let applied = lines.iter().filter(|l| &l[3] == "applied").count();
    assert!(deferred > 0 && applied > 0, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| matches!(&l[3], "applied" | "deferred")),
        "{lines:?}"
    );
    assert_eq!(applied + deferred, USERS);
    let s = summary(&dir.join("run"));
    assert_eq!(s["resumable"], true);
    assert_eq!(s["usersByOutcome"]["deferred"], deferred);
    assert_eq!(s["steps"]["deferred"], deferred);
    let why = s["deferredBy"].as_str().expect("deferredBy");
    assert!(
        why.contains(&format!("`{window}` (UTC, --window)")),
        "{why}"
    );
    assert!(
        first.stdout.contains(&format!(
            "continue it inside the next window with: sleipnir apply s.csv --window {window} \
             --window-tz UTC --window-cutoff {cutoff} --resume run --target"
        )),
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains(&format!("deferred {deferred} users")),
        "{}",
        first.stdout
    );
    // The history says who was deferred, and by what.
    let state_env = state.display().to_string();
    let runs = sleipnir_env(dir, &["runs"], &[("SLEIPNIR_STATE_DIR", &state_env)]);
    assert!(
        runs.stdout.contains(&format!("{deferred} deferred")),
        "{}",
        runs.stdout
    );
    assert!(
        runs.stdout.contains("deferred: the maintenance window"),
        "{}",
        runs.stdout
    );
    // So does the report.
    let page = std::fs::read_to_string(dir.join("run/report.html")).expect("report");
    assert!(
        page.contains("Deferred for the next window (the maintenance window"),
        "report"
    );
    // The failed file is for fixing and retrying: deferred users are not in it.
    let failed = std::fs::read_to_string(dir.join("run/failed.jsonl")).unwrap_or_default();
    assert!(!failed.contains("userId"), "{failed}");
    // The printed resume, now: the window is within its cutoff, so it refuses.
    let again = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--resume",
            "run",
            "--window",
            &window,
            "--window-tz",
            "UTC",
            "--window-cutoff",
            &cutoff,
        ],
    );
    assert_eq!(again.code, 4, "{}", again.transcript());
    // A resume that leaves the window out is refused, saying how to resume it.
    let bare = on(
        dir,
        &sim,
        &state,
        &["apply", "s.csv", "--yes", "--resume", "run"],
    );
    assert_eq!(bare.code, 2, "{}", bare.transcript());
    assert!(
        bare.stderr
            .contains("was started with a maintenance window that this resume does not give"),
        "{}",
        bare.stderr
    );
    // So is one that gives the zone but not the window itself.
    let zone_only = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--resume",
            "run",
            "--window-tz",
            "UTC",
        ],
    );
    assert_eq!(zone_only.code, 2, "{}", zone_only.transcript());
    assert!(
        zone_only.stderr.contains("pass --no-window to"),
        "{}",
        zone_only.stderr
    );
    // A resume that cannot log in, or is declined, leaves the run's files as they were.
    let files = |dir: &Path| {
        [
            "results.csv",
            "summary.json",
            "failed.jsonl",
            "journal.jsonl",
            "rollback.jsonl",
        ]
        .map(|name| std::fs::read(dir.join(name)).unwrap_or_default())
    };
    let before_files = files(&dir.join("run"));
    let state_text = state.display().to_string();
    let wrong = sleipnir_env(
        dir,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--resume",
            "run",
            "--window",
            &open_for_an_hour(),
            "--window-tz",
            "UTC",
            "--target",
            &sim.base_url(),
        ],
        &[
            LOGIN[0],
            ("ODIN_PASSWORD", "not-the-password"),
            ("SLEIPNIR_STATE_DIR", &state_text),
        ],
    );
    assert_eq!(wrong.code, 3, "{}", wrong.transcript());
    assert!(
        files(&dir.join("run")) == before_files,
        "the refused resume changed run files"
    );
    // In the next window, the resume finishes them.
    let next = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--resume",
            "run",
            "--rate",
            "500",
            "--window",
            &open_for_an_hour(),
            "--window-tz",
            "UTC",
        ],
    );
    assert_eq!(next.code, 0, "{}", next.transcript());
    for n in 1..=USERS {
        assert_eq!(extension(&sim, n), format!("{}", 7000 + n), "user {n}");
    }
    let s = summary(&dir.join("run"));
    assert_eq!(s["usersByOutcome"]["changed"], USERS, "{s}");
    assert_eq!(s["usersByOutcome"]["deferred"], 0, "{s}");
    // Applied = rolled back: every user as before.
    let back = on(
        dir,
        &sim,
        &state,
        &["rollback", "run", "--yes", "--out", "back", "--rate", "500"],
    );
    assert_eq!(back.code, 0, "{}", back.transcript());
    for n in 1..=USERS {
        assert_eq!(extension(&sim, n), before[n - 1], "user {n}");
    }
}

#[test]
fn a_budget_stops_at_n_requests_shared_by_the_runs_of_a_state_directory() {
    const USERS: usize = 40;
    let sim = sim(USERS);
    let work = workdir();
    let dir = work.path();
    sheet(dir, USERS);
    let state = dir.join("state");
    let args = |out: &'static str| {
        vec![
            "apply",
            "s.csv",
            "--yes",
            "--out",
            out,
            "--rate",
            "500",
            "--concurrency",
            "3",
            "--no-bulk-writes",
            "--group-read-max-age",
            "0",
            "--budget",
            "30",
        ]
    };
    let first = on(dir, &sim, &state, &args("run"));
    assert_eq!(first.code, 5, "{}", first.transcript());
    let sent = sim.stats().total;
    assert!(sent <= 30, "{sent} requests against a budget of 30");
    // The users in flight give back what they held and did not need: the run goes on
    // until the budget is nearly spent.
    assert!(sent >= 24, "{sent}: the budget was mostly used");
    let lines = results(&dir.join("run"));
    assert!(
        lines
            .iter()
            .all(|l| matches!(&l[3], "applied" | "deferred")),
        "{lines:?}"
    );
    let s = summary(&dir.join("run"));
    assert!(
        s["deferredBy"]
            .as_str()
            .is_some_and(|w| w.contains("budget")),
        "{s}"
    );
    // The ledger holds what was sent: what the run held and did not send went back.
    let plan = on(
        dir,
        &sim,
        &state,
        &["plan", "s.csv", "--budget", "1000", "--format", "json"],
    );
    let doc: Value = serde_json::from_str(&plan.stdout).expect("json");
    assert_eq!(
        doc["applyEstimate"]["budget"]["used"], sent,
        "{}",
        plan.stderr
    );
    let sent = sim.stats().total;
    // Another run sharing the state directory finds no room: refused before it logs in.
    let second = on(dir, &sim, &state, &args("run2"));
    assert_eq!(second.code, 4, "{}", second.transcript());
    assert!(second.stderr.contains("has no room"), "{}", second.stderr);
    assert!(
        second.stderr.contains("enough is free again at"),
        "{}",
        second.stderr
    );
    assert_eq!(sim.stats().total, sent);
    // A resume refused by the budget leaves the run's files as they were.
    let results_before = std::fs::read(dir.join("run/results.csv")).expect("results");
    let refused = on(
        dir,
        &sim,
        &state,
        &[
            "apply", "s.csv", "--yes", "--resume", "run", "--budget", "30",
        ],
    );
    assert_eq!(refused.code, 4, "{}", refused.transcript());
    assert_eq!(
        std::fs::read(dir.join("run/results.csv")).expect("results"),
        results_before
    );
    assert!(dir.join("run/summary.json").exists());
    // A budget too small to change even one user is a mistake, said as one.
    let tiny = on(
        dir,
        &sim,
        &state,
        &["apply", "s.csv", "--yes", "--out", "run3", "--budget", "5"],
    );
    assert_eq!(tiny.code, 2, "{}", tiny.transcript());
    assert!(tiny.stderr.contains("is below the"), "{}", tiny.stderr);
    // A larger budget, counting what was sent already, lets the resume finish.
    let more = on(
        dir,
        &sim,
        &state,
        &[
            "apply", "s.csv", "--yes", "--resume", "run", "--rate", "500", "--budget", "200",
        ],
    );
    assert_eq!(more.code, 0, "{}", more.transcript());
    assert!(sim.stats().total <= 200);
    for n in 1..=USERS {
        assert_eq!(extension(&sim, n), format!("{}", 7000 + n), "user {n}");
    }
}

#[test]
fn plan_target_sets_its_estimate_against_the_window_and_the_budget() {
    let sim = sim(10);
    let work = workdir();
    let dir = work.path();
    sheet(dir, 10);
    let state = dir.join("state");
    let window = open_for_an_hour();
    let text = on(
        dir,
        &sim,
        &state,
        &[
            "plan",
            "s.csv",
            "--window",
            &window,
            "--window-tz",
            "UTC",
            "--budget",
            "5",
        ],
    );
    assert_eq!(text.code, 0, "{}", text.transcript());
    assert!(
        text.stdout
            .contains(&format!("window `{window}` (UTC, --window): open now")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("fits in one window"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("daily budget of 5 requests (--budget)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("cannot be sent: a run needs about 12 to change its first user"),
        "{}",
        text.stdout
    );
    // A budget a run can start in, too small for the job: it needs more days.
    let small = on(
        dir,
        &sim,
        &state,
        &[
            "plan",
            "s.csv",
            "--window",
            &window,
            "--window-tz",
            "UTC",
            "--budget",
            "15",
        ],
    );
    assert!(
        small
            .stdout
            .contains("do not fit in what is left now; at 15 a day they need 2 days"),
        "{}",
        small.stdout
    );
    let json = on(
        dir,
        &sim,
        &state,
        &[
            "plan",
            "s.csv",
            "--format",
            "json",
            "--window",
            &window,
            "--window-tz",
            "UTC",
            "--budget",
            "1000",
        ],
    );
    assert_eq!(json.code, 0, "{}", json.transcript());
    let doc: Value = serde_json::from_str(&json.stdout).expect("json");
    let estimate = &doc["applyEstimate"];
    assert_eq!(estimate["window"]["openNow"], true, "{estimate}");
    assert_eq!(estimate["window"]["windowsNeeded"], 1, "{estimate}");
    assert_eq!(estimate["budget"]["perDay"], 1000);
    assert_eq!(estimate["budget"]["remaining"], 1000);
    assert_eq!(estimate["budget"]["fitsNow"], true);
    assert_eq!(estimate["budget"]["jobRequests"], estimate["total"]);
}

/// Seconds of the day, UTC, as `HH:MM:SS`.
fn hhmmss(seconds: i64) -> String {
    let s = seconds.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[test]
fn wait_for_window_waits_for_the_opening_and_ctrl_c_while_waiting_sends_nothing() {
    let sim = sim(3);
    let work = workdir();
    let dir = work.path();
    sheet(dir, 3);
    let state = dir.join("state");
    let now = now_seconds();
    // Opens in 3 s, for an hour.
    let window = format!("{}-{}", hhmmss(now + 3), hhmmss(now + 3600));
    let started = std::time::Instant::now();
    let run = on(
        dir,
        &sim,
        &state,
        &[
            "apply",
            "s.csv",
            "--yes",
            "--out",
            "run",
            "--window",
            &window,
            "--window-tz",
            "UTC",
            "--wait-for-window",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "it waited"
    );
    assert!(
        run.stderr.contains("waiting for the window: it opens at"),
        "{}",
        run.stderr
    );
    for n in 1..=3 {
        assert_eq!(extension(&sim, n), format!("{}", 7000 + n));
    }
    // A window an hour away: Ctrl-C while waiting ends it, nothing sent.
    let sent = sim.stats().total;
    let later = format!("{}-{}", hhmmss(now + 3600), hhmmss(now + 7200));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .current_dir(dir)
        .args([
            "apply", "s.csv", "--yes", "--out", "run2", "--window", &later,
        ])
        .args([
            "--window-tz",
            "UTC",
            "--wait-for-window",
            "--target",
            &sim.base_url(),
        ])
        .envs(LOGIN)
        .env("SLEIPNIR_STATE_DIR", &state)
        .env("SLEIPNIR_CONFIG", dir.join(".no-config"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("apply starts");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert_eq!(sim.stats().total, sent);
}

#[test]
fn a_targets_window_and_budget_apply_by_default_and_flags_stand_in_for_them() {
    let sim = sim(3);
    let work = workdir();
    let dir = work.path();
    sheet(dir, 3);
    let state = dir.join("state").display().to_string();
    let now = now_seconds() / 60;
    // The target's window opens in two hours, in UTC.
    std::fs::create_dir_all(dir.join("config")).expect("config");
    std::fs::write(
        dir.join("config/targets.toml"),
        format!(
            "[targets.lab]\nurl = \"{}\"\nwindow = \"{}-{}\"\nwindow_tz = \"UTC\"\n\
             budget_per_day = 500\n",
            sim.base_url(),
            hhmm(now + 120),
            hhmm(now + 180)
        ),
    )
    .expect("targets.toml");
    let config = dir.join("config").display().to_string();
    let env = [
        LOGIN[0],
        LOGIN[1],
        ("SLEIPNIR_STATE_DIR", &state),
        ("SLEIPNIR_CONFIG", &config),
    ];
    let apply = |extra: &[&str]| {
        let mut args = vec!["apply", "s.csv", "--yes", "--target", "lab"];
        args.extend(extra);
        sleipnir_env(dir, &args, &env)
    };
    let refused = apply(&["--out", "run"]);
    assert_eq!(refused.code, 4, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("(UTC, target `lab`'s `window`)"),
        "{}",
        refused.stderr
    );
    // --window-tz alone moves the target's window to another zone: still a window of the
    // target's, as closed or open as that zone makes it.
    let zoned = apply(&["--out", "run", "--window-tz", "Asia/Kolkata"]);
    assert!(
        zoned
            .stderr
            .contains("(Asia/Kolkata, target `lab`'s `window`)")
            || zoned.code == 0,
        "{}",
        zoned.transcript()
    );
    // plan --target sets its estimate against the target's window and budget.
    let plan = sleipnir_env(dir, &["plan", "s.csv", "--target", "lab"], &env);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert!(
        plan.stdout
            .contains("target `lab`'s `window`): closed now, opens at"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("daily budget of 500 requests (target `lab`'s `budget_per_day`)"),
        "{}",
        plan.stdout
    );
    // --no-window runs now; the target's budget still counts it.
    let urgent = apply(&["--out", "run2", "--no-window"]);
    assert_eq!(urgent.code, 0, "{}", urgent.transcript());
    assert!(
        urgent
            .stderr
            .contains("daily request budget (target `lab`'s `budget_per_day`)"),
        "{}",
        urgent.stderr
    );
    let ledger = std::fs::read_dir(dir.join("state/budgets"))
        .expect("the budget's ledger")
        .count();
    assert!(ledger >= 1);
}

#[test]
fn runs_at_once_sharing_a_budget_defer_never_fail_and_stay_within_it() {
    const USERS: usize = 40;
    let sim = sim(USERS);
    let work = workdir();
    let dir = work.path();
    let state = dir.join("state");
    // Two sheets of other users each.
    for (name, users) in [("a.csv", 1..=20), ("b.csv", 21..=40)] {
        let mut text = String::from("userId,user.extension\n");
        for n in users {
            text.push_str(&format!("{},{}\n", user_id(n), 7000 + n));
        }
        std::fs::write(dir.join(name), text).expect("sheet");
    }
    let spawn = |sheet: &str, out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
            .current_dir(dir)
            .args([
                "apply",
                sheet,
                "--yes",
                "-q",
                "--out",
                out,
                "--target",
                &sim.base_url(),
            ])
            .args(["--rate", "50", "--concurrency", "4", "--budget", "40"])
            .envs(LOGIN)
            .env("SLEIPNIR_STATE_DIR", &state)
            .env("SLEIPNIR_CONFIG", dir.join(".no-config"))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("apply runs")
    };
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| spawn("a.csv", "ra"));
        let b = scope.spawn(|| spawn("b.csv", "rb"));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let total = sim.stats().total;
    assert!(
        total <= 40,
        "{total} requests of two runs against a budget of 40"
    );
    for (run, out) in [(&a, "ra"), (&b, "rb")] {
        let code = run.status.code();
        let stderr = String::from_utf8_lossy(&run.stderr);
        // Done, deferred, or refused before logging in: never failed users.
        assert!(matches!(code, Some(0 | 4 | 5)), "{code:?}: {stderr}");
        if dir.join(out).join("results.csv").exists() {
            let lines = results(&dir.join(out));
            assert!(
                lines
                    .iter()
                    .all(|l| matches!(&l[3], "applied" | "deferred")),
                "{lines:?}"
            );
        }
    }
}
