//! Group-scale before-reads (API.md §7a): for users whose service provider and group are
//! known (sheet columns, as `export` writes them, or the plan file), the user record's fields
//! come from one `GET /users?serviceProviderId=&groupId=&extended=true` — only where the
//! listing row holds every field the user's steps change (a row is a summary, not a record:
//! a user whose steps change a field it lacks has its record read on its own) — and the Call
//! Forwarding settings from one `/bulk` read per service, once per group, instead of one read
//! per user and resource.
//!
//! Freshness: a group read is used as a user's before-state only while it is younger than
//! `max_age`; an older one is read again (once, whoever asks first). Users are dispatched
//! group by group, so a group's users are written soon after its read. A group read is used
//! only where it saves requests (a group's read costs one request per listing, a user's one
//! per resource), and a server that answers 404 to a group read gets per-user reads, with
//! one warning.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

pub mod docs;
mod needs;
mod read;

use super::placement::{GroupKey, Placement};
use crate::odin::OdinClient;
use crate::odin::group::{BulkService, BulkTarget};
use crate::operation::numbers::{self, GroupList};
use crate::plan::UserPlan;
use crate::resource::Resource;
use needs::{needs, row_holds_all, user_fields};

/// What the plan's users of one group need from it.
#[derive(Debug, Clone, Default)]
struct Wanted {
    /// Whether to read the group's user records.
    users: bool,
    /// The bulk services to read.
    services: BTreeSet<BulkService>,
    /// The keys of a listing row kept: the identity keys and the top-level keys the
    /// group's users' steps change (a row of a large group is kilobytes in memory).
    row_keys: BTreeSet<String>,
    /// Whether a step of the group's users could be written in bulk: only then are the
    /// `/bulk` elements' user summaries kept (what a bulk write lists users as).
    summaries: bool,
    /// The group's own lists its users' steps change (numbers, activation): read once, from
    /// the group's number list.
    lists: BTreeSet<Resource>,
    /// Of lists written by one writer ([`crate::operation::one_writer`]): the entry ids
    /// the group's users' steps name, which are all its read reads.
    keys: std::collections::BTreeMap<Resource, BTreeSet<String>>,
    /// Whether its users' steps change extensions: who holds each is kept from the listing.
    extensions: bool,
}

/// One user of a group read, as compact JSON text: a large group's read holds every user of
/// the run in it until each is served, and a document as text takes a tenth of its memory
/// as a [`Value`] (each object a tree of nodes and strings). Parsed again when handed out.
#[derive(Debug, Default)]
struct Member {
    /// The trimmed extended listing row (`None` when the listing was not read).
    row: Option<Box<str>>,
    /// Per bulk service read: `Some(settings)`, `None` when not assigned.
    settings: Vec<(BulkService, Option<Box<str>>)>,
    /// Per bulk service read (where a bulk write may list the user): the element's user
    /// summary.
    summaries: Vec<(BulkService, Box<str>)>,
}

impl Member {
    fn settings_of(&self, service: BulkService) -> Option<&Option<Box<str>>> {
        self.settings
            .iter()
            .find_map(|(s, doc)| (*s == service).then_some(doc))
    }
}

/// A document kept as text (see [`Member`]).
fn text(value: &Value) -> Box<str> {
    value.to_string().into_boxed_str()
}

/// A document kept as text, parsed back; `None` (the caller reads it per user) should the
/// text not parse, which text made by [`text`] always does.
fn parsed(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// One group's read.
#[derive(Debug)]
struct Snapshot {
    read_at: Instant,
    users: HashMap<String, Member>,
    /// Bulk services whose endpoint answered 404: not in any user's settings.
    unsupported: Vec<BulkService>,
    /// The group's number list, when its users' steps change it.
    numbers: Option<Arc<GroupList>>,
    /// The group's lists written by one writer its users' steps change, as read
    /// ([`crate::operation::read_group_keys`]).
    others: HashMap<Resource, Arc<Value>>,
    /// Extension → the user holding it, every user of the group (where extensions change).
    extensions: Option<Arc<HashMap<String, String>>>,
}

/// Number lists read before the run (by the arrangement of its users), by group, with when.
type Seeded = HashMap<GroupKey, (Instant, Arc<GroupList>)>;

/// A group's latest read, and the run's users of it not served yet.
#[derive(Debug, Default)]
struct Slot {
    snapshot: Option<Snapshot>,
    /// The run's users of the group whose documents were not handed out yet: a read keeps
    /// only them (and the user asking, whose read may have grown too old before its first
    /// write).
    pending: HashSet<String>,
}

/// The group reads of one run, shared by its workers.
///
/// Memory: a read keeps only the group's users of this run not yet served, each as compact
/// text (see `Member`), and hands each user's documents out (removed from the read), so a
/// group's read shrinks as its users start and is released once all of them have.
#[derive(Debug)]
pub struct GroupReads {
    max_age: Duration,
    placement: Arc<Placement>,
    wanted: HashMap<GroupKey, Wanted>,
    snapshots: Mutex<HashMap<GroupKey, Arc<tokio::sync::Mutex<Slot>>>>,
    warned: AtomicBool,
    /// Number lists read just before, that a group's first read stands on while fresh.
    seeded: Mutex<Seeded>,
    /// Listings of a group's lists read just before (by the arrangement), that its read
    /// resolves the names its users' steps give through.
    listings: Mutex<HashMap<(GroupKey, Resource), Arc<Value>>>,
    /// The warning given, for the run's summary.
    warning: Mutex<Option<String>>,
    /// The group documents operations' rules need, each read once.
    docs: docs::GroupDocs,
    /// The groups (of users placed) whose documents those need: (group, path).
    doc_groups: HashSet<(GroupKey, &'static str)>,
}

/// The keys of a listing row that say who and where a user is: kept in every row, as the
/// write of a user record and a bulk write's list name the user with them.
const IDENTITY: [&str; 3] = ["userId", "serviceProviderId", "groupId"];

/// The default `max_age`: a group read stands for users' before-state for this long.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30);

/// What a user's group read gave: documents by resource (the settings document holding just
/// the bulk services the user's steps touch), and when the read was made.
#[derive(Debug, Default)]
pub struct FromGroup {
    /// Resource → its document, in the shape of its per-user GET (settings: partial).
    pub docs: HashMap<Resource, Value>,
    /// When the group was read.
    pub read_at: Option<Instant>,
    /// What a bulk write lists this user as, per target whose document came from the group
    /// read: its listing row (user record) or its `/bulk` element's user summary.
    pub rows: HashMap<BulkTarget, Value>,
    /// The bulk services the group read says the user has not assigned.
    pub unassigned: BTreeSet<BulkService>,
    /// Who else holds the extension the user's steps give it, when the group read says.
    pub extension_holder: Option<String>,
}

impl GroupReads {
    /// Plan the group reads of `users`: per group, the user records and bulk services its
    /// users' steps need, where one read of the group costs fewer requests than its users'
    /// own reads would. In the groups of `shared` (where a bulk write may list users) the
    /// `/bulk` elements' user summaries are kept too. A `max_age` of zero plans none.
    pub fn plan(
        users: &[UserPlan],
        max_age: Duration,
        placement: Arc<Placement>,
        shared: &HashSet<GroupKey>,
    ) -> GroupReads {
        let mut costs: HashMap<GroupKey, (Wanted, usize)> = HashMap::new();
        for user in users {
            let Some(key) = placement.key_of(user) else {
                continue;
            };
            let needs = needs(user);
            let (wanted, per_user) = costs.entry(key).or_default();
            wanted.users |= needs.users;
            wanted.services.extend(&needs.services);
            wanted.lists.extend(&needs.lists);
            for step in &user.steps {
                if crate::operation::one_writer(step.resource()) {
                    let keys = wanted.keys.entry(step.resource()).or_default();
                    keys.extend(step.patch().keys().cloned());
                }
            }
            wanted.extensions |= needs.extensions;
            if needs.users {
                let tops = user_fields(user).map(|p| p.split(['.', '[']).next().unwrap_or(p));
                wanted.row_keys.extend(tops.map(str::to_string));
            }
            *per_user += usize::from(needs.users)
                + usize::from(!needs.services.is_empty())
                + needs.lists.len();
        }
        let wanted: HashMap<GroupKey, Wanted> = costs
            .into_iter()
            .map(|(key, (mut wanted, per_user))| {
                wanted.summaries = shared.contains(&key);
                (key, (wanted, per_user))
            })
            // A bound of zero trusts no group read: every user is read one by one.
            .filter(|_| !max_age.is_zero())
            .filter(|(_, (wanted, per_user))| {
                let group_cost = usize::from(wanted.users)
                    + wanted.services.len()
                    + usize::from(!wanted.lists.is_empty());
                // A list written by one writer is read by its group, whatever it costs.
                let one_writer = wanted.keys.keys().any(|r| crate::operation::one_writer(*r));
                group_cost > 0 && (group_cost < *per_user || one_writer)
            })
            .map(|(key, (wanted, _))| (key, wanted))
            .collect();
        let mut slots: HashMap<GroupKey, Slot> = HashMap::new();
        for user in users {
            if let Some(key) = placement.key_of(user).filter(|k| wanted.contains_key(k)) {
                let slot = slots.entry(key).or_default();
                slot.pending.insert(user.user_id.clone());
            }
        }
        let slots = slots
            .into_iter()
            .map(|(key, slot)| (key, Arc::new(tokio::sync::Mutex::new(slot))))
            .collect();
        let doc_groups = users
            .iter()
            .filter_map(|user| Some((placement.key_of(user)?, user)))
            .flat_map(|(key, user)| {
                user.steps
                    .iter()
                    .filter_map(|s| crate::operation::group_doc(s.resource()))
                    .map(move |doc| (key.clone(), doc.path))
                    .collect::<Vec<_>>()
            })
            .collect();
        GroupReads {
            max_age,
            placement,
            wanted,
            snapshots: Mutex::new(slots),
            warned: AtomicBool::new(false),
            seeded: Mutex::new(HashMap::new()),
            listings: Mutex::new(HashMap::new()),
            warning: Mutex::new(None),
            docs: docs::GroupDocs::default(),
            doc_groups,
        }
    }

    /// The group documents operations' rules need, each read once per group.
    pub fn docs(&self) -> &docs::GroupDocs {
        &self.docs
    }

    /// Number lists read just before the run (by the arrangement of its users): a group's
    /// read takes its list from here while it is younger than the bound, instead of
    /// reading it again.
    pub fn seed_lists(&self, lists: Vec<(GroupKey, Instant, GroupList)>) {
        let mut seeded = self.seeded.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, read_at, list) in lists {
            seeded.insert(key, (read_at, Arc::new(list)));
        }
    }

    /// Listings of groups' lists read just before the run (by the arrangement of its
    /// users), as plain data ([`crate::operation::read_group_keys`] reads them).
    pub fn seed_listings(&self, listings: Vec<(GroupKey, Resource, Value)>) {
        let mut seeded = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, resource, listing) in listings {
            seeded.insert((key, resource), Arc::new(listing));
        }
    }

    /// Whether `key`'s group read includes its number list (which a list read just before
    /// the run stands for: [`GroupReads::seed_lists`]).
    pub fn reads_list(&self, key: &GroupKey) -> bool {
        self.wanted.get(key).is_some_and(|w| !w.lists.is_empty())
    }

    /// How long a group read stands for a user's before-state.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// Whether `user`'s group is read at group scale.
    pub fn covers(&self, user: &UserPlan) -> bool {
        self.placement
            .key_of(user)
            .is_some_and(|key| self.wanted.contains_key(&key))
    }

    /// The requests the planned group reads cost, each group read once.
    pub fn planned_requests(&self) -> u64 {
        let listings = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        self.wanted
            .iter()
            .map(|(group, w)| {
                // A list written by one writer is read once per list its users name; the
                // number list once.
                let numbers = w.lists.iter().any(|r| !w.keys.contains_key(r));
                let named: usize = w
                    .keys
                    .iter()
                    .map(|(&resource, keys)| {
                        let listing = listings.get(&(group.clone(), resource));
                        crate::operation::group_keys_reads(resource, keys, listing.map(|l| &**l))
                    })
                    .sum();
                u64::from(w.users) + w.services.len() as u64 + u64::from(numbers) + named as u64
            })
            .sum::<u64>()
            + self.doc_groups.len() as u64
    }

    /// The per-user reads `user` needs beside its group's read: one per resource its steps
    /// touch (credentials are write-only), less those its group read stands for.
    pub fn own_reads(&self, user: &UserPlan) -> u64 {
        let mut resources: BTreeSet<Resource> = user
            .steps
            .iter()
            .flat_map(|step| {
                let resource = step.resource();
                crate::operation::needs(resource)
                    .iter()
                    .copied()
                    .chain([resource])
            })
            .filter(|r| *r != Resource::Credentials)
            .collect();
        if self.covers(user) {
            let needs = needs(user);
            if needs.users {
                resources.remove(&Resource::User);
            }
            if !needs.services.is_empty() {
                resources.remove(&Resource::Settings);
            }
            for list in &needs.lists {
                resources.remove(list);
            }
        }
        if crate::operation::absent_before(user) {
            // A user the run creates has nothing of its own to read but its absence.
            resources.retain(|r| *r == Resource::Account || r.of_group());
        }
        resources
            .into_iter()
            .map(|resource| crate::operation::reads(resource, user))
            .sum()
    }

    /// Where the run's users live, as far as known.
    pub fn placement(&self) -> &Arc<Placement> {
        &self.placement
    }

    /// The documents of `user` its group read holds (reading the group first if it has not
    /// been read, or its read is older than the bound). Whatever is missing is read per user
    /// by the caller; a failed group read leaves everything to per-user reads.
    pub async fn lookup(&self, user: &UserPlan, client: &OdinClient) -> FromGroup {
        let Some(key) = self.placement.key_of(user) else {
            return FromGroup::default();
        };
        let Some(wanted) = self.wanted.get(&key) else {
            return FromGroup::default();
        };
        let slot = self
            .snapshots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        let mut slot = slot.lock().await;
        let stale = slot
            .snapshot
            .as_ref()
            .is_none_or(|s| s.read_at.elapsed() >= self.max_age);
        if stale {
            let pending = &slot.pending;
            let keep = |id: &str| id == user.user_id || pending.contains(id);
            let read = self.read(&key, wanted, client, keep).await;
            slot.snapshot = Some(read);
        }
        slot.pending.remove(&user.user_id);
        let done = slot.pending.is_empty();
        let Some(snapshot) = slot.snapshot.as_mut() else {
            return FromGroup::default();
        };
        let (read_at, unsupported) = (snapshot.read_at, snapshot.unsupported.clone());
        let list = snapshot.numbers.clone();
        let others = snapshot.others.clone();
        let extensions = snapshot.extensions.clone();
        let found = snapshot.users.remove(&user.user_id);
        // Memory follows the users still to serve: a read whose users are all served is
        // released (its time stays, so that a later lookup does not read the group again),
        // and one that has shrunk gives its table back.
        if done {
            snapshot.users = HashMap::new();
            snapshot.numbers = None;
            snapshot.others = HashMap::new();
            snapshot.extensions = None;
        } else if snapshot.users.len() < snapshot.users.capacity() / 4 {
            snapshot.users.shrink_to_fit();
        }
        drop(slot);
        let needs = needs(user);
        let found = match found {
            Some(found) => found,
            // Its lists are the group's whoever else the read holds; a user the run
            // creates is in no listing, and its group's lists are all the read holds for it.
            None if needs.lists.iter().any(|r| others.contains_key(r))
                || crate::operation::absent_before(user) =>
            {
                Member::default()
            }
            None => return FromGroup::default(),
        };
        let mut docs = HashMap::new();
        let mut rows = HashMap::new();
        // A listing row stands for the record only where it holds every field the user's
        // steps change (API.md §7a); otherwise the record is read for this user.
        let row = found.row.as_deref().and_then(parsed);
        if let Some(row) = row.filter(|row| needs.users && wanted.users && row_holds_all(row, user))
        {
            // A bulk write of user-record fields lists the user by who and where it is, as
            // odins_spear does (API.md §3), not with the row's old values of the fields
            // it changes.
            let who: Map<String, Value> = IDENTITY
                .iter()
                .filter_map(|key| Some((key.to_string(), row.get(*key)?.clone())))
                .collect();
            rows.insert(BulkTarget::UserRecord, Value::Object(who));
            docs.insert(Resource::User, row);
        }
        let mut unassigned = BTreeSet::new();
        let bulk_read = needs.services.iter().all(|s| {
            !unsupported.contains(s)
                && found
                    .settings_of(*s)
                    .is_some_and(|doc| doc.as_deref().is_none_or(|t| parsed(t).is_some()))
        });
        if !needs.services.is_empty() && bulk_read {
            let mut settings = Map::new();
            settings.insert("userId".into(), Value::String(user.user_id.clone()));
            for service in &needs.services {
                match found.settings_of(*service).and_then(|doc| doc.as_deref()) {
                    Some(doc) => {
                        let doc = parsed(doc).unwrap_or_default();
                        settings.insert(service.service_name().to_string(), doc);
                    }
                    None => {
                        unassigned.insert(*service);
                    }
                }
                let summary = found.summaries.iter().find(|(s, _)| s == service);
                if let Some(summary) = summary.and_then(|(_, text)| parsed(text)) {
                    rows.insert(BulkTarget::Service(*service), summary);
                }
            }
            docs.insert(Resource::Settings, Value::Object(settings));
        }
        for &resource in &needs.lists {
            let Some(answer) = others.get(&resource) else {
                continue;
            };
            let keys = user
                .steps
                .iter()
                .filter(|step| step.resource() == resource)
                .flat_map(|step| step.patch().into_owned().into_iter().map(|(key, _)| key));
            let doc = crate::operation::document_for(resource, answer, &user.user_id, keys);
            docs.insert(resource, doc);
        }
        if let Some(list) = &list {
            for &resource in needs.lists.iter().filter(|r| !others.contains_key(r)) {
                let keys = user
                    .steps
                    .iter()
                    .filter(|step| step.resource() == resource)
                    .flat_map(|step| step.patch().into_owned().into_iter().map(|(key, _)| key));
                let doc = numbers::document_for(list, resource, &user.user_id, keys);
                docs.insert(resource, doc);
            }
        }
        let extension_holder = extensions.as_ref().and_then(|held| {
            let wanted = needs::extension_of(user)?;
            held.get(&wanted).filter(|h| **h != user.user_id).cloned()
        });
        FromGroup {
            docs,
            read_at: Some(read_at),
            rows,
            unassigned,
            extension_holder,
        }
    }

    /// Users whose documents the group reads hold now (read, not handed out yet).
    pub async fn held(&self) -> usize {
        let slots: Vec<_> = self
            .snapshots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        let mut held = 0;
        for slot in slots {
            held += slot
                .lock()
                .await
                .snapshot
                .as_ref()
                .map_or(0, |s| s.users.len());
        }
        held
    }

    /// The warning about group reads this run gave, if any (one at most).
    pub fn warning(&self) -> Option<String> {
        self.warning
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests;
