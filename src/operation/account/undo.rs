//! A rollback entry made whole around a user's existence (API.md §14): what the undo of a
//! create or of a delete needs besides the entry itself.

use serde_json::{Map, Value};

use super::parts;
use crate::credentials::{Credential, CredentialValue};
use crate::resource::Resource;

/// A rollback entry's changes (`undo`) made whole around the user's existence:
/// - the undo deletes the user (the run created it): everything of the user's own goes
///   with it, so nothing else of it is restored first (its group's lists are: a number
///   the run added for it leaves the group after the delete);
/// - the undo creates the user again (the run deleted it): it needs a web password, from
///   Odin's generator into the run's `credentials.csv`, none of its credentials come back
///   (`not_restorable`), and its hunt groups and call centers become membership entries,
///   each with the place it had, written by each list's one writer after the create.
pub fn shape_undo(undo: &mut crate::plan::Changes, not_restorable: &mut Vec<Credential>) {
    let Some(entries) = undo.fields.get(&Resource::Account) else {
        return;
    };
    if entries.values().any(Value::is_null) {
        undo.assign.clear();
        undo.unassign.clear();
        undo.credentials.0.clear();
        undo.fields
            .retain(|resource, _| *resource == Resource::Account || resource.of_group());
        undo.fields.remove(&Resource::Activation);
        not_restorable.clear();
    } else if entries.values().any(Value::is_object) {
        // Its memberships go back through each list's one writer, with the other changes
        // of those lists, after the user exists again (API.md §15).
        let mut joins: Vec<(Resource, Map<String, Value>)> = Vec::new();
        if let Some(entries) = undo.fields.get_mut(&Resource::Account) {
            for entry in entries.values_mut().filter_map(Value::as_object_mut) {
                for (part, resource) in [
                    (parts::HUNT_GROUPS, Resource::HuntGroups),
                    (parts::CALL_CENTERS, Resource::CallCenters),
                ] {
                    if let Some(Value::Object(lists)) = entry.remove(part) {
                        joins.push((resource, lists));
                    }
                }
            }
        }
        for (resource, lists) in joins {
            undo.fields.entry(resource).or_default().extend(lists);
        }
        undo.credentials
            .0
            .insert(Credential::WebPassword, CredentialValue::Generate);
        for credential in Credential::ALL {
            if credential.is_secret() && !not_restorable.contains(&credential) {
                not_restorable.push(credential);
            }
        }
    }
}
