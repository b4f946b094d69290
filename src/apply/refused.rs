//! Writes the live reads show Odin will refuse, told in one place: `plan --target` warns of
//! them (a warning counted in its totals and recorded in the plan file), and a run sends no
//! request for them (the user's steps are `skipped` with the reason).
//!
//! Known today: settings of a service the user does not have assigned, where none of its
//! steps assigns it (API.md §4: Odin answers 400 and changes nothing).

use std::collections::HashMap;

use serde_json::Value;

use crate::plan::{Step, UserPlan, Warning};
use crate::resource::Resource;
use crate::services::{ServiceRef, settings_service};

/// The services whose settings `user`'s steps change but which its live settings do not
/// hold (not assigned), unless one of its steps assigns them. Names as the sheet spells
/// them, each once; empty when the settings were not read.
pub fn lacking_services(user: &UserPlan, live: &HashMap<Resource, Value>) -> Vec<String> {
    let Some(settings) = live.get(&Resource::Settings) else {
        return Vec::new();
    };
    let assigned = |name: &str| {
        user.steps.iter().any(|step| match step {
            Step::Services(changes) => changes.assign.iter().any(|service| service.is_named(name)),
            _ => false,
        })
    };
    let mut lacking: Vec<String> = Vec::new();
    for step in &user.steps {
        let Step::Fields {
            resource: Resource::Settings,
            patch,
        } = step
        else {
            continue;
        };
        for key in patch.keys() {
            let service = settings_service(key);
            let named = ServiceRef::service(service);
            let held = settings
                .as_object()
                .is_some_and(|doc| doc.keys().any(|k| named.is_named(k)));
            if !held && !assigned(service) && !lacking.iter().any(|s| s == service) {
                lacking.push(service.to_string());
            }
        }
    }
    lacking
}

/// The step of `user` Odin would refuse, and why: its settings step when it changes
/// services the user lacks ([`lacking_services`]), else the first step its operation's
/// rules refuse. `None` when nothing is known to fail.
pub fn refused_step(user: &UserPlan, live: &HashMap<Resource, Value>) -> Option<(usize, String)> {
    let lacking = lacking_services(user, live);
    if lacking.is_empty() {
        // The rules of the step's own operation (a list's: crate::operation::refused).
        return user.steps.iter().enumerate().find_map(|(at, step)| {
            crate::operation::refused(user, step, live).map(|why| (at, why))
        });
    }
    let step = user.steps.iter().position(|step| {
        step.resource() == Resource::Settings
            && lacking
                .iter()
                .any(|service| step.patch().keys().any(|k| settings_service(k) == service))
    })?;
    Some((step, format!("not sent: {}", unassigned(&lacking))))
}

/// ``Call Forwarding Busy` is not assigned to this user, and the sheet does not assign it:
/// Odin refuses settings of a service not assigned; …`: the reason shared by the warning of
/// `plan --target` and the skipped step of a run.
fn unassigned(services: &[String]) -> String {
    let names: Vec<String> = services.iter().map(|s| format!("`{s}`")).collect();
    let (names, verb) = match names.len() {
        1 => (names.join(""), "is"),
        _ => (names.join(", "), "are"),
    };
    format!(
        "{names} {verb} not assigned to this user, and the sheet does not assign {it}: Odin \
         refuses settings of a service not assigned; assign {it} in the sheet \
         (`services.assign`) or leave the user out",
        it = if services.len() == 1 { "it" } else { "them" }
    )
}

/// The warning of `plan --target` about the `users` without `service` (the plan counts it
/// and records it; each user's line in the review workbook says it too).
pub fn warning(service: &str, users: Vec<String>) -> Warning {
    let message = format!(
        "{} without `{service}` assigned ({}{}): Odin refuses settings of a service not \
         assigned, so nothing of theirs is sent: every step of theirs is `skipped`, their \
         other fields too, and they are listed in failed.jsonl; assign it in the sheet \
         (`services.assign`) or leave them out",
        crate::text::count(users.len(), "user"),
        users.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
        if users.len() > 3 { ", …" } else { "" },
    );
    let each = unassigned(&[service.to_string()]);
    let mut warning = Warning::about(users, message, Some(each));
    warning.live = true;
    warning
}

/// The warning of `plan --target` about the `users` one of whose steps Odin would refuse
/// for reason `why` (an operation's rule, [`crate::operation::refused`]).
pub fn step_warning(why: &str, users: Vec<String>) -> Warning {
    let reason = why.strip_prefix("not sent: ").unwrap_or(why);
    let message = format!(
        "{} ({}{}): {reason}; nothing of theirs is sent: every step of theirs is `skipped`, \
         and they are listed in failed.jsonl",
        crate::text::count(users.len(), "user"),
        users.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
        if users.len() > 3 { ", …" } else { "" },
    );
    let mut warning = Warning::about(users, message, Some(why.to_string()));
    warning.live = true;
    warning
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user(steps: Vec<(Resource, Value)>) -> UserPlan {
        UserPlan::of_patches("a@x", steps)
    }

    #[test]
    fn settings_of_a_service_not_assigned_are_refused_unless_the_sheet_assigns_it() {
        let live = HashMap::from([(
            Resource::Settings,
            json!({"Do Not Disturb": {"isActive": false}}),
        )]);
        let lacking = user(vec![
            (Resource::User, json!({"extension": "1"})),
            (
                Resource::Settings,
                json!({"Call Forwarding Busy.isActive": true, "Do Not Disturb.isActive": true}),
            ),
        ]);
        let (step, why) = refused_step(&lacking, &live).unwrap();
        assert_eq!(step, 1);
        assert!(
            why.starts_with("not sent: `Call Forwarding Busy` is not assigned to this user"),
            "{why}"
        );
        let assigns = user(vec![
            (
                Resource::Services,
                json!({"userServices.Call Forwarding Busy": true}),
            ),
            (
                Resource::Settings,
                json!({"Call Forwarding Busy.isActive": true}),
            ),
        ]);
        assert_eq!(refused_step(&assigns, &live), None);
        let held = user(vec![(
            Resource::Settings,
            json!({"Do Not Disturb.isActive": true}),
        )]);
        assert_eq!(refused_step(&held, &live), None);
        // Not read: nothing known.
        assert_eq!(refused_step(&lacking, &HashMap::new()), None);
    }
}
