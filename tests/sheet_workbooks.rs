//! Workbooks as spreadsheets really write them (issue 15): numbers with binary noise or more
//! digits than a spreadsheet keeps, and stray cells far from the data, which cost one cell
//! each (never the rectangle up to them). XLSX files are written here with rust_xlsxwriter;
//! ODS files by hand, as the few XML parts the format needs (tests/sheet_ods.rs reads ODS
//! files Calc saved).

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::sheet_hygiene::patch;
use crate::support::{sleipnir_in, workdir};

/// A workbook of `header` and `rows` of cells (text, or numbers where they parse as one)
/// written to `dir/name`, with `extra` cells (row, column, text) written after them.
fn workbook(dir: &Path, name: &str, header: &[&str], rows: &[&[&str]], extra: &[(u32, u16, &str)]) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Users").expect("name");
    let whole = Format::new().set_num_format("0");
    for (c, title) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *title).expect("cell");
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match text.parse::<f64>() {
                Ok(n) => sheet.write_number_with_format(r, c, n, &whole),
                Err(_) => sheet.write_string(r, c, *text),
            }
            .expect("cell");
        }
    }
    for (r, c, text) in extra {
        sheet.write_string(*r, *c, *text).expect("cell");
    }
    book.save(dir.join(name)).expect("saved");
}

#[test]
fn workbook_numbers_are_read_as_the_spreadsheet_shows_them() {
    let dir = workdir();
    workbook(
        dir.path(),
        "numbers.xlsx",
        &[
            "userId",
            "user.extension",
            "settings.Call Forwarding No Answer.numberOfRings",
        ],
        &[
            &[
                "u1001@example.test",
                "434.99999999999994",
                "2.9999999999999996",
            ],
            &["u1002@example.test", "1001.0", "4"],
        ],
        &[],
    );
    let run = sleipnir_in(dir.path(), &["plan", "numbers.xlsx", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(patch(&doc, 0, "user")["extension"], "435");
    assert_eq!(
        patch(&doc, 0, "settings")["Call Forwarding No Answer.numberOfRings"],
        3
    );
    assert_eq!(patch(&doc, 1, "user")["extension"], "1001");
}

#[test]
fn a_workbook_number_longer_than_a_spreadsheet_keeps_is_refused_in_a_text_field() {
    let dir = workdir();
    workbook(
        dir.path(),
        "long.xlsx",
        &[
            "userId",
            "settings.Call Forwarding Always.forwardToPhoneNumber",
        ],
        &[&["u1001@example.test", "1234567890123456"]],
        &[],
    );
    let run = sleipnir_in(dir.path(), &["plan", "long.xlsx"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: `long.xlsx` has 1 problem; nothing was planned\n  row 2, column B \
         (`settings.Call Forwarding Always.forwardToPhoneNumber`): `1234567890123456` is a \
         number of more than 15 digits, more than a spreadsheet keeps, so its last digits may \
         not be the ones typed; format the column as Text, type the numbers again and save\n"
    );
}

#[test]
fn a_stray_cell_in_the_last_column_is_blank_or_one_error_at_its_place() {
    let dir = workdir();
    let header = ["userId", "user.extension", "user.callingLineIdLastName"];
    let rows: [&[&str]; 2] = [
        &["u1001@example.test", "1001", "Smith"],
        &["u1002@example.test", "1002", "Jones"],
    ];
    // XFD is column 16,384, the last.
    let cases: [(&str, (u32, u16, &str)); 3] = [
        ("blank.xlsx", (0, 16_383, "   ")),
        ("titled.xlsx", (0, 16_383, "x")),
        ("untitled.xlsx", (2, 16_383, "data")),
    ];
    for (name, stray) in cases {
        workbook(dir.path(), name, &header, &rows, &[stray]);
    }
    let blank = sleipnir_in(dir.path(), &["plan", "blank.xlsx", "--format", "json"]);
    assert_eq!(blank.code, 0, "{}", blank.transcript());
    let doc: Value = serde_json::from_str(&blank.stdout).expect("json");
    assert_eq!(doc["totals"]["users"], 2);
    let titled = sleipnir_in(dir.path(), &["plan", "titled.xlsx"]);
    assert_eq!(
        titled.stderr,
        "error: `titled.xlsx` has 1 problem; nothing was planned\n  row 1, column XFD (`x`): \
         `x` is not a field path (`namespace.field`, e.g. `user.extension`); to use titles of \
         your own, pass a mapping file with --mapping\n"
    );
    let untitled = sleipnir_in(dir.path(), &["plan", "untitled.xlsx"]);
    assert_eq!(
        untitled.stderr,
        "error: `untitled.xlsx` has 1 problem; nothing was planned\n  row 3, column XFD (``): \
         data in a column without a title (row 1 is empty here); give the column a field path, \
         or clear the cell\n"
    );
}

#[test]
fn a_sheet_spanning_more_cells_than_sleipnir_reads_is_refused_naming_its_far_cell() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Users").expect("name");
    // A title in every column (16,384) over 611 rows: more than 10,000,000 cells.
    sheet.write_string(0, 0, "userId").expect("cell");
    for c in 1..16_384u16 {
        sheet.write_string(0, c, "x").expect("cell");
    }
    for r in 1..=611u32 {
        sheet
            .write_string(r, 0, format!("u{r}@example.test"))
            .expect("cell");
    }
    book.save(dir.path().join("wide.xlsx")).expect("saved");
    let run = sleipnir_in(dir.path(), &["plan", "wide.xlsx"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: `wide.xlsx`, worksheet `Users`, is too big to read: its cells span 612 rows × \
         16,384 columns (more than 10,000,000 cells), out to XFD1; clear the cells past your \
         data, or split the sheet\n"
    );
}

/// An ODS workbook with one sheet, `Users`, of `rows` (the `<table:table-row>` elements).
fn ods(dir: &Path, name: &str, rows: &str) {
    let options = zip::write::SimpleFileOptions::default();
    let mut file = zip::ZipWriter::new(std::fs::File::create(dir.join(name)).expect("file"));
    file.start_file(
        "mimetype",
        options.compression_method(zip::CompressionMethod::Stored),
    )
    .expect("part");
    file.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("written");
    file.start_file("META-INF/manifest.xml", options)
        .expect("part");
    file.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .expect("written");
    file.start_file("content.xml", options).expect("part");
    write!(
        file,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Users">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
    .expect("written");
    file.finish().expect("zipped");
}

fn text(t: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
    )
}

fn float(n: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
    )
}

#[test]
fn ods_numbers_are_read_as_shown_and_a_far_stray_cell_costs_one_cell() {
    let dir = workdir();
    let header = format!(
        "<table:table-row>{}{}</table:table-row>",
        text("userId"),
        text("user.extension")
    );
    let user = format!(
        "<table:table-row>{}{}</table:table-row>",
        text("u1001@example.test"),
        float("434.99999999999994")
    );
    // LibreOffice ends every sheet with the empty rows and columns up to the last.
    let tail = r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#;
    ods(dir.path(), "numbers.ods", &format!("{header}{user}{tail}"));
    let run = sleipnir_in(dir.path(), &["plan", "numbers.ods", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(patch(&doc, 0, "user")["extension"], "435");

    // One cell in XFD1 over 700 rows: a dense reader would build 700 × 16,384 cells; it is
    // one cell, found at its place as in an XLSX workbook.
    let stray = format!(
        "<table:table-row>{}{}<table:table-cell table:number-columns-repeated=\"16381\"/>{}</table:table-row>",
        text("userId"),
        text("user.extension"),
        text("notes")
    );
    let users = format!(
        r#"<table:table-row table:number-rows-repeated="700">{}{}</table:table-row>"#,
        text("u1001@example.test"),
        float("1001")
    );
    ods(dir.path(), "stray.ods", &format!("{stray}{users}"));
    let run = sleipnir_in(dir.path(), &["plan", "stray.ods"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: `stray.ods` has 1 problem; nothing was planned\n  row 1, column XFD (`notes`): \
         `notes` is not a field path (`namespace.field`, e.g. `user.extension`); to use titles \
         of your own, pass a mapping file with --mapping\n"
    );

    // A title in every column (one cell repeated 16,383 times) over 611 rows: more than
    // 10,000,000 cells really hold something.
    let wide = format!(
        r#"<table:table-row>{}<table:table-cell office:value-type="string" table:number-columns-repeated="16383"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="611">{}</table:table-row>"#,
        text("userId"),
        text("u1001@example.test")
    );
    ods(dir.path(), "wide.ods", &wide);
    let run = sleipnir_in(dir.path(), &["plan", "wide.ods"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: `wide.ods`, worksheet `Users`, is too big to read: its cells span 612 rows × \
         16,384 columns (more than 10,000,000 cells), out to XFD1; clear the cells past your \
         data, or split the sheet\n"
    );
}
