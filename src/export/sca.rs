//! SCA endpoints in an export (API.md §13): the columns `sca.add[N].<field>` (README, sheet
//! notation), the N-th endpoint of each user in line port order, read per user through
//! [`crate::operation`] (its services first: a user without the service has no endpoints
//! and its SCA read is never sent). A sheet that mentions only some of a user's endpoints
//! changes nothing about the others, so the round trip plans to nothing whatever N is.

use std::collections::HashMap;

use serde_json::Value;

use super::ExportError;
use crate::odin::{OdinClient, OdinError};
use crate::plan::sca::{AddField, ScaColumn, parse_title};
use crate::resource::Resource;
use crate::schema::FieldType;

/// The endpoints `sca.*` exports: `sca.add[0].*` to `sca.add[SLOTS - 1].*`.
pub const SLOTS: u32 = 4;

/// A column of an endpoint: its N and field.
pub type EntryColumn = (u32, AddField);

/// The SCA columns one spec names (`sca.*`, `sca.add[N].*`, `sca.add[N].<field>`), `None`
/// when the spec is not an SCA one.
pub fn expand(spec: &str) -> Option<Result<Vec<(EntryColumn, FieldType)>, ExportError>> {
    let spec = spec.trim();
    let all = |n: u32| AddField::ALL.into_iter().map(move |f| ((n, f), ty(f)));
    if spec == "sca.*" {
        return Some(Ok((0..SLOTS).flat_map(all).collect()));
    }
    let bad = |reason: String| ExportError::BadColumn {
        column: spec.to_string(),
        reason,
    };
    if let Some(n) = spec
        .strip_prefix("sca.add[")
        .and_then(|rest| rest.strip_suffix("].*"))
    {
        return Some(
            n.parse::<u32>()
                .map(|n| all(n).collect())
                .map_err(|_| bad(format!("`{n}` is not an endpoint number (0, 1, …)"))),
        );
    }
    Some(match parse_title(spec)? {
        Ok(ScaColumn::Add { n, field }) => Ok(vec![((n, field), ty(field))]),
        Ok(ScaColumn::Remove) => Err(bad(
            "`sca.remove` removes endpoints, it is not a field export can read; export \
             `sca.*` to see each user's endpoints"
                .into(),
        )),
        Err(why) => Err(bad(why)),
    })
}

/// How a field's cells are typed.
fn ty(field: AddField) -> FieldType {
    match field {
        AddField::Flag(_) => FieldType::Bool,
        _ => FieldType::Text,
    }
}

/// Read `user_id`'s endpoints: line port → entry, as [`crate::operation::read`] gives
/// them.
pub async fn read(client: &OdinClient, user_id: &str) -> Result<Value, OdinError> {
    let services = client.read(Resource::Services, user_id).await.result?;
    let docs = HashMap::from([(Resource::Services, services)]);
    let identity = crate::odin::resources::UserIdentity::resolve(user_id, None, None, None);
    crate::operation::read_with(client, Resource::SharedCallAppearance, &identity, &docs)
        .await
        .result
}

/// The value of column `(n, field)` in `entries` (a user's read): the N-th endpoint in line
/// port order; `None` when the user has fewer.
pub fn value(entries: &Value, (n, field): EntryColumn) -> Option<Value> {
    let (port, entry) = endpoints(entries).nth(n as usize)?;
    match field {
        AddField::LinePort => Some(Value::String(port.clone())),
        AddField::DeviceLevel => Some(
            entry
                .get("deviceLevel")
                .cloned()
                .unwrap_or_else(|| Value::String(crate::operation::sca::DEFAULT_LEVEL.into())),
        ),
        field => entry.get(field.name()).cloned(),
    }
}

/// How many endpoints `entries` holds.
pub fn count(entries: &Value) -> usize {
    endpoints(entries).count()
}

/// The endpoints of a read (its keys that are line ports), in line port order.
fn endpoints(entries: &Value) -> impl Iterator<Item = (&String, &Value)> {
    let mut found: Vec<(&String, &Value)> = entries
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(port, entry)| port.contains('@') && entry.is_object())
        .collect();
    found.sort_by(|a, b| a.0.cmp(b.0));
    found.into_iter()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn specs_expand_to_endpoint_columns_and_a_read_fills_them_in_line_port_order() {
        let all = expand("sca.*").unwrap().unwrap();
        assert_eq!(all.len(), SLOTS as usize * 6);
        assert_eq!(all[6].0, (1, AddField::LinePort));
        assert_eq!(expand("sca.add[3].*").unwrap().unwrap().len(), 6);
        assert!(expand("sca.remove").unwrap().is_err());
        assert!(expand("user.extension").is_none());
        let read = json!({"maxAppearances": 5, "b@x": {"deviceName": "d2", "isActive": false},
                          "a@x": {"deviceName": "d1", "deviceLevel": "Group"}});
        assert_eq!(value(&read, (0, AddField::LinePort)), Some(json!("a@x")));
        assert_eq!(
            value(&read, (1, AddField::DeviceLevel)),
            Some(json!("Group"))
        );
        assert_eq!(
            value(&read, (1, AddField::Flag("isActive"))),
            Some(json!(false))
        );
        assert_eq!(value(&read, (2, AddField::DeviceName)), None);
        assert_eq!(count(&read), 2);
    }
}
