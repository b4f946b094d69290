//! Raw rows → a [`Sheet`]: the header, its titles made comparable, and the rows lined up
//! under it.

use std::path::Path;

use super::{Cell, Row, Sheet, SheetError, format_number, title};
use crate::problem::{Column, Problem};

/// Raw rows as a reader produced them, before header handling.
pub(super) struct Grid {
    pub worksheet: Option<String>,
    /// The zero-based worksheet column of each position in a row, when rows hold only some
    /// columns (workbooks keep just the columns that hold something); `None` when position
    /// `i` is column `i` (CSV).
    pub columns: Option<Vec<usize>>,
    /// (row number, cells) in file order; blank rows may be included.
    pub rows: Vec<(usize, Vec<Cell>)>,
    pub warnings: Vec<String>,
    /// Cells the reader found wrong: (row number, position in the row, message).
    pub problems: Vec<(usize, usize, String)>,
}

impl Grid {
    pub fn into_sheet(self, path: &Path, sha256: String) -> Result<Sheet, SheetError> {
        let Grid {
            worksheet,
            columns: positions,
            rows,
            mut warnings,
            problems: found,
        } = self;
        // The worksheet column of position `i` in a row.
        let column_at = |i: usize| {
            positions
                .as_ref()
                .and_then(|columns| columns.get(i).copied())
                .unwrap_or(i)
        };
        let mut rows = rows
            .into_iter()
            .filter(|(_, cells)| !cells.iter().all(Cell::is_empty));
        let Some((header_row, header_cells)) = rows.next() else {
            return Err(SheetError::Empty(path.to_path_buf()));
        };
        let mut problems = Vec::new();
        let columns: Vec<Column> = header_cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let clean = title::clean(&header_text(cell));
                let column = Column {
                    index: column_at(i),
                    title: clean.text,
                };
                if !clean.dropped.is_empty() {
                    warnings.push(dropped_warning(&column, &clean.dropped));
                }
                column
            })
            .collect();
        let mut data: Vec<Row> = Vec::new();
        for (number, mut cells) in rows {
            // A row shorter than the header is one whose trailing cells are blank (exporters
            // drop them); a non-empty cell past the header's end is a delimiter or quoting
            // mistake, since the header names every column.
            let ragged =
                cells.len() > columns.len() && cells[columns.len()..].iter().any(|c| !c.is_empty());
            if ragged {
                problems.push(Problem::row(
                    number,
                    format!(
                        "has {} cells but the header has {}; check the delimiter and quoting",
                        cells.len(),
                        columns.len()
                    ),
                ));
            }
            cells.resize(columns.len(), Cell::Empty);
            data.push(Row { number, cells });
        }
        problems.extend(header_problems(&columns, header_row, &data));
        for (row, position, message) in found {
            let column = columns.get(position).cloned().unwrap_or(Column {
                index: column_at(position),
                title: String::new(),
            });
            problems.push(Problem::cell(row, &column, message));
        }
        Ok(Sheet {
            path: path.to_path_buf(),
            worksheet,
            columns,
            header_row,
            rows: data,
            problems,
            warnings,
            sha256,
        })
    }
}

/// The one warning for a title that held invisible characters.
fn dropped_warning(column: &Column, dropped: &[char]) -> String {
    let named: Vec<String> = dropped.iter().map(|c| title::describe(*c)).collect();
    let (what, them) = if dropped.len() == 1 {
        ("an invisible character", "it was")
    } else {
        ("invisible characters", "they were")
    };
    format!(
        "column {} (`{}`): the title held {what}, {}; {them} left out",
        column.letter(),
        column.title,
        named.join(", ")
    )
}

fn header_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) | Cell::Date(text) | Cell::Error(text) => text.clone(),
        Cell::Number(n) => format_number(*n),
        Cell::Bool(b) => b.to_string(),
    }
}

/// Empty titles over data, and titles used twice. A titleless column with no data in it is
/// left alone: workbooks often carry formatted but empty columns at their right edge.
fn header_problems(columns: &[Column], header_row: usize, rows: &[Row]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        if column.title.is_empty() {
            // Named where the data is: a stray cell far down is found at its place, not
            // at the empty title above it.
            if let Some(row) = rows.iter().find(|row| !row.cells[i].is_empty()) {
                problems.push(Problem::cell(
                    row.number,
                    column,
                    format!(
                        "data in a column without a title (row {header_row} is empty here); \
                         give the column a field path, or clear the cell"
                    ),
                ));
            }
        } else if let Some(first) = columns[..i].iter().find(|c| c.title == column.title) {
            problems.push(Problem::cell(
                header_row,
                column,
                format!(
                    "duplicate header; column {} has the same title",
                    first.letter()
                ),
            ));
        }
    }
    problems
}
