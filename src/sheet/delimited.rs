//! CSV, TSV and Excel's "Unicode text": the one place the CSV reader is configured.
//!
//! The encoding is sorted out first ([`super::encoding`]); then Excel's `sep=X` first line,
//! when there is one, names the delimiter and is no row of the sheet, else the header line's
//! most frequent delimiter is taken. Row numbers are the ones a spreadsheet shows when it
//! opens the file: blank lines count, line breaks inside quoted cells do not.

use std::path::Path;

use super::encoding::{as_windows_1252, decode, invalid_byte, refuse_non_text};
use super::{Cell, Grid, SheetError};

/// Decode `bytes` and split them into rows of text cells.
pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<Grid, SheetError> {
    refuse_non_text(path, bytes)?;
    let mut warnings = Vec::new();
    let text = decode(path, bytes, &mut warnings);
    let (text, hinted) = strip_sep_line(&text);
    let delimiter = match hinted {
        Some(c) => u8::try_from(c)
            .ok()
            .filter(|b| b.is_ascii() && !matches!(b, b'"' | b'\r' | b'\n'))
            .ok_or_else(|| SheetError::Csv {
                path: path.to_path_buf(),
                message: format!(
                    "its first line `sep={c}` names a delimiter sleipnir cannot use; \
                     use `,`, `;` or a tab"
                ),
            })?,
        None => detect_delimiter(text),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    // A record's row is 1 + the line breaks before it, less those inside quoted cells of
    // the records before it: blank lines count as rows, as a spreadsheet shows them, and a
    // cell with line breaks in it is still one row. Counted from byte offsets, so CRLF, LF
    // and CR files count alike.
    let (mut breaks, mut quoted_breaks, mut counted_to) = (0usize, 0usize, 0usize);
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
        breaks += line_breaks(&text.as_bytes()[counted_to..start]);
        counted_to = start;
        let number = (1 + breaks).saturating_sub(quoted_breaks).max(1);
        quoted_breaks += record
            .iter()
            .map(|f| line_breaks(f.as_bytes()))
            .sum::<usize>();
        for (position, field) in record.iter().enumerate() {
            if let Some(message) = invalid_bytes(field) {
                problems.push((number, position, message));
            }
        }
        rows.push((number, record.iter().map(cell).collect()));
    }
    Ok(Grid {
        worksheet: None,
        columns: None,
        rows,
        warnings,
        problems,
        looks: Default::default(),
    })
}

/// A text cell, with the marks of invalid bytes shown as the replacement character.
fn cell(field: &str) -> Cell {
    if field.chars().any(|c| invalid_byte(c).is_some()) {
        let shown: String = field
            .chars()
            .map(|c| invalid_byte(c).map_or(c, |_| char::REPLACEMENT_CHARACTER))
            .collect();
        Cell::text(&shown)
    } else {
        Cell::text(field)
    }
}

/// Why a field holding bytes that are not UTF-8 (in a file that otherwise is) is refused.
fn invalid_bytes(field: &str) -> Option<String> {
    let bytes: Vec<u8> = field.chars().filter_map(invalid_byte).collect();
    if bytes.is_empty() {
        return None;
    }
    let shown: String = field
        .trim()
        .chars()
        .map(|c| invalid_byte(c).map_or(c.to_string(), |b| format!("\\x{b:02X}")))
        .collect();
    let hex: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    let windows: Vec<String> = bytes.iter().map(|b| as_windows_1252(*b)).collect();
    let (noun, it) = if bytes.len() == 1 {
        ("byte", "it would be")
    } else {
        ("bytes", "they would be")
    };
    Some(format!(
        "`{shown}` holds {noun} {}, not UTF-8 as the rest of the file is (in Windows-1252 \
         {it} `{}`); type the text again, or save the file as \"CSV UTF-8\"",
        hex.join(", "),
        windows.concat()
    ))
}

/// Line breaks in `bytes`: CRLF, LF and a lone CR each count once.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut count = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            count += 1;
        }
    }
    count
}

/// Excel's delimiter hint: a first line `sep=X` (quoted or not; `X` may repeat, as when the
/// line was saved with empty cells after it). Returns the text after it and `X`, or the text
/// as it is.
fn strip_sep_line(text: &str) -> (&str, Option<char>) {
    let end = text.find(['\r', '\n']).unwrap_or(text.len());
    let line = text[..end].trim_start_matches('\u{feff}').trim();
    let line = line
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or(line);
    let hint = line
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("sep="))
        .and_then(|_| {
            let mut rest = line[4..].chars();
            let delimiter = rest.next()?;
            rest.all(|c| c == delimiter).then_some(delimiter)
        });
    match hint {
        Some(delimiter) => {
            let after = &text[end..];
            let after = after
                .strip_prefix("\r\n")
                .or_else(|| after.strip_prefix(['\r', '\n']))
                .unwrap_or(after);
            (after, Some(delimiter))
        }
        None => (text, None),
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
        // A line break inside a quoted cell is no new row (issue 15: spreadsheets show the
        // record after it as row 3, and so does the same sheet as XLSX).
        let quoted = rows("a,b\n\"multi\nline\",2\n3,4\n");
        assert_eq!(quoted[1].1[0], Cell::Text("multi\nline".into()));
        assert_eq!(quoted[2].0, 3);
    }

    #[test]
    fn row_numbers_are_records_whatever_breaks_lines_inside_quotes() {
        for text in [
            "a,b\r\n\"x\r\ny\",1\r\n\r\n\"p\rq\nr\",2\r\n3,4\r\n",
            "a,b\r\"x\ry\",1\r\r\"p\rq\r\nr\",2\r3,4\r",
        ] {
            let numbers: Vec<usize> = rows(text).iter().map(|(n, _)| *n).collect();
            assert_eq!(numbers, [1, 2, 4, 5], "{text:?}");
        }
    }

    #[test]
    fn excel_sep_line_names_the_delimiter_and_is_no_row() {
        for text in [
            "sep=;\r\nuserId;a\r\nu1;1\r\n",
            "\u{feff}sep=;\nuserId;a\nu1;1\n",
            "\"sep=;\"\nuserId;a\nu1;1\n",
            "SEP=;;\nuserId;a\nu1;1\n",
        ] {
            let read = rows(text);
            assert_eq!(
                read[0],
                (1, vec![Cell::text("userId"), Cell::text("a")]),
                "{text:?}"
            );
            assert_eq!(read[1].0, 2, "{text:?}");
        }
        // A tab or a pipe named by the hint wins over the commas in the header.
        let read = rows("sep=|\nuserId|a,b\nu1|1,2\n");
        assert_eq!(read[0].1, [Cell::text("userId"), Cell::text("a,b")]);
        assert!(matches!(
            read_err("sep=é\nuserId;a\n"),
            SheetError::Csv { message, .. } if message.contains("`sep=é`")
        ));
        assert_eq!(
            strip_sep_line("separator,x\n1,2"),
            ("separator,x\n1,2", None)
        );
    }

    #[test]
    fn invalid_bytes_are_problems_at_their_cells() {
        let grid = read(
            Path::new("x.csv"),
            b"userId,name\nu1,Zo\xC3\xAB\nu2,O\x92Brien\n",
        )
        .unwrap();
        assert!(grid.warnings.is_empty());
        assert_eq!(grid.rows[2].1[1], Cell::text("O\u{fffd}Brien"));
        assert_eq!(grid.problems.len(), 1);
        let (row, position, message) = &grid.problems[0];
        assert_eq!((*row, *position), (3, 1));
        assert!(
            message.starts_with("`O\\x92Brien` holds byte 0x92, not UTF-8 as the rest")
                && message.contains("(in Windows-1252 it would be `\u{2019}`)"),
            "{message}"
        );
    }

    fn read_err(text: &str) -> SheetError {
        match read(Path::new("x.csv"), text.as_bytes()) {
            Err(e) => e,
            Ok(_) => panic!("{text:?} was read"),
        }
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
