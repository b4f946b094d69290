//! A run's `rollback.jsonl` read so that it is never a dead end. A user may have several
//! entries — two processes wrote one run (before runs were locked), two files were joined,
//! or a file was damaged — and the file's last line may be cut short by a crash or a full
//! disk. Each user is restored to its earliest recorded state: its first entry, with the
//! fields only later entries name taken from the earliest entry that names them. A last
//! line that is not whole (no line end) and does not parse was never acknowledged, so its
//! user was not written (an entry is synced to disk before its user's first write): it is
//! left out.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::{LedgerError, RunFiles, names::ROLLBACK};
use crate::plan::file::PlanFileError;
use crate::plan::{Changes, Plan, Step, UserPlan};
use crate::services::ServiceRef;

/// A run's way back, as read, and what was done to read it.
#[derive(Debug, Clone)]
pub struct UndoPlan {
    /// One entry per user, in the order users first appear.
    pub plan: Plan,
    /// The users with more than one entry, merged to their earliest recorded state.
    pub repeated: Vec<String>,
    /// The line number of a last line cut short, left out.
    pub torn: Option<usize>,
}

impl UndoPlan {
    /// What the operator should be told about the file, a line each: the users merged (all
    /// in one warning) and the line left out.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let mut warnings = Vec::new();
        if !self.repeated.is_empty() {
            const SHOWN: usize = 20;
            let mut named = self.repeated[..self.repeated.len().min(SHOWN)].join(", ");
            if self.repeated.len() > SHOWN {
                named.push_str(&format!(", and {} more", self.repeated.len() - SHOWN));
            }
            warnings.push(format!(
                "`{}` records {} more than once ({named}): each is restored to its earliest \
                 recorded state (its first entry; a field only later entries name, from the \
                 earliest that names it)",
                path.display(),
                crate::text::count(self.repeated.len(), "user"),
            ));
        }
        if let Some(line) = self.torn {
            warnings.push(format!(
                "`{}` line {line} was cut short (the run stopped while writing it) and is left \
                 out: its user's entry was never on disk, so that user was not written",
                path.display()
            ));
        }
        warnings
    }
}

impl UndoPlan {
    /// Leave out what the run never wrote, by its `results` (`results.csv`): a user's steps
    /// of a resource whose every result line says nothing of it landed (`skipped`,
    /// `compensated` — written, then undone —, `unchanged`, `drifted`). A rollback entry is
    /// recorded before a user's first write, for every step it may take; restoring a step
    /// that never ran would undo what someone else did since (another run that gave a
    /// number the same activation). A resource without a line (the run stopped while
    /// writing it) or with an `applied` or `failed` line (a write that may have landed in
    /// part) is kept. Returns the steps left out.
    pub fn without_unwritten(&mut self, results: impl Iterator<Item = super::ResultRow>) -> usize {
        use super::Status;
        use crate::resource::Resource;
        // User → resource → whether a line of it may have landed.
        let mut ended: HashMap<String, HashMap<Resource, bool>> = HashMap::new();
        for row in results {
            let landed = matches!(row.status, Status::Applied | Status::Failed);
            *ended
                .entry(row.user_id)
                .or_default()
                .entry(row.resource)
                .or_default() |= landed;
        }
        let mut left_out = 0;
        for user in &mut self.plan.users {
            let Some(ended) = ended.get(&user.user_id) else {
                continue;
            };
            let unwritten = |step: &Step| ended.get(&step.resource()) == Some(&false);
            if !user.steps.iter().any(unwritten) {
                continue;
            }
            let steps: Vec<Step> = user
                .steps
                .iter()
                .filter(|s| !unwritten(s))
                .cloned()
                .collect();
            left_out += user.steps.len() - steps.len();
            *user = user.with_steps(steps);
        }
        left_out
    }
}

impl RunFiles {
    /// `rollback.jsonl` as the plan that undoes the run; see [`read_undo`].
    pub fn undo_plan(&self) -> Result<UndoPlan, PlanFileError> {
        read_undo(&self.dir().join(ROLLBACK))
    }
}

/// Read the rollback file at `path`: each user once, at its earliest recorded state, a torn
/// last line left out. Errors when the file cannot be read, or a line other than a torn last
/// one is not an entry.
pub fn read_undo(path: &Path) -> Result<UndoPlan, PlanFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let complete = text.rfind('\n').map_or(0, |at| at + 1);
    let tail = &text[complete..];
    let whole = tail.trim().is_empty() || serde_json::from_str::<UserPlan>(tail).is_ok();
    let (text, torn) = match whole {
        true => (text.as_str(), None),
        false => (
            &text[..complete],
            Some(text[..complete].lines().count() + 1),
        ),
    };
    let plan = crate::plan::file::parse_repeating(path, text)?;
    let (plan, repeated) = earliest(plan);
    Ok(UndoPlan {
        plan,
        repeated,
        torn,
    })
}

/// The rollback file at `path` up to its last complete line, each user once (for a resume).
pub(super) fn recorded(path: &Path) -> Result<Plan, LedgerError> {
    let text = super::reader::complete_lines(path)?;
    let plan = crate::plan::file::parse_repeating(path, &text)
        .map_err(|e| LedgerError::unreadable(path, e))?;
    Ok(earliest(plan).0)
}

/// `plan` with each user's entries merged into its first; the users that had several.
fn earliest(mut plan: Plan) -> (Plan, Vec<String>) {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut users: Vec<UserPlan> = Vec::with_capacity(plan.users.len());
    let mut repeated: Vec<String> = Vec::new();
    for user in std::mem::take(&mut plan.users) {
        match first.get(&user.user_id) {
            Some(&at) => {
                if !repeated.contains(&user.user_id) {
                    repeated.push(user.user_id.clone());
                }
                merge_later(&mut users[at], user);
            }
            None => {
                first.insert(user.user_id.clone(), users.len());
                users.push(user);
            }
        }
    }
    plan.rows = users.iter().map(|u| u.rows.len()).sum();
    plan.users = users;
    (plan, repeated)
}

/// Add to `earlier` what only `later` (a later entry of the same user) restores.
fn merge_later(earlier: &mut UserPlan, later: UserPlan) {
    let mut changes = changes_of(&earlier.steps);
    let more = changes_of(&later.steps);
    let named = |changes: &Changes, service: &ServiceRef| {
        changes.assign.contains(service) || changes.unassign.contains(service)
    };
    for service in more.assign {
        if !named(&changes, &service) {
            changes.assign.push(service);
        }
    }
    for service in more.unassign {
        if !named(&changes, &service) {
            changes.unassign.push(service);
        }
    }
    for (resource, fields) in more.fields {
        let into = changes.fields.entry(resource).or_default();
        add_missing(into, fields);
    }
    earlier.steps = changes.into_steps();
    // What the runs wrote, as the latest of them left it: a field's after-value is the one
    // its last entry recorded. An entry without after-values (an older sleipnir) leaves the
    // user without them, restored as such entries are.
    earlier.before = match (earlier.before.take(), later.before) {
        (Some(mut wrote), Some(later_wrote)) => {
            for (resource, fields) in later_wrote {
                let into = wrote.entry(resource).or_default();
                for (path, value) in fields {
                    into.retain(|have, _| !overlaps(have, &path));
                    into.insert(path, value);
                }
            }
            Some(wrote)
        }
        _ => None,
    };
    for row in later.rows {
        if !earlier.rows.contains(&row) {
            earlier.rows.push(row);
        }
    }
    earlier.rows.sort_unstable();
    for credential in later.not_restorable {
        if !earlier.not_restorable.contains(&credential) {
            earlier.not_restorable.push(credential);
        }
    }
    earlier.service_provider_id = earlier
        .service_provider_id
        .take()
        .or(later.service_provider_id);
    earlier.group_id = earlier.group_id.take().or(later.group_id);
}

/// Add the fields of `more` that no field of `into` overlaps (the same path, or one inside
/// the other: `address` and `address.city`).
fn add_missing(into: &mut Map<String, Value>, more: Map<String, Value>) {
    for (path, value) in more {
        if !into.keys().any(|have| overlaps(have, &path)) {
            into.insert(path, value);
        }
    }
}

fn overlaps(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    inside(a, b) || inside(b, a)
}

/// A user's steps gathered back into what they change.
fn changes_of(steps: &[Step]) -> Changes {
    let mut changes = Changes::default();
    for step in steps {
        match step {
            Step::Services(services) => {
                changes.assign.extend(services.assign.iter().cloned());
                changes.unassign.extend(services.unassign.iter().cloned());
            }
            Step::Fields { resource, patch } => {
                add_missing(changes.fields.entry(*resource).or_default(), patch.to_map());
            }
            Step::Credentials(credentials) => changes.credentials = credentials.clone(),
            // An entry's earliest state: the first run's restore of it is kept.
            Step::Entries { resource, entries } => {
                let into = changes.fields.entry(*resource).or_default();
                for (id, entry) in entries.iter() {
                    into.entry(id.clone()).or_insert_with(|| entry.clone());
                }
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        r#"{"sleipnir":"plan","version":1,"source":"rollback of s.csv","sha256":"00"}"#;

    fn read(text: &str) -> UndoPlan {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollback.jsonl");
        std::fs::write(&path, text).unwrap();
        read_undo(&path).unwrap()
    }

    #[test]
    fn repeated_users_keep_what_the_latest_run_wrote_as_their_after_values() {
        // Two runs changed `a`'s extension: 1001 → 7001, then 7001 → 7002. The way back is
        // to 1001, and only where the user still holds 7002 (what the last run wrote).
        let entry = |restore: &str, wrote: &str| {
            format!(
                "{{\"userId\":\"a\",\"rows\":[2],\"steps\":[{{\"resource\":\"user\",\"patch\":{{\"extension\":\"{restore}\"}}}}],\"before\":{{\"user\":{{\"extension\":\"{wrote}\"}}}}}}\n"
            )
        };
        let text = format!(
            "{HEADER}\n{}{}",
            entry("1001", "7001"),
            entry("7001", "7002")
        );
        let undo = read(&text);
        let a = &undo.plan.users[0];
        assert_eq!(a.steps[0].patch()["extension"], "1001");
        let wrote = a.before.as_ref().expect("after-values");
        assert_eq!(wrote[&crate::resource::Resource::User]["extension"], "7002");
    }

    #[test]
    fn repeated_users_are_restored_to_their_earliest_state() {
        let text = format!(
            "{HEADER}\n\
             {{\"userId\":\"a\",\"rows\":[2],\"steps\":[{{\"resource\":\"user\",\"patch\":{{\"extension\":\"1001\"}}}}]}}\n\
             {{\"userId\":\"b\",\"rows\":[3],\"steps\":[{{\"resource\":\"user\",\"patch\":{{\"extension\":\"1002\"}}}}]}}\n\
             {{\"userId\":\"a\",\"rows\":[2],\"steps\":[{{\"resource\":\"services\",\"patch\":{{\"userServices.Do Not Disturb\":false}}}},{{\"resource\":\"user\",\"patch\":{{\"address\":null,\"extension\":\"9001\"}}}}]}}\n"
        );
        let undo = read(&text);
        assert_eq!(undo.repeated, vec!["a".to_string()]);
        assert_eq!(undo.torn, None);
        assert_eq!(undo.plan.users.len(), 2);
        let a = &undo.plan.users[0];
        assert_eq!(a.user_id, "a");
        let patches: Vec<_> = a
            .steps
            .iter()
            .map(|s| (s.resource(), s.patch().into_owned()))
            .collect();
        assert_eq!(patches.len(), 2, "{patches:?}");
        // The earliest extension wins; the fields only the later entry names are kept, in
        // the one step order (a service unassigned last).
        assert_eq!(patches[0].1["extension"], "1001");
        assert_eq!(patches[0].1["address"], Value::Null);
        assert_eq!(patches[1].1["userServices.Do Not Disturb"], false);
        let warnings = undo.warnings(Path::new("r/rollback.jsonl"));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("1 user more than once (a)"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_torn_last_line_is_left_out_and_a_whole_one_without_line_end_kept() {
        let entry = r#"{"userId":"a","rows":[2],"steps":[{"resource":"user","patch":{"extension":"1001"}}]}"#;
        let undo = read(&format!("{HEADER}\n{entry}\n{}", &entry[..30]));
        assert_eq!(undo.torn, Some(3));
        assert_eq!(undo.plan.users.len(), 1);
        let undo = read(&format!("{HEADER}\n{entry}"));
        assert_eq!(undo.torn, None);
        assert_eq!(undo.plan.users.len(), 1);
        // Damage elsewhere than the last line is still an error that names the line.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollback.jsonl");
        std::fs::write(&path, format!("{HEADER}\n{}\n{entry}\n", &entry[..30])).unwrap();
        assert!(read_undo(&path).unwrap_err().to_string().contains("line 2"));
    }
}
