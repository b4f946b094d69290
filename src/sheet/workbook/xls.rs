//! An XLS worksheet as the person sees it: calamine's values, each number through its
//! style's number format, the merged ranges calamine reads, and what one more pass over the
//! workbook stream's BIFF records finds (the active tab, hidden rows and columns, the
//! filter, each number cell's style).

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Reader, Xls};

use super::super::looks::Merge;
use super::open::guarded_mut;
use super::shown::styled;
use super::tabs::{self, Tabs};
use super::xlsx::WorksheetRead;
use super::{cell, compound, xls_book, xls_looks};
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
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let cells = range
        .used_cells()
        .map(|(row, column, value)| {
            (
                first_row + row as u32,
                first_column + column as u32,
                cell(value),
            )
        })
        .filter(|(_, _, value)| !value.is_empty())
        .collect();
    Ok(WorksheetRead {
        cells: styled(cells, scan.numbers, &mut displays),
        looks,
        chosen,
        warnings: Vec::new(),
    })
}
