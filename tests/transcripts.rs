//! What the operator sees, snapshotted: `plan --target`, `apply` with a canary, `rollback`,
//! and the error paths of a run. Times, rates and ports are filtered out; everything else is
//! deterministic (a seeded simulator without faults, one user at a time).

use std::path::Path;

use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, sleipnir_env, workdir};

/// Replace what changes from run to run.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings.add_filter(r"in \d+\.\d s", "in [TIME] s");
    settings.add_filter(r"\(\d+\.\d/s,", "([RATE]/s,");
    settings
}

fn snapshot(name: &str, run: &Run) {
    settings().bind(|| insta::assert_snapshot!(name, run.transcript()));
}

/// Three users: an extension each, Do Not Disturb on the second, Call Forwarding Always on
/// the third.
fn sheet(dir: &Path) -> &'static str {
    let mut text = String::from(
        "userId,user.extension,settings.Do Not Disturb.isActive,settings.Call Forwarding Always.forwardToPhoneNumber\n",
    );
    text.push_str(&format!("{},2001,,\n", user_id(1)));
    text.push_str(&format!("{},2002,true,\n", user_id(2)));
    text.push_str(&format!("{},2003,,+15551230003\n", user_id(3)));
    std::fs::write(dir.join("wave.csv"), text).expect("sheet written");
    "wave.csv"
}

fn odin(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--concurrency", "1", "--rate", "500"]);
    sleipnir_env(dir, &all, &LOGIN)
}

fn simulator() -> Simulator {
    Simulator::start(
        SimConfig {
            users: 5,
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator")
}

#[test]
fn plan_target_canary_apply_and_rollback() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    let planned = odin(dir, &sim, &["plan", sheet, "--out", "wave.jsonl"]);
    snapshot("plan_target", &planned);
    // While the plan waits for review, someone changes the first user by hand.
    std::fs::write(
        dir.join("hand.csv"),
        format!("userId,user.extension\n{},4242\n", user_id(1)),
    )
    .expect("sheet");
    let by_hand = odin(dir, &sim, &["apply", "hand.csv", "--out", "hand", "--yes"]);
    assert_eq!(by_hand.code, 0, "{}", by_hand.transcript());
    let applied = odin(
        dir,
        &sim,
        &[
            "apply",
            "wave.jsonl",
            "--canary",
            "2",
            "--out",
            "run",
            "--yes",
        ],
    );
    snapshot("apply_canary", &applied);
    let again = odin(dir, &sim, &["apply", sheet, "--out", "again", "--yes"]);
    snapshot("apply_again_unchanged", &again);
    let undone = odin(dir, &sim, &["rollback", "run", "--out", "undo", "--yes"]);
    snapshot("rollback", &undone);
}

#[test]
fn run_error_paths() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir);
    std::fs::create_dir(dir.join("full")).expect("dir");
    std::fs::write(dir.join("full/x"), "").expect("file");
    std::fs::write(
        dir.join("other.csv"),
        format!("userId,user.extension\n{},1\n", user_id(1)),
    )
    .expect("sheet");
    let first = odin(dir, &sim, &["apply", "other.csv", "--out", "done", "--yes"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let cases: [(&str, Vec<&str>); 5] = [
        ("no_confirmation", vec!["apply", sheet]),
        (
            "occupied_out",
            vec!["apply", sheet, "--out", "full", "--yes"],
        ),
        (
            "resume_other_sheet",
            vec!["apply", sheet, "--resume", "done", "--yes"],
        ),
        ("rollback_not_a_run", vec!["rollback", "full", "--yes"]),
        ("invalid_sheet", vec!["apply", "missing.csv", "--yes"]),
    ];
    for (name, args) in cases {
        snapshot(name, &odin(dir, &sim, &args));
    }
    let refused = sleipnir_env(
        dir,
        &["apply", sheet, "--target", &sim.base_url(), "--yes"],
        &[
            ("ODIN_USERNAME", sleipnir::sim::DEFAULT_USERNAME),
            ("ODIN_PASSWORD", "not it"),
        ],
    );
    snapshot("login_refused", &refused);
}
