//! A step against live state: which fields really change, the write body that changes
//! exactly them, and the before-values that undo it. Pure; the worker does the I/O.

use serde_json::{Map, Value};

use crate::notation::{self, Segment};
use crate::plan::{Patch, Step};
use crate::resource::Resource;
use crate::services::{ServiceChanges, ServiceRef};
use crate::text::nfc;

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
    /// services, keyed as in the plan with whether assigned before and after. What plans
    /// and results show.
    pub changes: Vec<FieldChange>,
    /// What undoes the write: each unit the body writes (a field, or the whole nested object
    /// or list a changed field lies in) with its live value before (`None`: absent), in the
    /// order first written. What rollback entries and compensation restore.
    pub restore: Vec<(String, Option<Value>)>,
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
        Step::Fields { resource, patch } => fields(*resource, patch, live),
        Step::Credentials(changes) => Ok(credentials(changes)),
        Step::Entries { resource, entries } => Ok(list(*resource, entries, live)),
    }
}

/// A list step against the live list (entry id → entry, as [`crate::operation::read`]
/// gives it): an entry wanted that is absent is added, one present whose given fields
/// differ is written with them changed (its other fields as they are), one set to null that
/// is present is removed. Each changed entry is one unit: its `restore` is the whole live
/// entry (`None`: absent, so undoing removes it).
fn list(resource: Resource, entries: &Patch, live: &Value) -> StepDiff {
    let mut changes = Vec::new();
    let mut restore = Vec::new();
    let mut body = Map::new();
    for (id, wanted) in entries.iter() {
        let before = live.get(id).filter(|v| !v.is_null());
        if entry_holds(before, &crate::operation::compared(resource, wanted)) {
            continue;
        }
        let after = match (before, wanted) {
            (Some(Value::Object(live)), Value::Object(given)) => {
                let mut whole = live.clone();
                whole.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
                Value::Object(whole)
            }
            _ => wanted.clone(),
        };
        changes.push(FieldChange {
            path: id.clone(),
            before: before.cloned(),
            after: after.clone(),
        });
        restore.push((id.clone(), before.cloned()));
        body.insert(id.clone(), after);
    }
    let body = (!body.is_empty()).then_some(Value::Object(body));
    StepDiff {
        changes,
        restore,
        services: ServiceChanges::default(),
        body,
    }
}

/// Whether a list's live entry (`None`: absent) is as `wanted` asks: absent for null, else
/// present with every field `wanted` gives at its value.
pub fn entry_holds(live: Option<&Value>, wanted: &Value) -> bool {
    match (live, wanted) {
        (None | Some(Value::Null), Value::Null) => true,
        (Some(Value::Object(live)), Value::Object(wanted)) => {
            wanted.iter().all(|(key, value)| same(live.get(key), value))
        }
        _ => false,
    }
}

/// Whether field (or entry) `key` of `resource`'s live document holds `desired`.
pub fn holds(resource: Resource, live: &Value, key: &str, desired: &Value) -> bool {
    match resource.is_list() {
        true => entry_holds(
            live.get(key),
            &crate::operation::compared(resource, desired),
        ),
        false => {
            let now = live_value(resource, live, key);
            same(now.as_ref(), desired)
                || crate::operation::same_field(resource, key, now.as_ref(), desired)
        }
    }
}

/// A credentials step always writes (its values cannot be read to compare, API.md §11) and
/// restores nothing: its changes show each credential as `********` (the SIP user name as
/// itself), and its body is empty — the values go into the request only when it is sent
/// (`user::write_credentials`).
fn credentials(changes: &crate::credentials::CredentialChanges) -> StepDiff {
    StepDiff {
        changes: changes
            .0
            .iter()
            .map(|(credential, value)| FieldChange {
                path: credential.name().to_string(),
                before: None,
                after: Value::String(value.shown(*credential)),
            })
            .collect(),
        restore: Vec::new(),
        services: ServiceChanges::default(),
        body: Some(Value::Object(Map::new())),
    }
}

/// How many leading segments of `segments` (a field path inside `resource`) a write sends
/// as one unit: Odin replaces lists whole, and whether a partial nested object merges or
/// replaces the stored one is unknown (API.md §3), so a change inside a list or inside a
/// nested object — of the user record (`address`, `accessDeviceEndpoint`, `department`…) or
/// below a service in settings (the parts of `Voice Messaging User`) — writes the whole
/// list or object. Settings merge field by field within a service (API.md §4).
pub fn unit_len(resource: Resource, segments: &[Segment]) -> usize {
    let list = segments
        .iter()
        .position(|s| matches!(s, Segment::Index(_)))
        .unwrap_or(segments.len());
    let object = match resource {
        Resource::Settings => 2,
        _ => 1,
    };
    list.min(object).min(segments.len())
}

fn fields(resource: Resource, patch: &Patch, live: &Value) -> Result<StepDiff, DiffError> {
    let mut changes = Vec::new();
    let mut restore: Vec<(String, Option<Value>)> = Vec::new();
    let mut body = Value::Object(Map::new());
    for (key, desired) in patch.iter() {
        let segments = notation::parse_relative(key).map_err(|e| DiffError {
            path: key.clone(),
            reason: e.to_string(),
        })?;
        let before = notation::get(live, &segments);
        if crate::operation::same_field(resource, key, before, desired) {
            continue;
        }
        // A whole object set at once (a rollback entry restores them so) shows as the
        // fields inside it that change; Odin's sloppy types compare loosely there too.
        let mut changed = Vec::new();
        leaf_changes(key, before, desired, &mut changed);
        if changed.is_empty() {
            continue;
        }
        // The whole unit: the live one (or the one this body already holds) with the field
        // changed.
        let (unit, inside) = segments.split_at(unit_len(resource, &segments));
        let live_unit = notation::get(live, unit).filter(|v| !v.is_null());
        let mut whole = if inside.is_empty() {
            desired.clone()
        } else {
            let mut whole = notation::get(&body, unit)
                .or(live_unit)
                .cloned()
                .unwrap_or(Value::Null);
            notation::set(&mut whole, inside, desired.clone());
            whole
        };
        clear_missing(&mut whole, live_unit);
        notation::set(&mut body, unit, whole);
        let unit_path = unit_text(unit);
        if !restore.iter().any(|(path, _)| *path == unit_path) {
            let unit_before = notation::get(live, unit).cloned();
            restore.push((unit_path, unit_before));
        }
        changes.extend(changed);
    }
    let body = (!changes.is_empty()).then_some(body);
    Ok(StepDiff {
        changes,
        restore,
        services: ServiceChanges::default(),
        body,
    })
}

/// Where `written` (a whole unit) is an object, an explicit null for each key the live one
/// holds and it does not, inside nested objects too: a server that merges a nested object
/// would otherwise keep them (a rollback entry restoring an object that lacked a key the
/// run added), while one that replaces it drops them either way.
fn clear_missing(written: &mut Value, live: Option<&Value>) {
    let (Value::Object(written), Some(Value::Object(live))) = (written, live) else {
        return;
    };
    for (key, value) in live {
        match written.get_mut(key) {
            None if !value.is_null() => {
                written.insert(key.clone(), Value::Null);
            }
            Some(inner) => clear_missing(inner, Some(value)),
            None => {}
        }
    }
}

/// The fields that change when `after` replaces `before` at `path`: where both are objects,
/// each key inside that differs (recursively), else the value itself.
fn leaf_changes(path: &str, before: Option<&Value>, after: &Value, into: &mut Vec<FieldChange>) {
    if let (Some(Value::Object(old)), Value::Object(new)) = (before, after) {
        let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let after = new.get(key).unwrap_or(&Value::Null);
            if !same(old.get(key), after) {
                leaf_changes(&format!("{path}.{key}"), old.get(key), after, into);
            }
        }
        return;
    }
    if !same(before, after) {
        into.push(FieldChange {
            path: path.to_string(),
            before: before.cloned(),
            after: after.clone(),
        });
    }
}

/// A unit's path as a patch key; a unit ends before any list index, so it is keys only.
fn unit_text(unit: &[Segment]) -> String {
    unit.iter()
        .map(|segment| match segment {
            Segment::Key(key) => key.clone(),
            Segment::Index(index) => format!("[{index}]"),
        })
        .collect::<Vec<_>>()
        .join(".")
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
        // Sent as the user's own listing spells it.
        if assign {
            effective.assign.push(service.as_listed(live));
        } else {
            effective.unassign.push(service.as_listed(live));
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
        restore: Vec::new(),
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
        list if list.is_list() => live.get(key).filter(|v| !v.is_null()).cloned(),
        _ => notation::parse_relative(key)
            .ok()
            .and_then(|path| notation::get(live, &path).cloned()),
    }
}

/// Whether the live value already is the desired one, allowing for Odin's sloppy types: a
/// phone number stored as a JSON number equals the same digits as text, `"true"` equals
/// `true`, and an absent field equals null. Text compares in Unicode NFC, inside lists and
/// objects too: `Zoë` typed as `e` + U+0308 is the `Zoë` Odin holds precomposed (or the
/// other way round), so it is already as planned and sends no write.
pub fn same(live: Option<&Value>, desired: &Value) -> bool {
    match (live, desired) {
        (None | Some(Value::Null), Value::Null) => true,
        (None, _) => false,
        (Some(live), desired) if equal(live, desired) => true,
        (Some(Value::Number(n)), Value::String(s)) | (Some(Value::String(s)), Value::Number(n)) => {
            *s == n.to_string()
        }
        (Some(Value::Bool(b)), Value::String(s)) | (Some(Value::String(s)), Value::Bool(b)) => {
            *s == b.to_string()
        }
        _ => false,
    }
}

/// JSON equality, with text compared in NFC.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a == b || nfc(a) == nfc(b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| equal(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, a)| b.get(key).is_some_and(|b| equal(a, b)))
        }
        (a, b) => a == b,
    }
}

/// `before` and `after` as a diff shows them when they differ but print the same (only
/// invisible characters, other spaces, or leading and trailing spaces tell them apart;
/// [`crate::text::look_alike`]): each written with those characters escaped, bare (no
/// quotes). `None` when they look different, or are not text (a number counts as its
/// digits). Only for showing: what is compared and sent stays the values themselves.
pub fn look_alike(before: Option<&Value>, after: &Value) -> Option<(String, String)> {
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (before, after) = (text(before?)?, text(after)?);
    crate::text::look_alike(&before, &after).then(|| crate::text::escape_shown(&before, &after))
}

#[cfg(test)]
mod tests;
