//! Workbooks read as the person sees them (issue 22): hidden rows, columns and sheets,
//! merged ranges, number formats, dates, formulas without a computed value, error cells and
//! encrypted files. Each kind plans what is shown or is refused (exit 2) naming the row, the
//! column and the fix. Workbooks are written here with rust_xlsxwriter, and patched where
//! it cannot write what a file may hold (a formula with no stored result, a typed error);
//! the encrypted ones are fixtures (tests/fixtures/encrypted/README.md).

mod conditional;
mod formats;
mod values;

use std::io::{Read, Write};
use std::path::Path;

use rust_xlsxwriter::{FilterCondition, Format, Workbook, Worksheet};
use serde_json::Value;

use crate::sheet_hygiene::patch;
use crate::support::{Run, sleipnir_in, workdir};

const HEADER: [&str; 3] = ["userId", "user.title", "user.extension"];

/// A worksheet named `Users` of `HEADER` and users 1..=`count` (title `Sales` for odd
/// users, `Support` for even ones; extension 7000 + n, as text).
fn users(book: &mut Workbook, count: u32) -> &mut Worksheet {
    let sheet = book.add_worksheet();
    sheet.set_name("Users").expect("name");
    for (c, title) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *title).expect("cell");
    }
    for n in 1..=count {
        sheet.write_string(n, 0, user(n)).expect("cell");
        let title = if n % 2 == 1 { "Sales" } else { "Support" };
        sheet.write_string(n, 1, title).expect("cell");
        sheet
            .write_string(n, 2, (7000 + n).to_string())
            .expect("cell");
    }
    sheet
}

fn user(n: u32) -> String {
    format!("user{n:05}@sim.example.net")
}

fn save(book: &mut Workbook, dir: &Path, name: &str) {
    book.save(dir.join(name)).expect("saved");
}

/// `sleipnir plan NAME ARGS` in `dir`.
fn plan(dir: &Path, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["plan", name];
    all.extend(args);
    sleipnir_in(dir, &all)
}

/// The JSON plan of `name`, which must plan, and its stderr.
fn planned(dir: &Path, name: &str, args: &[&str]) -> (Value, String) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let run = plan(dir, name, &all);
    assert_eq!(run.code, 0, "{}", run.transcript());
    (serde_json::from_str(&run.stdout).expect("json"), run.stderr)
}

/// The user ids a plan changes, in order.
fn planned_users(doc: &Value) -> Vec<String> {
    doc["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userId"].as_str().expect("userId").to_string())
        .collect()
}

/// The XML element of cell `reference` in worksheet XML `xml`.
fn cell(xml: &str, reference: &str) -> String {
    let start = xml
        .find(&format!("<c r=\"{reference}\""))
        .expect("the cell");
    let end = start + xml[start..].find("</c>").expect("its end") + "</c>".len();
    xml[start..end].to_string()
}

/// Rewrite the first worksheet's XML of the workbook at `path` with `change`.
fn patch_worksheet(path: &Path, change: impl Fn(String) -> String) {
    let bytes = std::fs::read(path).expect("read");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").to_string();
        let mut text = Vec::new();
        entry.read_to_end(&mut text).expect("entry read");
        if name == "xl/worksheets/sheet1.xml" {
            text = change(String::from_utf8(text).expect("utf-8")).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(&text).expect("write");
    }
    let written = out.finish().expect("finish").into_inner();
    std::fs::write(path, written).expect("written");
}

#[test]
fn a_row_hidden_by_hand_is_refused_skipped_or_included() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 4);
    sheet.set_row_hidden(2).expect("hidden");
    sheet.set_row_hidden(3).expect("hidden");
    save(&mut book, dir.path(), "hidden.xlsx");
    let refused = plan(dir.path(), "hidden.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr,
        "error: `hidden.xlsx` has 1 problem; nothing was planned\n  2 rows holding data are \
         hidden (3–4); sleipnir reads a sheet as you see it: show them (expand the outline, or Unhide), or run again with --hidden-rows skip to leave them out or --hidden-rows include to read them as data\n"
    );
    let (skipped, stderr) = planned(dir.path(), "hidden.xlsx", &["--hidden-rows", "skip"]);
    assert_eq!(planned_users(&skipped), [user(1), user(4)]);
    assert!(
        stderr.contains(
            "2 rows holding data are hidden (3–4); they were left out, as --hidden-rows skip asks"
        ),
        "{stderr}"
    );
    let (included, _) = planned(dir.path(), "hidden.xlsx", &["--hidden-rows", "include"]);
    assert_eq!(planned_users(&included).len(), 4);
}

#[test]
fn rows_a_filter_hides_are_refused_naming_the_filter() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 8);
    sheet.autofilter(0, 0, 8, 2).expect("filter");
    // rust_xlsxwriter hides the rows the condition does not match, as Excel does.
    sheet
        .filter_column(1, &FilterCondition::new().add_list_filter("Support"))
        .expect("condition");
    save(&mut book, dir.path(), "filtered.xlsx");
    let refused = plan(dir.path(), "filtered.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(
            "4 rows holding data are hidden (2, 4, 6, 8) by the sheet's filter or by hand; \
             sleipnir reads a sheet as you see it"
        ),
        "{}",
        refused.stderr
    );
    let (shown, _) = planned(dir.path(), "filtered.xlsx", &["--hidden-rows", "skip"]);
    assert_eq!(planned_users(&shown), [user(2), user(4), user(6), user(8)]);
}

#[test]
fn rows_in_a_collapsed_outline_are_refused() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 5);
    sheet.group_rows_collapsed(2, 4).expect("outline");
    save(&mut book, dir.path(), "outline.xlsx");
    let refused = plan(dir.path(), "outline.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("3 rows holding data are hidden (3–5)"),
        "{}",
        refused.stderr
    );
}

#[test]
fn rows_hidden_by_default_leave_the_rows_written_shown() {
    let dir = workdir();
    let mut book = Workbook::new();
    // `zeroHeight`: every row without a row element of its own is hidden; rows written are
    // shown unless hidden themselves.
    let sheet = users(&mut book, 3);
    sheet.hide_unused_rows(true);
    save(&mut book, dir.path(), "unused.xlsx");
    let (doc, stderr) = planned(dir.path(), "unused.xlsx", &[]);
    assert_eq!(planned_users(&doc).len(), 3, "{stderr}");
    let mut book = Workbook::new();
    let sheet = users(&mut book, 3);
    sheet
        .hide_unused_rows(true)
        .set_row_hidden(3)
        .expect("hidden");
    save(&mut book, dir.path(), "unused.xlsx");
    let refused = plan(dir.path(), "unused.xlsx", &[]);
    assert!(
        refused.stderr.contains("row 4 is hidden;"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_hidden_column_is_refused_skipped_or_included() {
    let dir = workdir();
    let mut book = Workbook::new();
    users(&mut book, 2).set_column_hidden(1).expect("hidden");
    save(&mut book, dir.path(), "column.xlsx");
    let refused = plan(dir.path(), "column.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr,
        "error: `column.xlsx` has 1 problem; nothing was planned\n  column B (`user.title`) \
         is hidden; sleipnir reads a sheet as you see it: unhide it, or run again with --hidden-columns skip to leave it out or --hidden-columns include to read it\n"
    );
    let (skipped, _) = planned(dir.path(), "column.xlsx", &["--hidden-columns", "skip"]);
    assert_eq!(patch(&skipped, 0, "user")["title"], Value::Null);
    assert_eq!(patch(&skipped, 0, "user")["extension"], "7001");
    let (included, _) = planned(dir.path(), "column.xlsx", &["--hidden-columns", "include"]);
    assert_eq!(patch(&included, 0, "user")["title"], "Sales");
}

#[test]
fn the_active_visible_sheet_is_read_and_a_hidden_first_sheet_is_named() {
    let dir = workdir();
    let mut book = Workbook::new();
    let old = book.add_worksheet();
    old.set_name("Old wave (do not use)").expect("name");
    old.write_string(0, 0, "userId").expect("cell");
    old.write_string(0, 1, "user.extension").expect("cell");
    old.write_string(1, 0, user(9)).expect("cell");
    old.write_string(1, 1, "1111").expect("cell");
    old.set_hidden(true);
    book.add_worksheet().set_name("Notes").expect("name");
    users(&mut book, 1).set_active(true);
    save(&mut book, dir.path(), "waves.xlsx");
    let run = plan(dir.path(), "waves.xlsx", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.stdout.lines().next(),
        Some("plan for `waves.xlsx`, worksheet `Users`")
    );
    assert!(run.stdout.contains(&user(1)), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "worksheet `Old wave (do not use)` is hidden and was not read; read `Users`, the \
             active sheet; name a hidden sheet with --sheet to read it"
        ),
        "{}",
        run.stderr
    );
    let (named, _) = planned(
        dir.path(),
        "waves.xlsx",
        &["--sheet", "Old wave (do not use)"],
    );
    assert_eq!(planned_users(&named), [user(9)]);
}

#[test]
fn a_range_merged_down_a_column_fills_its_rows_and_one_across_columns_is_refused() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 4);
    sheet
        .merge_range(1, 1, 3, 1, "Sales", &Format::new())
        .expect("merged");
    save(&mut book, dir.path(), "down.xlsx");
    let (doc, stderr) = planned(dir.path(), "down.xlsx", &[]);
    for i in 0..3 {
        assert_eq!(patch(&doc, i, "user")["title"], "Sales", "user {i}");
    }
    assert_eq!(patch(&doc, 3, "user")["title"], "Support");
    assert!(stderr.contains("B2:B4"), "{stderr}");

    let mut book = Workbook::new();
    let sheet = users(&mut book, 2);
    sheet
        .merge_range(2, 1, 2, 2, "Sales", &Format::new())
        .expect("merged");
    save(&mut book, dir.path(), "across.xlsx");
    let refused = plan(dir.path(), "across.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(
            "row 3, column B (`user.title`): cells B3:C3 are merged across columns, so one \
             value stands for several fields; unmerge them and fill each cell"
        ),
        "{}",
        refused.stderr
    );
}
