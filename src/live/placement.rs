//! Where the run's users live: their service provider and group, from the sheet (the
//! `user.serviceProviderId`/`user.groupId` columns, as `export` writes them) or, for a
//! sheet that lists only user ids, from one enterprise listing (API.md §7a: `GET
//! /users?serviceProviderId=SP`, whose rows say each user's `groupId`). A placed user can be
//! read with its group and written with a bulk write ([`super::groups`], [`crate::apply::bulk`]).
//!
//! The service provider is the one given (`--service-provider`), else the admin's own
//! (an enterprise admin's login answer names it), else the first user's (one
//! `GET /users?userId=`). Users the listing does not hold (another enterprise; a row without
//! a `groupId`) and every user of a server without the listing stay unplaced: they are read
//! and written one by one, as before.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::odin::OdinClient;
use crate::odin::group::{self, GroupReadError};
use crate::plan::UserPlan;
use crate::resource::Resource;

/// A group: service provider and group id.
pub type GroupKey = (String, String);

/// The fewest users without a group in the sheet for which the listing is read: it costs
/// one or two requests, and saves requests only where it puts several users into groups.
pub const PLACE_AT_LEAST: usize = 4;

/// The groups of users the sheet does not place.
#[derive(Debug, Default)]
pub struct Placement {
    /// User id → its group, an index into `keys` (a group's key is held once, not once per
    /// user: a 50,000-user sheet places 50,000 users into a few groups).
    groups: HashMap<String, usize>,
    keys: Vec<GroupKey>,
}

/// What placing the users cost and found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Placed {
    /// Users placed by the listing.
    pub users: usize,
    /// Users' records read to learn the service provider.
    pub user_reads: u64,
    /// Enterprise listings read (0 or 1).
    pub listings: u64,
    /// Why the listing was not used, when it was wanted but could not be read.
    pub warning: Option<String>,
}

impl Placement {
    /// Place `user_id` in `key`, as its record said (the arrangement reads the records of
    /// users no listing placed where their steps need their group before the run).
    pub fn add(&mut self, user_id: &str, key: &GroupKey) {
        let index = match self.keys.iter().position(|k| k == key) {
            Some(index) => index,
            None => {
                self.keys.push(key.clone());
                self.keys.len() - 1
            }
        };
        self.groups.insert(user_id.to_string(), index);
    }

    /// `user`'s group: the sheet's, else the listing's.
    pub fn key_of(&self, user: &UserPlan) -> Option<GroupKey> {
        match (&user.service_provider_id, &user.group_id) {
            (Some(sp), Some(group)) => Some((sp.clone(), group.clone())),
            _ => self
                .groups
                .get(&user.user_id)
                .and_then(|&index| self.keys.get(index))
                .cloned(),
        }
    }

    /// Place the users of `users` that the sheet does not, when at least
    /// [`PLACE_AT_LEAST`] are: read the service provider's listing (the first unplaced
    /// user's record first, when `service_provider` is not given).
    pub async fn place(
        users: &[UserPlan],
        client: &OdinClient,
        service_provider: Option<&str>,
    ) -> (Placement, Placed) {
        let unplaced: Vec<&UserPlan> = users
            .iter()
            .filter(|u| u.service_provider_id.is_none() || u.group_id.is_none())
            .collect();
        let mut placement = Placement::default();
        if unplaced.len() < PLACE_AT_LEAST {
            return (placement, Placed::default());
        }
        let mut user_reads = 0;
        // The login answer holds the admin's details and ids (API.md §2): an enterprise
        // admin's names its service provider, a system admin's none.
        let own = group::text_of(client.login_answer().get("serviceProviderId"));
        let sp = match service_provider.map(str::to_string).or(own) {
            Some(sp) => sp,
            None => {
                let (sp, reads) = first_service_provider(&unplaced, client).await;
                user_reads = reads;
                match sp {
                    Some(sp) => sp,
                    None => {
                        let warning = format!(
                            "none of the first {reads} users without a group in the sheet could \
                             be read, so their service provider is unknown: they are read and \
                             written one by one (--service-provider SP places them)"
                        );
                        tracing::warn!("{warning}");
                        let placed = Placed {
                            users: 0,
                            user_reads,
                            listings: 0,
                            warning: Some(warning),
                        };
                        return (placement, placed);
                    }
                }
            }
        };
        // Each row is read for its user and group only, and only for users to place.
        let wanted: HashSet<&str> = unplaced.iter().map(|u| u.user_id.as_str()).collect();
        let home = |row: Value| {
            let id = group::text_of(row.get("userId"))?;
            let group = group::text_of(row.get("groupId"))?;
            wanted.contains(id.as_str()).then_some((id, group))
        };
        let listed = group::Listed {
            service_provider: &sp,
            group: None,
            filter: None,
            extended: false,
        };
        let rows = match group::list_users_kept(client, listed, home).await {
            Ok(rows) => rows,
            Err(error) => {
                let warning = unreadable(&sp, &error);
                tracing::warn!("{warning}");
                let placed = Placed {
                    users: 0,
                    user_reads,
                    listings: 1,
                    warning: Some(warning),
                };
                return (placement, placed);
            }
        };
        let homes: HashMap<String, String> = rows.into_iter().collect();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        for user in unplaced {
            // A sheet that names the group but not the provider is taken at its word
            // only where the listing agrees.
            let Some(home) = homes.get(&user.user_id) else {
                continue;
            };
            if user.group_id.as_ref().is_some_and(|said| said != home) {
                continue;
            }
            let index = *index_of.entry(home.as_str()).or_insert_with(|| {
                placement.keys.push((sp.clone(), home.clone()));
                placement.keys.len() - 1
            });
            placement.groups.insert(user.user_id.clone(), index);
        }
        let placed = Placed {
            users: placement.groups.len(),
            user_reads,
            listings: 1,
            warning: None,
        };
        tracing::debug!(
            sp,
            users = placed.users,
            "users placed by the enterprise listing"
        );
        (placement, placed)
    }
}

/// Users whose records are tried for the service provider.
const TRIED: usize = 3;

/// The service provider of the first of `users` (of the first [`TRIED`]) whose record reads,
/// and the reads sent.
async fn first_service_provider(users: &[&UserPlan], client: &OdinClient) -> (Option<String>, u64) {
    let mut reads = 0;
    for user in users.iter().take(TRIED) {
        reads += 1;
        let call = client.read(Resource::User, &user.user_id).await;
        if let Ok(record) = call.result
            && let Some(sp) = group::text_of(record.get("serviceProviderId"))
        {
            return (Some(sp), reads);
        }
    }
    (None, reads)
}

fn unreadable(sp: &str, error: &GroupReadError) -> String {
    format!(
        "the users of service provider `{sp}` could not be listed ({error}); users without a \
         group in the sheet are read and written one by one"
    )
}
