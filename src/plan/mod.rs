//! Rows → per-user change sets: validation, merging, and the plan that apply runs.
//!
//! Planning has no side effects: [`build`] turns a read sheet into a [`Plan`] or into every
//! problem the sheet has, and printing the plan is the dry run.

pub mod action;
pub mod cells;
mod columns;
pub(crate) mod convert;
pub mod file;
mod merge;
mod rows;
pub mod sca;
mod source;
mod step;
mod warning;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::mapping::Mapping;
use crate::problem::{Problem, Problems};
use crate::resource::Resource;
use crate::schema::Schema;
use crate::sheet::Sheet;

pub use source::{PlanSource, apply_command};
pub use step::{Changes, Patch, Step};
pub use warning::Warning;

/// Everything one user's rows ask for, as ordered steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPlan {
    /// The user to change.
    pub user_id: String,
    /// The sheet rows that asked for it, ascending.
    pub rows: Vec<usize>,
    /// The service provider given by the sheet, else read from the live user at apply time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_provider_id: Option<String>,
    /// The group given by the sheet, else read from the live user at apply time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Steps in the order they run: services assigned → user → policy → settings → services
    /// unassigned. Never empty (but in a rollback entry that only names credentials it cannot
    /// restore, `not_restorable`), and no step has an empty patch.
    pub steps: Vec<Step>,
    /// For plans made against a target (`plan --target`): each planned field's live value
    /// then (null when absent; for services, whether assigned), by resource. Applying the
    /// plan checks the user still has them, or reports it `drifted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<BTreeMap<Resource, Map<String, Value>>>,
    /// In a rollback entry: the credentials the run set for the user, which no rollback can
    /// restore (API.md §11); names only, never values. A user may have these and no steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_restorable: Vec<crate::credentials::Credential>,
    /// Which sheet cell set each field whose value is digits, for messages that name the
    /// cell (see [`cells`]); empty for a plan read from a file, and ignored by equality.
    #[serde(skip)]
    pub cells: cells::SheetCells,
}

#[cfg(test)]
impl UserPlan {
    /// User `user_id` of row 2 with a step per `(resource, patch)` (patches as JSON
    /// objects), for tests.
    pub(crate) fn of_patches(
        user_id: &str,
        steps: Vec<(crate::resource::Resource, Value)>,
    ) -> Self {
        UserPlan {
            user_id: user_id.into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps: steps
                .into_iter()
                .map(|(r, p)| {
                    let patch = p.as_object().cloned().unwrap_or_default();
                    Step::from_patch(r, patch).expect("a step")
                })
                .collect(),
            before: None,
            not_restorable: Vec::new(),
            cells: Default::default(),
        }
    }
}

impl UserPlan {
    /// The changes of its credentials steps (one at most, by the step order).
    pub fn credentials(&self) -> impl Iterator<Item = &crate::credentials::CredentialChanges> {
        self.steps.iter().filter_map(|step| match step {
            Step::Credentials(changes) => Some(changes),
            _ => None,
        })
    }

    /// Whether the plan deletes the user (its row's `action` is `delete`, API.md §14).
    pub fn deletes(&self) -> bool {
        self.steps.iter().any(|step| match step {
            Step::Entries {
                resource: Resource::Account,
                entries,
            } => entries.iter().any(|(_, entry)| entry.is_null()),
            _ => false,
        })
    }

    /// Whether the plan creates the user (its row's `action` is `create`, API.md §14).
    pub fn creates(&self) -> bool {
        crate::operation::absent_before(self)
    }

    /// The same, to fill in values.
    pub fn credentials_mut(
        &mut self,
    ) -> impl Iterator<Item = &mut crate::credentials::CredentialChanges> {
        self.steps.iter_mut().filter_map(|step| match step {
            Step::Credentials(changes) => Some(changes),
            _ => None,
        })
    }

    /// The same user with just `steps` (some of its own), and the before-values of just their
    /// fields (so a drift check ignores the fields of the steps left out).
    pub fn with_steps(&self, steps: Vec<Step>) -> UserPlan {
        let before = self.before.as_ref().map(|recorded| {
            recorded
                .iter()
                .map(|(resource, fields)| {
                    let fields = fields
                        .iter()
                        .filter(|(key, _)| {
                            steps
                                .iter()
                                .any(|s| s.resource() == *resource && s.sets(key))
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    (*resource, fields)
                })
                .collect()
        });
        UserPlan {
            steps,
            before,
            ..self.clone()
        }
    }
}

/// A validated plan: one entry per user with something to change.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Where it came from.
    pub source: PlanSource,
    /// Users in the order of their first row.
    pub users: Vec<UserPlan>,
    /// Data rows read (blank rows excluded); for plan files, the rows the users name.
    pub rows: usize,
    /// Things worth telling the admin that did not stop the plan: the sheet's, then those
    /// about users (each naming them), then those found reading the target.
    pub warnings: Vec<Warning>,
}

/// The counts in a plan's totals line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Users with something to change.
    pub users: usize,
    /// Fields set and services (un)assigned, over all users.
    pub fields: usize,
    /// Data rows read.
    pub rows: usize,
    /// Warnings, each counted once however many users it names: as many as the `warning:`
    /// lines printed.
    pub warnings: usize,
}

impl Plan {
    /// How many credentials the plan sets, over all users: changes no rollback can undo
    /// (API.md §11).
    pub fn credential_changes(&self) -> usize {
        self.users
            .iter()
            .flat_map(|u| &u.steps)
            .filter(|s| matches!(s, Step::Credentials(_)))
            .map(Step::len)
            .sum()
    }

    /// Whether a credential is `<generate>`: Odin's generators make it when the run starts.
    pub fn generates_credentials(&self) -> bool {
        self.users
            .iter()
            .flat_map(UserPlan::credentials)
            .flat_map(|c| c.0.values())
            .any(|v| *v == crate::credentials::CredentialValue::Generate)
    }

    /// Whether a credential value is a plan file's `********`: applying needs the sheet.
    pub fn needs_credentials(&self) -> bool {
        self.users
            .iter()
            .flat_map(UserPlan::credentials)
            .any(|c| c.needs_sheet())
    }

    /// Every `********` credential of this plan (read from a plan file) replaced by the
    /// value `sheet` (the plan of the sheet it was made from) gives the same user, or by
    /// `<generate>` where the sheet says so; an error names the first user and credential
    /// the sheet does not set.
    pub fn fill_credentials(&mut self, sheet: &Plan) -> Result<(), String> {
        use crate::credentials::CredentialValue;
        let given: std::collections::HashMap<&str, &crate::credentials::CredentialChanges> = sheet
            .users
            .iter()
            .flat_map(|u| u.credentials().map(|c| (u.user_id.as_str(), c)))
            .collect();
        for user in &mut self.users {
            let user_id = user.user_id.clone();
            let values = user.credentials_mut().flat_map(|c| c.0.iter_mut());
            for (credential, value) in values {
                if *value != CredentialValue::Redacted {
                    continue;
                }
                match given
                    .get(user_id.as_str())
                    .and_then(|c| c.0.get(credential))
                {
                    // A generated value the run did not set (failed.jsonl of a run that
                    // generated) is generated anew.
                    Some(found @ (CredentialValue::Given(_) | CredentialValue::Generate)) => {
                        *value = found.clone()
                    }
                    _ => {
                        return Err(format!(
                            "the sheet gives no `credentials.{credential}` for user `{user_id}`, which the plan sets"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The totals line's counts.
    pub fn totals(&self) -> Totals {
        Totals {
            users: self.users.len(),
            fields: self
                .users
                .iter()
                .flat_map(|u| &u.steps)
                .map(Step::len)
                .sum(),
            rows: self.rows,
            warnings: self.warnings.len(),
        }
    }
}

/// Validate `sheet` (read with `mapping`, if any) and build its plan, or return every
/// problem found, sorted by row and column.
pub fn build(sheet: &Sheet, mapping: Option<&Mapping>, schema: &Schema) -> Result<Plan, Problems> {
    build_with(sheet, mapping, schema, false)
}

/// [`build`]; with `allow_delete`, rows whose `action` is `delete` are planned (without it
/// each is a problem at its cell: deleting users is never a default).
pub fn build_with(
    sheet: &Sheet,
    mapping: Option<&Mapping>,
    schema: &Schema,
    allow_delete: bool,
) -> Result<Plan, Problems> {
    let source_name = sheet.path.display().to_string();
    let mut problems: Vec<Problem> = sheet.problems.clone();
    let mut warnings = sheet.warnings.clone();
    let Some(layout) = columns::resolve(sheet, mapping, schema, &mut problems, &mut warnings)
    else {
        return Err(Problems::new(source_name, problems));
    };
    merged_ranges(sheet, layout.user_id, &mut problems, &mut warnings);
    let mut constants = Vec::new();
    for (field, role, cell) in &layout.constants {
        let entry = match mapping {
            Some(m) => format!("`{}`, constant `{field}`", m.path.display()),
            None => format!("constant `{field}`"),
        };
        let source = rows::Source::Constant(entry.into());
        match rows::changes_of(cell, role, schema) {
            Ok(changes) => constants.extend(changes.into_iter().map(|c| (c, source.clone()))),
            Err(messages) => problems.extend(
                messages
                    .into_iter()
                    .map(|m| source.problem(&sheet.columns, m)),
            ),
        }
    }
    // Rows given their user id by a merged range (refused above) are not read as users of
    // their own: each would only add conflicts with the range's first row.
    let merged_ids: std::collections::HashSet<usize> = sheet
        .merged
        .iter()
        .filter(|m| m.position == layout.user_id)
        .flat_map(|m| m.rows.iter().skip(1).copied())
        .collect();
    let converted: Vec<_> = sheet
        .rows
        .par_iter()
        .filter(|row| !merged_ids.contains(&row.number))
        .map(|row| rows::convert_row(row, &sheet.columns, &layout, schema))
        .collect();
    let mut good = Vec::with_capacity(converted.len());
    for (row, found) in converted {
        good.extend(row);
        problems.extend(found);
    }
    let mut about_users = Vec::new();
    let users = merge::merge(
        good,
        &constants,
        &sheet.columns,
        allow_delete,
        &mut problems,
        &mut about_users,
    );
    if !problems.is_empty() {
        return Err(Problems::new(source_name, problems));
    }
    Ok(Plan {
        source: PlanSource {
            command: None,
            source: source_name,
            sha256: sheet.sha256.clone(),
            worksheet: sheet.worksheet.clone(),
            mapping: mapping.map(|m| m.path.display().to_string()),
            hidden_rows: sheet.hidden.0,
            hidden_columns: sheet.hidden.1,
            allow_lossy_values: false,
            mapping_sha256: mapping.map(|m| m.sha256.clone()),
            target: None,
            odin_user: None,
            target_name: None,
        },
        users,
        rows: sheet.rows.len(),
        warnings: warnings
            .into_iter()
            .map(Warning::sheet)
            .chain(about_users)
            .collect(),
    })
}

/// Ranges merged down one column were read as they look, their value in every row: refused
/// in the user id column (one user for several rows is never what a merge there means), one
/// warning each elsewhere.
fn merged_ranges(
    sheet: &Sheet,
    user_id: usize,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<String>,
) {
    for merged in &sheet.merged {
        let column = &sheet.columns[merged.position];
        let first = merged.rows.first().copied().unwrap_or(merged.range.rows.0);
        if merged.position == user_id {
            problems.push(Problem::cell(
                first,
                column,
                format!(
                    "cells {} of the user id column are merged; unmerge them and give each \
                     row its user id",
                    merged.range.name()
                ),
            ));
            continue;
        }
        let rows = match merged.rows.as_slice() {
            [one] => format!("row {one}"),
            [first, .., last] => format!("each of rows {first}–{last}"),
            [] => continue,
        };
        let what = match merged.blank {
            true => format!(
                "show nothing, so {rows} was read as blank; the cells under the merge held \
                 values a spreadsheet keeps but does not show"
            ),
            false => format!("their value was read in {rows}, as the sheet shows it"),
        };
        warnings.push(format!(
            "cells {} (column {}, `{}`) are merged; {what}",
            merged.range.name(),
            column.letter(),
            column.title
        ));
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod sca_tests;
