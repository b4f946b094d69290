//! A started user's place in the batches of its steps.

use std::sync::Arc;

use super::{BulkWrites, Outcome};
use crate::plan::UserPlan;

/// A started user's steps planned for bulk writes that have not arrived at their batch:
/// whatever ends the user's work (a failure, a pause, its end) drops them out, so that no
/// batch waits for them.
#[derive(Debug)]
pub struct Pending<'a> {
    bulk: &'a Arc<BulkWrites>,
    user_id: String,
    steps: Vec<usize>,
}

impl<'a> Pending<'a> {
    /// The steps of `user` from `start` on that are planned for bulk writes (indices in
    /// the whole plan of the user).
    pub fn new(bulk: &'a Arc<BulkWrites>, user: &UserPlan, start: usize) -> Pending<'a> {
        let steps = (start..user.steps.len())
            .filter(|&index| bulk.planned(&user.user_id, index))
            .collect();
        Pending {
            bulk,
            user_id: user.user_id.clone(),
            steps,
        }
    }

    /// Whether step `index` waits to arrive at a batch.
    pub fn holds(&self, index: usize) -> bool {
        self.steps.contains(&index)
    }

    /// Step `index` will not arrive.
    pub fn drop_out(&mut self, index: usize) {
        if let Some(at) = self.steps.iter().position(|&s| s == index) {
            self.steps.remove(at);
            self.bulk.drop_out(&self.user_id, index);
        }
    }

    /// Step `index` arrives at its batch; see [`BulkWrites::arrive`].
    pub async fn arrive(&mut self, index: usize, arrival: super::Carried) -> Outcome {
        let Some(at) = self.steps.iter().position(|&s| s == index) else {
            return Outcome::alone();
        };
        self.steps.remove(at);
        self.bulk.arrive(&self.user_id, index, arrival).await
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        for index in std::mem::take(&mut self.steps) {
            self.bulk.drop_out(&self.user_id, index);
        }
        self.bulk.user_ended();
    }
}
