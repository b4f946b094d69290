//! Known services and fields with their JSON types, derived from real Odin responses.
//!
//! The schema is built from the example responses in `fixtures/` (copied from the API notes
//! and embedded at build time) plus `known-fields.json`, which adds fields that Odin omits
//! while unset and so are missing from the examples (`Call Forwarding Busy` has no
//! `forwardToPhoneNumber` until one is set). A field's type is the JSON type of its example
//! value, with two corrections for the sloppiness of real data:
//! - phone numbers, extensions and user names are text even where an example holds a JSON
//!   number or null (`forwardToPhoneNumber: 1234`), so `0123` and `+1555…` keep their digits;
//! - strings `"true"`/`"false"` are booleans written as text ([`FieldType::BoolText`]).
//!
//! A `null` example or an empty list says nothing about the type; such fields accept any
//! value and everything below them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::notation::{FieldPath, Namespace, Segment};
use crate::suggest;

mod conform;
mod fields;

/// A real `GET /users` response.
pub const USER: &str = include_str!("fixtures/user.json");
/// A real call processing policy response.
pub const POLICY: &str = include_str!("fixtures/user-call-processing-policy.json");
/// A real `GET /users/services/settings` response (73 services).
pub const SETTINGS: &str = include_str!("fixtures/user-service-settings.json");
/// A real `GET /users/services` response.
pub const SERVICES: &str = include_str!("fixtures/user-services.json");
const KNOWN_FIELDS: &str = include_str!("known-fields.json");
const USER_SERVICES: &str = include_str!("user-services.txt");

/// The JSON type a field holds, which decides how a cell's text converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `true`/`false`.
    Bool,
    /// A boolean that Odin writes as the string `"true"`/`"false"`.
    BoolText,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// A string.
    Text,
    /// A list; set it whole with a `json:` cell or index into it.
    List,
    /// An object; set it whole with a `json:` cell or name its fields.
    Object,
    /// Unknown (the examples hold `null` or nothing): text stays text, `json:` is taken as is.
    Any,
}

impl FieldType {
    /// The type as a mapping file names it (`type = "bool"`).
    pub fn from_mapping_name(name: &str) -> Option<FieldType> {
        Some(match name {
            "bool" | "boolean" => FieldType::Bool,
            "bool-text" => FieldType::BoolText,
            "int" | "integer" => FieldType::Integer,
            "number" => FieldType::Number,
            "string" | "text" => FieldType::Text,
            "list" => FieldType::List,
            "object" => FieldType::Object,
            "any" => FieldType::Any,
            _ => return None,
        })
    }

    /// The names a mapping file may use, for error messages.
    pub const MAPPING_NAMES: &'static str =
        "bool, bool-text, integer, number, string, list, object, any";
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::Bool => "a boolean",
            FieldType::BoolText => "a boolean (sent as text)",
            FieldType::Integer => "a whole number",
            FieldType::Number => "a number",
            FieldType::Text => "text",
            FieldType::List => "a list",
            FieldType::Object => "an object",
            FieldType::Any => "a value of unknown type",
        })
    }
}

/// Why a field path names nothing Odin has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// `settings.<name>` where no service has that name.
    #[error("unknown service `{name}`{}", suggest::did_you_mean(suggestion))]
    UnknownService {
        /// The name written.
        name: String,
        /// The closest known service.
        suggestion: Option<String>,
    },
    /// A key that the object at `parent` does not have.
    #[error(
        "`{parent}` has no field `{name}`{}{}",
        suggest::did_you_mean(suggestion),
        known_list(known)
    )]
    UnknownField {
        /// The path so far, in notation.
        parent: String,
        /// The key written.
        name: String,
        /// The closest known key.
        suggestion: Option<String>,
        /// The known keys, when there are few enough to list.
        known: Vec<String>,
    },
    /// A key applied to a list.
    #[error("`{0}` is a list; set it whole with a `json:` cell or index it like `{0}[0]`")]
    NeedsIndex(String),
    /// An index applied to something that is not a list.
    #[error("`{path}` is {kind}, not a list, so `[{index}]` does not apply")]
    NotAList {
        /// The path so far.
        path: String,
        /// What it is.
        kind: FieldType,
        /// The index written.
        index: usize,
    },
    /// A key applied to a scalar field.
    #[error("`{path}` is {kind} and has no fields inside it")]
    NotAnObject {
        /// The path so far.
        path: String,
        /// What it is.
        kind: FieldType,
    },
    /// `userId` written as a field: it names the user and cannot change.
    #[error(
        "`userId` identifies the user and cannot be changed; put user ids in the `userId` column"
    )]
    IdentityKey,
    /// `services.<x>` or `packs.<x>` with something other than `assign`/`unassign`.
    #[error("`{0}` takes `assign` or `unassign` (e.g. `{0}.assign`), not `{1}`")]
    UnknownAction(String, String),
    /// An embedded example failed to parse; a build defect, caught by the unit tests.
    #[error("embedded schema data is invalid: {0}")]
    Embedded(String),
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

/// The shape of a JSON document as far as the examples show it.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Leaf(FieldType),
    Object(BTreeMap<String, Node>),
    List(Box<Node>),
}

impl Node {
    fn of(key: &str, value: &Value) -> Node {
        let texty = {
            let lower = key.to_ascii_lowercase();
            lower.contains("phonenumber") || lower == "username" || lower == "extension"
        };
        match value {
            Value::Null if texty => Node::Leaf(FieldType::Text),
            Value::Null => Node::Leaf(FieldType::Any),
            Value::Bool(_) => Node::Leaf(FieldType::Bool),
            Value::Number(_) if texty => Node::Leaf(FieldType::Text),
            Value::Number(n) if n.is_i64() || n.is_u64() => Node::Leaf(FieldType::Integer),
            Value::Number(_) => Node::Leaf(FieldType::Number),
            Value::String(s) if s == "true" || s == "false" => Node::Leaf(FieldType::BoolText),
            Value::String(_) => Node::Leaf(FieldType::Text),
            Value::Array(items) => Node::List(Box::new(
                items
                    .iter()
                    .map(|item| Node::of(key, item))
                    .reduce(Node::merge)
                    .unwrap_or(Node::Leaf(FieldType::Any)),
            )),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::of(k, v)))
                    .collect(),
            ),
        }
    }

    /// Union of two shapes of the same field; the known wins over the unknown.
    fn merge(self, other: Node) -> Node {
        match (self, other) {
            (Node::Object(mut a), Node::Object(b)) => {
                for (key, node) in b {
                    let merged = match a.remove(&key) {
                        Some(existing) => existing.merge(node),
                        None => node,
                    };
                    a.insert(key, merged);
                }
                Node::Object(a)
            }
            (Node::List(a), Node::List(b)) => Node::List(Box::new(a.merge(*b))),
            (Node::Leaf(FieldType::Any), other) => other,
            (this, _) => this,
        }
    }

    fn field_type(&self) -> FieldType {
        match self {
            Node::Leaf(t) => *t,
            Node::Object(_) => FieldType::Object,
            Node::List(_) => FieldType::List,
        }
    }
}

/// Every service and field sleipnir knows, with types.
#[derive(Debug, Clone)]
pub struct Schema {
    user: Node,
    policy: Node,
    settings: Node,
    user_services: BTreeSet<String>,
}

impl Schema {
    /// The schema of the embedded Odin examples.
    pub fn builtin() -> Result<Schema, SchemaError> {
        let parse = |text: &str| -> Result<Value, SchemaError> {
            serde_json::from_str(text).map_err(|e| SchemaError::Embedded(e.to_string()))
        };
        let known = parse(KNOWN_FIELDS)?;
        let document = |text: &str, extra: &str| -> Result<Node, SchemaError> {
            let mut value = parse(text)?;
            if let Value::Object(map) = &mut value {
                // `userId` names the user in every body; it is never a field to change.
                map.remove("userId");
            }
            let node = Node::of("", &value);
            let extra = Node::of("", known.get(extra).unwrap_or(&Value::Null));
            Ok(node.merge(extra))
        };
        let settings = document(SETTINGS, "settings")?;
        let mut user_services: BTreeSet<String> = USER_SERVICES
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_string)
            .collect();
        if let Node::Object(services) = &settings {
            user_services.extend(services.keys().cloned());
        }
        if let Some(listed) = parse(SERVICES)?[crate::services::Kind::Service.list()].as_array() {
            user_services.extend(
                listed
                    .iter()
                    .filter_map(|s| s["serviceName"].as_str().map(str::to_string)),
            );
        }
        Ok(Schema {
            user: document(USER, "user")?,
            policy: document(POLICY, "policy")?,
            settings,
            user_services,
        })
    }

    /// The type of the field at `path`, or why no such field exists. For `services` and
    /// `packs` paths, which hold lists of names, this checks the action and returns
    /// [`FieldType::Text`].
    pub fn field_type(&self, path: &FieldPath) -> Result<FieldType, SchemaError> {
        let root = match path.namespace {
            Namespace::User => &self.user,
            Namespace::Policy => &self.policy,
            Namespace::Settings => &self.settings,
            Namespace::Services | Namespace::Packs => {
                let action = path.relative();
                return match action.as_str() {
                    "assign" | "unassign" => Ok(FieldType::Text),
                    _ => Err(SchemaError::UnknownAction(
                        path.namespace.to_string(),
                        action,
                    )),
                };
            }
        };
        if path.segments.first() == Some(&Segment::Key("userId".to_string())) {
            return Err(SchemaError::IdentityKey);
        }
        let mut node = root;
        let mut so_far = path.namespace.to_string();
        for segment in &path.segments {
            node = match (node, segment) {
                (Node::Leaf(FieldType::Any), _) => return Ok(FieldType::Any),
                (Node::Object(fields), Segment::Key(key)) => match fields.get(key) {
                    Some(child) => child,
                    None if path.namespace == Namespace::Settings
                        && so_far == Namespace::Settings.name() =>
                    {
                        return Err(SchemaError::UnknownService {
                            name: key.clone(),
                            suggestion: suggest::closest(key, fields.keys().map(String::as_str)),
                        });
                    }
                    None => {
                        return Err(SchemaError::UnknownField {
                            parent: so_far,
                            name: key.clone(),
                            suggestion: suggest::closest(key, fields.keys().map(String::as_str)),
                            known: if fields.len() <= 8 {
                                fields.keys().cloned().collect()
                            } else {
                                Vec::new()
                            },
                        });
                    }
                },
                (Node::List(_), Segment::Key(_)) => return Err(SchemaError::NeedsIndex(so_far)),
                (Node::List(item), Segment::Index(_)) => item,
                (other, Segment::Index(index)) => {
                    return Err(SchemaError::NotAList {
                        path: so_far,
                        kind: other.field_type(),
                        index: *index,
                    });
                }
                (Node::Leaf(kind), Segment::Key(_)) => {
                    return Err(SchemaError::NotAnObject {
                        path: so_far,
                        kind: *kind,
                    });
                }
            };
            match segment {
                Segment::Key(key) => {
                    so_far.push('.');
                    so_far.push_str(key);
                }
                Segment::Index(index) => so_far.push_str(&format!("[{index}]")),
            }
        }
        Ok(node.field_type())
    }

    /// Every user service name sleipnir knows (licence names and services with settings).
    pub fn user_services(&self) -> impl Iterator<Item = &str> {
        self.user_services.iter().map(String::as_str)
    }

    /// Whether `name` is a user service sleipnir knows (for `services.assign`/`unassign`).
    pub fn is_user_service(&self, name: &str) -> bool {
        self.user_services.contains(name)
    }

    /// The known user service closest to `name`, for suggestions.
    pub fn closest_user_service(&self, name: &str) -> Option<String> {
        suggest::closest(name, self.user_services.iter().map(String::as_str))
    }

    /// The names of services whose settings can be read and written, sorted.
    pub fn settings_services(&self) -> Vec<&str> {
        match &self.settings {
            Node::Object(services) => services.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
