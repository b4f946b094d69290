//! Formats that change what a cell shows: numbers and texts formatted to show nothing,
//! texts shown with literals around them, locale-tagged `General` and `@`, times of day,
//! numeral systems, fills and a section that drops the minus sign.

use rust_xlsxwriter::{Format, Workbook};
use serde_json::json;

use super::{plan, planned, save, users};
use crate::sheet_hygiene::patch;
use crate::support::workdir;

#[test]
fn numbers_formatted_to_show_nothing_are_refused_as_blank_cells() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 3);
    let cases = [(4242.0, ";;;"), (0.0, "#"), (0.0, "0;-0;;@")];
    for (row, (value, code)) in (1u32..).zip(cases) {
        sheet
            .write_number_with_format(row, 2, value, &Format::new().set_num_format(code))
            .expect("cell");
    }
    save(&mut book, dir.path(), "blank.xlsx");
    let refused = plan(dir.path(), "blank.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    let blank = |row: u32, value: &str, code: &str| {
        format!(
            "  row {row}, column C (`user.extension`): the number {value} is formatted to show \
             nothing (`{code}`), so the sheet shows a blank cell; clear the cell to leave the \
             field as it is, or format it to show the value\n"
        )
    };
    assert_eq!(
        refused.stderr,
        format!(
            "error: `blank.xlsx` has 3 problems; nothing was planned\n{}{}{}",
            blank(2, "4242", ";;;"),
            blank(3, "0", "#"),
            blank(4, "0", "0;-0;;@")
        )
    );
}

#[test]
fn text_is_read_as_its_format_shows_it_or_refused_where_it_shows_nothing() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 3);
    let plus = Format::new().set_num_format("0;-0;0;\"+\"@");
    sheet
        .write_string_with_format(1, 2, "15551234567", &plus)
        .expect("cell");
    sheet
        .write_string_with_format(2, 2, "7002", &Format::new().set_num_format("[$-409]@"))
        .expect("cell");
    sheet
        .write_string_with_format(3, 1, "Sales", &Format::new().set_num_format(";;;"))
        .expect("cell");
    save(&mut book, dir.path(), "text.xlsx");
    let refused = plan(dir.path(), "text.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr.lines().nth(1),
        Some(
            "  row 4, column B (`user.title`): the text `Sales` is formatted to show nothing \
             (`;;;`), so the sheet shows a blank cell; clear the cell to leave the field as it \
             is, or format it to show the text"
        ),
        "{}",
        refused.stderr
    );
    let mut book = Workbook::new();
    let sheet = users(&mut book, 2);
    sheet
        .write_string_with_format(1, 2, "15551234567", &plus)
        .expect("cell");
    sheet
        .write_string_with_format(2, 2, "7002", &Format::new().set_num_format("[$-409]@"))
        .expect("cell");
    save(&mut book, dir.path(), "text.xlsx");
    let (doc, _) = planned(dir.path(), "text.xlsx", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "+15551234567");
    assert_eq!(patch(&doc, 1, "user")["extension"], "7002");
    assert_eq!(
        doc["warnings"],
        json!([
            "the text in C2 is read as its format shows it, `+15551234567`, not as the cell \
             holds it, `15551234567` (format `0;-0;0;\"+\"@`); format the cell as Text (`@`) \
             to send what it holds"
        ])
    );
}

#[test]
fn general_and_text_formats_behind_a_locale_tag_show_the_number_as_it_is() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 3);
    let cases = [
        (1001.0, "[$-409]General"),
        (1002.0, "[$-en-US]General"),
        (123.0, "[$-409]@"),
    ];
    for (row, (value, code)) in (1u32..).zip(cases) {
        sheet
            .write_number_with_format(row, 2, value, &Format::new().set_num_format(code))
            .expect("cell");
    }
    save(&mut book, dir.path(), "general.xlsx");
    let (doc, _) = planned(dir.path(), "general.xlsx", &[]);
    let extensions: Vec<&serde_json::Value> = (0..3)
        .map(|i| &patch(&doc, i, "user")["extension"])
        .collect();
    assert_eq!(extensions, [&json!("1001"), &json!("1002"), &json!("123")]);
}

#[test]
fn a_time_of_day_is_refused_as_a_time_and_a_length_of_time_as_a_duration() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 2);
    sheet
        .write_number_with_format(1, 2, 0.5, &Format::new().set_num_format("hh:mm"))
        .expect("cell");
    sheet
        .write_number_with_format(2, 2, 1.5, &Format::new().set_num_format("[h]:mm:ss"))
        .expect("cell");
    save(&mut book, dir.path(), "time.xlsx");
    let refused = plan(dir.path(), "time.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr,
        "error: `time.xlsx` has 2 problems; nothing was planned\n  row 2, column C \
         (`user.extension`): `12:00:00` is a time, and no field takes one: the spreadsheet \
         likely turned what was typed (such as `12:00`) into a time; format the column as \
         Text, type the value again and save\n  row 3, column C (`user.extension`): \
         `36:00:00` is a duration, and no field takes one: the spreadsheet likely turned what \
         was typed (such as `36:00`) into a duration; format the column as Text, type the \
         value again and save\n"
    );
}

#[test]
fn numeral_systems_fills_and_a_sign_section_are_shown_as_the_spreadsheet_shows_them() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 3);
    // LibreOffice saves `[NatNum1][$-804]0` (123 as 一二三) so; `*0` fills the column with
    // zeros; a second section without a minus shows -2001 as 2001.
    let cases = [
        (123.0, "[$-1E000804]0"),
        (123.0, "*00"),
        (-2001.0, "0000;0000"),
    ];
    for (row, (value, code)) in (1u32..).zip(cases) {
        sheet
            .write_number_with_format(row, 2, value, &Format::new().set_num_format(code))
            .expect("cell");
    }
    save(&mut book, dir.path(), "shown.xlsx");
    let refused = plan(dir.path(), "shown.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    let unread = |row: u32, code: &str| {
        format!(
            "  row {row}, column C (`user.extension`): the number 123 is shown through a \
             format `{code}` that sleipnir cannot read as the spreadsheet shows it; format the \
             column as Text, type the values as they should be sent, and save\n"
        )
    };
    assert_eq!(
        refused.stderr,
        format!(
            "error: `shown.xlsx` has 3 problems; nothing was planned\n{}{}  row 4, column C \
             (`user.extension`): `2001` is how the spreadsheet shows the number -2001 (its \
             format `0000;0000`), without its minus sign; format the column as Text, type the \
             values as they should be sent, and save\n",
            unread(2, "[$-1E000804]0"),
            unread(3, "*00"),
        )
    );
    // A language tag, with or without leading zeros, and a fill of spaces change nothing.
    let mut book = Workbook::new();
    let sheet = users(&mut book, 2);
    for (row, code) in [(1, "[$-0409]0000"), (2, "* 0000")] {
        sheet
            .write_number_with_format(row, 2, 123.0, &Format::new().set_num_format(code))
            .expect("cell");
    }
    save(&mut book, dir.path(), "locale.xlsx");
    let (doc, _) = planned(dir.path(), "locale.xlsx", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "0123");
    assert_eq!(patch(&doc, 1, "user")["extension"], "0123");
}
