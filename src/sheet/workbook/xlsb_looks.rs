//! One streaming pass over an XLSB worksheet part for what calamine's cell reader does not
//! pass on: hidden rows and columns, merged ranges, whether a filter is on, and the style of
//! each number and text cell whose format may show it otherwise than as it is.
//!
//! The pass keeps a few bytes per such cell and nothing for the others, so its cost is one
//! more decompression of the part.

use std::io::Read;

use super::super::looks::{Looks, Merge};
use super::row_marks::RowMarks;
use super::xlsb_records::{Records, u16_at, u32_at};

/// The last row a worksheet has: rows hidden by default run to it.
const LAST_ROW: usize = 1_048_576;
/// The last column a worksheet has (XFD), zero-based.
const LAST_COLUMN: usize = 16_383;

/// BrtRowHdr: a row's height and flags, before its cells.
const ROW: u16 = 0x0000;
/// BrtCellRk, BrtCellReal, BrtFmlaNum: a number cell.
const RK: u16 = 0x0002;
const REAL: u16 = 0x0005;
const FORMULA_NUMBER: u16 = 0x0009;
/// BrtCellSt, BrtCellIsst, BrtFmlaString: a text cell (in the record, shared, a formula's).
const STRING: u16 = 0x0006;
const SHARED_STRING: u16 = 0x0007;
const FORMULA_STRING: u16 = 0x0008;
/// BrtColInfo: a range of columns' width and flags.
const COLUMNS: u16 = 0x003C;
/// BrtMergeCell: a merged range.
const MERGE: u16 = 0x00B0;
/// BrtBeginAFilter: an autofilter.
const FILTER: u16 = 0x00A1;
/// BrtBeginUserShView, BrtEndUserShView: a custom view, whose filter is not the sheet's.
const CUSTOM_VIEW: u16 = 0x01A7;
const END_CUSTOM_VIEW: u16 = 0x01A8;
/// BrtWsFmtInfo: the sheet's default row height, and whether rows are hidden by default.
const FORMAT_INFO: u16 = 0x01E5;

/// What the pass found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub looks: Looks,
    /// Number and text cells whose style is one `formatted` said shows values otherwise:
    /// zero-based row and column and the style's position, in file order.
    pub styled: Vec<(u32, u32, u32)>,
}

/// Scan the records of the worksheet part `part`. `formatted` says whether a cell style
/// (its position) may show values otherwise than as they are.
pub(super) fn scan(part: impl Read, formatted: impl Fn(u32) -> bool) -> std::io::Result<Scan> {
    let mut records = Records::new(part);
    let mut scan = Scan::default();
    let mut rows = RowMarks::default();
    let mut row = 0u32;
    let mut in_custom_view = false;
    while let Some(kind) = records.next()? {
        let data = records.data.as_slice();
        match kind {
            ROW => {
                if let (Some(n), Some(height), Some(flags)) =
                    (u32_at(data, 0), u16_at(data, 8), u16_at(data, 10))
                {
                    row = n;
                    // fDyZero, or a height of nothing.
                    let hidden = flags & 0x1000 != 0 || height == 0;
                    rows.row(n as usize + 1, hidden);
                }
            }
            RK | REAL | FORMULA_NUMBER | STRING | SHARED_STRING | FORMULA_STRING => {
                if let (Some(column), Some(style)) = (u32_at(data, 0), u32_at(data, 4)) {
                    let style = style & 0x00FF_FFFF;
                    if formatted(style) {
                        scan.styled.push((row, column, style));
                    }
                }
            }
            FORMAT_INFO => {
                rows.hidden_by_default(u16_at(data, 8).is_some_and(|f| f & 0x0002 != 0));
            }
            COLUMNS => {
                if let (Some(first), Some(last), Some(width), Some(flags)) = (
                    u32_at(data, 0),
                    u32_at(data, 4),
                    u32_at(data, 8),
                    u16_at(data, 16),
                ) {
                    let (first, last) = (first as usize, (last as usize).min(LAST_COLUMN));
                    if (flags & 0x0001 != 0 || width == 0) && first <= last {
                        scan.looks.hidden_columns.push((first, last));
                    }
                }
            }
            MERGE => {
                if let (Some(top), Some(bottom), Some(left), Some(right)) = (
                    u32_at(data, 0),
                    u32_at(data, 4),
                    u32_at(data, 8),
                    u32_at(data, 12),
                ) && (top, left) != (bottom, right)
                {
                    scan.looks.merges.push(Merge {
                        rows: (top.min(bottom) as usize + 1, top.max(bottom) as usize + 1),
                        columns: (left.min(right) as usize, left.max(right) as usize),
                    });
                }
            }
            CUSTOM_VIEW => in_custom_view = true,
            END_CUSTOM_VIEW => in_custom_view = false,
            FILTER if !in_custom_view => scan.looks.filter = true,
            _ => {}
        }
    }
    scan.looks.hidden_rows = rows.hidden(LAST_ROW);
    Ok(scan)
}

#[cfg(test)]
mod tests;
