//! Workbooks (XLSX, XLSM, XLSB, XLS) through calamine; ODS through `ods`.
//!
//! Only the cells that hold something are read: XLSX and XLSB through calamine's cell
//! readers, which stream the worksheet, never through its dense `Range`, which is the
//! rectangle of every row × every column up to the farthest cell and, for one stray cell in
//! column XFD of a 100,000-row sheet, 1.6 billion cells. The grid handed on keeps only the
//! columns that hold something, so its cost is the data's, and a sheet whose data really
//! spans more than [`MAX_CELLS`] is refused with its far cell named.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Sheets};

use super::{Cell, Grid, SheetError};
use crate::problem::column_letter;

/// The most cells (data rows × columns that hold something) a worksheet may span: 100,000
/// users × 100 columns. Beyond it the sheet is refused rather than read, however much of
/// it is empty.
pub const MAX_CELLS: usize = 10_000_000;

/// A cell that holds something: zero-based row and column, and its value.
type Placed = (u32, u32, Cell);

/// Read one worksheet (`name`, or the first) with formulas as their cached values.
pub(super) fn read(path: &Path, bytes: Vec<u8>, name: Option<&str>) -> Result<Grid, SheetError> {
    let workbook_error = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    // ODS: read by `ods`, streamed and sparse, with what the sheet shows.
    if let Some(grid) = super::ods::read(path, &bytes, name)? {
        return Ok(grid);
    }
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
    let cells = used_cells(&mut workbook, &chosen)
        .map_err(|e| workbook_error(format!("worksheet `{chosen}`: {e}")))?;
    grid(path, chosen, cells)
}

/// The cells of worksheet `name` that hold something, in row order.
fn used_cells<RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
) -> Result<Vec<Placed>, calamine::Error> {
    let mut cells = Vec::new();
    let mut keep = |row: u32, column: u32, value: Cell| {
        if !value.is_empty() {
            cells.push((row, column, value));
        }
    };
    match workbook {
        Sheets::Xlsx(xlsx) => {
            let mut reader = match xlsx.worksheet_cells_reader(name) {
                Ok(reader) => reader,
                // A chart sheet holds no cells.
                Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
                Err(e) => return Err(e.into()),
            };
            while let Some(found) = reader.next_cell()? {
                let (row, column) = found.get_position();
                keep(row, column, cell_ref(found.get_value()));
            }
        }
        Sheets::Xlsb(xlsb) => {
            let mut reader = xlsb.worksheet_cells_reader(name)?;
            while let Some(found) = reader.next_cell()? {
                let (row, column) = found.get_position();
                keep(row, column, cell_ref(found.get_value()));
            }
        }
        // XLS (at most 256 columns × 65,536 rows) is parsed whole when opened; ODS is
        // read by `ods` and never reaches here.
        other => {
            let range = other.worksheet_range(name)?;
            let (first_row, first_column) = range.start().unwrap_or((0, 0));
            for (row, column, value) in range.used_cells() {
                keep(
                    first_row + row as u32,
                    first_column + column as u32,
                    cell(value),
                );
            }
        }
    }
    // Cell readers follow the file's order, which is row by row in every tool we know of;
    // a stable sort keeps any other order right at the cost of one pass when it already is.
    if !cells.is_sorted_by_key(|(row, column, _)| (*row, *column)) {
        cells.sort_by_key(|(row, column, _)| (*row, *column));
    }
    Ok(cells)
}

/// Rows over just the columns that hold something, or the refusal of a sheet too big to read.
fn grid(path: &Path, worksheet: String, cells: Vec<Placed>) -> Result<Grid, SheetError> {
    let mut columns: Vec<u32> = cells.iter().map(|(_, column, _)| *column).collect();
    columns.sort_unstable();
    columns.dedup();
    let mut rows: Vec<(usize, Vec<Cell>)> = Vec::new();
    // Cells are in row order, so each new row starts where the row number changes.
    let row_count = cells
        .iter()
        .enumerate()
        .filter(|(i, (row, _, _))| *i == 0 || cells[i - 1].0 != *row)
        .count();
    if row_count.saturating_mul(columns.len()) > MAX_CELLS {
        // The far cell: the one in the last column that holds something.
        let far = cells
            .iter()
            .filter(|(_, column, _)| Some(column) == columns.last())
            .map(|(row, column, _)| format!("{}{}", column_letter(*column as usize), row + 1))
            .next()
            .unwrap_or_default();
        return Err(SheetError::TooBig {
            path: path.to_path_buf(),
            worksheet,
            rows: row_count,
            columns: columns.len(),
            far,
        });
    }
    for (row, column, value) in cells {
        let number = row as usize + 1;
        if rows.last().is_none_or(|(last, _)| *last != number) {
            rows.push((number, vec![Cell::Empty; columns.len()]));
        }
        if let (Ok(position), Some((_, row_cells))) =
            (columns.binary_search(&column), rows.last_mut())
        {
            row_cells[position] = value;
        }
    }
    Ok(Grid {
        worksheet: Some(worksheet),
        columns: Some(columns.into_iter().map(|c| c as usize).collect()),
        rows,
        warnings: Vec::new(),
        problems: Vec::new(),
        looks: Default::default(),
    })
}

fn cell_ref(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::SharedString(text) => Cell::text(text),
        DataRef::String(text) => Cell::text(text),
        DataRef::Empty => Cell::Empty,
        other => cell(&Data::from(other.clone())),
    }
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
