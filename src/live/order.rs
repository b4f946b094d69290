//! The order users are read and written in: the plan's, group by group where group reads
//! serve them.

use std::collections::HashMap;

use super::placement::GroupKey;
use crate::plan::UserPlan;

/// The order users are started in: the plan's, except that the users of a group read at
/// group scale follow one another from the first of them on, so that their group's read is
/// fresh when they are written.
pub fn group_order(
    users: &[UserPlan],
    key_of: impl Fn(&UserPlan) -> Option<GroupKey>,
) -> Vec<usize> {
    let mut first: HashMap<GroupKey, usize> = HashMap::new();
    let mut keyed: Vec<(usize, usize)> = users
        .iter()
        .enumerate()
        .map(|(index, user)| {
            let bucket = match key_of(user) {
                Some(key) => *first.entry(key).or_insert(index),
                None => index,
            };
            (bucket, index)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, index)| index).collect()
}
