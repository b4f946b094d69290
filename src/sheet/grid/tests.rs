use std::path::Path;

use super::*;
use crate::problem::Location;
use crate::sheet::Merge;

/// A workbook's grid: header `userId, x, y` in columns A, C, D and one row per user.
fn grid(looks: Looks) -> Grid {
    let row =
        |n: usize, user: &str, x: &str| (n, vec![Cell::text(user), Cell::text(x), Cell::text("y")]);
    Grid {
        worksheet: Some("Users".into()),
        columns: Some(vec![0, 2, 3]),
        rows: vec![
            (
                1,
                vec![Cell::text("userId"), Cell::text("x"), Cell::text("y")],
            ),
            row(2, "a", "1"),
            row(3, "b", "2"),
            row(4, "c", "3"),
            row(6, "d", "4"),
            row(9, "e", "5"),
        ],
        warnings: Vec::new(),
        problems: vec![(3, 2, "a reader's problem in column D".into())],
        looks,
    }
}

fn read(looks: Looks, rows: Hidden, columns: Hidden) -> Sheet {
    let options = ReadOptions {
        worksheet: None,
        hidden_rows: rows,
        hidden_columns: columns,
    };
    grid(looks)
        .into_sheet(Path::new("t.xlsx"), "00".into(), &options)
        .expect("a sheet")
}

fn hidden_rows() -> Looks {
    Looks {
        // Row 5 holds nothing; 3–6 still read as one range.
        hidden_rows: vec![(3, 5), (6, 6), (9, 12)],
        filter: true,
        ..Looks::default()
    }
}

#[test]
fn hidden_rows_are_refused_as_ranges() {
    let sheet = read(hidden_rows(), Hidden::Refuse, Hidden::Refuse);
    let refusal = sheet
        .problems
        .iter()
        .find(|p| p.location == Location::Sheet)
        .expect("a refusal");
    assert_eq!(
        refusal.message,
        "4 rows holding data are hidden (3–6, 9) by the sheet's filter or by hand; sleipnir \
         reads a sheet as you see it: show them (clear the filter, expand the outline, or \
         Unhide), or run again with --hidden-rows skip to leave them out or --hidden-rows include to read them as data"
    );
    assert_eq!(sheet.hidden, (Hidden::Refuse, Hidden::Refuse));
}

#[test]
fn hidden_rows_skipped_or_included() {
    let skipped = read(hidden_rows(), Hidden::Skip, Hidden::Refuse);
    let numbers: Vec<usize> = skipped.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [2]);
    assert_eq!(skipped.hidden.0, Hidden::Skip);
    assert!(
        skipped.warnings[0].contains("(3–6, 9)") && skipped.warnings[0].contains("left out"),
        "{:?}",
        skipped.warnings
    );
    let included = read(hidden_rows(), Hidden::Include, Hidden::Refuse);
    assert_eq!(included.rows.len(), 5);
    assert!(
        included
            .problems
            .iter()
            .all(|p| p.location != Location::Sheet)
    );
    assert_eq!(included.hidden.0, Hidden::Include);
}

#[test]
fn a_hidden_header_row_is_never_skipped() {
    let looks = Looks {
        hidden_rows: vec![(1, 2)],
        ..Looks::default()
    };
    let sheet = read(looks, Hidden::Skip, Hidden::Refuse);
    assert!(
        sheet
            .problems
            .iter()
            .any(|p| p.location == Location::Row(1)),
        "{:?}",
        sheet.problems
    );
}

#[test]
fn hidden_rows_that_hold_nothing_do_not_matter() {
    let looks = Looks {
        hidden_rows: vec![(5, 5), (10, 1_048_576)],
        hidden_columns: vec![(1, 1), (4, 16_383)],
        ..Looks::default()
    };
    let sheet = read(looks, Hidden::Refuse, Hidden::Refuse);
    assert_eq!(sheet.hidden, (Hidden::Refuse, Hidden::Refuse));
    assert!(sheet.warnings.is_empty());
    assert_eq!(sheet.problems.len(), 1, "{:?}", sheet.problems);
}

#[test]
fn hidden_columns_refused_skipped_or_included() {
    let looks = || Looks {
        hidden_columns: vec![(2, 2)],
        ..Looks::default()
    };
    let refused = read(looks(), Hidden::Refuse, Hidden::Refuse);
    assert!(
        refused
            .problems
            .iter()
            .any(|p| p.location == Location::Sheet
                && p.message.starts_with("column C (`x`) is hidden")),
        "{:?}",
        refused.problems
    );
    let skipped = read(looks(), Hidden::Refuse, Hidden::Skip);
    let titles: Vec<(String, String)> = skipped
        .columns
        .iter()
        .map(|c| (c.letter(), c.title.clone()))
        .collect();
    assert_eq!(
        titles,
        [("A".into(), "userId".into()), ("D".into(), "y".into())]
    );
    assert_eq!(skipped.rows[0].cells.len(), 2);
    assert_eq!(skipped.hidden.1, Hidden::Skip);
    // The reader's problem in column D keeps its column.
    let found = skipped
        .problems
        .iter()
        .find(|p| p.message.starts_with("a reader's"))
        .expect("kept");
    assert!(
        matches!(&found.location, Location::Cell { column, .. } if column.letter() == "D"),
        "{found:?}"
    );
    let included = read(looks(), Hidden::Refuse, Hidden::Include);
    assert_eq!(included.columns.len(), 3);
}

#[test]
fn a_merge_down_a_column_reads_in_every_row() {
    let looks = Looks {
        merges: vec![Merge {
            rows: (2, 4),
            columns: (2, 2),
        }],
        ..Looks::default()
    };
    let sheet = read(looks, Hidden::Refuse, Hidden::Refuse);
    let x: Vec<&Cell> = sheet.rows.iter().map(|r| &r.cells[1]).collect();
    assert_eq!(
        x,
        [
            &Cell::text("1"),
            &Cell::text("1"),
            &Cell::text("1"),
            &Cell::text("4"),
            &Cell::text("5")
        ]
    );
    assert_eq!(sheet.merged.len(), 1);
    assert_eq!(sheet.merged[0].rows, [2, 3, 4]);
}
