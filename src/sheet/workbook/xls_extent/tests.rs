use super::*;

fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// A cell record of `kind` at zero-based `row`, `column`, with style 15 and `rest`.
fn cell(kind: u16, row: u16, column: u16, rest: &[u8]) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend(column.to_le_bytes());
    data.extend(15u16.to_le_bytes());
    data.extend_from_slice(rest);
    record(kind, &data)
}

fn label_sst(row: u16, column: u16) -> Vec<u8> {
    cell(0x00FD, row, column, &[0, 0, 0, 0])
}

/// BIFF8 DIMENSIONS: rows first and last + 1, columns first and last + 1.
fn dimensions(rows: (u32, u32), columns: (u16, u16)) -> Vec<u8> {
    let mut data = rows.0.to_le_bytes().to_vec();
    data.extend(rows.1.to_le_bytes());
    data.extend(columns.0.to_le_bytes());
    data.extend(columns.1.to_le_bytes());
    data.extend([0, 0]);
    record(DIMENSIONS, &data)
}

fn bof() -> Vec<u8> {
    record(BOF, &[0, 6, 0x10, 0])
}

fn eof() -> Vec<u8> {
    record(EOF, &[])
}

/// A workbook stream whose one sheet, `Users`, holds `records` (after its BOF, before its
/// EOF), and its globals.
fn book(records: &[Vec<u8>]) -> (Globals, Vec<u8>) {
    let stream = [vec![bof()], records.to_vec(), vec![eof()]]
        .concat()
        .concat();
    let globals = Globals {
        sheets: vec![0],
        names: vec!["Users".to_string()],
        ..Globals::default()
    };
    (globals, stream)
}

fn checked(records: &[Vec<u8>]) -> Result<(), SheetError> {
    let (globals, stream) = book(records);
    check(Path::new("book.xls"), &globals, &stream)
}

fn too_big(result: Result<(), SheetError>) -> (usize, usize, String) {
    match result {
        Err(SheetError::TooBig {
            worksheet,
            rows,
            columns,
            far,
            ..
        }) => {
            assert_eq!(worksheet, "Users");
            (rows, columns, far)
        }
        other => panic!("too big: {other:?}"),
    }
}

#[test]
fn a_sheet_of_users_passes() {
    let users: Vec<Vec<u8>> = (0..300).map(|row| label_sst(row, 0)).collect();
    let mut records = vec![dimensions((0, 300), (0, 3))];
    records.extend(users);
    records.push(cell(0x027E, 299, 2, &[0, 0, 0xF0, 0x3F]));
    assert!(checked(&records).is_ok());
    assert!(checked(&[]).is_ok());
}

#[test]
fn one_stray_cell_far_out_is_refused_naming_it() {
    // A space typed in IV65536: LibreOffice writes the DIMENSIONS out to it, and calamine
    // reserves that and builds the range over the cell.
    let stray = [label_sst(0, 0), label_sst(0, 2), label_sst(65_535, 255)];
    assert_eq!(
        too_big(checked(&stray)),
        (65_536, 256, "IV65536".to_string())
    );
    let counted = [dimensions((0, 65_536), (0, 256)), label_sst(0, 0)];
    assert_eq!(
        too_big(checked(&counted)),
        (65_536, 256, "IV65536".to_string())
    );
    // Numbers side by side in a row reach their last column.
    let mut mulrk = 65_535u16.to_le_bytes().to_vec();
    mulrk.extend(100u16.to_le_bytes());
    mulrk.extend([0u8; 6 * 156]);
    mulrk.extend(255u16.to_le_bytes());
    let far = [label_sst(0, 0), record(MULRK, &mulrk)];
    assert_eq!(too_big(checked(&far)).2, "IV65536");
}

#[test]
fn a_text_result_counts_in_its_formula_s_cell() {
    let formula = cell(FORMULA, 65_535, 200, &[0; 16]);
    let records = [label_sst(0, 0), formula, record(STRING, &[1, 0, 0, b'x'])];
    assert_eq!(too_big(checked(&records)).2, "GS65536");
    // Without a FORMULA before it, calamine puts it in A1.
    assert!(checked(&[record(STRING, &[1, 0, 0, b'x']), label_sst(3, 3)]).is_ok());
}

#[test]
fn a_cell_or_size_past_iv65536_is_a_damaged_file() {
    let damaged = |result: Result<(), SheetError>| match result {
        Err(SheetError::Workbook { message, .. }) => message,
        other => panic!("damaged: {other:?}"),
    };
    assert_eq!(
        damaged(checked(&[label_sst(3, 0), label_sst(9, 0x5A00)])),
        "worksheet `Users`: a cell record names the cell AHBE10, past the last cell (IV65536) \
         an XLS sheet has, so the file is damaged; open it in a spreadsheet and save it as \
         .xlsx"
    );
    // Rows 10 to 4: calamine's 32-bit count wraps to four billion.
    let wrapped = damaged(checked(&[dimensions((10, 5), (0, 3))]));
    assert!(wrapped.contains("size record (DIMENSIONS)"), "{wrapped}");
    assert!(damaged(checked(&[dimensions((0, 70_000), (0, 3))])).contains("C70000"));
    // A first row one past the last counts no rows, as calamine counts it.
    assert!(checked(&[dimensions((5, 5), (2, 2))]).is_ok());
}

#[test]
fn charts_inside_a_sheet_and_records_after_it_are_not_its_cells() {
    let records = [
        label_sst(0, 0),
        bof(),
        label_sst(65_535, 255),
        bof(),
        dimensions((0, 65_536), (0, 256)),
        eof(),
        eof(),
        label_sst(1, 0),
    ];
    let (globals, mut stream) = book(&records);
    stream.extend(label_sst(65_535, 255));
    assert!(check(Path::new("book.xls"), &globals, &stream).is_ok());
}

#[test]
fn an_encrypted_workbook_s_sheets_are_left_to_calamine() {
    let (mut globals, stream) = book(&[label_sst(65_535, 255), label_sst(0, 0)]);
    globals.encrypted = true;
    assert!(check(Path::new("book.xls"), &globals, &stream).is_ok());
    // A sheet whose records start past the stream is left to calamine too.
    globals.encrypted = false;
    globals.sheets = vec![stream.len() + 10];
    assert!(check(Path::new("book.xls"), &globals, &stream).is_ok());
}
