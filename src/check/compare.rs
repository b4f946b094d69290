//! A group listing's row beside the user's record (API.md §7a): which fields of the record
//! the row holds, which it holds otherwise (`department` as text where the record has an
//! object), which it lacks, and which only the row has.

use serde::Serialize;
use serde_json::Value;

use crate::notation::Segment;
use crate::odin::group::holds;

/// The fields of a user record, sorted by name, by what a listing row holds of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowFields {
    /// Fields the row holds with the record's value (a number or boolean spelled as text
    /// counts as the same value, as Odin's sloppiness makes it).
    pub held: Vec<String>,
    /// Fields the row holds, but not as the record does.
    pub differs: Vec<Difference>,
    /// Fields of the record the row lacks: unknown from the row, never unset.
    pub lacked: Vec<String>,
    /// Keys only the row has, e.g. `inTrunkGroup`.
    pub extra: Vec<String>,
    /// Fields of the record sleipnir takes from such a row when it reads the group
    /// ([`crate::odin::group::holds`]); it reads the user's record for the others.
    pub read_from_row: Vec<String>,
}

/// A field a row holds otherwise than the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// The field.
    pub field: String,
    /// What the row holds: `text`, `number`, `boolean`, `object`, `list` or `null`.
    pub row: &'static str,
    /// What the record holds, in the same words.
    pub record: &'static str,
}

/// Compare `row` (a listing row) with `record` (`GET /users?userId=` of the same user), key
/// by key at the top level. Neither needs to be an object: a non-object holds nothing.
pub fn row_fields(record: &Value, row_value: &Value) -> RowFields {
    let empty = serde_json::Map::new();
    let record = record.as_object().unwrap_or(&empty);
    let row = row_value.as_object().unwrap_or(&empty);
    let mut fields = RowFields::default();
    for (key, value) in record {
        if holds(row_value, &[Segment::Key(key.clone())]) {
            fields.read_from_row.push(key.clone());
        }
        match row.get(key) {
            None => fields.lacked.push(key.clone()),
            Some(held) if same(value, held) => fields.held.push(key.clone()),
            Some(held) => fields.differs.push(Difference {
                field: key.clone(),
                row: kind(held),
                record: kind(value),
            }),
        }
    }
    fields.extra = row
        .keys()
        .filter(|key| !record.contains_key(*key))
        .cloned()
        .collect();
    for list in [
        &mut fields.held,
        &mut fields.lacked,
        &mut fields.extra,
        &mut fields.read_from_row,
    ] {
        list.sort();
    }
    fields.differs.sort_by(|a, b| a.field.cmp(&b.field));
    fields
}

/// Equal, or the same scalar spelled another way (`1234` and `"1234"`, `true` and `"true"`).
fn same(a: &Value, b: &Value) -> bool {
    a == b || matches!((scalar_text(a), scalar_text(b)), (Some(x), Some(y)) if x == y)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The JSON type in the words `check` prints.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "text",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_summary_row_holds_some_fields_and_department_as_text() {
        let record = json!({
            "userId": "u1", "lastName": "Turing", "extension": "1001",
            "phoneNumber": "+15550001", "countryCode": 1,
            "address": {"city": "London"},
            "department": {"serviceProviderId": "sp", "groupId": "g", "name": "Sales"},
            "callingLineIdPhoneNumber": "+15550001",
        });
        let row = json!({
            "userId": "u1", "lastName": "Turing", "extension": 1001,
            "phoneNumber": "+15550001", "countryCode": "1",
            "department": "Sales", "inTrunkGroup": false,
        });
        let fields = row_fields(&record, &row);
        assert_eq!(
            fields.held,
            [
                "countryCode",
                "extension",
                "lastName",
                "phoneNumber",
                "userId"
            ]
        );
        assert_eq!(
            fields.differs,
            [Difference {
                field: "department".into(),
                row: "text",
                record: "object"
            }]
        );
        assert_eq!(fields.lacked, ["address", "callingLineIdPhoneNumber"]);
        assert_eq!(fields.extra, ["inTrunkGroup"]);
        // sleipnir takes what the row holds, except the department it holds as text.
        assert_eq!(fields.read_from_row, fields.held);
    }

    #[test]
    fn another_value_of_the_same_kind_differs() {
        let fields = row_fields(&json!({"a": "x", "b": [1]}), &json!({"a": "y", "b": [1]}));
        assert_eq!(fields.held, ["b"]);
        assert_eq!(fields.differs[0].row, fields.differs[0].record);
    }

    #[test]
    fn a_row_that_is_not_an_object_holds_nothing() {
        let fields = row_fields(&json!({"a": 1}), &json!("row"));
        assert_eq!(fields.lacked, ["a"]);
        assert!(fields.held.is_empty() && fields.extra.is_empty());
    }
}
