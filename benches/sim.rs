//! `cargo bench --bench sim`: how many simple GETs per second the simulator sustains with no
//! latency configured (target: 5,000/s on 2 cores), and how long seeding 10,000 users takes.
//!
//! The load comes from this same process (reqwest, 64 concurrent keep-alive connections), so
//! client and server share the machine's cores: the figure is a lower bound.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use sleipnir::sim::{SimConfig, Simulator, user_id};

const USERS: usize = 10_000;
const CONNECTIONS: usize = 64;
const SECONDS: u64 = 10;

fn main() {
    let started = Instant::now();
    let sim = Simulator::start(
        SimConfig {
            users: USERS,
            groups: 10,
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator starts");
    println!(
        "seeded {USERS} users and listening in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (count, errors, elapsed) = runtime.block_on(load(&sim));
    println!(
        "GET /users?userId=: {count} answered ({errors} errors) in {:.1} s = {:.0} requests/s over {CONNECTIONS} connections",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}

async fn load(sim: &Simulator) -> (u64, u64, Duration) {
    sleipnir::odin::install_crypto();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");
    let token: serde_json::Value = client
        .post(format!("{}/auth/token", sim.base_url()))
        .json(&json!({"username": "admin@sim.example.net", "password": "sleipnir-sim"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = Arc::new(token["token"].as_str().expect("token").to_string());
    let count = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONNECTIONS {
        let (client, token, count, errors) =
            (client.clone(), token.clone(), count.clone(), errors.clone());
        let base = sim.base_url();
        tasks.push(tokio::spawn(async move {
            let mut n = worker;
            while Instant::now() < deadline {
                n = (n * 7919 + 1) % USERS;
                let url = format!("{base}/users?userId={}", user_id(n + 1));
                match client.get(url).bearer_auth(token.as_str()).send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("worker");
    }
    (
        count.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        start.elapsed(),
    )
}
