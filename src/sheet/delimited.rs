//! CSV, TSV and Excel's "Unicode text": the one place the CSV reader is configured.

use std::path::Path;

use super::{Cell, Grid, SheetError};

/// Decode `bytes` and split them into rows of text cells.
pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<Grid, SheetError> {
    let mut warnings = Vec::new();
    let text = decode(path, bytes, &mut warnings);
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Row numbers are the text line a record starts on, counted from byte offsets: blank
    // lines count as rows, as a spreadsheet shows them, and CRLF files count right.
    let (mut line, mut counted_to) = (1usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| SheetError::Csv {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut start = record
            .position()
            .map_or(counted_to, |p| p.byte() as usize)
            .clamp(counted_to, text.len());
        // After a CR the reader reports the record as starting at the LF; no record starts
        // with a line break (blank lines are skipped), so step over them.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = start;
        rows.push((line, record.iter().map(Cell::text).collect()));
    }
    Ok(Grid {
        worksheet: None,
        first_column: 0,
        rows,
        warnings,
    })
}

/// UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), and otherwise
/// Windows-1252, which is what Excel writes for "CSV (Comma delimited)" on Windows.
fn decode(path: &Path, bytes: &[u8], warnings: &mut Vec<String>) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return text.to_string();
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            warnings.push(format!(
                "`{}` is not UTF-8; read it as Windows-1252 (what Excel writes); \
                 save it as \"CSV UTF-8\" to be sure every character is right",
                path.display()
            ));
            // A UTF-8 BOM on a file that is not UTF-8 after all is still no part of the text.
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
            text.into_owned()
        }
    }
}

/// The delimiter of the header line: whichever of `,` `;` and tab occurs most often outside
/// quotes (ties and none at all mean `,`).
fn detect_delimiter(text: &str) -> u8 {
    let header = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in header.bytes() {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (delimiter, count) in counts.iter_mut() {
                if byte == *delimiter {
                    *count += 1;
                }
            }
        }
    }
    let mut best = counts[0];
    for candidate in &counts[1..] {
        if candidate.1 > best.1 {
            best = *candidate;
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, Vec<Cell>)> {
        read(Path::new("x.csv"), text.as_bytes()).unwrap().rows
    }

    #[test]
    fn row_numbers_are_lines_whatever_the_line_ends() {
        for text in ["a,b\r\n1,2\r\n\r\n3,4\r\n", "a,b\n1,2\n\n3,4\n"] {
            let numbers: Vec<usize> = rows(text).iter().map(|(n, _)| *n).collect();
            assert_eq!(numbers, [1, 2, 4], "{text:?}");
        }
        let quoted = rows("a,b\n\"multi\nline\",2\n3,4\n");
        assert_eq!(quoted[1].1[0], Cell::Text("multi\nline".into()));
        assert_eq!(quoted[2].0, 4);
    }

    #[test]
    fn detects_delimiters_outside_quotes() {
        assert_eq!(detect_delimiter("userId,user.extension\n"), b',');
        assert_eq!(detect_delimiter("userId;user.extension\n"), b';');
        assert_eq!(detect_delimiter("userId\tuser.extension\n"), b'\t');
        assert_eq!(detect_delimiter("\"a;b;c\",x,y\n"), b',');
        assert_eq!(detect_delimiter("\n\nuserId;a;b\n"), b';');
        assert_eq!(detect_delimiter("userId\n"), b',');
    }

    #[test]
    fn decodes_bom_utf16_and_windows_1252() {
        let path = Path::new("x.csv");
        let mut warnings = Vec::new();
        assert_eq!(decode(path, b"\xEF\xBB\xBFa,b", &mut warnings), "a,b");
        assert_eq!(decode(path, b"\xFF\xFEa\0,\0b\0", &mut warnings), "a,b");
        assert!(warnings.is_empty());
        assert_eq!(
            decode(path, b"Zo\xEB,M\xFCller", &mut warnings),
            "Zoë,Müller"
        );
        assert_eq!(decode(path, b"\xEF\xBB\xBFa,\xFC", &mut warnings), "a,ü");
        assert_eq!(warnings.len(), 2);
    }
}
