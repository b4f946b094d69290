//! `cargo bench --bench export`: export 10,000 users in 20 groups (user fields and Call
//! Forwarding Always/Busy settings) to XLSX from the simulator at 20 ms latency, running the
//! real binary; print wall time, requests and the export's peak RSS (through
//! `/usr/bin/time -v` where it exists).

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use sleipnir::sim::{FaultConfig, SimConfig, Simulator, StatsReport};

const USERS: usize = 10_000;
const GROUPS: usize = 20;
const COLUMNS: &str = "user.firstName,user.lastName,user.extension,user.phoneNumber,\
    user.mobilePhoneNumber,user.address.city,settings.Call Forwarding Always.*,\
    settings.Call Forwarding Busy.*";

fn main() {
    let simulator = Simulator::start(
        SimConfig {
            users: USERS,
            groups: GROUPS,
            faults: FaultConfig {
                latency: Duration::from_millis(20),
                ..FaultConfig::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.xlsx");
    let binary = env!("CARGO_BIN_EXE_sleipnir");
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        // Its history in the scratch directory, not the home's state directory.
        .env("SLEIPNIR_STATE_DIR", dir.path().join("state"))
        .args([
            "export",
            "--service-provider",
            "ent.sim",
            "--columns",
            COLUMNS,
        ])
        .arg("--out")
        .arg(&out)
        .args(["--target", &simulator.base_url(), "--rate", "50"])
        .env("ODIN_USERNAME", sleipnir::sim::DEFAULT_USERNAME)
        .env("ODIN_PASSWORD", sleipnir::sim::DEFAULT_PASSWORD);
    let started = Instant::now();
    let output = command.output().unwrap();
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stats: StatsReport = plain::blocking_get(&simulator.url("/__sim/stats"));
    let peak = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .map_or("n/a".to_string(), |kb| {
            format!("{} MB", kb.trim().parse::<u64>().unwrap_or(0) / 1024)
        });
    let size = std::fs::metadata(&out).unwrap().len();
    println!("{USERS} users in {GROUPS} groups, 20 ms latency, to XLSX");
    println!("| wall time | requests | peak RSS | file |");
    println!("|---:|---:|---:|---:|");
    println!(
        "| {:.2} s | {} | {peak} | {} KB |",
        wall.as_secs_f64(),
        stats.total,
        size / 1024
    );
    print!("{}", String::from_utf8_lossy(&output.stdout));
}

mod plain {
    /// GET a simulator-only JSON path with a plain TCP request (no async runtime needed).
    pub fn blocking_get<T: serde::de::DeserializeOwned>(url: &str) -> T {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body.trim()).unwrap()
    }
}
