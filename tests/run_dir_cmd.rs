//! The run directory's robustness: one writer at a time (a second one is refused before it
//! logs in), owner-only files, a rollback file with repeated users or a torn last line, and
//! a run whose files cannot be written.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sleipnir::sim::{FaultConfig, SimConfig, Simulator, user_id};

use crate::support::{LOGIN, run_on, workdir};

/// A simulator of `users` users whose every request takes `latency`.
pub(crate) fn simulator(users: usize, latency: Duration) -> Simulator {
    Simulator::start(
        SimConfig {
            users,
            faults: FaultConfig {
                latency,
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator starts")
}

/// A sheet giving users `from..=to` the extension `base + n` and Do Not Disturb `dnd`.
pub(crate) fn sheet(
    dir: &Path,
    name: &str,
    users: std::ops::RangeInclusive<usize>,
    base: usize,
) -> String {
    let mut text = String::from("userId,user.extension,settings.Do Not Disturb.isActive\n");
    for n in users {
        text.push_str(&format!("{},{},{}\n", user_id(n), base + n, n % 2 == 0));
    }
    std::fs::write(dir.join(name), text).expect("sheet");
    name.to_string()
}

/// Logins the simulator has answered: every command that gets as far as Odin logs in first.
pub(crate) fn logins(sim: &Simulator) -> u64 {
    sim.stats()
        .requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/auth/token"))
        .map(|r| r.count)
        .sum()
}

pub(crate) fn states(sim: &Simulator, users: usize) -> Vec<Value> {
    (1..=users)
        .map(|n| sim.state(&user_id(n)).expect("user"))
        .collect()
}

/// `sleipnir ARGS --target SIM --yes` started in `dir`, left running.
fn start(dir: &Path, sim: &Simulator, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .env(crate::support::STATE_DIR_VAR, crate::support::state_dir())
        .current_dir(dir)
        .args(args)
        .args(["--target", &sim.base_url(), "--yes", "-q"])
        .env_remove("ODIN_URL")
        .env_remove("RUST_LOG")
        .envs(LOGIN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sleipnir starts")
}

/// Wait until `run` holds its lock's holder record and the run's first request went out
/// (the holder has logged in).
fn wait_for_run(run: &Path, sim: &Simulator, logins_before: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(run.join("holder.json").is_file() && logins(sim) > logins_before) {
        assert!(Instant::now() < deadline, "the run did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait for `child`; its exit code and output.
fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().expect("sleipnir ends");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

/// A second writer on a running run is refused before it logs in, naming the holder.
fn refused_while_running(dir: &Path, sim: &Simulator, first: &mut Child, args: &[&str]) {
    let before = logins(sim);
    let second = run_on(dir, sim, args);
    assert_eq!(second.code, 2, "{:?}: {}", args, second.transcript());
    assert!(
        second.stderr.contains("is in use by another run")
            && second.stderr.contains(&format!("pid {}", first.id())),
        "{}",
        second.stderr
    );
    assert_eq!(logins(sim), before, "{args:?} logged in");
    assert!(
        first.try_wait().expect("wait").is_none(),
        "the first run ended before the second was tried: the test proves nothing"
    );
}

#[test]
fn a_second_writer_on_a_running_run_is_refused_before_it_logs_in() {
    const USERS: usize = 24;
    let sim = simulator(USERS, Duration::from_millis(100));
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, "sheet.csv", 1..=USERS, 7000);
    let before = states(&sim, USERS);
    let slow = ["--concurrency", "1", "--no-bulk-writes"];

    // Two fresh runs on one --out: the second is refused, naming the first.
    let logged = logins(&sim);
    let mut first = start(
        dir,
        &sim,
        &[&["apply", &sheet, "--out", "run"][..], &slow].concat(),
    );
    wait_for_run(&dir.join("run"), &sim, logged);
    refused_while_running(dir, &sim, &mut first, &["apply", &sheet, "--out", "run"]);
    // A resume of the running run, too: its files are left as they are.
    refused_while_running(dir, &sim, &mut first, &["apply", &sheet, "--resume", "run"]);
    // And a rollback of it.
    refused_while_running(
        dir,
        &sim,
        &mut first,
        &["rollback", "run", "--out", "undo0"],
    );
    assert!(!dir.join("undo0").exists());
    // Its report is the run's own to write, at its end.
    let report = crate::support::sleipnir_in(dir, &["report", "run"]);
    assert_eq!(report.code, 2, "{}", report.transcript());
    assert!(
        report
            .stderr
            .contains(&format!("`run` is a run still going (pid {}", first.id())),
        "{}",
        report.stderr
    );
    assert!(!dir.join("run/report.html").exists());
    let (code, text) = finish(first);
    assert_eq!(code, 0, "{text}");
    let lines = crate::support::results(&dir.join("run"));
    assert_eq!(lines.len(), USERS * 2, "one line per user and step");

    // The same for a rollback run and its resume.
    let logged = logins(&sim);
    let mut undo = start(
        dir,
        &sim,
        &[&["rollback", "run", "--out", "undo"][..], &slow].concat(),
    );
    wait_for_run(&dir.join("undo"), &sim, logged);
    refused_while_running(
        dir,
        &sim,
        &mut undo,
        &["rollback", "run", "--resume", "undo"],
    );
    refused_while_running(dir, &sim, &mut undo, &["rollback", "run", "--out", "undo2"]);
    let (code, text) = finish(undo);
    assert_eq!(code, 0, "{text}");
    assert_eq!(states(&sim, USERS), before, "the rollback is exact");

    // The lock went with its process: a finished run resumes without a manual step.
    let again = run_on(dir, &sim, &["rollback", "run", "--resume", "undo", "-q"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    // A fresh run on a directory that holds a run is refused before it logs in.
    let logged = logins(&sim);
    let occupied = run_on(dir, &sim, &["apply", &sheet, "--out", "run"]);
    assert_eq!(occupied.code, 2, "{}", occupied.transcript());
    assert!(
        occupied.stderr.contains("already holds files") && occupied.stdout.is_empty(),
        "{}",
        occupied.transcript()
    );
    assert_eq!(logins(&sim), logged);
}

#[cfg(unix)]
#[test]
fn every_run_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let sim = simulator(6, Duration::ZERO);
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, "sheet.csv", 1..=6, 7100);
    for args in [
        vec!["apply", &sheet, "--out", "runs/run"],
        vec!["rollback", "runs/run", "--out", "runs/undo"],
    ] {
        let run = run_on(dir, &sim, &args);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    for run in ["runs/run", "runs/undo"] {
        let path = dir.join(run);
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o700, "{run}");
        let mut names: Vec<(String, u32)> = std::fs::read_dir(&path)
            .expect("dir")
            .map(|e| {
                let e = e.expect("entry");
                (
                    e.file_name().to_string_lossy().into_owned(),
                    mode(&e.path()),
                )
            })
            .collect();
        names.sort();
        let files: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "failed.jsonl",
            "holder.json",
            "journal.jsonl",
            "report.html",
            "results.csv",
            "results.xlsx",
            "rollback.jsonl",
            "run.lock",
            "run.log",
            "summary.json",
            "timeline.jsonl",
        ] {
            assert!(files.contains(&expected), "{run}: {files:?}");
        }
        let open: Vec<String> = names
            .iter()
            .filter(|(_, m)| *m != 0o600)
            .map(|(name, m)| format!("{name} {m:o}"))
            .collect();
        assert!(open.is_empty(), "{run}: not owner-only: {open:?}");
    }
}

#[test]
fn a_rollback_file_with_repeated_users_and_a_torn_line_restores_the_earliest_state() {
    const USERS: usize = 9;
    let sim = simulator(USERS, Duration::ZERO);
    let work = workdir();
    let dir = work.path();
    let before = states(&sim, USERS);
    // Two runs over users 3–6: the second one's entries hold the first one's values.
    let first = sheet(dir, "first.csv", 1..=6, 7200);
    let second = sheet(dir, "second.csv", 3..=8, 7300);
    std::fs::write(
        dir.join("third.csv"),
        format!(
            "userId,policy.clidPolicy\n{},Use DN\n{},Use DN\n",
            user_id(4),
            user_id(5)
        ),
    )
    .expect("sheet");
    for (sheet, out) in [
        (&first, "a"),
        (&second, "b"),
        (&"third.csv".to_string(), "c"),
    ] {
        let run = run_on(dir, &sim, &["apply", sheet, "--out", out]);
        assert_eq!(run.code, 0, "{}", run.transcript());
    }
    assert_ne!(states(&sim, USERS), before);
    // The first run's file with the others' entries after it (as two writers of one run
    // directory left it), and a last line cut short.
    let entries = |run: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(run).join("rollback.jsonl"))
            .expect("rollback")
            .lines()
            .skip(1)
            .map(String::from)
            .collect()
    };
    let mut text = std::fs::read_to_string(dir.join("a/rollback.jsonl")).expect("a");
    for line in entries("b").iter().chain(&entries("c")) {
        text.push_str(line);
        text.push('\n');
    }
    // The entry of a user no run wrote (user 9), cut short as a crash leaves it.
    let mut entry: Value = serde_json::from_str(&entries("b")[0]).expect("entry");
    entry["userId"] = Value::from(user_id(9));
    let torn = entry.to_string();
    text.push_str(&torn[..torn.len() / 2]);
    std::fs::write(dir.join("a/rollback.jsonl"), text).expect("damaged");

    let undo = run_on(dir, &sim, &["rollback", "a", "--out", "undo"]);
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert_eq!(
        states(&sim, USERS),
        before,
        "every user as before the first run"
    );
    // Named once each, in the order their second entries come.
    assert!(
        undo.stderr.contains("records 4 users more than once (")
            && [3, 4, 5, 6]
                .iter()
                .all(|n| undo.stderr.matches(&user_id(*n)).count() == 1),
        "{}",
        undo.stderr
    );
    assert!(
        undo.stderr
            .contains(&format!("line {} was cut short", 6 + 6 + 2 + 2)),
        "{}",
        undo.stderr
    );
    assert_eq!(
        undo.stderr.matches("more than once").count(),
        1,
        "warned once"
    );
}

/// A run on a filesystem mounted read-only (an archived run) cannot be locked: its rollback
/// reads it unlocked, with a warning, and restores it exactly. Only where the test can mount
/// a filesystem.
#[test]
fn a_read_only_run_is_rolled_back_without_its_lock() {
    let sim = simulator(4, Duration::ZERO);
    let work = workdir();
    let dir = work.path();
    let before = states(&sim, 4);
    let sheet = sheet(dir, "sheet.csv", 1..=4, 7500);
    let run = run_on(dir, &sim, &["apply", &sheet, "--out", "run", "-q"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let Some(archive) = crate::full_disk_cmd::Tmpfs::mount(&dir.join("archive"), "1m") else {
        eprintln!("no filesystem can be mounted here: nothing to test");
        return;
    };
    std::fs::create_dir(dir.join("archive/run")).expect("dir");
    for entry in std::fs::read_dir(dir.join("run")).expect("run") {
        let entry = entry.expect("entry");
        std::fs::copy(
            entry.path(),
            dir.join("archive/run").join(entry.file_name()),
        )
        .expect("copy");
    }
    archive.read_only();
    let undo = run_on(dir, &sim, &["rollback", "archive/run", "--out", "undo"]);
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    assert!(
        undo.stderr.contains("archive/run/run.lock")
            && undo.stderr.contains("the run is read without its lock"),
        "{}",
        undo.stderr
    );
    assert_eq!(states(&sim, 4), before);
}
