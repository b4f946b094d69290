use super::super::xlsb_records::encode as record;
use super::*;

fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A BrtRowHdr of zero-based row `row`, `height` twips, with `flags`.
fn row(row: u32, height: u16, flags: u16) -> Vec<u8> {
    let mut data = u32s(&[row, 0]);
    data.extend(height.to_le_bytes());
    data.extend(flags.to_le_bytes());
    data.extend([0, 0, 0, 0, 0]);
    record(ROW, &data)
}

fn columns(first: u32, last: u32, width: u32, flags: u16) -> Vec<u8> {
    let mut data = u32s(&[first, last, width, 0]);
    data.extend(flags.to_le_bytes());
    record(COLUMNS, &data)
}

/// A number cell record of `kind` in `column` with `style`.
fn cell(kind: u16, column: u32, style: u32) -> Vec<u8> {
    let mut data = u32s(&[column, style | 0x0100_0000]);
    data.extend([0u8; 8]);
    record(kind, &data)
}

fn scanned(records: &[Vec<u8>], formatted: impl Fn(u32) -> bool) -> Scan {
    scan(records.concat().as_slice(), formatted).unwrap()
}

#[test]
fn rows_hidden_by_hand_or_by_default_and_hidden_columns() {
    let found = scanned(
        &[
            record(0x0081, &[]),
            columns(0, 0, 2304, 0x0002),
            columns(2, 3, 2304, 0x0001),
            columns(5, 5, 0, 0),
            columns(7, 20_000, 2304, 0x0001),
            record(0x0091, &[]),
            row(0, 300, 0x0000),
            row(3, 300, 0x1000),
            row(4, 300, 0x1100),
            row(6, 300, 0x0800),
            row(7, 0, 0),
            record(0x0092, &[]),
        ],
        |_| false,
    );
    assert_eq!(found.looks.hidden_rows, vec![(4, 5), (8, 8)]);
    assert_eq!(
        found.looks.hidden_columns,
        vec![(2, 3), (5, 5), (7, LAST_COLUMN)]
    );
    assert!(!found.looks.filter);
    let mut info = u32s(&[u32::MAX]);
    info.extend([8, 0, 0x2C, 0x01, 0x02, 0x00, 0, 0]);
    let by_default = scanned(
        &[record(FORMAT_INFO, &info), row(0, 300, 0), row(1, 300, 0)],
        |_| false,
    );
    assert_eq!(by_default.looks.hidden_rows, vec![(3, LAST_ROW)]);
}

#[test]
fn merges_and_the_sheet_s_filter_but_not_a_custom_view_s() {
    let found = scanned(
        &[
            record(MERGE, &u32s(&[1, 3, 3, 3])),
            record(MERGE, &u32s(&[5, 5, 1, 2])),
            record(MERGE, &u32s(&[7, 7, 0, 0])),
            record(CUSTOM_VIEW, &[0; 8]),
            record(FILTER, &u32s(&[0, 8, 0, 2])),
            record(END_CUSTOM_VIEW, &[]),
        ],
        |_| false,
    );
    assert_eq!(
        found.looks.merges,
        vec![
            Merge {
                rows: (2, 4),
                columns: (3, 3)
            },
            Merge {
                rows: (6, 6),
                columns: (1, 2)
            },
        ]
    );
    assert!(!found.looks.filter);
    let filtered = scanned(&[record(FILTER, &u32s(&[0, 8, 0, 2]))], |_| false);
    assert!(filtered.looks.filter);
}

#[test]
fn number_and_text_cells_are_kept_with_their_row_and_style_where_it_may_show_them_otherwise() {
    let found = scanned(
        &[
            row(1, 300, 0),
            cell(RK, 0, 3),
            cell(REAL, 2, 1),
            row(4, 300, 0),
            cell(FORMULA_NUMBER, 1, 3),
            // Text: in the cell, shared, a formula's result.
            cell(STRING, 2, 3),
            cell(SHARED_STRING, 5, 3),
            cell(FORMULA_STRING, 6, 1),
            // A boolean formula with the same style: neither.
            cell(0x000A, 3, 3),
        ],
        |style| style == 3,
    );
    assert_eq!(
        found.styled,
        vec![(1, 0, 3), (4, 1, 3), (4, 2, 3), (4, 5, 3)]
    );
}
