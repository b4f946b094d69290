//! `sleipnir plan --out review.xlsx` and `--review`: the plan review workbook, read back.

use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use sleipnir::report::review::{COLUMNS, labels, sheets};
use sleipnir::sim::{SimConfig, Simulator, user_id};

use crate::support::{LOGIN, Run, sleipnir_env, sleipnir_in, workdir};

/// Three users of the simulator and one it does not know: the first changes its extension
/// (live 1001), a forwarding number (a phone number, which must stay text) and a service;
/// the second asks for the extension it has; the third is unreadable.
fn sheet(dir: &Path) -> &'static str {
    let text = format!(
        "userId,user.extension,settings.Call Forwarding Always.forwardToPhoneNumber,services.assign\n\
         {},2001,+15551230001,Sequential Ring\n\
         {},1002,,\n\
         nobody@sim.example.net,3000,,\n",
        user_id(1),
        user_id(2),
    );
    std::fs::write(dir.join("wave.csv"), text).expect("sheet written");
    "wave.csv"
}

fn simulator() -> Simulator {
    Simulator::start(
        SimConfig {
            users: 5,
            ..SimConfig::default()
        },
        0,
    )
    .expect("simulator")
}

fn plan(dir: &Path, sim: &Simulator, args: &[&str]) -> Run {
    let target = sim.base_url();
    let mut all = vec!["plan", "wave.csv"];
    all.extend(args);
    all.extend(["--target", &target, "--concurrency", "1"]);
    sleipnir_env(dir, &all, &LOGIN)
}

/// The rows of `name` after the header, each cell as text (numbers as `n:…`).
fn rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("workbook opens");
    let range = book.worksheet_range(name).expect("sheet");
    let mut all = range.rows().map(|row| {
        row.iter()
            .map(|cell| match cell {
                Data::String(s) => s.clone(),
                Data::Float(f) => format!("n:{f}"),
                Data::Int(i) => format!("n:{i}"),
                Data::Empty => String::new(),
                other => format!("?{other:?}"),
            })
            .collect::<Vec<String>>()
    });
    let header = all.next().expect("a header");
    assert_eq!(header, COLUMNS.map(String::from));
    all.collect()
}

fn totals(path: &Path) -> Vec<(String, String)> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("workbook opens");
    assert_eq!(
        book.sheet_names(),
        vec![sheets::REVIEW.to_string(), sheets::TOTALS.to_string()]
    );
    let range = book.worksheet_range(sheets::TOTALS).expect("sheet");
    range
        .rows()
        .map(|row| (row[0].to_string(), row[1].to_string()))
        .collect()
}

fn total(all: &[(String, String)], label: &str) -> String {
    all.iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no `{label}` in {all:?}"))
}

fn line(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

#[test]
fn the_workbook_holds_exactly_the_changed_fields() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    sheet(dir);
    let run = plan(dir, &sim, &["--out", "review.xlsx"]);
    // One user unreadable: exit 1, as for the printed plan.
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("review.xlsx"), "{}", run.transcript());
    let user = user_id(1);
    assert_eq!(
        rows(&dir.join("review.xlsx"), sheets::REVIEW),
        vec![
            line(&[
                "n:2",
                &user,
                "services",
                "Sequential Ring",
                "unassigned",
                "assigned",
                "assign",
                ""
            ]),
            line(&["n:2", &user, "user", "extension", "1001", "2001", "set", ""]),
            line(&[
                "n:2",
                &user,
                "settings",
                "Call Forwarding Always.forwardToPhoneNumber",
                "<null>",
                "+15551230001",
                "set",
                ""
            ]),
            line(&[
                "n:4",
                "nobody@sim.example.net",
                "—",
                "",
                "",
                "",
                "unreadable",
                "reading user: HTTP 404: user `nobody@sim.example.net` not found"
            ]),
        ]
    );
    let all = totals(&dir.join("review.xlsx"));
    assert_eq!(total(&all, labels::USERS_TO_CHANGE), "1");
    assert_eq!(total(&all, labels::FIELDS), "3");
    assert_eq!(total(&all, labels::AS_PLANNED), "1");
    assert_eq!(total(&all, labels::UNREADABLE), "1");
    assert_eq!(total(&all, labels::ROWS), "3");
    assert_eq!(total(&all, labels::TARGET), sim.base_url());
    assert_eq!(total(&all, "sheet"), "wave.csv");
    assert_eq!(total(&all, "sha256").len(), 64);
    // Only the workbook: no plan file, no temporary file left beside it.
    let files: Vec<_> = std::fs::read_dir(dir).expect("dir").collect();
    assert_eq!(files.len(), 2, "{files:?}");
}

#[test]
fn review_beside_a_plan_file_leaves_the_plan_file_as_it_was() {
    let sim = simulator();
    let work = workdir();
    let dir = work.path();
    sheet(dir);
    let alone = plan(dir, &sim, &["--out", "alone.jsonl"]);
    assert_eq!(alone.code, 1, "{}", alone.transcript());
    let both = plan(
        dir,
        &sim,
        &["--out", "plan.jsonl", "--review", "review.xlsx"],
    );
    assert_eq!(both.code, 1, "{}", both.transcript());
    assert_eq!(alone.stdout, both.stdout);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    assert_eq!(read("alone.jsonl"), read("plan.jsonl"));
    assert_eq!(rows(&dir.join("review.xlsx"), sheets::REVIEW).len(), 4);
}

#[test]
fn an_offline_plan_lists_every_planned_field_with_before_blank() {
    let work = workdir();
    let dir = work.path();
    sheet(dir);
    let run = sleipnir_in(dir, &["plan", "wave.csv", "--out", "review.xlsx"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let found = rows(&dir.join("review.xlsx"), sheets::REVIEW);
    // Every planned field of the three users: 3 + 1 + 1, none read.
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found.iter().all(|row| row[4].is_empty()), "{found:?}");
    assert_eq!(found[3][3], "extension");
    assert_eq!(found[3][5], "1002");
    let all = totals(&dir.join("review.xlsx"));
    assert!(total(&all, labels::TARGET).starts_with("none"), "{all:?}");
}

#[test]
fn other_extensions_are_refused_before_any_work() {
    let work = workdir();
    let dir = work.path();
    sheet(dir);
    for args in [
        &["--out", "review.txt"][..],
        &["--out", "plan.jsonl", "--review", "review.csv"],
        &["--out", "a.xlsx", "--review", "b.xlsx"],
    ] {
        let mut all = vec!["plan", "wave.csv"];
        all.extend(args);
        let run = sleipnir_in(dir, &all);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains(".xlsx"), "{}", run.transcript());
        let files: Vec<_> = std::fs::read_dir(dir).expect("dir").collect();
        assert_eq!(files.len(), 1, "{args:?} left {files:?}");
    }
    let run = sleipnir_in(dir, &["plan", "wave.csv", "--out", "review.txt"]);
    assert!(run.stderr.contains(".jsonl"), "{}", run.transcript());
}
