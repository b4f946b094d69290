//! One worksheet of an ODS `content.xml`, streamed: the cells that hold something at the
//! row and column a spreadsheet shows them (repeated rows and cells counted out, as
//! calamine and Calc count them), and what the sheet marks of its looks.
//!
//! Only the cells that hold something are kept, so the cost is the data's; once the rows
//! and columns holding something span more than [`MAX_CELLS`], nothing more is kept and
//! the rest of the sheet is only measured, for the refusal to name its size.

use std::io::BufRead;

use quick_xml::errors::SyntaxError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::cell::{self, Attrs};
use super::styles::Formats;
use crate::problem::column_letter;
use crate::sheet::looks::{Looks, Merge};
use crate::sheet::numfmt::{ReadAsShown, ReadAsShownCells};
use crate::sheet::{Cell, MAX_CELLS};

/// The most rows and columns a worksheet has (Calc's and Excel's limits; repeats past them
/// are cut there, as calamine cuts them).
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;

/// The most merged ranges kept of one worksheet: a merged cell repeated down a million
/// rows is a broken file, not a sheet to read range by range.
const MAX_MERGES: usize = 100_000;

/// A worksheet read.
#[derive(Debug, Default)]
pub(super) struct Collected {
    /// Rows that hold something, in order: the 1-based row number and its cells as
    /// (0-based column, value), in column order. Empty once [`Collected::too_big`].
    pub rows: Vec<(usize, Vec<(u32, Cell)>)>,
    /// Hidden rows and columns, merged ranges, and whether rows are filtered out.
    pub looks: Looks,
    /// Which columns hold something, by column.
    holding: Vec<bool>,
    /// How many columns, and how many rows, hold something.
    pub columns: usize,
    pub row_count: usize,
    /// The first cell (0-based column and row) of the farthest column holding something.
    pub far: Option<(usize, usize)>,
    /// The rows and columns holding something span more than [`MAX_CELLS`].
    pub too_big: bool,
    /// Text cells read as their formats show them rather than as stored.
    pub as_shown: ReadAsShownCells,
}

/// What reading a worksheet needs of the rest of the workbook.
#[derive(Debug, Clone, Copy)]
pub(super) struct Context<'a> {
    /// The number format code of each cell style.
    pub formats: &'a Formats,
    /// Whether Calc (LibreOffice, OpenOffice) saved the document, so that a formula cell
    /// with no value type holds the empty text Calc computed for it.
    pub calc: bool,
}

impl Collected {
    /// The columns that hold something, in order.
    pub fn used_columns(&self) -> Vec<usize> {
        (0..self.holding.len())
            .filter(|c| self.holding[*c])
            .collect()
    }

    /// Keep `cells` (not empty) as row `row` (0-based) and the `repeats - 1` rows after it.
    fn hold(&mut self, row: usize, repeats: usize, cells: Vec<(u32, Cell)>) {
        for (column, _) in &cells {
            let column = *column as usize;
            if !self.holding[column] {
                self.holding[column] = true;
                self.columns += 1;
            }
            if self.far.is_none_or(|(far, _)| column > far) {
                self.far = Some((column, row));
            }
        }
        self.row_count += repeats;
        if self.row_count.saturating_mul(self.columns) > MAX_CELLS {
            self.too_big = true;
            self.rows = Vec::new();
        }
        if self.too_big {
            return;
        }
        for k in 1..repeats {
            self.rows.push((row + k, cells.clone()));
        }
        self.rows.push((row + repeats, cells));
    }

    fn merge(&mut self, merge: Merge) {
        if self.looks.merges.len() < MAX_MERGES {
            self.looks.merges.push(merge);
        }
    }
}

/// Read the worksheet whose `<table:table>` start tag was just read, up to its end tag.
pub(super) fn read<R: BufRead>(
    reader: &mut Reader<R>,
    buf: &mut Vec<u8>,
    context: Context<'_>,
) -> Result<Collected, quick_xml::Error> {
    let mut sheet = Collected {
        holding: vec![false; MAX_COLUMNS],
        ..Collected::default()
    };
    let mut inner = Vec::new();
    let mut text = String::new();
    // The row being read (0-based) and its repeats, the next cell's column, the next
    // column definition's column.
    let (mut row, mut repeats, mut column, mut defined) = (0usize, 1usize, 0usize, 0usize);
    let mut cells: Vec<(u32, Cell)> = Vec::new();
    // The default cell styles of columns (first, last, style), and of the row being read.
    let mut column_styles: Vec<(usize, usize, String)> = Vec::new();
    let mut row_style: Option<String> = None;
    loop {
        buf.clear();
        let event = reader.read_event_into(buf)?;
        let empty = matches!(event, Event::Empty(_));
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table-column" => {
                    let n = count(e, "table:number-columns-repeated", MAX_COLUMNS - defined)?;
                    if n > 0 && visibility(e)?.is_some() {
                        sheet.looks.hidden_columns.push((defined, defined + n - 1));
                    }
                    if n > 0
                        && let Some(style) = default_style(e)?
                    {
                        column_styles.push((defined, defined + n - 1, style));
                    }
                    defined += n;
                }
                "table:table-row" => {
                    repeats = count(e, "table:number-rows-repeated", MAX_ROWS - row)?;
                    let hidden = visibility(e)?;
                    if repeats > 0 && hidden.is_some() {
                        sheet.looks.hidden_rows.push((row + 1, row + repeats));
                        sheet.looks.filter |= hidden == Some(Hidden::Filter);
                    }
                    row_style = default_style(e)?;
                    column = 0;
                    cells.clear();
                    if empty {
                        row += repeats;
                    }
                }
                name @ ("table:table-cell" | "table:covered-table-cell") => {
                    let covered = name == "table:covered-table-cell";
                    let end = if covered {
                        "table:covered-table-cell"
                    } else {
                        "table:table-cell"
                    };
                    let attrs = Attrs::of(e)?;
                    let n = attrs.repeated.min(MAX_COLUMNS - column);
                    let paragraph = match empty {
                        true => {
                            text.clear();
                            false
                        }
                        false => cell::read_text(reader, end, &mut inner, &mut text)?,
                    };
                    // A covered cell is under a merged range: the person sees the range's
                    // first cell there, never what the covered cell may still hold.
                    let value = match covered {
                        true => Cell::Empty,
                        false => {
                            let style = || {
                                let style = attrs.style.as_deref().or(row_style.as_deref());
                                let style = style.or_else(|| {
                                    column_styles
                                        .iter()
                                        .find(|(first, last, _)| (*first..=*last).contains(&column))
                                        .map(|(_, _, style)| style.as_str())
                                });
                                style
                                    .and_then(|s| context.formats.of(s))
                                    .unwrap_or_default()
                                    .to_string()
                            };
                            let shown = paragraph.then_some(text.as_str());
                            let (value, as_shown) = attrs.cell(shown, &style, context.calc);
                            if let Some(read) = as_shown {
                                sheet.as_shown.add(n * repeats, || ReadAsShown {
                                    cell: format!("{}{}", column_letter(column), row + 1),
                                    ..read
                                });
                            }
                            value
                        }
                    };
                    if !covered && attrs.spanned != (1, 1) {
                        let (down, across) = attrs.spanned;
                        for r in row..row + repeats {
                            for c in column..column + n {
                                sheet.merge(Merge {
                                    rows: (r + 1, r + down),
                                    columns: (c, c + across - 1),
                                });
                            }
                        }
                    }
                    if !value.is_empty() && row < MAX_ROWS {
                        cells.extend((column..column + n).map(|c| (c as u32, value.clone())));
                    }
                    column += n;
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    if !cells.is_empty() && repeats > 0 {
                        // Kept at its length; `cells` keeps its capacity for the next row.
                        let mut kept = Vec::with_capacity(cells.len());
                        kept.append(&mut cells);
                        sheet.hold(row, repeats, kept);
                    }
                    row += repeats;
                }
                "table:table" => return Ok(sheet),
                _ => {}
            },
            Event::Eof => return Err(quick_xml::Error::Syntax(SyntaxError::UnclosedTag)),
            _ => {}
        }
    }
}

/// How a row or column is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hidden {
    /// By hand, or in a collapsed outline group.
    Collapse,
    /// By a filter.
    Filter,
}

fn visibility(e: &BytesStart<'_>) -> Result<Option<Hidden>, quick_xml::Error> {
    let found = e.try_get_attribute("table:visibility")?;
    Ok(match found.as_ref().map(|a| a.value.as_ref()) {
        Some("collapse") => Some(Hidden::Collapse),
        Some("filter") => Some(Hidden::Filter),
        _ => None,
    })
}

/// A row's or column's `table:default-cell-style-name`.
fn default_style(e: &BytesStart<'_>) -> Result<Option<String>, quick_xml::Error> {
    let found = e.try_get_attribute("table:default-cell-style-name")?;
    match found {
        Some(a) => Ok(Some(
            a.normalized_value(XmlVersion::Implicit1_0)?.into_owned(),
        )),
        None => Ok(None),
    }
}

/// A repeat count (at least 1, as the format says), cut at `max`.
fn count(e: &BytesStart<'_>, name: &str, max: usize) -> Result<usize, quick_xml::Error> {
    let found = e.try_get_attribute(name)?;
    Ok(found.map_or(1, |a| cell::count(&a.value)).min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worksheet of `rows` (the XML inside `<table:table>`).
    fn sheet(rows: &str) -> Collected {
        let xml = format!("<table:table table:name=\"Users\">{rows}</table:table>");
        let mut reader = Reader::from_reader(xml.as_bytes());
        let mut buf = Vec::new();
        reader.read_event_into(&mut buf).expect("start");
        let context = Context {
            formats: &Formats::default(),
            calc: true,
        };
        read(&mut reader, &mut buf, context).expect("read")
    }

    const CELL: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

    #[test]
    fn repeats_place_cells_where_a_spreadsheet_shows_them() {
        let read = sheet(&format!(
            "<table:table-column table:number-columns-repeated=\"3\"/>\
             <table:table-row table:number-rows-repeated=\"2\"><table:table-cell table:number-columns-repeated=\"2\"/>{CELL}</table:table-row>\
             <table:table-row><table:table-cell/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2\"><table:table-cell office:value-type=\"float\" office:value=\"7\" table:number-columns-repeated=\"2\"><text:p>7</text:p></table:table-cell></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        ));
        let numbers: Vec<usize> = read.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 2, 4, 5]);
        assert_eq!(read.rows[0].1, vec![(2, Cell::Text("x".into()))]);
        assert_eq!(
            read.rows[3].1,
            vec![(0, Cell::Number(7.0)), (1, Cell::Number(7.0))]
        );
        assert_eq!(read.used_columns(), [0, 1, 2]);
        assert_eq!(read.far, Some((2, 0)));
    }

    #[test]
    fn hidden_rows_and_columns_filters_and_merges_are_marked() {
        let merged = "<table:table-cell office:value-type=\"string\" table:number-rows-spanned=\"3\"><text:p>m</text:p></table:table-cell>";
        let read = sheet(&format!(
            "<table:table-column table:number-columns-repeated=\"2\"/>\
             <table:table-column table:visibility=\"collapse\" table:number-columns-repeated=\"2\"/>\
             <table:table-row>{CELL}{merged}</table:table-row>\
             <table:table-row table:visibility=\"collapse\" table:number-rows-repeated=\"2\">{CELL}<table:covered-table-cell office:value-type=\"string\"><text:p>under</text:p></table:covered-table-cell></table:table-row>\
             <table:table-row-group table:display=\"false\"><table:table-row table:visibility=\"filter\">{CELL}</table:table-row></table:table-row-group>"
        ));
        assert_eq!(read.looks.hidden_columns, [(2, 3)]);
        assert_eq!(read.looks.hidden_rows, [(2, 3), (4, 4)]);
        assert!(read.looks.filter);
        assert_eq!(
            read.looks.merges,
            [Merge {
                rows: (1, 3),
                columns: (1, 1)
            }]
        );
        // What a covered cell still holds is not shown, so not read.
        assert_eq!(read.rows[1].1, vec![(0, Cell::Text("x".into()))]);
    }

    #[test]
    fn a_sheet_spanning_too_many_cells_is_measured_not_kept() {
        // A title in every column over 611 rows: 612 × 16,384 cells.
        let read = sheet(&format!(
            "<table:table-row>{CELL}<table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"16383\"><text:p>x</text:p></table:table-cell></table:table-row>\
             <table:table-row table:number-rows-repeated=\"611\">{CELL}</table:table-row>"
        ));
        assert!(read.too_big);
        assert!(read.rows.is_empty());
        assert_eq!((read.row_count, read.columns), (612, 16_384));
        assert_eq!(read.far, Some((16_383, 0)));
        // A row of ten cells repeated to the last row: refused without being kept.
        let read = sheet(
            "<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"10\"><text:p>1</text:p></table:table-cell></table:table-row>",
        );
        assert!(read.too_big);
        assert_eq!((read.row_count, read.columns), (1_048_576, 10));
    }
}
