//! Live state for plans made against a target: reading every user's resources through the
//! shared client, recording the before-values a reviewed plan carries, and telling which of
//! them changed since (drift).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};
use tokio::sync::Semaphore;

use super::diff::{live_value, same};
use super::estimate::Estimate;
use super::groups::GroupReads;
use super::placement::Placement;
use crate::odin::OdinClient;
use crate::odin::group::{BulkService, BulkTarget};
use crate::plan::UserPlan;
use crate::resource::Resource;

/// A user's resources in their GET shapes, or why they could not be read.
pub type LiveState = Result<HashMap<Resource, Value>, ReadFailure>;

/// Why a user's live state could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    /// What failed, e.g. ``reading user: HTTP 404: user `x` not found``.
    pub message: String,
    /// The HTTP status Odin answered, if it answered.
    pub http_status: Option<u16>,
    /// The requests this user's reads sent, retries of the one that failed included.
    pub attempts: u32,
    /// The read was not failed but held back: Odin asked for a pause past `--max-wait`
    /// ([`crate::odin::OdinError::pauses_run`]: a pause past `--max-wait`, a redirect); the
    /// run stops and can be resumed.
    pub paused: bool,
}

impl ReadFailure {
    fn new(message: impl Into<String>) -> ReadFailure {
        ReadFailure {
            message: message.into(),
            http_status: None,
            attempts: 0,
            paused: false,
        }
    }
}

/// Read the resources each user's steps touch, `concurrency` users at a time, through group
/// reads where they save requests (placing users the plan does not, see
/// [`super::placement`]); in plan order, with what applying the plan would send and the
/// warnings of the reads (a listing or group read the server would not answer, so users
/// were read one by one), each once.
pub async fn read_all(
    users: &[UserPlan],
    client: Arc<OdinClient>,
    concurrency: usize,
    (service_provider, bulk_size): (Option<&str>, usize),
) -> (Vec<LiveState>, Estimate, Vec<String>) {
    let (placement, placed) = Placement::place(users, &client, service_provider).await;
    let groups = Arc::new(GroupReads::plan(
        users,
        super::groups::DEFAULT_MAX_AGE,
        Arc::new(placement),
        None,
    ));
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::with_capacity(users.len());
    let order = super::dispatch::group_order(users, |user| groups.placement().key_of(user));
    for index in order {
        let (client, slots, groups) = (client.clone(), slots.clone(), groups.clone());
        let user = users[index].clone();
        tasks.push((
            index,
            tokio::spawn(async move {
                let _slot = slots
                    .acquire_owned()
                    .await
                    .map_err(|e| ReadFailure::new(e.to_string()))?;
                read(&user, &client, Some(&groups))
                    .await
                    .map(|live| live.docs)
            }),
        ));
    }
    let mut states: Vec<LiveState> = Vec::with_capacity(tasks.len());
    states.resize_with(users.len(), || Err(ReadFailure::new("not read")));
    for (index, task) in tasks {
        states[index] = task
            .await
            .unwrap_or_else(|e| Err(ReadFailure::new(e.to_string())));
    }
    let estimate = super::estimate::estimate(users, &states, (&groups, &placed), bulk_size);
    let warnings = placed
        .warning
        .iter()
        .cloned()
        .chain(groups.warning())
        .collect();
    (states, estimate, warnings)
}

/// A user's live resources, and where they came from.
#[derive(Debug, Default)]
pub struct Live {
    /// Resource → its document in the shape of its per-user GET.
    pub docs: HashMap<Resource, Value>,
    /// When the oldest group read used was made (`None`: every document was read for this
    /// user just now).
    pub group_read_at: Option<Instant>,
    /// Whether the settings document came from group reads and so holds only the services
    /// the user's steps touch.
    pub partial_settings: bool,
    /// The requests sent to read each resource for this user alone (retries included; a
    /// group read is shared, and counted by kind in the run's summary instead).
    pub read_attempts: HashMap<Resource, u32>,
    /// What a bulk write lists the user as, per target whose document came from the
    /// group read.
    pub rows: HashMap<BulkTarget, Value>,
    /// Bulk services the group read says the user has not assigned.
    pub unassigned: BTreeSet<BulkService>,
}

/// Read the resources `user`'s steps touch: from its group's read when `groups` has one,
/// the rest one by one.
pub async fn read(
    user: &UserPlan,
    client: &OdinClient,
    groups: Option<&GroupReads>,
) -> Result<Live, ReadFailure> {
    let mut live = Live::default();
    if let Some(groups) = groups.filter(|g| g.covers(user)) {
        let found = groups.lookup(user, client).await;
        live.partial_settings = found.docs.contains_key(&Resource::Settings);
        if !found.docs.is_empty() {
            live.group_read_at = found.read_at;
        }
        live.docs = found.docs;
        live.rows = found.rows;
        live.unassigned = found.unassigned;
    }
    for step in &user.steps {
        // Write-only (API.md §11): there is nothing to read.
        if live.docs.contains_key(&step.resource()) || step.resource() == Resource::Credentials {
            continue;
        }
        let call = client.read(step.resource(), &user.user_id).await;
        *live.read_attempts.entry(step.resource()).or_default() += call.attempts;
        let value = call.result.map_err(|error| ReadFailure {
            message: format!("reading {}: {error}", step.resource()),
            http_status: call.status,
            attempts: live.read_attempts.values().sum(),
            paused: error.pauses_run(),
        })?;
        live.docs.insert(step.resource(), value);
    }
    check_home(user, live.docs.get(&Resource::User)).map_err(|mut failure| {
        failure.attempts = live.read_attempts.values().sum();
        failure
    })?;
    Ok(live)
}

/// A sheet that says where the user lives must say what Odin says: the write of the user
/// record names the service provider and group, and Odin refuses a wrong one — after other
/// steps may have been written. A mismatch is the user's failure before anything is sent.
fn check_home(user: &UserPlan, record: Option<&Value>) -> Result<(), ReadFailure> {
    let Some(record) = record else {
        return Ok(());
    };
    for (key, said) in [
        ("serviceProviderId", &user.service_provider_id),
        ("groupId", &user.group_id),
    ] {
        let live = crate::odin::group::text_of(record.get(key));
        if let (Some(said), Some(live)) = (said, live)
            && *said != live
        {
            return Err(ReadFailure::new(format!(
                "the sheet says `user.{key}` is `{said}`, but Odin has this user in `{live}`; \
                 correct the sheet (sleipnir does not move users between groups)"
            )));
        }
    }
    Ok(())
}

/// The services whose settings `user`'s steps change but which its live settings do not
/// hold (not assigned; API.md §4: Odin refuses settings of a service not assigned), unless
/// one of its steps assigns them. Names as the sheet spells them, each once.
pub fn lacking_services(user: &UserPlan, live: &HashMap<Resource, Value>) -> Vec<String> {
    let Some(settings) = live.get(&Resource::Settings) else {
        return Vec::new();
    };
    let assigned = |name: &str| {
        user.steps.iter().any(|step| match step {
            crate::plan::Step::Services(changes) => {
                changes.assign.iter().any(|service| service.is_named(name))
            }
            _ => false,
        })
    };
    let mut lacking: Vec<String> = Vec::new();
    for step in &user.steps {
        let crate::plan::Step::Fields {
            resource: Resource::Settings,
            patch,
        } = step
        else {
            continue;
        };
        for key in patch.keys() {
            let service = crate::services::settings_service(key);
            let named = crate::services::ServiceRef::service(service);
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

/// Each planned field's live value (null when absent), by resource: what `before` records.
pub fn before_values(
    user: &UserPlan,
    live: &HashMap<Resource, Value>,
) -> BTreeMap<Resource, Map<String, Value>> {
    let mut before: BTreeMap<Resource, Map<String, Value>> = BTreeMap::new();
    for step in user
        .steps
        .iter()
        .filter(|s| s.resource() != Resource::Credentials)
    {
        let doc = live.get(&step.resource()).unwrap_or(&Value::Null);
        let values = before.entry(step.resource()).or_default();
        for key in step.patch().keys() {
            values.insert(
                key.clone(),
                live_value(step.resource(), doc, key).unwrap_or(Value::Null),
            );
        }
    }
    before
}

/// The fields whose live value is no longer the one the plan recorded, described as
/// ``settings `Do Not Disturb.isActive` was false when planned, is true now``.
pub fn drift(user: &UserPlan, live: &HashMap<Resource, Value>) -> Vec<String> {
    let Some(recorded) = &user.before else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (resource, fields) in recorded {
        let doc = live.get(resource).unwrap_or(&Value::Null);
        for (key, then) in fields {
            let now = live_value(*resource, doc, key);
            if !same(now.as_ref(), then) {
                let now = now.unwrap_or(Value::Null);
                // Two values that print the same show what tells them apart, escaped.
                let (then, now) = match super::diff::look_alike(Some(then), &now) {
                    Some((then, now)) => (format!("`{then}`"), format!("`{now}`")),
                    None => (then.to_string(), now.to_string()),
                };
                found.push(format!(
                    "{resource} `{key}` was {then} when planned, is {now} now"
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::Step;

    #[test]
    fn records_before_values_and_finds_drift() {
        let mut user = UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps: vec![
                Step::from_patch(Resource::Services, json!({"userServices.Call Notify": true}).as_object().cloned().unwrap()).unwrap(),
                Step::from_patch(Resource::Settings, json!({"Do Not Disturb.isActive": true, "Call Forwarding Busy.forwardToPhoneNumber": "+1"}).as_object().cloned().unwrap()).unwrap(),
            ],
            before: None,
            not_restorable: Vec::new(),
            cells: Default::default(),
        };
        let mut live = HashMap::new();
        live.insert(
            Resource::Services,
            json!({"userServices": [{"serviceName": "Call Notify", "assigned": false}]}),
        );
        live.insert(
            Resource::Settings,
            json!({"Do Not Disturb": {"isActive": false}, "Call Forwarding Busy": {}}),
        );
        let before = before_values(&user, &live);
        assert_eq!(
            before[&Resource::Services]["userServices.Call Notify"],
            json!(false)
        );
        assert_eq!(
            before[&Resource::Settings]["Do Not Disturb.isActive"],
            json!(false)
        );
        assert_eq!(
            before[&Resource::Settings]["Call Forwarding Busy.forwardToPhoneNumber"],
            json!(null)
        );
        user.before = Some(before);
        assert!(drift(&user, &live).is_empty());
        live.insert(
            Resource::Settings,
            json!({"Do Not Disturb": {"isActive": true}, "Call Forwarding Busy": {}}),
        );
        assert_eq!(
            drift(&user, &live),
            ["settings `Do Not Disturb.isActive` was false when planned, is true now"]
        );
    }

    #[test]
    fn drift_compares_text_in_nfc_and_shows_look_alikes_escaped() {
        let user = UserPlan {
            user_id: "a@x".into(),
            rows: vec![2],
            service_provider_id: None,
            group_id: None,
            steps: vec![
                Step::from_patch(
                    Resource::User,
                    json!({"lastName": "M\u{fc}ller"})
                        .as_object()
                        .cloned()
                        .unwrap(),
                )
                .unwrap(),
            ],
            before: Some(BTreeMap::from([(
                Resource::User,
                json!({"lastName": "Mu\u{308}ller"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            )])),
            not_restorable: Vec::new(),
            cells: Default::default(),
        };
        let live = |name: &str| HashMap::from([(Resource::User, json!({ "lastName": name }))]);
        assert!(drift(&user, &live("M\u{fc}ller")).is_empty());
        assert_eq!(
            drift(&user, &live("M\u{fc}ller\u{200b}")),
            ["user `lastName` was `Mu\u{308}ller` when planned, is `M\u{fc}ller\\u{200b}` now"]
        );
    }
}
