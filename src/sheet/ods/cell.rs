//! One ODS table cell: its attributes and the text it displays, as a [`Cell`].
//!
//! Calc saves with each cell the text it displays, as paragraphs (`<text:p>0123</text:p>`
//! for 123 formatted `0000`, an empty `<text:p/>` for a cell that shows nothing), so:
//! - a number keeps that text where it differs from the plain number, and one that shows
//!   nothing (`;;;`) is a number shown as the empty string;
//! - a text whose format shows it otherwise (`office:string-value="1555"` shown `+1555`) is
//!   read as shown, and refused where it shows nothing;
//! - a formula's error result is an error cell; a formula with no value type is the empty
//!   text it shows where Calc saved it (`=""`, `=IF(E3="";"";E3)`: Calc writes no type for
//!   an empty text result, and an empty paragraph), and a formula without a computed value
//!   where a script wrote it (no paragraph, or a document Calc did not save);
//! - a cell covered by a merged range shows nothing.

use std::io::BufRead;

use quick_xml::errors::SyntaxError;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, XmlVersion};

use super::formula;
use crate::sheet::numfmt::ReadAsShown;
use crate::sheet::{Cell, Formatted, FormattedText, format_number, shown as shown_number};

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
    /// `table:style-name`.
    pub style: Option<String>,
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
                "table:style-name" => &mut attrs.style,
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

    /// The cell, from its attributes and the text it displays (`shown`, its paragraphs
    /// joined by line breaks; `None` where it has no paragraph), with `format` its number
    /// format's code for messages, and `calc` whether Calc saved the document; and, for a
    /// text read as its format shows it, what was stored and shown (its cell left to name).
    pub fn cell(
        &self,
        shown: Option<&str>,
        format: &dyn Fn() -> String,
        calc: bool,
    ) -> (Cell, Option<ReadAsShown>) {
        if self.error {
            return (Cell::Error(error_text(shown.unwrap_or_default())), None);
        }
        let cell = match self.value_type.as_deref() {
            Some("float" | "percentage" | "currency") => match self.number() {
                Some(value) => number(value, shown, format),
                None => Cell::text(shown.unwrap_or_default()),
            },
            Some("date") => self.date.clone().map_or(Cell::Empty, Cell::Date),
            Some("time") => self.time.clone().map_or(Cell::Empty, Cell::Date),
            Some("boolean") => match self.boolean.as_deref() {
                Some(b) => Cell::Bool(b.eq_ignore_ascii_case("true")),
                None => Cell::Empty,
            },
            Some("string") => return self.string(shown, format),
            Some(_) => Cell::Empty,
            None => match (&self.formula, shown) {
                // Calc's empty text result: no type, an empty paragraph.
                (Some(_), Some(shown)) if calc => Cell::text(shown),
                (Some(formula), _) => Cell::Formula(formula::typed(formula)),
                // No type: what the cell displays, if anything.
                (None, shown) => Cell::text(shown.unwrap_or_default()),
            },
        };
        (cell, None)
    }

    /// A text cell: as stored, or as shown where its format shows it otherwise.
    fn string(
        &self,
        shown: Option<&str>,
        format: &dyn Fn() -> String,
    ) -> (Cell, Option<ReadAsShown>) {
        let stored = self.string.as_deref().or(shown).unwrap_or_default();
        if self.formula.is_some()
            && let Some(error) = [stored, shown.unwrap_or_default()]
                .into_iter()
                .map(str::trim)
                .find(|text| is_error_text(text))
        {
            // A formula's error result, saved without `calcext:value-type`.
            return (Cell::Error(error.to_string()), None);
        }
        let as_stored = Cell::text(stored);
        let (Some(shown), Cell::Text(typed)) = (shown, &as_stored) else {
            return (as_stored, None);
        };
        match Cell::text(shown) {
            Cell::Text(shown) if shown == *typed => (as_stored, None),
            Cell::Text(shown) => {
                let read = ReadAsShown {
                    cell: String::new(),
                    stored: typed.clone(),
                    shown: shown.clone(),
                    format: format(),
                };
                (Cell::Text(shown), Some(read))
            }
            _ => {
                let blank = FormattedText {
                    text: typed.clone(),
                    shown: Some(String::new()),
                    format: format(),
                };
                (Cell::FormattedText(Box::new(blank)), None)
            }
        }
    }

    fn number(&self) -> Option<f64> {
        self.value.as_deref()?.trim().parse().ok()
    }
}

/// A number cell: plain where it displays the number as [`format_number`] reads it (or the
/// same number with more digits: `434.99999999999994` for 435) or where the file gives no
/// displayed text, `TRUE`/`FALSE` for a formula's boolean result, the displayed text kept
/// otherwise (the empty string for one formatted to show nothing).
fn number(value: f64, shown: Option<&str>, format: &dyn Fn() -> String) -> Cell {
    let Some(text) = shown.map(str::trim) else {
        return Cell::Number(value);
    };
    if text == format_number(value) {
        return Cell::Number(value);
    }
    if let Ok(parsed) = text.parse::<f64>()
        && parsed.to_string() == text
        && shown_number(parsed) == shown_number(value)
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
        format: format(),
    }))
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
/// own are left out. Whether it held a paragraph at all (an empty `<text:p/>` counts).
pub(super) fn read_text<R: BufRead>(
    reader: &mut Reader<R>,
    end: &str,
    buf: &mut Vec<u8>,
    text: &mut String,
) -> Result<bool, quick_xml::Error> {
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
            Event::Empty(e) if depth == 0 && matches!(e.name().as_ref(), "text:p" | "text:h") => {
                if paragraphs > 0 {
                    text.push('\n');
                }
                paragraphs += 1;
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
                        return Ok(paragraphs > 0);
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
mod tests;
