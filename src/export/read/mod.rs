//! Reading the selection: group by group through the group-scale reads, per user only for
//! what has none, each group's values sent down a channel as soon as it is read so the
//! writer can stream it out and memory holds a group or two, not the export.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::units::{Unit, units};
use super::{ExportColumn, ExportError};
use crate::notation::{self, Namespace};
use crate::odin::OdinClient;
use crate::odin::group::{self, BulkService, GroupReadError};

pub use super::selection::{Event, FileUser, ReadPlan, Selection, UserRow};

mod per_user;

/// What the columns need read beyond the group listings (whose rows stand only for the
/// user fields they hold; the rest is read per user, see `Docs::row_lacks`).
#[derive(Debug, Clone, Default)]
struct Needs {
    bulk: Vec<BulkService>,
    /// Settings services without a group read.
    other_settings: bool,
    policy: bool,
    /// SCA endpoints, read per user ([`super::sca::read`]).
    sca: bool,
    /// Membership lists, read once per group ([`super::members::read_group`]).
    members: Vec<crate::resource::Resource>,
}

impl Needs {
    fn of(columns: &[ExportColumn]) -> Needs {
        let mut bulk = BTreeSet::new();
        let mut needs = Needs::default();
        for column in columns {
            needs.sca |= column.entry.is_some();
            needs.members.extend(column.member);
            let Some(path) = &column.path else {
                continue;
            };
            match path.namespace {
                Namespace::Settings => match BulkService::from_service_name(path.first_key()) {
                    Some(service) => {
                        bulk.insert(service);
                    }
                    None => needs.other_settings = true,
                },
                Namespace::Policy => needs.policy = true,
                _ => {}
            }
        }
        needs.bulk = bulk.into_iter().collect();
        needs
    }
}

/// Read everything `plan` selects and send it to `events`; ends when done, after a
/// [`Event::Fatal`], or when the receiver is gone.
pub async fn read(client: Arc<OdinClient>, plan: ReadPlan, events: mpsc::Sender<Event>) {
    let units = match units(&client, &plan.selection, plan.batch).await {
        Ok(units) => units,
        Err(error) => {
            let _ = events.send(Event::Fatal(error)).await;
            return;
        }
    };
    if events.send(Event::Units(units.len())).await.is_err() {
        return;
    }
    let needs = Needs::of(&plan.columns);
    let mut reader = Reader {
        client,
        plan,
        needs,
        seen: HashSet::new(),
        warned: HashSet::new(),
        memberships: std::sync::Mutex::default(),
        events,
    };
    for unit in units {
        let ok = match unit {
            Unit::Group { sp, group, only } => reader.group(&sp, &group, only.as_ref()).await,
            Unit::Users(ids) => reader.users(ids).await,
        };
        if !ok {
            return;
        }
    }
}

struct Reader {
    client: Arc<OdinClient>,
    plan: ReadPlan,
    needs: Needs,
    seen: HashSet<String>,
    warned: HashSet<BulkService>,
    /// Each group's membership lists, read once: (group, list kind) → user → lists.
    memberships: std::sync::Mutex<Memberships>,
    events: mpsc::Sender<Event>,
}

/// The membership lists read, by group and list kind.
type Memberships = std::collections::HashMap<
    ((String, String), crate::resource::Resource),
    Arc<super::members::Memberships>,
>;

/// One user's documents as read: the record (or its listing row), the settings document,
/// the policy.
#[derive(Debug, Default)]
struct Docs {
    user: Value,
    /// Whether `user` is a listing row lacking a column's field: the record is read then.
    row_lacks: bool,
    /// Where the user lives, when a listing row does not say (the group read).
    home: Option<(String, String)>,
    settings: Option<Value>,
    policy: Option<Value>,
    /// The SCA endpoints, as [`crate::operation::read`] gives them.
    sca: Option<Value>,
}

impl Reader {
    /// Read a group and send its rows; false when the export must stop.
    async fn group(&mut self, sp: &str, group: &str, only: Option<&HashSet<String>>) -> bool {
        let unit = format!("group {sp}/{group}");
        let filter = self.plan.selection.filter.as_ref();
        let snapshot = match group::read_group(&self.client, sp, group, &self.needs.bulk, filter)
            .await
        {
            Ok(snapshot) => snapshot,
            Err(GroupReadError::NotFound { what, details }) if only.is_none() => {
                let error = ExportError::NotFound { what, details };
                let _ = self.events.send(Event::Fatal(error)).await;
                return false;
            }
            Err(error) => {
                // The file's users of a group that cannot be read (no such group, or
                // one that fails) are read one by one: they may live elsewhere.
                if let Some(ids) = only {
                    tracing::debug!(%error, sp, group, "group unreadable; reading its users one by one");
                    let mut ids: Vec<String> = ids
                        .iter()
                        .filter(|id| self.seen.insert((*id).clone()))
                        .cloned()
                        .collect();
                    ids.sort();
                    let (rows, unreadable) = self.one_by_one(&unit, &ids).await;
                    return self.send(unit, rows, unreadable).await;
                }
                let unreadable = vec![(format!("group `{sp}/{group}`"), error.to_string())];
                return self.send(unit, Vec::new(), unreadable).await;
            }
        };
        for service in &snapshot.unsupported {
            if self.warned.insert(*service) {
                let message = format!(
                    "Odin answered 404 to `{}`; reading `{service}` per user instead",
                    service.path()
                );
                if self.events.send(Event::Warning(message)).await.is_err() {
                    return false;
                }
            }
        }
        let mut users = Vec::new();
        for user in snapshot.users {
            let id = user.user_id();
            if only.is_some_and(|ids| !ids.contains(&id)) || !self.seen.insert(id.clone()) {
                continue;
            }
            let missing = self
                .needs
                .bulk
                .iter()
                .any(|s| !user.settings.contains_key(s));
            let settings = (!self.needs.bulk.is_empty()).then(|| {
                let mut doc = Map::new();
                for (service, value) in &user.settings {
                    if let Some(value) = value {
                        doc.insert(service.service_name().to_string(), value.clone());
                    }
                }
                Value::Object(doc)
            });
            // A listing row stands only for the fields it holds (API.md §7a): a user
            // column it lacks is read from the user's record, never written blank.
            let row_lacks = self.plan.columns.iter().any(|column| {
                column.path.as_ref().is_some_and(|path| {
                    path.namespace == Namespace::User && !group::holds(&user.user, &path.segments)
                })
            });
            let docs = Docs {
                user: user.user,
                row_lacks,
                home: Some((sp.to_string(), group.to_string())),
                settings: if missing || self.needs.other_settings {
                    None
                } else {
                    settings
                },
                policy: None,
                sca: None,
            };
            users.push((id, docs));
        }
        let (mut rows, mut unreadable) = self.complete(&unit, users).await;
        // The file's users the group did not list (another group, or no such user) are
        // read one by one: exported where they live, or reported; never silently left out.
        let mut elsewhere: Vec<String> = only
            .map(|ids| {
                let mut ids: Vec<String> = ids
                    .iter()
                    .filter(|id| !self.seen.contains(*id))
                    .cloned()
                    .collect();
                ids.sort();
                ids
            })
            .unwrap_or_default();
        if !elsewhere.is_empty() && filter.is_some() {
            // The filtered listing leaves out the group's users the filter does not match:
            // one unfiltered listing tells them from users who are not in the group.
            match group::list_users(&self.client, sp, Some(group), None, false).await {
                Ok(listed) => {
                    let listed: HashSet<String> = listed
                        .iter()
                        .filter_map(|row| row.get("userId").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect();
                    elsewhere.retain(|id| !listed.contains(id));
                }
                Err(error) => {
                    tracing::debug!(%error, "unfiltered listing failed; reading per user")
                }
            }
        }
        elsewhere.retain(|id| self.seen.insert(id.clone()));
        if !elsewhere.is_empty() {
            let (more, lost) = self.one_by_one(&unit, &elsewhere).await;
            rows.extend(more);
            unreadable.extend(lost);
        }
        self.send(unit, rows, unreadable).await
    }

    fn row(&self, user_id: String, docs: &Docs) -> UserRow {
        let text = |key: &str| group_text(docs.user.get(key));
        let values = self
            .plan
            .columns
            .iter()
            .map(|column| {
                if let Some(resource) = column.member {
                    let (sp, group) = home(docs);
                    let read = self
                        .memberships
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .get(&((sp, group), resource))
                        .cloned();
                    return super::members::value(read.as_ref().and_then(|m| m.get(&user_id)));
                }
                let Some(path) = &column.path else {
                    let entries = docs.sca.as_ref();
                    return entries
                        .zip(column.entry)
                        .and_then(|(e, c)| super::sca::value(e, c));
                };
                let doc = match path.namespace {
                    Namespace::User => Some(&docs.user),
                    Namespace::Settings => docs.settings.as_ref(),
                    Namespace::Policy => docs.policy.as_ref(),
                    Namespace::Services | Namespace::Packs => None,
                };
                doc.and_then(|doc| notation::get(doc, &path.segments))
                    .cloned()
            })
            .collect();
        let _ = text;
        let (sp, group) = home(docs);
        UserRow {
            service_provider_id: sp,
            group_id: group,
            user_id,
            values,
        }
    }

    async fn send(
        &self,
        unit: String,
        rows: Vec<UserRow>,
        unreadable: Vec<(String, String)>,
    ) -> bool {
        self.events
            .send(Event::Rows {
                unit,
                rows,
                unreadable,
            })
            .await
            .is_ok()
    }
}

/// Where the user lives: a listing row may not say; the group read does.
fn home(docs: &Docs) -> (String, String) {
    match &docs.home {
        Some((sp, group)) => (sp.clone(), group.clone()),
        None => (
            group_text(docs.user.get("serviceProviderId")),
            group_text(docs.user.get("groupId")),
        ),
    }
}

fn group_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}
