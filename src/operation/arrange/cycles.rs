//! Waits and their cycles: a user waits for the users holding what it takes over; a cycle
//! of waits (a swap) is refused at the cells of its users, and so is every user waiting for
//! a refused one.

use std::collections::BTreeMap;

use super::{Arrangement, EXTENSION, LINE_PORT, NUMBER, refuse};

/// Refuse the users of every cycle of waits (swaps that can only be made through a spare
/// number), and every user waiting for a refused one.
pub(super) fn refuse_cycles(arrangement: &mut Arrangement) {
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
pub(super) fn cycle_from(
    waits: &BTreeMap<String, Vec<String>>,
    start: &str,
) -> Option<Vec<String>> {
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
pub(super) fn wait(arrangement: &mut Arrangement, user: &str, holder: &str, field: &'static str) {
    let waits = arrangement.waits_for.entry(user.to_string()).or_default();
    if !waits.iter().any(|h| h == holder) {
        waits.push(holder.to_string());
    }
    arrangement
        .wait_fields
        .entry(user.to_string())
        .or_insert(field);
}
