use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::*;
use crate::plan::{Step, UserPlan};
use crate::resource::Resource;

fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("an object"),
    }
}

fn user(before: Option<Value>) -> UserPlan {
    UserPlan {
        user_id: "u@example.net".into(),
        rows: vec![2],
        service_provider_id: None,
        group_id: None,
        steps: vec![
            Step::from_patch(
                Resource::Services,
                map(json!({"userServices.Sequential Ring": true})),
            )
            .unwrap(),
            Step::from_patch(
                Resource::User,
                map(json!({"extension": "2001", "phoneNumber": "5551230001"})),
            )
            .unwrap(),
        ],
        before: before.map(|b| {
            let b: BTreeMap<Resource, Map<String, Value>> = serde_json::from_value(b).unwrap();
            b
        }),
        not_restorable: Vec::new(),
        cells: Default::default(),
    }
}

fn keys(user: &UserPlan) -> Vec<String> {
    changes(user)
        .into_iter()
        .map(|c| match c {
            Change::Service { service, .. } => service.to_string(),
            Change::Field { key, .. } => key.to_string(),
            Change::Credential { credential, .. } => credential.to_string(),
        })
        .collect()
}

#[test]
fn without_before_values_everything_planned_changes() {
    assert_eq!(
        keys(&user(None)),
        ["Sequential Ring", "extension", "phoneNumber"]
    );
}

#[test]
fn with_before_values_only_what_differs_as_apply_compares() {
    // A number live where the sheet has the same digits as text is not a change.
    let planned = user(Some(json!({
        "services": {"userServices.Sequential Ring": true},
        "user": {"extension": "1001", "phoneNumber": 5551230001u64},
    })));
    assert_eq!(keys(&planned), ["extension"]);
    match changes(&planned)[0] {
        Change::Field { before, after, .. } => {
            assert_eq!(before, Some(&json!("1001")));
            assert_eq!(after, &json!("2001"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn values_read_as_exported_sheets_write_them() {
    assert_eq!(value_text(&json!("+15551230001")), "+15551230001");
    assert_eq!(value_text(&json!("")), "<empty>");
    assert_eq!(value_text(&Value::Null), "<null>");
    assert_eq!(value_text(&json!(true)), "true");
    assert_eq!(value_text(&json!(["a", 1])), r#"["a",1]"#);
}
