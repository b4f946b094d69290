//! XLS texts through their format and formula results as LibreOffice Calc saves them
//! (issue 22): a text reads as its format shows it, or is refused where the format shows
//! nothing; a formula's text result Calc stored reads as that text, and the 0 Calc stores
//! for a text result it did not compute is refused as a formula without a value. The files
//! in tests/fixtures/xls/ were made with Calc itself (see the README there).

use crate::sheet_hygiene::patch;
use crate::sheet_xls::{planned, refused};

#[test]
fn a_text_is_read_as_its_format_shows_it_with_one_warning() {
    // D2:D4 formatted "+"@ hold the texts 15551230001–15551230003.
    let doc = planned("text-plus.xls", &[]);
    let phone =
        |user| patch(&doc, user, "settings")["Call Forwarding Always.forwardToPhoneNumber"].clone();
    assert_eq!(phone(0), "+15551230001");
    assert_eq!(phone(2), "+15551230003");
    assert_eq!(
        doc["warnings"],
        serde_json::json!([
            "the text in 3 cells is read as their format shows it, not as the cells hold it: \
             D2 shows `+15551230001` for `15551230001` (format `\\+@`), D3 shows \
             `+15551230002` for `15551230002` (format `\\+@`), D4 shows `+15551230003` for \
             `15551230003` (format `\\+@`); format the cells as Text (`@`) to send what \
             they hold"
        ])
    );
}

#[test]
fn a_text_formatted_to_show_nothing_is_refused_at_its_cell() {
    assert_eq!(
        refused("text-hidden.xls", &[]),
        "error: `text-hidden.xls` has 1 problem; nothing was planned\n  row 2, column C \
         (`user.callingLineIdLastName`): the text `Lovelace` is formatted to show nothing \
         (`;;;`), so the sheet shows a blank cell; clear the cell to leave the field as it \
         is, or format it to show the text\n"
    );
}

#[test]
fn text_results_calc_stored_are_read_and_the_0_it_stores_for_uncomputed_ones_refused() {
    // Built in Calc and saved as XLS: each text result in a STRING record.
    let doc = planned("formula-texts.xls", &[]);
    assert_eq!(patch(&doc, 0, "user")["callingLineIdLastName"], "Lovelace");
    assert_eq!(patch(&doc, 0, "user")["extension"], "1001");
    assert_eq!(patch(&doc, 1, "user")["callingLineIdLastName"], "Turing");
    assert_eq!(patch(&doc, 1, "user")["extension"], "1002");
    // The same saved as ODS and converted to XLS unseen: Calc stores each text result as
    // the number 0 (Calc and Excel show the text, calculated again on opening); the number
    // result 1001 is stored as it is.
    let formula = "is a formula the workbook holds no computed value for (it was written by a \
                   program and never calculated); open and save the workbook in a \
                   spreadsheet, or write values instead of formulas";
    assert_eq!(
        refused("formula-converted.xls", &[]),
        format!(
            "error: `formula-converted.xls` has 3 problems; nothing was planned\n  row 2, \
             column C (`user.callingLineIdLastName`): `=PROPER(\"lovelace\")` {formula}\n  \
             row 3, column B (`user.extension`): `=TEXT(1002,\"0\")` {formula}\n  row 3, \
             column C (`user.callingLineIdLastName`): `=CONCATENATE(\"Tur\",\"ing\")` \
             {formula}\n"
        )
    );
}
