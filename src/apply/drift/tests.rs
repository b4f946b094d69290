use serde_json::json;

use super::*;

#[test]
fn a_rollback_entry_records_what_the_run_wrote_and_tells_later_changes() {
    let step = |resource, patch: Value| {
        Step::from_patch(resource, patch.as_object().cloned().unwrap()).unwrap()
    };
    let user = UserPlan {
        user_id: "a@x".into(),
        rows: vec![2],
        service_provider_id: None,
        group_id: None,
        steps: vec![
            step(
                Resource::Services,
                json!({"userServices.Call Notify": true}),
            ),
            step(
                Resource::User,
                json!({"address.city": "Oslo", "extension": "2002"}),
            ),
        ],
        before: None,
        not_restorable: Vec::new(),
        cells: Default::default(),
    };
    let then = HashMap::from([
        (
            Resource::Services,
            json!({"userServices": [{"serviceName": "Call Notify", "assigned": false}]}),
        ),
        (
            Resource::User,
            json!({"address": {"city": "Rome", "zip": "00100"}, "extension": "1001"}),
        ),
    ]);
    let diffs: Vec<StepDiff> = user
        .steps
        .iter()
        .map(|s| super::super::diff::diff(s, &then[&s.resource()]).unwrap())
        .collect();
    let identity =
        crate::odin::resources::UserIdentity::resolve("a@x", Some("sp"), Some("g"), None);
    let entry = super::super::undo::rollback_entry(&user, &diffs, &Map::new(), &identity);
    let wrote = entry.before.clone().unwrap();
    assert_eq!(
        wrote[&Resource::Services]["userServices.Call Notify"],
        json!(true)
    );
    assert_eq!(
        wrote[&Resource::User]["address"],
        json!({"city": "Oslo", "zip": "00100"})
    );
    assert_eq!(wrote[&Resource::User]["extension"], json!("2002"));
    // As the run left it: nothing drifted.
    let mut now = HashMap::from([
        (
            Resource::Services,
            json!({"userServices": [{"serviceName": "Call Notify", "assigned": true}]}),
        ),
        (
            Resource::User,
            json!({"address": {"city": "Oslo", "zip": "00100"}, "extension": 2002}),
        ),
    ]);
    assert!(drift(&entry, &now).is_empty());
    // Someone fixed the extension by hand: that field drifted, and only it is left out.
    now.insert(
        Resource::User,
        json!({"address": {"city": "Oslo", "zip": "00100"}, "extension": "4242"}),
    );
    let moved = drift(&entry, &now);
    assert_eq!(
        moved[0].describe("after the run"),
        "user `extension` was \"2002\" after the run, is \"4242\" now"
    );
    let kept = without(&entry, &moved);
    assert!(kept.iter().all(|s| !s.sets("extension")));
    assert!(kept.iter().any(|s| s.sets("address")));
    // Back at the value before the run already: no drift, the step is unchanged.
    now.insert(
        Resource::User,
        json!({"address": {"city": "Rome", "zip": "00100"}, "extension": "1001"}),
    );
    assert!(drift(&entry, &now).is_empty());
}

#[test]
fn records_before_values_and_finds_drift() {
    let mut user = UserPlan {
        user_id: "a@x".into(),
        rows: vec![2],
        service_provider_id: None,
        group_id: None,
        steps: vec![
            Step::from_patch(Resource::Services, json!({"userServices.Call Notify": true}).as_object().cloned().unwrap()).unwrap(),
            Step::from_patch(Resource::Settings, json!({"Do Not Disturb.isActive": true, "Call Forwarding Busy.forwardToPhoneNumber": "+1"}).as_object().cloned().unwrap()).unwrap(),
        ],
        before: None,
        not_restorable: Vec::new(),
        cells: Default::default(),
    };
    let mut live = HashMap::new();
    live.insert(
        Resource::Services,
        json!({"userServices": [{"serviceName": "Call Notify", "assigned": false}]}),
    );
    live.insert(
        Resource::Settings,
        json!({"Do Not Disturb": {"isActive": false}, "Call Forwarding Busy": {}}),
    );
    let before = before_values(&user, &live);
    assert_eq!(
        before[&Resource::Services]["userServices.Call Notify"],
        json!(false)
    );
    assert_eq!(
        before[&Resource::Settings]["Do Not Disturb.isActive"],
        json!(false)
    );
    assert_eq!(
        before[&Resource::Settings]["Call Forwarding Busy.forwardToPhoneNumber"],
        json!(null)
    );
    user.before = Some(before);
    assert!(drift(&user, &live).is_empty());
    live.insert(
        Resource::Settings,
        json!({"Do Not Disturb": {"isActive": true}, "Call Forwarding Busy": {}}),
    );
    let described = |moved: Vec<Moved>| -> Vec<String> {
        moved.iter().map(|m| m.describe("when planned")).collect()
    };
    // The value the plan sets is no drift: that part already landed.
    assert!(drift(&user, &live).is_empty());
    live.insert(
        Resource::Settings,
        json!({"Do Not Disturb": {"isActive": "maybe"}, "Call Forwarding Busy": {}}),
    );
    assert_eq!(
        described(drift(&user, &live)),
        ["settings `Do Not Disturb.isActive` was false when planned, is \"maybe\" now"]
    );
    // A whole plan already landed drifts nowhere.
    live.insert(
        Resource::Services,
        json!({"userServices": [{"serviceName": "Call Notify", "assigned": true}]}),
    );
    live.insert(
        Resource::Settings,
        json!({"Do Not Disturb": {"isActive": true}, "Call Forwarding Busy": {"forwardToPhoneNumber": "+1"}}),
    );
    assert!(drift(&user, &live).is_empty());
}

#[test]
fn drift_compares_text_in_nfc_and_shows_look_alikes_escaped() {
    let user = UserPlan {
        user_id: "a@x".into(),
        rows: vec![2],
        service_provider_id: None,
        group_id: None,
        steps: vec![
            Step::from_patch(
                Resource::User,
                json!({"lastName": "M\u{fc}ller"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            )
            .unwrap(),
        ],
        before: Some(BTreeMap::from([(
            Resource::User,
            json!({"lastName": "Mu\u{308}ller"})
                .as_object()
                .cloned()
                .unwrap(),
        )])),
        not_restorable: Vec::new(),
        cells: Default::default(),
    };
    let live = |name: &str| HashMap::from([(Resource::User, json!({ "lastName": name }))]);
    assert!(drift(&user, &live("M\u{fc}ller")).is_empty());
    let moved = drift(&user, &live("M\u{fc}ller\u{200b}"));
    assert_eq!(
        moved[0].describe("when planned"),
        "user `lastName` was `Mu\u{308}ller` when planned, is `M\u{fc}ller\\u{200b}` now"
    );
}
