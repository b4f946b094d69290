//! How much memory calamine will take for each sheet of an XLS workbook, worked out from
//! the sheets' records before calamine opens it.
//!
//! calamine parses every sheet of an XLS when it opens the workbook, and for each it
//! allocates two rectangles: room for DIMENSIONS' rows × columns of cells, reserved when
//! it meets that record, and the dense range over every cell it read, from the first row
//! and column that hold one to the last. One stray cell in IV65536 (a space, or a blank
//! cell the DIMENSIONS record counts) costs a gigabyte that way, and one damaged column
//! index tens of gigabytes, which ends the process. So each sheet is walked here as
//! calamine walks it (embedded charts passed over, up to the sheet's EOF), and a sheet whose
//! rectangle passes [`MAX_CELLS`] is refused before calamine sees the file.

use std::path::Path;

use super::MAX_CELLS;
use super::xls_book::{BOF, EOF, Globals, Record, records, u16_at, u32_at};
use crate::problem::column_letter;
use crate::sheet::SheetError;

/// The rows an XLS worksheet has.
const ROWS: u32 = 65_536;
/// The columns an XLS worksheet has (A to IV).
const COLUMNS: u32 = 256;

/// DIMENSIONS: the sheet's used range.
const DIMENSIONS: u16 = 0x0200;
/// FORMULA, and STRING: a formula, and its text result (in the formula's cell).
const FORMULA: u16 = 0x0006;
const STRING: u16 = 0x0207;
/// MULRK: numbers of cells side by side in a row.
const MULRK: u16 = 0x00BD;
/// NUMBER, LABEL, BOOLERR, RK, RSTRING, LABELSST: one cell that holds something.
const CELLS: [u16; 6] = [0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x00FD];

/// A rectangle of cells: zero-based first and last rows and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rectangle {
    rows: (u32, u32),
    columns: (u32, u32),
}

impl Rectangle {
    /// How many rows and columns it spans, as calamine counts them (in 32 bits, wrapping
    /// where the last comes before the first).
    fn size(&self) -> (u32, u32) {
        let span = |(first, last): (u32, u32)| last.wrapping_sub(first).wrapping_add(1);
        (span(self.rows), span(self.columns))
    }

    fn cells(&self) -> usize {
        let (rows, columns) = self.size();
        (rows as usize).saturating_mul(columns as usize)
    }

    /// The smallest rectangle holding this one and the cell at `row`, `column`.
    fn with(self, row: u32, column: u32) -> Rectangle {
        Rectangle {
            rows: (self.rows.0.min(row), self.rows.1.max(row)),
            columns: (self.columns.0.min(column), self.columns.1.max(column)),
        }
    }
}

/// What calamine allocates for one sheet: the largest DIMENSIONS it reserves room for, and
/// the rectangle of the cells it reads, with the cell farthest from A1 and the first cell
/// in its last column.
#[derive(Debug, Default, PartialEq, Eq)]
struct Extent {
    dimensions: Option<Rectangle>,
    cells: Option<Rectangle>,
    far: (u32, u32),
    widest: (u32, u32),
}

impl Extent {
    fn cell(&mut self, row: u32, column: u32) {
        self.cells = Some(match self.cells {
            None => Rectangle {
                rows: (row, row),
                columns: (column, column),
            },
            Some(cells) => cells.with(row, column),
        });
        let reach = |(r, c): (u32, u32)| (u64::from(r) + 1) * (u64::from(c) + 1);
        if reach((row, column)) > reach(self.far) {
            self.far = (row, column);
        }
        if column > self.widest.1 {
            self.widest = (row, column);
        }
    }
}

/// Refuse the workbook whose globals are `globals` and workbook stream `stream` where
/// calamine would take more than [`MAX_CELLS`] cells for one of its sheets, or where a
/// sheet's records name a cell past the last an XLS sheet has (a damaged file). An
/// encrypted workbook's sheets are not read (calamine refuses it first).
pub(super) fn check(path: &Path, globals: &Globals, stream: &[u8]) -> Result<(), SheetError> {
    if globals.encrypted {
        return Ok(());
    }
    for (i, start) in globals.sheets.iter().enumerate() {
        let Some(sheet) = stream.get(*start..) else {
            continue;
        };
        let worksheet = globals.names.get(i).cloned().unwrap_or_default();
        let extent = extent(sheet);
        let damaged = |what: &str, (row, column): (u32, u32)| SheetError::Workbook {
            path: path.to_path_buf(),
            message: format!(
                "worksheet `{worksheet}`: {what} the cell {}, past the last cell (IV65536) an \
                 XLS sheet has, so the file is damaged; open it in a spreadsheet and save it \
                 as .xlsx",
                cell_name(row, column)
            ),
        };
        let too_big = |rectangle: Rectangle, far: (u32, u32)| {
            let (rows, columns) = rectangle.size();
            SheetError::TooBig {
                path: path.to_path_buf(),
                worksheet: worksheet.clone(),
                rows: rows as usize,
                columns: columns as usize,
                far: cell_name(far.0, far.1),
            }
        };
        if let Some(dimensions) = extent.dimensions {
            let last = (dimensions.rows.1, dimensions.columns.1);
            let (rows, columns) = dimensions.size();
            if rows > ROWS || columns > COLUMNS {
                return Err(damaged("its size record (DIMENSIONS) reaches", last));
            }
            if dimensions.cells() > MAX_CELLS {
                return Err(too_big(dimensions, last));
            }
        }
        if let Some(cells) = extent.cells {
            if cells.columns.1 >= COLUMNS {
                return Err(damaged("a cell record names", extent.widest));
            }
            if cells.cells() > MAX_CELLS {
                return Err(too_big(cells, extent.far));
            }
        }
    }
    Ok(())
}

/// `B12` for zero-based row 11, column 1.
fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_letter(column as usize), u64::from(row) + 1)
}

/// The extent of the sheet whose records start `sheet`, walked as calamine walks it: the
/// first BOF is the sheet's, a BOF after it starts a substream (a chart) passed over to its
/// EOF, and the sheet's own EOF ends it.
fn extent(sheet: &[u8]) -> Extent {
    let mut extent = Extent::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    // calamine puts a STRING's text in the cell of the FORMULA before it.
    let mut formula = (0u32, 0u32);
    for Record { kind, data } in records(sheet) {
        if depth > 0 {
            match kind {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let position = || Some((u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?)));
        match kind {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => {
                if let Some(dimensions) = dimensions(data) {
                    let larger = extent
                        .dimensions
                        .is_none_or(|seen| dimensions.cells() > seen.cells());
                    if larger {
                        extent.dimensions = Some(dimensions);
                    }
                }
            }
            FORMULA => {
                if let Some((row, column)) = position() {
                    formula = (row, column);
                    extent.cell(row, column);
                }
            }
            STRING => extent.cell(formula.0, formula.1),
            MULRK => {
                if let Some((row, first)) = position() {
                    let count = data.len().saturating_sub(6) / 6;
                    if count > 0 {
                        extent.cell(row, first);
                        extent.cell(row, first + count as u32 - 1);
                    }
                }
            }
            kind if CELLS.contains(&kind) => {
                if let Some((row, column)) = position() {
                    extent.cell(row, column);
                }
            }
            _ => {}
        }
    }
    extent
}

/// A DIMENSIONS record as calamine reads it: rows first and last-plus-one in 16 bits (BIFF5,
/// 10 bytes) or 32 (BIFF8, 14 bytes, or 16 from some writers), then the columns in 16; a
/// first column past IV or after the last is taken as A, and a last of 0 as the first.
/// `None` for another length, which calamine refuses.
fn dimensions(data: &[u8]) -> Option<Rectangle> {
    let (first_row, end_row, mut first_column, end_column) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0)?),
            u32::from(u16_at(data, 2)?),
            u32::from(u16_at(data, 4)?),
            u32::from(u16_at(data, 6)?),
        ),
        14 | 16 => (
            u32_at(data, 0)?,
            u32_at(data, 4)?,
            u32::from(u16_at(data, 8)?),
            u32::from(u16_at(data, 10)?),
        ),
        _ => return None,
    };
    if first_column > 0xFF || end_column < first_column {
        first_column = 0;
    }
    let (last_row, last_column) = match end_row >= 1 && end_column >= 1 {
        true => (end_row - 1, end_column - 1),
        false => (first_row, first_column),
    };
    Some(Rectangle {
        rows: (first_row, last_row),
        columns: (first_column, last_column),
    })
}

#[cfg(test)]
mod tests;
