//! What a plan changes, one user's field at a time, as `plan --target` and the review
//! workbook show it.

use serde_json::Value;

use crate::apply::diff::same;
use crate::credentials::{Credential, CredentialValue};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::services::ServiceRef;

/// One change a plan makes to a user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change<'a> {
    /// A service or pack assigned (`assigned`) or unassigned.
    Service {
        /// The service.
        service: &'a ServiceRef,
        /// Whether it ends up assigned.
        assigned: bool,
        /// The recorded live value, when the plan was made against a target.
        before: Option<&'a Value>,
    },
    /// A field of the user record, the policy or the settings set.
    Field {
        /// The resource.
        resource: Resource,
        /// The field path (the patch key).
        key: &'a str,
        /// The recorded live value (`None` when the plan has no before-values or the field
        /// was not recorded).
        before: Option<&'a Value>,
        /// The value to set.
        after: &'a Value,
    },
    /// A write-only credential set: never compared, never shown (see
    /// [`CredentialValue::shown`]).
    Credential {
        /// Which.
        credential: Credential,
        /// What it is set to.
        value: &'a CredentialValue,
    },
}

impl Change<'_> {
    /// The resource it writes.
    pub fn resource(&self) -> Resource {
        match self {
            Change::Service { .. } => Resource::Services,
            Change::Field { resource, .. } => *resource,
            Change::Credential { .. } => Resource::Credentials,
        }
    }
}

/// What `user`'s plan changes, in step order: with before-values, only what differs from
/// them (compared as apply compares, [`same`]); without, everything planned.
pub fn changes(user: &UserPlan) -> Vec<Change<'_>> {
    let mut found = Vec::new();
    for step in &user.steps {
        let resource = step.resource();
        let recorded = user.before.as_ref().map(|b| b.get(&resource));
        let before = |key: &str| recorded.flatten().and_then(|r| r.get(key));
        let differs =
            |then: Option<&Value>, after: &Value| recorded.is_none() || !same(then, after);
        match step {
            Step::Services(services) => {
                for (service, assigned) in services.entries() {
                    let then = before(&service.key());
                    if differs(then, &Value::Bool(assigned)) {
                        found.push(Change::Service {
                            service,
                            assigned,
                            before: then,
                        });
                    }
                }
            }
            Step::Fields { patch, .. } | Step::Entries { entries: patch, .. } => {
                for (key, after) in patch.iter() {
                    let then = before(key);
                    let differs = match resource.is_list() {
                        true => recorded.is_none() || !crate::apply::diff::entry_holds(then, after),
                        false => differs(then, after),
                    };
                    if differs {
                        found.push(Change::Field {
                            resource,
                            key,
                            before: then,
                            after,
                        });
                    }
                }
            }
            // Always a change: the live value cannot be read to compare (API.md §11).
            Step::Credentials(credentials) => {
                found.extend(
                    credentials
                        .0
                        .iter()
                        .map(|(credential, value)| Change::Credential {
                            credential: *credential,
                            value,
                        }),
                );
            }
        }
    }
    found
}

/// A value as a cell shows it: strings bare, `<empty>` for the empty string, `<null>` for
/// null (removed, or absent live), other JSON compact — the notation of exported sheets.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() => "<empty>".to_string(),
        Value::String(s) => s.clone(),
        Value::Null => "<null>".to_string(),
        other => other.to_string(),
    }
}

/// A field's `before` (blank when not read) and `after` cells: [`value_text`], or, for two
/// values that print the same, each with what tells them apart escaped
/// ([`crate::apply::diff::look_alike`]).
pub(super) fn field_texts(before: Option<&Value>, after: &Value) -> (String, String) {
    match crate::apply::diff::look_alike(before, after) {
        Some((then, now)) => {
            let cell = |text: String| {
                if text.is_empty() {
                    "<empty>".into()
                } else {
                    text
                }
            };
            (cell(then), cell(now))
        }
        None => (
            before.map(value_text).unwrap_or_default(),
            value_text(after),
        ),
    }
}

pub(super) fn assignment(assigned: bool) -> &'static str {
    if assigned { "assigned" } else { "unassigned" }
}
