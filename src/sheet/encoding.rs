//! Which encoding a delimited file is in, decided from its bytes.
//!
//! - UTF-8, with or without a BOM;
//! - UTF-16 with a BOM (Excel's "Unicode text"), or without one when its NUL bytes say so
//!   (read with a warning);
//! - Windows-1252 when no non-ASCII byte of the file is UTF-8 (what Excel writes for "CSV
//!   (Comma delimited)" on Windows; read with a warning);
//! - UTF-8 but for a few invalid bytes (rows pasted in from a Windows-1252 file): neither
//!   decoding is right for the whole file, so each invalid byte is kept as a mark
//!   ([`invalid_byte`]) that the reader reports at its row and column.
//!
//! Other NUL bytes, or a workbook's signature, mean the file is not delimited text at all.

use std::path::Path;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::SheetError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the marks for invalid bytes start: byte `b` is `U+10FF00 + b`, in a private-use
/// plane no spreadsheet writes.
const MARKS: u32 = 0x10_FF00;

/// Refuse bytes that are not delimited text: a workbook saved under a CSV name, or NUL bytes
/// that are not UTF-16 text.
pub(super) fn refuse_non_text(path: &Path, bytes: &[u8]) -> Result<(), SheetError> {
    let not_text = |what: &str| {
        Err(SheetError::NotText {
            path: path.to_path_buf(),
            what: what.to_string(),
        })
    };
    if bytes.starts_with(b"PK\x03\x04") {
        return not_text(
            "it is a workbook (XLSX or ODS) with a CSV name; give it its own extension \
             (.xlsx), or save it from the spreadsheet as CSV UTF-8",
        );
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return not_text(
            "it is an Excel 97-2003 workbook with a CSV name; give it its own extension \
             (.xls), or save it from the spreadsheet as CSV UTF-8",
        );
    }
    // UTF-32's little-endian BOM begins with UTF-16's: told apart by its two NULs.
    let utf16 = (bytes.starts_with(b"\xFF\xFE") && !bytes.starts_with(b"\xFF\xFE\0\0"))
        || bytes.starts_with(b"\xFE\xFF")
        || utf16_without_bom(bytes).is_some();
    if !utf16 && bytes.contains(&0) {
        let looks_utf32 = bytes.starts_with(b"\xFF\xFE\0\0")
            || bytes.starts_with(b"\0\0\xFE\xFF")
            || bytes
                .chunks(4)
                .take(64)
                .all(|unit| unit.iter().filter(|&&b| b == 0).count() >= 2);
        return not_text(if looks_utf32 {
            "it looks like UTF-32 text, which sleipnir does not read; save it as CSV UTF-8"
        } else {
            "it holds NUL bytes, as binary files and UTF-16 text do, but is not UTF-16 \
             sleipnir recognises; save it from the spreadsheet as CSV UTF-8"
        });
    }
    Ok(())
}

/// The text of `bytes` (see the module's list), with a warning for each guess made.
pub(super) fn decode(path: &Path, bytes: &[u8], warnings: &mut Vec<String>) -> String {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM)
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return text.to_string();
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // Sniffs the BOM, whichever byte order it gives.
        let (text, _, _) = UTF_16LE.decode(bytes);
        return text.into_owned();
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        warnings.push(format!(
            "`{}` has no byte order mark, but its NUL bytes say it is {}; read it so",
            path.display(),
            if encoding == UTF_16LE {
                "UTF-16 (little-endian)"
            } else {
                "UTF-16 (big-endian)"
            }
        ));
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return text.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    // A UTF-8 BOM on a file that is not UTF-8 after all is still no part of the text.
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    // Any valid multi-byte UTF-8 character says the file is UTF-8 with some stray bytes
    // (pasted from elsewhere): reading it all as Windows-1252 would garble the valid ones
    // (`Zoë` → `ZoÃ«`). A file wholly in Windows-1252 hardly ever holds one.
    let (valid, _invalid) = utf8_census(body);
    if valid > 0 {
        return marked(body);
    }
    warnings.push(format!(
        "`{}` is not UTF-8; read it as Windows-1252 (what Excel writes); \
         save it as \"CSV UTF-8\" to be sure every character is right",
        path.display()
    ));
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(body);
    text.into_owned()
}

/// The byte a mark in decoded text stands for: a byte of a UTF-8 file that is not UTF-8.
pub(super) fn invalid_byte(c: char) -> Option<u8> {
    u32::from(c)
        .checked_sub(MARKS)
        .and_then(|b| u8::try_from(b).ok())
}

/// What an invalid byte would be in Windows-1252, the usual source of one.
pub(super) fn as_windows_1252(byte: u8) -> String {
    let bytes = [byte];
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
    text.into_owned()
}

/// UTF-16 without a BOM: in most of its first code units, one byte of each pair is zero and
/// the other is not (text mostly in Latin script), always the same one of the pair.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let units = sample.len() / 2;
    if units < 4 {
        return None;
    }
    let (mut first, mut second) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        first += usize::from(pair[0] == 0);
        second += usize::from(pair[1] == 0);
    }
    if second * 2 >= units && first * 10 <= second {
        Some(UTF_16LE)
    } else if first * 2 >= units && second * 10 <= first {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Non-ASCII characters that are valid UTF-8, and byte sequences that are not.
fn utf8_census(bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    (valid, invalid)
}

/// `bytes` as UTF-8, each invalid byte replaced by its mark.
fn marked(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &byte in chunk.invalid() {
            text.extend(char::from_u32(MARKS + u32::from(byte)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> (String, Vec<String>) {
        let mut warnings = Vec::new();
        let text = decode(Path::new("x.csv"), bytes, &mut warnings);
        (text, warnings)
    }

    #[test]
    fn one_valid_utf8_character_among_more_stray_bytes_is_still_utf8() {
        let bytes = b"a,b\r\nZo\xc3\xab,M\xfcller\r\nRen\xe9,x\r\n";
        let (text, warnings) = decoded(bytes);
        assert!(text.contains("Zo\u{eb}"), "{text}");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            text.chars().filter(|&c| invalid_byte(c).is_some()).count(),
            2
        );
    }

    #[test]
    fn utf8_with_a_few_invalid_bytes_keeps_them_as_marks() {
        let (text, warnings) = decoded(b"Zo\xC3\xAB,O\x92Brien");
        assert!(warnings.is_empty());
        let marks: Vec<u8> = text.chars().filter_map(invalid_byte).collect();
        assert_eq!(marks, [0x92]);
        assert!(text.starts_with("Zoë,O"));
        assert_eq!(as_windows_1252(0x92), "\u{2019}");
    }

    #[test]
    fn wholly_windows_1252_is_read_as_it_with_a_warning() {
        let (text, warnings) = decoded(b"Zo\xEB,O\x92Brien");
        assert_eq!(text, "Zoë,O\u{2019}Brien");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn utf16_without_a_bom_is_read_from_its_nul_bytes() {
        let le: Vec<u8> = "userId,Zoë\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "userId,Zoë\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        for bytes in [le, be] {
            let (text, warnings) = decoded(&bytes);
            assert_eq!(text, "userId,Zoë\r\n");
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(refuse_non_text(Path::new("x.csv"), &bytes).is_ok());
        }
    }

    #[test]
    fn other_nul_bytes_and_workbooks_are_not_text() {
        let utf32: Vec<u8> = "userId,a\r\n"
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let refused = |bytes: &[u8]| match refuse_non_text(Path::new("x.csv"), bytes) {
            Err(SheetError::NotText { what, .. }) => what,
            other => panic!("{other:?}"),
        };
        assert!(refused(&utf32).contains("UTF-32"));
        let mut utf32_bom = b"\xFF\xFE\0\0".to_vec();
        for c in "userId,user.extension\r\n".chars() {
            utf32_bom.extend((c as u32).to_le_bytes());
        }
        assert!(refused(&utf32_bom).contains("UTF-32"));
        assert!(refused(b"PK\x03\x04rest").contains("workbook"));
        assert!(refused(b"userId,a\0b,c\n1,2,3\n4,5,6\n").contains("NUL bytes"));
        assert!(refuse_non_text(Path::new("x.csv"), b"userId,a\n").is_ok());
    }
}
