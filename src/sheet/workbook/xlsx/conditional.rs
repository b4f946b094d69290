//! Conditional formats that change a cell's number format.
//!
//! A worksheet's `<conditionalFormatting sqref="B2:B9">` holds rules; where a rule holds,
//! its differential format (a `<dxf>` of the styles part, or one written inside the rule in
//! Excel 2010's extension) applies, and a `<numFmt>` in it replaces the cell's number
//! format: `0000` shows 101 as `0101`, `;;;` hides a text. Rules are not evaluated (their
//! formulas may refer to anything); a number or text in the range of a rule whose format
//! shows it otherwise than its own format does becomes a [`Cell::Conditional`]. Rules that
//! only colour a cell, or whose format shows it the same, change nothing.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::super::super::{Cell, Conditional, format_number};
use super::super::Placed;
use super::super::shown::{Display, number};
use super::super::xlsx_book::attribute;
use super::{Text, text};

/// Cells, zero-based and inclusive; a whole row or column runs to the sheet's edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Area {
    rows: (u32, u32),
    columns: (u32, u32),
}

/// Where a rule's number format is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in super::super) enum RuleFormat {
    /// `dxfId`: the position of a `<dxf>` in the styles part.
    Dxf(usize),
    /// A `<numFmt>` in the rule's own `<dxf>`: its id and code.
    Own(Option<u32>, Option<String>),
}

/// The rules of a worksheet that may set a number format, gathered as the scan reads it.
#[derive(Debug, Default)]
pub(in super::super) struct Rules {
    /// Each rule's ranges (`sqref`) and format.
    found: Vec<(String, RuleFormat)>,
    /// The `<conditionalFormatting>` being read: its `sqref`, and its rules so far.
    open: Option<(String, Vec<RuleFormat>)>,
    in_dxf: bool,
    /// Inside an `<xm:sqref>`, which Excel 2010's extension writes after the rules.
    pub reading_sqref: bool,
}

impl Rules {
    /// A start (or empty) element the scan met whose local name is one of
    /// `conditionalFormatting`, `cfRule`, `dxf`, `numFmt`, `sqref`.
    pub fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        if name.as_ref() == "conditionalFormatting" {
            let sqref = attribute(e, "sqref").unwrap_or_default();
            self.open = (!empty).then_some((sqref, Vec::new()));
            return;
        }
        let Some((sqref, formats)) = self.open.as_mut() else {
            return;
        };
        match name.as_ref() {
            "cfRule" => {
                if let Some(id) = attribute(e, "dxfId").and_then(|v| v.parse().ok()) {
                    formats.push(RuleFormat::Dxf(id));
                }
            }
            "dxf" => self.in_dxf = !empty,
            "numFmt" if self.in_dxf => formats.push(RuleFormat::Own(
                attribute(e, "numFmtId").and_then(|v| v.parse().ok()),
                attribute(e, "formatCode"),
            )),
            "sqref" => {
                sqref.clear();
                self.reading_sqref = !empty;
            }
            _ => {}
        }
    }

    /// Text inside an `<xm:sqref>`.
    pub fn text(&mut self, text: &str) {
        if let Some((sqref, _)) = self.open.as_mut() {
            sqref.push_str(text);
        }
    }

    /// An end element of the worksheet.
    pub fn end(&mut self, local_name: &str) {
        match local_name {
            "sqref" => self.reading_sqref = false,
            "dxf" => self.in_dxf = false,
            "conditionalFormatting" => {
                if let Some((sqref, formats)) = self.open.take() {
                    for format in formats {
                        self.found.push((sqref.clone(), format));
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether any rule names a `<dxf>` of the styles part.
    pub fn need_styles(&self) -> bool {
        self.found
            .iter()
            .any(|(_, format)| matches!(format, RuleFormat::Dxf(_)))
    }

    /// The rules that set a number format, each with its display, where `dxfs` are the
    /// number formats of the styles part's `<dxf>`s ([`dxf_formats`]).
    pub fn formats(self, dxfs: &[Option<(Option<u32>, Option<String>)>]) -> Vec<RuleDisplay> {
        self.found
            .into_iter()
            .filter_map(|(sqref, format)| {
                let (id, code) = match format {
                    RuleFormat::Own(id, code) => (id, code),
                    RuleFormat::Dxf(i) => dxfs.get(i).cloned().flatten()?,
                };
                let areas: Vec<Area> = sqref.split_whitespace().filter_map(area).collect();
                let display = Display::of(id, code.as_deref());
                let label = match &display {
                    Display::Plain => code.unwrap_or_else(|| "General".to_string()),
                    Display::Code { code, .. } => code.clone(),
                    Display::Unknown(label) => label.clone(),
                };
                Some(RuleDisplay {
                    areas,
                    display,
                    label,
                })
            })
            .collect()
    }
}

/// A rule that sets a number format: where, and how it shows a cell.
#[derive(Debug)]
pub(in super::super) struct RuleDisplay {
    areas: Vec<Area>,
    display: Display,
    /// The format code, as the refusal names it.
    label: String,
}

/// The number format of each `<dxf>` of a styles part, in order: its `numFmtId` and
/// `formatCode`, `None` for one that sets no number format. Stops at the first XML error,
/// keeping what came before.
pub(in super::super) fn dxf_formats(
    xml: impl BufRead,
) -> Vec<Option<(Option<u32>, Option<String>)>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut dxfs = Vec::new();
    let mut in_dxfs = false;
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "dxfs" => in_dxfs = matches!(event, Event::Start(_)),
                "dxf" if in_dxfs => dxfs.push(None),
                "numFmt" if in_dxfs => {
                    if let Some(last) = dxfs.last_mut() {
                        *last = Some((
                            attribute(e, "numFmtId").and_then(|v| v.parse().ok()),
                            attribute(e, "formatCode"),
                        ));
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "dxfs" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    dxfs
}

/// `cells` with each number or text that a rule of `rules` shows otherwise than its own
/// format does as a [`Cell::Conditional`] (the first such rule, in file order). `stored`
/// holds the text stored in the cells read as their format shows them (zero-based row and
/// column), which a rule's format shows anew.
pub(in super::super) fn apply(
    cells: &mut [Placed],
    rules: &mut [RuleDisplay],
    mut stored: Vec<(u32, u32, String)>,
) {
    if rules.is_empty() {
        return;
    }
    stored.sort_by_key(|(row, column, _)| (*row, *column));
    for (row, column, cell) in cells.iter_mut() {
        let typed = stored
            .binary_search_by_key(&(*row, *column), |(r, c, _)| (*r, *c))
            .ok()
            .map(|i| stored[i].2.as_str());
        for rule in rules.iter_mut() {
            if !rule.areas.iter().any(|a| a.covers(*row, *column)) {
                continue;
            }
            if let Some(conditional) = under(rule, cell, typed) {
                *cell = Cell::Conditional(Box::new(conditional));
                break;
            }
        }
    }
}

/// `cell` under `rule`'s format, where it shows otherwise there (or sleipnir cannot tell
/// how it shows); `typed` is its stored text where it differs from the text read.
fn under(rule: &mut RuleDisplay, cell: &Cell, typed: Option<&str>) -> Option<Conditional> {
    let display = Some(&mut rule.display);
    let (own, there) = match cell {
        Cell::Number(n) => (Some(format_number(*n)), number(display, *n)),
        Cell::Formatted(formatted) => (formatted.shown.clone(), number(display, formatted.value)),
        Cell::Text(read) => (Some(read.clone()), as_text(display, typed.unwrap_or(read))),
        Cell::FormattedText(formatted) => {
            (formatted.shown.clone(), as_text(display, &formatted.text))
        }
        _ => return None,
    };
    let there = shown(&there);
    if own.is_some() && own == there {
        return None;
    }
    Some(Conditional {
        cell: cell.clone(),
        shown: there,
        format: rule.label.clone(),
    })
}

fn as_text(display: Option<&mut Display>, stored: &str) -> Cell {
    match text(display, stored) {
        Text::Cell(cell) | Text::AsShown(cell, _) => cell,
    }
}

/// What a number or text cell shows, `None` where sleipnir cannot tell.
fn shown(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => Some(String::new()),
        Cell::Number(n) => Some(format_number(*n)),
        Cell::Text(text) => Some(text.clone()),
        Cell::Formatted(formatted) => formatted.shown.clone(),
        Cell::FormattedText(formatted) => formatted.shown.clone(),
        _ => None,
    }
}

impl Area {
    fn covers(&self, row: u32, column: u32) -> bool {
        (self.rows.0..=self.rows.1).contains(&row)
            && (self.columns.0..=self.columns.1).contains(&column)
    }
}

/// One range of an `sqref`: `B2`, `B2:C9`, `$B:$B` (whole columns), `3:5` (whole rows).
fn area(reference: &str) -> Option<Area> {
    let (first, last) = reference.split_once(':').unwrap_or((reference, reference));
    let (top, left) = corner(first)?;
    let (bottom, right) = corner(last)?;
    let span = |a: Option<u32>, b: Option<u32>| match (a, b) {
        (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
        (None, None) => Some((0, u32::MAX)),
        _ => None,
    };
    Some(Area {
        rows: span(top, bottom)?,
        columns: span(left, right)?,
    })
}

/// A corner of a range as zero-based (row, column), either left out (`B`, `3`).
fn corner(reference: &str) -> Option<(Option<u32>, Option<u32>)> {
    let reference = reference.replace('$', "");
    let letters = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let (column, row) = reference.split_at(letters);
    if letters > 3 || (letters == 0 && row.is_empty()) {
        return None;
    }
    let column = (letters > 0).then(|| {
        column.bytes().fold(0u32, |n, b| {
            n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
        }) - 1
    });
    let row = match row {
        "" => None,
        digits => Some(digits.parse::<u32>().ok()?.checked_sub(1)?),
    };
    Some((row, column))
}

#[cfg(test)]
mod tests;
