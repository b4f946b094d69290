//! The BIFF records of an XLS workbook's stream, and what its globals say that calamine does
//! not pass on: the active tab, where each sheet's records start, and each cell style's
//! number format.
//!
//! BIFF8 (Excel 97–2003, and what LibreOffice writes) and BIFF5 (Excel 5 and 95, whose
//! format codes are 8-bit text) are read; they lay out every record used here alike.

use super::shown::Display;

/// BOF: the start of the globals or of a sheet.
pub(super) const BOF: u16 = 0x0809;
/// EOF: the end of the globals or of a sheet.
pub(super) const EOF: u16 = 0x000A;
/// WINDOW1: a window on the workbook, with its active tab.
const WINDOW1: u16 = 0x003D;
/// FORMAT: a number format's id and code.
const FORMAT: u16 = 0x041E;
/// XF: a cell or style format; cells name theirs by position.
const XF: u16 = 0x00E0;
/// BOUNDSHEET: a sheet, where its records start.
const BOUNDSHEET: u16 = 0x0085;
/// FILEPASS: the records after it are encrypted (or obfuscated, type 0).
const FILEPASS: u16 = 0x002F;
/// RECALCID: the calculation engine that last calculated the workbook.
const RECALCID: u16 = 0x01C1;

/// The calculation engine id LibreOffice (and OpenOffice before it) writes in the RECALCID
/// of every XLS it saves: a fixed record of its export, not an engine's.
pub(super) const LIBREOFFICE_RECALC_ID: u32 = 101_716;

/// One record: its type and data (a CONTINUE that follows is a record of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record<'a> {
    pub kind: u16,
    pub data: &'a [u8],
}

/// The records of `stream` from its start, in order, up to the first one cut short.
pub(super) fn records(stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let kind = u16_at(stream, at)?;
        let length = usize::from(u16_at(stream, at + 2)?);
        let data = stream.get(at + 4..at + 4 + length)?;
        at += 4 + length;
        Some(Record { kind, data })
    })
}

/// What the globals say.
#[derive(Debug, Default)]
pub(super) struct Globals {
    /// itabCur of the first WINDOW1: the position of the active tab among the sheets.
    pub active: Option<usize>,
    /// Where each sheet's records start in the stream, in BOUNDSHEET order (the order
    /// calamine lists the sheets in).
    pub sheets: Vec<usize>,
    /// Each sheet's name, in the same order (empty where the record is cut short).
    pub names: Vec<String>,
    /// A FILEPASS of an encryption type other than 0: the sheets' records are encrypted
    /// (calamine refuses the workbook as password-protected before it reads them).
    pub encrypted: bool,
    /// dwBuild of RECALCID: the engine that last calculated the formulas' stored results.
    pub recalc_id: Option<u32>,
    /// How each XF shows a number, by position.
    pub displays: Vec<Display>,
}

/// Read the globals at the start of the workbook stream `stream`.
pub(super) fn globals(stream: &[u8]) -> Globals {
    let mut globals = Globals::default();
    let mut biff5 = false;
    let mut codes: Vec<(u16, String)> = Vec::new();
    let mut formats: Vec<u16> = Vec::new();
    for (i, record) in records(stream).enumerate() {
        let data = record.data;
        match record.kind {
            // BOF: vers 0x0500 is BIFF5, 0x0600 BIFF8.
            BOF if i == 0 => biff5 = u16_at(data, 0) == Some(0x0500),
            WINDOW1 if globals.active.is_none() => {
                globals.active = u16_at(data, 10).map(usize::from);
            }
            FORMAT => {
                if let (Some(id), Some(code)) = (u16_at(data, 0), format_code(data, biff5)) {
                    codes.push((id, code));
                }
            }
            XF => formats.push(u16_at(data, 2).unwrap_or(0)),
            BOUNDSHEET => {
                if let Some(at) = u32_at(data, 0) {
                    globals.sheets.push(at as usize);
                    globals
                        .names
                        .push(sheet_name(data, biff5).unwrap_or_default());
                }
            }
            FILEPASS => globals.encrypted |= u16_at(data, 0).is_some_and(|kind| kind != 0),
            RECALCID => globals.recalc_id = u32_at(data, 4),
            EOF => break,
            _ => {}
        }
    }
    globals.displays = formats
        .into_iter()
        .map(|id| {
            let code = codes.iter().rev().find(|(i, _)| *i == id);
            Display::of(Some(u32::from(id)), code.map(|(_, c)| c.as_str()))
        })
        .collect();
    globals
}

/// The name in a BOUNDSHEET record: a count of characters at byte 6, then (BIFF8) a flags
/// byte and the characters as in a FORMAT, or (BIFF5) bytes in the workbook's code page.
fn sheet_name(data: &[u8], biff5: bool) -> Option<String> {
    let count = usize::from(*data.get(6)?);
    if biff5 {
        return Some(windows_1252(data.get(7..7 + count)?));
    }
    let wide = data.get(7)? & 1 == 1;
    characters(data.get(8..)?, count, wide)
}

/// The code of a FORMAT record: BIFF8 a 16-bit count, a flags byte (bit 0: two bytes a
/// character) and the characters; BIFF5 an 8-bit count and bytes in the workbook's code
/// page (read as Windows-1252). `None` where the record is cut short.
fn format_code(data: &[u8], biff5: bool) -> Option<String> {
    if biff5 {
        let count = usize::from(*data.get(2)?);
        return Some(windows_1252(data.get(3..3 + count)?));
    }
    let count = usize::from(u16_at(data, 2)?);
    let wide = data.get(4)? & 1 == 1;
    characters(data.get(5..)?, count, wide)
}

/// Bytes in Windows-1252, the code page BIFF5 text is read in.
fn windows_1252(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// `count` characters of a BIFF8 string from the start of `text`: two bytes each where
/// `wide`, else one byte each (U+0000–U+00FF).
fn characters(text: &[u8], count: usize, wide: bool) -> Option<String> {
    match wide {
        true => {
            let units: Vec<u16> = text
                .get(..2 * count)?
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // Compressed: each byte is a character of U+0000–U+00FF.
        false => Some(text.get(..count)?.iter().map(|b| char::from(*b)).collect()),
    }
}

pub(super) fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

pub(super) fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut out = kind.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    fn format(id: u16, code: &str, wide: bool) -> Vec<u8> {
        let mut data = id.to_le_bytes().to_vec();
        data.extend((code.chars().count() as u16).to_le_bytes());
        match wide {
            true => {
                data.push(1);
                data.extend(code.encode_utf16().flat_map(|u| u.to_le_bytes()));
            }
            false => {
                data.push(0);
                data.extend(code.chars().map(|c| c as u8));
            }
        }
        record(FORMAT, &data)
    }

    fn xf(format: u16) -> Vec<u8> {
        let mut data = vec![0u8; 20];
        data[2..4].copy_from_slice(&format.to_le_bytes());
        record(XF, &data)
    }

    fn window(active: u16) -> Vec<u8> {
        let mut data = vec![0u8; 18];
        data[10..12].copy_from_slice(&active.to_le_bytes());
        record(WINDOW1, &data)
    }

    #[test]
    fn the_active_tab_the_sheets_and_each_style_s_number_format() {
        let stream = [
            record(BOF, &[0, 6, 5, 0]),
            window(2),
            window(0),
            format(164, "[$-409]0000", false),
            format(165, "€ #,##0", true),
            xf(0),
            xf(164),
            xf(165),
            xf(3),
            xf(5),
            record(BOUNDSHEET, &[0x10, 0x20, 0, 0, 0, 0]),
            record(BOUNDSHEET, &[0x40, 0x20, 0, 0, 1, 0]),
            record(EOF, &[]),
            // Past the globals: not theirs.
            window(1),
            record(BOUNDSHEET, &[0x80, 0x20, 0, 0, 0, 0]),
        ]
        .concat();
        let globals = globals(&stream);
        assert_eq!(globals.active, Some(2));
        assert_eq!(globals.sheets, vec![0x2010, 0x2040]);
        let shown: Vec<String> = globals.displays.iter().map(|d| format!("{d:?}")).collect();
        assert!(globals.displays[0].is_plain());
        assert!(shown[1].contains("\"[$-409]0000\""), "{shown:?}");
        assert!(shown[2].contains("\"€ #,##0\""), "{shown:?}");
        assert!(shown[3].contains("\"#,##0\""), "{shown:?}");
        assert!(shown[4].contains("built-in number format 5"), "{shown:?}");
    }

    #[test]
    fn a_biff5_format_is_8_bit_text_and_records_cut_short_end_the_stream() {
        let mut data = 164u16.to_le_bytes().to_vec();
        data.extend([5, b'0', b'0', b'0', b'0', 0x80]);
        let stream = [
            record(BOF, &[0, 5, 5, 0]),
            record(FORMAT, &data),
            xf(164),
            record(EOF, &[]),
        ]
        .concat();
        assert!(format!("{:?}", globals(&stream).displays[0]).contains("\"0000€\""));
        let cut = [record(BOF, &[0, 6, 5, 0]), vec![0x3D, 0, 18, 0, 1]].concat();
        assert_eq!(records(&cut).count(), 1);
        assert_eq!(globals(&cut).active, None);
    }
}
