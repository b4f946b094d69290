use super::*;

fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn u16s(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A ROW record of zero-based row `row`, `height` twips, with `flags`.
fn row(row: u16, height: u16, flags: u16) -> Vec<u8> {
    record(ROW, &u16s(&[row, 0, 4, height, 0, 0, flags, 0x0F]))
}

fn colinfo(first: u16, last: u16, width: u16, flags: u16) -> Vec<u8> {
    record(COLINFO, &u16s(&[first, last, width, 15, flags, 0]))
}

/// A NUMBER, RK or FORMULA record at (row, column) with style `style`; a formula's result
/// is a number unless `tag` says otherwise.
fn cell(kind: u16, row: u16, column: u16, style: u16, tag: u16) -> Vec<u8> {
    let mut data = u16s(&[row, column, style, 0, 0, 0, tag]);
    data.resize(20, 0);
    record(kind, &data)
}

fn sheet(records: &[Vec<u8>]) -> Vec<u8> {
    [
        vec![record(BOF, &[0, 6, 0x10, 0])],
        records.to_vec(),
        vec![record(EOF, &[])],
    ]
    .concat()
    .concat()
}

#[test]
fn rows_hidden_by_hand_in_an_outline_or_by_default_and_hidden_columns() {
    let scanned = scan(
        &sheet(&[
            colinfo(0, 0, 2581, 0),
            colinfo(2, 3, 2581, 1),
            colinfo(5, 5, 0, 0),
            // LibreOffice writes the last range to column 256.
            colinfo(7, 256, 2581, 1),
            row(0, 256, 0x0100),
            row(3, 256, 0x0120),
            row(4, 256, 0x0121),
            row(6, 256, 0),
            row(7, 0, 0),
        ]),
        |_| false,
    );
    assert_eq!(scanned.looks.hidden_rows, vec![(4, 5), (8, 8)]);
    assert_eq!(scanned.looks.hidden_columns, vec![(2, 3), (5, 5), (7, 255)]);
    assert!(!scanned.looks.filter);
    let by_default = scan(
        &sheet(&[
            record(DEFAULT_ROW_HEIGHT, &u16s(&[0x0002, 256])),
            row(0, 256, 0),
            row(1, 256, 0),
        ]),
        |_| false,
    );
    assert_eq!(by_default.looks.hidden_rows, vec![(3, LAST_ROW)]);
}

#[test]
fn a_filter_is_marked_by_filtermode_or_autofilterinfo() {
    for kind in [FILTERMODE, AUTOFILTERINFO] {
        let scanned = scan(&sheet(&[record(kind, &[1, 0]), row(1, 256, 0x20)]), |_| {
            false
        });
        assert!(scanned.looks.filter);
        assert_eq!(scanned.looks.hidden_rows, vec![(2, 2)]);
    }
}

#[test]
fn cells_are_kept_with_their_style_where_it_may_show_them_otherwise() {
    let mut mulrk = u16s(&[4, 1]);
    for style in [21u16, 15, 22] {
        mulrk.extend(style.to_le_bytes());
        mulrk.extend([0, 0, 0xF0, 0x3F]);
    }
    mulrk.extend(3u16.to_le_bytes());
    let scanned = scan(
        &sheet(&[
            cell(NUMBER, 1, 2, 21, 0x4000),
            cell(RK, 2, 1, 15, 0),
            cell(RK, 2, 3, 22, 0),
            cell(FORMULA, 3, 0, 21, 0x4010),
            // A text, boolean or error result.
            cell(FORMULA, 3, 1, 21, 0xFFFF),
            record(MULRK, &mulrk),
            cell(LABELSST, 5, 0, 21, 0),
            cell(LABEL, 5, 1, 15, 0),
            cell(RSTRING, 5, 2, 22, 0),
            // Results of 0 and -0.
            cell(FORMULA, 6, 0, 15, 0),
            cell(FORMULA, 6, 1, 15, 0x8000),
        ]),
        |style| style >= 21,
    );
    assert_eq!(
        scanned.styled,
        vec![
            (1, 2, 21),
            (2, 3, 22),
            (3, 0, 21),
            (3, 1, 21),
            (4, 1, 21),
            (4, 3, 22),
            (5, 0, 21),
            (5, 2, 22)
        ]
    );
    assert_eq!(scanned.zero_results, vec![(6, 0), (6, 1)]);
}

#[test]
fn a_chart_inside_the_sheet_and_records_past_its_end_are_not_its_own() {
    let chart = [
        record(BOF, &[0, 6, 0x20, 0]),
        row(9, 256, 0x20),
        record(EOF, &[]),
    ]
    .concat();
    let stream = [
        sheet(&[row(1, 256, 0x20), chart, row(2, 256, 0x20)]),
        // The next sheet.
        sheet(&[row(5, 256, 0x20)]),
    ]
    .concat();
    assert_eq!(scan(&stream, |_| false).looks.hidden_rows, vec![(2, 3)]);
}
