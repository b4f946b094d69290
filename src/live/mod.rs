//! Live state: the reads that `plan --target` and `apply` both make — each user's resources
//! through the shared client ([`read`]), at group scale where that saves requests
//! ([`groups`]), users placed in their groups ([`placement`]) and read group by group
//! ([`order`]). What the reads show (drift, writes Odin would refuse, what an apply would
//! send) is judged by `apply`; this module only reads.

pub mod groups;
pub mod order;
pub mod placement;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use tokio::sync::Semaphore;

use crate::odin::OdinClient;
use crate::odin::group::{BulkService, BulkTarget};
use crate::odin::resources::UserIdentity;
use crate::operation::arrange::{Arrangement, arrange};
use crate::plan::UserPlan;
use crate::resource::Resource;
use groups::GroupReads;
use placement::{Placed, Placement};

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

/// The failure of a read not sent because an earlier one was held back
/// ([`ReadFailure::paused`]).
pub const NOT_READ_AFTER_STOP: &str = "not read: the reads stopped at an earlier answer";

/// Called once for each user whose live values have been read (or could not be), from the
/// task that read them: a progress display's tick.
pub type ReadOne = Arc<dyn Fn() + Send + Sync>;

/// Every user's live state, as [`read_all`] read it.
pub struct AllRead {
    /// Per user of the plan, in plan order.
    pub states: Vec<LiveState>,
    /// The group reads planned and made.
    pub groups: Arc<GroupReads>,
    /// What placing the users cost.
    pub placed: Placed,
    /// The warnings of the reads (a listing or group read the server would not answer, so
    /// users were read one by one), each once.
    pub warnings: Vec<String>,
    /// Per user of the plan: who else holds the extension its steps give it.
    pub extension_holders: Vec<Option<String>>,
    /// What the users ask of their groups together, arranged before the users were read
    /// as `apply` arranges them; its number lists were handed to the group reads.
    pub arrangement: Arrangement,
    /// Of the arrangement's number lists, those the group reads stood on (a request `apply`
    /// would not send twice either).
    pub lists_standing: u64,
}

/// Read the resources each user's steps touch, `concurrency` users at a time, through group
/// reads where they save requests (placing users the plan does not, see [`placement`]);
/// `shared` are the groups where a bulk write may list users (their `/bulk` user summaries
/// are kept).
pub async fn read_all(
    users: &[UserPlan],
    client: Arc<OdinClient>,
    concurrency: usize,
    (service_provider, shared): (
        Option<&str>,
        &std::collections::HashSet<placement::GroupKey>,
    ),
    read_one: ReadOne,
) -> AllRead {
    let (mut placement, placed) = Placement::place(users, &client, service_provider).await;
    // Arranged first, as `apply` does: the group reads then stand on its number lists.
    let mut arrangement = arrange(users, &client, |user| placement.key_of(user), |_| false).await;
    for (user, home) in &arrangement.homes {
        placement.add(user, home);
    }
    let groups = Arc::new(GroupReads::plan(
        users,
        groups::DEFAULT_MAX_AGE,
        Arc::new(placement),
        shared,
    ));
    let lists = std::mem::take(&mut arrangement.lists);
    let lists_standing = lists
        .iter()
        .filter(|(key, _, _)| groups.reads_list(key))
        .count() as u64;
    groups.seed_lists(lists);
    groups.seed_listings(std::mem::take(&mut arrangement.listings));
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    // A read held back (a redirect, a pause past --max-wait) stops the reads not yet sent:
    // Odin would answer them alike.
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::with_capacity(users.len());
    let order = order::group_order(users, |user| groups.placement().key_of(user));
    for index in order {
        let (client, slots, groups) = (client.clone(), slots.clone(), groups.clone());
        let (read_one, stopped) = (read_one.clone(), stopped.clone());
        let user = users[index].clone();
        tasks.push((
            index,
            tokio::spawn(async move {
                let _slot = slots
                    .acquire_owned()
                    .await
                    .map_err(|e| ReadFailure::new(e.to_string()))?;
                if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    read_one();
                    return Err(ReadFailure {
                        paused: true,
                        ..ReadFailure::new(NOT_READ_AFTER_STOP)
                    });
                }
                let state = read(&user, &client, Some(&groups))
                    .await
                    .map(|live| (live.docs, live.extension_holder));
                if state.as_ref().is_err_and(|failure| failure.paused) {
                    stopped.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                read_one();
                state
            }),
        ));
    }
    let mut states: Vec<LiveState> = Vec::with_capacity(tasks.len());
    states.resize_with(users.len(), || Err(ReadFailure::new("not read")));
    let mut extension_holders = vec![None; users.len()];
    for (index, task) in tasks {
        let state = task
            .await
            .unwrap_or_else(|e| Err(ReadFailure::new(e.to_string())));
        states[index] = state.map(|(docs, holder)| {
            extension_holders[index] = holder;
            docs
        });
    }
    let warnings = placed
        .warning
        .iter()
        .cloned()
        .chain(groups.warning())
        .collect();
    AllRead {
        states,
        groups,
        placed,
        warnings,
        extension_holders,
        arrangement,
        lists_standing,
    }
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
    /// Who else holds the extension the user's steps give it, as its group's read shows
    /// (`None`: nobody else, or not read at group scale).
    pub extension_holder: Option<String>,
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
        live.extension_holder = found.extension_holder;
    }
    // A group's lists are read last: the user's record, read first, says its group.
    let (own, of_group): (Vec<&crate::plan::Step>, Vec<_>) =
        user.steps.iter().partition(|s| !s.resource().of_group());
    let home_unknown = user.group_id.is_none() || user.service_provider_id.is_none();
    // A list written by one writer that its group's read holds needs no record: its write
    // names the list, not the user's group.
    let needs_home = of_group.iter().any(|step| {
        !crate::operation::one_writer(step.resource()) || !live.docs.contains_key(&step.resource())
    });
    if needs_home && home_unknown {
        // The group's lists are read and written by the group the user's record names.
        read_one(user, client, &mut live, Resource::User).await?;
    }
    for step in own.into_iter().chain(of_group) {
        // What the step's rules need read first, then its own resource.
        let resource = step.resource();
        for resource in crate::operation::needs(resource)
            .iter()
            .copied()
            .chain([resource])
        {
            read_one(user, client, &mut live, resource).await?;
        }
        if let (Some(doc), Some(groups)) = (crate::operation::group_doc(resource), groups) {
            let key = match groups.placement().key_of(user) {
                Some(key) => Some(key),
                None => {
                    read_one(user, client, &mut live, Resource::User).await?;
                    live.docs.get(&Resource::User).and_then(|record| {
                        let text = |k| crate::odin::group::text_of(record.get(k));
                        Some((text("serviceProviderId")?, text("groupId")?))
                    })
                }
            };
            let Some(key) = key else { continue };
            match groups.docs().get(client, &key, doc.path).await {
                Ok(value) => {
                    if let Some(Value::Object(read)) = live.docs.get_mut(&resource) {
                        read.insert(doc.key.to_string(), value);
                    }
                }
                // Its rules are not told; Odin's answer to the write will be.
                Err((message, _)) => tracing::warn!(user = %user.user_id, "{message}"),
            }
        }
    }
    check_home(user, crate::operation::record(&live.docs)).map_err(|mut failure| {
        failure.attempts = live.read_attempts.values().sum();
        failure
    })?;
    Ok(live)
}

/// Read `resource` of `user` into `live`, unless it is there or write-only (API.md §11).
async fn read_one(
    user: &UserPlan,
    client: &OdinClient,
    live: &mut Live,
    resource: Resource,
) -> Result<(), ReadFailure> {
    if live.docs.contains_key(&resource) || resource == Resource::Credentials {
        return Ok(());
    }
    let identity = UserIdentity::resolve(
        &user.user_id,
        user.service_provider_id.as_deref(),
        user.group_id.as_deref(),
        crate::operation::record(&live.docs),
    );
    let call = crate::operation::read_with(client, resource, &identity, &live.docs).await;
    *live.read_attempts.entry(resource).or_default() += call.attempts;
    let value = call.result.map_err(|error| ReadFailure {
        message: format!("reading {resource}: {error}"),
        http_status: call.status,
        attempts: live.read_attempts.values().sum(),
        paused: error.pauses_run(),
    })?;
    live.docs.insert(resource, value);
    Ok(())
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
