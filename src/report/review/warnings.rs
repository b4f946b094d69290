//! The plan's warnings in the review workbook: beside each user they name (the message
//! column), and counted with the users they name (Totals).

use std::collections::{HashMap, HashSet};

use crate::plan::Plan;

/// What the plan's warnings say of each user they name, in warning order.
pub(super) fn by_user(plan: &Plan) -> HashMap<&str, Vec<&str>> {
    let mut notes: HashMap<&str, Vec<&str>> = HashMap::new();
    for warning in &plan.warnings {
        for user in &warning.users {
            notes.entry(user.as_str()).or_default().push(warning.note());
        }
    }
    notes
}

/// How many users the warnings name, each counted once.
pub(super) fn users_named(plan: &Plan) -> usize {
    let named: HashSet<&str> = plan
        .warnings
        .iter()
        .flat_map(|w| w.users.iter().map(String::as_str))
        .collect();
    named.len()
}

/// A row's message: its own (`cannot be rolled back`, why a user could not be read; may be
/// empty), then its user's warnings, each after `warning: `, joined by `; `.
pub(super) fn message(own: &str, notes: Option<&Vec<&str>>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !own.is_empty() {
        parts.push(own.to_string());
    }
    for note in notes.into_iter().flatten() {
        parts.push(format!("warning: {note}"));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_adds_its_users_warnings() {
        assert_eq!(message("", None), "");
        assert_eq!(
            message("cannot be rolled back", None),
            "cannot be rolled back"
        );
        let notes = vec!["`X` is not assigned", "other"];
        assert_eq!(
            message("cannot be rolled back", Some(&notes)),
            "cannot be rolled back; warning: `X` is not assigned; warning: other"
        );
        assert_eq!(
            message("", Some(&notes[..1].to_vec())),
            "warning: `X` is not assigned"
        );
    }
}
