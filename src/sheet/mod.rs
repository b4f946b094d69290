//! Reading sheets: CSV and workbooks into rows of typed cells (the hygiene layer).
//!
//! Whatever tool wrote the file, what leaves this module is the same: a trimmed header row
//! and data rows of [`Cell`]s numbered as a spreadsheet numbers them. Blank rows are
//! dropped, encodings and delimiters are sorted out, and workbook numbers, booleans, dates
//! and error cells keep their kind so that conversion can judge them against the field.

mod delimited;
mod number;
pub mod title;
mod workbook;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::problem::{Column, Problem};

pub use number::{SHOWN_DIGITS, format_number, is_scientific, shown, too_long};

/// One cell's content, as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing, or only white space.
    Empty,
    /// Text, trimmed of surrounding white space. Every CSV cell is text.
    Text(String),
    /// A workbook number (workbooks store every number as a float).
    Number(f64),
    /// A workbook boolean.
    Bool(bool),
    /// A workbook date or time, in ISO 8601.
    Date(String),
    /// A workbook error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// A text cell, or [`Cell::Empty`] when the text is blank.
    pub fn text(raw: &str) -> Cell {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(trimmed.to_string())
        }
    }

    /// Whether the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
}

/// A data row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number a spreadsheet shows (the header is usually row 1).
    pub number: usize,
    /// One cell per header column; rows shorter than the header are padded with
    /// [`Cell::Empty`] only after being reported.
    pub cells: Vec<Cell>,
}

/// A sheet read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// The worksheet read, for workbooks.
    pub worksheet: Option<String>,
    /// The header row, one [`Column`] per header cell. Titles are trimmed, with every
    /// Unicode space as ` ` and invisible characters dropped.
    pub columns: Vec<Column>,
    /// The header row's number.
    pub header_row: usize,
    /// Data rows in file order, blank rows dropped.
    pub rows: Vec<Row>,
    /// Problems found while reading (duplicate headers, ragged rows); planning reports them
    /// with its own.
    pub problems: Vec<Problem>,
    /// Things worth telling the admin that do not stop the plan.
    pub warnings: Vec<String>,
    /// Hex SHA-256 of the file's bytes, recorded in plan files.
    pub sha256: String,
}

/// Why a file could not be read as a sheet at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The extension names no format sleipnir reads.
    #[error(
        "`{0}` is not a sheet sleipnir reads; use a .csv, .tsv, .txt, .xlsx, .xlsm, .xlsb, .xls or .ods file"
    )]
    UnknownFormat(PathBuf),
    /// Nothing but blank rows.
    #[error("`{0}` is empty; a sheet needs a header row (e.g. `userId,user.extension`)")]
    Empty(PathBuf),
    /// The CSV is malformed beyond what the hygiene layer mends.
    #[error("`{path}` is not a readable CSV file: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV reader said.
        message: String,
    },
    /// The workbook could not be opened.
    #[error("`{path}` is not a readable workbook: {message}")]
    Workbook {
        /// The file.
        path: PathBuf,
        /// What the workbook reader said.
        message: String,
    },
    /// `--sheet` names a worksheet the workbook does not have.
    #[error(
        "`{path}` has no worksheet `{wanted}` (it has: {available}){}",
        crate::suggest::did_you_mean(suggestion)
    )]
    NoSuchWorksheet {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        wanted: String,
        /// The names it has, comma-separated.
        available: String,
        /// The closest name.
        suggestion: Option<String>,
    },
    /// `--sheet` was given for a CSV file.
    #[error("`{0}` is a CSV file and has no worksheets; drop `--sheet`")]
    WorksheetOfCsv(PathBuf),
}

/// The formats sleipnir reads, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Delimited,
    Workbook,
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => Some(Format::Delimited),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Workbook),
        _ => None,
    }
}

/// Read a sheet from `path`: CSV (any common encoding and delimiter) or a workbook
/// (`worksheet` picks one by name; default the first).
pub fn read(path: &Path, worksheet: Option<&str>) -> Result<Sheet, SheetError> {
    let bytes = std::fs::read(path).map_err(|source| SheetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_bytes(path, bytes, worksheet)
}

/// Read a sheet from the bytes of a file named `path` (the name decides the format and
/// appears in messages).
pub fn from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    worksheet: Option<&str>,
) -> Result<Sheet, SheetError> {
    let format = format_of(path).ok_or_else(|| SheetError::UnknownFormat(path.to_path_buf()))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let grid = match format {
        Format::Delimited => {
            if worksheet.is_some() {
                return Err(SheetError::WorksheetOfCsv(path.to_path_buf()));
            }
            delimited::read(path, &bytes)?
        }
        Format::Workbook => workbook::read(path, bytes, worksheet)?,
    };
    grid.into_sheet(path, sha256)
}

/// Raw rows as a reader produced them, before header handling.
struct Grid {
    worksheet: Option<String>,
    /// Zero-based column index of the first cell of each row (workbooks may start past A).
    first_column: usize,
    /// (row number, cells) in file order, blank rows included.
    rows: Vec<(usize, Vec<Cell>)>,
    warnings: Vec<String>,
}

impl Grid {
    fn into_sheet(self, path: &Path, sha256: String) -> Result<Sheet, SheetError> {
        let mut rows = self
            .rows
            .into_iter()
            .filter(|(_, cells)| !cells.iter().all(Cell::is_empty));
        let Some((header_row, header_cells)) = rows.next() else {
            return Err(SheetError::Empty(path.to_path_buf()));
        };
        let mut problems = Vec::new();
        let mut warnings = self.warnings;
        let columns: Vec<Column> = header_cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let clean = title::clean(&header_text(cell));
                let column = Column {
                    index: self.first_column + i,
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
            // Empty cells past the header's end are harmless (trailing delimiters); anything
            // else that does not line up with the header is a delimiter or quoting mistake.
            let ragged =
                cells.len() < columns.len() || cells[columns.len()..].iter().any(|c| !c.is_empty());
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
        Ok(Sheet {
            path: path.to_path_buf(),
            worksheet: self.worksheet,
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
            if rows.iter().any(|row| !row.cells[i].is_empty()) {
                problems.push(Problem::cell(
                    header_row,
                    column,
                    "the column has data but no header; give it a field path or remove it",
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_an_empty_cell() {
        assert_eq!(Cell::text("  \t"), Cell::Empty);
        assert_eq!(Cell::text(" a b "), Cell::Text("a b".into()));
    }
}
