//! A server that asks for a pause longer than `--max-wait`: the run stops starting users,
//! holds back (never fails) the requests that were told to wait, and `--resume` continues it
//! until every user is done.

use std::time::Duration;

use serde_json::Value;
use sleipnir::sim::{FaultConfig, SimConfig, Simulator, user_id};

use crate::support::{LOGIN, results, sleipnir_env, workdir};

#[test]
fn a_pause_past_max_wait_stops_the_run_and_resume_finishes_it() {
    const USERS: usize = 12;
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            faults: FaultConfig {
                // Each attempt reads before its first write (the placement, the group
                // listings saying who holds the extensions the sheet gives, the group
                // reads): a window of 12 leaves it a few writes.
                rate_limit: Some(12),
                // It asks for two minutes: more than this run waits.
                retry_after: Some(Duration::from_secs(120)),
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let work = workdir();
    let dir = work.path();
    let mut text = String::from("userId,user.extension\n");
    for n in 1..=USERS {
        text.push_str(&format!("{},{}\n", user_id(n), 7000 + n));
    }
    std::fs::write(dir.join("s.csv"), text).expect("sheet");
    let target = sim.base_url();
    let run = |resume: bool| {
        let mut args = vec!["apply", "s.csv", "--target", &target, "--yes"];
        args.extend(["--rate", "100", "--concurrency", "2", "--max-wait", "5"]);
        args.extend(if resume {
            ["--resume", "run"]
        } else {
            ["--out", "run"]
        });
        sleipnir_env(dir, &args, &LOGIN)
    };
    let first = run(false);
    assert_eq!(first.code, 1, "{}", first.transcript());
    assert!(
        first.stdout.contains(
            "lower --rate meets fewer 429s) with: sleipnir apply s.csv --resume run --target"
        ),
        "{}",
        first.stdout
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(summary["resumable"], true);
    assert!(
        summary["stoppedBy"]
            .as_str()
            .is_some_and(|s| s.contains("longer than --max-wait 5 s")),
        "{summary}"
    );
    // Nothing failed: the users told to wait are skipped, for --resume.
    let lines = results(&dir.join("run"));
    assert!(lines.iter().all(|l| &l[3] != "failed"), "{lines:?}");
    assert!(lines.iter().any(|l| &l[3] == "skipped"));
    // The server's window empties within a second; each resume gets further.
    let mut attempts = 1;
    loop {
        std::thread::sleep(Duration::from_millis(1100));
        let next = run(true);
        attempts += 1;
        if next.code == 0 {
            break;
        }
        assert_eq!(next.code, 1, "{}", next.transcript());
        assert!(
            attempts < 20,
            "resumed {attempts} times: {}",
            next.transcript()
        );
    }
    for n in 1..=USERS {
        let state = sim.state(&user_id(n)).expect("user");
        assert_eq!(
            state["user"]["extension"],
            (7000 + n).to_string(),
            "user {n}"
        );
    }
    let lines = results(&dir.join("run"));
    assert_eq!(lines.len(), USERS);
    assert!(lines.iter().all(|l| &l[3] == "applied"), "{lines:?}");
    // The summary counts every attempt's requests, not the last one's.
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(
        summary["requests"]["throttled"],
        sim.stats().rate_limited,
        "{summary}"
    );
}
