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

use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    for user in users.iter().filter(|u| !finished(u)) {
        let asks = asks_of(user);
        if !asks.of_list() && asks.extension.is_none() {
            continue;
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
    let mut arrangement = Arrangement::default();
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
    for user in users.iter().filter(|u| !finished(u)) {
        if let Some(extension) = asks_of(user).extension.filter(|e| !e.is_empty()) {
            arrangement
                .extensions
                .insert(user.user_id.clone(), extension);
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

/// The extensions `asks` want that a service instance of the group holds with a number of
/// its `list` (a hunt group, auto attendant, group paging…: API.md §12): refused naming it.
/// (A service without a number is not in the list: Odin refuses that clash.)
fn check_service_extensions(
    asks: &BTreeMap<String, Asks>,
    list: &GroupList,
    arrangement: &mut Arrangement,
) {
    for (user, a) in asks {
        let Some(extension) = a.extension.as_deref().filter(|e| !e.is_empty()) else {
            continue;
        };
        if let Some((id, kind)) = list.services.get(extension) {
            let why = format!(
                "extension {extension} is held by `{id}` ({kind}) in the group; pick a free \
                 extension"
            );
            refuse(arrangement, user, EXTENSION, why);
        }
    }
}

/// Who holds, in group `sp/group`, each extension `asks` want: extension → user id, from
/// the group's listing (`GET /users?serviceProviderId=&groupId=`, summary rows: API.md §7a;
/// every user's extension is in it, §12). Rows are kept only where they hold a wanted
/// extension. Unreadable: a warning, and nothing held (each user's own read still judges).
async fn read_extension_holders(
    client: &OdinClient,
    (sp, group): (&str, &str),
    asks: &BTreeMap<String, Asks>,
    arrangement: &mut Arrangement,
) -> HashMap<String, String> {
    let wanted: BTreeSet<&str> = asks
        .values()
        .filter_map(|a| a.extension.as_deref().filter(|e| !e.is_empty()))
        .collect();
    let listed = group::Listed {
        service_provider: sp,
        group: Some(group),
        filter: None,
        extended: false,
    };
    let before = client.counts().requests;
    let rows = group::list_users_kept(client, listed, |row| {
        let extension = group::text_of(row.get("extension"))?;
        wanted
            .contains(extension.as_str())
            .then(|| Some((extension, group::text_of(row.get("userId"))?)))?
    })
    .await;
    arrangement.requests += client.counts().requests.saturating_sub(before);
    match rows {
        Ok(rows) => rows.into_iter().collect(),
        Err(error) => {
            if let group::GroupReadError::Odin(odin) = &error
                && odin.pauses_run()
            {
                arrangement.held.get_or_insert_with(|| odin.to_string());
            }
            arrangement.warnings.push(format!(
                "the users of group `{sp}/{group}` could not be listed ({error}): who holds the \
                 extensions the sheet gives was not checked before the run"
            ));
            HashMap::new()
        }
    }
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

/// The numbers `asks` want against the group's `list` and the enterprise's `pool` (national
/// number → the group holding it, `None` when in no group).
fn check_numbers(
    asks: &BTreeMap<String, Asks>,
    list: &GroupList,
    (group, pool): (&str, Option<&HashMap<String, Option<String>>>),
    arrangement: &mut Arrangement,
) {
    let wanted: BTreeMap<&str, Vec<&String>> = asks
        .iter()
        .filter_map(|(user, a)| Some((a.number.as_deref().filter(|n| !n.is_empty())?, user)))
        .fold(BTreeMap::new(), |mut by, (number, user)| {
            by.entry(number).or_insert_with(Vec::new).push(user);
            by
        });
    for (number, askers) in &wanted {
        if askers.len() > 1 {
            for user in askers {
                let others = named(askers.iter().filter(|u| *u != user));
                refuse(
                    arrangement,
                    user,
                    NUMBER,
                    format!("number {number} is given to {others} too"),
                );
            }
            continue;
        }
        let user = askers[0];
        let moves = list
            .numbers
            .get(*number)
            .is_none_or(|state| !state.activated && state.holder.as_deref() != Some(user.as_str()));
        if moves && !asks.get(user).is_some_and(|a| a.activates) {
            arrangement
                .inactive
                .insert(user.clone(), number.to_string());
        }
        match list.numbers.get(*number) {
            Some(state) => {
                let Some(holder) = state.holder.as_deref().filter(|h| *h != user) else {
                    continue;
                };
                let moves_off = asks
                    .get(holder)
                    .and_then(|a| a.number.as_deref())
                    .is_some_and(|n| n != *number);
                if moves_off {
                    wait(arrangement, user, holder, NUMBER);
                } else {
                    let kind = state
                        .holder_kind
                        .as_deref()
                        .filter(|k| *k != "Normal")
                        .map(|k| format!(" ({k})"))
                        .unwrap_or_default();
                    refuse(
                        arrangement,
                        user,
                        NUMBER,
                        format!(
                            "number {number} is held by `{holder}`{kind}, which the sheet does \
                             not move to another number; move it in the same sheet, or pick a \
                             free number"
                        ),
                    );
                }
            }
            None => match pool.map(|pool| pool.get(*number)) {
                Some(None) => refuse(
                    arrangement,
                    user,
                    NUMBER,
                    format!(
                        "number {number} is not among the enterprise's numbers; add it to the \
                         enterprise first"
                    ),
                ),
                Some(Some(Some(other))) if other != group => refuse(
                    arrangement,
                    user,
                    NUMBER,
                    format!(
                        "number {number} is in group `{other}`, not in the user's group \
                         `{group}`; release it there first"
                    ),
                ),
                // Free in the enterprise: added to the group before the user takes it. A
                // pool not read: Odin's answer to the addition says.
                _ => {}
            },
        }
    }
}

/// The extensions `asks` want against those `held` in the group.
fn check_extensions(
    asks: &BTreeMap<String, Asks>,
    held: &HashMap<String, String>,
    arrangement: &mut Arrangement,
) {
    let mut wanted: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (user, a) in asks {
        if let Some(extension) = a.extension.as_deref().filter(|e| !e.is_empty()) {
            wanted.entry(extension).or_default().push(user);
        }
    }
    for (extension, askers) in wanted {
        if askers.len() > 1 {
            for user in &askers {
                let others = named(askers.iter().filter(|u| *u != user));
                refuse(
                    arrangement,
                    user,
                    EXTENSION,
                    format!("extension {extension} is given to {others} too, in one group"),
                );
            }
            continue;
        }
        let user = askers[0];
        let Some(holder) = held.get(extension).filter(|h| *h != user) else {
            continue;
        };
        match arrangement.extension_held(user, extension, holder) {
            Some(refusal) => refuse(arrangement, user, refusal.field, refusal.why),
            // The sheet gives the holder another extension: it goes first.
            None => wait(arrangement, user, holder, EXTENSION),
        }
    }
}

/// Refuse the users of every cycle of waits (swaps that can only be made through a spare
/// number), and every user waiting for a refused one.
fn refuse_cycles(arrangement: &mut Arrangement) {
    let waits = arrangement.waits_for.clone();
    for start in waits.keys() {
        let Some(path) = cycle_from(&waits, start) else {
            continue;
        };
        let cycle = path.join("` → `");
        let field = arrangement
            .wait_fields
            .get(start)
            .copied()
            .unwrap_or(NUMBER);
        let what = match field {
            EXTENSION => "extension",
            LINE_PORT => "line port",
            _ => "number",
        };
        refuse(
            arrangement,
            start,
            field,
            format!(
                "its {what} is part of a cycle of swaps (`{cycle}` → `{start}`): give one of \
                 them a spare {what} first, in an earlier run"
            ),
        );
    }
    // Waiting for a refused user is waiting for ever.
    loop {
        let mut changed = false;
        for (user, holders) in &waits {
            if arrangement.refused.contains_key(user) {
                continue;
            }
            if let Some(holder) = holders
                .iter()
                .find(|h| arrangement.refused.contains_key(*h))
            {
                let why = format!("it takes over from `{holder}`, which is refused");
                let field = arrangement.wait_fields.get(user).copied().unwrap_or(NUMBER);
                refuse(arrangement, user, field, why);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let refused = arrangement.refused.clone();
    arrangement
        .waits_for
        .retain(|user, _| !refused.contains_key(user));
    arrangement.wait_fields = BTreeMap::new();
}

/// The users from `start` along waits back to `start` (a user may wait for several: a
/// number's holder and an extension's), shortest first; `None` when no wait leads back.
fn cycle_from(waits: &BTreeMap<String, Vec<String>>, start: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for next in waits.get(at).into_iter().flatten() {
            if next == start {
                let mut path = vec![at.to_string()];
                let mut back = at;
                while let Some(&previous) = came_from.get(back) {
                    path.push(previous.to_string());
                    back = previous;
                }
                path.reverse();
                return Some(path);
            }
            if !came_from.contains_key(next.as_str()) {
                came_from.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    None
}

/// `user` waits for `holder`, because of what it asks in `field`.
fn wait(arrangement: &mut Arrangement, user: &str, holder: &str, field: &'static str) {
    let waits = arrangement.waits_for.entry(user.to_string()).or_default();
    if !waits.iter().any(|h| h == holder) {
        waits.push(holder.to_string());
    }
    arrangement
        .wait_fields
        .entry(user.to_string())
        .or_insert(field);
}

/// The enterprise's numbers: national number → the group holding it (`None`: free).
async fn read_pool(
    client: &OdinClient,
    sp: &str,
    arrangement: &mut Arrangement,
) -> Option<HashMap<String, Option<String>>> {
    let call = client
        .get("/service-providers/dns", &[("serviceProviderId", sp)])
        .await;
    let answer = counted(call, arrangement).ok()?;
    let mut pool = HashMap::new();
    for row in answer.get("dns")?.as_array()? {
        let Some(min) = group::text_of(row.get("min")) else {
            continue;
        };
        let max = group::text_of(row.get("max"));
        let holder = group::text_of(row.get("groupId")).filter(|g| !g.is_empty());
        for number in numbers::expand(&min, max.as_deref()) {
            pool.insert(number, holder.clone());
        }
    }
    Some(pool)
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

mod clid;
#[cfg(test)]
mod tests;
