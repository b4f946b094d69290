//! `cargo bench --bench numbers`: 2,000 users in 10 groups each get a new number from the
//! enterprise's pool (not yet in their group) and have it activated, through the release
//! binary against the in-process simulator. Prints the requests by kind and, per group, the
//! group-level requests (reads and writes of the group's lists and listings) beyond the
//! users' own writes. Goal (issue 25): at most 3 group-level requests per group.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use sleipnir::sim::{SPARE_POOL, SimConfig, Simulator, group_id, user_id};

const USERS: usize = 2_000;
const GROUPS: usize = 10;

fn main() {
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let mut text = String::from("userId,user.phoneNumber,user.phoneNumberActivated\n");
    for (n, number) in (1..=USERS).zip(SPARE_POOL) {
        text.push_str(&format!("{},{number:010},true\n", user_id(n)));
    }
    std::fs::write(dir.path().join("numbers.csv"), text).expect("sheet");
    let target = sim.base_url();
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sleipnir"))
        .current_dir(dir.path())
        .env("SLEIPNIR_STATE_DIR", dir.path().join("state"))
        .env("SLEIPNIR_CONFIG", dir.path().join("targets.toml"))
        .env("ODIN_USERNAME", sleipnir::sim::DEFAULT_USERNAME)
        .env("ODIN_PASSWORD", sleipnir::sim::DEFAULT_PASSWORD)
        .args([
            "apply",
            "numbers.csv",
            "--target",
            &target,
            "--yes",
            "--rate",
            "100000",
        ])
        .args(["--concurrency", "32", "--out", "run"])
        .output()
        .expect("apply runs");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/summary.json")).expect("summary"),
    )
    .expect("json");
    println!("numbers: {USERS} users in {GROUPS} groups, a pool number each, activated");
    println!(
        "  wall {:.2} s; requests {}",
        wall.as_secs_f64(),
        summary["requests"]
    );
    let stats = sim.stats();
    let mut per_group: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for count in &stats.by_group {
        if count.path.contains("/auth/") || count.path.ends_with("/users") && count.method == "PUT"
        {
            continue;
        }
        *per_group
            .entry(count.group.clone())
            .or_default()
            .entry(format!(
                "{} {}",
                count.method,
                count.path.trim_start_matches("/api/v2")
            ))
            .or_default() += count.count;
    }
    for g in 1..=GROUPS {
        let group = group_id(g);
        let kinds = per_group.remove(&group).unwrap_or_default();
        let total: u64 = kinds.values().sum();
        println!("  {group}: {total} group-level requests {kinds:?}");
    }
    for (scope, kinds) in per_group {
        println!("  {scope}: {kinds:?}");
    }
}
