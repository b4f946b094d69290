//! What an XLSX workbook's own parts say that calamine does not pass on: the active tab,
//! whether its formulas are to be recalculated when it is opened, which part of the
//! package holds each worksheet, and which its styles.

use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::read::ZipFile;

/// The workbook part's facts, each left at its default where the part does not say.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct BookFacts {
    /// `<workbookView activeTab="n">` of the first view: the position of the active tab
    /// among the `<sheet>` elements, hidden ones included (0 where the view omits it).
    pub active: Option<usize>,
    /// `<calcPr fullCalcOnLoad="1">`: the writer asks for every formula to be calculated
    /// when the file is opened. Spreadsheets drop it when they save, so it marks a file
    /// written by a program whose stored formula results no spreadsheet computed.
    pub recalculate: bool,
    /// Each `<sheet>`'s name and the package part that holds it.
    pub parts: Vec<(String, String)>,
    /// The styles part (`xl/styles.xml` where the relationships do not name one).
    pub styles: String,
}

/// Read the workbook part of the package in `archive`: found through the package's
/// relationships (`xl/workbook.xml` where they do not say), its sheets' parts through its
/// own. A part that is missing or malformed leaves the facts it would give at their defaults.
pub(super) fn facts<R: Read + Seek>(archive: &mut ZipArchive<R>) -> BookFacts {
    let workbook = target_of_type(archive, "_rels/.rels", "/officeDocument")
        .map(|target| resolve("", &target))
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let (folder, file) = workbook.rsplit_once('/').unwrap_or(("", workbook.as_str()));
    let workbook_relationships = format!("{folder}/_rels/{file}.rels");
    let targets = relationships(archive, &workbook_relationships);
    let mut facts = BookFacts {
        styles: target_of_type(archive, &workbook_relationships, "/styles")
            .map(|target| resolve(folder, &target))
            .unwrap_or_else(|| resolve(folder, "styles.xml")),
        ..BookFacts::default()
    };
    let Some(part) = open(archive, &workbook) else {
        return facts;
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut seen_view = false;
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "workbookView" if !seen_view => {
                    seen_view = true;
                    facts.active = Some(
                        attribute(e, "activeTab")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    );
                }
                "sheet" => {
                    let name = attribute(e, "name").unwrap_or_default();
                    let target = attribute(e, "id")
                        .and_then(|id| targets.iter().find(|(i, _)| *i == id))
                        .map(|(_, target)| resolve(folder, target))
                        .unwrap_or_default();
                    facts.parts.push((name, target));
                }
                "calcPr" => {
                    facts.recalculate =
                        attribute(e, "fullCalcOnLoad").is_some_and(|v| v == "1" || v == "true");
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    facts
}

/// The package part `name`, matched without regard to case as spreadsheets do.
pub(super) fn open<'a, R: Read + Seek>(
    archive: &'a mut ZipArchive<R>,
    name: &str,
) -> Option<ZipFile<'a, R>> {
    let found = match archive.index_for_name(name) {
        Some(index) => index,
        None => (0..archive.len()).find(|i| {
            archive
                .name_for_index(*i)
                .and_then(Result::ok)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?,
    };
    archive.by_index(found).ok()
}

/// The value of the attribute whose local name is `name` (`r:id` for `id`), unescaped.
pub(super) fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name).then(|| {
            quick_xml::escape::unescape(&a.value)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// The target of the first relationship of the relationships part `name` whose type ends
/// with `kind` (`/officeDocument`, `/styles`), as written.
fn target_of_type<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    kind: &str,
) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(open(archive, name)?));
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let of_kind = attribute(&e, "Type").is_some_and(|t| t.ends_with(kind));
                if of_kind {
                    return attribute(&e, "Target");
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The (id, target) pairs of a relationships part.
pub(super) fn relationships<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
) -> Vec<(String, String)> {
    let Some(part) = open(archive, name) else {
        return Vec::new();
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut pairs = Vec::new();
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match &event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attribute(e, "Id"), attribute(e, "Target")) {
                    pairs.push((id, target));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    pairs
}

/// A relationship's target as a package part name: absolute (`/xl/…`) or relative to
/// `folder`, with `..` resolved.
pub(super) fn resolve(folder: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None if folder.is_empty() => target.to_string(),
        None => format!("{folder}/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn package(parts: &[(&str, &str)]) -> ZipArchive<Cursor<Vec<u8>>> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        ZipArchive::new(Cursor::new(writer.finish().unwrap().into_inner())).unwrap()
    }

    const RELS: &str = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/Xl/Book.xml"/></Relationships>"#;

    #[test]
    fn the_active_tab_the_recalculation_flag_and_the_sheet_parts() {
        let mut archive = package(&[
            ("_rels/.rels", RELS),
            (
                "xl/book.xml",
                r#"<x:workbook xmlns:x="s" xmlns:r="r"><x:bookViews><x:workbookView activeTab="2"/><x:workbookView activeTab="0"/></x:bookViews><x:sheets><x:sheet name="Old &amp; hidden" state="hidden" r:id="rId2"/><x:sheet name="Users" r:id="rId1"/></x:sheets><x:calcPr calcId="1" fullCalcOnLoad="1"/></x:workbook>"#,
            ),
            (
                "xl/_rels/book.xml.rels",
                r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/../worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="Styles2.xml"/></Relationships>"#,
            ),
        ]);
        let facts = facts(&mut archive);
        assert!(open(&mut archive, "xl/BOOK.xml").is_some());
        assert_eq!(facts.active, Some(2));
        assert!(facts.recalculate);
        assert_eq!(facts.styles, "Xl/Styles2.xml");
        assert_eq!(
            facts.parts,
            vec![
                (
                    "Old & hidden".to_string(),
                    "xl/worksheets/sheet2.xml".to_string()
                ),
                // Relative to the workbook part as the package names it; parts are opened
                // without regard to case.
                ("Users".to_string(), "Xl/worksheets/sheet1.xml".to_string()),
            ]
        );
    }

    #[test]
    fn a_view_without_an_active_tab_means_the_first_and_no_view_none() {
        let book = |view: &str| {
            let workbook = format!("<workbook>{view}<sheets/></workbook>");
            let mut archive = package(&[("xl/workbook.xml", workbook.as_str())]);
            let facts = facts(&mut archive);
            assert_eq!(facts.styles, "xl/styles.xml");
            facts.active
        };
        assert_eq!(book("<bookViews><workbookView/></bookViews>"), Some(0));
        assert_eq!(book(""), None);
    }
}
