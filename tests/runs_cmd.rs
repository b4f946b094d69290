//! Runs that know about each other (a run on users an unfinished run on the same target is
//! changing is refused before it logs in; a dead run blocks no one) and the history in the
//! state directory (`sleipnir runs`): who changed a user, and a chain that shows an edit.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sleipnir::sim::{Simulator, user_id};

use crate::run_dir_cmd::{sheet, simulator};
use crate::support::{LOGIN, Run, STATE_DIR_VAR, sleipnir_env, workdir};

/// Logins the simulator has answered: every command that gets as far as Odin logs in first.
fn logins(sim: &Simulator) -> u64 {
    sim.stats()
        .requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/auth/token"))
        .map(|r| r.count)
        .sum()
}

/// `sleipnir ARGS --target SIM --yes` in `dir` with the state directory `state`, left running.
fn start(dir: &Path, state: &Path, sim: &Simulator, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .current_dir(dir)
        .args(args)
        .args(["--target", &sim.base_url(), "--yes", "-q"])
        .env_remove("ODIN_URL")
        .env_remove("RUST_LOG")
        .env(STATE_DIR_VAR, state)
        .envs(LOGIN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sleipnir starts")
}

/// `sleipnir ARGS --target SIM --yes` in `dir` with the state directory `state`, to its end.
fn run(dir: &Path, state: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--yes", "--rate", "500"]);
    sleipnir_env(dir, &all, &with_state(state, &LOGIN))
}

/// `sleipnir runs ARGS` with the state directory `state`.
fn runs(state: &Path, args: &[&str]) -> Run {
    let all = [&["runs"][..], args].concat();
    sleipnir_env(Path::new("."), &all, &with_state(state, &[]))
}

fn with_state<'a>(state: &'a Path, env: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = env.to_vec();
    all.push((STATE_DIR_VAR, state.to_str().expect("a UTF-8 path")));
    all
}

/// Wait until a run's claim is in `state` and it has logged in.
fn wait_for_claim(state: &Path, sim: &Simulator, logins_before: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let claimed = || {
        std::fs::read_dir(state.join("claims")).is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json")))
        })
    };
    while !(claimed() && logins(sim) > logins_before) {
        assert!(Instant::now() < deadline, "the run did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(child: Child) -> (i32, String) {
    let output = child.wait_with_output().expect("sleipnir ends");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

const SLOW: [&str; 3] = ["--concurrency", "1", "--no-bulk-writes"];

#[test]
fn a_run_on_users_another_run_is_changing_is_refused_and_disjoint_users_go_ahead() {
    let sim = simulator(40, Duration::from_millis(100));
    let work = workdir();
    let (dir, state) = (work.path(), work.path().join("state"));
    let first_sheet = sheet(dir, "first.csv", 1..=20, 7000);
    let overlapping = sheet(dir, "overlap.csv", 14..=30, 8000);
    let disjoint = sheet(dir, "disjoint.csv", 21..=30, 9000);

    let logged = logins(&sim);
    let mut first = start(
        dir,
        &state,
        &sim,
        &[&["apply", &first_sheet, "--out", "first"][..], &SLOW].concat(),
    );
    wait_for_claim(&state, &sim, logged);

    let before = logins(&sim);
    let refused = run(
        dir,
        &state,
        &sim,
        &["apply", &overlapping, "--out", "overlap"],
    );
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    let stderr = &refused.stderr;
    assert!(stderr.contains("7 users (`user00014@"), "{stderr}");
    assert!(stderr.contains("and 2 more)"), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {} of ", first.id())),
        "{stderr}"
    );
    assert!(stderr.contains("first`, sheet `first.csv`"), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    assert_eq!(logins(&sim), before, "the refused run logged in");
    assert!(
        !dir.join("overlap").exists(),
        "the refused run left a directory"
    );

    // Users no other run is changing: side by side with the first.
    let side = run(
        dir,
        &state,
        &sim,
        &["apply", &disjoint, "--out", "disjoint"],
    );
    assert_eq!(side.code, 0, "{}", side.transcript());
    assert!(
        first.try_wait().expect("wait").is_none(),
        "the first run ended too soon: the test proves nothing"
    );
    let (code, text) = finish(first);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        sim.state(&user_id(21)).unwrap()["user"]["extension"],
        "9021"
    );

    // Once the first has ended, its users are free again.
    let after = run(
        dir,
        &state,
        &sim,
        &["apply", &overlapping, "--out", "overlap"],
    );
    assert_eq!(after.code, 0, "{}", after.transcript());
    // Every run is in the history, the refused one with its exit code.
    let listed = runs(&state, &["--format", "json"]);
    let codes: Vec<u64> = listed
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["exit_code"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(codes, [2, 0, 0, 0], "{}", listed.stdout);
    // The refused run made no directory, and names none: the history verifies, and only the
    // run that made `overlap` names it.
    let verified = runs(&state, &["verify"]);
    assert_eq!(verified.code, 0, "{}", verified.transcript());
    let naming: Vec<bool> = listed
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["run_dir"].is_string())
        .collect();
    assert_eq!(naming, [false, true, true, true], "{}", listed.stdout);
}

#[test]
fn a_run_killed_with_sigkill_blocks_no_one() {
    let sim = simulator(20, Duration::from_millis(100));
    let work = workdir();
    let (dir, state) = (work.path(), work.path().join("state"));
    let sheet = sheet(dir, "sheet.csv", 1..=20, 7000);
    let logged = logins(&sim);
    let mut first = start(
        dir,
        &state,
        &sim,
        &[&["apply", &sheet, "--out", "killed"][..], &SLOW].concat(),
    );
    wait_for_claim(&state, &sim, logged);
    first.kill().expect("SIGKILL");
    first.wait().expect("the run ends");
    // Its claim is still on disk, its lock released by the kernel.
    assert!(std::fs::read_dir(state.join("claims")).unwrap().count() > 0);
    let next = run(dir, &state, &sim, &["apply", &sheet, "--out", "next"]);
    assert_eq!(next.code, 0, "{}", next.transcript());
}

#[test]
fn runs_user_lists_an_apply_and_its_rollback_with_before_and_after() {
    let sim = simulator(5, Duration::ZERO);
    let work = workdir();
    let (dir, state) = (work.path(), work.path().join("state"));
    let sheet = sheet(dir, "wave1.csv", 1..=3, 7100);
    let before = sim.state(&user_id(2)).unwrap()["user"]["extension"].clone();
    let applied = run(
        dir,
        &state,
        &sim,
        &["apply", &sheet, "--out", "wave1", "--reason", "CHG-42"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    let undone = run(
        dir,
        &state,
        &sim,
        &["rollback", "wave1", "--out", "undo1", "--reason", "CHG-43"],
    );
    assert_eq!(undone.code, 0, "{}", undone.transcript());

    // The run's files say when each line was written, and who wrote the run.
    let journal = std::fs::read_to_string(dir.join("wave1/journal.jsonl")).unwrap();
    for line in journal.lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            line["at"].as_str().is_some_and(|at| at.ends_with('Z')),
            "{line}"
        );
    }
    let results = crate::support::results(&dir.join("wave1"));
    assert!(
        results
            .iter()
            .all(|r| r.get(11).is_some_and(|at| at.ends_with('Z')))
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("wave1/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["sleipnirVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        summary["source"]["odin_user"],
        sleipnir::sim::DEFAULT_USERNAME
    );

    let who = runs(&state, &["user", &user_id(2)]);
    assert_eq!(who.code, 0, "{}", who.transcript());
    let text = &who.stdout;
    let apply_at = text.find("apply").expect(text);
    let rollback_at = text.find("rollback").expect(text);
    assert!(apply_at < rollback_at, "{text}");
    let forth = format!("extension: {before} → \"7102\"");
    let back = format!("extension: \"7102\" → {before}");
    assert!(text[apply_at..rollback_at].contains(&forth), "{text}");
    assert!(text[rollback_at..].contains(&back), "{text}");
    assert!(
        text.contains("wave1.csv") && text.contains("rollback.jsonl"),
        "{text}"
    );
    assert!(
        text.contains(&format!("as {}", sleipnir::sim::DEFAULT_USERNAME)),
        "{text}"
    );

    let listed = runs(&state, &["--format", "json", "--since", "1d"]);
    let lines: Vec<serde_json::Value> = listed
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", listed.stdout);
    assert_eq!(lines[0]["reason"], "CHG-42");
    assert_eq!(lines[1]["command"], "rollback");
    assert_eq!(lines[0]["outcome"]["changed"], 3);
    let other = runs(&state, &["--target", "https://odin.example.net/api/v2"]);
    assert!(other.stdout.starts_with("no runs in "), "{}", other.stdout);
    let here = runs(&state, &["--target", &format!("{}/", sim.base_url())]);
    assert_eq!(here.stdout.lines().count(), 2, "{}", here.stdout);
    let as_json = runs(&state, &["user", &user_id(2), "--format", "json"]);
    let first: serde_json::Value =
        serde_json::from_str(as_json.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["changes"][0]["after"]["extension"], "7102");
    let id = lines[1]["id"].as_str().unwrap();
    let shown = runs(&state, &["show", id]);
    assert!(shown.stdout.contains("CHG-43"), "{}", shown.transcript());

    assert_eq!(runs(&state, &["verify"]).code, 0);
    let history = state.join("runs.jsonl");
    let text = std::fs::read_to_string(&history).unwrap();
    std::fs::write(&history, text.replacen("CHG-42", "CHG-40", 1)).unwrap();
    let verified = runs(&state, &["verify"]);
    assert_eq!(verified.code, 1, "{}", verified.transcript());
    assert!(
        verified.stdout.contains("line 2 does not follow line 1"),
        "{}",
        verified.stdout
    );
}

#[test]
fn a_state_directory_that_cannot_be_written_is_a_warning_not_a_failure() {
    let sim = simulator(3, Duration::ZERO);
    let work = workdir();
    let dir = work.path();
    // A file where the state directory would be: nothing can be made in it.
    let state = dir.join("not-a-dir");
    std::fs::write(&state, "").unwrap();
    let sheet = sheet(dir, "sheet.csv", 1..=3, 7000);
    let applied = run(
        dir,
        &state.join("state"),
        &sim,
        &["apply", &sheet, "--out", "run"],
    );
    assert_eq!(applied.code, 0, "{}", applied.transcript());
    assert!(
        applied
            .stderr
            .contains("other runs on this target cannot see this one"),
        "{}",
        applied.stderr
    );
    assert!(
        applied
            .stderr
            .contains("this command is not in the history"),
        "{}",
        applied.stderr
    );
    assert_eq!(sim.state(&user_id(3)).unwrap()["user"]["extension"], "7003");
}

#[test]
fn every_command_that_talks_to_a_target_is_in_the_history_and_no_secret_is() {
    let sim = simulator(4, Duration::ZERO);
    let work = workdir();
    let (dir, state) = (work.path(), work.path().join("state"));
    let sheet = sheet(dir, "sheet.csv", 1..=2, 7000);
    let target = sim.base_url();
    let env = with_state(&state, &LOGIN);
    let read = |args: &[&str]| {
        let all = [
            args,
            &["--target", &target, "--rate", "500", "--reason", "CHG-7"],
        ]
        .concat();
        sleipnir_env(dir, &all, &env)
    };
    assert_eq!(read(&["plan", &sheet]).code, 0);
    assert_eq!(read(&["check"]).code, 0);
    let exported = read(&[
        "export",
        "--group",
        &format!(
            "{}/{}",
            sleipnir::sim::SERVICE_PROVIDER,
            sleipnir::sim::group_id(1)
        ),
        "--columns",
        "user.extension",
        "--out",
        "out.csv",
    ]);
    assert_eq!(exported.code, 0, "{}", exported.transcript());
    // Offline, nothing is recorded: it talked to no target.
    assert_eq!(sleipnir_env(dir, &["plan", &sheet], &env).code, 0);

    let listed = runs(&state, &["--format", "json"]);
    let lines: Vec<serde_json::Value> = listed
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let commands: Vec<&str> = lines
        .iter()
        .map(|l| l["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["plan", "check", "export"], "{}", listed.stdout);
    for line in &lines {
        assert_eq!(line["reason"], "CHG-7");
        assert_eq!(line["odin_user"], sleipnir::sim::DEFAULT_USERNAME);
        assert_eq!(line["version"], env!("CARGO_PKG_VERSION"));
        assert!(
            line["command_line"]
                .as_str()
                .unwrap()
                .starts_with("sleipnir ")
        );
    }
    assert_eq!(lines[0]["sheet"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(lines[0]["outcome"]["users"], 2);
    let history = std::fs::read_to_string(state.join("runs.jsonl")).unwrap();
    assert!(!history.contains(sleipnir::sim::DEFAULT_PASSWORD));
    // The files are the owner's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&state.join("runs.jsonl")), 0o600);
    }
}
