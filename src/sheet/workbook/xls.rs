//! An XLS worksheet as the person sees it: calamine's values, each number and text through
//! its style's number format, the merged ranges calamine reads, and what one more pass over
//! the workbook stream's BIFF records finds (the active tab, hidden rows and columns, the
//! filter, each cell's style, the formulas whose stored result is not to be trusted).
//!
//! A formula's stored result is what a spreadsheet computed when it saved the file, and
//! what calamine reads; LibreOffice and Excel both calculate an XLS again when they open it.
//! LibreOffice's XLS export stores a text result it has not computed in that session (every
//! formula of a file converted without a window, and `TEXT()`'s result even then) as the
//! number 0, with no STRING record, so in an XLS LibreOffice wrote (its fixed RECALCID) a
//! stored 0 is a formula without a trustworthy value ([`Cell::Formula`]), like a stored 0 in
//! an XLSX marked `fullCalcOnLoad`.

use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, Range, Reader, Xls};

use super::super::Cell;
use super::super::looks::Merge;
use super::open::guarded_mut;
use super::shown::{Stored, Through};
use super::tabs::{self, Tabs};
use super::xls_book::LIBREOFFICE_RECALC_ID;
use super::xlsx::WorksheetRead;
use super::{Placed, cell, compound, xls_book, xls_looks};
use crate::sheet::SheetError;

/// Read the worksheet `wanted`, or the one [`tabs::choose`] picks, of the XLS workbook `xls`
/// whose file holds `bytes`.
pub(super) fn read<RS: Read + Seek>(
    path: &Path,
    bytes: &[u8],
    xls: &mut Xls<RS>,
    wanted: Option<&str>,
) -> Result<WorksheetRead, SheetError> {
    let unreadable = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let unscanned = || {
        unreadable(
            "its records could not be read for how the worksheet looks (hidden rows and \
             columns, number formats); open it in a spreadsheet and save it as .xlsx"
                .to_string(),
        )
    };
    let stream = compound::stream(bytes, &["Workbook", "Book"]).ok_or_else(unscanned)?;
    let globals = xls_book::globals(&stream);
    let listed = Tabs::listed(xls.sheets_metadata(), globals.active);
    let chosen = tabs::choose(path, &listed, wanted)?;
    let in_sheet =
        |e: &dyn std::fmt::Display| unreadable(format!("worksheet `{}`: {e}", chosen.name));
    // The sheet's records, found by its place among the sheets calamine lists.
    let sheet = listed
        .tabs
        .iter()
        .position(|tab| tab.name == chosen.name)
        .and_then(|i| globals.sheets.get(i))
        .and_then(|start| stream.get(*start..))
        .ok_or_else(unscanned)?;
    let mut displays = globals.displays;
    let scan = xls_looks::scan(sheet, |style| {
        displays
            .get(usize::from(style))
            .is_some_and(|display| !display.is_plain())
    });
    let mut looks = scan.looks;
    looks.merges = guarded_mut(|| xls.merge_cells_by_sheet_name(&chosen.name))
        .map_err(&unreadable)?
        .map_err(|e| in_sheet(&e))?
        .into_iter()
        .filter(|d| d.start != d.end)
        .map(|d| Merge {
            rows: (d.start.0 as usize + 1, d.end.0 as usize + 1),
            columns: (d.start.1 as usize, d.end.1 as usize),
        })
        .collect();
    let range = guarded_mut(|| xls.worksheet_range(&chosen.name))
        .map_err(&unreadable)?
        .map_err(|e| in_sheet(&e))?;
    let mut through = Through::new(&mut displays, scan.styled);
    let mut cells = cells(&range, &mut through);
    let warnings = through.as_shown.warning().into_iter().collect();
    if globals.recalc_id == Some(LIBREOFFICE_RECALC_ID) && !scan.zero_results.is_empty() {
        let formulas = guarded_mut(|| xls.worksheet_formula(&chosen.name))
            .ok()
            .and_then(Result::ok);
        untrusted(&mut cells, &scan.zero_results, formulas.as_ref());
    }
    Ok(WorksheetRead {
        cells,
        looks,
        chosen,
        warnings,
    })
}

/// The cells of `range` that hold something, each through its style.
fn cells(range: &Range<Data>, through: &mut Through<'_>) -> Vec<Placed> {
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    range
        .used_cells()
        .map(|(row, column, value)| {
            let (row, column) = (first_row + row as u32, first_column + column as u32);
            let stored = match value {
                Data::Float(n) => Stored::Number(*n),
                Data::Int(n) => Stored::Number(*n as f64),
                Data::String(text) => Stored::Text(text),
                other => Stored::Other(cell(other)),
            };
            (row, column, through.cell(row, column, stored))
        })
        .filter(|(_, _, value)| !value.is_empty())
        .collect()
}

/// Put a [`Cell::Formula`] in place of each formula's stored 0 at `zero_results` (zero-based
/// row and column), with its text from `formulas` (calamine's, without the `=`) where
/// calamine could read it.
fn untrusted(cells: &mut [Placed], zero_results: &[(u32, u32)], formulas: Option<&Range<String>>) {
    let zero: HashSet<(u32, u32)> = zero_results.iter().copied().collect();
    for (row, column, value) in cells.iter_mut() {
        if !zero.contains(&(*row, *column)) {
            continue;
        }
        let text = formulas
            .and_then(|f| f.get_value((*row, *column)))
            .filter(|text| !text.is_empty() && !text.starts_with("Unrecognised formula"))
            .map(|text| format!("={text}"))
            .unwrap_or_else(|| "(a formula)".to_string());
        *value = Cell::Formula(text);
    }
}
