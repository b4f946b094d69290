//! Validation problems: what is wrong with a sheet, and exactly where.
//!
//! Validation never stops at the first problem; every stage returns all it found, and the
//! CLI reports them together, sorted by row and column.

use std::fmt;

use crate::text::escape_invisible;

/// A sheet column as the admin sees it: its letter and its header title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Zero-based position in the worksheet (0 is column A).
    pub index: usize,
    /// The header text, trimmed.
    pub title: String,
}

impl Column {
    /// The spreadsheet letter of the column: A, B, …, Z, AA, AB, …
    pub fn letter(&self) -> String {
        column_letter(self.index)
    }
}

/// The spreadsheet letter of a zero-based column index.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

/// Where a problem is: a cell, a whole row, a header column, or a part of the mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The sheet as a whole.
    Sheet,
    /// A whole row (1-based, as a spreadsheet numbers it).
    Row(usize),
    /// One cell.
    Cell {
        /// 1-based row.
        row: usize,
        /// The column.
        column: Column,
    },
    /// An entry of the mapping file, e.g. a constant.
    Mapping(String),
}

/// One thing wrong with the input, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// What is wrong, with the offending value and, when there is one, the fix.
    pub message: String,
}

impl Problem {
    /// A problem with one cell.
    pub fn cell(row: usize, column: &Column, message: impl Into<String>) -> Problem {
        Problem {
            location: Location::Cell {
                row,
                column: column.clone(),
            },
            message: message.into(),
        }
    }

    /// A problem with a whole row.
    pub fn row(row: usize, message: impl Into<String>) -> Problem {
        Problem {
            location: Location::Row(row),
            message: message.into(),
        }
    }

    /// A problem with the sheet as a whole.
    pub fn sheet(message: impl Into<String>) -> Problem {
        Problem {
            location: Location::Sheet,
            message: message.into(),
        }
    }

    /// A problem with an entry of the mapping file.
    pub fn mapping(entry: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            location: Location::Mapping(entry.into()),
            message: message.into(),
        }
    }

    /// The order problems are reported in: sheet-wide and mapping problems first, then by
    /// row, then by column.
    pub fn sort_key(&self) -> (usize, usize, usize) {
        match &self.location {
            Location::Sheet => (0, 0, 0),
            Location::Mapping(_) => (1, 0, 0),
            Location::Row(row) => (2, *row, 0),
            Location::Cell { row, column } => (2, *row, column.index + 1),
        }
    }
}

/// Titles and messages are shown with invisible characters escaped (`\u{a0}`), so that a
/// title that matches nothing never looks exactly like the name it fails to match.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = escape_invisible(&self.message);
        match &self.location {
            Location::Sheet => write!(f, "{message}"),
            Location::Row(row) => write!(f, "row {row}: {message}"),
            Location::Cell { row, column } => write!(
                f,
                "row {row}, column {} (`{}`): {message}",
                column.letter(),
                escape_invisible(&column.title),
            ),
            Location::Mapping(entry) => write!(f, "mapping {entry}: {message}"),
        }
    }
}

/// Every problem found in one input, sorted for reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    /// The file the problems are in, as the user named it.
    pub source: String,
    /// The problems, sorted by [`Problem::sort_key`].
    pub problems: Vec<Problem>,
}

impl Problems {
    /// Collect problems for reporting, sorted so the output is stable whatever order the
    /// parallel stages found them in.
    pub fn new(source: impl Into<String>, mut problems: Vec<Problem>) -> Problems {
        problems.sort_by(|a, b| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then_with(|| a.message.cmp(&b.message))
        });
        problems.dedup();
        Problems {
            source: source.into(),
            problems,
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(
            f,
            "`{}` has {count} {noun}; nothing was planned",
            self.source
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn problems_sort_by_row_then_column() {
        let b = Column {
            index: 1,
            title: "b".into(),
        };
        let a = Column {
            index: 0,
            title: "a".into(),
        };
        let problems = Problems::new(
            "s.csv",
            vec![
                Problem::cell(3, &b, "late"),
                Problem::row(3, "row"),
                Problem::cell(3, &a, "early"),
                Problem::sheet("sheet"),
            ],
        );
        let text = problems.to_string();
        assert_eq!(
            text,
            "`s.csv` has 4 problems; nothing was planned\n  sheet\n  row 3: row\n  \
             row 3, column A (`a`): early\n  row 3, column B (`b`): late"
        );
    }
}
