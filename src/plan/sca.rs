//! The sheet notation of shared call appearance endpoints (API.md §13): columns
//! `sca.add[N].linePort`, `.deviceName` (both required), `.deviceLevel` (`Group` unless
//! given), `.isActive`, `.allowOrigination`, `.allowTermination` (booleans; not given, an
//! endpoint added has them `true` and one the user has keeps its own), and `sca.remove`
//! (`;`-separated line ports). The cells of one row with the same `N` make one endpoint,
//! keyed by its line port: the entry of a [`crate::plan::Step::Entries`] step of
//! [`Resource::SharedCallAppearance`]. An empty cell means nothing.

use serde_json::{Map, Value};

use super::convert::convert;
use super::rows::{Change, Source};
use crate::operation::sca::DEFAULT_LEVEL;
use crate::problem::{Column, Problem};
use crate::resource::Resource;
use crate::schema::FieldType;
use crate::sheet::Cell;

/// The prefix of the columns.
pub(crate) const PREFIX: &str = "sca.";

/// What an SCA column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaColumn {
    /// A field of the `N`th endpoint a row adds.
    Add {
        /// Which endpoint of the row.
        n: u32,
        /// Which field.
        field: AddField,
    },
    /// Line ports to remove.
    Remove,
}

/// A field of an endpoint added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddField {
    /// `linePort`: the entry id.
    LinePort,
    /// `deviceName`.
    DeviceName,
    /// `deviceLevel`.
    DeviceLevel,
    /// One of [`crate::operation::sca::FLAGS`].
    Flag(&'static str),
}

impl AddField {
    /// The fields, as the columns name them, in the order export writes them.
    pub const ALL: [AddField; 6] = [
        AddField::LinePort,
        AddField::DeviceName,
        AddField::DeviceLevel,
        AddField::Flag("isActive"),
        AddField::Flag("allowOrigination"),
        AddField::Flag("allowTermination"),
    ];

    /// Its name in a column title and in an entry.
    pub fn name(self) -> &'static str {
        match self {
            AddField::LinePort => "linePort",
            AddField::DeviceName => "deviceName",
            AddField::DeviceLevel => "deviceLevel",
            AddField::Flag(flag) => flag,
        }
    }
}

/// The title of field `field` of the `n`th endpoint: `sca.add[0].linePort`.
pub fn title(n: u32, field: &str) -> String {
    format!("{PREFIX}add[{n}].{field}")
}

/// The title of the column of line ports to remove.
pub const REMOVE: &str = "sca.remove";

/// What a column titled `text` is, when it starts with `sca.` (`None` otherwise), or why
/// it names no SCA column.
pub fn parse_title(text: &str) -> Option<Result<ScaColumn, String>> {
    let rest = text.trim().strip_prefix(PREFIX)?;
    if rest == "remove" {
        return Some(Ok(ScaColumn::Remove));
    }
    let known = || {
        format!(
            "`{}` is no SCA column; they are `sca.add[N].linePort`, `sca.add[N].deviceName`, \
             `sca.add[N].deviceLevel`, `sca.add[N].isActive`, `sca.add[N].allowOrigination`, \
             `sca.add[N].allowTermination` (N: 0, 1, …) and `sca.remove`",
            text.trim()
        )
    };
    let parsed = rest.strip_prefix("add[").and_then(|rest| {
        let (n, field) = rest.split_once("].")?;
        let n: u32 = n
            .parse()
            .ok()
            .filter(|_| n.chars().all(|c| c.is_ascii_digit()))?;
        let field = AddField::ALL.into_iter().find(|f| f.name() == field)?;
        Some(ScaColumn::Add { n, field })
    });
    Some(parsed.ok_or_else(known))
}

/// The value of a cell of field `field`: text for the device and line port (a line port
/// must be `name@domain`), a boolean for the flags.
pub(crate) fn cell_value(cell: &Cell, field: AddField) -> Result<Option<Value>, String> {
    let ty = match field {
        AddField::Flag(_) => FieldType::Bool,
        _ => FieldType::Text,
    };
    let value =
        convert(cell, ty, &[]).map_err(|why| format!("`sca.add[N].{}`: {why}", field.name()))?;
    let Some(value) = value else {
        return Ok(None);
    };
    match (&value, field) {
        (Value::String(text), AddField::LinePort) => {
            line_port(text).map(|port| Some(Value::String(port)))
        }
        (Value::String(text), _) if text.trim().is_empty() => Ok(None),
        (Value::String(text), _) => Ok(Some(Value::String(text.trim().to_string()))),
        (Value::Bool(_), AddField::Flag(_)) => Ok(Some(value)),
        _ => Err(format!("`{value}` is not a {}", field.name())),
    }
}

/// The line ports of a `sca.remove` cell.
pub(crate) fn removed(cell: &Cell) -> Result<Vec<String>, String> {
    let Some(value) = convert(cell, FieldType::Text, &[])? else {
        return Ok(Vec::new());
    };
    let text = match value {
        Value::String(text) => text,
        other => other.to_string(),
    };
    text.split(';')
        .map(str::trim)
        .filter(|port| !port.is_empty())
        .map(line_port)
        .collect()
}

/// A line port as given, checked to be `name@domain` (API.md §13).
fn line_port(text: &str) -> Result<String, String> {
    let port = text.trim();
    let good = port.split_once('@').is_some_and(|(name, domain)| {
        !name.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !port.chars().any(char::is_whitespace);
    match good {
        true => Ok(port.to_string()),
        false => Err(format!(
            "`{port}` is not a line port: one is `name@domain` (e.g. `jdoe_wbx@example.com`)"
        )),
    }
}

/// The endpoints of one row: its `sca.add[N].*` cells (N, field, value, where) grouped by
/// N into one [`Change::Entry`] each, sourced at its line port cell. An N without a line
/// port or without a device name is a problem at one of its cells.
pub(crate) fn group(
    mut cells: Vec<(u32, AddField, Value, Source)>,
    columns: &[Column],
    problems: &mut Vec<Problem>,
) -> Vec<(Change, Source)> {
    cells.sort_by_key(|(n, field, _, _)| (*n, *field));
    let mut out = Vec::new();
    let mut at = 0;
    while at < cells.len() {
        let n = cells[at].0;
        let end = at + cells[at..].iter().take_while(|c| c.0 == n).count();
        let endpoint = &cells[at..end];
        at = end;
        let get = |field| endpoint.iter().find(|c| c.1 == field);
        let Some((_, _, Value::String(port), source)) = get(AddField::LinePort) else {
            let (_, field, _, source) = &endpoint[0];
            problems.push(source.problem(
                columns,
                format!(
                    "`{}` is set but `{}` is empty: an SCA endpoint is keyed by its line port; \
                     fill it in or clear the row's `sca.add[{n}].*` cells",
                    title(n, field.name()),
                    title(n, "linePort")
                ),
            ));
            continue;
        };
        if get(AddField::DeviceName).is_none() {
            problems.push(source.problem(
                columns,
                format!(
                    "the SCA endpoint `{port}` has no device: fill in `{}`",
                    title(n, "deviceName")
                ),
            ));
            continue;
        }
        let mut entry = Map::new();
        entry.insert("deviceLevel".into(), Value::String(DEFAULT_LEVEL.into()));
        for (_, field, value, _) in endpoint {
            if *field != AddField::LinePort {
                entry.insert(field.name().into(), value.clone());
            }
        }
        let change = Change::Entry {
            resource: Resource::SharedCallAppearance,
            id: port.clone(),
            entry: Some(Value::Object(entry)),
        };
        out.push((change, source.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn titles_name_an_endpoint_field_or_the_removals() {
        assert_eq!(
            parse_title("sca.add[2].allowTermination"),
            Some(Ok(ScaColumn::Add {
                n: 2,
                field: AddField::Flag("allowTermination")
            }))
        );
        assert_eq!(parse_title(" sca.remove "), Some(Ok(ScaColumn::Remove)));
        assert_eq!(parse_title("user.extension"), None);
        for bad in [
            "sca.add[x].linePort",
            "sca.add[1].mac",
            "sca.add.linePort",
            "sca.add[-1].linePort",
        ] {
            let why = parse_title(bad).unwrap().unwrap_err();
            assert!(why.contains("is no SCA column"), "{why}");
        }
    }

    #[test]
    fn cells_convert_and_line_ports_are_checked() {
        let text = |t: &str| Cell::Text(t.into());
        assert_eq!(
            cell_value(&text(" a_wbx@x.com "), AddField::LinePort),
            Ok(Some(json!("a_wbx@x.com")))
        );
        for bad in ["a_wbx", "@x", "a@", "a@b@c", "a b@x"] {
            assert!(cell_value(&text(bad), AddField::LinePort).is_err(), "{bad}");
        }
        assert_eq!(
            cell_value(&Cell::Bool(false), AddField::Flag("isActive")),
            Ok(Some(json!(false)))
        );
        assert_eq!(
            cell_value(&text("TRUE"), AddField::Flag("isActive")),
            Ok(Some(json!(true)))
        );
        assert!(cell_value(&text("maybe"), AddField::Flag("isActive")).is_err());
        assert_eq!(cell_value(&Cell::Empty, AddField::DeviceName), Ok(None));
        assert_eq!(
            removed(&text("a@x; b@x;")),
            Ok(vec!["a@x".to_string(), "b@x".to_string()])
        );
        assert!(removed(&text("a@x;b")).is_err());
    }
}
