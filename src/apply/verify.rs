//! Does a user's live state hold what its plan asks? Used by `demo` and the tests to check a
//! run's effect independently of the run's own report.

use serde_json::Value;

use super::diff::{holds, live_value};
use crate::plan::UserPlan;

/// The fields of `user`'s plan whose live value differs from the planned one, as
/// `resource path: have … want …`. `resources` holds the four resources in their GET shapes
/// keyed by resource name (`user`, `services`, `settings`, `policy`), as the simulator's
/// `/__sim/state` returns them.
pub fn mismatches(user: &UserPlan, resources: &Value) -> Vec<String> {
    let mut found = Vec::new();
    // Credentials are write-only: the simulator's state view never shows them.
    for step in user
        .steps
        .iter()
        .filter(|s| s.resource() != crate::resource::Resource::Credentials)
    {
        let live = &resources[step.resource().name()];
        for (key, want) in step.patch().iter() {
            if !holds(step.resource(), live, key, want) {
                let have = live_value(step.resource(), live, key);
                let have = have.map_or_else(|| "absent".to_string(), |v| v.to_string());
                found.push(format!(
                    "{} {key}: have {have}, want {want}",
                    step.resource()
                ));
            }
        }
    }
    found
}
