//! An XLSB worksheet as the person sees it: calamine's streamed values, each number and text
//! through its style's number format, and what one more streaming pass over the worksheet
//! part finds (hidden rows and columns, merged ranges, the filter, each number and text
//! cell's style), with the active tab and the styles from the workbook's own parts.

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsb, XlsbError};

use super::super::SheetError;
use super::shown::{Stored, Through};
use super::tabs::{self, Tabs};
use super::xlsx::WorksheetRead;
use super::{Placed, cell_ref, xlsb_book, xlsb_looks, xlsx_book};

/// Read the worksheet `wanted`, or the one [`tabs::choose`] picks, of the XLSB workbook
/// `xlsb` whose file holds `bytes`.
pub(super) fn read<RS: Read + Seek>(
    path: &Path,
    bytes: &[u8],
    xlsb: &mut Xlsb<RS>,
    wanted: Option<&str>,
) -> Result<WorksheetRead, SheetError> {
    let unreadable = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let facts = xlsb_book::facts(&mut archive);
    let listed = Tabs::listed_with_active_name(xlsb.sheets_metadata(), facts.active.as_deref());
    let chosen = tabs::choose(path, &listed, wanted)?;
    let in_sheet =
        |e: &dyn std::fmt::Display| unreadable(format!("worksheet `{}`: {e}", chosen.name));
    let part = facts
        .parts
        .iter()
        .find(|(name, _)| *name == chosen.name)
        .map(|(_, part)| part.clone())
        .unwrap_or_default();
    let mut displays = facts.displays;
    let formatted: Vec<bool> = displays.iter().map(|d| !d.is_plain()).collect();
    // The two passes over the worksheet run side by side, as for XLSX.
    let (cells, scan) = std::thread::scope(|scope| {
        let scanning = scope.spawn(move || {
            let part_bytes = xlsx_book::open(&mut archive, &part)
                .ok_or_else(|| format!("its part `{part}` is missing"))?;
            xlsb_looks::scan(BufReader::with_capacity(1 << 16, part_bytes), |style| {
                formatted.get(style as usize).copied().unwrap_or(false)
            })
            .map_err(|e| e.to_string())
        });
        let cells = stored(xlsb, &chosen.name);
        let scan = scanning
            .join()
            .unwrap_or_else(|_| Err("the pass over how it looks stopped".to_string()));
        (cells, scan)
    });
    let cells = cells.map_err(|e| in_sheet(&e))?;
    let scan = scan.map_err(|e| in_sheet(&e))?;
    let mut through = Through::new(&mut displays, scan.styled);
    let cells = cells
        .into_iter()
        .map(|(row, column, value)| {
            let cell = match value {
                Value::Number(n) => through.cell(row, column, Stored::Number(n)),
                Value::Text(text) => through.cell(row, column, Stored::Text(&text)),
                Value::Other(cell) => through.cell(row, column, Stored::Other(cell)),
            };
            (row, column, cell)
        })
        .filter(|(_, _, value)| !value.is_empty())
        .collect::<Vec<Placed>>();
    Ok(WorksheetRead {
        cells,
        looks: scan.looks,
        chosen,
        warnings: through.as_shown.warning().into_iter().collect(),
    })
}

/// A cell's value as the worksheet stores it.
enum Value {
    Number(f64),
    Text(String),
    Other(super::super::Cell),
}

/// The cells of XLSB worksheet `name` that hold something, streamed, in file order (row by
/// row), as stored.
fn stored<RS: Read + Seek>(
    book: &mut Xlsb<RS>,
    name: &str,
) -> Result<Vec<(u32, u32, Value)>, XlsbError> {
    let mut cells = Vec::new();
    let mut reader = book.worksheet_cells_reader(name)?;
    while let Some(found) = reader.next_cell()? {
        let (row, column) = found.get_position();
        let value = match found.get_value() {
            DataRef::Float(n) => Value::Number(*n),
            DataRef::Int(n) => Value::Number(*n as f64),
            DataRef::String(text) => Value::Text(text.clone()),
            DataRef::SharedString(text) => Value::Text(text.to_string()),
            other => Value::Other(cell_ref(other)),
        };
        let empty = match &value {
            Value::Text(text) => text.trim().is_empty(),
            Value::Other(cell) => cell.is_empty(),
            Value::Number(_) => false,
        };
        if !empty {
            cells.push((row, column, value));
        }
    }
    Ok(cells)
}
