//! Listing the known fields under a path: what `export --columns settings.<Service>.*`,
//! `user.*` and `policy.*` expand to.

use super::{FieldType, Node, Schema, SchemaError};
use crate::notation::{FieldPath, Namespace, Segment};

impl Schema {
    /// Every known field at or below `prefix` (a namespace's whole resource when `prefix`
    /// is empty), in the schema's (sorted) order, each with its type. Objects are walked
    /// into; lists and unknown-typed values are fields of their own (set whole with a
    /// `json:` cell). Keys named `userId` are left out: they identify, they do not change.
    pub fn fields_under(
        &self,
        namespace: Namespace,
        prefix: &[Segment],
    ) -> Result<Vec<(FieldPath, FieldType)>, SchemaError> {
        let root = match namespace {
            Namespace::User => &self.user,
            Namespace::Policy => &self.policy,
            Namespace::Settings => &self.settings,
            Namespace::Services | Namespace::Packs => return Ok(Vec::new()),
        };
        let node = if prefix.is_empty() {
            root
        } else {
            // Checks the prefix and gives the same errors (with suggestions) as plan.
            self.field_type(&FieldPath {
                namespace,
                segments: prefix.to_vec(),
            })?;
            let mut node = root;
            for segment in prefix {
                node = match (node, segment) {
                    (Node::Object(fields), Segment::Key(key)) => match fields.get(key) {
                        Some(child) => child,
                        None => return Ok(Vec::new()),
                    },
                    (Node::List(item), Segment::Index(_)) => item,
                    _ => return Ok(Vec::new()),
                };
            }
            node
        };
        let mut out = Vec::new();
        walk(node, namespace, &mut prefix.to_vec(), &mut out);
        Ok(out)
    }
}

fn walk(
    node: &Node,
    namespace: Namespace,
    path: &mut Vec<Segment>,
    out: &mut Vec<(FieldPath, FieldType)>,
) {
    match node {
        Node::Object(fields) if !fields.is_empty() => {
            for (key, child) in fields {
                if key == "userId" {
                    continue;
                }
                path.push(Segment::Key(key.clone()));
                walk(child, namespace, path, out);
                path.pop();
            }
        }
        _ if path.is_empty() => {}
        other => out.push((
            FieldPath {
                namespace,
                segments: path.clone(),
            },
            other.field_type(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fields: &[(FieldPath, FieldType)]) -> Vec<String> {
        fields.iter().map(|(p, _)| p.to_string()).collect()
    }

    #[test]
    fn a_service_expands_to_its_fields_with_types() {
        let schema = Schema::builtin().unwrap();
        let cfb = schema
            .fields_under(
                Namespace::Settings,
                &[Segment::Key("Call Forwarding Busy".into())],
            )
            .unwrap();
        assert_eq!(
            names(&cfb),
            [
                "settings.Call Forwarding Busy.forwardToPhoneNumber",
                "settings.Call Forwarding Busy.isActive"
            ]
        );
        assert_eq!(cfb[0].1, FieldType::Text);
        assert_eq!(cfb[1].1, FieldType::Bool);
        let classmark = schema
            .fields_under(Namespace::Settings, &[Segment::Key("Classmark".into())])
            .unwrap();
        assert_eq!(classmark[0].1, FieldType::List);
        assert!(
            schema
                .fields_under(
                    Namespace::Settings,
                    &[Segment::Key("Call Forwardin".into())]
                )
                .is_err()
        );
    }

    #[test]
    fn user_and_policy_expand_without_identity() {
        let schema = Schema::builtin().unwrap();
        let user = names(&schema.fields_under(Namespace::User, &[]).unwrap());
        assert!(user.contains(&"user.extension".to_string()));
        assert!(user.contains(&"user.address.city".to_string()));
        assert!(!user.iter().any(|p| p.ends_with(".userId")));
        let policy = schema.fields_under(Namespace::Policy, &[]).unwrap();
        assert!(policy.len() > 5);
    }
}
