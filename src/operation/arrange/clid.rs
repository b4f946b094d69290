//! A user's CLID number, and the country code its number is written with, against its
//! group's number list (API.md §12).

use std::collections::BTreeMap;

use super::{Arrangement, Asks, CLID, NUMBER, refuse};
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

/// The numbers `asks` write with a country code (`+44-…`) against the country code of the
/// group's numbers (the list's `+<cc>-` spelling or its rows' `countryCode`): national digits
/// alone cannot tell `+44-2071234567` from `+1-2071234567`, so another country code is
/// refused rather than taken as the group's.
pub(super) fn country_codes(
    asks: &BTreeMap<String, Asks>,
    list: &GroupList,
    group: &str,
    arrangement: &mut Arrangement,
) {
    let Some(theirs) = list.country_code.as_deref() else {
        return;
    };
    for (user, a) in asks {
        let (Some(number), Some(cc)) = (a.number.as_deref(), a.country_code.as_deref()) else {
            continue;
        };
        if cc != theirs {
            refuse(
                arrangement,
                user,
                NUMBER,
                format!(
                    "number {number} is written with country code +{cc}, but the numbers of \
                     group `{group}` have +{theirs}; write it as `+{theirs}-{number}` or as \
                     national digits, or pick a number of the group's country"
                ),
            );
        }
    }
}
