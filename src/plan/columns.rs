//! Header titles → what each column does, using the notation, the mapping file and the schema.

use std::sync::Arc;

use serde_json::Value;

use crate::credentials::Credential;
use crate::mapping::{MappedColumn, Mapping};
use crate::notation::{FieldPath, Namespace, PathError, Segment};
use crate::problem::{Column, Problem};
use crate::schema::{FieldType, Schema};
use crate::sheet::{Cell, Sheet};

/// Titles that name the user id column when no mapping says otherwise (compared ignoring case).
const USER_ID_ALIASES: [&str; 3] = ["userid", "user_id", "user id"];

/// The title of the column saying what a row does to its user (compared ignoring case).
pub(crate) const ACTION: &str = "action";

/// What a column (or a mapping constant) does to each user.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    /// Holds the user id.
    UserId,
    /// What the row does to its user (`action`: `change`, `create`, `delete`); a mapping's
    /// `values` may name them in the sheet's own words (`"Neu" = "create"`).
    Action(Vec<(String, Value)>),
    /// Skipped: listed under `ignore`, or an empty column without a title.
    Ignored,
    /// `user.serviceProviderId` / `user.groupId`: where the user lives, not a change.
    Identity(Identity),
    /// Sets one field.
    Field(FieldSpec),
    /// Sets a write-only credential (`credentials.<name>`, API.md §11).
    Credential(Credential),
    /// A shared call appearance column (`sca.add[N].<field>`, `sca.remove`).
    Sca(super::sca::ScaColumn),
    /// Hunt group or call center membership (`huntGroups.add`…, API.md §15): the list,
    /// and whether the cell's lists are joined (else left).
    Members {
        /// `huntGroups` or `callCenters`.
        resource: crate::resource::Resource,
        /// Joined rather than left.
        add: bool,
    },
    /// Assigns or unassigns services or service packs by name.
    Services {
        /// Service packs rather than user services.
        packs: bool,
        /// Assign rather than unassign.
        assign: bool,
    },
}

/// The identity keys a sheet may give instead of reading them from the live user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identity {
    ServiceProvider,
    Group,
}

/// A field column, with everything its cells need for conversion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldSpec {
    /// Shared by every change the column makes.
    pub path: Arc<FieldPath>,
    pub ty: FieldType,
    pub values: Vec<(String, Value)>,
}

/// The columns of a sheet, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Position (in `Sheet::columns`) of the user id column.
    pub user_id: usize,
    /// One role per column.
    pub roles: Vec<Role>,
    /// Mapping constants, each with the role its field path gives it and its value as a cell.
    pub constants: Vec<(String, Role, Cell)>,
}

/// Resolve every column; problems go to `problems`, and `None` means there is no user id
/// column to plan by.
pub(crate) fn resolve(
    sheet: &Sheet,
    mapping: Option<&Mapping>,
    schema: &Schema,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<String>,
) -> Option<Layout> {
    let mut user_id: Option<usize> = None;
    let mut roles = Vec::with_capacity(sheet.columns.len());
    for (i, column) in sheet.columns.iter().enumerate() {
        let role = column_role(sheet, column, mapping, schema, problems);
        if role == Role::UserId {
            match user_id {
                Some(first) => problems.push(Problem::cell(
                    sheet.header_row,
                    column,
                    format!(
                        "a second user id column; column {} already holds user ids",
                        sheet.columns[first].letter()
                    ),
                )),
                None => user_id = Some(i),
            }
        }
        roles.push(role);
    }
    let constants =
        mapping.map_or_else(Vec::new, |m| constants(m, schema, &roles, sheet, problems));
    if let Some(mapping) = mapping {
        for title in mapping.columns.keys() {
            if !sheet.columns.iter().any(|c| &c.title == title) {
                warnings.push(format!(
                    "mapping `{}` maps column `{title}`, which the sheet does not have",
                    mapping.path.display()
                ));
            }
        }
    }
    let Some(user_id) = user_id else {
        problems.push(no_user_id_column(
            mapping,
            sheet.hidden.1 == crate::sheet::Hidden::Skip,
        ));
        return None;
    };
    Some(Layout {
        user_id,
        roles,
        constants,
    })
}

/// What one column does: by its title, through the mapping when there is one.
fn column_role(
    sheet: &Sheet,
    column: &Column,
    mapping: Option<&Mapping>,
    schema: &Schema,
    problems: &mut Vec<Problem>,
) -> Role {
    let title = column.title.as_str();
    let is_user_id = match mapping.and_then(|m| m.user_id.as_deref()) {
        Some(name) => title == name,
        None => USER_ID_ALIASES.contains(&title.to_lowercase().as_str()),
    };
    if title.is_empty() {
        Role::Ignored
    } else if is_user_id {
        Role::UserId
    } else if mapping.is_some_and(|m| m.ignore.contains(title)) {
        Role::Ignored
    } else if let Some(mapped) = mapping.and_then(|m| m.columns.get(title)) {
        if mapped.field.eq_ignore_ascii_case(ACTION) {
            return Role::Action(mapped.values.clone());
        }
        mapped_role(mapped, schema).unwrap_or_else(|message| {
            let message = format!("mapped to `{}`: {message}", mapped.field);
            problems.push(Problem::cell(sheet.header_row, column, message));
            Role::Ignored
        })
    } else if title.trim().eq_ignore_ascii_case(ACTION) {
        Role::Action(Vec::new())
    } else {
        role_of(title, schema).unwrap_or_else(|message| {
            let message = unknown_column_message(title, message, mapping);
            problems.push(Problem::cell(sheet.header_row, column, message));
            Role::Ignored
        })
    }
}

/// The role of a column the mapping maps: its field path's, with the mapping's type and
/// value map.
fn mapped_role(mapped: &MappedColumn, schema: &Schema) -> Result<Role, String> {
    let Role::Field(mut spec) = role_of(&mapped.field, schema)? else {
        return role_of(&mapped.field, schema);
    };
    if let Some(name) = mapped.type_name.as_deref() {
        spec.ty = FieldType::from_mapping_name(name).ok_or_else(|| {
            format!(
                "unknown type `{name}` (known: {})",
                FieldType::MAPPING_NAMES
            )
        })?;
    }
    spec.values = mapped.values.clone();
    Ok(Role::Field(spec))
}

fn no_user_id_column(mapping: Option<&Mapping>, hidden_skipped: bool) -> Problem {
    let mut message = match mapping.and_then(|m| m.user_id.as_deref()) {
        Some(name) => {
            format!("no user id column: the mapping names `{name}`, but no header says `{name}`")
        }
        None => "no user id column; title one `userId` (or `user_id`, `User ID`), \
                 or name it with `user_id` in a mapping file"
            .to_string(),
    };
    if hidden_skipped {
        message.push_str(
            " (hidden columns were left out, as --hidden-columns skip asks: if the user ids \
             are in one, unhide it)",
        );
    }
    Problem::sheet(message)
}

fn unknown_column_message(title: &str, why: String, mapping: Option<&Mapping>) -> String {
    let not_a_path = matches!(FieldPath::parse(title), Err(PathError::NoNamespace(_)));
    match (not_a_path, mapping) {
        (true, Some(mapping)) => format!(
            "`{title}` is neither a field path nor a column of mapping `{}`; \
             map it under [columns] or list it under `ignore`",
            mapping.path.display()
        ),
        (true, None) => {
            format!("{why}; to use titles of your own, pass a mapping file with --mapping")
        }
        (false, _) => why,
    }
}

/// The role a field path gives a column, or why the path names nothing.
fn role_of(text: &str, schema: &Schema) -> Result<Role, String> {
    if let Some(name) = text.trim().strip_prefix("credentials.") {
        return Credential::from_name(name)
            .map(Role::Credential)
            .ok_or_else(|| crate::credentials::unknown(name));
    }
    if let Some(parsed) = super::sca::parse_title(text) {
        return parsed.map(Role::Sca);
    }
    if let Some((_, resource, add)) = crate::operation::members::COLUMNS
        .iter()
        .find(|(title, ..)| *title == text.trim())
    {
        return Ok(Role::Members {
            resource: *resource,
            add: *add,
        });
    }
    let path = FieldPath::parse(text).map_err(|e| e.to_string())?;
    let ty = schema.field_type(&path).map_err(|e| e.to_string())?;
    match path.namespace {
        Namespace::Services | Namespace::Packs => Ok(Role::Services {
            packs: path.namespace == Namespace::Packs,
            assign: path.relative() == "assign",
        }),
        Namespace::User if path.segments == [Segment::Key("serviceProviderId".into())] => {
            Ok(Role::Identity(Identity::ServiceProvider))
        }
        Namespace::User if path.segments == [Segment::Key("groupId".into())] => {
            Ok(Role::Identity(Identity::Group))
        }
        _ => Ok(Role::Field(FieldSpec {
            path: Arc::new(path),
            ty,
            values: Vec::new(),
        })),
    }
}

/// Mapping constants as (field, role, value cell). TOML strings convert like cell text;
/// other values become `json:` cells so they are checked against the field's type.
fn constants(
    mapping: &Mapping,
    schema: &Schema,
    roles: &[Role],
    sheet: &Sheet,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Role, Cell)> {
    let mut out = Vec::new();
    for (field, value) in &mapping.constants {
        let entry = format!("`{}`, constant `{field}`", mapping.path.display());
        let role = match role_of(field, schema) {
            Ok(role) => role,
            Err(message) => {
                problems.push(Problem::mapping(entry, message));
                continue;
            }
        };
        if let Role::Sca(_) = role {
            problems.push(Problem::mapping(
                entry,
                "an SCA endpoint is added or removed by a row's cells, not by a constant for \
                 every user; map a column to it instead",
            ));
            continue;
        }
        if let Role::Field(spec) = &role {
            let clash = roles.iter().zip(&sheet.columns).find(|(r, _)| match r {
                Role::Field(other) => other.path == spec.path,
                _ => false,
            });
            if let Some((_, column)) = clash {
                problems.push(Problem::mapping(
                    entry,
                    format!(
                        "column {} (`{}`) sets the same field; keep one or the other",
                        column.letter(),
                        column.title
                    ),
                ));
                continue;
            }
        }
        let cell = match value {
            Value::String(text) => Cell::text(text),
            Value::Bool(b) => Cell::Bool(*b),
            other => Cell::Text(format!("json:{other}")),
        };
        out.push((field.clone(), role, cell));
    }
    out
}
