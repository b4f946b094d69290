//! Compensation across attempts: a user resumed after its first step was applied, whose next
//! step then fails for good, is undone whole, the earlier attempt's step included.

use std::path::Path;

use serde_json::{Value, json};
use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::sim_support::{Odin, odin};
use crate::support::{LOGIN, Run, results, sleipnir_env, workdir};

/// `sleipnir ARGS --target SIM --yes -q`.
fn sleipnir(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = args.to_vec();
    all.extend(["--target", &target, "--yes", "-q", "--rate", "500"]);
    sleipnir_env(dir, &all, &LOGIN)
}

fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("file")
        .lines()
        .map(|line| serde_json::from_str(line).expect("json line"))
        .collect()
}

/// Make the finished run in `run` look killed while `user`'s step `step` was being written:
/// the journal ends with that step `writing`, its results line and everything the end of a
/// run writes are gone.
fn kill_during(run: &Path, user: &str, step: u64) {
    let journal = run.join("journal.jsonl");
    let mut kept = String::new();
    for line in std::fs::read_to_string(&journal).expect("journal").lines() {
        let entry: Value = serde_json::from_str(line).expect("journal line");
        let ended = entry["userId"] == user && entry["step"] == step && entry["state"] != "writing";
        if !ended {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    std::fs::write(&journal, kept).expect("journal written");
    let resource = results(run)
        .iter()
        .filter(|r| &r[1] == user)
        .nth(step as usize)
        .map(|r| r[2].to_string())
        .expect("the step's results line");
    let text = std::fs::read_to_string(run.join("results.csv")).expect("results");
    let mine = format!(",{user},{resource},");
    let text: String = text
        .lines()
        .filter(|line| !line.contains(&mine))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(run.join("results.csv"), text).expect("results written");
    for file in ["summary.json", "results.xlsx", "report.html"] {
        let _ = std::fs::remove_file(run.join(file));
    }
}

/// Odin refuses user 1's settings by a rule no read shows: a sheet setting them fails
/// with a 400.
async fn settings_refused(odin: &Odin) {
    odin.sim.refuse_settings_of(&[user_id(1)]);
}

/// The last journal state of each (user, step).
fn last_states(run: &Path) -> std::collections::HashMap<(String, u64), String> {
    json_lines(&run.join("journal.jsonl"))
        .into_iter()
        .map(|e| {
            let key = (
                e["userId"].as_str().unwrap_or_default().to_string(),
                e["step"].as_u64().unwrap_or(u64::MAX),
            );
            (key, e["state"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_user_whose_next_step_fails_is_undone_across_attempts() {
    let odin = odin(SimConfig {
        users: 2,
        ..SimConfig::default()
    })
    .await;
    settings_refused(&odin).await;
    let work = workdir();
    let dir = work.path();
    let sheet = dir.join("s.csv");
    std::fs::write(
        &sheet,
        format!(
            "userId,user.extension,settings.Call Forwarding Always.forwardToPhoneNumber,settings.Do Not Disturb.isActive\n{},4001,+15557770001,true\n{},4002,,true\n",
            user_id(1),
            user_id(2)
        ),
    )
    .expect("sheet");
    let sheet = sheet.to_str().expect("path");
    let (alice, bob) = (user_id(1), user_id(2));
    let before = odin.state(&alice).await;

    // The first attempt writes step 1 (user) of user 1, and is killed while its step 2
    // (settings, which Odin refuses) is being written; user 2 finished.
    let first = sleipnir(
        dir,
        &odin.sim,
        &["apply", sheet, "--out", "run", "--no-compensate"],
    );
    assert_eq!(first.code, 1, "{}", first.transcript());
    let run = dir.join("run");
    kill_during(&run, &alice, 1);
    assert_eq!(odin.state(&alice).await["user"]["extension"], json!("4001"));
    let kept: Vec<_> = results(&run).iter().map(|r| r[3].to_string()).collect();
    assert_eq!(kept, ["applied", "applied", "applied"]);

    let resumed = sleipnir(dir, &odin.sim, &["apply", sheet, "--resume", "run"]);
    assert_eq!(resumed.code, 1, "{}", resumed.transcript());
    // The step of the earlier attempt is undone too: user 1 is as before the first attempt.
    assert_eq!(odin.state(&alice).await, before);
    let lines = results(&run);
    let of = |user: &str| -> Vec<(String, String, String)> {
        lines
            .iter()
            .filter(|r| &r[1] == user)
            .map(|r| (r[2].to_string(), r[3].to_string(), r[10].to_string()))
            .collect()
    };
    assert_eq!(lines.len(), 4, "one line per user and step: {lines:?}");
    let alice_lines = of(&alice);
    assert_eq!(alice_lines.len(), 2);
    assert_eq!(
        (alice_lines[0].0.as_str(), alice_lines[0].1.as_str()),
        ("user", "compensated")
    );
    assert_eq!(alice_lines[0].2, "undone because step 2 (settings) failed");
    assert_eq!(
        (alice_lines[1].0.as_str(), alice_lines[1].1.as_str()),
        ("settings", "failed")
    );
    assert!(of(&bob).iter().all(|(_, status, _)| status == "applied"));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).expect("summary"))
            .expect("summary json");
    assert_eq!(
        summary["steps"],
        json!({"applied": 2, "unchanged": 0, "failed": 1, "skipped": 0, "compensated": 1, "drifted": 0, "deferred": 0})
    );
    let states = last_states(&run);
    assert_eq!(states[&(alice.clone(), 0)], "compensated");
    // failed.jsonl redoes the whole user.
    let failed = lines_of_user(&run.join("failed.jsonl"), &alice);
    let resources: Vec<&str> = failed["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["resource"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(resources, ["user", "settings"]);

    // Killed before the end of the run rewrote results.csv, the line of step 1 would still
    // say `applied`: resumed once more, user 1 starts again at its first step anyway (the
    // journal says step 1 was undone), gets no second rollback entry, and ends undone
    // again; the files agree.
    let text = std::fs::read_to_string(run.join("results.csv")).expect("results");
    let text = text.replace(
        &format!(",{alice},user,compensated,"),
        &format!(",{alice},user,applied,"),
    );
    std::fs::write(run.join("results.csv"), text).expect("results written");
    std::fs::remove_file(run.join("summary.json")).expect("summary removed");
    let again = sleipnir(dir, &odin.sim, &["apply", sheet, "--resume", "run"]);
    assert_eq!(again.code, 1, "{}", again.transcript());
    assert_eq!(odin.state(&alice).await, before);
    let rewrites = json_lines(&run.join("journal.jsonl"))
        .iter()
        .filter(|e| e["userId"] == alice && e["step"] == 0 && e["state"] == "writing")
        .count();
    assert_eq!(
        rewrites, 2,
        "step 1 written by the first and the last attempt"
    );
    let entries = json_lines(&run.join("rollback.jsonl"));
    assert_eq!(entries.iter().filter(|e| e["userId"] == alice).count(), 1);
    let lines = results(&run);
    assert_eq!(lines.len(), 4, "{lines:?}");
    let statuses: Vec<_> = lines
        .iter()
        .filter(|r| r[1] == alice)
        .map(|r| r[3].to_string())
        .collect();
    assert_eq!(statuses, ["compensated", "failed"]);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).expect("summary"))
            .expect("summary json");
    assert_eq!(summary["steps"]["compensated"], json!(1));
    assert_eq!(summary["steps"]["applied"], json!(2));

    // And the rollback of the run restores exactly the state from before it.
    let rollback = sleipnir(dir, &odin.sim, &["rollback", "run", "--out", "undo"]);
    assert_eq!(rollback.code, 0, "{}", rollback.transcript());
    assert_eq!(odin.state(&alice).await, before);
}

/// `user`'s entry in the plan file at `path`.
fn lines_of_user(path: &Path, user: &str) -> Value {
    json_lines(path)
        .into_iter()
        .find(|e| e["userId"] == user)
        .expect("the user's entry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_of_earlier_attempts_is_undone_services_included() {
    let odin = odin(SimConfig {
        users: 1,
        ..SimConfig::default()
    })
    .await;
    settings_refused(&odin).await;
    let work = workdir();
    let dir = work.path();
    let sheet = dir.join("s.csv");
    std::fs::write(
        &sheet,
        format!(
            "userId,services.assign,user.extension,settings.Call Forwarding Always.forwardToPhoneNumber\n{},Sequential Ring,4001,+15557770001\n",
            user_id(1)
        ),
    )
    .expect("sheet");
    let sheet = sheet.to_str().expect("path");
    let alice = user_id(1);
    let before = odin.state(&alice).await;

    // Sequential Ring assigned and the extension set, then killed during the settings step.
    let first = sleipnir(
        dir,
        &odin.sim,
        &["apply", sheet, "--out", "run", "--no-compensate"],
    );
    assert_eq!(first.code, 1, "{}", first.transcript());
    let run = dir.join("run");
    kill_during(&run, &alice, 2);
    assert_ne!(odin.state(&alice).await, before);

    let resumed = sleipnir(dir, &odin.sim, &["apply", sheet, "--resume", "run"]);
    assert_eq!(resumed.code, 1, "{}", resumed.transcript());
    assert_eq!(odin.state(&alice).await, before);
    let lines = results(&run);
    let got: Vec<(&str, &str, &str)> = lines.iter().map(|r| (&r[2], &r[3], &r[10])).collect();
    let undone = "undone because step 3 (settings) failed";
    assert_eq!(
        got,
        [
            ("services", "compensated", undone),
            ("user", "compensated", undone),
            (
                "settings",
                "failed",
                "HTTP 400: the settings of user `user00001@sim.example.net` break a rule of this server (--refuse-settings-of)"
            ),
        ]
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).expect("summary"))
            .expect("summary json");
    assert_eq!(
        summary["steps"],
        json!({"applied": 0, "unchanged": 0, "failed": 1, "skipped": 0, "compensated": 2, "drifted": 0, "deferred": 0})
    );
    let failed = lines_of_user(&run.join("failed.jsonl"), &alice);
    assert_eq!(failed["steps"].as_array().map(Vec::len), Some(3));
}
