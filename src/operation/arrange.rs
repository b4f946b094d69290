//! Before any user is written: what the group reads of a plan's numbers and extensions say
//! about its users together (API.md §12). A number or extension held by someone the plan
//! does not move away refuses the user who asks for it, naming the holder; one held by a
//! user the plan moves away makes the asker wait for that user; a number the enterprise does
//! not have, or another group has, is refused; two users asking for one number or extension
//! are both refused; a cycle of swaps is refused with its users named. Each group's list is
//! read once where its users' numbers change (`GET /groups/dns/details`), an enterprise's
//! pool once where a number is not in its group (`GET /service-providers/dns`). Extensions
//! are checked within the sheet (two users of a group given one) and, where the sheet gives
//! several users of a group extensions (so that they may swap), against their holders in
//! the group's listing (`GET /users`, once); where it gives one user of a group an
//! extension, that user's own group read judges it (or Odin, refusing the write).
//!
//! The result is plain data the dispatcher follows without knowing what it is about:
//! users refused, and users that wait for others.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::numbers::{self, GroupList, national};
use crate::odin::{OdinClient, group};
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

/// Users refused before anything is sent, and users written only after others.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Arrangement {
    /// User id → why it is refused (nothing of it is sent).
    pub refused: BTreeMap<String, Refusal>,
    /// User id → the users whose writes must land before its own.
    pub waits_for: BTreeMap<String, Vec<String>>,
    /// What could not be checked (a group whose list could not be read), once each.
    pub warnings: Vec<String>,
    /// The requests its reads sent.
    pub requests: u64,
    /// The number lists it read, by (service provider, group), with when: a group read
    /// soon after stands on them instead of reading the list again.
    pub lists: Vec<((String, String), std::time::Instant, GroupList)>,
    /// User id → the group its record names, for users no listing placed whose record it
    /// read: the run places them there.
    pub homes: BTreeMap<String, (String, String)>,
    /// The listings of hunt groups and call centers it read (API.md §15), by group and
    /// list, as plain data: the group reads resolve names through them instead of reading
    /// them again ([`crate::operation::read_group_keys`]).
    pub listings: Vec<((String, String), Resource, Value)>,
    /// User id → the extension the sheet gives it, for every user given one.
    pub extensions: BTreeMap<String, String>,
    /// User id → the field that made it wait (`phoneNumber` unless said), while arranging:
    /// a cycle is refused at that cell.
    wait_fields: BTreeMap<String, &'static str>,
    /// Why its reads stopped (a redirect, a pause past `--max-wait`: every read after it
    /// would be held back alike), once one was.
    held: Option<String>,
    /// User id → the number the sheet moves it to that stays inactive in its group's list
    /// (inactive there, or added to it from the enterprise's), its activation not set.
    pub inactive: BTreeMap<String, String>,
}

impl Arrangement {
    /// Why `user` may not take `extension`, which its group's read shows `holder` holds:
    /// unless the sheet gives `holder` another extension (API.md §12).
    pub fn extension_held(&self, user: &str, extension: &str, holder: &str) -> Option<Refusal> {
        let moves_off = self
            .extensions
            .get(holder)
            .is_some_and(|theirs| theirs != extension);
        (!moves_off && holder != user).then(|| Refusal {
            field: EXTENSION,
            why: format!(
                "extension {extension} is held by `{holder}` in the group, which the sheet does \
                 not give another extension; pick a free extension"
            ),
        })
    }

    /// Whether it refuses nobody and orders nobody.
    pub fn is_empty(&self) -> bool {
        self.refused.is_empty() && self.waits_for.is_empty()
    }
}

/// Why a user is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The user-record field whose value is refused (`phoneNumber`, `extension`).
    pub field: &'static str,
    /// Why, e.g. ``number 5555550104 is held by `a@x` ``.
    pub why: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// What one user asks of its group.
#[derive(Debug, Default)]
struct Asks {
    /// The number it is to hold: national digits, `""` to hold none; `None`: unchanged.
    number: Option<String>,
    /// The extension it is to have (`""`: none); `None`: unchanged.
    extension: Option<String>,
    /// Whether its steps set its number's activation.
    activates: bool,
    /// The CLID number it is to have (national digits); `None`: unchanged or none.
    clid: Option<String>,
    /// The country code the sheet wrote its number with, if any.
    country_code: Option<String>,
}

impl Asks {
    /// Whether it asks anything of its group's number list.
    fn of_list(&self) -> bool {
        self.number.is_some() || self.clid.is_some()
    }
}

/// Arrange `users`, placed in groups by `group_of` (users it cannot place are left to
/// their own writes); users `finished` says an earlier attempt of the run finished ask
/// nothing (what they asked, they hold).
pub async fn arrange(
    users: &[UserPlan],
    client: &OdinClient,
    group_of: impl Fn(&UserPlan) -> Option<(String, String)>,
    finished: impl Fn(&UserPlan) -> bool,
) -> Arrangement {
    let mut by_group: BTreeMap<(String, String), BTreeMap<String, Asks>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    let mut arrangement = Arrangement::default();
    for user in users.iter().filter(|u| !finished(u)) {
        let asks = asks_of(user);
        if !asks.of_list() && asks.extension.is_none() {
            continue;
        }
        if let Some(extension) = asks.extension.as_ref().filter(|e| !e.is_empty()) {
            arrangement
                .extensions
                .insert(user.user_id.clone(), extension.clone());
        }
        match group_of(user) {
            Some(key) => {
                by_group
                    .entry(key)
                    .or_default()
                    .insert(user.user_id.clone(), asks);
            }
            None => unplaced.push((user.user_id.clone(), asks)),
        }
    }
    // Users the plan does not place (a small sheet without group columns: placement reads
    // the enterprise listing only for several) whose numbers change: their records say
    // where they live. Only numbers need it: an extension clash (or swap) of such a user is
    // Odin's to refuse — reading every small sheet's records to learn their groups would
    // cost each extension change a request (its own record is read before it is written
    // anyway).
    for (user_id, asks) in unplaced.into_iter().filter(|(_, a)| a.of_list()) {
        if arrangement.held.is_some() {
            break;
        }
        let call = client.read(Resource::User, &user_id).await;
        let Ok(record) = counted(call, &mut arrangement) else {
            arrangement.warnings.push(format!(
                "the record of `{user_id}` could not be read: its number and extension were not \
                 checked against its group"
            ));
            continue;
        };
        let text = |key: &str| group::text_of(record.get(key));
        if let (Some(sp), Some(group)) = (text("serviceProviderId"), text("groupId")) {
            by_group
                .entry((sp, group))
                .or_default()
                .insert(user_id, asks);
        }
    }
    let mut pools: HashMap<String, Option<HashMap<String, Option<String>>>> = HashMap::new();
    for ((sp, group), asks) in &by_group {
        if arrangement.held.is_some() {
            break;
        }
        let numbers = asks.values().any(Asks::of_list);
        let read_at = std::time::Instant::now();
        let list = match numbers {
            true => match counted(
                numbers::read_group(client, sp, group).await,
                &mut arrangement,
            ) {
                Ok(list) => Some(list),
                Err(error) => {
                    arrangement.warnings.push(format!(
                        "the number list of group `{sp}/{group}` could not be read ({error}): \
                         who holds its numbers was not checked"
                    ));
                    None
                }
            },
            false => None,
        };
        if let Some(list) = &list {
            let missing = asks
                .values()
                .filter_map(|a| a.number.as_deref())
                .any(|n| !n.is_empty() && !list.numbers.contains_key(n));
            if missing && !pools.contains_key(sp) {
                let pool = read_pool(client, sp, &mut arrangement).await;
                if pool.is_none() {
                    arrangement.warnings.push(format!(
                        "the numbers of enterprise `{sp}` could not be read: numbers not yet in \
                         a group were not checked"
                    ));
                }
                pools.insert(sp.clone(), pool);
            }
            let pool = pools.get(sp).and_then(Option::as_ref);
            check_numbers(asks, list, (group, pool), &mut arrangement);
            clid::check(asks, list, group, &mut arrangement);
            clid::country_codes(asks, list, group, &mut arrangement);
        }
        if let Some(list) = list {
            check_service_extensions(asks, &list, &mut arrangement);
            let key = (sp.clone(), group.clone());
            arrangement.lists.push((key, read_at, list));
        }
        // Extensions the sheet gives twice in one group, and who holds those it gives:
        // where it gives several users of a group extensions (a swap is possible), the
        // group's listing says who holds them now (one request); a holder the sheet moves
        // away goes first, and a cycle of swaps is refused. Where it gives one user an
        // extension, the user's own group read (or Odin) judges it.
        let askers = asks
            .values()
            .filter(|a| a.extension.as_deref().is_some_and(|e| !e.is_empty()))
            .count();
        let held = match askers >= 2 {
            true => read_extension_holders(client, (sp, group), asks, &mut arrangement).await,
            false => HashMap::new(),
        };
        check_extensions(asks, &held, &mut arrangement);
    }
    // Hunt groups and call centers named by the sheet: each one of the user's group's.
    let pending = users.iter().filter(|u| !finished(u));
    members::check(pending, client, &group_of, &mut arrangement).await;
    // Line ports handed from one user of the sheet to another: the giver's removal first.
    for (taker, giver) in super::sca_rules::handovers(users.iter().filter(|u| !finished(u))) {
        wait(&mut arrangement, &taker, &giver, LINE_PORT);
    }
    if let Some(why) = &arrangement.held {
        let why = format!(
            "the reads before the run stopped ({why}): numbers and extensions were not checked \
             against their groups"
        );
        arrangement.warnings.push(why);
    }
    refuse_cycles(&mut arrangement);
    arrangement
}

/// What `user`'s steps ask of its group.
fn asks_of(user: &UserPlan) -> Asks {
    let mut asks = Asks::default();
    for step in &user.steps {
        if let Step::Fields {
            resource: Resource::User,
            patch,
        } = step
        {
            asks.number = patch.get("phoneNumber").map(|v| national(&text(v)));
            asks.extension = patch.get("extension").map(text);
            asks.clid = patch
                .get(CLID)
                .map(|v| national(&text(v)))
                .filter(|n| !n.is_empty());
        }
        asks.activates |= step.resource() == Resource::Activation;
        if let Step::Entries {
            resource: Resource::Numbers,
            entries,
        } = step
        {
            asks.country_code = entries
                .iter()
                .find_map(|(_, entry)| group::text_of(entry.get(numbers::COUNTRY_CODE)));
        }
    }
    asks
}

/// The fields a refusal is about.
const NUMBER: &str = "phoneNumber";
const EXTENSION: &str = "extension";
/// An SCA endpoint's line port (not a user-record field: a refusal names the user's row).
const LINE_PORT: &str = "linePort";
const CLID: &str = "callingLineIdPhoneNumber";

/// A read's answer, its requests counted.
fn counted<T>(
    call: crate::odin::Call<T>,
    arrangement: &mut Arrangement,
) -> Result<T, crate::odin::OdinError> {
    arrangement.requests += u64::from(call.attempts);
    if let Err(error) = &call.result
        && error.pauses_run()
    {
        arrangement.held.get_or_insert_with(|| error.to_string());
    }
    call.result
}

fn refuse(arrangement: &mut Arrangement, user: &str, field: &'static str, why: String) {
    arrangement
        .refused
        .entry(user.to_string())
        .or_insert(Refusal { field, why });
}

/// `` `a`, `b` `` .
fn named<'a>(users: impl Iterator<Item = &'a &'a String>) -> String {
    users
        .map(|u| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as text (numbers may be JSON numbers, API.md §3); null as `""`.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

mod checks;
mod clid;
mod cycles;
mod members;
mod reads;

use checks::{check_extensions, check_numbers, check_service_extensions};
use cycles::{refuse_cycles, wait};
use reads::{read_extension_holders, read_pool};
#[cfg(test)]
mod tests;
