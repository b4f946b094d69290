//! Everything sleipnir knows is on every surface the admin reads (issue 22): the warnings a
//! `plan --target` prints are counted in its totals line and carried into the review
//! workbook, `apply`'s confirmation says what will change as well as what the plan holds,
//! the closing summary says which counts are users and which are steps, and the worksheet
//! read is named everywhere.

use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use sleipnir::report::review::{labels, sheets};
use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, run_on, sleipnir_env, workdir};

const CFB: &str = "Call Forwarding Busy";

/// The simulator's users 3 and 7 (`n % 4 == 3`) do not have Call Forwarding Busy assigned.
fn simulator() -> Simulator {
    Simulator::start(
        SimConfig {
            users: 8,
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator")
}

/// Worksheet `Users`: users 1, 2, 3, 7 get a new extension, users 1, 3 and 7 a busy
/// forwarding number (3 and 7 lack the service); user 5 asks for the extension it has.
/// 5 users, 8 fields; against the simulator 4 users to change (7 fields), 1 as planned.
fn workbook(dir: &Path) -> &'static str {
    let rows: [(usize, &str, &str); 5] = [
        (1, "7001", "+15559990001"),
        (2, "7002", ""),
        (3, "7003", "+15559990003"),
        (5, "1005", ""),
        (7, "7007", "+15559990007"),
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Users").expect("name");
    let header = [
        "userId".to_string(),
        "user.extension".to_string(),
        format!("settings.{CFB}.forwardToPhoneNumber"),
    ];
    for (c, title) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, title).expect("cell");
    }
    for (r, (n, extension, number)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, user_id(*n)).expect("cell");
        sheet.write_string(r, 1, *extension).expect("cell");
        if !number.is_empty() {
            sheet.write_string(r, 2, *number).expect("cell");
        }
    }
    book.save(dir.join("wave.xlsx")).expect("saved");
    "wave.xlsx"
}

fn plan(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = vec!["plan"];
    all.extend(args);
    all.extend(["--target", &target, "--concurrency", "1"]);
    sleipnir_env(dir, &all, &LOGIN)
}

/// The `warning:` lines of a command.
fn warnings(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect()
}

/// The cells of worksheet `name` of `path` as text, header included.
fn cells(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("workbook opens");
    let range = book.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The value beside `label` in a what/value sheet.
fn beside(rows: &[Vec<String>], label: &str) -> String {
    rows.iter()
        .find(|row| row[0] == label)
        .map(|row| row[1].clone())
        .unwrap_or_else(|| panic!("no `{label}` in {rows:?}"))
}

#[test]
fn plan_target_counts_its_warnings_and_the_review_shows_them_beside_each_user() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    let sheet = workbook(dir);
    let planned = plan(
        dir,
        &sim,
        &[sheet, "--out", "plan.jsonl", "--review", "review.xlsx"],
    );
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let first = planned.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "plan for `wave.xlsx`, worksheet `Users`, against {}",
            sim.base_url()
        )
    );
    let printed = warnings(&planned);
    assert_eq!(printed.len(), 1, "{}", planned.transcript());
    assert!(
        printed[0].contains(&format!("2 users without `{CFB}` assigned")),
        "{}",
        planned.transcript()
    );
    assert!(
        planned.stdout.contains(
            "4 users to change (7 fields), 1 already as planned, 0 unreadable; 5 rows, 1 warning\n"
        ),
        "{}",
        planned.transcript()
    );

    // -q silences the warning, not its count; JSON counts it too.
    let quiet = plan(dir, &sim, &[sheet, "-q"]);
    assert!(quiet.stderr.is_empty(), "{}", quiet.transcript());
    assert!(
        quiet.stdout.contains("; 5 rows, 1 warning\n"),
        "{}",
        quiet.stdout
    );
    let json = plan(dir, &sim, &[sheet, "-q", "--format", "json"]);
    let document: Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(document["totals"]["warnings"], 1, "{}", json.stdout);
    assert_eq!(document["warnings"].as_array().map(Vec::len), Some(1));
    assert_eq!(document["source"]["worksheet"], "Users");

    // The plan file names the worksheet and records the warning with its users.
    let text = std::fs::read_to_string(dir.join("plan.jsonl")).expect("plan file");
    let header: Value = serde_json::from_str(text.lines().next().expect("header")).expect("json");
    assert_eq!(header["worksheet"], "Users");
    assert_eq!(
        header["warnings"][0]["users"],
        serde_json::json!([user_id(3), user_id(7)])
    );

    // Each of those users' rows says why; the others' say nothing; Totals counts it.
    let check = |path: &Path| {
        let review = cells(path, sheets::REVIEW);
        let message = review[0]
            .iter()
            .position(|t| t == "message")
            .expect("column");
        let mut warned = Vec::new();
        for row in &review[1..] {
            let lacks = row[1] == user_id(3) || row[1] == user_id(7);
            assert_eq!(
                row[message].starts_with(&format!("warning: `{CFB}` is not assigned")),
                lacks,
                "{row:?}"
            );
            if lacks {
                warned.push(row[1].clone());
            }
        }
        assert_eq!(warned.len(), 4, "{review:?}");
        let totals = cells(path, sheets::TOTALS);
        assert_eq!(beside(&totals, labels::WARNINGS), "1");
        assert_eq!(beside(&totals, labels::USERS_WARNED), "2");
        assert_eq!(beside(&totals, "worksheet"), "Users");
        assert!(
            beside(&totals, "warning").starts_with(&format!("2 users without `{CFB}`")),
            "{totals:?}"
        );
    };
    check(&dir.join("review.xlsx"));
    // From the saved plan, offline, the workbook still carries what the read found.
    let again = sleipnir_env(dir, &["plan", "plan.jsonl", "--out", "again.xlsx"], &[]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(warnings(&again).len(), 1, "{}", again.transcript());
    check(&dir.join("again.xlsx"));
    // Read against the target again, the earlier read's warning is replaced, not added to.
    let reread = plan(dir, &sim, &["plan.jsonl"]);
    assert_eq!(warnings(&reread).len(), 1, "{}", reread.transcript());
    assert!(reread.stdout.contains("1 warning\n"), "{}", reread.stdout);
}

#[test]
fn apply_of_a_reviewed_plan_says_what_changes_and_its_summary_labels_users_and_steps() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    let sheet = workbook(dir);
    let planned = plan(dir, &sim, &[sheet, "--out", "plan.jsonl"]);
    assert_eq!(planned.code, 0, "{}", planned.transcript());
    let applied = run_on(dir, &sim, &["apply", "plan.jsonl", "--out", "run"]);
    // Users 3 and 7 lack the service: Odin would refuse their settings step, so nothing of
    // them is sent (`skipped`).
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    let target = sim.base_url();
    assert!(
        applied.stdout.starts_with(&format!(
            "apply `wave.xlsx`, worksheet `Users`, at {target}\n  the plan file holds 5 users, \
             8 fields, 5 rows, 1 warning\n  4 users to change (7 fields), 1 already as planned, \
             as read when the plan was made; a user whose values moved since is not written \
             (drifted)\n"
        )),
        "{}",
        applied.transcript()
    );
    // The warning the plan recorded is said again before the run.
    assert_eq!(warnings(&applied).len(), 1, "{}", applied.transcript());
    assert!(
        applied
            .stdout
            .contains("s: `wave.xlsx`, worksheet `Users`\n  users             5  (2 changed, 1 unchanged, 0 drifted, 0 failed, 2 skipped)\n  steps             8  (3 applied, 1 unchanged, 0 failed, 4 skipped, 0 compensated, 0 drifted)\n"),
        "{}",
        applied.transcript()
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary.json"),
    )
    .expect("json");
    assert_eq!(summary["source"]["worksheet"], "Users");
    assert_eq!(
        summary["usersByOutcome"],
        serde_json::json!({"changed": 2, "unchanged": 1, "drifted": 0, "failed": 0, "skipped": 2, "deferred": 0})
    );
    // The report says the same, from results.csv.
    let book = cells(&dir.join("run/results.xlsx"), "Summary");
    assert_eq!(beside(&book, "users changed"), "2");
    assert_eq!(beside(&book, "users skipped"), "2");
    assert_eq!(beside(&book, "plan"), "wave.xlsx, worksheet `Users`");
    let page = std::fs::read_to_string(dir.join("run/report.html")).expect("report");
    assert!(
        page.contains("<b id=\"count-users-skipped\">2</b>"),
        "users by outcome in the report"
    );
}

#[test]
fn apply_of_a_sheet_says_what_it_holds_and_that_the_run_decides_what_changes() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    let sheet = workbook(dir);
    let applied = run_on(dir, &sim, &["apply", sheet, "--out", "run"]);
    assert_eq!(applied.code, 1, "{}", applied.transcript());
    assert!(
        applied.stdout.starts_with(&format!(
            "apply `wave.xlsx`, worksheet `Users`, at {}\n  the sheet holds 5 users, 8 fields, \
             5 rows, 0 warnings\n  what changes is not known before the run: each user is read \
             before it is written, and only what differs is sent\n",
            sim.base_url()
        )),
        "{}",
        applied.transcript()
    );
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("run/summary.json")).expect("summary.json"),
    )
    .expect("json");
    assert_eq!(summary["source"]["worksheet"], "Users");
}

/// A server that will not answer the group reads is read user by user, and `plan --target`
/// says so once, counted in its totals line like `apply` counts it.
#[test]
fn plan_target_says_when_group_reads_fell_back_to_user_reads() {
    let sim = Simulator::start(
        SimConfig {
            users: 8,
            faults: sleipnir::sim::FaultConfig {
                no_bulk_reads: true,
                ..Default::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator");
    let work = workdir();
    let dir = work.path();
    let sheet = workbook(dir);
    let run = plan(dir, &sim, &[sheet]);
    let found = warnings(&run);
    assert!(
        found.iter().any(|w| w.contains("/bulk")),
        "{}",
        run.transcript()
    );
    let totals = run
        .stdout
        .lines()
        .find(|l| l.contains(" warning"))
        .expect("a totals line");
    assert!(
        totals.contains(&format!("{} warnings", found.len())),
        "{totals} / {found:?}"
    );
}
