//! Values as the person sees them: number formats, dates, formulas with and without a
//! computed value, error cells; encrypted workbooks; and nothing sent for a refused sheet.

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use serde_json::Value;

use super::{cell, patch_worksheet, plan, planned, save, user, users};
use crate::sheet_hygiene::patch;
use crate::support::{root, run_on, sleipnir_in, workdir};

#[test]
fn numbers_plan_as_their_format_shows_them_or_are_refused_in_text_fields() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let titles = [
        "userId",
        "user.extension",
        "user.address.zipOrPostalCode",
        "settings.Call Forwarding No Answer.numberOfRings",
    ];
    for (c, title) in titles.iter().enumerate() {
        sheet.write_string(0, c as u16, *title).expect("cell");
    }
    let padded = Format::new().set_num_format("0000");
    let zip = Format::new().set_num_format("00000");
    let two = Format::new().set_num_format("0.00");
    let thousands = Format::new().set_num_format("#,##0");
    sheet.write_string(1, 0, user(1)).expect("cell");
    sheet
        .write_number_with_format(1, 1, 123, &padded)
        .expect("cell");
    sheet
        .write_number_with_format(1, 2, 2138, &zip)
        .expect("cell");
    sheet.write_number_with_format(1, 3, 4, &two).expect("cell");
    sheet.write_string(2, 0, user(2)).expect("cell");
    sheet
        .write_number_with_format(2, 1, 1234, &thousands)
        .expect("cell");
    save(&mut book, dir.path(), "formats.xlsx");
    let refused = plan(dir.path(), "formats.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr,
        "error: `formats.xlsx` has 1 problem; nothing was planned\n  row 3, column B \
         (`user.extension`): `1,234` is how the spreadsheet shows the number 1234 (its format \
         `#,##0`), with more than digits; format the column as Text, type the values as they \
         should be sent, and save\n"
    );
    patch_worksheet(&dir.path().join("formats.xlsx"), |xml| {
        let end = xml.find("<row r=\"3\"").expect("row 3");
        let close = xml[end..].find("</row>").expect("end") + end + "</row>".len();
        format!("{}{}", &xml[..end], &xml[close..])
    });
    let (doc, _) = planned(dir.path(), "formats.xlsx", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "0123");
    assert_eq!(patch(&doc, 0, "user")["address.zipOrPostalCode"], "02138");
    assert_eq!(
        patch(&doc, 0, "settings")["Call Forwarding No Answer.numberOfRings"],
        4
    );
}

#[test]
fn a_date_cell_is_refused_with_its_date() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 1);
    let date = ExcelDateTime::from_ymd(2026, 1, 12).expect("date");
    sheet
        .write_date_with_format(1, 2, &date, &Format::new().set_num_format("d-mmm"))
        .expect("cell");
    save(&mut book, dir.path(), "date.xlsx");
    let refused = plan(dir.path(), "date.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(
            "row 2, column C (`user.extension`): `2026-01-12` is a date, and no field takes one"
        ),
        "{}",
        refused.stderr
    );
}

#[test]
fn formulas_plan_their_computed_value_and_are_refused_without_one() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 4);
    sheet
        .write_formula(1, 2, Formula::new("=7000+1").set_result("7001"))
        .expect("cell");
    // A text result that is empty is a value: blank (patched in below: rust_xlsxwriter
    // writes its default result, 0, for an empty one).
    sheet
        .write_formula(2, 1, Formula::new("=\"\"").set_result("blank"))
        .expect("cell");
    sheet.write_formula(3, 2, "=A4&\"x\"").expect("cell");
    save(&mut book, dir.path(), "formulas.xlsx");
    // Written by a program: the workbook asks to be recalculated when opened, and the
    // formula given no result holds 0, which no spreadsheet computed.
    let refused = plan(dir.path(), "formulas.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr,
        "error: `formulas.xlsx` has 1 problem; nothing was planned\n  row 4, column C \
         (`user.extension`): `=A4&\"x\"` is a formula the workbook holds no computed value for \
         (it was written by a program and never calculated); open and save the workbook in a \
         spreadsheet, or write values instead of formulas\n"
    );
    // As openpyxl writes a formula (`<v/>`), and with no result element at all.
    patch_worksheet(&dir.path().join("formulas.xlsx"), |xml| {
        xml.replace("<v>blank</v>", "<v></v>")
            .replace("<f>A4&amp;\"x\"</f><v>0</v>", "<f>A4&amp;\"x\"</f><v/>")
            .replace(&cell(&xml, "C5"), "<c r=\"C5\"><f>A5*2</f></c>")
    });
    let refused = plan(dir.path(), "formulas.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("has 2 problems"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("row 5, column C (`user.extension`): `=A5*2` is a formula"),
        "{}",
        refused.stderr
    );
    patch_worksheet(&dir.path().join("formulas.xlsx"), |xml| {
        xml.replace(
            "<c r=\"C4\"><f>A4&amp;\"x\"</f><v/>",
            "<c r=\"C4\" t=\"str\"><f>A4&amp;\"x\"</f><v>7003x</v>",
        )
        .replace("<c r=\"C5\"><f>A5*2</f></c>", "")
    });
    let (doc, _) = planned(dir.path(), "formulas.xlsx", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "7001");
    assert_eq!(patch(&doc, 1, "user")["title"], Value::Null);
    assert_eq!(patch(&doc, 2, "user")["extension"], "7003x");
}

#[test]
fn error_cells_typed_or_a_formula_s_result_are_refused() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 2);
    sheet
        .write_formula(1, 2, Formula::new("=NA()").set_result("#N/A"))
        .expect("cell");
    sheet
        .write_formula(2, 2, Formula::new("=NA()").set_result("#N/A"))
        .expect("cell");
    save(&mut book, dir.path(), "errors.xlsx");
    // The second one typed: an error cell with no formula.
    patch_worksheet(&dir.path().join("errors.xlsx"), |xml| {
        let at = xml.find("<c r=\"C3\"").expect("C3");
        format!("{}{}", &xml[..at], xml[at..].replacen("<f>NA()</f>", "", 1))
    });
    let refused = plan(dir.path(), "errors.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    for row in [2, 3] {
        assert!(
            refused.stderr.contains(&format!(
                "row {row}, column C (`user.extension`): `#N/A` is an error cell"
            )),
            "{}",
            refused.stderr
        );
    }
}

#[test]
fn error_values_of_newer_excel_versions_are_error_cells_with_the_sheet_s_other_problems() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 4);
    for row in [1, 2] {
        sheet
            .write_formula(row, 2, Formula::new("=NA()").set_result("#N/A"))
            .expect("cell");
    }
    sheet
        .write_number_with_format(3, 2, 7003.0, &Format::new().set_num_format(";;;"))
        .expect("cell");
    save(&mut book, dir.path(), "spill.xlsx");
    // rust_xlsxwriter writes only the error values of Excel 2007: `#SPILL!` as a formula's
    // result, `#GETTING_DATA` typed.
    patch_worksheet(&dir.path().join("spill.xlsx"), |xml| {
        let spill = cell(&xml, "C2").replace("#N/A", "#SPILL!");
        let typed = cell(&xml, "C3").replace("<f>NA()</f><v>#N/A", "<v>#GETTING_DATA");
        xml.replace(&cell(&xml, "C2"), &spill)
            .replace(&cell(&xml, "C3"), &typed)
    });
    let refused = plan(dir.path(), "spill.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    let error = |row: u32, value: &str| {
        format!(
            "  row {row}, column C (`user.extension`): `{value}` is an error cell (a formula \
             that failed, or the error typed), not a value; fix the formula or type the value\n"
        )
    };
    assert_eq!(
        refused.stderr,
        format!(
            "error: `spill.xlsx` has 3 problems; nothing was planned\n{}{}  row 4, column C \
             (`user.extension`): the number 7003 is formatted to show nothing (`;;;`), so the \
             sheet shows a blank cell; clear the cell to leave the field as it is, or format \
             it to show the value\n",
            error(2, "#SPILL!"),
            error(3, "#GETTING_DATA"),
        )
    );
}

#[test]
fn encrypted_workbooks_are_refused_whatever_their_name() {
    for name in [
        "password.xlsx",
        "velvetsweatshop.xlsx",
        "password.xls",
        "velvetsweatshop.xls",
        "password.ods",
        "password-named.csv",
        "velvetsweatshop-xls-named.csv",
    ] {
        let path = format!("tests/fixtures/encrypted/{name}");
        let run = sleipnir_in(&root(), &["plan", &path]);
        assert_eq!(run.code, 2, "{name}: {}", run.transcript());
        // The one error, whatever the name (its advice is the message's own, tested there).
        assert!(
            run.stderr.starts_with(&format!(
                "error: `{path}` is an encrypted (password-protected) workbook, which sleipnir \
                 cannot read; "
            )),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{name}: {}", run.stderr);
    }
}

#[test]
fn a_refused_sheet_sends_nothing_to_odin() {
    let sim = sleipnir::sim::Simulator::start(
        sleipnir::sim::SimConfig {
            users: 4,
            ..sleipnir::sim::SimConfig::default()
        },
        0,
    )
    .expect("simulator");
    let dir = workdir();
    let mut book = Workbook::new();
    users(&mut book, 4).set_row_hidden(2).expect("hidden");
    save(&mut book, dir.path(), "hidden.xlsx");
    let run = run_on(dir.path(), &sim, &["apply", "hidden.xlsx", "--out", "run"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("row 3 is hidden"), "{}", run.stderr);
    assert_eq!(sim.stats().total, 0, "{:?}", sim.stats());
}
