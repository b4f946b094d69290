//! `cargo bench --bench members`: 1,000 users of one group are each added to one of its 5
//! hunt groups (200 each), through the release binary against the in-process simulator.
//! Prints the requests by kind and the group-level requests (the hunt groups' listing, each
//! list's read and write) beyond the users' own steps. Goal (issue 26): 2 per list.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use sleipnir::sim::{SimConfig, Simulator, group_id, hunt_group_id, user_id};

const USERS: usize = 1_000;
const LISTS: usize = 5;

fn main() {
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: 1,
            hunt_groups: LISTS,
            ..SimConfig::default()
        },
        0,
    )
    .expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let mut text = String::from("userId,huntGroups.add\n");
    for n in 1..=USERS {
        text.push_str(&format!(
            "{},{}\n",
            user_id(n),
            hunt_group_id((n - 1) % LISTS + 1, 1)
        ));
    }
    std::fs::write(dir.path().join("members.csv"), text).expect("sheet");
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
            "members.csv",
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
    println!("members: {USERS} users of one group, each added to one of {LISTS} hunt groups");
    println!(
        "  wall {:.2} s; requests {}",
        wall.as_secs_f64(),
        summary["requests"]
    );
    let stats = sim.stats();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for count in &stats.by_group {
        if count.group != group_id(1) || count.path.contains("/auth/") {
            continue;
        }
        *kinds
            .entry(format!(
                "{} {}",
                count.method,
                count.path.trim_start_matches("/api/v2")
            ))
            .or_default() += count.count;
    }
    let lists: u64 = kinds
        .iter()
        .filter(|(kind, _)| kind.contains("/groups/hunt-groups"))
        .map(|(_, n)| n)
        .sum();
    println!("  group-level requests {kinds:?}");
    println!(
        "  hunt group requests {lists} for {LISTS} lists ({:.1} per list, the group's listing included)",
        lists as f64 / LISTS as f64
    );
    for count in stats.requests.iter().filter(|c| !c.path.contains("/auth/")) {
        println!(
            "  {} {} {}: {}",
            count.method, count.path, count.status, count.count
        );
    }
}
