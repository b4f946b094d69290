//! A write whose answer was lost (its connection dropped or timed out after it was sent,
//! or something other than Odin answered it) may have landed all the same: one read of its
//! resource tells, before the step is called failed.

use super::diff::{StepDiff, holds};
use crate::odin::OdinClient;
use crate::odin::resources::UserIdentity;
use crate::plan::Step;
use crate::resource::Resource;

/// What the read after a lost answer showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Landed {
    /// Every field the write changed holds the value written.
    Yes,
    /// At least one does not: the write did not land (or only in part).
    No,
    /// It cannot be told: the resource is write-only, or the read failed (why).
    Unknown(String),
}

/// Read `step`'s resource of the user `identity` names and compare the fields `change` writes with the
/// values written; the requests the read sent are added to `attempts`.
pub(super) async fn check(
    client: &OdinClient,
    identity: &UserIdentity,
    (step, change): (&Step, &StepDiff),
    attempts: &mut u32,
) -> Landed {
    let resource = step.resource();
    if resource == Resource::Credentials {
        return Landed::Unknown("credentials are write-only; no read shows them".into());
    }
    let call = crate::operation::read(client, resource, identity).await;
    *attempts += call.attempts;
    let live = match call.result {
        Ok(live) => live,
        Err(error) => return Landed::Unknown(format!("reading {resource} failed: {error}")),
    };
    let shows = change
        .changes
        .iter()
        .all(|c| holds(resource, &live, &c.path, &c.after));
    if shows { Landed::Yes } else { Landed::No }
}
