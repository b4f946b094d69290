//! `cargo bench --bench report`: the report of a 50,000-user run (100,000 results lines, an
//! hour and a half of timeline). Writes the run directory through `Ledger`, then times
//! `report::write` and measures its peak RSS (the process's high-water mark is reset first,
//! so the figure is the report's alone). Target: under 2 s. `SLEIPNIR_BENCH_KEEP=DIR` keeps
//! the run directory (to look at its report.html).

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::time::Instant;

use serde_json::json;
use sleipnir::odin::RequestCounts;
use sleipnir::plan::{PlanSource, UserPlan};
use sleipnir::resource::Resource;
use sleipnir::rundir::{Ledger, Status, StatusCounts, StepResult, Summary, TimelinePoint};

const USERS: usize = 50_000;

fn source() -> PlanSource {
    PlanSource {
        hidden_rows: Default::default(),
        hidden_columns: Default::default(),
        allow_lossy_values: false,
        mapping_sha256: None,
        command: None,
        source: "wave1.xlsx".into(),
        sha256: "00".into(),
        worksheet: Some("Users".into()),
        mapping: None,
        target: Some("https://odin.example.com/api/v2".into()),
        odin_user: None,
        target_name: None,
    }
}

/// A 50,000-user run: 2 steps each; every 97th user is unknown (404), every 501st gets a
/// 400 on its settings (its user step is compensated), every 13th is already as planned.
fn write_run(dir: &Path) {
    let mut ledger = Ledger::create(dir, &source()).unwrap();
    let mut steps = StatusCounts::default();
    let mut requests = RequestCounts::default();
    let mut users_not_done = 0;
    let mut users_done = 0;
    let seconds = USERS / 10;
    for n in 1..=USERS {
        let user = UserPlan {
            user_id: format!("user{n:05}@customer.example.net"),
            rows: vec![n + 1],
            service_provider_id: None,
            group_id: None,
            steps: vec![],
            before: None,
            not_restorable: Vec::new(),
            cells: Default::default(),
        };
        let (first, second, message) = if n % 97 == 0 {
            (Status::Failed, Status::Skipped, "user not found")
        } else if n % 501 == 0 {
            (Status::Compensated, Status::Failed, "bad settings")
        } else if n % 13 == 0 {
            (Status::Unchanged, Status::Unchanged, "")
        } else {
            (Status::Applied, Status::Applied, "")
        };
        for (step, (resource, status)) in [(Resource::User, first), (Resource::Settings, second)]
            .into_iter()
            .enumerate()
        {
            let mut result = StepResult::new(&user, step, resource, status);
            result.duration_ms = 40 + (n as u64 * 7919 + step as u64 * 31) % 260;
            result.attempts = u32::from(status != Status::Unchanged && status != Status::Skipped);
            result.http_status = Some(if status == Status::Failed { 400 } else { 200 });
            if resource == Resource::User {
                result
                    .before
                    .insert("extension".into(), json!(format!("{}", 1000 + n)));
                result
                    .after
                    .insert("extension".into(), json!(format!("{}", 7000 + n)));
            } else {
                result
                    .before
                    .insert("Do Not Disturb.isActive".into(), json!(false));
                result
                    .after
                    .insert("Do Not Disturb.isActive".into(), json!(true));
            }
            if status == Status::Failed {
                result.message = format!("HTTP 400: {message} for `{}`", user.user_id);
            } else if status == Status::Skipped {
                result.message = "an earlier step of the user failed".into();
            }
            steps.add(status);
            requests.requests += 2 + u64::from(result.attempts);
            ledger.result(&result).unwrap();
        }
        if first.is_done() && second.is_done() {
            users_done += 1;
        } else {
            users_not_done += 1;
        }
        if n % 10 == 0 {
            let second = (n / 10) as u64;
            requests.throttled += u64::from(second % 60 < 3);
            requests.retries += u64::from(second % 60 < 3) + u64::from(second.is_multiple_of(17));
            let point = TimelinePoint {
                second,
                requests,
                steps,
                users_done: users_done + users_not_done,
                users_total: USERS,
                wall_seconds: None,
            };
            ledger.timeline(&point).unwrap();
        }
    }
    let mut summary = Summary {
        sleipnir_version: env!("CARGO_PKG_VERSION").into(),
        source: source(),
        started: "2025-01-01T00:00:00Z".into(),
        finished: "2025-01-01T01:23:20Z".into(),
        users: USERS,
        users_not_done,
        users_by_outcome: Default::default(),
        steps,
        interrupted: false,
        resumable: false,
        stopped_by: None,
        deferred_by: None,
        wall_seconds: seconds as f64,
        requests,
        request_rate: requests.requests as f64 / seconds as f64,
        requests_per_user: requests.requests as f64 / USERS as f64,
        attempts: vec![sleipnir::rundir::Attempt::new(seconds as f64, requests)],
        warnings: Vec::new(),
    };
    ledger.finish(&mut summary).unwrap();
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let temp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("SLEIPNIR_BENCH_KEEP") {
        Some(keep) => std::path::PathBuf::from(keep),
        None => temp.path().join("run"),
    };
    let started = Instant::now();
    write_run(&dir);
    println!(
        "wrote a {USERS}-user run in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("peak RSS after writing the run: {:.0} MiB", peak_rss_mib());
    // Reset the high-water mark (Linux: "5" to clear_refs) so the next figure is the report's.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = peak_rss_mib();
    let started = Instant::now();
    let files = sleipnir::report::write(&dir, None).unwrap();
    let took = started.elapsed();
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1e6;
    println!(
        "report of {USERS} users: {:.2} s; peak RSS {:.0} MiB (was {before:.0} MiB before{}); \
         results.xlsx {:.1} MB, report.html {:.1} MB",
        took.as_secs_f64(),
        peak_rss_mib(),
        if reset {
            ""
        } else {
            "; the peak could not be reset"
        },
        size(&files.workbook),
        size(&files.html),
    );
}
