//! ODS workbooks (OpenDocument spreadsheets, as LibreOffice Calc saves them), read as the
//! person sees them in Calc, with a reader of our own instead of calamine's.
//!
//! calamine parses every sheet of an ODS file into the dense rectangle up to its farthest
//! cell, and keeps none of what the sheet shows beyond values. This streams `content.xml`
//! once: only the worksheet read is kept, only its cells that hold something (so one stray
//! cell far from the data costs one cell), and with them what Calc shows —
//!
//! - the worksheet: named with `--sheet`, else the active one (settings.xml's
//!   `ActiveTable`) when visible, else the first visible one, with a warning naming hidden
//!   sheets passed over ([`choice`]);
//! - hidden rows (by hand, in a collapsed outline, by a filter) and hidden columns, merged
//!   ranges, whether the sheet has a filter ([`Looks`](super::looks::Looks));
//! - numbers with the text their format displays (the empty text for one that shows
//!   nothing), texts as their format shows them, error results as error cells, a formula's
//!   empty text result as a blank cell, formulas a script wrote without a result as
//!   formulas ([`cell`]), written as a person types them ([`formula`]);
//! - the number format of each cell, as a code for messages ([`styles`]).
//!
//! An encrypted workbook is refused as one ([`ods_encrypted`]) before anything else.

mod cell;
mod choice;
mod code;
mod content;
mod formula;
mod styles;
mod table;

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use zip::ZipArchive;

use super::{Cell, Grid, SheetError};
use crate::problem::column_letter;
use choice::Chooser;
use styles::Styles;
use table::Collected;

/// The mimetype an ODS workbook (or template) names in its first part.
const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Read worksheet `wanted` (or the one the person sees first) of the ODS workbook in
/// `bytes`; `Ok(None)` when `bytes` is not an ODS workbook, for the other readers to judge.
pub(super) fn read(
    path: &Path,
    bytes: &[u8],
    wanted: Option<&str>,
) -> Result<Option<Grid>, SheetError> {
    if ods_encrypted(bytes) {
        return Err(SheetError::Encrypted(path.to_path_buf()));
    }
    let Ok(mut archive) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(None);
    };
    if !is_ods(&mut archive) {
        return Ok(None);
    }
    let broken = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let active = active_table(&mut archive);
    let chooser = Chooser {
        wanted,
        active: active.as_deref(),
    };
    let styles = styles(&mut archive);
    let calc = saved_by_calc(&mut archive);
    let part = archive
        .by_name("content.xml")
        .map_err(|e| broken(format!("content.xml: {e}")))?;
    let mut reader = Reader::from_reader(BufReader::new(part));
    let content = content::read(&mut reader, chooser, styles, calc)
        .map_err(|e| broken(format!("content.xml: {e}")))?;
    let names = || -> Vec<&str> { content.tables.iter().map(|t| t.name.as_str()).collect() };
    let roles: Vec<choice::Role> = content.read.iter().map(|(role, _, _)| *role).collect();
    let Some(role) = choice::chosen(&roles) else {
        return Err(match wanted {
            Some(wanted) => SheetError::NoSuchWorksheet {
                path: path.to_path_buf(),
                wanted: wanted.to_string(),
                available: names().join(", "),
                suggestion: crate::suggest::closest(wanted, names()),
            },
            None if content.tables.is_empty() => broken("it has no worksheets".to_string()),
            None => broken(format!(
                "every worksheet is hidden ({}); name the one to read with --sheet",
                names()
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        });
    };
    let mut content = content;
    let Some(position) = content.read.iter().position(|(r, _, _)| *r == role) else {
        return Err(broken("the worksheet chosen was not read".to_string()));
    };
    let (_, at, sheet) = content.read.swap_remove(position);
    let name = content.tables[at].name.clone();
    let mut grid = grid(path, &name, sheet)?;
    grid.looks.filter |= content.filtered.contains(&name);
    grid.warnings
        .extend(choice::passed_over(&content.tables, &name, role));
    Ok(Some(grid))
}

/// Whether `bytes` are an ODS workbook whose parts are encrypted (saved with a password):
/// its manifest describes how each part was encrypted. The one ODS encryption check: a
/// reader that sniffs bytes whatever the file's extension asks this.
pub(super) fn ods_encrypted(bytes: &[u8]) -> bool {
    ZipArchive::new(Cursor::new(bytes))
        .is_ok_and(|mut archive| is_ods(&mut archive) && encrypted(&mut archive))
}

fn is_ods<R: Read + Seek>(archive: &mut ZipArchive<R>) -> bool {
    let Ok(part) = archive.by_name("mimetype") else {
        return false;
    };
    let mut start = Vec::with_capacity(MIMETYPE.len());
    part.take(MIMETYPE.len() as u64)
        .read_to_end(&mut start)
        .is_ok_and(|_| start == MIMETYPE)
}

fn encrypted<R: Read + Seek>(archive: &mut ZipArchive<R>) -> bool {
    let Ok(part) = archive.by_name("META-INF/manifest.xml") else {
        return false;
    };
    let mut reader = Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == "encryption-data" =>
            {
                return true;
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
    }
}

/// The styles of `styles.xml` (where Calc keeps the number formats it names), as far as
/// they read: they only name formats in messages.
fn styles<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Styles {
    let mut styles = Styles::default();
    let Ok(part) = archive.by_name("styles.xml") else {
        return styles;
    };
    let mut reader = Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => return styles,
            Ok(event) => styles.event(&event),
        }
    }
}

/// Whether Calc (LibreOffice, or the OpenOffice it came from) saved the document, by the
/// `meta:generator` of meta.xml (`LibreOffice/7.4.7.2$Linux_X86_64 …`). Calc computes every
/// formula before it saves; a script writing a workbook names itself (`ODFPY/1.4.1`) or
/// nothing.
fn saved_by_calc<R: Read + Seek>(archive: &mut ZipArchive<R>) -> bool {
    let Ok(part) = archive.by_name("meta.xml") else {
        return false;
    };
    let mut reader = Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut in_generator = false;
    let mut generator = String::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => in_generator = e.name().as_ref() == "meta:generator",
            Ok(Event::Text(t)) if in_generator => generator.push_str(&t.xml10_content()),
            Ok(Event::End(_)) if in_generator => break,
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    ["LibreOffice", "OpenOffice", "StarOffice"]
        .iter()
        .any(|calc| generator.trim_start().starts_with(calc))
}

/// The sheet the workbook was saved showing: settings.xml's `ActiveTable`, if any.
fn active_table<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Option<String> {
    let part = archive.by_name("settings.xml").ok()?;
    let mut reader = Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut in_item = false;
    let mut name = String::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.name().as_ref() == "config:config-item" => {
                in_item = e
                    .try_get_attribute("config:name")
                    .ok()
                    .flatten()
                    .is_some_and(|a| a.value == "ActiveTable");
            }
            Event::Text(t) if in_item => name.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_item => {
                let entity = quick_xml::escape::resolve_predefined_entity(r.as_ref());
                name.push_str(entity.unwrap_or_default());
            }
            Event::End(_) if in_item => return Some(name),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The rows of `sheet` over the columns that hold something, or the refusal of a sheet
/// whose rows and columns holding something span more than [`MAX_CELLS`](super::MAX_CELLS).
fn grid(path: &Path, worksheet: &str, sheet: Collected) -> Result<Grid, SheetError> {
    if sheet.too_big {
        let far = sheet
            .far
            .map(|(column, row)| format!("{}{}", column_letter(column), row + 1))
            .unwrap_or_default();
        return Err(SheetError::TooBig {
            path: path.to_path_buf(),
            worksheet: worksheet.to_string(),
            rows: sheet.row_count,
            columns: sheet.columns,
            far,
        });
    }
    let columns = sheet.used_columns();
    let mut position = vec![0usize; columns.last().map_or(0, |c| c + 1)];
    for (i, column) in columns.iter().enumerate() {
        position[*column] = i;
    }
    let rows = sheet
        .rows
        .into_iter()
        .map(|(number, cells)| {
            let mut row = vec![Cell::Empty; columns.len()];
            for (column, value) in cells {
                row[position[column as usize]] = value;
            }
            (number, row)
        })
        .collect();
    Ok(Grid {
        worksheet: Some(worksheet.to_string()),
        columns: Some(columns),
        rows,
        warnings: sheet.as_shown.warning().into_iter().collect(),
        problems: Vec::new(),
        looks: sheet.looks,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// An ODS workbook of `parts` (name, text) after its mimetype.
    fn workbook(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", options).expect("part");
        zip.write_all(MIMETYPE).expect("written");
        for (name, text) in parts {
            zip.start_file(*name, options).expect("part");
            zip.write_all(text.as_bytes()).expect("written");
        }
        zip.finish().expect("zipped").into_inner()
    }

    fn content(tables: &str) -> String {
        format!(
            "<office:document-content><office:automatic-styles>\
             <style:style style:name=\"ta1\" style:family=\"table\"><style:table-properties table:display=\"false\"/></style:style>\
             </office:automatic-styles><office:body><office:spreadsheet>{tables}</office:spreadsheet>\
             </office:body></office:document-content>"
        )
    }

    const ROW: &str = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>userId</text:p></table:table-cell></table:table-row>";

    #[test]
    fn a_workbook_whose_every_sheet_is_hidden_is_refused_unless_one_is_named() {
        let tables = format!(
            "<table:table table:name=\"A\" table:style-name=\"ta1\">{ROW}</table:table>\
             <table:table table:name=\"B\" table:style-name=\"ta1\">{ROW}</table:table>"
        );
        let bytes = workbook(&[("content.xml", &content(&tables))]);
        let path = Path::new("hidden.ods");
        match read(path, &bytes, None) {
            Err(SheetError::Workbook { message, .. }) => assert_eq!(
                message,
                "every worksheet is hidden (`A`, `B`); name the one to read with --sheet"
            ),
            Err(other) => panic!("another error: {other}"),
            Ok(_) => panic!("not refused"),
        }
        let named = read(path, &bytes, Some("B"))
            .expect("read")
            .expect("an ODS");
        assert_eq!(named.worksheet.as_deref(), Some("B"));
        assert!(named.warnings.is_empty());
    }

    #[test]
    fn only_an_ods_whose_manifest_describes_encryption_is_encrypted() {
        let manifest = "<manifest:manifest><manifest:file-entry manifest:full-path=\"content.xml\">\
             <manifest:encryption-data manifest:checksum=\"x\"/></manifest:file-entry></manifest:manifest>";
        let encrypted = workbook(&[("META-INF/manifest.xml", manifest)]);
        assert!(ods_encrypted(&encrypted));
        let plain = workbook(&[("META-INF/manifest.xml", "<manifest:manifest/>")]);
        assert!(!ods_encrypted(&plain));
        assert!(!ods_encrypted(b"userId,user.extension\n"));
        assert!(matches!(
            read(Path::new("x.ods"), &encrypted, None),
            Err(SheetError::Encrypted(_))
        ));
        // Not an ODS workbook: left to the other readers.
        assert!(matches!(read(Path::new("x.csv"), b"a,b\n", None), Ok(None)));
    }
}
