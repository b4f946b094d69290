//! Which sheet cell set a user's field, kept beside the plan for the messages that name a
//! cell after the sheet is gone: a value refused against the live one
//! ([`crate::apply::lossy`]) is reported at its row and column, like a validation problem.
//!
//! Only the fields whose value a spreadsheet can have shortened are kept ([`digits_of`]:
//! text that is digits alone), and the number fields a group's reads may refuse
//! ([`refused_at_cell`]), so a 100,000-row sheet of names and flags keeps nothing, and
//! one of extensions and phone numbers 16 bytes per such cell (one shared record per
//! column). Plan files do not hold it: a plan read from a file names its users' rows.

use std::sync::Arc;

use serde_json::Value;

use crate::notation::FieldPath;
use crate::problem::Column;
use crate::resource::Resource;

/// A column that sets a field: the column as the admin sees it, and the field it sets.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldColumn {
    /// The sheet column (its letter and title).
    pub column: Column,
    /// The field its cells set.
    pub field: Arc<FieldPath>,
}

/// The cells that set a user's digit fields (see the module doc): where each came from.
///
/// Equality ignores it: where a value came from is no part of what a plan asks, so a plan
/// read back from its file equals the plan of the sheet.
#[derive(Debug, Clone, Default)]
pub struct SheetCells(Box<[(Arc<FieldColumn>, u32)]>);

impl PartialEq for SheetCells {
    fn eq(&self, _: &SheetCells) -> bool {
        true
    }
}

impl SheetCells {
    /// From (column, row) pairs.
    pub fn new(cells: Vec<(Arc<FieldColumn>, u32)>) -> SheetCells {
        SheetCells(cells.into_boxed_slice())
    }

    /// The row and column of the cell that set `key` of `resource`, if it is kept.
    pub fn of(&self, resource: Resource, key: &str) -> Option<(usize, &Column)> {
        self.0
            .iter()
            .find(|(column, _)| {
                Resource::of(column.field.namespace) == resource && column.field.relative() == key
            })
            .map(|(column, row)| (*row as usize, &column.column))
    }

    /// How many cells are kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The digits of a planned value that a spreadsheet can have shortened: a string of ASCII
/// digits and nothing else — what a number cell becomes in a text field (or in a field of
/// unknown type), and what a CSV cell a spreadsheet rewrote holds. `None` for anything
/// else: text with a `+`, letters or separators was not rewritten as a number, and a JSON
/// number is the value of a number field (or a `json:` cell), never a text's digits.
pub fn digits_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            Some(text)
        }
        _ => None,
    }
}

/// Whether `path` is a user-record field that what users ask of their groups together may
/// refuse after the sheet is read (a held or clashing number or extension, an activation
/// without a number: API.md §12): its cell is kept whatever its value, so that the refusal
/// names it.
pub fn refused_at_cell(path: &FieldPath) -> bool {
    const FIELDS: [&str; 4] = [
        "phoneNumber",
        "extension",
        "callingLineIdPhoneNumber",
        "phoneNumberActivated",
    ];
    Resource::of(path.namespace) == Resource::User && FIELDS.contains(&path.relative().as_str())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_digit_text_can_be_shortened() {
        assert_eq!(digits_of(&json!("0014")), Some("0014"));
        assert_eq!(digits_of(&json!("447701000000")), Some("447701000000"));
        for other in [
            json!("+15553000014"),
            json!("555-1234"),
            json!(""),
            json!(14),
            json!(1.5),
            json!(true),
            json!(null),
        ] {
            assert_eq!(digits_of(&other), None, "{other}");
        }
    }

    #[test]
    fn a_cell_is_found_by_its_field() {
        let extension = Arc::new(FieldColumn {
            column: Column {
                index: 2,
                title: "user.extension".into(),
            },
            field: Arc::new(FieldPath::parse("user.extension").unwrap()),
        });
        let cells = SheetCells::new(vec![(extension, 7)]);
        let (row, column) = cells.of(Resource::User, "extension").unwrap();
        assert_eq!((row, column.letter()), (7, "C".to_string()));
        assert!(cells.of(Resource::Policy, "extension").is_none());
        assert_eq!(cells, SheetCells::default(), "equality ignores the cells");
    }
}
