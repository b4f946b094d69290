//! What `apply` and `rollback` say before they ask: what is applied (with its worksheet) to
//! which target, what it holds, and what will change — from the diff a plan made against a
//! target recorded, or, without one, how the run decides it.

use super::render::{source_then, totals_line};
use crate::plan::Plan;
use crate::report::review::changes;
use crate::text::{count, counted, thousands};

/// What a run applies; it names what the plan holds in the confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Applied {
    /// A sheet, planned just now.
    Sheet,
    /// A plan file (`plan --out`, a run's `failed.jsonl`).
    PlanFile,
    /// A run's rollback file.
    Rollback,
}

impl Applied {
    /// The verb of the question and of the first line: `apply` or `roll back`.
    pub fn verb(self) -> &'static str {
        match self {
            Applied::Sheet | Applied::PlanFile => "apply",
            Applied::Rollback => "roll back",
        }
    }

    fn holder(self) -> &'static str {
        match self {
            Applied::Sheet => "the sheet",
            Applied::PlanFile => "the plan file",
            Applied::Rollback => "the rollback file",
        }
    }
}

/// What a plan made against a target changes, as its recorded before-values say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Diff {
    users: usize,
    fields: usize,
    as_planned: usize,
    /// Users the plan holds without before-values (the target could not read them then).
    not_read: usize,
}

/// The diff of `plan`, when it was made against a target and recorded before-values; exactly
/// what `plan --target` counted (see [`changes`]).
fn diff(plan: &Plan) -> Option<Diff> {
    plan.source.target.as_ref()?;
    if plan.users.iter().all(|user| user.before.is_none()) {
        return None;
    }
    let mut diff = Diff::default();
    for user in &plan.users {
        if user.before.is_none() {
            diff.not_read += 1;
            continue;
        }
        match changes(user).len() {
            0 => diff.as_planned += 1,
            n => {
                diff.users += 1;
                diff.fields += n;
            }
        }
    }
    Some(diff)
}

/// The confirmation's lines (each with its line end):
///
/// ```text
/// apply `wave.xlsx`, worksheet `Users`, at https://odin.example.net/api/v2
///   the plan file holds 80 users, 192 fields, 80 rows, 1 warning
///   10 users to change (30 fields), 70 already as planned, as read when the plan was made; …
/// ```
///
/// or, without a diff, `each user is read before it is written, and only what differs is
/// sent`.
/// With `force`, fields someone else changed since are written anyway, and the text says so.
pub(super) fn text(plan: &Plan, target: &str, applied: Applied, force: bool) -> String {
    let mut text = format!(
        "{} {} {target}\n  {} holds {}\n",
        applied.verb(),
        source_then(&plan.source, "at"),
        applied.holder(),
        totals_line(&plan.totals())
    );
    match diff(plan) {
        Some(diff) => {
            let not_read = match diff.not_read {
                0 => String::new(),
                n => format!(
                    ", and {} not read then (what changes for {} is decided when read)",
                    count(n, "user"),
                    if n == 1 { "it" } else { "them" }
                ),
            };
            let line = match applied {
                Applied::Rollback if force => format!(
                    "  {} to restore ({}){not_read}; --force: a field someone else changed \
                     since the run is restored too\n",
                    counted(diff.users, "user", "users"),
                    counted(diff.fields, "field", "fields"),
                ),
                Applied::Rollback => format!(
                    "  {} to restore ({}) as the run left them{not_read}; a field someone \
                     else changed since the run is kept (drifted), the user's others restored\n",
                    counted(diff.users, "user", "users"),
                    counted(diff.fields, "field", "fields"),
                ),
                _ if force => format!(
                    "  {} to change ({}), {} already as planned, as read when the plan was \
                     made{not_read}; --force: a user whose values moved since is written too\n",
                    counted(diff.users, "user", "users"),
                    counted(diff.fields, "field", "fields"),
                    thousands(diff.as_planned as u64),
                ),
                _ => format!(
                    "  {} to change ({}), {} already as planned, as read when the plan was \
                     made{not_read}; a user whose values moved since is not written (drifted)\n",
                    counted(diff.users, "user", "users"),
                    counted(diff.fields, "field", "fields"),
                    thousands(diff.as_planned as u64),
                ),
            };
            text.push_str(&line);
        }
        None => text.push_str(
            "  what changes is not known before the run: each user is read before it is \
             written, and only what differs is sent\n",
        ),
    }
    let (created, deleted) = plan.users.iter().fold((0, 0), |(c, d), user| {
        (
            c + usize::from(user.creates()),
            d + usize::from(user.deletes()),
        )
    });
    if created > 0 {
        text.push_str(&format!(
            "  creates {}; its rollback deletes them\n",
            counted(created, "user", "users")
        ));
    }
    if deleted > 0 {
        text.push_str(&format!(
            "  DELETES {}: everything sleipnir can read of each is recorded first, and its \
             rollback creates them again, but no rollback brings back {}\n",
            counted(deleted, "user", "users"),
            crate::operation::account::LOST
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::plan::{PlanSource, Step, UserPlan};
    use crate::resource::Resource;

    fn user(id: &str, live: Option<&str>) -> UserPlan {
        let patch = json!({"extension": "2001"});
        let patch = patch.as_object().cloned().unwrap_or_default();
        UserPlan {
            user_id: id.into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps: vec![Step::from_patch(Resource::User, patch).unwrap()],
            before: live.map(|v| {
                let fields = json!({"extension": v}).as_object().cloned().unwrap();
                BTreeMap::from([(Resource::User, fields)])
            }),
            not_restorable: Vec::new(),
            cells: Default::default(),
        }
    }

    fn plan(users: Vec<UserPlan>, target: Option<&str>, worksheet: Option<&str>) -> Plan {
        Plan {
            source: PlanSource {
                source: "wave.xlsx".into(),
                sha256: "00".into(),
                worksheet: worksheet.map(String::from),
                mapping: None,
                hidden_rows: Default::default(),
                hidden_columns: Default::default(),
                allow_lossy_values: false,
                mapping_sha256: None,
                target: target.map(String::from),
                odin_user: None,
                target_name: None,
                command: None,
            },
            rows: users.len(),
            users,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_sheet_says_what_it_holds_and_how_the_run_decides_the_rest() {
        let sheet = plan(vec![user("a@x", None)], None, Some("Users"));
        assert_eq!(
            text(&sheet, "https://odin", Applied::Sheet, false),
            "apply `wave.xlsx`, worksheet `Users`, at https://odin\n  the sheet holds 1 user, \
             1 field, 1 row, 0 warnings\n  what changes is not known before the run: each user \
             is read before it is written, and only what differs is sent\n"
        );
    }

    #[test]
    fn a_plan_made_against_a_target_says_what_its_diff_changes() {
        let users = vec![
            user("a@x", Some("1001")),
            user("b@x", Some("2001")),
            user("c@x", None),
        ];
        let planned = plan(users, Some("https://odin"), None);
        let shown = text(&planned, "https://odin", Applied::PlanFile, false);
        assert!(
            shown.starts_with(
                "apply `wave.xlsx` at https://odin\n  the plan file holds 3 users, 3 fields, \
                 3 rows, 0 warnings\n  1 user to change (1 field), 1 already as planned, as \
                 read when the plan was made, and 1 user not read then"
            ),
            "{shown}"
        );
    }

    #[test]
    fn a_rollback_without_before_values_has_no_diff() {
        let undo = plan(vec![user("a@x", None)], Some("https://odin"), None);
        let shown = text(&undo, "https://odin", Applied::Rollback, false);
        assert!(shown.starts_with("roll back `wave.xlsx` at"), "{shown}");
        assert!(shown.contains("the rollback file holds 1 user"), "{shown}");
        assert!(shown.contains("not known before the run"), "{shown}");
    }
}
