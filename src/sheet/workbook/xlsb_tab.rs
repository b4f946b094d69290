//! The active tab of an XLSB workbook, which calamine does not pass on: `itabCur` of the
//! first BrtBookView record of `xl/workbook.bin`, a position among its BrtBundleSh records
//! (hidden sheets included), each of which names its sheet.

use std::io::{Cursor, Read};

/// BrtBookView: a window on the workbook, with its active tab.
const BOOK_VIEW: u16 = 158;
/// BrtBundleSh: one sheet.
const SHEET: u16 = 156;
/// BrtEndBundleShs: the end of the sheets.
const END_SHEETS: u16 = 144;

/// The name of the active sheet of the XLSB workbook in `bytes`, where its workbook part
/// records one.
pub(super) fn active(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let part = super::xlsx_book::open(&mut archive, "xl/workbook.bin")?;
    let mut records = Vec::new();
    // The workbook part is small (names and views); a bound keeps a hostile one from costing.
    part.take(64 << 20).read_to_end(&mut records).ok()?;
    active_in(&records)
}

/// The active sheet's name in the records of a workbook part.
fn active_in(records: &[u8]) -> Option<String> {
    let mut at = 0;
    let mut current = None;
    let mut names = Vec::new();
    while at < records.len() {
        let (kind, data) = record(records, &mut at)?;
        match kind {
            BOOK_VIEW if current.is_none() => current = Some(u32_at(data, 24)? as usize),
            SHEET => names.push(sheet_name(data)?),
            END_SHEETS => break,
            _ => {}
        }
    }
    names.into_iter().nth(current?)
}

/// The record at `*at` (its type and data), moving `*at` past it. Types take one or two
/// bytes and lengths one to four, seven bits each, the high bit saying another follows.
fn record<'a>(records: &'a [u8], at: &mut usize) -> Option<(u16, &'a [u8])> {
    let mut byte = || {
        let b = *records.get(*at)?;
        *at += 1;
        Some(b)
    };
    let first = byte()?;
    let kind = match first & 0x80 {
        0 => u16::from(first),
        _ => u16::from(first & 0x7F) | (u16::from(byte()? & 0x7F) << 7),
    };
    let mut length = 0usize;
    for i in 0..4 {
        let b = byte()?;
        length |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            break;
        }
    }
    let data = records.get(*at..at.checked_add(length)?)?;
    *at += length;
    Some((kind, data))
}

/// The name in a BrtBundleSh: after its state, tab id and relationship id (a nullable
/// UTF-16 string), a UTF-16 string.
fn sheet_name(data: &[u8]) -> Option<String> {
    let relationship = u32_at(data, 8)?;
    let name_at = match relationship {
        u32::MAX => 12,
        chars => 12 + 2 * chars as usize,
    };
    let chars = u32_at(data, name_at)? as usize;
    let utf16: Vec<u16> = data
        .get(name_at + 4..name_at + 4 + 2 * chars)?
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    String::from_utf16(&utf16).ok()
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn sheet(state: u32, relationship: Option<&str>, name: &str) -> Vec<u8> {
        let mut data = state.to_le_bytes().to_vec();
        data.extend(1u32.to_le_bytes());
        match relationship {
            Some(id) => data.extend(wide(id)),
            None => data.extend(u32::MAX.to_le_bytes()),
        }
        data.extend(wide(name));
        record(SHEET, &data)
    }

    fn view(active: u32) -> Vec<u8> {
        let mut data = vec![0u8; 24];
        data.extend(active.to_le_bytes());
        data.extend([0u8; 5]);
        record(BOOK_VIEW, &data)
    }

    #[test]
    fn the_active_tab_is_named_among_all_sheets() {
        let mut records = record(0x83, &[]);
        records.extend(view(2));
        records.extend(view(0));
        records.extend(sheet(1, Some("rId1"), "Old wave (do not use)"));
        records.extend(sheet(0, None, "Without a part"));
        records.extend(sheet(0, Some("rId2"), "Users"));
        records.extend(record(END_SHEETS, &[]));
        // A record past 127 bytes takes a two-byte length.
        records.extend(record(0x99, &[0u8; 300]));
        assert_eq!(active_in(&records).as_deref(), Some("Users"));
    }

    #[test]
    fn no_view_or_a_tab_past_the_sheets_names_none() {
        let records = [sheet(0, Some("rId1"), "A"), record(END_SHEETS, &[])].concat();
        assert_eq!(active_in(&records), None);
        let records = [view(5), sheet(0, Some("rId1"), "A")].concat();
        assert_eq!(active_in(&records), None);
        assert_eq!(active_in(&[0x9E]), None);
    }
}
