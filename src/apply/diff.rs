//! A step against live state: which fields really change, the write body that changes
//! exactly them, and the before-values that undo it. Pure; the worker does the I/O.

use serde_json::{Map, Value};

use crate::notation::{self, Segment};
use crate::plan::{Patch, Step};
use crate::resource::Resource;
use crate::services::{ServiceChanges, ServiceRef};

/// One field a step changes.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// Field path inside the resource, as in the plan's patch.
    pub path: String,
    /// The live value before the write; `None` when the field was absent.
    pub before: Option<Value>,
    /// The value written.
    pub after: Value,
}

/// What a step would do to one user's live resource.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDiff {
    /// The fields whose desired value differs from the live one, in patch order; for
    /// services, keyed as in the plan with whether assigned before and after.
    pub changes: Vec<FieldChange>,
    /// For a services step, the assignments that really change (empty otherwise).
    pub services: ServiceChanges,
    /// The write body without identity keys; `None` when nothing differs (the step is
    /// `unchanged` and sends no write).
    pub body: Option<Value>,
}

/// Why a patch cannot be applied to the live document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{path}`: {reason}")]
pub struct DiffError {
    /// The patch key.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// Compare `step` with the live document of its resource.
pub fn diff(step: &Step, live: &Value) -> Result<StepDiff, DiffError> {
    match step {
        Step::Services(changes) => Ok(services(changes, live)),
        Step::Fields { patch, .. } => fields(patch, live),
    }
}

fn fields(patch: &Patch, live: &Value) -> Result<StepDiff, DiffError> {
    let mut changes = Vec::new();
    let mut body = Value::Object(Map::new());
    for (key, desired) in patch.iter() {
        let segments = notation::parse_relative(key).map_err(|e| DiffError {
            path: key.clone(),
            reason: e.to_string(),
        })?;
        let before = notation::get(live, &segments).cloned();
        if same(before.as_ref(), desired) {
            continue;
        }
        // Odin replaces lists whole, so a change inside a list writes the whole list: the
        // live list (or the one this body already holds) with the element changed.
        match segments.iter().position(|s| matches!(s, Segment::Index(_))) {
            Some(at) => {
                let (unit, inside) = segments.split_at(at);
                let mut list = notation::get(&body, unit)
                    .or_else(|| notation::get(live, unit))
                    .cloned()
                    .unwrap_or(Value::Array(Vec::new()));
                notation::set(&mut list, inside, desired.clone());
                notation::set(&mut body, unit, list);
            }
            None => notation::set(&mut body, &segments, desired.clone()),
        }
        changes.push(FieldChange {
            path: key.clone(),
            before,
            after: desired.clone(),
        });
    }
    let body = (!changes.is_empty()).then_some(body);
    Ok(StepDiff {
        changes,
        services: ServiceChanges::default(),
        body,
    })
}

/// Services and packs against the live listing: only those whose assignment differs.
fn services(wanted: &ServiceChanges, live: &Value) -> StepDiff {
    let mut changes = Vec::new();
    let mut effective = ServiceChanges::default();
    for (service, assign) in wanted.entries() {
        let assigned = service.is_assigned(live);
        if assigned == assign {
            continue;
        }
        // The write names it as the server's listing does (a licence spelt two ways).
        let listed = service.as_listed(live);
        if assign {
            effective.assign.push(listed);
        } else {
            effective.unassign.push(listed);
        }
        changes.push(FieldChange {
            path: service.key(),
            before: Some(Value::Bool(assigned)),
            after: Value::Bool(assign),
        });
    }
    StepDiff {
        body: (!changes.is_empty()).then(|| effective.body()),
        services: effective,
        changes,
    }
}

/// The live value of patch key `key` of `resource` in its GET document: the field's value
/// (`None` when absent), or for services whether it is assigned (absent from the listing
/// counts as unassigned).
pub fn live_value(resource: Resource, live: &Value, key: &str) -> Option<Value> {
    match resource {
        Resource::Services => {
            ServiceRef::from_key(key).map(|service| Value::Bool(service.is_assigned(live)))
        }
        _ => notation::parse_relative(key)
            .ok()
            .and_then(|path| notation::get(live, &path).cloned()),
    }
}

/// Whether the live value already is the desired one, allowing for Odin's sloppy types: a
/// phone number stored as a JSON number equals the same digits as text, `"true"` equals
/// `true`, and an absent field equals null.
pub fn same(live: Option<&Value>, desired: &Value) -> bool {
    match (live, desired) {
        (None | Some(Value::Null), Value::Null) => true,
        (None, _) => false,
        (Some(live), desired) if live == desired => true,
        (Some(Value::Number(n)), Value::String(s)) | (Some(Value::String(s)), Value::Number(n)) => {
            *s == n.to_string()
        }
        (Some(Value::Bool(b)), Value::String(s)) | (Some(Value::String(s)), Value::Bool(b)) => {
            *s == b.to_string()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn step(resource: Resource, patch: Value) -> Step {
        Step::from_patch(resource, patch.as_object().cloned().unwrap_or_default()).unwrap()
    }

    #[test]
    fn only_differing_fields_are_written() {
        let live = json!({"Call Forwarding Always": {"isActive": false, "forwardToPhoneNumber": 1234, "isRingSplashActive": false}});
        let d = diff(
            &step(
                Resource::Settings,
                json!({"Call Forwarding Always.isActive": true, "Call Forwarding Always.forwardToPhoneNumber": "1234",
                       "Call Forwarding Always.isRingSplashActive": false}),
            ),
            &live,
        )
        .unwrap();
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].before, Some(json!(false)));
        assert_eq!(
            d.body,
            Some(json!({"Call Forwarding Always": {"isActive": true}}))
        );
    }

    #[test]
    fn nothing_differs_means_no_write() {
        let live = json!({"extension": "1001", "title": null});
        let d = diff(
            &step(Resource::User, json!({"extension": "1001", "title": null})),
            &live,
        )
        .unwrap();
        assert_eq!(
            d,
            StepDiff {
                changes: vec![],
                services: ServiceChanges::default(),
                body: None
            }
        );
    }

    #[test]
    fn absent_fields_have_no_before_value() {
        let live = json!({"Call Forwarding Busy": {"isActive": false}});
        let d = diff(
            &step(
                Resource::Settings,
                json!({"Call Forwarding Busy.forwardToPhoneNumber": "+1555"}),
            ),
            &live,
        )
        .unwrap();
        assert_eq!(d.changes[0].before, None);
    }

    #[test]
    fn changes_inside_lists_write_the_whole_list() {
        let live = json!({"Sequential Ring": {"locations": [{"phoneNumber": "", "numberOfRings": 3}, {"phoneNumber": "", "numberOfRings": 3}]}});
        let d = diff(
            &step(
                Resource::Settings,
                json!({"Sequential Ring.locations[0].phoneNumber": "+1555", "Sequential Ring.locations[1].numberOfRings": 5}),
            ),
            &live,
        )
        .unwrap();
        assert_eq!(
            d.body,
            Some(
                json!({"Sequential Ring": {"locations": [{"phoneNumber": "+1555", "numberOfRings": 3}, {"phoneNumber": "", "numberOfRings": 5}]}})
            )
        );
    }

    #[test]
    fn services_diff_against_the_listing() {
        let live = json!({"userServices": [{"serviceName": "Do Not Disturb", "assigned": true}, {"serviceName": "Call Notify", "assigned": false}],
                          "servicePackServices": [{"serviceName": "SIP-DID", "assigned": true}]});
        let d = diff(
            &step(
                Resource::Services,
                json!({"userServices.Do Not Disturb": true, "userServices.Call Notify": true, "servicePackServices.SIP-DID": false}),
            ),
            &live,
        )
        .unwrap();
        assert_eq!(d.changes.len(), 2);
        assert_eq!(
            d.body,
            Some(
                json!({"userServices": [{"serviceName": "Call Notify", "assigned": true}],
                        "servicePackServices": [{"serviceName": "SIP-DID", "assigned": false}]})
            )
        );
    }

    #[test]
    fn loose_equality_follows_odins_types() {
        assert!(same(Some(&json!(5551234)), &json!("5551234")));
        assert!(same(Some(&json!("true")), &json!(true)));
        assert!(same(None, &json!(null)));
        assert!(!same(None, &json!("")));
        assert!(!same(Some(&json!(1)), &json!(true)));
    }
}
