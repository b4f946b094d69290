//! XLSB workbooks built record by record as MS-XLSB lays them out and Excel writes them:
//! the package's parts, the workbook's sheets and view, styles, and each worksheet's rows,
//! cells, column widths, filter and merged ranges.

use std::io::Write;
use std::path::Path;

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
pub enum V {
    Text(String),
    /// A whole number (an RK record) with a cell style.
    Number(i32, u32),
    Bool(bool),
}

/// A worksheet's records: `rows` of cells (zero-based row, hidden, cells from column A), and
/// the records that go before and after the sheet data.
pub struct Worksheet {
    pub rows: Vec<(u32, bool, Vec<V>)>,
    /// BrtColInfo records: first and last column, hidden.
    pub columns: Vec<(u32, u32, bool)>,
    pub filter: bool,
    /// Merged ranges: first and last row, first and last column, zero-based.
    pub merges: Vec<[u32; 4]>,
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
pub fn users(count: u32) -> Vec<(u32, bool, Vec<V>)> {
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

pub fn text(text: &str) -> V {
    V::Text(text.to_string())
}

pub fn sheet(rows: Vec<(u32, bool, Vec<V>)>) -> Worksheet {
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
pub fn xlsb(dir: &Path, name: &str, sheets: &[(&str, bool, Worksheet)], active: u32) {
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
