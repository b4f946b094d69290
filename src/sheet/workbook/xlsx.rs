//! An XLSX or XLSM worksheet as the person sees it: calamine's streamed values, each number
//! and text through its style's number format, and what one more pass over the worksheet
//! finds (hidden rows and columns, merged ranges, the filter, formulas without a computed
//! value), and numbers and texts whose number format a conditional format may change
//! ([`conditional`]). Error values calamine does not know are read through [`errors`].

pub(super) mod conditional;
mod errors;

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Reader, Style, Xlsx, XlsxError};

use super::super::looks::Looks;
use super::super::numfmt::{self, ReadAsShown, ReadAsShownCells};
use super::super::{Cell, SheetError};
use super::shown::{Display, Text, builtin, number, text};
use super::tabs::{self, Chosen, Tabs};
use super::{Placed, cell_ref, xlsx_book, xlsx_looks};
use crate::problem::column_letter;

/// What was read of the worksheet chosen.
pub(super) struct WorksheetRead {
    pub chosen: Chosen,
    pub cells: Vec<Placed>,
    pub looks: Looks,
    /// What the admin should know of the cells: text read as its format shows it.
    pub warnings: Vec<String>,
}

/// Read the worksheet `wanted`, or the one [`tabs::choose`] picks, of the XLSX workbook
/// `xlsx` whose file holds `bytes`.
pub(super) fn read<RS: Read + Seek>(
    path: &Path,
    bytes: &[u8],
    xlsx: &mut Xlsx<RS>,
    wanted: Option<&str>,
) -> Result<WorksheetRead, SheetError> {
    let unreadable = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let facts = xlsx_book::facts(&mut archive);
    let listed = Tabs::listed(xlsx.sheets_metadata(), facts.active);
    let chosen = tabs::choose(path, &listed, wanted)?;
    let in_sheet =
        |e: &dyn std::fmt::Display| unreadable(format!("worksheet `{}`: {e}", chosen.name));
    let part = facts
        .parts
        .iter()
        .find(|(name, _)| *name == chosen.name)
        .map(|(_, part)| part.clone())
        .unwrap_or_default();
    let worksheet_part = part.clone();
    let recalculate = facts.recalculate;
    let styles = facts.styles;
    // The two passes over the worksheet run side by side: the second costs about a quarter
    // of the first, and hides in it on a second core.
    let (read_cells, scan) = std::thread::scope(|scope| {
        let scanning = scope.spawn(move || {
            let xml = xlsx_book::open(&mut archive, &part)
                .ok_or_else(|| format!("its part `{part}` is missing"))?;
            let mut scan = xlsx_looks::scan(BufReader::with_capacity(1 << 16, xml), recalculate)
                .map_err(|e| e.to_string())?;
            let rules = std::mem::take(&mut scan.conditional);
            let dxfs = match rules.need_styles() {
                true => xlsx_book::open(&mut archive, &styles)
                    .map(|xml| conditional::dxf_formats(BufReader::new(xml)))
                    .unwrap_or_default(),
                false => Vec::new(),
            };
            Ok((scan, rules.formats(&dxfs)))
        });
        let cells = cells(xlsx, &chosen.name);
        let scan = scanning
            .join()
            .unwrap_or_else(|_| Err("the pass over how it looks stopped".to_string()));
        (cells, scan)
    });
    let mut read = match read_cells {
        // An error value calamine does not know stopped it: read again from a copy in which
        // those cells are marked.
        Err(XlsxError::CellError(value)) => match errors::marked(bytes, &worksheet_part) {
            Some(marked) => {
                let mut copy =
                    Xlsx::new(Cursor::new(marked.as_slice())).map_err(|e| in_sheet(&e))?;
                cells(&mut copy, &chosen.name)
            }
            None => Err(XlsxError::CellError(value)),
        },
        read => read,
    }
    .map_err(|e| in_sheet(&e))?;
    let (scan, mut rules) = scan.map_err(|e| in_sheet(&e))?;
    conditional::apply(&mut read.cells, &mut rules, read.stored);
    Ok(WorksheetRead {
        cells: with_formulas(read.cells, scan.formulas),
        looks: scan.looks,
        chosen,
        warnings: read.as_shown.warning().into_iter().collect(),
    })
}

/// What calamine's pass over a worksheet read.
struct Cells {
    /// The cells that hold something, numbers and texts shown through their formats.
    cells: Vec<Placed>,
    /// The texts read as shown rather than as stored.
    as_shown: ReadAsShownCells,
    /// The text stored in each of those (zero-based row and column), in file order.
    stored: Vec<(u32, u32, String)>,
}

/// The cells of worksheet `name`, as [`Cells`] says.
fn cells<RS: Read + Seek>(xlsx: &mut Xlsx<RS>, name: &str) -> Result<Cells, XlsxError> {
    let mut reader = xlsx.worksheet_cells_reader(name)?;
    let mut shown: Vec<Display> = reader.styles().iter().map(display).collect();
    let mut cells = Vec::new();
    let mut as_shown = ReadAsShownCells::default();
    let mut stored_texts = Vec::new();
    while let Some((found, style)) = reader.next_cell_with_style_id()? {
        let (row, column) = found.get_position();
        let stored = match found.get_value() {
            DataRef::Float(n) => Err(number(shown.get_mut(style), *n)),
            DataRef::Int(n) => Err(number(shown.get_mut(style), *n as f64)),
            DataRef::String(stored) => Ok(stored.as_str()),
            DataRef::SharedString(stored) => Ok(*stored),
            other => Err(errors::error_text(other).unwrap_or_else(|| cell_ref(other))),
        };
        let value = match stored {
            Err(value) => value,
            Ok(stored) => match text(shown.get_mut(style), stored) {
                Text::AsShown(value, read) => {
                    stored_texts.push((row, column, read.stored.clone()));
                    as_shown.add(1, || ReadAsShown {
                        cell: format!("{}{}", column_letter(column as usize), row + 1),
                        ..read
                    });
                    value
                }
                Text::Cell(value) => value,
            },
        };
        if !value.is_empty() {
            cells.push((row, column, value));
        }
    }
    Ok(Cells {
        cells,
        as_shown,
        stored: stored_texts,
    })
}

/// How `style` shows a number. calamine gives the code of the built-in formats whose code
/// does not depend on the locale and calls the others `General`: those are unknown.
fn display(style: &Style) -> Display {
    let Some(format) = &style.number_format else {
        return Display::Plain;
    };
    let code = match format.format_id {
        Some(id)
            if id < 164 && builtin(id).is_none() && numfmt::is_general(&format.format_code) =>
        {
            None
        }
        _ => Some(format.format_code.as_str()),
    };
    Display::of(format.format_id, code)
}

/// `cells` with each formula without a computed value in its place (replacing the value
/// calamine read there, where it read one), in row order.
fn with_formulas(mut cells: Vec<Placed>, formulas: Vec<(u32, u32, String)>) -> Vec<Placed> {
    if formulas.is_empty() {
        return cells;
    }
    let mut formulas: Vec<Placed> = formulas
        .into_iter()
        .map(|(row, column, text)| (row, column, Cell::Formula(text)))
        .collect();
    formulas.sort_by_key(|(row, column, _)| (*row, *column));
    cells.sort_by_key(|(row, column, _)| (*row, *column));
    let mut merged = Vec::with_capacity(cells.len() + formulas.len());
    let mut formulas = formulas.into_iter().peekable();
    for cell in cells {
        while let Some(formula) = formulas.next_if(|f| (f.0, f.1) < (cell.0, cell.1)) {
            merged.push(formula);
        }
        match formulas.next_if(|f| (f.0, f.1) == (cell.0, cell.1)) {
            Some(formula) => merged.push(formula),
            None => merged.push(cell),
        }
    }
    merged.extend(formulas);
    merged
}

#[cfg(test)]
mod tests {
    use super::super::super::FormattedText;
    use super::*;

    fn code(code: &str) -> Display {
        Display::Code {
            code: code.into(),
            format: None,
        }
    }

    #[test]
    fn a_text_is_read_as_its_format_shows_it_or_refused() {
        let cell = |display: Option<&mut Display>, stored: &str| match text(display, stored) {
            Text::Cell(cell) => (cell, None),
            Text::AsShown(cell, read) => (cell, Some(read.shown)),
        };
        assert_eq!(cell(None, " Name1 "), (Cell::Text("Name1".into()), None));
        assert_eq!(
            cell(Some(&mut code("0000")), "Name1").0,
            Cell::Text("Name1".into())
        );
        assert_eq!(
            cell(Some(&mut Display::Plain), "Name1").0,
            Cell::Text("Name1".into())
        );
        assert_eq!(
            cell(Some(&mut code("0;-0;0;\"+\"@")), "15551234567"),
            (
                Cell::Text("+15551234567".into()),
                Some("+15551234567".to_string())
            )
        );
        let blank = FormattedText {
            text: "Name2".into(),
            shown: Some(String::new()),
            format: ";;;".into(),
        };
        assert_eq!(
            cell(Some(&mut code(";;;")), "Name2").0,
            Cell::FormattedText(Box::new(blank))
        );
        assert_eq!(cell(Some(&mut code(";;;")), "  ").0, Cell::Empty);
        let Cell::FormattedText(unknown) = cell(Some(&mut code("0;@")), "x").0 else {
            panic!("refused");
        };
        assert_eq!((unknown.shown, unknown.format.as_str()), (None, "0;@"));
    }

    #[test]
    fn formulas_take_their_cells_places() {
        let cells = vec![
            (0, 0, Cell::text("a")),
            (1, 1, Cell::Number(0.0)),
            (2, 0, Cell::text("c")),
        ];
        let formulas = vec![
            (1, 1, "=B1".to_string()),
            (1, 0, "=A1".to_string()),
            (5, 2, "=1".to_string()),
        ];
        let merged = with_formulas(cells, formulas);
        let positions: Vec<(u32, u32)> = merged.iter().map(|(r, c, _)| (*r, *c)).collect();
        assert_eq!(positions, vec![(0, 0), (1, 0), (1, 1), (2, 0), (5, 2)]);
        assert_eq!(merged[2].2, Cell::Formula("=B1".into()));
    }
}
