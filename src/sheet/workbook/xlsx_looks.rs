//! One streaming pass over an XLSX worksheet for what calamine's cell reader does not pass
//! on: hidden rows and columns, merged ranges, whether a filter is on, formulas whose
//! stored result no spreadsheet computed, and the conditional formats that may set a
//! number format.
//!
//! The pass keeps nothing per cell but the few bytes of the cell's attributes, and reads
//! text only inside a formula's cell, so its cost is one more decompression and tokenising
//! of the worksheet.

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::super::looks::{Looks, Merge};
use super::row_marks::RowMarks;
use super::xlsx::conditional::Rules;
use super::xlsx_book::attribute;

/// The last row a worksheet has (Excel's limit): rows hidden by default run to it.
const LAST_ROW: usize = 1_048_576;

/// What the pass found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub looks: Looks,
    /// Formula cells whose stored result is not a computed one, in file order: zero-based
    /// row and column, and the formula with its leading `=`.
    pub formulas: Vec<(u32, u32, String)>,
    /// The conditional formats' rules that may set a number format.
    pub conditional: Rules,
}

/// The formula cell being read.
#[derive(Default)]
struct FormulaCell {
    /// The formula's text (empty for a cell that uses a shared formula).
    text: String,
    /// `si` of a shared formula.
    shared: Option<String>,
    /// The text of `<v>`, where the cell has one.
    value: Option<String>,
    /// An inline string (`<is>`): a value.
    inline: bool,
}

/// Where text read goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Nothing,
    Formula,
    Value,
}

/// Scan the worksheet XML `xml`. `recalculate` says the workbook asks for its formulas to be
/// calculated when it is opened ([`super::xlsx_book::BookFacts::recalculate`]): a stored
/// result of `0`, what programs write for a formula they did not calculate, is then not
/// taken for a computed one.
pub(super) fn scan(xml: impl BufRead, recalculate: bool) -> Result<Scan, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::with_capacity(4096);
    let mut scan = Scan::default();
    let mut rows = RowMarks::default();
    let mut row = 0usize;
    let mut column = 0u32;
    let mut in_cell = false;
    let mut in_custom_view = false;
    let mut cell_attributes = String::new();
    let mut formula: Option<FormulaCell> = None;
    let mut reading = Reading::Nothing;
    // Shared formulas by `si`: the anchor's text and position.
    let mut anchors: HashMap<String, (String, (u32, u32))> = HashMap::new();
    loop {
        let event = reader.read_event_into(&mut buf)?;
        let empty = matches!(event, Event::Empty(_));
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "c" => {
                    in_cell = !empty;
                    column += 1;
                    cell_attributes.clear();
                    cell_attributes.push_str(e.attributes_raw());
                }
                "f" if in_cell => {
                    let shared = match attribute(e, "t").as_deref() {
                        Some("shared") => attribute(e, "si"),
                        _ => None,
                    };
                    // The anchor of a shared formula (`ref` gives its range) holds its text.
                    if let Some(si) = &shared
                        && attribute(e, "ref").is_some()
                    {
                        let position = cell_position(&cell_attributes, row, column);
                        anchors.insert(si.clone(), (String::new(), position));
                    }
                    formula = Some(FormulaCell {
                        shared,
                        ..FormulaCell::default()
                    });
                    if !empty {
                        reading = Reading::Formula;
                    }
                }
                "v" if in_cell => {
                    if let Some(cell) = formula.as_mut() {
                        cell.value = Some(String::new());
                        if !empty {
                            reading = Reading::Value;
                        }
                    }
                }
                "is" if in_cell => {
                    if let Some(cell) = formula.as_mut() {
                        cell.inline = true;
                    }
                }
                "row" => {
                    row = attribute(e, "r")
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(row + 1);
                    column = 0;
                    let hidden = attribute(e, "hidden").is_some_and(|v| truthy(&v))
                        || attribute(e, "ht").is_some_and(|h| h.parse::<f64>() == Ok(0.0));
                    rows.row(row, hidden);
                }
                "col" => {
                    let hidden = attribute(e, "hidden").is_some_and(|v| truthy(&v))
                        || attribute(e, "width").is_some_and(|w| w.parse::<f64>() == Ok(0.0));
                    let bound = |name| attribute(e, name).and_then(|v| v.parse::<usize>().ok());
                    if let (true, Some(min), Some(max)) = (hidden, bound("min"), bound("max"))
                        && min >= 1
                    {
                        scan.looks.hidden_columns.push((min - 1, max.max(min) - 1));
                    }
                }
                "sheetFormatPr" => {
                    rows.hidden_by_default(attribute(e, "zeroHeight").is_some_and(|v| truthy(&v)));
                }
                "mergeCell" => {
                    if let Some(merge) = attribute(e, "ref").as_deref().and_then(merge_range) {
                        scan.looks.merges.push(merge);
                    }
                }
                "customSheetView" => in_custom_view = !empty,
                "autoFilter" if !in_custom_view => scan.looks.filter = true,
                "conditionalFormatting" | "cfRule" | "dxf" | "numFmt" | "sqref" => {
                    scan.conditional.start(e, empty);
                }
                _ => {}
            },
            Event::Text(text) if reading != Reading::Nothing => {
                push_text(&mut formula, reading, &text.xml10_content());
            }
            Event::Text(text) if scan.conditional.reading_sqref => {
                scan.conditional.text(&text.xml10_content());
            }
            Event::GeneralRef(entity) if reading != Reading::Nothing => {
                let resolved = match entity.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::unescape(&format!("&{};", entity.xml10_content()))
                        .map(|s| s.into_owned())
                        .unwrap_or_default(),
                };
                push_text(&mut formula, reading, &resolved);
            }
            Event::End(e) => match e.local_name().as_ref() {
                "f" | "v" => {
                    if reading == Reading::Formula
                        && let Some(cell) = &formula
                        && let Some(si) = &cell.shared
                        && let Some(anchor) = anchors.get_mut(si)
                        && anchor.0.is_empty()
                    {
                        anchor.0 = cell.text.clone();
                    }
                    reading = Reading::Nothing;
                }
                "c" => {
                    in_cell = false;
                    if let Some(cell) = formula.take()
                        && !computed(&cell, &cell_attributes, recalculate)
                    {
                        let (r, c) = cell_position(&cell_attributes, row, column);
                        let text = formula_text(&cell, (r, c), &anchors);
                        scan.formulas.push((r, c, text));
                    }
                }
                "customSheetView" => in_custom_view = false,
                name @ ("conditionalFormatting" | "dxf" | "sqref") => scan.conditional.end(name),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    scan.looks.hidden_rows = rows.hidden(LAST_ROW);
    Ok(scan)
}

fn push_text(formula: &mut Option<FormulaCell>, reading: Reading, text: &str) {
    if let Some(cell) = formula.as_mut() {
        match reading {
            Reading::Formula => cell.text.push_str(text),
            Reading::Value => cell.value.get_or_insert_with(String::new).push_str(text),
            Reading::Nothing => {}
        }
    }
}

/// Whether a formula cell's stored result is a computed one: a `<v>` with text (or an
/// empty one for a text result, `t="str"`), or an inline string; not a stored `0` where the
/// workbook asks to be recalculated.
fn computed(cell: &FormulaCell, attributes: &str, recalculate: bool) -> bool {
    let kind = tag_attribute(attributes, "t");
    let result = match (&cell.value, cell.inline) {
        (_, true) => true,
        (None, false) => false,
        (Some(value), false) => !value.is_empty() || kind.as_deref() == Some("str"),
    };
    let stale = recalculate
        && cell.value.as_deref() == Some("0")
        && matches!(kind.as_deref(), None | Some("n"));
    result && !stale
}

/// The formula as written in the cell, with its leading `=`: a cell of a shared formula
/// has the anchor's formula moved to it, as the spreadsheet shows it.
fn formula_text(
    cell: &FormulaCell,
    position: (u32, u32),
    anchors: &HashMap<String, (String, (u32, u32))>,
) -> String {
    if !cell.text.is_empty() {
        return format!("={}", cell.text);
    }
    let moved = cell
        .shared
        .as_ref()
        .and_then(|si| anchors.get(si))
        .filter(|(text, _)| !text.is_empty())
        .and_then(|(text, anchor)| calamine::expand_shared_formula(text, *anchor, position).ok());
    match moved {
        Some(text) => format!("={text}"),
        None => "(a shared formula)".to_string(),
    }
}

/// The zero-based position of the cell whose attributes are `attributes`: its `r`, else
/// the `column`th cell of row `row`.
fn cell_position(attributes: &str, row: usize, column: u32) -> (u32, u32) {
    tag_attribute(attributes, "r")
        .as_deref()
        .and_then(cell_reference)
        .unwrap_or((row.saturating_sub(1) as u32, column.saturating_sub(1)))
}

fn tag_attribute(attributes: &str, name: &str) -> Option<String> {
    let tag = BytesStart::from_content(format!("c {attributes}"), 1);
    attribute(&tag, name)
}

/// `B12` as zero-based (row, column): (11, 1).
fn cell_reference(reference: &str) -> Option<(u32, u32)> {
    let reference = reference.replace('$', "");
    let letters = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let (column, row) = reference.split_at(letters);
    if letters == 0 || letters > 3 {
        return None;
    }
    let column = column.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = row.parse().ok()?;
    (row >= 1).then(|| (row - 1, column - 1))
}

/// `D2:D4` as a merged range; a single cell merges nothing.
fn merge_range(reference: &str) -> Option<Merge> {
    let (first, last) = reference.split_once(':')?;
    let (top, left) = cell_reference(first)?;
    let (bottom, right) = cell_reference(last)?;
    Some(Merge {
        rows: (top.min(bottom) as usize + 1, top.max(bottom) as usize + 1),
        columns: (left.min(right) as usize, left.max(right) as usize),
    })
}

fn truthy(value: &str) -> bool {
    value == "1" || value == "true"
}

#[cfg(test)]
mod tests;
