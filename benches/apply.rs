//! `cargo bench --bench apply`: apply a 2,000-user sheet to the simulator at 50 ms latency,
//! no rate limit, at concurrency 1, 8, 32 and 128; print requests/s and wall time for each.
//! `SLEIPNIR_BENCH_CONCURRENCY=8,32` runs only those (concurrency 1 takes minutes).
//!
//! Then rate fidelity: 200 users at `--rate 20`, no latency, concurrency 8: the achieved rate
//! (target: at least 95% of 20/s) and the most requests the simulator saw in one second
//! (target: at most 22). `SLEIPNIR_BENCH_CONCURRENCY=none` skips the concurrency table.
//!
//! Then group-scale reads: a Call Forwarding Always change for 40 users of one group at
//! `--rate 5`, with and without the `user.serviceProviderId`/`user.groupId` columns
//! (requests and wall time; expect about 42 against 81). And memory: the peak RSS of
//! `sleipnir apply` (the release binary, a process of its own) changing 50,000 users, 3
//! fields each, at concurrency 64 against `sleipnir sim` without latency in another process
//! (target: at most 150 MB). `SLEIPNIR_BENCH_MEMORY=0` skips it (it takes about a minute).
//!
//! Then bulk writes (`apply/bulk.rs`): 40 users of one group given one identical settings
//! change at `--rate 5` against odins_spear's loop (goal: at most 5 requests, at least 5x its
//! users/s); 2,000 users in 10 groups (goal: at most 5 requests per group per changed
//! service) with the binary's peak RSS; and the demo's sheet, requests per user before and
//! after.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

#[path = "apply/bulk.rs"]
mod bulk;

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
    let sheet = sheet::from_bytes(
        Path::new("bench.csv"),
        sheet_text().into_bytes(),
        &Default::default(),
    )
    .unwrap();
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
    group_reads(&runtime);
    bulk::forty_users_one_group(&runtime);
    bulk::demo_sheet(&runtime);
    if std::env::var("SLEIPNIR_BENCH_MEMORY").as_deref() != Ok("0") {
        bulk::two_thousand_users_ten_groups();
        peak_memory(50_000);
    }
}

/// 40 users of one group change Call Forwarding Always at `--rate 5`, planned from a sheet
/// with and without their group columns.
fn group_reads(runtime: &tokio::runtime::Runtime) {
    println!(
        "| 40 users of one group, --rate 5 | requests | group reads | user reads | writes | wall time |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for with_group in [false, true] {
        let mut text = String::from("userId,");
        if with_group {
            text.push_str("user.serviceProviderId,user.groupId,");
        }
        text.push_str("settings.Call Forwarding Always.isActive\n");
        for n in 1..=40 {
            text.push_str(&user_id(n));
            if with_group {
                text.push_str(&format!(",{},{}", sim::SERVICE_PROVIDER, sim::group_id(1)));
            }
            text.push_str(",true\n");
        }
        let sheet = sheet::from_bytes(
            Path::new("group.csv"),
            text.into_bytes(),
            &Default::default(),
        )
        .unwrap();
        let plan = plan::build(&sheet, None, &Schema::builtin().unwrap()).unwrap();
        let simulator = Simulator::start(
            SimConfig {
                users: 40,
                groups: 1,
                ..SimConfig::default()
            },
            0,
        )
        .unwrap();
        let summary = apply_to(runtime, &simulator, &plan, 5.0, 4);
        let r = summary.requests;
        println!(
            "| {} | {} | {} | {} | {} | {:.1} s |",
            if with_group {
                "with group columns"
            } else {
                "without"
            },
            r.requests,
            r.group_reads,
            r.user_reads,
            r.writes,
            summary.wall_seconds
        );
    }
}

/// The peak RSS of `sleipnir apply` changing `users` users, 3 fields each, concurrency 64,
/// against `sleipnir sim` in a process of its own (so the simulator's memory is not counted).
fn peak_memory(users: usize) {
    let mut text = String::from(
        "userId,user.extension,settings.Call Forwarding Always.isActive,settings.Call Forwarding Always.forwardToPhoneNumber\n",
    );
    for n in 1..=users {
        text.push_str(&format!(
            "{},{},true,+1555888{n:05}\n",
            user_id(n),
            50_000 + n
        ));
    }
    let Some(report) = peak_rss_of_apply(users, 4, &text, &["--concurrency", "64"]) else {
        return;
    };
    println!(
        "peak RSS of apply, {users} users x 3 fields, concurrency 64: {:.0} MB ({:.1} KB per user), {:.1} s, exit {}",
        report.peak_kb as f64 / 1024.0,
        report.peak_kb as f64 / users as f64,
        report.seconds,
        report.code,
    );
}

/// What [`peak_rss_of_apply`] measured.
struct RssReport {
    peak_kb: u64,
    seconds: f64,
    code: std::process::ExitStatus,
    /// The run's summary.json.
    summary: serde_json::Value,
}

/// Run the release binary's `apply` of `sheet` (plus `args`) against `sleipnir sim --users
/// users --groups groups` in a process of its own, no rate bound; its peak RSS. `None`
/// (and a line saying so) when the release binary is not built.
fn peak_rss_of_apply(users: usize, groups: usize, sheet: &str, args: &[&str]) -> Option<RssReport> {
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/sleipnir");
    if !binary.is_file() {
        println!("peak RSS: skipped (build the release binary first: cargo build --release)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.csv"), sheet).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut simulator = std::process::Command::new(&binary)
        .args([
            "sim",
            "--users",
            &users.to_string(),
            "--groups",
            &groups.to_string(),
        ])
        .args(["--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let target = format!("http://127.0.0.1:{port}/api/v2");
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let started = std::time::Instant::now();
    let mut apply = std::process::Command::new(&binary)
        .current_dir(dir.path())
        .args([
            "apply", "big.csv", "--target", &target, "--yes", "-q", "--out", "run",
        ])
        .args(["--rate", "1000000"])
        .args(args)
        .env("ODIN_USERNAME", sim::DEFAULT_USERNAME)
        .env("ODIN_PASSWORD", sim::DEFAULT_PASSWORD)
        // Its history and claims in the scratch directory, not the home's state directory.
        .env("SLEIPNIR_STATE_DIR", dir.path().join("state"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", apply.id());
    let mut peak_kb = 0u64;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak_kb = peak_kb.max(hwm.unwrap_or(0));
        }
        if let Some(code) = apply.try_wait().unwrap() {
            break code;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let seconds = started.elapsed().as_secs_f64();
    let _ = simulator.kill();
    let _ = simulator.wait();
    let summary = std::fs::read_to_string(dir.path().join("run/summary.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    Some(RssReport {
        peak_kb,
        seconds,
        code,
        summary,
    })
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
    apply_with(
        runtime,
        simulator,
        plan,
        rate,
        ApplyOptions::new(concurrency),
    )
}

/// Apply `plan` to `simulator` at `rate` requests/s with `options`.
fn apply_with(
    runtime: &tokio::runtime::Runtime,
    simulator: &Simulator,
    plan: &plan::Plan,
    rate: f64,
    options: ApplyOptions,
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
            options,
            Default::default(),
            stopped,
            &mut Unwatched,
        ))
        .unwrap()
}
