//! XLSB workbooks (issue 22): `plan` reads what the person sees, or refuses the sheet with
//! the row, the column and what to do, as for XLSX. Nothing here writes XLSB (Excel does;
//! LibreOffice only reads it), so each workbook is built record by record as MS-XLSB lays
//! them out and Excel writes them: the package's parts, the workbook's sheets and view,
//! styles, and the worksheet's rows, cells, column widths, filter and merged ranges.

mod book;

use std::path::Path;

use serde_json::{Value, json};

use book::{V, Worksheet, sheet, text, users, xlsb};

use crate::sheet_hygiene::patch;
use crate::support::{Run, sleipnir_in, workdir};

fn plan(dir: &Path, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["plan", name];
    all.extend(args);
    sleipnir_in(dir, &all)
}

fn planned(dir: &Path, name: &str, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let run = plan(dir, name, &all);
    assert_eq!(run.code, 0, "{}", run.transcript());
    serde_json::from_str(&run.stdout).expect("json")
}

fn refused(dir: &Path, name: &str, args: &[&str]) -> String {
    let run = plan(dir, name, args);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(run.stdout, "", "nothing is planned");
    run.stderr
}

fn user_ids(doc: &Value) -> Vec<&str> {
    doc["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userId"].as_str().expect("user id"))
        .collect()
}

#[test]
fn hidden_rows_by_hand_or_by_the_filter_and_hidden_columns_are_refused_skipped_or_included() {
    let dir = workdir();
    let mut rows = users(6);
    rows[4].1 = true;
    xlsb(
        dir.path(),
        "hidden.xlsb",
        &[("Users", false, sheet(rows))],
        0,
    );
    assert!(
        refused(dir.path(), "hidden.xlsb", &[])
            .contains("\n  row 5 is hidden; sleipnir reads a sheet as you see it: show it")
    );
    let skipped = planned(dir.path(), "hidden.xlsb", &["--hidden-rows", "skip"]);
    assert_eq!(user_ids(&skipped).len(), 5);
    assert!(!user_ids(&skipped).contains(&"u0004@example.test"));
    let included = planned(dir.path(), "hidden.xlsb", &["--hidden-rows", "include"]);
    assert_eq!(user_ids(&included).len(), 6);

    let mut rows = users(8);
    for row in [1, 3, 4, 5, 6, 7, 8] {
        rows[row].1 = true;
    }
    let filtered = Worksheet {
        filter: true,
        ..sheet(rows)
    };
    xlsb(
        dir.path(),
        "filtered.xlsb",
        &[("Users", false, filtered)],
        0,
    );
    assert!(refused(dir.path(), "filtered.xlsb", &[]).contains(
        "7 rows holding data are hidden (2, 4–9) by the sheet's filter or by hand; sleipnir"
    ));
    let skipped = planned(dir.path(), "filtered.xlsb", &["--hidden-rows", "skip"]);
    assert_eq!(user_ids(&skipped), ["u0002@example.test"]);

    let hidden_column = Worksheet {
        columns: vec![(0, 1, false), (2, 2, true)],
        ..sheet(users(2))
    };
    xlsb(
        dir.path(),
        "column.xlsb",
        &[("Users", false, hidden_column)],
        0,
    );
    assert!(refused(dir.path(), "column.xlsb", &[]).contains(
        "column C (`user.callingLineIdLastName`) is hidden; sleipnir reads a sheet as you see it"
    ));
    let skipped = planned(dir.path(), "column.xlsb", &["--hidden-columns", "skip"]);
    assert_eq!(patch(&skipped, 0, "user"), &json!({"extension": "1001"}));
}

#[test]
fn a_range_merged_down_a_column_is_read_in_each_row_and_one_across_columns_is_refused() {
    let dir = workdir();
    let mut rows = users(4);
    rows[1].2[3] = V::Bool(true);
    let down = Worksheet {
        merges: vec![[1, 3, 3, 3]],
        ..sheet(rows)
    };
    xlsb(dir.path(), "down.xlsb", &[("Users", false, down)], 0);
    let doc = planned(dir.path(), "down.xlsb", &[]);
    let dnd: Vec<&Value> = (0..4)
        .map(|i| &patch(&doc, i, "settings")["Do Not Disturb.isActive"])
        .collect();
    assert_eq!(
        dnd,
        [&json!(true), &json!(true), &json!(true), &json!(false)]
    );
    assert_eq!(
        doc["warnings"],
        json!([
            "cells D2:D4 (column D, `settings.Do Not Disturb.isActive`) are merged; their value \
             was read in each of rows 2–4, as the sheet shows it"
        ])
    );
    let across = Worksheet {
        merges: vec![[2, 2, 1, 2]],
        ..sheet(users(3))
    };
    xlsb(dir.path(), "across.xlsb", &[("Users", false, across)], 0);
    assert!(
        refused(dir.path(), "across.xlsb", &[])
            .contains("row 3, column B (`user.extension`): cells B3:C3 are merged across columns")
    );
}

#[test]
fn numbers_are_read_as_their_cell_style_shows_them() {
    let dir = workdir();
    // Style 1 is the workbook's format `0000`; style 2 the built-in `#,##0`.
    let mut rows = users(2);
    rows[1].2[1] = V::Number(123, 1);
    xlsb(
        dir.path(),
        "padded.xlsb",
        &[("Users", false, sheet(rows))],
        0,
    );
    let doc = planned(dir.path(), "padded.xlsb", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "0123");
    assert_eq!(patch(&doc, 1, "user")["extension"], "1002");
    let mut rows = users(2);
    rows[2].2[1] = V::Number(1234, 2);
    xlsb(
        dir.path(),
        "thousands.xlsb",
        &[("Users", false, sheet(rows))],
        0,
    );
    assert!(refused(dir.path(), "thousands.xlsb", &[]).contains(
        "row 3, column B (`user.extension`): `1,234` is how the spreadsheet shows the number \
         1234 (its format `#,##0`), with more than digits"
    ));
}

#[test]
fn the_active_sheet_is_read_and_a_hidden_first_one_named_in_a_warning() {
    let dir = workdir();
    let notes = sheet(vec![(0, false, vec![text("nothing to plan here")])]);
    xlsb(
        dir.path(),
        "sheets.xlsb",
        &[
            ("Old wave (do not use)", true, sheet(users(3))),
            ("Notes", false, notes),
            ("Users", false, sheet(users(2))),
        ],
        2,
    );
    let doc = planned(dir.path(), "sheets.xlsb", &[]);
    assert_eq!(doc["source"]["worksheet"], "Users");
    assert_eq!(user_ids(&doc).len(), 2);
    assert_eq!(
        doc["warnings"],
        json!([
            "worksheet `Old wave (do not use)` is hidden and was not read; read `Users`, the \
             active sheet; name a hidden sheet with --sheet to read it"
        ])
    );
}
