//! An account entry as people and comparisons see it: by the user's names, not the whole
//! record a delete keeps.

use serde_json::Value;

use super::{LOST, REQUIRED, parts};

/// What of an account entry tells whether a live one holds it: the user's names (the
/// record fields a create gives), not everything a delete recorded with it.
pub fn compared(wanted: &Value) -> std::borrow::Cow<'_, Value> {
    match wanted {
        Value::Object(fields) if fields.keys().any(|k| !REQUIRED.contains(&k.as_str())) => {
            std::borrow::Cow::Owned(Value::Object(
                fields
                    .iter()
                    .filter(|(k, _)| REQUIRED.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ))
        }
        _ => std::borrow::Cow::Borrowed(wanted),
    }
}

/// An account entry in a few words: `a user (Ann One)`, or `no user`.
pub fn brief(entry: &Value) -> String {
    match entry {
        Value::Object(fields) => {
            let name = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or_default();
            format!("a user ({} {})", name("firstName"), name("lastName"))
        }
        _ => "no user".into(),
    }
}

/// The change of a user's existence as `plan` shows it: `create Ann One (calling line ID
/// name Ann One)`; `delete` with what its rollback entry keeps (from the read before, when
/// there is one) and what no rollback brings back ([`LOST`]).
pub fn describe(before: Option<&Value>, after: &Value) -> String {
    let name = |entry: &Value, first: &str, last: &str| {
        let text = |k: &str| {
            entry
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        format!("{} {}", text(first), text(last)).trim().to_string()
    };
    match after {
        Value::Object(_) if before.is_none_or(Value::is_null) => format!(
            "create {} (calling line ID name {})",
            name(after, "firstName", "lastName"),
            name(after, "callingLineIdFirstName", "callingLineIdLastName")
        ),
        Value::Object(_) => "exists already: a create needs a user id nobody has".into(),
        _ => {
            let mut kept = Vec::new();
            if let Some(entry) = before.filter(|b| b.is_object()) {
                kept.push(format!(
                    "its record ({})",
                    name(entry, "firstName", "lastName")
                ));
                kept.extend(parts::summary(entry));
            }
            let kept = match kept.is_empty() {
                true => String::new(),
                false => format!("; its rollback creates it again with {}", kept.join(", ")),
            };
            format!("delete{kept}; no rollback brings back {LOST}")
        }
    }
}
