//! Live value → the cell that plans back to exactly that value (DESIGN.md §3 read in reverse).
//!
//! Each candidate cell is checked by running it through the planner's own conversion
//! ([`crate::plan::convert`]) and comparison ([`crate::apply::diff::same`]), as the file
//! will be read back: a cell is only written when it re-plans to no change.
//! - absent and JSON `null` → blank (blank leaves the field as it is; Odin omits unset fields);
//! - the empty string → `<empty>`; other text → text (digits of a JSON number in a text field
//!   included); booleans (and `"true"`/`"false"` of boolean fields) → boolean cells; numbers
//!   of number fields → number cells; lists and objects → `json:` cells;
//! - anything that would not read back the same (surrounding spaces, text that looks like
//!   `json:` or `<null>`, in CSV text a spreadsheet would run as a formula) → a `json:` cell.

use serde_json::Value;

use crate::apply::diff::same;
use crate::plan::convert::convert;
use crate::rundir::spreadsheet_safe;
use crate::schema::FieldType;
use crate::sheet::{Cell, format_number};

/// The file format, which decides how cells come back when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// A workbook: typed cells.
    Xlsx,
    /// UTF-8 CSV with BOM: every cell is text.
    Csv,
}

/// One cell of an exported sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    /// Nothing: leave the field as it is.
    Blank,
    /// Text (also `<empty>` and `json:` cells).
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
}

impl ExportCell {
    /// The cell as text, the way CSV holds it.
    pub fn as_text(&self) -> String {
        match self {
            ExportCell::Blank => String::new(),
            ExportCell::Text(text) => text.clone(),
            ExportCell::Bool(b) => b.to_string(),
            ExportCell::Number(n) => format_number(*n),
        }
    }

    /// The cell as the project's reader will see it in a file of `format`.
    fn as_read(&self, format: SheetFormat) -> Cell {
        match (self, format) {
            (ExportCell::Blank, _) => Cell::Empty,
            (ExportCell::Bool(b), SheetFormat::Xlsx) => Cell::Bool(*b),
            (ExportCell::Number(n), SheetFormat::Xlsx) => Cell::Number(*n),
            (other, _) => Cell::text(&other.as_text()),
        }
    }
}

/// The live value has no cell that reads back as itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unrepresentable {
    /// No cell of the sheet's format reads back as the value.
    #[error("`{value}` has no cell that reads back as the same {ty}")]
    NoCell {
        /// The live value, as JSON.
        value: String,
        /// The field's type.
        ty: FieldType,
    },
    /// An XLSX cell holds at most 32,767 characters: a cut value would plan a change.
    #[error(
        "its value of {} characters is longer than a workbook cell holds ({}); export to \
         .csv to keep it",
        crate::text::thousands(*chars as u64),
        crate::text::thousands(crate::report::workbook::CELL_MAX as u64)
    )]
    TooLong {
        /// The length of the value's text.
        chars: usize,
    },
}

/// The cell for `live` in a field of type `ty`, checked to plan back to `live` unchanged.
pub fn cell_for(
    live: Option<&Value>,
    ty: FieldType,
    format: SheetFormat,
) -> Result<ExportCell, Unrepresentable> {
    let Some(value) = live.filter(|v| !v.is_null()) else {
        return Ok(ExportCell::Blank);
    };
    let natural = match value {
        Value::Bool(b) => ExportCell::Bool(*b),
        Value::String(s) if s.is_empty() => ExportCell::Text("<empty>".into()),
        Value::String(s) if matches!(ty, FieldType::Bool | FieldType::BoolText) => {
            match s.as_str() {
                "true" => ExportCell::Bool(true),
                "false" => ExportCell::Bool(false),
                _ => ExportCell::Text(s.clone()),
            }
        }
        Value::String(s) => ExportCell::Text(s.clone()),
        Value::Number(n) if matches!(ty, FieldType::Integer | FieldType::Number) => {
            match n.as_f64() {
                Some(f) => ExportCell::Number(f),
                None => ExportCell::Text(n.to_string()),
            }
        }
        Value::Number(n) => ExportCell::Text(n.to_string()),
        Value::Array(_) | Value::Object(_) => ExportCell::Text(format!("json:{value}")),
        Value::Null => ExportCell::Blank,
    };
    let fallbacks = [
        match value {
            Value::Number(n) => Some(ExportCell::Text(n.to_string())),
            _ => None,
        },
        Some(ExportCell::Text(format!("json:{value}"))),
    ];
    std::iter::once(natural)
        .chain(fallbacks.into_iter().flatten())
        .find(|cell| reads_back(cell, value, ty, format))
        .ok_or_else(|| {
            let chars = match value {
                Value::String(s) => s.chars().count(),
                other => other.to_string().chars().count(),
            };
            match format == SheetFormat::Xlsx && chars > crate::report::workbook::CELL_MAX {
                true => Unrepresentable::TooLong { chars },
                false => Unrepresentable::NoCell {
                    value: value.to_string(),
                    ty,
                },
            }
        })
}

fn reads_back(cell: &ExportCell, live: &Value, ty: FieldType, format: SheetFormat) -> bool {
    if format == SheetFormat::Xlsx
        && let ExportCell::Text(text) = cell
        && text.chars().count() > crate::report::workbook::CELL_MAX
    {
        return false;
    }
    if format == SheetFormat::Csv
        && let ExportCell::Text(text) = cell
        && spreadsheet_safe(text).len() != text.len()
    {
        return false;
    }
    matches!(convert(&cell.as_read(format), ty, &[]), Ok(Some(planned)) if same(Some(live), &planned))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn both(value: Value, ty: FieldType) -> (ExportCell, ExportCell) {
        (
            cell_for(Some(&value), ty, SheetFormat::Xlsx).unwrap(),
            cell_for(Some(&value), ty, SheetFormat::Csv).unwrap(),
        )
    }

    fn text(s: &str) -> ExportCell {
        ExportCell::Text(s.into())
    }

    #[test]
    fn unset_is_blank_and_empty_is_marked() {
        assert_eq!(
            cell_for(None, FieldType::Text, SheetFormat::Xlsx),
            Ok(ExportCell::Blank)
        );
        assert_eq!(both(Value::Null, FieldType::Integer).0, ExportCell::Blank);
        assert_eq!(
            both(json!(""), FieldType::Text),
            (text("<empty>"), text("<empty>"))
        );
    }

    #[test]
    fn phone_numbers_and_extensions_stay_text() {
        assert_eq!(
            both(json!(9871515000u64), FieldType::Text).0,
            text("9871515000")
        );
        assert_eq!(
            both(json!("+15551234567"), FieldType::Text).1,
            text("+15551234567")
        );
        assert_eq!(both(json!("0042"), FieldType::Text).0, text("0042"));
        assert_eq!(both(json!(1), FieldType::Text).1, text("1"));
    }

    #[test]
    fn booleans_and_numbers_keep_their_kind() {
        assert_eq!(both(json!(true), FieldType::Bool).0, ExportCell::Bool(true));
        assert_eq!(
            both(json!("false"), FieldType::BoolText).0,
            ExportCell::Bool(false)
        );
        assert_eq!(
            both(json!(4), FieldType::Integer),
            (ExportCell::Number(4.0), ExportCell::Number(4.0))
        );
        assert_eq!(
            both(json!(2.5), FieldType::Number).0,
            ExportCell::Number(2.5)
        );
        let big = json!(9_007_199_254_740_993u64);
        assert_eq!(both(big, FieldType::Integer).0, text("9007199254740993"));
    }

    #[test]
    fn lists_objects_and_lookalikes_become_json() {
        assert_eq!(both(json!(["a"]), FieldType::List).0, text("json:[\"a\"]"));
        assert_eq!(
            both(json!(" padded "), FieldType::Text).0,
            text("json:\" padded \"")
        );
        assert_eq!(
            both(json!("<null>"), FieldType::Text).0,
            text("json:\"<null>\"")
        );
        assert_eq!(
            both(json!("json:x"), FieldType::Text).0,
            text("json:\"json:x\"")
        );
        assert_eq!(both(json!("None"), FieldType::Text).0, text("None"));
        let (xlsx, csv) = both(json!("=1+2"), FieldType::Text);
        assert_eq!(xlsx, text("=1+2"));
        assert_eq!(csv, text("json:\"=1+2\""));
    }

    #[test]
    fn values_that_cannot_read_back_are_refused() {
        assert!(cell_for(Some(&json!("True")), FieldType::BoolText, SheetFormat::Csv).is_err());
    }

    #[test]
    fn a_text_too_long_for_a_workbook_cell_is_no_xlsx_cell_and_a_csv_one() {
        let long = json!("x".repeat(40_000));
        assert_eq!(
            cell_for(Some(&long), FieldType::Text, SheetFormat::Xlsx),
            Err(Unrepresentable::TooLong { chars: 40_000 })
        );
        assert_eq!(
            cell_for(Some(&long), FieldType::Text, SheetFormat::Csv),
            Ok(ExportCell::Text("x".repeat(40_000)))
        );
    }
}
