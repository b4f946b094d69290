//! XLSB workbooks (issue 22): `plan` reads what the person sees, or refuses the sheet with
//! the row, the column and what to do, as for XLSX. Nothing here writes XLSB (Excel does;
//! LibreOffice only reads it), so each workbook is built record by record as MS-XLSB lays
//! them out and Excel writes them: the package's parts, the workbook's sheets and view,
//! styles, and the worksheet's rows, cells, column widths, filter and merged ranges.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::sheet_hygiene::patch;
use crate::support::{Run, sleipnir_in, workdir};

/// A record: its type and length in 7-bit groups, then its data.
fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = match kind {
        0..=127 => vec![kind as u8],
        _ => vec![(kind & 0x7F) as u8 | 0x80, (kind >> 7) as u8],
    };
    let mut length = data.len();
    loop {
        let b = (length & 0x7F) as u8;
        length >>= 7;
        if length == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(data);
    out
}

fn wide(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A cell's value.
enum V {
    Text(String),
    /// A whole number (an RK record) with a cell style.
    Number(i32, u32),
    Bool(bool),
}

/// A worksheet's records: `rows` of cells (zero-based row, hidden, cells from column A), and
/// the records that go before and after the sheet data.
struct Worksheet {
    rows: Vec<(u32, bool, Vec<V>)>,
    /// BrtColInfo records: first and last column, hidden.
    columns: Vec<(u32, u32, bool)>,
    filter: bool,
    /// Merged ranges: first and last row, first and last column, zero-based.
    merges: Vec<[u32; 4]>,
}

impl Worksheet {
    fn bytes(&self) -> Vec<u8> {
        let mut out = record(0x0081, &[]);
        out.extend(record(0x0094, &u32s(&[0, 100, 0, 10])));
        out.extend(record(
            0x01E5,
            &[0xFF, 0xFF, 0xFF, 0xFF, 8, 0, 0x2C, 1, 0, 0, 0, 0],
        ));
        if !self.columns.is_empty() {
            out.extend(record(0x0186, &[]));
            for (first, last, hidden) in &self.columns {
                let mut data = u32s(&[*first, *last, 2304, 0]);
                data.extend([u8::from(*hidden) | 0x02, 0]);
                out.extend(record(0x003C, &data));
            }
            out.extend(record(0x0187, &[]));
        }
        out.extend(record(0x0091, &[]));
        for (row, hidden, cells) in &self.rows {
            let mut header = u32s(&[*row, 0]);
            header.extend(300u16.to_le_bytes());
            header.extend((if *hidden { 0x1000u16 } else { 0 }).to_le_bytes());
            header.extend([0, 0, 0, 0, 0]);
            out.extend(record(0x0000, &header));
            for (column, value) in cells.iter().enumerate() {
                let column = column as u32;
                out.extend(match value {
                    V::Text(text) => record(0x0006, &[u32s(&[column, 0]), wide(text)].concat()),
                    V::Number(n, style) => {
                        record(0x0002, &u32s(&[column, *style, ((*n << 2) | 0x02) as u32]))
                    }
                    V::Bool(b) => {
                        record(0x0004, &[u32s(&[column, 0]), vec![u8::from(*b)]].concat())
                    }
                });
            }
        }
        out.extend(record(0x0092, &[]));
        if self.filter {
            out.extend(record(0x00A1, &u32s(&[0, 8, 0, 2])));
            out.extend(record(0x00A2, &[]));
        }
        if !self.merges.is_empty() {
            out.extend(record(0x00B1, &u32s(&[self.merges.len() as u32])));
            for merge in &self.merges {
                out.extend(record(0x00B0, &u32s(merge)));
            }
            out.extend(record(0x00B2, &[]));
        }
        out.extend(record(0x0082, &[]));
        out
    }
}

/// Users 1..=`count` from row 2: user id, extension 1000 + n, a last name, DND false.
fn users(count: u32) -> Vec<(u32, bool, Vec<V>)> {
    let names = [
        "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth",
    ];
    let header = [
        "userId",
        "user.extension",
        "user.callingLineIdLastName",
        "settings.Do Not Disturb.isActive",
    ]
    .map(text)
    .into();
    let mut rows = vec![(0, false, header)];
    for n in 1..=count {
        rows.push((
            n,
            false,
            vec![
                V::Text(format!("u{n:04}@example.test")),
                V::Number(1000 + n as i32, 0),
                text(names[(n as usize - 1) % names.len()]),
                V::Bool(false),
            ],
        ));
    }
    rows
}

fn text(text: &str) -> V {
    V::Text(text.to_string())
}

fn sheet(rows: Vec<(u32, bool, Vec<V>)>) -> Worksheet {
    Worksheet {
        rows,
        columns: Vec::new(),
        filter: false,
        merges: Vec::new(),
    }
}

/// Styles: number formats (id, code) and the cell formats' number format ids.
const STYLES: (&[(u16, &str)], &[u16]) = (&[(164, "0000")], &[0, 164, 3]);

/// Write an XLSB workbook to `dir/name`: `sheets` (name, hidden, worksheet) with the
/// active tab at position `active`, and [`STYLES`].
fn xlsb(dir: &Path, name: &str, sheets: &[(&str, bool, Worksheet)], active: u32) {
    let mut book = record(0x0083, &[]);
    book.extend(record(0x0087, &[]));
    book.extend(record(
        0x009E,
        &[vec![0u8; 24], u32s(&[active]), vec![0; 5]].concat(),
    ));
    book.extend(record(0x0088, &[]));
    book.extend(record(0x008F, &[]));
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, (sheet_name, hidden, _)) in sheets.iter().enumerate() {
        let id = format!("rId{}", i + 1);
        let data = [
            u32s(&[u32::from(*hidden), i as u32 + 1]),
            wide(&id),
            wide(sheet_name),
        ]
        .concat();
        book.extend(record(0x009C, &data));
        rels.push_str(&format!(
            "<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{}.bin\"/>",
            i + 1
        ));
    }
    rels.push_str("</Relationships>");
    book.extend(record(0x0090, &[]));
    book.extend(record(0x009D, &[0; 26]));
    book.extend(record(0x0084, &[]));
    let (formats, cell_formats) = STYLES;
    let mut styles = record(0x0267, &u32s(&[formats.len() as u32]));
    for (id, code) in formats {
        styles.extend(record(
            0x002C,
            &[id.to_le_bytes().to_vec(), wide(code)].concat(),
        ));
    }
    styles.extend(record(0x0268, &[]));
    styles.extend(record(0x0269, &u32s(&[cell_formats.len() as u32])));
    for id in cell_formats {
        let mut xf = vec![0u8; 16];
        xf[2..4].copy_from_slice(&id.to_le_bytes());
        styles.extend(record(0x002F, &xf));
    }
    styles.extend(record(0x026A, &[]));
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_vec()),
        ("xl/workbook.bin".into(), book),
        ("xl/_rels/workbook.bin.rels".into(), rels.into_bytes()),
        ("xl/styles.bin".into(), styles),
    ];
    for (i, (_, _, worksheet)) in sheets.iter().enumerate() {
        parts.push((
            format!("xl/worksheets/sheet{}.bin", i + 1),
            worksheet.bytes(),
        ));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (part, bytes) in parts {
        zip.start_file(part, zip::write::SimpleFileOptions::default())
            .expect("part");
        zip.write_all(&bytes).expect("written");
    }
    let bytes = zip.finish().expect("zip").into_inner();
    std::fs::write(dir.join(name), bytes).expect("saved");
}

fn plan(dir: &Path, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["plan", name];
    all.extend(args);
    sleipnir_in(dir, &all)
}

fn planned(dir: &Path, name: &str, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let run = plan(dir, name, &all);
    assert_eq!(run.code, 0, "{}", run.transcript());
    serde_json::from_str(&run.stdout).expect("json")
}

fn refused(dir: &Path, name: &str, args: &[&str]) -> String {
    let run = plan(dir, name, args);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(run.stdout, "", "nothing is planned");
    run.stderr
}

fn user_ids(doc: &Value) -> Vec<&str> {
    doc["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["userId"].as_str().expect("user id"))
        .collect()
}

#[test]
fn hidden_rows_by_hand_or_by_the_filter_and_hidden_columns_are_refused_skipped_or_included() {
    let dir = workdir();
    let mut rows = users(6);
    rows[4].1 = true;
    xlsb(
        dir.path(),
        "hidden.xlsb",
        &[("Users", false, sheet(rows))],
        0,
    );
    assert!(
        refused(dir.path(), "hidden.xlsb", &[])
            .contains("\n  row 5 is hidden; sleipnir reads a sheet as you see it: show them")
    );
    let skipped = planned(dir.path(), "hidden.xlsb", &["--hidden-rows", "skip"]);
    assert_eq!(user_ids(&skipped).len(), 5);
    assert!(!user_ids(&skipped).contains(&"u0004@example.test"));
    let included = planned(dir.path(), "hidden.xlsb", &["--hidden-rows", "include"]);
    assert_eq!(user_ids(&included).len(), 6);

    let mut rows = users(8);
    for row in [1, 3, 4, 5, 6, 7, 8] {
        rows[row].1 = true;
    }
    let filtered = Worksheet {
        filter: true,
        ..sheet(rows)
    };
    xlsb(
        dir.path(),
        "filtered.xlsb",
        &[("Users", false, filtered)],
        0,
    );
    assert!(refused(dir.path(), "filtered.xlsb", &[]).contains(
        "7 rows holding data are hidden (2, 4–9) by the sheet's filter or by hand; sleipnir"
    ));
    let skipped = planned(dir.path(), "filtered.xlsb", &["--hidden-rows", "skip"]);
    assert_eq!(user_ids(&skipped), ["u0002@example.test"]);

    let hidden_column = Worksheet {
        columns: vec![(0, 1, false), (2, 2, true)],
        ..sheet(users(2))
    };
    xlsb(
        dir.path(),
        "column.xlsb",
        &[("Users", false, hidden_column)],
        0,
    );
    assert!(refused(dir.path(), "column.xlsb", &[]).contains(
        "column C (`user.callingLineIdLastName`) is hidden; sleipnir reads a sheet as you see it"
    ));
    let skipped = planned(dir.path(), "column.xlsb", &["--hidden-columns", "skip"]);
    assert_eq!(patch(&skipped, 0, "user"), &json!({"extension": "1001"}));
}

#[test]
fn a_range_merged_down_a_column_is_read_in_each_row_and_one_across_columns_is_refused() {
    let dir = workdir();
    let mut rows = users(4);
    rows[1].2[3] = V::Bool(true);
    let down = Worksheet {
        merges: vec![[1, 3, 3, 3]],
        ..sheet(rows)
    };
    xlsb(dir.path(), "down.xlsb", &[("Users", false, down)], 0);
    let doc = planned(dir.path(), "down.xlsb", &[]);
    let dnd: Vec<&Value> = (0..4)
        .map(|i| &patch(&doc, i, "settings")["Do Not Disturb.isActive"])
        .collect();
    assert_eq!(
        dnd,
        [&json!(true), &json!(true), &json!(true), &json!(false)]
    );
    assert_eq!(
        doc["warnings"],
        json!([
            "cells D2:D4 (column D, `settings.Do Not Disturb.isActive`) are merged; their value \
             was read in each of rows 2–4, as the sheet shows it"
        ])
    );
    let across = Worksheet {
        merges: vec![[2, 2, 1, 2]],
        ..sheet(users(3))
    };
    xlsb(dir.path(), "across.xlsb", &[("Users", false, across)], 0);
    assert!(
        refused(dir.path(), "across.xlsb", &[])
            .contains("row 3, column B (`user.extension`): cells B3:C3 are merged across columns")
    );
}

#[test]
fn numbers_are_read_as_their_cell_style_shows_them() {
    let dir = workdir();
    // Style 1 is the workbook's format `0000`; style 2 the built-in `#,##0`.
    let mut rows = users(2);
    rows[1].2[1] = V::Number(123, 1);
    xlsb(
        dir.path(),
        "padded.xlsb",
        &[("Users", false, sheet(rows))],
        0,
    );
    let doc = planned(dir.path(), "padded.xlsb", &[]);
    assert_eq!(patch(&doc, 0, "user")["extension"], "0123");
    assert_eq!(patch(&doc, 1, "user")["extension"], "1002");
    let mut rows = users(2);
    rows[2].2[1] = V::Number(1234, 2);
    xlsb(
        dir.path(),
        "thousands.xlsb",
        &[("Users", false, sheet(rows))],
        0,
    );
    assert!(refused(dir.path(), "thousands.xlsb", &[]).contains(
        "row 3, column B (`user.extension`): `1,234` is how the spreadsheet shows the number \
         1234 (its format `#,##0`), with more than digits"
    ));
}

#[test]
fn the_active_sheet_is_read_and_a_hidden_first_one_named_in_a_warning() {
    let dir = workdir();
    let notes = sheet(vec![(0, false, vec![text("nothing to plan here")])]);
    xlsb(
        dir.path(),
        "sheets.xlsb",
        &[
            ("Old wave (do not use)", true, sheet(users(3))),
            ("Notes", false, notes),
            ("Users", false, sheet(users(2))),
        ],
        2,
    );
    let doc = planned(dir.path(), "sheets.xlsb", &[]);
    assert_eq!(doc["source"]["worksheet"], "Users");
    assert_eq!(user_ids(&doc).len(), 2);
    assert_eq!(
        doc["warnings"],
        json!([
            "worksheet `Old wave (do not use)` is hidden and was not read; read `Users`, the \
             active sheet; name a hidden sheet with --sheet to read it"
        ])
    );
}
