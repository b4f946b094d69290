//! Workbooks (XLSX, XLSM, XLSB, XLS) through calamine, and ODS through [`super::ods`], read
//! as the person sees them.
//!
//! Only the cells that hold something are read: XLSX and XLSB through calamine's cell
//! readers, which stream the worksheet, never through its dense `Range`, which is the
//! rectangle of every row × every column up to the farthest cell and, for one stray cell in
//! column XFD of a 100,000-row sheet, 1.6 billion cells. The grid handed on keeps only the
//! columns that hold something, so its cost is the data's, and a sheet whose data really
//! spans more than [`MAX_CELLS`] is refused with its far cell named.
//!
//! What each format can say of how a sheet looks:
//! - XLSX and XLSM (the formats admins use): the active tab, hidden sheets, rows and
//!   columns, merged ranges, the filter, number formats (of numbers and texts), and
//!   formulas without a computed value ([`xlsx`]);
//! - XLS, BIFF8 and BIFF5 ([`xls`]): the same, a formula's stored result being untrusted
//!   only where LibreOffice wrote a 0 it may not have computed;
//! - XLSB ([`xlsb`]): the same but for formulas, which it always stores with their
//!   computed value;
//! - ODS: read by [`super::ods`], a streaming reader of its own, with all of the above that
//!   ODS has.
//!
//! An encrypted workbook is refused whatever its name ([`open`]).

mod compound;
mod open;
mod row_marks;
mod shown;
mod tabs;
mod xls;
mod xls_book;
mod xls_extent;
mod xls_looks;
mod xlsb;
mod xlsb_book;
mod xlsb_looks;
mod xlsb_records;
mod xlsx;
mod xlsx_book;
mod xlsx_looks;

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Sheets};

use super::looks::Looks;
use super::{Cell, Grid, ReadOptions, SheetError};
use crate::problem::column_letter;
use tabs::{Chosen, Tabs};

pub(super) use open::is_encrypted;
pub(super) use tabs::passed_over;

/// The most cells (data rows × columns that hold something) a worksheet may span: 100,000
/// users × 100 columns. Beyond it the sheet is refused rather than read, however much of
/// it is empty.
pub const MAX_CELLS: usize = 10_000_000;

/// A cell that holds something: zero-based row and column, and its value.
type Placed = (u32, u32, Cell);

/// Read one worksheet, as `options` name it or [`tabs::choose`] picks it, with formulas as
/// their cached values.
pub(super) fn read(path: &Path, bytes: Vec<u8>, options: &ReadOptions) -> Result<Grid, SheetError> {
    let workbook_error = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let wanted = options.worksheet.as_deref();
    // ODS: read by `ods`, streamed and sparse, with what the sheet shows.
    if let Some(grid) = super::ods::read(path, &bytes, wanted)? {
        return Ok(grid);
    }
    let mut workbook = open::open(path, &bytes)?;
    let mut warnings = Vec::new();
    let (chosen, cells, looks) = match &mut workbook {
        Sheets::Xlsx(book) => {
            let read = xlsx::read(path, &bytes, book, wanted)?;
            warnings = read.warnings;
            (read.chosen, read.cells, read.looks)
        }
        Sheets::Xlsb(book) => {
            let read = xlsb::read(path, &bytes, book, wanted)?;
            warnings = read.warnings;
            (read.chosen, read.cells, read.looks)
        }
        Sheets::Xls(book) => {
            let read = xls::read(path, &bytes, book, wanted)?;
            warnings = read.warnings;
            (read.chosen, read.cells, read.looks)
        }
        // An ODS file was read above.
        other => {
            let listed = Tabs::listed(other.sheets_metadata(), None);
            let chosen = tabs::choose(path, &listed, wanted)?;
            let cells = range_cells(other, &chosen.name)
                .map_err(|e| workbook_error(format!("worksheet `{}`: {e}", chosen.name)))?;
            (chosen, cells, Looks::default())
        }
    };
    let Chosen { name, warning } = chosen;
    let mut grid = grid(path, name, sorted(cells))?;
    grid.warnings.extend(warning);
    grid.warnings.extend(warnings);
    grid.looks = looks;
    Ok(grid)
}

/// The cells of worksheet `name` of an XLS workbook (at most 256 columns × 65,536 rows),
/// which calamine parses whole when it opens it.
fn range_cells<RS: Read + Seek>(
    book: &mut Sheets<RS>,
    name: &str,
) -> Result<Vec<Placed>, calamine::Error> {
    let range = book.worksheet_range(name)?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    Ok(range
        .used_cells()
        .map(|(row, column, value)| {
            (
                first_row + row as u32,
                first_column + column as u32,
                cell(value),
            )
        })
        .filter(|(_, _, value)| !value.is_empty())
        .collect())
}

/// Cells in row order. Cell readers follow the file's order, which is row by row in every
/// tool we know of; a stable sort keeps any other order right at the cost of one pass when
/// it already is.
fn sorted(mut cells: Vec<Placed>) -> Vec<Placed> {
    if !cells.is_sorted_by_key(|(row, column, _)| (*row, *column)) {
        cells.sort_by_key(|(row, column, _)| (*row, *column));
    }
    cells
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

/// A streamed cell's value as a [`Cell`].
fn cell_ref(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::SharedString(text) => Cell::text(text),
        DataRef::String(text) => Cell::text(text),
        DataRef::Empty => Cell::Empty,
        other => cell(&Data::from(other.clone())),
    }
}

/// A length of `days` in ISO 8601 (`PT36H0M0S`, `-PT1H30M0S`), to the second.
fn duration(days: f64) -> String {
    let seconds = (days.abs() * 86_400.0).round() as u64;
    let sign = if days < 0.0 { "-" } else { "" };
    format!(
        "{sign}PT{}H{}M{}S",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// A cell's value as a [`Cell`].
fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::text(text),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::Bool(b) => Cell::Bool(*b),
        // `[h]:mm:ss`: a length of time, in ISO 8601 as ODS writes one (`PT36H0M0S`).
        Data::DateTime(dt) if dt.is_duration() => Cell::Date(duration(dt.as_f64())),
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
