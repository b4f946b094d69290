//! `cargo bench --bench apply`: apply a 2,000-user sheet to the simulator at 50 ms latency,
//! no rate limit, at concurrency 1, 8, 32 and 128; print requests/s and wall time for each.
//! `SLEIPNIR_BENCH_CONCURRENCY=8,32` runs only those (concurrency 1 takes minutes).
//!
//! Then rate fidelity: 200 users at `--rate 20`, no latency, concurrency 8: the achieved rate
//! (target: at least 95% of 20/s) and the most requests the simulator saw in one second
//! (target: at most 22). `SLEIPNIR_BENCH_CONCURRENCY=none` skips the concurrency table.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sleipnir::apply::{self, ApplyOptions, Unwatched, ledger::Ledger};
use sleipnir::odin::{ClientConfig, Credentials, OdinClient};
use sleipnir::schema::Schema;
use sleipnir::sim::{self, FaultConfig, SimConfig, Simulator, user_id};
use sleipnir::{plan, sheet};

const USERS: usize = 2_000;

fn sheet_text() -> String {
    let mut text = String::from(
        "userId,user.extension,settings.Call Forwarding Always.isActive,settings.Call Forwarding Always.forwardToPhoneNumber,settings.Do Not Disturb.isActive\n",
    );
    for n in 1..=USERS {
        text.push_str(&format!(
            "{},{},true,+1555888{n:04},{}\n",
            user_id(n),
            5000 + n,
            n % 2 == 0
        ));
    }
    text
}

fn main() {
    sleipnir::odin::install_crypto();
    let levels: Vec<usize> = std::env::var("SLEIPNIR_BENCH_CONCURRENCY")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 8, 32, 128]);
    let sheet = sheet::from_bytes(Path::new("bench.csv"), sheet_text().into_bytes(), None).unwrap();
    let plan = plan::build(&sheet, None, &Schema::builtin().unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if !levels.is_empty() {
        println!("{USERS} users, 50 ms latency, no rate limit");
        println!("| concurrency | wall time | requests | requests/s | applied steps |");
        println!("|---:|---:|---:|---:|---:|");
    }
    for concurrency in levels {
        let simulator = Simulator::start(
            SimConfig {
                users: USERS,
                groups: 10,
                faults: FaultConfig {
                    latency: Duration::from_millis(50),
                    ..FaultConfig::default()
                },
                ..SimConfig::default()
            },
            0,
        )
        .unwrap();
        let summary = apply_to(&runtime, &simulator, &plan, 1_000_000.0, concurrency);
        assert_eq!(summary.steps.failed, 0);
        println!(
            "| {concurrency} | {:.1} s | {} | {:.0} | {} |",
            summary.wall_seconds,
            summary.requests.requests,
            summary.request_rate,
            summary.steps.applied
        );
    }
    rate_fidelity(&runtime, &plan);
}

/// 200 users at 20 requests/s against a simulator with no latency.
fn rate_fidelity(runtime: &tokio::runtime::Runtime, plan: &plan::Plan) {
    let mut plan = plan.clone();
    plan.users.truncate(200);
    let simulator = Simulator::start(
        SimConfig {
            users: 200,
            ..SimConfig::default()
        },
        0,
    )
    .unwrap();
    let summary = apply_to(runtime, &simulator, &plan, 20.0, 8);
    let stats: sim::StatsReport = runtime.block_on(async {
        reqwest::get(simulator.url("/__sim/stats"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    println!(
        "rate fidelity at --rate 20: {} requests in {:.1} s = {:.2} requests/s ({:.1}% of 20); \
         at most {} in any one second",
        summary.requests.requests,
        summary.wall_seconds,
        summary.request_rate,
        summary.request_rate / 20.0 * 100.0,
        stats.max_requests_per_second
    );
}

/// Apply `plan` to `simulator` at `rate` requests/s with `concurrency` users at once.
fn apply_to(
    runtime: &tokio::runtime::Runtime,
    simulator: &Simulator,
    plan: &plan::Plan,
    rate: f64,
    concurrency: usize,
) -> apply::Summary {
    let config = ClientConfig {
        rate,
        ..ClientConfig::new(simulator.base_url())
    };
    let login = Credentials::new(sim::DEFAULT_USERNAME, sim::DEFAULT_PASSWORD);
    let client = Arc::new(
        runtime
            .block_on(OdinClient::connect(config, login))
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::create(&dir.path().join("run"), &plan.source).unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    runtime
        .block_on(apply::run(
            plan,
            client,
            ledger,
            ApplyOptions::new(concurrency),
            Default::default(),
            stopped,
            &mut Unwatched,
        ))
        .unwrap()
}
