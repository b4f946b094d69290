//! Rows → one change set per user. Several rows of a user merge; the same field set twice to
//! different values, a service both assigned and unassigned, or a field set inside another
//! field that is also set, is a problem naming both places.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::cells::{FieldColumn, SheetCells, digits_of};
use super::columns::Identity;
use super::rows::{Change, RowChanges, Source};
use super::{Changes, UserPlan, Warning};
use crate::credentials::{Credential, CredentialValue, check, user_names};
use crate::notation::FieldPath;
use crate::problem::{Column, Problem};
use crate::resource::Resource;
use crate::services::ServiceRef;

/// What one user's rows ask for, before it becomes steps.
#[derive(Debug, Default)]
pub(super) struct ChangeSet {
    pub(super) user_id: String,
    rows: Vec<usize>,
    /// What the rows do to the user, and where it is said.
    pub(super) action: Option<(super::rows::Action, Source)>,
    /// Field → (value, where), in the order first set; sorted by path before it is read
    /// in order. A list, not a map: a sheet of many users holds one per user at once.
    pub(super) fields: Vec<(Arc<FieldPath>, (Value, Source))>,
    /// (packs?, name) → (assigned?, where).
    pub(super) services: BTreeMap<(bool, String), (bool, Source)>,
    pub(super) service_provider_id: Option<(String, Source)>,
    pub(super) group_id: Option<(String, Source)>,
    /// Credential → (value, where).
    pub(super) credentials: BTreeMap<Credential, (CredentialValue, Source)>,
    /// (list, entry id) → the entry added (`None`: removed), and where.
    pub(super) entries: BTreeMap<(Resource, String), (Option<Value>, Source)>,
}

/// Merge converted rows (in any order) and the mapping's constant changes (applied to every
/// user) into one plan per user, ordered by each user's first row. Users left with nothing
/// to change are left out with a warning.
pub(crate) fn merge(
    mut rows: Vec<RowChanges>,
    constants: &[(Change, Source)],
    columns: &[Column],
    allow_delete: bool,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Warning>,
) -> Vec<UserPlan> {
    // Sorting first makes the result, and which of two conflicting rows is blamed, independent
    // of the order rows arrive in.
    rows.sort_by_key(|r| r.row);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut sets: Vec<ChangeSet> = Vec::new();
    for row in rows {
        let at = *index.entry(row.user_id.clone()).or_insert_with(|| {
            sets.push(ChangeSet {
                user_id: row.user_id.clone(),
                ..ChangeSet::default()
            });
            sets.len() - 1
        });
        let set = &mut sets[at];
        set.rows.push(row.row);
        for (change, source) in row.changes {
            set.add(change, source, columns, problems);
        }
    }
    let mut plans = Vec::with_capacity(sets.len());
    let mut shared = vec![None; columns.len()];
    // Entry id → the user adding it and where: a line port belongs to one user.
    let mut added: HashMap<(Resource, String), (String, Source)> = HashMap::new();
    for mut set in sets {
        for (change, source) in constants {
            set.add(change.clone(), source.clone(), columns, problems);
        }
        for ((resource, id), (entry, source)) in &set.entries {
            // Many users join one hunt group; a line port belongs to one user.
            if entry.is_none() || *resource != Resource::SharedCallAppearance {
                continue;
            }
            match added.get(&(*resource, id.clone())) {
                Some((other, first)) => problems.push(source.problem(
                    columns,
                    format!(
                        "line port `{id}` is also added for user `{other}` in {}; a line port \
                         belongs to one user",
                        first.describe(columns)
                    ),
                )),
                None => {
                    added.insert(
                        (*resource, id.clone()),
                        (set.user_id.clone(), source.clone()),
                    );
                }
            }
        }
        super::action::apply(&mut set, allow_delete, columns, problems);
        if set.fields.is_empty()
            && set.services.is_empty()
            && set.credentials.is_empty()
            && set.entries.is_empty()
        {
            let message = format!(
                "{} `{}` sets nothing (every cell is blank); the user is left out",
                rows_phrase(&set.rows),
                set.user_id
            );
            warnings.push(Warning::about(vec![set.user_id.clone()], message, None));
            continue;
        }
        set.check_overlaps(columns, problems);
        set.check_credentials(columns, problems);
        set.check_activation(columns, problems);
        let rank = super::action::rank(set.action.as_ref().map(|(a, _)| *a));
        plans.push((rank, set.into_plan(columns, &mut shared)));
    }
    // Creates run first and deletes last; otherwise the sheet's order.
    plans.sort_by_key(|(rank, _)| *rank);
    plans.into_iter().map(|(_, plan)| plan).collect()
}

fn rows_phrase(rows: &[usize]) -> String {
    let list: Vec<String> = rows.iter().map(ToString::to_string).collect();
    match rows.len() {
        1 => format!("row {}: user", list[0]),
        _ => format!("rows {}: user", list.join(", ")),
    }
}

/// A value as an admin wrote it: strings bare, everything else as JSON.
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl ChangeSet {
    fn add(
        &mut self,
        change: Change,
        source: Source,
        columns: &[Column],
        problems: &mut Vec<Problem>,
    ) {
        let user = &self.user_id;
        match change {
            Change::Action(action) => match &self.action {
                Some((existing, _)) if *existing == action => {}
                Some((existing, first)) => problems.push(source.problem(
                    columns,
                    format!(
                        "`{}` conflicts with `{}` said for user `{user}` in {}",
                        action.name(),
                        existing.name(),
                        first.describe(columns)
                    ),
                )),
                None => self.action = Some((action, source)),
            },
            Change::Field { path, value } => match self
                .fields
                .iter()
                .find(|(known, _)| *known == path)
                .map(|(_, set)| set)
            {
                Some((existing, _)) if *existing == value => {}
                Some((existing, first)) => problems.push(source.problem(
                    columns,
                    format!(
                        "`{}` conflicts with `{}` set for user `{user}` in {}",
                        show(&value),
                        show(existing),
                        first.describe(columns)
                    ),
                )),
                None => self.fields.push((path, (value, source))),
            },
            Change::Service {
                packs,
                name,
                assigned,
            } => match self.services.get(&(packs, name.clone())) {
                Some((existing, _)) if *existing == assigned => {}
                Some((_, first)) => problems.push(source.problem(
                    columns,
                    format!(
                        "`{name}` is {} here but {} for user `{user}` in {}",
                        if assigned { "assigned" } else { "unassigned" },
                        if assigned { "unassigned" } else { "assigned" },
                        first.describe(columns)
                    ),
                )),
                None => {
                    self.services.insert((packs, name), (assigned, source));
                }
            },
            Change::Identity { key, value } => {
                let slot = match key {
                    Identity::ServiceProvider => &mut self.service_provider_id,
                    Identity::Group => &mut self.group_id,
                };
                match slot {
                    Some((existing, _)) if *existing == value => {}
                    Some((existing, first)) => problems.push(source.problem(
                        columns,
                        format!(
                            "`{value}` conflicts with `{existing}` given for user `{user}` in {}",
                            first.describe(columns)
                        ),
                    )),
                    None => *slot = Some((value, source)),
                }
            }
            Change::Credential { credential, value } => match self.credentials.get(&credential) {
                Some((existing, _)) if *existing == value => {}
                // Neither value is quoted: both are secrets.
                Some((_, first)) => problems.push(source.problem(
                    columns,
                    format!(
                        "`credentials.{credential}` differs from the value set for user `{user}` in {}",
                        first.describe(columns)
                    ),
                )),
                None => {
                    self.credentials.insert(credential, (value, source));
                }
            },
            Change::Entry {
                resource,
                id,
                entry,
            } => match self.entries.get(&(resource, id.clone())) {
                Some((None, _)) if entry.is_none() => {}
                Some((first_entry, first)) => {
                    let what = match (first_entry.is_some(), entry.is_some()) {
                        (true, true) => "added twice",
                        _ => "both added and removed",
                    };
                    let noun = match resource {
                        Resource::SharedCallAppearance => "line port",
                        other => crate::operation::members::noun(other),
                    };
                    problems.push(source.problem(
                        columns,
                        format!(
                            "{noun} `{id}` is {what} for user `{user}` (also in {}); \
                             keep one",
                            first.describe(columns)
                        ),
                    ));
                }
                None => {
                    self.entries.insert((resource, id), (entry, source));
                }
            },
            Change::EntryCell { .. } => problems.push(source.problem(
                columns,
                "an SCA endpoint is added by a row's `sca.add[N].*` cells, not by a constant",
            )),
        }
    }

    /// The rules Odin publishes (API.md §11), checked before anything is sent: a SIP
    /// password of 6–60 characters with an upper and a lower case letter, not holding the
    /// user's names; a SIP user name only with a password (Odin takes them in one write).
    fn check_credentials(&self, columns: &[Column], problems: &mut Vec<Problem>) {
        let given = |credential| match self.credentials.get(&credential) {
            Some((CredentialValue::Given(value), source)) => Some((value, source)),
            _ => None,
        };
        let sip_name = given(Credential::SipUserName);
        if let Some((_, source)) = sip_name
            && !self.credentials.contains_key(&Credential::SipPassword)
        {
            problems.push(source.problem(
                columns,
                "a SIP user name is written together with its password: \
                 fill in `credentials.sipPassword` (or `<generate>`) for this user",
            ));
        }
        let names = user_names(&self.user_id, sip_name.map(|(name, _)| name.expose()));
        for credential in Credential::ALL {
            if let Some((value, source)) = given(credential)
                && let Err(why) = check(credential, value.expose(), &names)
            {
                problems.push(source.problem(columns, format!("`credentials.{credential}` {why}")));
            }
        }
    }

    /// An activation in the rows that take the user's number off (`user.phoneNumber`
    /// `<null>` or `<empty>`): there is no number to activate (API.md §12). Nor to
    /// deactivate: the activation of a user's number is read from the number it holds, and
    /// after the run it holds none, so its rollback could not tell whose number it restores;
    /// a number nobody holds keeps its activation in the group's list.
    fn check_activation(&self, columns: &[Column], problems: &mut Vec<Problem>) {
        let field = |name: &str| {
            self.fields.iter().find(|(path, _)| {
                path.namespace == crate::notation::Namespace::User && path.relative() == name
            })
        };
        let (Some((_, (number, taken_off))), Some((_, (Value::Bool(_), source)))) =
            (field("phoneNumber"), field("phoneNumberActivated"))
        else {
            return;
        };
        if number.is_null() || number.as_str() == Some("") {
            problems.push(source.problem(
                columns,
                format!(
                    "there is no number to activate or deactivate: {} takes the number of user \
                     `{}` off (the number keeps its activation in the group's list); leave \
                     `user.phoneNumberActivated` blank for this user",
                    taken_off.describe(columns),
                    self.user_id
                ),
            ));
        }
    }

    /// A field set inside another field that is also set (`locations` and
    /// `locations[0].phoneNumber`) has no single meaning.
    fn check_overlaps(&mut self, columns: &[Column], problems: &mut Vec<Problem>) {
        self.fields.sort_by(|(a, _), (b, _)| a.cmp(b));
        let mut container: Option<(&FieldPath, &Source)> = None;
        for (path, (_, source)) in &self.fields {
            match container {
                Some((outer, outer_source)) if path.is_within(outer) => {
                    problems.push(source.problem(
                        columns,
                        format!(
                            "`{path}` lies inside `{outer}`, which {} also sets for user `{}`; \
                         set one or the other",
                            outer_source.describe(columns),
                            self.user_id
                        ),
                    ));
                }
                _ => container = Some((path, source)),
            }
        }
    }

    /// The user's plan, its steps in the order [`Changes::into_steps`] defines, with the
    /// cells of its digit fields (one [`FieldColumn`] per column, made on first use in
    /// `shared`).
    fn into_plan(self, columns: &[Column], shared: &mut [Option<Arc<FieldColumn>>]) -> UserPlan {
        let mut cells = Vec::new();
        for (path, (value, source)) in &self.fields {
            let kept = digits_of(value).is_some() || super::cells::refused_at_cell(path);
            if let (Source::Cell { row, column }, true) = (source, kept) {
                let shared = shared[*column].get_or_insert_with(|| {
                    Arc::new(FieldColumn {
                        column: columns[*column].clone(),
                        field: path.clone(),
                    })
                });
                cells.push((shared.clone(), *row as u32));
            }
        }
        let mut changes = Changes::default();
        for ((packs, name), (assigned, _)) in &self.services {
            let service = if *packs {
                ServiceRef::pack(name.clone())
            } else {
                ServiceRef::service(name.clone())
            };
            if *assigned {
                changes.assign.push(service);
            } else {
                changes.unassign.push(service);
            }
        }
        for (path, (value, _)) in self.fields {
            changes
                .fields
                .entry(Resource::of(path.namespace))
                .or_default()
                .insert(path.relative(), value);
        }
        for ((resource, id), (entry, _)) in self.entries {
            changes
                .fields
                .entry(resource)
                .or_default()
                .insert(id, entry.unwrap_or(Value::Null));
        }
        changes.credentials.0 = self
            .credentials
            .into_iter()
            .map(|(credential, (value, _))| (credential, value))
            .collect();
        changes.derive_numbers();
        let steps = changes.into_steps();
        UserPlan {
            user_id: self.user_id,
            rows: self.rows,
            service_provider_id: self.service_provider_id.map(|(v, _)| v),
            group_id: self.group_id.map(|(v, _)| v),
            steps,
            before: None,
            not_restorable: Vec::new(),
            cells: SheetCells::new(cells),
        }
    }
}
