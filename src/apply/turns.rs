//! Whose turn it is: the users an [`Arrangement`] refuses before anything is sent, and the
//! users that start writing only once the users they wait for have ended (a number or an
//! extension they take over). The dispatcher starts users in an order that puts those
//! waited for first; a worker waits here before its reads, so that they see the change it
//! waited for. Nothing here knows what the waiting is about.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tokio::sync::Notify;

use crate::operation::arrange::Arrangement;
use crate::plan::UserPlan;

/// The turns of one run, shared by its dispatcher and workers.
#[derive(Debug, Default)]
pub struct Turns {
    arrangement: Arrangement,
    /// User id → whether it ended failed, for users others wait for.
    ended: Mutex<HashMap<String, bool>>,
    changed: Notify,
}

impl Turns {
    /// The turns `arrangement` sets.
    pub fn new(arrangement: Arrangement) -> Turns {
        Turns {
            arrangement,
            ..Turns::default()
        }
    }

    /// Why `user_id` is refused before anything of it is sent, if it is.
    pub fn refused(&self, user_id: &str) -> Option<&str> {
        self.arrangement
            .refused
            .get(user_id)
            .map(|refusal| refusal.why.as_str())
    }

    /// Why `user_id` may not take the extension its group's read shows `holder` holds
    /// (unless the sheet moves `holder` to another).
    pub fn extension_held(&self, user_id: &str, holder: &str) -> Option<String> {
        let extension = self.arrangement.extensions.get(user_id)?;
        self.arrangement
            .extension_held(user_id, extension, holder)
            .map(|refusal| refusal.why)
    }

    /// Whether `user_id` waits for others (or is refused): it writes each step on its own,
    /// so that no batch of the users it waits for waits for it.
    pub fn waits(&self, user_id: &str) -> bool {
        self.arrangement.waits_for.contains_key(user_id)
            || self.arrangement.refused.contains_key(user_id)
    }

    /// Wait until every user `user_id` waits for has ended; `Err` names one that failed.
    pub async fn wait(&self, user_id: &str) -> Result<(), String> {
        let Some(holders) = self.arrangement.waits_for.get(user_id) else {
            return Ok(());
        };
        loop {
            // Registered before looking, so that an end in between is not missed.
            let changed = self.changed.notified();
            {
                let ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(failed) = holders.iter().find(|h| ended.get(*h) == Some(&true)) {
                    return Err(failed.clone());
                }
                if holders.iter().all(|h| ended.contains_key(h)) {
                    return Ok(());
                }
            }
            changed.await;
        }
    }

    /// `user_id` has ended (`failed`: a step of it failed, or it was never written).
    pub fn ended(&self, user_id: &str, failed: bool) {
        self.ended
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(user_id.to_string(), failed);
        self.changed.notify_waiters();
    }

    /// `order` (indices into `users`) with the users that wait for others moved to its end,
    /// each after the users it waits for: every user a batch may wait for is started before
    /// any user that waits (which holds its worker slot while it waits).
    pub fn order(&self, users: &[UserPlan], order: Vec<usize>) -> Vec<usize> {
        self.order_after(users, order, &HashSet::new())
    }

    /// [`Turns::order`] with a canary of the plan's first `first` users: they and, one after
    /// another, the users they wait for (a swap is tried whole, else a canary user that
    /// waits for one past the canary would start past it), in turn order, then the rest.
    /// Also returns how many users the canary holds.
    pub fn canary_order(
        &self,
        users: &[UserPlan],
        order: Vec<usize>,
        first: usize,
    ) -> (Vec<usize>, usize) {
        let index = index_of(users);
        let mut canary: std::collections::BTreeSet<usize> = (0..first).collect();
        let mut to_see: Vec<usize> = (0..first).collect();
        while let Some(at) = to_see.pop() {
            let waits = self.arrangement.waits_for.get(&users[at].user_id);
            for holder in waits.into_iter().flatten() {
                if let Some(&held) = index.get(holder.as_str())
                    && canary.insert(held)
                {
                    to_see.push(held);
                }
            }
        }
        let head = self.order_after(users, canary.iter().copied().collect(), &HashSet::new());
        let done: HashSet<usize> = canary.into_iter().collect();
        let rest = order.into_iter().filter(|at| !done.contains(at)).collect();
        let size = head.len();
        let mut all = head;
        all.extend(self.order_after(users, rest, &done));
        (all, size)
    }

    /// [`Turns::order`] of users that may wait for the users `done` (started before them).
    fn order_after(
        &self,
        users: &[UserPlan],
        order: Vec<usize>,
        done: &HashSet<usize>,
    ) -> Vec<usize> {
        let waits: &BTreeMap<String, Vec<String>> = &self.arrangement.waits_for;
        if waits.is_empty() {
            return order;
        }
        let index = index_of(users);
        let (free, waiting): (Vec<usize>, Vec<usize>) = order
            .into_iter()
            .partition(|&at| !waits.contains_key(&users[at].user_id));
        let mut placed: HashSet<usize> = free.iter().chain(done).copied().collect();
        let mut out = free;
        for at in waiting {
            place(at, users, (&index, waits), &mut placed, &mut out);
        }
        out
    }
}

/// User id → its index in `users`.
fn index_of(users: &[UserPlan]) -> HashMap<&str, usize> {
    users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.user_id.as_str(), i))
        .collect()
}

/// Put `at` into `out` after the users it waits for (each once; the arrangement has no
/// cycles, and a user seen twice on one path is placed where it stands).
fn place(
    at: usize,
    users: &[UserPlan],
    (index, waits): (&HashMap<&str, usize>, &BTreeMap<String, Vec<String>>),
    placed: &mut HashSet<usize>,
    out: &mut Vec<usize>,
) {
    if !placed.insert(at) {
        return;
    }
    for holder in waits.get(&users[at].user_id).into_iter().flatten() {
        if let Some(&first) = index.get(holder.as_str()) {
            place(first, users, (index, waits), placed, out);
        }
    }
    out.push(at);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn user(id: &str) -> UserPlan {
        UserPlan::of_patches(id, Vec::new())
    }

    #[test]
    fn users_are_started_after_those_they_wait_for() {
        let users: Vec<UserPlan> = ["a", "b", "c", "d"].into_iter().map(user).collect();
        let mut arrangement = Arrangement::default();
        arrangement.waits_for.insert("a".into(), vec!["c".into()]);
        arrangement.waits_for.insert("b".into(), vec!["d".into()]);
        arrangement.waits_for.insert("d".into(), vec!["c".into()]);
        let turns = Turns::new(arrangement);
        // c waits for nobody and goes first; d (waited for, itself waiting) before b.
        assert_eq!(turns.order(&users, vec![0, 1, 2, 3]), [2, 0, 3, 1]);
    }

    #[test]
    fn a_canary_takes_the_users_its_users_wait_for() {
        let users: Vec<UserPlan> = ["a", "b", "c", "d", "e"].into_iter().map(user).collect();
        let mut arrangement = Arrangement::default();
        arrangement.waits_for.insert("a".into(), vec!["d".into()]);
        arrangement.waits_for.insert("d".into(), vec!["e".into()]);
        arrangement.waits_for.insert("c".into(), vec!["b".into()]);
        let turns = Turns::new(arrangement);
        // The canary of a and b takes d (a waits for it) and e (d waits for it); c, which
        // waits for b of the canary, comes after it.
        assert_eq!(
            turns.canary_order(&users, vec![0, 1, 2, 3, 4], 2),
            (vec![1, 4, 3, 0, 2], 4)
        );
        let free = Turns::new(Arrangement::default());
        assert_eq!(
            free.canary_order(&users, vec![2, 3, 0, 1, 4], 2),
            (vec![0, 1, 2, 3, 4], 2)
        );
    }

    #[tokio::test]
    async fn a_waiting_user_goes_on_once_its_holder_ended_and_is_told_a_failure() {
        let mut arrangement = Arrangement::default();
        arrangement.waits_for.insert("b".into(), vec!["a".into()]);
        arrangement.waits_for.insert("d".into(), vec!["c".into()]);
        let turns = Arc::new(Turns::new(arrangement));
        let waiting = tokio::spawn({
            let turns = turns.clone();
            async move { turns.wait("b").await }
        });
        tokio::task::yield_now().await;
        turns.ended("a", false);
        assert_eq!(waiting.await.unwrap(), Ok(()));
        turns.ended("c", true);
        assert_eq!(turns.wait("d").await, Err("c".to_string()));
        assert_eq!(turns.wait("nobody").await, Ok(()));
    }
}
