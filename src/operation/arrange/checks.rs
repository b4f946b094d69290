//! What users ask of one group, checked against what its reads show: numbers held, unknown
//! to the enterprise or in another group; extensions given twice, held by a user or by a
//! service instance of the group.

use std::collections::{BTreeMap, HashMap};

use super::{Arrangement, Asks, EXTENSION, NUMBER, named, refuse, wait};
use crate::operation::numbers::GroupList;

/// The extensions `asks` want that a service instance of the group holds with a number of
/// its `list` (a hunt group, auto attendant, group paging…: API.md §12): refused naming it.
/// (A service without a number is not in the list: Odin refuses that clash.)
pub(super) fn check_service_extensions(
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

/// The numbers `asks` want against the group's `list` and the enterprise's `pool` (national
/// number → the group holding it, `None` when in no group).
pub(super) fn check_numbers(
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
pub(super) fn check_extensions(
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
