//! What a user's steps need from its group's read.

use serde_json::Value;

use super::Wanted;
use crate::notation;
use crate::odin::group::{self, BulkService};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;
use crate::services::settings_service;

/// Whether listing row `row` holds every field the user steps of `user` change.
pub(super) fn row_holds_all(row: &Value, user: &UserPlan) -> bool {
    user_fields(user).all(|path| {
        notation::parse_relative(path).is_ok_and(|segments| group::holds(row, &segments))
    })
}

/// The field paths the user-record steps of `user` change.
pub(super) fn user_fields(user: &UserPlan) -> impl Iterator<Item = &String> {
    user.steps
        .iter()
        .flat_map(|step| match step {
            Step::Fields {
                resource: Resource::User,
                patch,
            } => Some(patch.keys()),
            _ => None,
        })
        .flatten()
}

/// What a user's steps need read: its user record (unless a field they change is one that
/// listing rows lack: the record is read per user then), and the bulk services of its
/// settings (none when a settings step also touches a service without a group read: the
/// user's settings are read whole then).
pub(super) fn needs(user: &UserPlan) -> Wanted {
    let mut wanted = Wanted::default();
    if crate::operation::absent_before(user) {
        // A user the run creates is in no listing: only its group's lists are read for it.
        wanted.lists = user
            .steps
            .iter()
            .map(Step::resource)
            .filter(|r| r.of_group())
            .collect();
        wanted.extensions = extension_of(user).is_some();
        return wanted;
    }
    let mut whole_settings = false;
    for step in &user.steps {
        match step {
            Step::Fields {
                resource: Resource::User,
                ..
            } => {
                wanted.users = user_fields(user).all(|path| {
                    let top = path.split(['.', '[']).next().unwrap_or_default();
                    !group::EXTENDED_ROWS_LACK.contains(&top)
                });
            }
            Step::Fields {
                resource: Resource::Settings,
                patch,
            } => {
                for key in patch.keys() {
                    match BulkService::from_service_name(settings_service(key)) {
                        Some(service) => {
                            wanted.services.insert(service);
                        }
                        None => whole_settings = true,
                    }
                }
            }
            step if step.resource().of_group() => {
                wanted.lists.insert(step.resource());
            }
            _ => {}
        }
    }
    if whole_settings {
        wanted.services.clear();
    }
    wanted.extensions = extension_of(user).is_some();
    wanted
}

/// The extension `user`'s steps give it (not empty), if they give one.
pub(super) fn extension_of(user: &UserPlan) -> Option<String> {
    user.steps.iter().find_map(|step| match step {
        Step::Fields {
            resource: Resource::User,
            patch,
        } => match patch.get("extension")? {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    })
}
