//! One pass over an XLS worksheet's BIFF records for what calamine does not pass on: hidden
//! rows and columns, whether a filter is on, the style of each number or text cell whose
//! format may show it otherwise than as it is, and the formulas whose stored result is the
//! number 0.
//!
//! The pass keeps a few bytes per such cell and nothing for the others; merged ranges come
//! from calamine, which reads them already.

use super::super::looks::Looks;
use super::row_marks::RowMarks;
use super::xls_book::{BOF, EOF, Record, records, u16_at, u32_at};

/// The last row an XLS worksheet has: rows hidden by default run to it.
const LAST_ROW: usize = 65_536;
/// The last column an XLS worksheet has (IV), zero-based.
const LAST_COLUMN: usize = 255;

/// ROW: a row's height and flags.
const ROW: u16 = 0x0208;
/// DEFAULTROWHEIGHT: the height of rows without a ROW, and whether they are hidden.
const DEFAULT_ROW_HEIGHT: u16 = 0x0225;
/// COLINFO: a range of columns' width and flags.
const COLINFO: u16 = 0x007D;
/// FILTERMODE: the sheet's rows are filtered.
const FILTERMODE: u16 = 0x009B;
/// AUTOFILTERINFO: the sheet has an autofilter.
const AUTOFILTERINFO: u16 = 0x009D;
/// NUMBER: a cell's 64-bit float.
const NUMBER: u16 = 0x0203;
/// RK: a cell's number, packed in 32 bits.
const RK: u16 = 0x027E;
/// MULRK: RK numbers of cells side by side in one row.
const MULRK: u16 = 0x00BD;
/// FORMULA: a formula and its stored result.
const FORMULA: u16 = 0x0006;
/// LABEL, RSTRING, LABELSST: a cell's text (in the record, or in the shared strings).
const LABEL: u16 = 0x0204;
const RSTRING: u16 = 0x00D6;
const LABELSST: u16 = 0x00FD;

/// What the pass found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Hidden rows and columns and the filter (merges left empty).
    pub looks: Looks,
    /// Number, text and formula cells whose style is one `formatted` said shows values
    /// otherwise: zero-based row and column and the style's position, in file order.
    pub styled: Vec<(u32, u32, u32)>,
    /// Formula cells whose stored result is the number 0 (or -0): zero-based row and column.
    pub zero_results: Vec<(u32, u32)>,
}

/// Scan the worksheet whose records start `sheet` (at its BOF), up to its EOF. Charts and
/// other substreams inside it are passed over. `formatted` says whether a style (an XF
/// position) may show values otherwise than as they are.
pub(super) fn scan(sheet: &[u8], formatted: impl Fn(u16) -> bool) -> Scan {
    let mut scan = Scan::default();
    let mut rows = RowMarks::default();
    let mut depth = 0usize;
    for Record { kind, data } in records(sheet) {
        match kind {
            BOF => depth += 1,
            EOF if depth <= 1 => break,
            EOF => depth -= 1,
            _ if depth != 1 => {}
            ROW => {
                if let (Some(row), Some(height), Some(flags)) =
                    (u16_at(data, 0), u16_at(data, 6), u16_at(data, 12))
                {
                    // fDyZero, or a height of nothing.
                    let hidden = flags & 0x0020 != 0 || height & 0x7FFF == 0;
                    rows.row(usize::from(row) + 1, hidden);
                }
            }
            DEFAULT_ROW_HEIGHT => {
                // fDyZero: rows without a ROW record are hidden.
                rows.hidden_by_default(u16_at(data, 0).is_some_and(|f| f & 0x0002 != 0));
            }
            COLINFO => {
                if let (Some(first), Some(last), Some(width), Some(flags)) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    u16_at(data, 4),
                    u16_at(data, 8),
                ) {
                    let (first, last) = (usize::from(first), usize::from(last).min(LAST_COLUMN));
                    if (flags & 0x0001 != 0 || width == 0) && first <= last {
                        scan.looks.hidden_columns.push((first, last));
                    }
                }
            }
            FILTERMODE | AUTOFILTERINFO => scan.looks.filter = true,
            NUMBER | RK | LABEL | RSTRING | LABELSST => cell(&mut scan.styled, data, &formatted),
            FORMULA => {
                cell(&mut scan.styled, data, &formatted);
                // A result whose last two bytes are 0xFFFF is text, a boolean, an error or
                // nothing; any other is a number.
                let zero = data
                    .get(6..14)
                    .filter(|result| result[6..] != [0xFF, 0xFF])
                    .and_then(|result| <[u8; 8]>::try_from(result).ok())
                    .is_some_and(|result| f64::from_le_bytes(result) == 0.0);
                if let (true, Some(row), Some(column)) = (zero, u16_at(data, 0), u16_at(data, 2)) {
                    scan.zero_results.push((u32::from(row), u32::from(column)));
                }
            }
            MULRK => {
                // Row, first column, then a style and an RK for each cell, then the last
                // column.
                if let (Some(row), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) {
                    let cells = data.get(4..data.len().saturating_sub(2)).unwrap_or(&[]);
                    for (i, entry) in cells.chunks_exact(6).enumerate() {
                        if let Some(style) = u16_at(entry, 0)
                            && formatted(style)
                        {
                            let column = u32::from(first) + i as u32;
                            scan.styled.push((u32::from(row), column, u32::from(style)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    scan.looks.hidden_rows = rows.hidden(LAST_ROW);
    scan
}

/// A cell record that starts with its row, column and style: kept where its style may show
/// values otherwise.
fn cell(styled: &mut Vec<(u32, u32, u32)>, data: &[u8], formatted: &impl Fn(u16) -> bool) {
    if let (Some(position), Some(style)) = (u32_at(data, 0), u16_at(data, 4))
        && formatted(style)
    {
        styled.push((position & 0xFFFF, position >> 16, u32::from(style)));
    }
}

#[cfg(test)]
mod tests;
