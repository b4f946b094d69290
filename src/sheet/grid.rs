//! Raw rows → a [`Sheet`]: the header, its titles made comparable, and the rows lined up
//! under it.

use std::path::Path;

use super::looks::{self, Hidden, Looks};
use super::{Cell, ReadOptions, Row, Sheet, SheetError, format_number, title};
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
    /// Hidden rows and columns and merged ranges (workbooks; nothing for CSV).
    pub looks: Looks,
}

impl Grid {
    pub fn into_sheet(
        mut self,
        path: &Path,
        sha256: String,
        options: &ReadOptions,
    ) -> Result<Sheet, SheetError> {
        self.rows
            .retain(|(_, cells)| !cells.iter().all(Cell::is_empty));
        let looks = std::mem::take(&mut self.looks);
        let looks = Looks {
            hidden_rows: looks::joined(looks.hidden_rows),
            hidden_columns: looks::joined(looks.hidden_columns),
            ..looks
        };
        let mut problems = Vec::new();
        let hidden_columns = self.hide_columns(&looks, options.hidden_columns, &mut problems);
        let hidden_rows = self.hide_rows(&looks, options.hidden_rows, &mut problems);
        let Grid {
            worksheet,
            columns: positions,
            rows,
            mut warnings,
            problems: found,
            ..
        } = self;
        // The worksheet column of position `i` in a row.
        let column_at = |i: usize| {
            positions
                .as_ref()
                .and_then(|columns| columns.get(i).copied())
                .unwrap_or(i)
        };
        let mut rows = rows.into_iter();
        let Some((header_row, header_cells)) = rows.next() else {
            return Err(SheetError::Empty(path.to_path_buf(), worksheet));
        };
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
        let mut rows: Vec<(usize, Vec<Cell>)> = rows.collect();
        for (_, cells) in &mut rows {
            cells.resize(cells.len().max(columns.len()), Cell::Empty);
        }
        let (merged, merge_problems) =
            looks::fill_merges(&looks.merges, header_row, &columns, &mut rows);
        problems.extend(merge_problems);
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
            hidden: (hidden_rows, hidden_columns),
            merged,
        })
    }
}

impl Grid {
    /// Hidden columns that hold something (a title or data): refused, left out of every
    /// row, or kept, as `policy` says. Returns `policy` where there were any and it was not
    /// a refusal.
    fn hide_columns(
        &mut self,
        looks: &Looks,
        policy: Hidden,
        problems: &mut Vec<Problem>,
    ) -> Hidden {
        if looks.hidden_columns.is_empty() {
            return Hidden::Refuse;
        }
        let positions = &self.columns;
        let column_at = |i: usize| {
            positions
                .as_ref()
                .and_then(|c| c.get(i).copied())
                .unwrap_or(i)
        };
        let rows = &self.rows;
        let width = rows.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0);
        let hidden: Vec<usize> = (0..width)
            .filter(|i| looks::covers(&looks.hidden_columns, column_at(*i)))
            .filter(|i| {
                rows.iter()
                    .any(|(_, cells)| cells.get(*i).is_some_and(|c| !c.is_empty()))
            })
            .collect();
        if hidden.is_empty() {
            return Hidden::Refuse;
        }
        if policy == Hidden::Include {
            return policy;
        }
        // Named by their titles where the first row holding something has them.
        let titles = rows
            .first()
            .map(|(_, cells)| cells.as_slice())
            .unwrap_or(&[]);
        let named: Vec<Column> = hidden
            .iter()
            .map(|i| Column {
                index: column_at(*i),
                title: titles.get(*i).map(header_text).unwrap_or_default(),
            })
            .collect();
        if policy == Hidden::Refuse {
            problems.push(Problem::sheet(looks::hidden_columns_text(&named, false)));
            return policy;
        }
        self.warnings.push(looks::hidden_columns_text(&named, true));
        let kept: Vec<usize> = (0..width)
            .filter(|i| !hidden.contains(i))
            .map(column_at)
            .collect();
        for (_, cells) in self.rows.iter_mut() {
            let mut position = 0;
            cells.retain(|_| {
                position += 1;
                !hidden.contains(&(position - 1))
            });
        }
        self.problems
            .retain(|(_, position, _)| !hidden.contains(position));
        for (_, position, _) in self.problems.iter_mut() {
            *position -= hidden.iter().filter(|h| **h < *position).count();
        }
        self.columns = Some(kept);
        policy
    }

    /// Hidden rows that hold something: refused, left out, or kept, as `policy` says. A
    /// hidden header row is refused unless kept: leaving it out would make the next row the
    /// header. Returns `policy` where there were any and it was not a refusal.
    fn hide_rows(&mut self, looks: &Looks, policy: Hidden, problems: &mut Vec<Problem>) -> Hidden {
        if looks.hidden_rows.is_empty() {
            return Hidden::Refuse;
        }
        let hidden: Vec<usize> = self
            .rows
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| looks::covers(&looks.hidden_rows, *n))
            .collect();
        if hidden.is_empty() {
            return Hidden::Refuse;
        }
        let header = self.rows.first().map(|(n, _)| *n);
        if policy == Hidden::Include {
            return policy;
        }
        // Leaving a hidden header row out would make the next row the header: it is shown,
        // whatever --hidden-rows says of data rows.
        let data: Vec<usize> = match header == hidden.first().copied() {
            true => {
                problems.push(Problem::row(
                    hidden[0],
                    "the header row is hidden; unhide it (--hidden-rows include reads it as it \
                     is)",
                ));
                hidden[1..].to_vec()
            }
            false => hidden,
        };
        if data.is_empty() {
            return policy;
        }
        match policy {
            Hidden::Skip => {
                self.warnings
                    .push(looks::hidden_rows_text(&data, looks, true));
                let header = header.unwrap_or(0);
                self.rows
                    .retain(|(n, _)| *n == header || !looks::covers(&looks.hidden_rows, *n));
            }
            _ => problems.push(Problem::sheet(looks::hidden_rows_text(&data, looks, false))),
        }
        policy
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
        Cell::Text(text) | Cell::Date(text) | Cell::Error(text) | Cell::Formula(text) => {
            text.clone()
        }
        Cell::Number(n) => format_number(*n),
        Cell::Formatted(formatted) => formatted
            .shown
            .clone()
            .unwrap_or_else(|| format_number(formatted.value)),
        Cell::Bool(b) => b.to_string(),
        Cell::FormattedText(formatted) => formatted
            .shown
            .clone()
            .unwrap_or_else(|| formatted.text.clone()),
        Cell::Conditional(conditional) => header_text(&conditional.cell),
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

#[cfg(test)]
mod tests;
