//! `apply --resume` after SIGKILL at any moment.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use sleipnir::sim::{FaultConfig, SimConfig, user_id};

use crate::sim_support::odin;
use crate::support::{LOGIN, sleipnir_env, workdir};

/// (user, step, state) of every journal line.
fn journal(run: &Path) -> Vec<(String, u64, String)> {
    std::fs::read_to_string(run.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .map(|e| {
            (
                e["userId"].as_str().unwrap_or_default().to_string(),
                e["step"].as_u64().unwrap_or(u64::MAX),
                e["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Steps whose last journal state is finished.
fn finished(lines: &[(String, u64, String)]) -> HashSet<(String, u64)> {
    let mut last = std::collections::HashMap::new();
    for (user, step, state) in lines {
        last.insert((user.clone(), *step), state.as_str());
    }
    last.into_iter()
        .filter(|(_, state)| matches!(*state, "applied" | "unchanged"))
        .map(|(key, _)| key)
        .collect()
}

fn sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from(
        "userId,services.assign,user.extension,policy.clidPolicy,settings.Call Forwarding Always.isActive,settings.Do Not Disturb.isActive\n",
    );
    for n in 1..=users {
        let assign = if n % 3 == 0 { "Sequential Ring" } else { "" };
        text.push_str(&format!(
            "{},{assign},{},Use DN,{},{}\n",
            user_id(n),
            8000 + n,
            n % 2 == 0,
            n % 3 == 0
        ));
    }
    let path = dir.join("sheet.csv");
    std::fs::write(&path, text).expect("sheet");
    path.to_string_lossy().into_owned()
}

/// User ids only, the same change for everyone: the users are placed in their groups and
/// written with bulk writes (a time zone; Call Recording and Call Forwarding Always fields).
fn bulk_sheet(dir: &Path, users: usize) -> String {
    let mut text = String::from(
        "userId,user.timeZone,settings.Call Recording.recordingOption,settings.Call Forwarding Always.isRingSplashActive\n",
    );
    for n in 1..=users {
        text.push_str(&format!("{},Europe/Oslo,Always,true\n", user_id(n)));
    }
    let path = dir.join("sheet.csv");
    std::fs::write(&path, text).expect("sheet");
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_to_the_planned_state_and_roll_back_exactly() {
    killed_runs_resume(sheet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_bulk_writes_resume_to_the_planned_state_and_roll_back_exactly() {
    killed_runs_resume(bulk_sheet).await;
}

/// Kill an apply of `sheet` four times at seeded moments, resume it to the end, and check
/// the state, the record and the rollback.
async fn killed_runs_resume(sheet: fn(&Path, usize) -> String) {
    const USERS: usize = 500;
    let odin = odin(SimConfig {
        users: USERS,
        faults: FaultConfig {
            latency: Duration::from_millis(15),
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let work = workdir();
    let dir = work.path();
    let sheet = sheet(dir, USERS);
    let target = odin.sim.base_url();
    let mut before = Vec::new();
    for n in 1..=USERS {
        before.push(odin.state(&user_id(n)).await);
    }
    let run = dir.join("run");
    // Seeded kill moments: every attempt is killed somewhere between 0.3 s and 1.3 s in.
    let moments = crate::support::kill_moments(0x5eed, 4, 300, 1000);
    for (attempt, delay) in moments.into_iter().enumerate() {
        let earlier = journal(&run);
        let done = finished(&earlier);
        let args = crate::support::resumable_apply(dir, &sheet, &target, 16);
        let at = dir.to_path_buf();
        tokio::task::spawn_blocking(move || crate::support::kill_after(&at, &args, delay))
            .await
            .expect("the kill");
        let now = journal(&run);
        let resent: Vec<_> = now[earlier.len().min(now.len())..]
            .iter()
            .filter(|(u, s, state)| state == "writing" && done.contains(&(u.clone(), *s)))
            .collect();
        assert!(
            resent.is_empty(),
            "attempt {attempt} wrote finished steps again: {resent:?}"
        );
    }
    let earlier = journal(&run);
    let done = finished(&earlier);
    let args = crate::support::resumable_apply(dir, &sheet, &target, 16);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let last = sleipnir_env(dir, &args, &LOGIN);
    assert_eq!(last.code, 0, "{}", last.transcript());
    let now = journal(&run);
    assert!(
        now[earlier.len()..]
            .iter()
            .all(|(u, s, state)| state != "writing" || !done.contains(&(u.clone(), *s)))
    );

    // Every user holds what the sheet asks, and results.csv has one line per user and step.
    let check = dir.join("check.jsonl");
    let planned = sleipnir_env(
        dir,
        &["plan", &sheet, "--out", check.to_str().expect("path"), "-q"],
        &[],
    );
    assert_eq!(planned.code, 0);
    let plan = sleipnir::plan::file::read(&check).expect("plan");
    for user in &plan.users {
        let state = odin.state(&user.user_id).await;
        let wrong = sleipnir::apply::verify::mismatches(user, &state);
        assert!(wrong.is_empty(), "{}: {wrong:?}", user.user_id);
    }
    let lines = csv::Reader::from_path(run.join("results.csv"))
        .expect("results")
        .records()
        .count();
    assert_eq!(
        lines,
        plan.users.iter().map(|u| u.steps.len()).sum::<usize>()
    );

    // The rollback restores every user exactly as before the first attempt.
    let undo = sleipnir_env(
        dir,
        &[
            "rollback",
            "run",
            "--target",
            &target,
            "--yes",
            "-q",
            "--rate",
            "2000",
            "--concurrency",
            "16",
            "--out",
            "undo",
        ],
        &LOGIN,
    );
    assert_eq!(undo.code, 0, "{}", undo.transcript());
    for n in 1..=USERS {
        assert_eq!(odin.state(&user_id(n)).await, before[n - 1], "user {n}");
    }
    // The record counts every write once: what the run says it applied, user by user and
    // resource by resource, is exactly what its rollback had to undo (a write that landed
    // before a kill is `applied`, never `unchanged`).
    let applied = |dir: &Path| -> std::collections::BTreeSet<(String, String)> {
        csv::Reader::from_path(dir.join("results.csv"))
            .expect("results")
            .records()
            .map(|r| r.expect("record"))
            .filter(|r| &r[3] == "applied")
            .map(|r| (r[1].to_string(), r[2].to_string()))
            .collect()
    };
    let (done, undone) = (applied(&run), applied(&dir.join("undo")));
    assert_eq!(
        done.symmetric_difference(&undone).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "applied {} user × resource, undid {}",
        done.len(),
        undone.len()
    );
}

#[test]
fn a_resume_with_another_sheet_is_refused() {
    let work = workdir();
    let dir = work.path();
    let first = sheet(dir, 3);
    std::fs::create_dir(dir.join("run")).expect("dir");
    std::fs::write(
        dir.join("run/rollback.jsonl"),
        "{\"sleipnir\":\"plan\",\"version\":1,\"source\":\"rollback of other.csv\",\"sha256\":\"00\"}\n",
    )
    .expect("write");
    std::fs::write(dir.join("run/journal.jsonl"), "").expect("write");
    let run = sleipnir_env(
        dir,
        &[
            "apply",
            &first,
            "--target",
            "http://127.0.0.1:9/api/v2",
            "--yes",
            "--resume",
            "run",
        ],
        &LOGIN,
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("is a run of another sheet (sha256 00)"),
        "{}",
        run.stderr
    );
}

/// A run is resumed only as it started: the same worksheet, mapping and handling of hidden
/// rows. Another would mix two plans in one run (the second half of the users given another
/// worksheet's values).
#[test]
fn a_run_resumes_only_with_the_worksheet_mapping_and_hidden_rows_it_started_with() {
    let sim = sleipnir::sim::Simulator::start(
        SimConfig {
            users: 4,
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator");
    let work = workdir();
    let dir = work.path();
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, extension) in [("Wave 1", 3000), ("Wave 2", 4000)] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).expect("name");
        sheet.write_string(0, 0, "userId").expect("cell");
        sheet.write_string(0, 1, "user.extension").expect("cell");
        for n in 1..=4u32 {
            sheet.write_string(n, 0, user_id(n as usize)).expect("cell");
            sheet
                .write_string(n, 1, (extension + n).to_string())
                .expect("cell");
        }
        if name == "Wave 2" {
            sheet.set_row_hidden(4).expect("hidden");
        }
    }
    book.save(dir.join("book.xlsx")).expect("saved");
    std::fs::write(dir.join("m.toml"), "[columns]\n").expect("mapping");
    let target = sim.base_url();
    let apply = |args: &[&str]| {
        let mut all = vec!["apply", "book.xlsx", "--target", &target, "--yes"];
        all.extend(args);
        sleipnir_env(dir, &all, &LOGIN)
    };
    let first = apply(&["--sheet", "Wave 1", "--out", "r"]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    for (args, run, now) in [
        (
            vec!["--sheet", "Wave 2", "--hidden-rows", "skip"],
            "worksheet `Wave 1`",
            "worksheet `Wave 2`",
        ),
        (
            vec!["--sheet", "Wave 1", "--mapping", "m.toml"],
            "no mapping",
            "mapping `m.toml`",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--resume", "r"]);
        let refused = apply(&all);
        assert_eq!(refused.code, 2, "{}", refused.transcript());
        let error = format!(
            "error: `r` read {run}, and this reads {now}; resume it as it started: \
             `sleipnir apply book.xlsx --sheet 'Wave 1' --resume r`\n"
        );
        assert!(refused.stderr.ends_with(&error), "{}", refused.stderr);
    }
    // The same mapping name with other content, and the lossy-values flag, are part of how
    // a run reads its sheet too.
    let mapped = apply(&["--sheet", "Wave 1", "--mapping", "m.toml", "--out", "m"]);
    assert_eq!(mapped.code, 0, "{}", mapped.transcript());
    std::fs::write(dir.join("m.toml"), "ignore = []\n[columns]\n").expect("mapping");
    let refused = apply(&["--sheet", "Wave 1", "--mapping", "m.toml", "--resume", "m"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("its content changed"),
        "{}",
        refused.stderr
    );
    let refused = apply(&["--sheet", "Wave 1", "--allow-lossy-values", "--resume", "r"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("read it without --allow-lossy-values, and this reads it with"),
        "{}",
        refused.stderr
    );
    // A run that left hidden rows out is resumed leaving them out.
    let skipped = apply(&["--sheet", "Wave 2", "--hidden-rows", "skip", "--out", "s"]);
    assert_eq!(skipped.code, 0, "{}", skipped.transcript());
    let refused = apply(&[
        "--sheet",
        "Wave 2",
        "--hidden-rows",
        "include",
        "--resume",
        "s",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(
            "read it with --hidden-rows skip, and this reads it with --hidden-rows include"
        ),
        "{}",
        refused.stderr
    );
    let resumed = apply(&[
        "--sheet",
        "Wave 2",
        "--hidden-rows",
        "skip",
        "--resume",
        "s",
    ]);
    assert_eq!(resumed.code, 0, "{}", resumed.transcript());
}
