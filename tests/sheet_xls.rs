//! XLS workbooks (Excel 97–2003) as LibreOffice Calc saves them (issue 22): `plan` reads
//! what the person sees, or refuses the sheet with the row, the column and what to do, as
//! for XLSX and ODS. The files in tests/fixtures/xls/ were made with Calc itself (see the
//! README there).

use serde_json::{Value, json};

use crate::sheet_hygiene::patch;
use crate::support::{Run, root, sleipnir_in};

/// `sleipnir plan FIXTURE ARGS` from tests/fixtures/xls.
pub(crate) fn plan(fixture: &str, args: &[&str]) -> Run {
    let mut all = vec!["plan", fixture];
    all.extend(args);
    sleipnir_in(&root().join("tests/fixtures/xls"), &all)
}

/// The JSON plan of `fixture`, which must plan.
pub(crate) fn planned(fixture: &str, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let run = plan(fixture, &all);
    assert_eq!(run.code, 0, "{}", run.transcript());
    serde_json::from_str(&run.stdout).expect("json")
}

fn user_ids(doc: &Value) -> Vec<&str> {
    doc["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userId"].as_str().expect("user id"))
        .collect()
}

/// The refusal `plan` prints for `fixture`, which must be refused (exit 2).
pub(crate) fn refused(fixture: &str, args: &[&str]) -> String {
    let run = plan(fixture, args);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(run.stdout, "", "nothing is planned");
    run.stderr
}

const SHOW_ROW: &str = "sleipnir reads a sheet as you see it: show it (expand the outline, or \
                        Unhide), or run again with --hidden-rows skip to leave it out or \
                        --hidden-rows include to read it as data";

const SHOW_FILTERED: &str = "sleipnir reads a sheet as you see it: show them (clear the \
                             filter, expand the outline, or Unhide), or run again with \
                             --hidden-rows skip to leave them out or --hidden-rows include to \
                             read them as data";

#[test]
fn the_active_sheet_is_read_and_a_hidden_first_one_only_when_named() {
    // Sheets: `Old wave (do not use)` (hidden), `Notes`, `Users` (the active tab).
    let doc = planned("hidden-first-sheet.xls", &[]);
    assert_eq!(doc["source"]["worksheet"], "Users");
    assert_eq!(user_ids(&doc), ["u0101@example.test", "u0102@example.test"]);
    assert_eq!(
        doc["warnings"],
        json!([
            "worksheet `Old wave (do not use)` is hidden and was not read; read `Users`, the \
             active sheet; name a hidden sheet with --sheet to read it"
        ])
    );
    let named = planned(
        "hidden-first-sheet.xls",
        &["--sheet", "Old wave (do not use)"],
    );
    assert_eq!(
        user_ids(&named),
        ["u0001@example.test", "u0002@example.test"]
    );
    assert_eq!(named["warnings"], json!([]));
}

#[test]
fn a_row_hidden_by_hand_is_refused_skipped_or_included() {
    assert_eq!(
        refused("hidden-rows.xls", &[]),
        format!(
            "error: `hidden-rows.xls` has 1 problem; nothing was planned\n  row 4 is hidden; \
             {SHOW_ROW}\n"
        )
    );
    let skipped = planned("hidden-rows.xls", &["--hidden-rows", "skip"]);
    let ids = user_ids(&skipped);
    assert_eq!(ids.len(), 5);
    assert!(!ids.contains(&"u0003@example.test"), "{ids:?}");
    assert_eq!(
        skipped["warnings"],
        json!(["row 4 is hidden; it was left out, as --hidden-rows skip asks"])
    );
    let included = planned("hidden-rows.xls", &["--hidden-rows", "include"]);
    assert_eq!(user_ids(&included).len(), 6);
    assert_eq!(
        patch(&included, 2, "user")["callingLineIdLastName"],
        "Hopper"
    );
}

#[test]
fn rows_an_autofilter_hides_are_refused_naming_the_filter() {
    // The filter shows only `Turing`: row 3, user 2 of 8.
    assert_eq!(
        refused("filtered.xls", &[]),
        format!(
            "error: `filtered.xls` has 1 problem; nothing was planned\n  7 rows holding data \
             are hidden (2, 4–9) by the sheet's filter or by hand; {SHOW_FILTERED}\n"
        )
    );
    let skipped = planned("filtered.xls", &["--hidden-rows", "skip"]);
    assert_eq!(user_ids(&skipped), ["u0002@example.test"]);
    assert_eq!(skipped["source"]["hidden_rows"], "skip");
    assert_eq!(
        user_ids(&planned("filtered.xls", &["--hidden-rows", "include"])).len(),
        8
    );
}

#[test]
fn rows_of_a_collapsed_outline_group_are_hidden_rows() {
    assert!(refused("outline.xls", &[]).contains("3 rows holding data are hidden (3–5); sleipnir"));
    let skipped = planned("outline.xls", &["--hidden-rows", "skip"]);
    assert_eq!(
        user_ids(&skipped),
        [
            "u0001@example.test",
            "u0005@example.test",
            "u0006@example.test"
        ]
    );
}

#[test]
fn a_hidden_column_is_refused_skipped_or_included() {
    assert_eq!(
        refused("hidden-column.xls", &[]),
        "error: `hidden-column.xls` has 1 problem; nothing was planned\n  column C \
         (`user.callingLineIdLastName`) is hidden; sleipnir reads a sheet as you see it: \
         unhide it, or run again with --hidden-columns skip to leave it out or --hidden-columns include to read it\n"
    );
    let skipped = planned("hidden-column.xls", &["--hidden-columns", "skip"]);
    assert_eq!(patch(&skipped, 0, "user"), &json!({"extension": "1001"}));
    let included = planned("hidden-column.xls", &["--hidden-columns", "include"]);
    assert_eq!(
        patch(&included, 0, "user"),
        &json!({"callingLineIdLastName": "Lovelace", "extension": "1001"})
    );
}

#[test]
fn a_range_merged_down_a_column_is_read_in_each_row_and_one_across_columns_is_refused() {
    // D2:D4 merged, holding TRUE; D5 FALSE.
    let doc = planned("merged-down.xls", &[]);
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
    assert_eq!(
        refused("merged-across.xls", &[]),
        "error: `merged-across.xls` has 1 problem; nothing was planned\n  row 3, column B \
         (`user.extension`): cells B3:C3 are merged across columns, so one value stands for \
         several fields; unmerge them and fill each cell\n"
    );
}

#[test]
fn numbers_are_read_as_their_format_shows_them() {
    // 123 formatted 0000, 2138 formatted 00000, 4 rings formatted 0.0.
    let doc = planned("formats.xls", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "0123");
    let settings = patch(&doc, 0, "settings");
    assert_eq!(
        settings["Call Forwarding Always.forwardToPhoneNumber"],
        "02138"
    );
    assert_eq!(settings["Call Forwarding No Answer.numberOfRings"], 4);
    assert_eq!(patch(&doc, 1, "user")["extension"], "2002");
    let more = "with more than digits; format the column as Text, type the values as they \
                should be sent, and save";
    // 1234 formatted #,##0, and 4242 formatted ;;; (shown as nothing) in a text field.
    assert_eq!(
        refused("thousands.xls", &[]),
        format!(
            "error: `thousands.xls` has 1 problem; nothing was planned\n  row 3, column B \
             (`user.extension`): `1,234` is how the spreadsheet shows the number 1234 (its \
             format `#,##0`), {more}\n"
        )
    );
    assert!(refused("blank-format.xls", &[]).contains(
        "row 3, column B (`user.extension`): the number 4242 is formatted to show nothing \
         (`;;;`), so the sheet shows a blank cell"
    ));
}

#[test]
fn error_results_and_dates_are_refused_at_their_cells() {
    let error = "is an error cell (a formula that failed, or the error typed), not a value; \
                 fix the formula or type the value";
    assert_eq!(
        refused("errors.xls", &[]),
        format!(
            "error: `errors.xls` has 4 problems; nothing was planned\n  row 2, column B \
             (`user.extension`): `#N/A` {error}\n  row 3, column B (`user.extension`): \
             `#DIV/0!` {error}\n  row 4, column C (`user.callingLineIdLastName`): `#VALUE!` \
             {error}\n  row 5, column C (`user.callingLineIdLastName`): `2026-01-12` is a date, \
             and no field takes one: the spreadsheet likely turned what was typed (such as \
             `1-12`) into a date; format the column as Text, type the value again and save\n"
        )
    );
}

#[test]
fn a_workbook_stream_in_sectors_of_its_own_reads_the_same() {
    // 300 users (a stream past the mini stream's 4096 bytes), extensions formatted 00000
    // beside a plain number (one MULRK record a row), rows 200–201 hidden.
    assert!(refused("many-users.xls", &[]).contains("2 rows holding data are hidden (200–201); "));
    let doc = planned("many-users.xls", &["--hidden-rows", "skip"]);
    let ids = user_ids(&doc);
    assert_eq!(ids.len(), 298);
    assert!(!ids.contains(&"u0199@example.test"), "row 200");
    assert_eq!(patch(&doc, 0, "user")["extension"], "00001");
    assert_eq!(patch(&doc, 297, "user")["extension"], "00300");
    assert_eq!(patch(&doc, 297, "policy")["maxSimultaneousCalls"], 2);
}
