//! XLS files that are damaged, cut short or far bigger than their data (issue 22): each is
//! refused with what to do, never a crash. calamine, which reads XLS, panicked on the first
//! two (exit 101), aborted trying to allocate 115 GB for the third, and took a gigabyte for
//! the last; they are checked before it sees them, and what it still panics on is refused.

use crate::sheet_xls::{plan, refused};

#[test]
fn a_file_cut_short_is_refused() {
    // hidden-rows.xls cut after 901 bytes: its directory is gone.
    assert_eq!(
        refused("cut-short.xls", &[]),
        "error: `cut-short.xls` is not a readable workbook: it is an OLE compound file whose \
         workbook stream cannot be read (the file is damaged or cut short); open it in a \
         spreadsheet and save it again\n"
    );
}

#[test]
fn a_file_the_reader_stops_on_is_refused_without_a_crash_report() {
    // hidden-first-sheet.xls with one byte changed (found by fuzzing): a sheet's records
    // said to start past the end of the stream, where calamine panics.
    let stderr = refused("sheet-past-end.xls", &[]);
    assert!(
        stderr.starts_with(
            "error: `sheet-past-end.xls` is not a readable workbook: it is damaged or cut \
             short (the reader stopped: "
        ),
        "{stderr}"
    );
    assert!(stderr.ends_with("; open it in a spreadsheet and save it again\n"));
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_cell_past_iv65536_is_a_damaged_file() {
    // formats.xls with a text cell moved to row 60001, column 60001.
    assert_eq!(
        refused("damaged-cell.xls", &[]),
        "error: `damaged-cell.xls` is not a readable workbook: worksheet `Users`: a cell \
         record names the cell CJSS60001, past the last cell (IV65536) an XLS sheet has, so \
         the file is damaged; open it in a spreadsheet and save it as .xlsx\n"
    );
}

#[test]
fn one_space_in_the_last_cell_is_refused_as_too_big() {
    let run = plan("stray-space.xls", &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: `stray-space.xls`, worksheet `Users`, is too big to read: its cells span \
         65,536 rows × 256 columns (more than 10,000,000 cells), out to IV65536; clear the \
         cells past your data, or split the sheet\n"
    );
}
