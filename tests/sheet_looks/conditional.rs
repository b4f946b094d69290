//! Conditional formats that change a cell's number format: where the sheet shows a cell
//! otherwise than its own format would, what it shows depends on a rule sleipnir does not
//! evaluate, and the cell is refused in text fields (and wherever the rule may blank it).

use rust_xlsxwriter::{
    ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatDuplicate, Format, Workbook,
};

use super::{plan, planned, save, users};
use crate::sheet_hygiene::patch;
use crate::support::workdir;

const RINGS: &str = "settings.Call Forwarding No Answer.numberOfRings";

/// A rule that holds below 1000 and shows the cell through `code`.
fn below_1000(code: &str) -> ConditionalFormatCell {
    ConditionalFormatCell::new()
        .set_rule(ConditionalFormatCellRule::LessThan(1000))
        .set_format(Format::new().set_num_format(code))
}

#[test]
fn a_cell_a_conditional_format_shows_otherwise_is_refused_in_text_fields() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 3);
    sheet.write_string(0, 3, RINGS).expect("title");
    sheet.write_number(1, 2, 101.0).expect("cell");
    sheet.write_number(2, 2, 1001.0).expect("cell");
    for row in 1..=3 {
        sheet.write_number(row, 3, 3.0).expect("cell");
    }
    // `0000` shows 101 as `0101` and 1001 as it is; `00` shows 3 as `03`, but a number
    // field takes the number; `;;;` may hide a title.
    sheet
        .add_conditional_format(1, 2, 3, 2, &below_1000("0000"))
        .expect("rule");
    sheet
        .add_conditional_format(1, 3, 3, 3, &below_1000("00"))
        .expect("rule");
    let hide = ConditionalFormatCell::new()
        .set_rule(ConditionalFormatCellRule::EqualTo("\"Support\""))
        .set_format(Format::new().set_num_format(";;;"));
    sheet
        .add_conditional_format(2, 1, 2, 1, &hide)
        .expect("rule");
    save(&mut book, dir.path(), "conditional.xlsx");
    let refused = plan(dir.path(), "conditional.xlsx", &[]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert_eq!(
        refused.stderr,
        "error: `conditional.xlsx` has 2 problems; nothing was planned\n  row 2, column C \
         (`user.extension`): `101`: its number format depends on a conditional format, which \
         shows it as `0101` (format `0000`) where its rule holds; sleipnir does not evaluate \
         the rule, so it cannot tell what the sheet shows; remove the number format from the \
         conditional format, or the conditional format from the cell, and save\n  row 3, \
         column B (`user.title`): `Support`: its number format depends on a conditional \
         format, which shows nothing (format `;;;`) where its rule holds; sleipnir does not \
         evaluate the rule, so it cannot tell what the sheet shows; remove the number format \
         from the conditional format, or the conditional format from the cell, and save\n"
    );
}

#[test]
fn conditional_formats_that_show_the_cell_the_same_or_only_colour_it_change_nothing() {
    let dir = workdir();
    let mut book = Workbook::new();
    let sheet = users(&mut book, 2);
    sheet.write_string(0, 3, RINGS).expect("title");
    sheet.write_number(1, 2, 1001.0).expect("cell");
    sheet.write_number(1, 3, 3.0).expect("cell");
    sheet.write_number(2, 3, 4.0).expect("cell");
    sheet
        .add_conditional_format(1, 2, 2, 2, &below_1000("0000"))
        .expect("rule");
    sheet
        .add_conditional_format(1, 3, 2, 3, &below_1000("00"))
        .expect("rule");
    let red = ConditionalFormatDuplicate::new().set_format(Format::new().set_font_color("FF0000"));
    sheet
        .add_conditional_format(1, 1, 2, 1, &red)
        .expect("rule");
    save(&mut book, dir.path(), "same.xlsx");
    let (doc, _) = planned(dir.path(), "same.xlsx", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "1001");
    assert_eq!(patch(&doc, 1, "user")["extension"], "7002");
    assert_eq!(patch(&doc, 0, "user")["title"], "Sales");
    assert_eq!(
        patch(&doc, 1, "settings")["Call Forwarding No Answer.numberOfRings"],
        4
    );
}
