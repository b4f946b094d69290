//! What Calc shows that its stored values do not say: formulas whose result is the empty
//! text, numbers and texts formatted to show nothing or more than they hold, fractions and
//! times (tests/fixtures/ods, made with Calc by `make_ods.py`, and with odfpy by
//! `make_odfpy.py`).

use serde_json::json;

use super::{planned, refused};
use crate::sheet_hygiene::patch;

#[test]
fn formulas_whose_result_is_the_empty_text_are_blank_cells() {
    // `=""`, `=IF(D3="";"";D3)`, `=IFERROR(VLOOKUP(…);"")` in B2:B4, `=T(1)` in C5.
    let doc = planned("empty-results.ods", &[]);
    for (i, name) in ["Lovelace", "Turing", "Hopper"].iter().enumerate() {
        assert_eq!(
            patch(&doc, i, "user"),
            &json!({"callingLineIdLastName": name}),
            "row {}",
            i + 2
        );
    }
    assert_eq!(patch(&doc, 3, "user"), &json!({"extension": "1004"}));
    assert_eq!(doc["warnings"], json!([]));
}

#[test]
fn a_script_s_formula_with_an_empty_paragraph_is_still_refused_as_typed() {
    let never = "is a formula the workbook holds no computed value for (it was written by a \
                 program and never calculated); open and save the workbook in a spreadsheet, or \
                 write values instead of formulas";
    assert_eq!(
        refused("formula-paragraph.ods", &[]),
        format!(
            "error: `formula-paragraph.ods` has 2 problems; nothing was planned\n  row 2, \
             column B (`user.extension`): `=IF(C2=\"\",\"\",Numbers!A1)` {never}\n  row 3, \
             column B (`user.extension`): `=B2*2` {never}\n"
        )
    );
}

#[test]
fn numbers_shown_as_nothing_fractions_and_times_are_refused_naming_their_format() {
    let blank = |row: u32, value: &str, code: &str| {
        format!(
            "  row {row}, column B (`user.extension`): the number {value} is formatted to show \
             nothing (`{code}`), so the sheet shows a blank cell; clear the cell to leave the \
             field as it is, or format it to show the value\n"
        )
    };
    let fix = "format the column as Text, type the values as they should be sent, and save";
    assert_eq!(
        refused("blank-formats.ods", &[]),
        format!(
            "error: `blank-formats.ods` has 6 problems; nothing was planned\n{}  row 2, column \
             D (`settings.Call Forwarding Always.forwardToPhoneNumber`): `1,234` is how the \
             spreadsheet shows the number 1234 (its format `#,##0`), with more than digits; \
             {fix}\n{}{}  row 5, column B (`user.extension`): `1/2` is how the spreadsheet \
             shows the number 0.5 (its format `# ?/?`), a fraction; {fix}\n  row 6, column B \
             (`user.extension`): `12:00:00` is a time, and no field takes one: the spreadsheet \
             likely turned what was typed (such as `12:00`) into a time; format the column as \
             Text, type the value again and save\n",
            blank(2, "4242", ";;;"),
            blank(3, "0", "#"),
            blank(4, "0", "0;-0;;@"),
        )
    );
}

#[test]
fn a_text_is_read_as_its_format_shows_it_or_refused_where_it_shows_nothing() {
    // `15551234567` formatted `0;-0;0;"+"@`: Calc shows `+15551234567`.
    let doc = planned("text-formats.ods", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "+15551234567");
    assert_eq!(
        doc["warnings"],
        json!([
            "the text in B2 is read as its format shows it, `+15551234567`, not as the cell \
             holds it, `15551234567` (format `0;-0;0;+@`); format the cell as Text (`@`) to \
             send what it holds"
        ])
    );
    // `Lovelace` formatted `;;;`: Calc shows nothing.
    assert_eq!(
        refused("text-hidden.ods", &[]),
        "error: `text-hidden.ods` has 1 problem; nothing was planned\n  row 2, column C \
         (`user.callingLineIdLastName`): the text `Lovelace` is formatted to show nothing \
         (`;;;`), so the sheet shows a blank cell; clear the cell to leave the field as it is, \
         or format it to show the text\n"
    );
}
