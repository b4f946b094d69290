//! One ODS table cell: its attributes and the text it displays, as a [`Cell`].
//!
//! A spreadsheet saves with each number the text its format displays (`<text:p>0123</text:p>`
//! for 123 formatted `0000`), so a number keeps that text where it differs from the plain
//! number; a formula's error result is an error cell; a formula a script wrote without a
//! result is a formula; a cell covered by a merged range shows nothing.

use std::io::BufRead;

use quick_xml::errors::SyntaxError;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, XmlVersion};

use crate::sheet::{Cell, Formatted, format_number, shown};

/// What a `<table:table-cell>` (or `<table:covered-table-cell>`) says of itself.
#[derive(Debug, Default)]
pub(super) struct Attrs {
    value_type: Option<String>,
    /// `calcext:value-type="error"`: the cached result is an error.
    error: bool,
    value: Option<String>,
    date: Option<String>,
    time: Option<String>,
    boolean: Option<String>,
    string: Option<String>,
    formula: Option<String>,
    /// `table:number-columns-repeated`, at least 1.
    pub repeated: usize,
    /// The merged range it starts, as rows × columns (1 × 1 where it starts none).
    pub spanned: (usize, usize),
}

impl Attrs {
    /// The attributes of `e`.
    pub fn of(e: &BytesStart<'_>) -> Result<Attrs, quick_xml::Error> {
        let mut attrs = Attrs {
            repeated: 1,
            spanned: (1, 1),
            ..Attrs::default()
        };
        for attribute in e.attributes() {
            let attribute = attribute?;
            let key = attribute.key.as_ref();
            let slot = match key {
                "office:value-type" => &mut attrs.value_type,
                "office:value" => &mut attrs.value,
                "office:date-value" => &mut attrs.date,
                "office:time-value" => &mut attrs.time,
                "office:boolean-value" => &mut attrs.boolean,
                "office:string-value" => &mut attrs.string,
                "table:formula" => &mut attrs.formula,
                "calcext:value-type" => {
                    attrs.error = attribute.value == "error";
                    continue;
                }
                "table:number-columns-repeated" => {
                    attrs.repeated = count(&attribute.value);
                    continue;
                }
                "table:number-rows-spanned" => {
                    attrs.spanned.0 = count(&attribute.value);
                    continue;
                }
                "table:number-columns-spanned" => {
                    attrs.spanned.1 = count(&attribute.value);
                    continue;
                }
                _ => continue,
            };
            *slot = Some(
                attribute
                    .normalized_value(XmlVersion::Implicit1_0)?
                    .into_owned(),
            );
        }
        Ok(attrs)
    }

    /// The cell, from its attributes and the text it displays (`text`, its paragraphs
    /// joined by line breaks).
    pub fn cell(&self, text: &str) -> Cell {
        if self.error {
            return Cell::Error(error_text(text));
        }
        match self.value_type.as_deref() {
            Some("float" | "percentage" | "currency") => match self.number() {
                Some(value) => number(value, text),
                None => Cell::text(text),
            },
            Some("date") => self.date.clone().map_or(Cell::Empty, Cell::Date),
            Some("time") => self.time.clone().map_or(Cell::Empty, Cell::Date),
            Some("boolean") => match self.boolean.as_deref() {
                Some(b) => Cell::Bool(b.eq_ignore_ascii_case("true")),
                None => Cell::Empty,
            },
            Some("string") => {
                let text = self.string.as_deref().unwrap_or(text);
                match self.formula.is_some() && is_error_text(text.trim()) {
                    // A formula's error result, saved without `calcext:value-type`.
                    true => Cell::Error(text.trim().to_string()),
                    false => Cell::text(text),
                }
            }
            Some(_) => Cell::Empty,
            None => match &self.formula {
                Some(formula) => Cell::Formula(formula_text(formula)),
                // No type: what the cell displays, if anything.
                None => Cell::text(text),
            },
        }
    }

    fn number(&self) -> Option<f64> {
        self.value.as_deref()?.trim().parse().ok()
    }
}

/// A number cell: plain where it displays the number as [`format_number`] reads it (or the
/// same number with more digits: `434.99999999999994` for 435), `TRUE`/`FALSE` for a
/// formula's boolean result, the displayed text kept otherwise.
fn number(value: f64, text: &str) -> Cell {
    let text = text.trim();
    let plain = format_number(value);
    if text.is_empty() || text == plain {
        return Cell::Number(value);
    }
    if let Ok(parsed) = text.parse::<f64>()
        && parsed.to_string() == text
        && shown(parsed) == shown(value)
    {
        return Cell::Number(value);
    }
    match (value, text.to_ascii_uppercase().as_str()) {
        (1.0, "TRUE") => return Cell::Bool(true),
        (0.0, "FALSE") => return Cell::Bool(false),
        _ => {}
    }
    Cell::Formatted(Box::new(Formatted {
        value,
        shown: Some(text.to_string()),
        format: String::new(),
    }))
}

/// A formula as the admin typed it: `of:=SUM([.A1:.A3])` → `=SUM([.A1:.A3])`.
fn formula_text(formula: &str) -> String {
    match formula.split_once(':') {
        Some((namespace, rest))
            if rest.starts_with('=') && namespace.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            rest.to_string()
        }
        _ => formula.to_string(),
    }
}

/// An error result's text, `#N/A` where the file gives none.
fn error_text(text: &str) -> String {
    match text.trim() {
        "" => "#N/A".to_string(),
        shown => shown.to_string(),
    }
}

/// Whether `text` is how a spreadsheet shows an error result: `#N/A`, `#DIV/0!`, `#NAME?`,
/// or Calc's `Err:502`.
fn is_error_text(text: &str) -> bool {
    let hash = text.len() > 2
        && text.starts_with('#')
        && (text.ends_with('!') || text.ends_with('?') || text.eq_ignore_ascii_case("#N/A"))
        && !text.contains(char::is_whitespace);
    let calc = text
        .strip_prefix("Err:")
        .is_some_and(|code| !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()));
    hash || calc
}

/// The most spaces one `<text:s text:c="…"/>` stands for here: a cell is not a place for
/// more, and a broken count must not allocate without bound.
const MAX_SPACES: usize = 1024;

/// A repeat or span count: at least 1, as the format says.
pub(super) fn count(value: &str) -> usize {
    value.trim().parse::<usize>().unwrap_or(1).max(1)
}

/// Read a cell's content up to its end tag (`end`, the cell's element name): the text of
/// its paragraphs, joined by line breaks, with `<text:s/>` as spaces, `<text:tab/>` and
/// `<text:line-break/>`; comments, drawings and anything not in a paragraph of the cell's
/// own are left out.
pub(super) fn read_text<R: BufRead>(
    reader: &mut Reader<R>,
    end: &str,
    buf: &mut Vec<u8>,
    text: &mut String,
) -> Result<(), quick_xml::Error> {
    text.clear();
    // Elements open inside the cell, and whether the outermost is one of its paragraphs.
    let mut depth = 0usize;
    let mut in_paragraph = false;
    let mut paragraphs = 0usize;
    loop {
        buf.clear();
        match reader.read_event_into(buf)? {
            Event::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                if name == "office:annotation" || name.starts_with("draw:") {
                    let name = name.to_string();
                    reader.read_to_end_into(QName(&name), &mut Vec::new())?;
                    continue;
                }
                if depth == 0 && matches!(name, "text:p" | "text:h") {
                    if paragraphs > 0 {
                        text.push('\n');
                    }
                    paragraphs += 1;
                    in_paragraph = true;
                }
                depth += 1;
            }
            Event::Empty(e) if in_paragraph => match e.name().as_ref() {
                "text:s" => {
                    let spaces = e
                        .try_get_attribute("text:c")?
                        .map_or(1, |c| count(&c.value));
                    text.extend(std::iter::repeat_n(' ', spaces.min(MAX_SPACES)));
                }
                "text:tab" => text.push('\t'),
                "text:line-break" => text.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_paragraph => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_paragraph => {
                if let Some(c) = r.resolve_char_ref()? {
                    text.push(c);
                } else if let Some(s) = resolve_predefined_entity(r.as_ref()) {
                    text.push_str(s);
                }
            }
            Event::End(e) => {
                if depth == 0 {
                    if e.name().as_ref() == end {
                        return Ok(());
                    }
                    continue;
                }
                depth -= 1;
                if depth == 0 {
                    in_paragraph = false;
                }
            }
            Event::Eof => {
                return Err(quick_xml::Error::Syntax(SyntaxError::UnclosedTag));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(xml: &str) -> Cell {
        let mut reader = Reader::from_reader(xml.as_bytes());
        let mut buf = Vec::new();
        let attrs = match reader.read_event_into(&mut buf).expect("event") {
            Event::Start(e) => Attrs::of(&e).expect("attributes"),
            other => panic!("not a start tag: {other:?}"),
        };
        let mut text = String::new();
        read_text(&mut reader, "table:table-cell", &mut buf, &mut text).expect("text");
        attrs.cell(&text)
    }

    fn float(value: &str, shown: &str) -> Cell {
        cell(&format!(
            r#"<table:table-cell office:value-type="float" office:value="{value}"><text:p>{shown}</text:p></table:table-cell>"#
        ))
    }

    fn formatted(value: f64, shown: &str) -> Cell {
        Cell::Formatted(Box::new(Formatted {
            value,
            shown: Some(shown.into()),
            format: String::new(),
        }))
    }

    #[test]
    fn numbers_keep_the_text_they_display_where_it_differs() {
        assert_eq!(float("1001", "1001"), Cell::Number(1001.0));
        assert_eq!(float("123", "0123"), formatted(123.0, "0123"));
        assert_eq!(float("2138", "02138"), formatted(2138.0, "02138"));
        assert_eq!(float("1234", "1,234"), formatted(1234.0, "1,234"));
        assert_eq!(float("4", "4.0"), formatted(4.0, "4.0"));
        // Calc's General format: 1e20 is saved as `1E+020`, and displayed so.
        assert_eq!(float("1E+020", "1E+020"), formatted(1e20, "1E+020"));
        assert_eq!(
            float("0.333333333333333", "0.333333333333333"),
            Cell::Number(0.333333333333333)
        );
        // Binary noise displayed in full is still the number a spreadsheet shows.
        assert_eq!(
            float("434.99999999999994", "434.99999999999994"),
            Cell::Number(434.99999999999994)
        );
        // A formula's boolean result is saved as 1 or 0 displayed TRUE or FALSE.
        assert_eq!(float("1", "TRUE"), Cell::Bool(true));
        assert_eq!(float("0", "FALSE"), Cell::Bool(false));
        assert_eq!(
            cell(
                r#"<table:table-cell office:value-type="percentage" office:value="0.12"><text:p>12%</text:p></table:table-cell>"#
            ),
            formatted(0.12, "12%")
        );
    }

    #[test]
    fn displayed_text_keeps_its_spaces_spans_and_paragraphs() {
        assert_eq!(
            float("1234567", "1<text:s/>234<text:s text:c=\"2\"/>567"),
            formatted(1234567.0, "1 234  567")
        );
        assert_eq!(
            float(
                "5551234",
                "<text:span text:style-name=\"T1\">555</text:span>-1234"
            ),
            formatted(5551234.0, "555-1234")
        );
        assert_eq!(
            cell(
                r#"<table:table-cell office:value-type="string"><text:p>a &amp; b</text:p><text:p>c</text:p><office:annotation><text:p>note</text:p></office:annotation></table:table-cell>"#
            ),
            Cell::Text("a & b\nc".into())
        );
    }

    #[test]
    fn error_results_are_error_cells() {
        let na = r#"<table:table-cell table:formula="of:=NA()" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>"#;
        assert_eq!(cell(na), Cell::Error("#N/A".into()));
        let calc = r#"<table:table-cell table:formula="of:=SUM(" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>Err:502</text:p></table:table-cell>"#;
        assert_eq!(cell(calc), Cell::Error("Err:502".into()));
        // Saved without calcext: a formula whose text result is an error value.
        let old = r#"<table:table-cell table:formula="of:=1/0" office:value-type="string"><text:p>#DIV/0!</text:p></table:table-cell>"#;
        assert_eq!(cell(old), Cell::Error("#DIV/0!".into()));
        // Typed text that reads like one stays text (conversion refuses it).
        let typed = r#"<table:table-cell office:value-type="string"><text:p>#N/A</text:p></table:table-cell>"#;
        assert_eq!(cell(typed), Cell::Text("#N/A".into()));
    }

    #[test]
    fn formulas_without_a_value_dates_and_booleans() {
        assert_eq!(
            cell(
                r#"<table:table-cell table:formula="of:=[.A1]&amp;&quot;x&quot;"></table:table-cell>"#
            ),
            Cell::Formula("=[.A1]&\"x\"".into())
        );
        assert_eq!(
            cell(
                r#"<table:table-cell office:value-type="date" office:date-value="2026-01-12"><text:p>01/12/26</text:p></table:table-cell>"#
            ),
            Cell::Date("2026-01-12".into())
        );
        assert_eq!(
            cell(
                r#"<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>"#
            ),
            Cell::Bool(true)
        );
        assert!(is_error_text("#NAME?") && is_error_text("Err:504"));
        assert!(!is_error_text("#1 fan!") && !is_error_text("Err:") && !is_error_text("#"));
    }
}
