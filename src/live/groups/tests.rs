use serde_json::json;

use super::*;

fn user(n: usize, group: Option<&str>, patch: Value) -> UserPlan {
    let step =
        crate::plan::Step::from_patch(Resource::Settings, patch.as_object().cloned().unwrap());
    UserPlan {
        user_id: format!("u{n}"),
        rows: vec![n + 1],
        service_provider_id: group.map(|_| "sp".to_string()),
        group_id: group.map(str::to_string),
        steps: vec![step.unwrap()],
        before: None,
        not_restorable: Vec::new(),
        cells: Default::default(),
    }
}

#[test]
fn groups_are_read_where_that_saves_requests() {
    let always = json!({"Call Forwarding Always.isActive": true});
    let other = json!({"Do Not Disturb.isActive": true});
    let users = vec![
        user(1, Some("g1"), always.clone()),
        user(2, Some("g1"), always.clone()),
        user(3, Some("g2"), always.clone()),
        user(4, Some("g3"), other.clone()),
        user(5, Some("g3"), other),
        user(6, None, always),
    ];
    let placement = Arc::new(Placement::default());
    let reads = GroupReads::plan(&users, DEFAULT_MAX_AGE, placement.clone(), &HashSet::new());
    // Two users of g1 share one bulk read; g2 has one user (no saving); g3's service has
    // no group read; user 6's group is unknown.
    let covered: Vec<bool> = users.iter().map(|u| reads.covers(u)).collect();
    assert_eq!(covered, [true, true, false, false, false, false]);
    let none = GroupReads::plan(&users, Duration::ZERO, placement, &HashSet::new());
    assert!(users.iter().all(|u| !none.covers(u)));
}
