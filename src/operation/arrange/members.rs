//! Membership values checked before the run (API.md §15): each hunt group or call center a
//! user's cells name is one of its group's, by service user id or by a unique name, as the
//! group's listing shows (read once per group and kind, and handed to the group reads). A
//! user naming one that is not (unknown, of another group, a name several share) is
//! refused at its column, nothing of it sent.

use std::collections::BTreeMap;

use super::{Arrangement, counted, refuse};
use crate::odin::OdinClient;
use crate::operation::members::{self, COLUMNS, names};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

/// (service provider, group).
type Group = (String, String);

/// A value a user's cell names: (user, value, whether joined).
type Asked<'a> = (&'a str, &'a str, bool);

/// Check the membership values of `users` (placed by `group_of`, or by their records, which
/// the run then places them by: [`Arrangement::homes`]).
pub(super) async fn check<'a>(
    users: impl Iterator<Item = &'a UserPlan>,
    client: &OdinClient,
    group_of: impl Fn(&UserPlan) -> Option<(String, String)>,
    arrangement: &mut Arrangement,
) {
    let mut asked: BTreeMap<(Group, Resource), Vec<Asked<'_>>> = BTreeMap::new();
    for user in users {
        for step in &user.steps {
            let Step::Entries { resource, entries } = step else {
                continue;
            };
            if !crate::operation::one_writer(*resource) {
                continue;
            }
            let key = match group_of(user) {
                Some(key) => key,
                // Not placed (a small sheet without group columns): its record says where
                // it lives.
                None => match record_group(client, user, arrangement).await {
                    Some(key) => key,
                    None => continue,
                },
            };
            let values = asked.entry((key, *resource)).or_default();
            for (value, entry) in entries.iter() {
                values.push((&user.user_id, value, !entry.is_null()));
            }
        }
    }
    for (((sp, group), resource), values) in asked {
        if arrangement.held.is_some() {
            break;
        }
        let listing = members::read_listing(client, resource, (&sp, &group)).await;
        let listing = match counted(listing, arrangement) {
            Ok(listing) => listing,
            Err(error) => {
                arrangement.warnings.push(format!(
                    "the {}s of group `{sp}/{group}` could not be listed ({error}): the names \
                     and ids the sheet gives were not checked",
                    members::noun(resource)
                ));
                continue;
            }
        };
        // (user, list id) → whether a value of the user's joins it, and that value.
        let mut named: BTreeMap<(&str, String), (bool, &str)> = BTreeMap::new();
        for (user, value, joined) in values {
            let column = COLUMNS
                .iter()
                .find(|(_, r, add)| *r == resource && *add == joined)
                .map_or("", |(title, ..)| *title);
            match names::resolve(value, &listing) {
                Err(why) => {
                    let why = names::refusal(value, members::noun(resource), &group, &why);
                    refuse(arrangement, user, column, format!("`{column}`: {why}"));
                }
                // One list both joined and left, named two ways (a name and an id).
                Ok(id) => match named.get(&(user, id.clone())) {
                    Some((other, first)) if *other != joined => {
                        let why = format!(
                            "`{column}`: `{value}` and `{first}` name one {} (`{id}`), both \
                             joined and left by this user; keep one",
                            members::noun(resource)
                        );
                        refuse(arrangement, user, column, why);
                    }
                    _ => {
                        named.insert((user, id), (joined, value));
                    }
                },
            }
        }
        arrangement.listings.push((
            (sp.clone(), group.clone()),
            resource,
            members::listing_value(&listing),
        ));
    }
}

/// The group `user`'s record names (one request), if it can be read.
async fn record_group(
    client: &OdinClient,
    user: &UserPlan,
    arrangement: &mut Arrangement,
) -> Option<(String, String)> {
    if let (Some(sp), Some(group)) = (&user.service_provider_id, &user.group_id) {
        return Some((sp.clone(), group.clone()));
    }
    let call = client.read(Resource::User, &user.user_id).await;
    let record = match counted(call, arrangement) {
        Ok(record) => record,
        Err(error) => {
            arrangement.warnings.push(format!(
                "the record of `{}` could not be read ({error}): its hunt groups and call \
                 centers were not checked",
                user.user_id
            ));
            return None;
        }
    };
    let text = |key: &str| crate::odin::group::text_of(record.get(key));
    let home = (text("serviceProviderId")?, text("groupId")?);
    arrangement.homes.insert(user.user_id.clone(), home.clone());
    Some(home)
}
