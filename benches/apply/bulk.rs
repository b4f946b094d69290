//! The bulk-write figures of `cargo bench --bench apply` (issue: bulk writes):
//! - 40 users of one group given one identical settings change at `--rate 5`: requests and
//!   wall time with bulk writes, without them, and for odins_spear's loop (one PUT per
//!   user, nothing read) at the same rate; users/s of each.
//! - 2,000 users in 10 groups, one identical settings change, a sheet of user ids only:
//!   requests (per group per changed service) and the peak RSS of the release binary.
//! - The demo's sheet (user ids only): requests per user before (no placement, no group
//!   reads: `--group-read-max-age 0`) and after.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use sleipnir::apply::{self, ApplyOptions};
use sleipnir::odin::{ClientConfig, Credentials, OdinClient};
use sleipnir::resource::Resource;
use sleipnir::schema::Schema;
use sleipnir::sim::{self, SimConfig, Simulator, user_id};
use sleipnir::{plan, sheet};

use super::{apply_with, peak_rss_of_apply};

const CHANGE: &str = "settings.Call Recording.recordingOption";

fn plan_of(text: String) -> plan::Plan {
    let sheet = sheet::from_bytes(
        Path::new("bulk.csv"),
        text.into_bytes(),
        &Default::default(),
    )
    .unwrap();
    plan::build(&sheet, None, &Schema::builtin().unwrap()).unwrap()
}

/// `users` user ids, each given `Call Recording.recordingOption = Always`.
fn identical_change(users: usize) -> String {
    let mut text = format!("userId,{CHANGE}\n");
    for n in 1..=users {
        text.push_str(&format!("{},Always\n", user_id(n)));
    }
    text
}

/// [`identical_change`] with the users' group columns (all in one group).
fn identical_change_in_one_group(users: usize) -> String {
    let mut text = format!("userId,user.serviceProviderId,user.groupId,{CHANGE}\n");
    for n in 1..=users {
        text.push_str(&format!(
            "{},{},{},Always\n",
            user_id(n),
            sim::SERVICE_PROVIDER,
            sim::group_id(1)
        ));
    }
    text
}

fn simulator(users: usize, groups: usize) -> Simulator {
    Simulator::start(
        SimConfig {
            users,
            groups,
            ..SimConfig::default()
        },
        0,
    )
    .unwrap()
}

pub fn forty_users_one_group(runtime: &tokio::runtime::Runtime) {
    println!(
        "| 40 users of one group, one identical settings change, --rate 5 | requests | bulk writes | wall time | users/s |"
    );
    println!("|---|---:|---:|---:|---:|");
    let plan = plan_of(identical_change(40));
    let loop_users_per_second = {
        // odins_spear's loop: one PUT per user, at its 5 calls/s, nothing read.
        let simulator = simulator(40, 1);
        let config = ClientConfig {
            rate: 5.0,
            ..ClientConfig::new(simulator.base_url())
        };
        let login = Credentials::new(sim::DEFAULT_USERNAME, sim::DEFAULT_PASSWORD);
        let started = Instant::now();
        let client = runtime
            .block_on(OdinClient::connect(config, login))
            .unwrap();
        runtime.block_on(async {
            for n in 1..=40 {
                let body =
                    json!({"userId": user_id(n), "Call Recording": {"recordingOption": "Always"}});
                client
                    .write(Resource::Settings, &body)
                    .await
                    .result
                    .unwrap();
            }
        });
        let wall = started.elapsed().as_secs_f64();
        println!(
            "| one PUT per user (odins_spear's loop) | {} | 0 | {wall:.1} s | {:.1} |",
            client.counts().requests,
            40.0 / wall
        );
        40.0 / wall
    };
    let grouped = plan_of(identical_change_in_one_group(40));
    for (label, bulk_size, plan) in [
        ("sleipnir, --no-bulk-writes", 0, &plan),
        (
            "sleipnir, bulk writes, user ids only",
            apply::bulk::DEFAULT_BULK_SIZE,
            &plan,
        ),
        (
            "sleipnir, bulk writes, with the group columns",
            apply::bulk::DEFAULT_BULK_SIZE,
            &grouped,
        ),
    ] {
        let simulator = simulator(40, 1);
        let options = ApplyOptions {
            bulk_size,
            ..ApplyOptions::new(4)
        };
        let summary = apply_with(runtime, &simulator, plan, 5.0, options);
        let users_per_second = 40.0 / summary.wall_seconds;
        println!(
            "| {label} | {} | {} | {:.1} s | {users_per_second:.1} ({:.1}x the loop) |",
            summary.requests.requests,
            summary.requests.bulk_writes,
            summary.wall_seconds,
            users_per_second / loop_users_per_second,
        );
    }
}

pub fn two_thousand_users_ten_groups() {
    let Some(report) = peak_rss_of_apply(2_000, 10, &identical_change(2_000), &[]) else {
        return;
    };
    let requests = &report.summary["requests"];
    let count = |key: &str| requests[key].as_u64().unwrap_or(0);
    println!(
        "2,000 users in 10 groups, one identical settings change, user ids only: {} requests \
         ({} group reads, {} user reads, {} writes, {} bulk writes, {} logins) = {:.1} per group \
         per changed service; peak RSS {:.0} MB; {:.1} s; exit {}",
        count("requests"),
        count("groupReads"),
        count("userReads"),
        count("writes"),
        count("bulkWrites"),
        count("logins"),
        count("requests") as f64 / 10.0,
        report.peak_kb as f64 / 1024.0,
        report.seconds,
        report.code,
    );
}

pub fn demo_sheet(runtime: &tokio::runtime::Runtime) {
    let text = include_str!("../../examples/migration-200.csv").to_string();
    let plan = plan_of(text);
    for (label, max_age) in [
        (
            "before (no placement: --group-read-max-age 0)",
            Duration::ZERO,
        ),
        ("after", sleipnir::live::groups::DEFAULT_MAX_AGE),
    ] {
        let simulator = simulator(200, 4);
        let options = ApplyOptions {
            group_max_age: max_age,
            ..ApplyOptions::new(16)
        };
        let summary = apply_with(runtime, &simulator, &plan, 250.0, options);
        let r = &summary.requests;
        println!(
            "demo sheet (200 users, user ids only), {label}: {} requests = {:.2} per user \
             ({} group reads, {} user reads, {} writes, {} bulk writes)",
            r.requests,
            r.requests as f64 / 200.0,
            r.group_reads,
            r.user_reads,
            r.writes,
            r.bulk_writes,
        );
    }
}
