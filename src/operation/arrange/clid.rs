//! A user's CLID number against its group's number list (API.md §12).

use std::collections::BTreeMap;

use super::{Arrangement, Asks, CLID, refuse};
use crate::operation::numbers::GroupList;

/// The CLID numbers `asks` want against the group's `list`: BroadWorks takes only a number
/// of the user's group (API.md §12, the CLID picker's `q=summary`), or one the sheet gives
/// a user of the group (added to it before).
pub(super) fn check(
    asks: &BTreeMap<String, Asks>,
    list: &GroupList,
    group: &str,
    arrangement: &mut Arrangement,
) {
    for (user, a) in asks {
        let Some(clid) = a.clid.as_deref() else {
            continue;
        };
        let given = asks.values().any(|o| o.number.as_deref() == Some(clid));
        if !list.numbers.contains_key(clid) && !given {
            refuse(
                arrangement,
                user,
                CLID,
                format!(
                    "number {clid} is not a number of the user's group `{group}`: a CLID number \
                     must be one of its group's numbers; pick one of them, or add it to the \
                     group first"
                ),
            );
        }
    }
}
