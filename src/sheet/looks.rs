//! What a worksheet shows beyond its values: hidden rows and columns, and merged ranges.
//!
//! The readers say what the file marks ([`Looks`]); this module decides what that means for
//! the rows handed on. A hidden row or column that holds something is refused unless the
//! admin asked to skip or include it ([`Hidden`]), and a range merged down one column gives
//! its value to every row it covers, as the person sees it. A merged range that holds one
//! value for several columns, the header, or nothing the sheet reads is refused or ignored.

use super::{Cell, Merged};
use crate::problem::{Column, Problem, column_letter};

/// What to do with hidden rows or columns that hold something. In plan files as `skip` or
/// `include` (the default, `refuse`, is left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hidden {
    /// Refuse the sheet, naming them (the default: a sheet is read as the person sees it).
    #[default]
    Refuse,
    /// Leave them out; the plan says how many and which.
    Skip,
    /// Read them as data.
    Include,
}

impl Hidden {
    /// Whether this is the default, [`Hidden::Refuse`].
    pub fn is_refuse(&self) -> bool {
        *self == Hidden::Refuse
    }

    /// The flag value: `refuse`, `skip` or `include`.
    pub fn name(&self) -> &'static str {
        match self {
            Hidden::Refuse => "refuse",
            Hidden::Skip => "skip",
            Hidden::Include => "include",
        }
    }
}

/// A merged range of a worksheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    /// First and last row, 1-based as a spreadsheet numbers them.
    pub rows: (usize, usize),
    /// First and last column, 0-based (0 is column A).
    pub columns: (usize, usize),
}

impl Merge {
    /// The range as a spreadsheet names it: `D2:D4`.
    pub fn name(&self) -> String {
        format!(
            "{}{}:{}{}",
            column_letter(self.columns.0),
            self.rows.0,
            column_letter(self.columns.1),
            self.rows.1
        )
    }
}

/// What a workbook marks of how a worksheet looks. Ranges are inclusive and may cover rows
/// and columns that hold nothing; any order, overlaps allowed.
#[derive(Debug, Default)]
pub(super) struct Looks {
    /// Hidden rows (by hand, by a filter, in a collapsed outline), 1-based.
    pub hidden_rows: Vec<(usize, usize)>,
    /// Hidden columns, 0-based.
    pub hidden_columns: Vec<(usize, usize)>,
    /// Merged ranges.
    pub merges: Vec<Merge>,
    /// Whether the worksheet has a filter on (its hidden rows may be the filter's).
    pub filter: bool,
}

/// Inclusive ranges, sorted and joined where they touch or overlap, for [`covers`].
pub(super) fn joined(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.retain(|(first, last)| first <= last);
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (first, last) in ranges {
        match out.last_mut() {
            Some(previous) if first <= previous.1.saturating_add(1) => {
                previous.1 = previous.1.max(last)
            }
            _ => out.push((first, last)),
        }
    }
    out
}

/// Whether `n` is in one of `ranges` (as [`joined`] returns them).
pub(super) fn covers(ranges: &[(usize, usize)], n: usize) -> bool {
    let after = ranges.partition_point(|(first, _)| *first <= n);
    after > 0 && ranges[after - 1].1 >= n
}

/// `numbers` (ascending) as ranges, two numbers joined when every number between them is in
/// `hidden` too: `3–5, 9, 12–40`, at most `shown` ranges and a count of the rest.
pub(super) fn ranges_text(numbers: &[usize], hidden: &[(usize, usize)], shown: usize) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match ranges.last_mut() {
            Some(last) if (last.1..=n).all(|m| covers(hidden, m)) => last.1 = n,
            _ => ranges.push((n, n)),
        }
    }
    let mut parts: Vec<String> = ranges
        .iter()
        .take(shown)
        .map(|(first, last)| match first == last {
            true => first.to_string(),
            false => format!("{first}–{last}"),
        })
        .collect();
    if ranges.len() > shown {
        parts.push(format!("and {} more", ranges.len() - shown));
    }
    parts.join(", ")
}

/// The hidden-rows refusal or warning for the data rows `numbers` (ascending, non-empty).
pub(super) fn hidden_rows_text(numbers: &[usize], looks: &Looks, skipped: bool) -> String {
    let list = ranges_text(numbers, &looks.hidden_rows, 12);
    let rows = match numbers.len() {
        1 => format!("row {list} is hidden"),
        n => format!(
            "{} rows holding data are hidden ({list})",
            crate::text::thousands(n as u64)
        ),
    };
    let cause = if looks.filter {
        " by the sheet's filter or by hand"
    } else {
        ""
    };
    if skipped {
        let them = if numbers.len() == 1 {
            "it was"
        } else {
            "they were"
        };
        return format!("{rows}{cause}; {them} left out, as --hidden-rows skip asks");
    }
    let (them, show) = match numbers.len() {
        1 => ("it", "show it"),
        _ => ("them", "show them"),
    };
    let how = match looks.filter {
        true => "clear the filter, expand the outline, or Unhide",
        false => "expand the outline, or Unhide",
    };
    format!(
        "{rows}{cause}; sleipnir reads a sheet as you see it: {show} ({how}), or run again \
         with --hidden-rows skip to leave {them} out or --hidden-rows include to read {them} \
         as data"
    )
}

/// The hidden-columns refusal or warning for `columns` (non-empty).
pub(super) fn hidden_columns_text(columns: &[Column], skipped: bool) -> String {
    let named: Vec<String> = columns
        .iter()
        .map(|c| match c.title.is_empty() {
            true => c.letter(),
            false => format!("{} (`{}`)", c.letter(), c.title),
        })
        .collect();
    let (what, were, them) = match columns.len() {
        1 => (
            format!("column {} is hidden", named.join(", ")),
            "it was",
            "it",
        ),
        _ => (
            format!("columns {} are hidden", named.join(", ")),
            "they were",
            "them",
        ),
    };
    if skipped {
        return format!("{what}; {were} left out, as --hidden-columns skip asks");
    }
    format!(
        "{what}; sleipnir reads a sheet as you see it: unhide {them}, or run again with \
         --hidden-columns skip to leave {them} out or --hidden-columns include to read {them}"
    )
}

/// Read the merged ranges of a sheet as it looks: a range down one data column gives its
/// first cell's value to every row it covers that holds something (`rows`: row number and
/// cells, ascending; `column_at`: the worksheet column of a position). Returns what was
/// filled, and the problems of ranges that cannot be read so: across columns, or with the
/// header. Ranges that cover no column read, or no row from the header down, are ignored.
pub(super) fn fill_merges(
    merges: &[Merge],
    header_row: usize,
    columns: &[Column],
    rows: &mut [(usize, Vec<Cell>)],
) -> (Vec<Merged>, Vec<Problem>) {
    let mut filled = Vec::new();
    let mut problems = Vec::new();
    let last_row = rows.last().map_or(header_row, |(n, _)| *n);
    for merge in merges {
        if merge.rows.1 < header_row || merge.rows.0 > last_row {
            continue;
        }
        let Some(position) = columns
            .iter()
            .position(|c| (merge.columns.0..=merge.columns.1).contains(&c.index))
        else {
            continue;
        };
        let column = &columns[position];
        let first_row = merge.rows.0.max(header_row);
        if merge.columns.0 != merge.columns.1 {
            problems.push(Problem::cell(
                first_row,
                column,
                format!(
                    "cells {} are merged across columns, so one value stands for several \
                     fields; unmerge them and fill each cell",
                    merge.name()
                ),
            ));
            continue;
        }
        if merge.rows.0 <= header_row {
            problems.push(Problem::cell(
                header_row,
                column,
                format!(
                    "cells {} are merged with the header; unmerge them so that the header \
                     row holds only titles",
                    merge.name()
                ),
            ));
            continue;
        }
        let start = rows.partition_point(|(n, _)| *n < merge.rows.0);
        let end = rows.partition_point(|(n, _)| *n <= merge.rows.1);
        let covered = &mut rows[start..end];
        let value = match covered.first() {
            Some((n, cells)) if *n == merge.rows.0 => cells[position].clone(),
            // The first cell's row holds nothing at all: neither does the range.
            _ => Cell::Empty,
        };
        // A merge whose first cell is blank shows nothing: what a spreadsheet kept of the
        // cells under it ("keep the contents of the hidden cells") is not what is seen.
        let hid = value.is_empty() && covered.iter().any(|(_, cells)| !cells[position].is_empty());
        if value.is_empty() && !hid {
            continue;
        }
        for (_, cells) in covered.iter_mut() {
            cells[position] = value.clone();
        }
        filled.push(Merged {
            range: *merge,
            position,
            rows: covered.iter().map(|(n, _)| *n).collect(),
            blank: hid,
        });
    }
    (filled, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_join_and_cover() {
        let ranges = joined(vec![(9, 9), (3, 5), (4, 7), (20, 10), (8, 8)]);
        assert_eq!(ranges, vec![(3, 9)]);
        assert!(covers(&ranges, 3) && covers(&ranges, 9));
        assert!(!covers(&ranges, 2) && !covers(&ranges, 10));
        assert!(!covers(&[], 1));
    }

    #[test]
    fn hidden_rows_are_listed_as_ranges() {
        let hidden = joined(vec![(3, 6), (9, 9), (12, 40)]);
        // Row 6 is hidden but blank: 3–5 still join with nothing between.
        assert_eq!(
            ranges_text(&[3, 4, 5, 9, 12, 13, 40], &hidden, 10),
            "3–5, 9, 12–40"
        );
        let many: Vec<usize> = (1..=30).map(|n| n * 2).collect();
        let each: Vec<(usize, usize)> = many.iter().map(|n| (*n, *n)).collect();
        assert_eq!(ranges_text(&many, &each, 3), "2, 4, 6, and 27 more");
    }

    #[test]
    fn merges_are_named_as_a_spreadsheet_names_them() {
        let merge = Merge {
            rows: (2, 4),
            columns: (3, 3),
        };
        assert_eq!(merge.name(), "D2:D4");
    }

    fn column(index: usize, title: &str) -> Column {
        Column {
            index,
            title: title.into(),
        }
    }

    #[test]
    fn a_merge_down_a_column_fills_its_rows() {
        let columns = [column(0, "userId"), column(3, "x")];
        let mut rows = vec![
            (2, vec![Cell::text("a"), Cell::text("TRUE")]),
            (3, vec![Cell::text("b"), Cell::Empty]),
            (5, vec![Cell::text("c"), Cell::Empty]),
            (6, vec![Cell::text("d"), Cell::Empty]),
        ];
        let merge = Merge {
            rows: (2, 5),
            columns: (3, 3),
        };
        let (filled, problems) = fill_merges(&[merge], 1, &columns, &mut rows);
        assert!(problems.is_empty());
        assert_eq!(filled.len(), 1);
        assert_eq!(filled[0].rows, vec![2, 3, 5]);
        assert!(!filled[0].blank);
        assert_eq!(rows[2].1[1], Cell::text("TRUE"));
        assert_eq!(rows[3].1[1], Cell::Empty);
    }

    #[test]
    fn a_blank_merge_hides_what_its_cells_hold() {
        let columns = [column(0, "userId"), column(1, "x")];
        let mut rows = vec![
            (2, vec![Cell::text("a"), Cell::Empty]),
            (3, vec![Cell::text("b"), Cell::text("3002")]),
        ];
        let merge = Merge {
            rows: (2, 3),
            columns: (1, 1),
        };
        let (filled, _) = fill_merges(&[merge], 1, &columns, &mut rows);
        assert_eq!(rows[1].1[1], Cell::Empty, "the hidden cell is not read");
        assert!(filled[0].blank);
    }

    #[test]
    fn merges_across_columns_or_with_the_header_are_refused() {
        let columns = [column(0, "userId"), column(1, "x"), column(2, "y")];
        let mut rows = vec![(2, vec![Cell::text("a"), Cell::text("1"), Cell::Empty])];
        let across = Merge {
            rows: (2, 2),
            columns: (1, 2),
        };
        let header = Merge {
            rows: (1, 2),
            columns: (0, 0),
        };
        let aside = Merge {
            rows: (2, 3),
            columns: (5, 6),
        };
        let (filled, problems) = fill_merges(&[across, header, aside], 1, &columns, &mut rows);
        assert!(filled.is_empty());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("B2:C2"), "{}", problems[0]);
        assert!(problems[1].message.contains("with the header"));
    }
}
