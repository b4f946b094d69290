//! Error cells whose value calamine does not know: the error values of newer Excel versions
//! (`#SPILL!`, `#CALC!`, `#FIELD!`, `#BUSY!`, `#GETTING_DATA`, `#BLOCKED!`, `#CONNECT!`,
//! `#UNKNOWN!`) stop calamine's cell reader at the cell, with no row or column.
//!
//! Such a workbook is read a second time from a copy of its package in which each of those
//! cells of the worksheet is marked a date cell (`t="d"` for `t="e"`, one byte, nothing else
//! moved): calamine passes a date cell's text on as it is, and no date starts with `#`, so
//! [`error_text`] tells it back as the error cell it is, at the place calamine read it. The
//! other parts are copied as they are stored. Only workbooks that hold such a value pay for
//! the copy and the second read.

use std::io::{Cursor, Read, Seek, Write};

use calamine::DataRef;
use quick_xml::events::Event;
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use super::super::super::Cell;

/// The error values calamine reads (its `CellErrorType`); any other stops its cell reader.
const KNOWN: [&str; 7] = [
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
];

/// The error cell a value read from the marked copy stands for: a date cell whose text
/// starts with `#`.
pub(super) fn error_text(value: &DataRef<'_>) -> Option<Cell> {
    match value {
        DataRef::DateTimeIso(text) if text.trim_start().starts_with('#') => {
            Some(Cell::Error(text.trim().to_string()))
        }
        _ => None,
    }
}

/// The package `bytes` with the worksheet part `part` (named without regard to case) marked
/// as the module says; `None` where the package or the part cannot be read, or holds no
/// error value calamine does not know (calamine's own error then stands).
pub(super) fn marked(bytes: &[u8], part: &str) -> Option<Vec<u8>> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).ok()?;
    let index = (0..archive.len()).find(|i| {
        archive
            .name_for_index(*i)
            .and_then(Result::ok)
            .is_some_and(|n| n.eq_ignore_ascii_case(part))
    })?;
    let mut xml = Vec::new();
    archive.by_index(index).ok()?.read_to_end(&mut xml).ok()?;
    let marks = unknown_errors(&xml)?;
    if marks.is_empty() {
        return None;
    }
    for at in marks {
        xml[at] = b'd';
    }
    copy_with(&mut archive, index, &xml).ok()
}

/// The positions in `xml` of the `e` of `t="e"` in each cell whose `<v>` holds an error
/// value calamine does not know, judged as calamine reads it (the first run of text in
/// `<v>`).
fn unknown_errors(xml: &[u8]) -> Option<Vec<usize>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let start = xml.as_ptr() as usize;
    let mut marks = Vec::new();
    // The position of the `e` of the cell being read, where it is an error cell.
    let mut error_cell: Option<usize> = None;
    let mut in_value = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "c" => {
                error_cell = e.attributes().flatten().find_map(|a| {
                    let value: &str = a.value.as_ref();
                    (a.key.local_name().as_ref() == "t" && value == "e")
                        .then(|| value.as_ptr() as usize - start)
                });
            }
            Event::Start(e) if e.local_name().as_ref() == "v" => in_value = true,
            Event::End(e) if e.local_name().as_ref() == "c" => {
                error_cell = None;
                in_value = false;
            }
            Event::Text(text) if in_value => {
                in_value = false;
                if let Some(at) = error_cell.take()
                    && !KNOWN.contains(&text.as_ref())
                    && xml.get(at) == Some(&b'e')
                {
                    marks.push(at);
                }
            }
            Event::End(_) => in_value = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Some(marks)
}

/// The package in `archive` with entry `index` holding `xml` (stored, not compressed: the
/// copy lives only while it is read) and every other entry copied as it is.
fn copy_with<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    xml: &[u8],
) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(xml.len() + 4096)));
    for i in 0..archive.len() {
        if i == index {
            let name = archive.by_index_raw(i)?.name()?.to_string();
            let stored = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(xml.len() >= u32::MAX as usize);
            writer.start_file(name, stored)?;
            writer.write_all(xml)?;
        } else {
            writer.raw_copy_file(archive.by_index_raw(i)?)?;
        }
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_error_cells_calamine_does_not_know_are_marked() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1" t="e"><f>1</f><v>#SPILL!</v></c><c r="B1" t='e' s="3"><v>#N/A</v></c><c r="C1" t="s"><v>#CALC!</v></c><c r="D1" t = "e"><v>#GETTING_DATA</v></c><c r="E1" t="e"/></row></sheetData></worksheet>"#;
        let marks = unknown_errors(xml).expect("read");
        let mut marked = xml.to_vec();
        for at in &marks {
            marked[*at] = b'd';
        }
        let marked = String::from_utf8(marked).expect("utf-8");
        assert_eq!(marks.len(), 2);
        assert!(marked.contains(r#"<c r="A1" t="d"><f>1</f><v>#SPILL!</v>"#));
        assert!(marked.contains(r#"<c r="B1" t='e' s="3"><v>#N/A</v>"#));
        assert!(marked.contains(r#"<c r="C1" t="s"><v>#CALC!</v>"#));
        assert!(marked.contains(r#"<c r="D1" t = "d"><v>#GETTING_DATA</v>"#));
    }

    #[test]
    fn a_date_cell_s_text_is_an_error_only_where_it_starts_with_a_hash() {
        let error = DataRef::DateTimeIso("#SPILL!".to_string());
        assert_eq!(error_text(&error), Some(Cell::Error("#SPILL!".into())));
        let date = DataRef::DateTimeIso("2026-01-12".to_string());
        assert_eq!(error_text(&date), None);
        assert_eq!(error_text(&DataRef::Float(1.0)), None);
    }
}
