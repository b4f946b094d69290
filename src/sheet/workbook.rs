//! Workbooks (XLSX, XLSM, XLSB, XLS, ODS) through calamine.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use super::{Cell, Grid, SheetError};

/// Read one worksheet (`name`, or the first) with formulas as their cached values.
pub(super) fn read(path: &Path, bytes: Vec<u8>, name: Option<&str>) -> Result<Grid, SheetError> {
    let workbook_error = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| workbook_error(e.to_string()))?;
    let names = workbook.sheet_names();
    let chosen = match name {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| SheetError::NoSuchWorksheet {
                path: path.to_path_buf(),
                wanted: wanted.to_string(),
                available: names.join(", "),
                suggestion: crate::suggest::closest(wanted, names.iter().map(String::as_str)),
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| workbook_error("it has no worksheets".to_string()))?,
    };
    let range = workbook
        .worksheet_range(&chosen)
        .map_err(|e| workbook_error(format!("worksheet `{chosen}`: {e}")))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let number = first_row as usize + i + 1;
            (number, cells.iter().map(cell).collect())
        })
        .collect();
    Ok(Grid {
        worksheet: Some(chosen),
        first_column: first_column as usize,
        rows,
        warnings: Vec::new(),
    })
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::text(text),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            // A whole serial number is a date with no time of day.
            Some(datetime) if dt.as_f64().fract() == 0.0 => Cell::Date(datetime.date().to_string()),
            Some(datetime) => Cell::Date(datetime.to_string().replacen(' ', "T", 1)),
            None => Cell::Date(dt.to_string()),
        },
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Date(text.clone()),
        Data::Error(error) => Cell::Error(error.to_string()),
    }
}
