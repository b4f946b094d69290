//! Reading sheets: CSV and workbooks into rows of typed cells (the hygiene layer).
//!
//! Whatever tool wrote the file, what leaves this module is the same: a header row of
//! titles as the admin sees them and data rows of [`Cell`]s numbered as a spreadsheet
//! numbers them. Blank rows are dropped, encodings and delimiters are sorted out, and
//! workbook numbers, booleans, dates and error cells keep their kind so that conversion can
//! judge them against the field.
//!
//! A cell means what the person sees in their spreadsheet, or it is refused: hidden rows
//! and columns are refused unless [`ReadOptions`] says to skip or include them, hidden
//! worksheets are read only when named, a number keeps the text its format displays
//! ([`Cell::Formatted`]), a formula without a computed value stays a formula
//! ([`Cell::Formula`]), a range merged down one column gives its value to every row it
//! covers (recorded in [`Sheet::merged`]), and text is in Unicode NFC.

mod delimited;
mod encoding;
mod grid;
mod looks;
mod number;
mod numfmt;
mod ods;
pub mod title;
mod workbook;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::problem::{Column, Problem};
use grid::Grid;

pub use looks::{Hidden, Merge};
pub use number::{SHOWN_DIGITS, format_number, is_scientific, shown, too_long};
pub use workbook::MAX_CELLS;

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
    /// A workbook error value such as `#N/A` (typed, or a formula's cached result).
    Error(String),
    /// A workbook number whose number format displays it otherwise than the plain number
    /// would read (`0123` for 123 formatted `0000`, `1,234`, `12%`). A number the format
    /// shows as [`format_number`] prints it stays a [`Cell::Number`].
    Formatted(Box<Formatted>),
    /// A formula the workbook holds no computed value for (a workbook written by a script
    /// and never opened in a spreadsheet): the formula as written, with its leading `=`.
    Formula(String),
    /// Text whose number format shows nothing (`;;;`), or shows it in a way sleipnir cannot
    /// render: what the person sees is not the text. Text a format shows with literals
    /// around it (`"+"@` shows `+1555` for `1555`) is read as shown, a [`Cell::Text`].
    FormattedText(Box<FormattedText>),
    /// A workbook number or text in the range of a conditional format whose rule, where it
    /// holds, shows it through another number format, otherwise than its own format does
    /// (`0101` for 101 through `0000`): what the person sees depends on a rule sleipnir does
    /// not evaluate.
    Conditional(Box<Conditional>),
}

/// A workbook cell whose number format depends on a conditional format.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditional {
    /// The cell as its own number format shows it: a number, text or their formatted kinds.
    pub cell: Cell,
    /// What it shows where the rule holds: `Some("")` for nothing, `None` where sleipnir
    /// cannot tell.
    pub shown: Option<String>,
    /// The conditional format's number format code.
    pub format: String,
}

/// A workbook text whose format shows something else.
#[derive(Debug, Clone, PartialEq)]
pub struct FormattedText {
    /// The text stored, trimmed and in NFC.
    pub text: String,
    /// What the spreadsheet displays: `Some("")` for a blank cell, `None` where sleipnir
    /// cannot tell.
    pub shown: Option<String>,
    /// The number format code; empty where the file does not give one.
    pub format: String,
}

/// A workbook number with the text its number format displays.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatted {
    /// The number stored.
    pub value: f64,
    /// The text the spreadsheet displays (`Some("")` for a format that shows nothing, such
    /// as `;;;`), or `None` where sleipnir cannot tell (a format it does not render).
    pub shown: Option<String>,
    /// The number format code (`0000`, `#,##0.00`; an ODS style written as such a code);
    /// empty where the file does not give one.
    pub format: String,
}

impl Cell {
    /// A text cell, or [`Cell::Empty`] when the text is blank. The text is trimmed and in
    /// Unicode NFC (`e` + U+0308 becomes `ë`), as Odin compares and stores it.
    pub fn text(raw: &str) -> Cell {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(crate::text::nfc(trimmed).into_owned())
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
    /// The row number a spreadsheet shows (the header is usually row 1; a CSV record that
    /// spans lines inside quotes is one row).
    pub number: usize,
    /// One cell per column of [`Sheet::columns`]; a row shorter than the header has
    /// [`Cell::Empty`] for its missing trailing cells.
    pub cells: Vec<Cell>,
}

/// A sheet read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// The worksheet read, for workbooks.
    pub worksheet: Option<String>,
    /// The header row: one [`Column`] per header cell of a CSV file, and per column that
    /// holds something (a title or data) of a workbook. Titles are trimmed, with every
    /// Unicode space as ` ` and invisible characters dropped.
    pub columns: Vec<Column>,
    /// The header row's number.
    pub header_row: usize,
    /// Data rows in file order, blank rows dropped.
    pub rows: Vec<Row>,
    /// Problems found while reading (duplicate headers, ragged rows, bytes that are not
    /// UTF-8); planning reports them with its own.
    pub problems: Vec<Problem>,
    /// Things worth telling the admin that do not stop the plan.
    pub warnings: Vec<String>,
    /// Hex SHA-256 of the file's bytes, recorded in plan files.
    pub sha256: String,
    /// What was done with hidden rows and with hidden columns that held something:
    /// [`Hidden::Refuse`] where there were none (or they were refused, as a problem).
    pub hidden: (Hidden, Hidden),
    /// Ranges merged down one column whose value was given to every row they cover, as the
    /// sheet shows it; planning refuses one in the user id column and warns of the others.
    pub merged: Vec<Merged>,
}

/// A range merged down one column, read as the person sees it: its value in every row.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The range, as a workbook names it.
    pub range: Merge,
    /// Its column's position in [`Sheet::columns`].
    pub position: usize,
    /// The rows of the sheet it gave its value to (those that hold something else).
    pub rows: Vec<usize>,
    /// Whether it shows nothing, while cells under it held something (a spreadsheet may keep
    /// them): those were read as blank, as the sheet shows them.
    pub blank: bool,
}

/// How to read a sheet: which worksheet, and what to do with hidden rows and columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The worksheet to read by name; by default the workbook's active sheet when it is
    /// visible, else its first visible one. A hidden sheet is read only when named.
    pub worksheet: Option<String>,
    /// Rows hidden by hand, by a filter or in a collapsed outline (XLSX and ODS).
    pub hidden_rows: Hidden,
    /// Hidden columns (XLSX and ODS).
    pub hidden_columns: Hidden,
}

impl ReadOptions {
    /// The default options with worksheet `name`.
    pub fn worksheet(name: Option<&str>) -> ReadOptions {
        ReadOptions {
            worksheet: name.map(str::to_string),
            ..ReadOptions::default()
        }
    }
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
    /// Nothing but blank rows (in the worksheet read, for a workbook).
    #[error(
        "`{}`{} is empty; a sheet needs a header row (e.g. `userId,user.extension`){}",
        .0.display(),
        .1.as_ref().map(|w| format!(", worksheet `{w}`,")).unwrap_or_default(),
        .1.as_ref().map(|_| "; name the worksheet to read with --sheet").unwrap_or_default()
    )]
    Empty(PathBuf, Option<String>),
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
    /// The cells of a worksheet span more than [`MAX_CELLS`]: a sheet far bigger than any
    /// bulk change, or stray cells far from the data in rows and columns that hold data.
    #[error(
        "`{path}`, worksheet `{worksheet}`, is too big to read: its cells span {} rows × {} \
         columns (more than {} cells), out to {far}; clear the cells past your data, or \
         split the sheet",
        crate::text::thousands(*rows as u64),
        crate::text::thousands(*columns as u64),
        crate::text::thousands(MAX_CELLS as u64)
    )]
    TooBig {
        /// The file.
        path: PathBuf,
        /// The worksheet.
        worksheet: String,
        /// Rows that hold something.
        rows: usize,
        /// Columns that hold something.
        columns: usize,
        /// The cell in the farthest column that holds something (`XFD1`).
        far: String,
    },
    /// The workbook is encrypted (password-protected, or protected with the default
    /// password a spreadsheet opens without asking), whatever its extension.
    #[error(
        "`{0}` is an encrypted (password-protected) workbook, which sleipnir cannot read; \
         open it in the spreadsheet and save a copy without a password (Excel: File › Info › \
         Protect Workbook › Encrypt with Password, and clear it; LibreOffice: File › Save As, \
         without Save with password), then give sleipnir that copy"
    )]
    Encrypted(PathBuf),
    /// The file is not delimited text: NUL bytes that are not UTF-16, or a workbook named
    /// like a CSV file.
    #[error("`{path}` is not a CSV text file: {what}")]
    NotText {
        /// The file.
        path: PathBuf,
        /// What it is instead, and what to do.
        what: String,
    },
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

/// Read a sheet from `path`: CSV (any common encoding and delimiter) or a workbook, as
/// `options` say.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Sheet, SheetError> {
    let bytes = std::fs::read(path).map_err(|source| SheetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_bytes(path, bytes, options)
}

/// Read a sheet from the bytes of a file named `path` (the name decides the format and
/// appears in messages).
pub fn from_bytes(path: &Path, bytes: Vec<u8>, options: &ReadOptions) -> Result<Sheet, SheetError> {
    let format = format_of(path);
    // An encrypted workbook is told by its bytes whatever its name (workbooks find out
    // while they open).
    if format != Some(Format::Workbook) && workbook::is_encrypted(&bytes) {
        return Err(SheetError::Encrypted(path.to_path_buf()));
    }
    let format = format.ok_or_else(|| SheetError::UnknownFormat(path.to_path_buf()))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let grid = match format {
        Format::Delimited => {
            if options.worksheet.is_some() {
                return Err(SheetError::WorksheetOfCsv(path.to_path_buf()));
            }
            delimited::read(path, &bytes)?
        }
        Format::Workbook => workbook::read(path, bytes, options)?,
    };
    grid.into_sheet(path, sha256, options)
}

/// Hex SHA-256 of `bytes`, as plan files record a sheet's (and a mapping's).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
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
