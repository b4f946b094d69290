//! A write whose answer was lost (its connection dropped or timed out after it was sent,
//! or something other than Odin answered it) may have landed all the same; so may a write
//! of a list's entries refused after it was sent more than once (an add or a removal that a
//! repeat no longer finds as the first left it: the refusal may be of the repeat). One read
//! of the resource, through its operation, tells, before the step is called failed. The
//! one place for it: a user's own write ([`super::steps`]) and a group's list written for
//! its users ([`super::bulk`]) are judged by it alike.

use serde_json::{Map, Value};

use super::diff::{StepDiff, holds};
use crate::odin::OdinClient;
use crate::odin::OdinError;
use crate::odin::resources::UserIdentity;
use crate::plan::Step;
use crate::resource::Resource;
use crate::rundir::Status;

/// What the read after a lost answer showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Landed {
    /// Every field the write changed holds the value written.
    Yes,
    /// At least one does not: the write did not land (or only in part).
    No,
    /// It cannot be told: the resource is write-only, or the read failed (why).
    Unknown(String),
}

/// Whether a write of `resource` that failed with `error` after `attempts` requests is
/// judged by a read: its answer was lost, or it wrote a list's entries and was refused
/// after it was sent more than once.
pub(super) fn judged_by_read(resource: Resource, error: &OdinError, attempts: u32) -> bool {
    // A write that says what it did and did not do is taken at its word.
    let told = matches!(error, OdinError::Incomplete(_));
    error.may_have_landed() || (resource.is_list() && attempts > 1 && !error.pauses_run() && !told)
}

/// Read `step`'s resource of the user `identity` names and compare the fields `change`
/// writes with the values written; the requests the read sent are added to `attempts`.
/// Also the document read, when the read answered.
pub(super) async fn check(
    client: &OdinClient,
    identity: &UserIdentity,
    (step, change): (&Step, &StepDiff),
    attempts: &mut u32,
) -> (Landed, Option<Value>) {
    let resource = step.resource();
    if resource == Resource::Credentials {
        let why = "credentials are write-only; no read shows them".into();
        return (Landed::Unknown(why), None);
    }
    let call = crate::operation::read(client, resource, identity).await;
    *attempts += call.attempts;
    let live = match call.result {
        Ok(live) => live,
        Err(error) => {
            let why = format!("reading {resource} failed: {error}");
            return (Landed::Unknown(why), None);
        }
    };
    let shows = change
        .changes
        .iter()
        .all(|c| holds(resource, &live, &c.path, &c.after));
    let landed = if shows { Landed::Yes } else { Landed::No };
    (landed, Some(live))
}

/// Judge a write of `step` (`change`, its `body`, sent against `before`) that failed with
/// `error` ([`judged_by_read`]) by one read: `applied` when the read shows it; for a list
/// whose read shows the entries the write had reached but not the rest ([`rest`]), the rest
/// written once more (and judged so again, while each round leaves fewer entries); else
/// `failed`, saying what the read showed. The requests sent are added to `attempts`.
pub(super) async fn judge(
    (client, identity): (&OdinClient, &UserIdentity),
    (step, change, body, before): (&Step, &StepDiff, &Value, &Value),
    error: &OdinError,
    attempts: &mut u32,
) -> (Status, String) {
    let resource = step.resource();
    let mut body = body.clone();
    // What the last write of the rest answered, once one was sent.
    let mut again: Option<OdinError> = None;
    loop {
        let (landed, live) = check(client, identity, (step, change), attempts).await;
        let rest = live.and_then(|live| rest(resource, &live, &body));
        let said = match &again {
            None => error.to_string(),
            Some(last) => format!(
                "{error}; a read showed part of the write had landed, and the rest was written \
                 again ({last})"
            ),
        };
        let rest = match (landed, rest) {
            (Landed::Yes, _) => {
                return (
                    Status::Applied,
                    format!("{said}; a read showed the write had landed"),
                );
            }
            (Landed::No, Some(rest)) => rest,
            (Landed::Unknown(why), _) => {
                return (
                    Status::Failed,
                    format!("{said}; whether the write landed is unknown ({why})"),
                );
            }
            (Landed::No, None) => {
                return (
                    Status::Failed,
                    format!("{said}; a read showed the write had not landed"),
                );
            }
        };
        // A list written an entry at a time: the entries it had reached landed; those it
        // had not are written once more.
        let sent = crate::operation::write(client, identity, resource, &rest, before).await;
        *attempts += sent.attempts;
        match sent.result {
            Ok(_) => {
                return (
                    Status::Applied,
                    format!(
                        "{error}; a read showed part of the write had landed, and the rest was \
                         written again"
                    ),
                );
            }
            Err(last) if judged_by_read(resource, &last, sent.attempts) => {
                body = rest;
                again = Some(last);
            }
            Err(last) => {
                return (
                    Status::Failed,
                    format!(
                        "{error}; a read showed part of the write had landed; writing the rest \
                         failed: {last}"
                    ),
                );
            }
        }
    }
}

/// The entries of a list write `body` of `resource` that `live` (read after it) does not
/// show, when it shows others: what the write had not reached when it ended (a list is
/// written an entry at a time), to be written once more. `None` when `resource` is no list,
/// or no entry, or every entry, landed.
pub(super) fn rest(resource: Resource, live: &Value, body: &Value) -> Option<Value> {
    if !resource.is_list() {
        return None;
    }
    let entries = body.as_object()?;
    let rest: Map<String, Value> = entries
        .iter()
        .filter(|(key, after)| !holds(resource, live, key, after))
        .map(|(key, after)| (key.clone(), after.clone()))
        .collect();
    (!rest.is_empty() && rest.len() < entries.len()).then_some(Value::Object(rest))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lost_answers_and_a_lists_refused_repeats_are_judged_by_a_read() {
        let refused = OdinError::Http {
            status: 400,
            details: "line port in use".into(),
            retry_after: None,
        };
        let list = Resource::SharedCallAppearance;
        assert!(judged_by_read(Resource::User, &OdinError::Dropped, 1));
        assert!(judged_by_read(list, &refused, 2));
        // Refused the first time it was sent: Odin's refusal stands.
        assert!(!judged_by_read(list, &refused, 1));
        // A document's write is the same however often it is sent.
        assert!(!judged_by_read(Resource::User, &refused, 2));
    }

    #[test]
    fn the_entries_a_list_write_had_not_reached_are_its_rest() {
        let list = Resource::SharedCallAppearance;
        let body = json!({"a@x": {"deviceName": "d1"}, "b@x": {"deviceName": "d2"}, "c@x": null});
        let live = json!({"a@x": {"deviceName": "d1"}, "c@x": {"deviceName": "d3"}});
        assert_eq!(
            rest(list, &live, &body),
            Some(json!({"b@x": {"deviceName": "d2"}, "c@x": null}))
        );
        // Nothing landed: the refusal stands. Everything landed: nothing is left.
        assert_eq!(
            rest(list, &json!({"c@x": {"deviceName": "d3"}}), &body),
            None
        );
        let all = json!({"a@x": {"deviceName": "d1"}, "b@x": {"deviceName": "d2"}});
        assert_eq!(rest(list, &all, &body), None);
        assert_eq!(rest(Resource::User, &live, &body), None);
    }
}
