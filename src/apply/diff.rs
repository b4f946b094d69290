//! A step against live state: which fields really change, the write body that changes
//! exactly them, and the before-values that undo it. Pure; the worker does the I/O.

use serde_json::{Map, Value, json};

use crate::notation::{self, Segment};
use crate::plan::Step;
use crate::resource::Resource;

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
    /// The fields whose desired value differs from the live one, in patch order.
    pub changes: Vec<FieldChange>,
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
    match step.resource {
        Resource::Services => Ok(services(&step.patch, live)),
        _ => fields(&step.patch, live),
    }
}

fn fields(patch: &Map<String, Value>, live: &Value) -> Result<StepDiff, DiffError> {
    let mut changes = Vec::new();
    let mut body = Value::Object(Map::new());
    for (key, desired) in patch {
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
    Ok(StepDiff { changes, body })
}

/// Services and packs: patch keys `userServices.<name>` / `servicePackServices.<name>` → the
/// assignment wanted. A service missing from the live listing counts as unassigned.
fn services(patch: &Map<String, Value>, live: &Value) -> StepDiff {
    let mut changes = Vec::new();
    let mut lists: [(&str, Vec<Value>); 2] = [
        ("userServices", Vec::new()),
        ("servicePackServices", Vec::new()),
    ];
    for (key, desired) in patch {
        let Some((list, name)) = key.split_once('.') else {
            continue;
        };
        let assigned = live_value(Resource::Services, live, key) == Some(Value::Bool(true));
        let wanted = desired.as_bool().unwrap_or(false);
        if assigned == wanted {
            continue;
        }
        if let Some((_, entries)) = lists.iter_mut().find(|(l, _)| *l == list) {
            entries.push(json!({"serviceName": name, "assigned": wanted}));
        }
        changes.push(FieldChange {
            path: key.clone(),
            before: Some(Value::Bool(assigned)),
            after: Value::Bool(wanted),
        });
    }
    let mut body = Map::new();
    for (list, entries) in lists {
        if !entries.is_empty() {
            body.insert(list.to_string(), Value::Array(entries));
        }
    }
    StepDiff {
        body: (!changes.is_empty()).then_some(Value::Object(body)),
        changes,
    }
}

/// The live value of patch key `key` of `resource` in its GET document: the field's value
/// (`None` when absent), or for services whether it is assigned (absent from the listing
/// counts as unassigned).
pub fn live_value(resource: Resource, live: &Value, key: &str) -> Option<Value> {
    match resource {
        Resource::Services => {
            let (list, name) = key.split_once('.')?;
            let assigned = live[list]
                .as_array()
                .and_then(|items| items.iter().find(|s| s["serviceName"] == name))
                .and_then(|s| s["assigned"].as_bool())
                .unwrap_or(false);
            Some(Value::Bool(assigned))
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
    use super::*;

    fn step(resource: Resource, patch: Value) -> Step {
        Step {
            resource,
            patch: patch.as_object().cloned().unwrap_or_default(),
        }
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
