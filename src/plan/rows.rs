//! One row → the changes it asks for. Pure, so rows are converted in parallel.

use std::sync::Arc;

use serde_json::Value;

use super::columns::{Identity, Layout, Role};
use super::convert::{convert, date_shown, digits_shown, is_error_value};
use crate::credentials::{Credential, CredentialValue, GENERATE, RuleBroken, Secret};
use crate::problem::{Column, Problem};
use crate::schema::Schema;
use crate::sheet::{Cell, Row, format_number};

/// Where a change came from, for messages. Cheap to copy: every cell has one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// A sheet cell: its row number and its position in the sheet's columns.
    Cell { row: usize, column: usize },
    /// A mapping constant, described as in messages.
    Constant(Arc<str>),
}

impl Source {
    /// A problem located here; `columns` are the sheet's.
    pub fn problem(&self, columns: &[Column], message: impl Into<String>) -> Problem {
        match self {
            Source::Cell { row, column } => Problem::cell(*row, &columns[*column], message),
            Source::Constant(entry) => Problem::mapping(entry.to_string(), message),
        }
    }

    /// "row 3, column B" or "mapping constant `x`", to name the other side of a conflict.
    pub fn describe(&self, columns: &[Column]) -> String {
        match self {
            Source::Cell { row, column } => {
                format!("row {row}, column {}", columns[*column].letter())
            }
            Source::Constant(entry) => format!("mapping {entry}"),
        }
    }
}

/// What a row does to its user (its `action` cell; `change` when blank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Change a user that exists (the default).
    Change,
    /// Create the user (API.md §14).
    Create,
    /// Delete the user (API.md §14): only with `--allow-delete`.
    Delete,
}

impl Action {
    /// The action a cell's text names, ignoring case and surrounding spaces.
    fn parse(text: &str) -> Option<Action> {
        match text.trim().to_lowercase().as_str() {
            "change" => Some(Action::Change),
            "create" => Some(Action::Create),
            "delete" => Some(Action::Delete),
            _ => None,
        }
    }

    /// How a cell writes it.
    pub fn name(self) -> &'static str {
        match self {
            Action::Change => "change",
            Action::Create => "create",
            Action::Delete => "delete",
        }
    }
}

/// One thing a cell asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// What the row does to its user.
    Action(Action),
    /// Set a field.
    Field {
        path: Arc<crate::notation::FieldPath>,
        value: Value,
    },
    /// Assign or unassign a service or service pack.
    Service {
        packs: bool,
        name: String,
        assigned: bool,
    },
    /// Say where the user lives.
    Identity { key: Identity, value: String },
    /// Set a write-only credential.
    Credential {
        credential: Credential,
        value: CredentialValue,
    },
    /// A field of the `n`th endpoint a row adds (`sca.add[N].<field>`): a row's cells of
    /// one `n` become one [`Change::Entry`] ([`super::sca::group`]).
    EntryCell {
        n: u32,
        field: super::sca::AddField,
        value: Value,
    },
    /// An entry of a list added whole (`Some`) or removed (`None`).
    Entry {
        resource: crate::resource::Resource,
        id: String,
        entry: Option<Value>,
    },
}

/// The changes of one data row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowChanges {
    pub row: usize,
    pub user_id: String,
    pub changes: Vec<(Change, Source)>,
}

/// Convert a row: the changes of its good cells (`None` when the row has no user id to merge
/// them under) and every problem in it. Good cells of a bad row still count, so that a
/// conflict with another row is reported along with the bad cell.
pub(crate) fn convert_row(
    row: &Row,
    columns: &[Column],
    layout: &Layout,
    schema: &Schema,
) -> (Option<RowChanges>, Vec<Problem>) {
    let mut problems = Vec::new();
    let user_column = &columns[layout.user_id];
    let cell = &row.cells[layout.user_id];
    let user_id = match cell {
        // A user id never holds a character that does not show: one pasted along with it
        // makes an id that reads like the right one and matches no user.
        Cell::Text(text) if text.chars().any(hides) => {
            let c = text.chars().find(|c| hides(*c)).unwrap_or(' ');
            problems.push(Problem::cell(
                row.number,
                user_column,
                format!(
                    "the user id `{}` holds a character that does not show, {}; type the id \
                     again",
                    crate::text::escape_invisible(text),
                    crate::sheet::title::describe(c)
                ),
            ));
            String::new()
        }
        Cell::Text(text) if !is_error_value(text) => text.clone(),
        Cell::Number(_) | Cell::Formatted(_) if digits_shown(cell).is_some() => {
            digits_shown(cell).unwrap_or_default()
        }
        Cell::Empty => {
            problems.push(Problem::cell(
                row.number,
                user_column,
                "the user id is empty, but the row sets fields; fill it in or clear the row",
            ));
            String::new()
        }
        other => {
            problems.push(Problem::cell(
                row.number,
                user_column,
                format!("{} is not a user id", describe_cell(other)),
            ));
            String::new()
        }
    };
    let mut changes = Vec::new();
    let (mut endpoints, mut refused) = (Vec::new(), Vec::new());
    for (column, (cell, role)) in row.cells.iter().zip(&layout.roles).enumerate() {
        let source = Source::Cell {
            row: row.number,
            column,
        };
        match changes_of(cell, role, schema) {
            Ok(found) => {
                for change in found {
                    match change {
                        Change::EntryCell { n, field, value } => {
                            endpoints.push((n, field, value, source.clone()));
                        }
                        change => changes.push((change, source.clone())),
                    }
                }
            }
            Err(messages) => {
                if let Role::Sca(super::sca::ScaColumn::Add { n, .. }) = role {
                    // The endpoint's other cells are not told of again.
                    refused.push(*n);
                }
                problems.extend(messages.into_iter().map(|m| source.problem(columns, m)));
            }
        }
    }
    endpoints.retain(|(n, ..)| !refused.contains(n));
    changes.extend(super::sca::group(endpoints, columns, &mut problems));
    let merged = (!user_id.is_empty()).then_some(RowChanges {
        row: row.number,
        user_id,
        changes,
    });
    (merged, problems)
}

/// A character that shows as nothing or as a plain space although it is another: invisible
/// ones, control characters, and spaces other than ` `.
fn hides(c: char) -> bool {
    crate::text::is_invisible(c) || c.is_control() || (c.is_whitespace() && c != ' ')
}

/// What one cell (or constant) with a given role asks for.
pub(crate) fn changes_of(
    cell: &Cell,
    role: &Role,
    schema: &Schema,
) -> Result<Vec<Change>, Vec<String>> {
    match role {
        Role::UserId | Role::Ignored => Ok(Vec::new()),
        Role::Action(values) => {
            let text = match cell {
                Cell::Empty => return Ok(Vec::new()),
                Cell::Text(text) if text.trim().is_empty() => return Ok(Vec::new()),
                Cell::Text(text) => text.trim(),
                other => {
                    return Err(vec![format!(
                        "{} is not an action: write `change` (or leave it blank), `create` or \
                         `delete`",
                        describe_cell(other)
                    )]);
                }
            };
            // The mapping's words for the actions, then the actions' own names.
            let mapped = values
                .iter()
                .find(|(key, _)| key == text || key.eq_ignore_ascii_case(text))
                .and_then(|(_, value)| value.as_str());
            Action::parse(mapped.unwrap_or(text))
                .map(|action| vec![Change::Action(action)])
                .ok_or_else(|| {
                    let words: Vec<String> = values.iter().map(|(k, _)| format!("`{k}`")).collect();
                    let also = match words.is_empty() {
                        true => String::new(),
                        false => format!(" (or the mapping's {})", words.join(", ")),
                    };
                    vec![format!(
                        "`{text}` is not an action: write `change` (or leave it blank), `create` \
                         or `delete`{also}"
                    )]
                })
        }
        Role::Credential(credential) => credential_of(cell, *credential)
            .map(|found| found.into_iter().collect())
            .map_err(|m| vec![m]),
        Role::Sca(super::sca::ScaColumn::Add { n, field }) => {
            match super::sca::cell_value(cell, *field) {
                Ok(Some(value)) => Ok(vec![Change::EntryCell {
                    n: *n,
                    field: *field,
                    value,
                }]),
                Ok(None) => Ok(Vec::new()),
                Err(message) => Err(vec![message]),
            }
        }
        Role::Sca(super::sca::ScaColumn::Remove) => super::sca::removed(cell)
            .map(|ports| {
                ports
                    .into_iter()
                    .map(|id| Change::Entry {
                        resource: crate::resource::Resource::SharedCallAppearance,
                        id,
                        entry: None,
                    })
                    .collect()
            })
            .map_err(|m| vec![format!("`sca.remove`: {m}")]),
        Role::Members { resource, add } => {
            let value = convert(cell, crate::schema::FieldType::Text, &[]).map_err(|m| vec![m])?;
            let text = match value {
                None => return Ok(Vec::new()),
                Some(Value::String(text)) => text,
                Some(other) => other.to_string(),
            };
            Ok(crate::operation::members::cell_values(&text)
                .into_iter()
                .map(|id| Change::Entry {
                    resource: *resource,
                    id,
                    entry: add.then(|| Value::Object(serde_json::Map::new())),
                })
                .collect())
        }
        Role::Field(spec) => match convert(cell, spec.ty, &spec.values) {
            // A user's number is checked as a number (API.md §12), not sent as any text.
            Ok(Some(Value::String(text)))
                if is_phone_number(&spec.path)
                    && let Some(why) = crate::operation::numbers::spelling_problem(&text) =>
            {
                Err(vec![why])
            }
            // An activation is `true` or `false`: `<null>` would be sent as is and read
            // back as `false`, a deactivation nobody asked for (API.md §12).
            Ok(Some(value)) if is_activation(&spec.path) && !value.is_boolean() => {
                Err(vec![format!(
                    "`{}` is not an activation: write `true` or `false` (leave the cell blank \
                     to keep the number's activation as it is)",
                    match value {
                        Value::Null => "<null>".to_string(),
                        other => super::merge::show(&other),
                    }
                )])
            }
            Ok(Some(value)) => Ok(vec![Change::Field {
                path: spec.path.clone(),
                value,
            }]),
            Ok(None) => Ok(Vec::new()),
            Err(message) => Err(vec![message]),
        },
        Role::Identity(key) => match cell {
            Cell::Empty => Ok(Vec::new()),
            Cell::Text(text) if !is_error_value(text) => Ok(vec![Change::Identity {
                key: *key,
                value: text.clone(),
            }]),
            Cell::Number(_) | Cell::Formatted(_) if digits_shown(cell).is_some() => {
                Ok(vec![Change::Identity {
                    key: *key,
                    value: digits_shown(cell).unwrap_or_default(),
                }])
            }
            other => Err(vec![format!("{} is not an id", describe_cell(other))]),
        },
        Role::Services { packs, assign } => {
            let names = service_names(cell).map_err(|m| vec![m])?;
            let mut problems = Vec::new();
            let mut changes = Vec::new();
            for name in names {
                if !packs && !schema.is_user_service(&name) {
                    problems.push(format!(
                        "unknown service `{name}`{}",
                        crate::suggest::did_you_mean(&schema.closest_user_service(&name))
                    ));
                    continue;
                }
                changes.push(Change::Service {
                    packs: *packs,
                    name,
                    assigned: *assign,
                });
            }
            if problems.is_empty() {
                Ok(changes)
            } else {
                Err(problems)
            }
        }
    }
}

/// `;`-separated names, or a `json:` list of names.
fn service_names(cell: &Cell) -> Result<Vec<String>, String> {
    match cell {
        Cell::Empty => Ok(Vec::new()),
        Cell::Text(text) if !is_error_value(text) => {
            match text.strip_prefix("json:") {
                Some(literal) => {
                    let names: Vec<String> = serde_json::from_str(literal.trim()).map_err(|_| {
                    format!("`{text}` is not a JSON list of names (e.g. `json:[\"Do Not Disturb\"]`)")
                })?;
                    Ok(names)
                }
                None => Ok(text
                    .split(';')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(str::to_string)
                    .collect()),
            }
        }
        Cell::Number(n) => Ok(vec![format_number(*n)]),
        other => Err(format!(
            "{} is not a list of names; separate names with `;` (an error value or a date is \
             never one)",
            describe_cell(other)
        )),
    }
}

/// A credential cell: blank keeps it, `<generate>` asks Odin, text (or a number, for a
/// passcode typed into a workbook) is the value; `<empty>` and `<null>` cannot blank one.
/// Messages never quote the cell.
fn credential_of(cell: &Cell, credential: Credential) -> Result<Option<Change>, String> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Text(text) if is_error_value(text) => {
            return Err(format!(
                "`{credential}` holds a spreadsheet's error value; fix the formula or type the \
                 value"
            ));
        }
        Cell::Text(text) => text.clone(),
        // A workbook number shows as its format says (`0042` for 42 formatted `0000`), but
        // only the number is stored: the value handed out and the one sent could differ.
        Cell::Number(_) | Cell::Formatted(_) => {
            return Err(format!(
                "`{credential}` is a number in the workbook, and a number loses the leading \
                 zeros its format may show; format the column as Text and type the values again"
            ));
        }
        _ => return Err(format!("`{credential}` must be text or `{GENERATE}`")),
    };
    // `<Generate>` and `< generate >` are the token; `<generated>`, `<generate>x`,
    // `x<generate>` are typos of it, never a password to set.
    let token = text.trim();
    let generate = token
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .is_some_and(|inner| inner.trim().eq_ignore_ascii_case("generate"));
    let bracketed = token.starts_with('<') && token.ends_with('>');
    let lower = token.to_ascii_lowercase();
    let mentions = lower.contains("<generate") || lower.contains("generate>");
    if !generate && !["<empty>", "<null>"].contains(&token) && (bracketed || mentions) {
        return Err(format!(
            "`{credential}` holds a `<…>` word sleipnir does not know; write `{GENERATE}` for \
             Odin to generate the value, or the value itself"
        ));
    }
    let text = if generate { GENERATE.to_string() } else { text };
    let value = match text.as_str() {
        GENERATE if credential == Credential::SipUserName => {
            return Err(format!(
                "Odin has no generator for `{credential}`; write the user name"
            ));
        }
        GENERATE => CredentialValue::Generate,
        "<empty>" | "<null>" => return Err(RuleBroken::Empty.to_string()),
        _ => CredentialValue::Given(Secret::new(text)),
    };
    Ok(Some(Change::Credential { credential, value }))
}

fn describe_cell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "an empty cell".to_string(),
        Cell::Text(text) if is_error_value(text) => format!("`{text}` (an error value)"),
        Cell::Text(text) => format!("`{text}`"),
        Cell::Number(n) => format!("`{}`", format_number(*n)),
        Cell::Bool(b) => format!("`{}` (a boolean)", b.to_string().to_uppercase()),
        Cell::Date(text) => {
            let (shown, kind) = date_shown(text);
            format!("`{shown}` (a {kind})")
        }
        Cell::Error(text) => format!("`{text}` (an error cell)"),
        Cell::Formatted(formatted) => match &formatted.shown {
            Some(shown) => format!("`{shown}` (a number shown through its format)"),
            None => format!(
                "`{}` (a number with a format sleipnir cannot read)",
                format_number(formatted.value)
            ),
        },
        Cell::Formula(formula) => format!("`{formula}` (a formula without a computed value)"),
        Cell::FormattedText(formatted) => {
            format!("`{}` (text its format does not show)", formatted.text)
        }
        Cell::Conditional(conditional) => {
            let shown = describe_cell(&conditional.cell);
            format!("{shown}, whose number format depends on a conditional format,")
        }
    }
}

/// Whether `path` is one of the user record's numbers (`user.phoneNumber`,
/// `user.callingLineIdPhoneNumber`).
fn is_phone_number(path: &crate::notation::FieldPath) -> bool {
    path.namespace == crate::notation::Namespace::User
        && crate::operation::numbers::NUMBER_FIELDS.contains(&path.relative().as_str())
}

/// Whether `path` is the activation of the user's number (`user.phoneNumberActivated`).
pub(crate) fn is_activation(path: &crate::notation::FieldPath) -> bool {
    path.namespace == crate::notation::Namespace::User && path.relative() == "phoneNumberActivated"
}
