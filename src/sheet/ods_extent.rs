//! How far an ODS workbook's cells reach, before the workbook reader is let at it.
//!
//! calamine parses every sheet of an ODS file when it opens it, into the dense rectangle
//! from the first to the last cell that holds something; one stray cell far from the data
//! makes that rectangle rows × 16,384 cells, which calamine caps only at 100,000,000 (3 GB).
//! This streams `content.xml` once, counting repeated rows and cells as calamine does, and
//! refuses a sheet whose rectangle exceeds [`MAX_CELLS`] before anything is allocated for it.

use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::{MAX_CELLS, SheetError};
use crate::problem::column_letter;

/// The most rows and columns calamine reads of an ODS sheet (what it caps repeats at).
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;

/// Refuse the workbook in `bytes` when it is an ODS file with a sheet whose cells span more
/// than [`MAX_CELLS`]. Anything this cannot read (another format, a broken file) is left to
/// the workbook reader to judge.
pub(super) fn check(path: &Path, bytes: &[u8]) -> Result<(), SheetError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    match too_big(content) {
        Some(extent) => Err(SheetError::TooBig {
            path: path.to_path_buf(),
            worksheet: extent.name,
            rows: extent.rows,
            columns: extent.columns,
            far: extent.far,
        }),
        None => Ok(()),
    }
}

/// A sheet's rectangle of cells, as calamine would build it.
#[derive(Debug, Default)]
struct Extent {
    name: String,
    /// First and last row, first and last column holding something.
    bounds: Option<(usize, usize, usize, usize)>,
    /// The farthest cell to the right, as `XFD1`.
    far: String,
    far_column: usize,
    rows: usize,
    columns: usize,
}

impl Extent {
    fn hold(&mut self, rows: (usize, usize), columns: (usize, usize)) {
        let (top, bottom, left, right) = self
            .bounds
            .unwrap_or((rows.0, rows.1, columns.0, columns.1));
        self.bounds = Some((
            top.min(rows.0),
            bottom.max(rows.1),
            left.min(columns.0),
            right.max(columns.1),
        ));
        if self.far.is_empty() || columns.1 > self.far_column {
            self.far_column = columns.1;
            self.far = format!("{}{}", column_letter(columns.1), rows.0 + 1);
        }
    }

    /// Whether the rectangle exceeds [`MAX_CELLS`]; sets its size when it does.
    fn exceeds(&mut self) -> bool {
        let Some((top, bottom, left, right)) = self.bounds else {
            return false;
        };
        self.rows = bottom - top + 1;
        self.columns = right - left + 1;
        self.rows.saturating_mul(self.columns) > MAX_CELLS
    }
}

/// The first sheet of `content.xml` whose cells span too much, if any.
fn too_big(content: impl Read) -> Option<Extent> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut sheet = Extent::default();
    let (mut row, mut row_repeats, mut column) = (0usize, 1usize, 0usize);
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    sheet = Extent {
                        name: attribute(e, "table:name").unwrap_or_default(),
                        ..Extent::default()
                    };
                    row = 0;
                }
                "table:table-row" => {
                    row_repeats = repeats(
                        e,
                        "table:number-rows-repeated",
                        MAX_ROWS - row.min(MAX_ROWS),
                    );
                    column = 0;
                    if matches!(event, Event::Empty(_)) {
                        row += row_repeats;
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let count = repeats(
                        e,
                        "table:number-columns-repeated",
                        MAX_COLUMNS - column.min(MAX_COLUMNS),
                    );
                    let holds = attribute(e, "office:value-type").is_some()
                        || attribute(e, "table:formula").is_some();
                    if holds && count > 0 && row_repeats > 0 {
                        sheet.hold((row, row + row_repeats - 1), (column, column + count - 1));
                    }
                    column += count;
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => row += row_repeats,
                "table:table" if sheet.exceeds() => return Some(sheet),
                _ => {}
            },
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

/// A repeat count (at least 1 when given, as the format says), capped at `max`.
fn repeats(e: &BytesStart<'_>, name: &str, max: usize) -> usize {
    attribute(e, name)
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(rows: &str) -> String {
        format!(
            "<office:document-content><office:body><office:spreadsheet>\
             <table:table table:name=\"Users\">{rows}</table:table>\
             </office:spreadsheet></office:body></office:document-content>"
        )
    }

    const CELL: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

    #[test]
    fn a_stray_cell_far_right_of_many_rows_is_too_big() {
        let rows = format!(
            "<table:table-row>{CELL}<table:table-cell table:number-columns-repeated=\"16382\"/>{CELL}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"700\">{CELL}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell/></table:table-row>"
        );
        let extent = too_big(content(&rows).as_bytes()).expect("too big");
        assert_eq!(extent.name, "Users");
        assert_eq!((extent.rows, extent.columns), (701, 16_384));
        assert_eq!(extent.far, "XFD1");
    }

    #[test]
    fn data_and_trailing_empty_rows_and_columns_are_not() {
        let rows = format!(
            "<table:table-row>{CELL}{CELL}<table:table-cell table:number-columns-repeated=\"16382\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"100000\">{CELL}{CELL}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"948575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        );
        assert!(too_big(content(&rows).as_bytes()).is_none());
    }
}
