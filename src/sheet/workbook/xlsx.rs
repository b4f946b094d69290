//! An XLSX or XLSM worksheet as the person sees it: calamine's streamed values, each number
//! through its style's number format, and what one more pass over the worksheet finds
//! (hidden rows and columns, merged ranges, the filter, formulas without a computed value).

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Reader, Style, Xlsx, XlsxError};

use super::super::looks::Looks;
use super::super::numfmt;
use super::super::{Cell, SheetError};
use super::shown::{Display, builtin, number};
use super::tabs::{self, Chosen, Tabs};
use super::{Placed, cell_ref, xlsx_book, xlsx_looks};

/// What was read of the worksheet chosen.
pub(super) struct WorksheetRead {
    pub chosen: Chosen,
    pub cells: Vec<Placed>,
    pub looks: Looks,
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
    let recalculate = facts.recalculate;
    // The two passes over the worksheet run side by side: the second costs about a quarter
    // of the first, and hides in it on a second core.
    let (cells, scan) = std::thread::scope(|scope| {
        let scanning = scope.spawn(move || {
            let xml = xlsx_book::open(&mut archive, &part)
                .ok_or_else(|| format!("its part `{part}` is missing"))?;
            xlsx_looks::scan(BufReader::with_capacity(1 << 16, xml), recalculate)
                .map_err(|e| e.to_string())
        });
        let cells = cells(xlsx, &chosen.name);
        let scan = scanning
            .join()
            .unwrap_or_else(|_| Err("the pass over how it looks stopped".to_string()));
        (cells, scan)
    });
    let cells = cells.map_err(|e| in_sheet(&e))?;
    let scan = scan.map_err(|e| in_sheet(&e))?;
    Ok(WorksheetRead {
        cells: with_formulas(cells, scan.formulas),
        looks: scan.looks,
        chosen,
    })
}

/// The cells of worksheet `name` that hold something, numbers shown through their formats.
fn cells<RS: Read + Seek>(xlsx: &mut Xlsx<RS>, name: &str) -> Result<Vec<Placed>, XlsxError> {
    let mut reader = xlsx.worksheet_cells_reader(name)?;
    let mut shown: Vec<Display> = reader.styles().iter().map(display).collect();
    let mut cells = Vec::new();
    while let Some((found, style)) = reader.next_cell_with_style_id()? {
        let (row, column) = found.get_position();
        let value = match found.get_value() {
            DataRef::Float(n) => number(shown.get_mut(style), *n),
            DataRef::Int(n) => number(shown.get_mut(style), *n as f64),
            other => cell_ref(other),
        };
        if !value.is_empty() {
            cells.push((row, column, value));
        }
    }
    Ok(cells)
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
    use super::*;

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
