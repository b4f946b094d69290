//! What Odin accepts in a write body, field by field: the server side of the schema.
//!
//! Real Odin is sloppy about types (booleans sent as `"true"`, phone numbers as JSON
//! numbers), so a body conforms when each value is of its field's type or of one of the
//! spellings Odin is known to accept; such spellings are normalised to the field's type.
//! `null` is accepted anywhere: it removes the field.

use serde_json::Value;

use super::{FieldType, Node, Schema, suggest};
use crate::notation::Namespace;

impl Schema {
    /// Check `body` (a write body without its identity keys) against the fields of
    /// `namespace`, normalising accepted spellings in place. The error says which field is
    /// wrong and why, as a server's `details` would.
    pub fn conform(&self, namespace: Namespace, body: &mut Value) -> Result<(), String> {
        let root = match namespace {
            Namespace::User => &self.user,
            Namespace::Policy => &self.policy,
            Namespace::Settings => &self.settings,
            Namespace::Services | Namespace::Packs => {
                return Err(format!("`{namespace}` has no fields to write"));
            }
        };
        conform(
            root,
            body,
            &mut String::new(),
            namespace == Namespace::Settings,
        )
    }
}

fn conform(
    node: &Node,
    value: &mut Value,
    path: &mut String,
    services: bool,
) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    match (node, &mut *value) {
        (Node::Leaf(FieldType::Any), _) => Ok(()),
        (Node::Object(fields), Value::Object(map)) => {
            for (key, child) in map.iter_mut() {
                let Some(child_node) = fields.get(key) else {
                    let suggestion = suggest::closest(key, fields.keys().map(String::as_str));
                    let what = if services && path.is_empty() {
                        format!("unknown service `{key}`")
                    } else if path.is_empty() {
                        format!("unknown field `{key}`")
                    } else {
                        format!("unknown field `{key}` in `{path}`")
                    };
                    return Err(format!("{what}{}", suggest::did_you_mean(&suggestion)));
                };
                let mark = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                conform(child_node, child, path, services)?;
                path.truncate(mark);
            }
            Ok(())
        }
        (Node::List(item), Value::Array(items)) => {
            for (i, element) in items.iter_mut().enumerate() {
                let mark = path.len();
                path.push_str(&format!("[{i}]"));
                conform(item, element, path, services)?;
                path.truncate(mark);
            }
            Ok(())
        }
        (Node::Leaf(ty), _) => match accepted(*ty, value) {
            Some(normal) => {
                *value = normal;
                Ok(())
            }
            None => Err(format!("`{path}` must be {ty}, not `{value}`")),
        },
        (node, _) => Err(format!(
            "`{path}` must be {}, not `{value}`",
            node.field_type()
        )),
    }
}

/// The value normalised to `ty`, if Odin accepts it for a field of that type.
fn accepted(ty: FieldType, value: &Value) -> Option<Value> {
    let text = value.as_str();
    match ty {
        FieldType::Bool => match (value, text) {
            (Value::Bool(_), _) => Some(value.clone()),
            (_, Some("true")) => Some(Value::Bool(true)),
            (_, Some("false")) => Some(Value::Bool(false)),
            _ => None,
        },
        FieldType::BoolText => match (value, text) {
            (Value::Bool(b), _) => Some(Value::String(b.to_string())),
            (_, Some("true" | "false")) => Some(value.clone()),
            _ => None,
        },
        FieldType::Integer => match (value, text) {
            _ if value.is_i64() || value.is_u64() => Some(value.clone()),
            (_, Some(t)) => t.parse::<i64>().ok().map(Value::from),
            _ => None,
        },
        FieldType::Number => match (value, text) {
            (Value::Number(_), _) => Some(value.clone()),
            (_, Some(t)) => t
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            _ => None,
        },
        FieldType::Text => (value.is_string() || value.is_number()).then(|| value.clone()),
        FieldType::List => value.is_array().then(|| value.clone()),
        FieldType::Object => value.is_object().then(|| value.clone()),
        FieldType::Any => Some(value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn conformed(namespace: Namespace, mut body: Value) -> Result<Value, String> {
        Schema::builtin().unwrap().conform(namespace, &mut body)?;
        Ok(body)
    }

    #[test]
    fn accepts_odins_spellings_and_normalises_them() {
        assert_eq!(
            conformed(
                Namespace::Policy,
                json!({"useUserCLIDSetting": "true", "maxSimultaneousCalls": "4"})
            ),
            Ok(json!({"useUserCLIDSetting": true, "maxSimultaneousCalls": 4}))
        );
        assert_eq!(
            conformed(
                Namespace::Settings,
                json!({"Call Forwarding Always": {"isActive": true, "forwardToPhoneNumber": 5551234},
                       "CommPilot Express": {"busy": {"voiceMailNotify": {"sendEmail": true}}}})
            ),
            Ok(
                json!({"Call Forwarding Always": {"isActive": true, "forwardToPhoneNumber": 5551234},
                      "CommPilot Express": {"busy": {"voiceMailNotify": {"sendEmail": "true"}}}})
            )
        );
        assert!(conformed(Namespace::User, json!({"address": {"city": null}})).is_ok());
    }

    #[test]
    fn rejects_unknown_names_and_wrong_types() {
        assert_eq!(
            conformed(Namespace::Settings, json!({"Call Forwardng Always": {}})),
            Err(
                "unknown service `Call Forwardng Always`; did you mean `Call Forwarding Always`?"
                    .into()
            )
        );
        assert_eq!(
            conformed(
                Namespace::Settings,
                json!({"Do Not Disturb": {"isActiv": true}})
            ),
            Err("unknown field `isActiv` in `Do Not Disturb`; did you mean `isActive`?".into())
        );
        assert_eq!(
            conformed(
                Namespace::Settings,
                json!({"Do Not Disturb": {"isActive": "maybe"}})
            ),
            Err("`Do Not Disturb.isActive` must be a boolean, not `\"maybe\"`".into())
        );
        assert_eq!(
            conformed(Namespace::User, json!({"address": "Main St"})),
            Err("`address` must be an object, not `\"Main St\"`".into())
        );
        assert_eq!(
            conformed(
                Namespace::Settings,
                json!({"Sequential Ring": {"locations": [{"numberOfRings": "x"}]}})
            ),
            Err(
                "`Sequential Ring.locations[0].numberOfRings` must be a whole number, not `\"x\"`"
                    .into()
            )
        );
    }
}
