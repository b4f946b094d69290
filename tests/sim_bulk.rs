//! The simulator's `/bulk` endpoints: every read shape of API.md §7a, and the bulk writes of
//! §10 under both answers of `--bulk-write-partial`, agreeing with the per-user reads. The
//! faults and the middleware around them are in `sim_bulk_faults`.
//!
//! Seeded facts used (20 users over 4 groups, round robin): grp01 holds users 1, 5, 9, 13 and
//! 17; Call Forwarding Not Reachable is not assigned to users 5 and 17 (n % 6 == 5).

use reqwest::StatusCode;
use serde_json::{Value, json};
use sleipnir::sim::{BulkWritePartial, SimConfig, Variant, user_id};

use crate::sim_support::{Odin, error, odin, small};

pub const GROUP: &str = "serviceProviderId=ent.sim&groupId=grp01";

/// 20 users in 4 groups, with bulk writes answering partial lists as `partial` says.
async fn with_partial(partial: BulkWritePartial) -> Odin {
    odin(SimConfig {
        users: 20,
        variant: Variant {
            bulk_write_partial: partial,
            ..Variant::default()
        },
        ..SimConfig::default()
    })
    .await
}

async fn settings(odin: &Odin, user: &str) -> Value {
    odin.get_json(&format!("/users/services/settings?userId={user}"))
        .await
}

/// `GET /users/<slug>/bulk` of grp01, expecting 200.
pub async fn bulk(odin: &Odin, slug: &str) -> Value {
    odin.get_json(&format!("/users/{slug}/bulk?{GROUP}")).await
}

/// The element of `user` in a `/bulk` read of array shape.
fn element_of<'a>(read: &'a Value, key: &str, user: &str) -> &'a Value {
    read.as_array()
        .unwrap()
        .iter()
        .find(|e| e[key]["userId"] == user)
        .unwrap_or_else(|| panic!("{user} in {read}"))
}

/// `data` without its `userId`, which must be `user`.
fn data_of(element: &Value, user: &str) -> Value {
    let mut data = element["data"].clone();
    assert_eq!(data["userId"], user, "{element}");
    data.as_object_mut().unwrap().remove("userId");
    data
}

#[tokio::test]
async fn every_read_shape_agrees_with_the_settings_of_each_user() {
    let odin = small().await;
    let users = [1, 5, 9, 13, 17].map(user_id);
    let mut per_user = Vec::new();
    for user in &users {
        let record = odin.get_json(&format!("/users?userId={user}")).await;
        per_user.push((record, settings(&odin, user).await));
    }
    for (slug, name, key) in [
        ("call-forwarding-always", "Call Forwarding Always", "user"),
        (
            "call-forwarding-not-reachable",
            "Call Forwarding Not Reachable",
            "user",
        ),
        (
            "call-forwarding-always-secondary",
            "Call Forwarding Always Secondary",
            "user",
        ),
        ("call-recording", "Call Recording", "user"),
        (
            "calling-line-id-delivery-blocking",
            "Calling Line ID Delivery Blocking",
            "user",
        ),
        ("hoteling-host", "Hoteling Host", "user"),
        ("hoteling-guest", "Hoteling Guest", "user"),
        (
            "anonymous-call-rejection",
            "Anonymous Call Rejection",
            "profile",
        ),
        ("automatic-callback", "Automatic Callback", "profile"),
    ] {
        let read = bulk(&odin, slug).await;
        let elements = read.as_array().unwrap();
        assert_eq!(elements.len(), 5, "{slug}");
        for (user, (record, settings)) in users.iter().zip(&per_user) {
            let element = element_of(&read, key, user);
            let other = if key == "user" { "profile" } else { "user" };
            assert!(element.get(other).is_none(), "{slug}: {element}");
            assert_eq!(element[key]["lastName"], record["lastName"]);
            assert_eq!(element["service"]["serviceName"], name);
            match settings.get(name) {
                Some(expected) => {
                    assert_eq!(element["service"]["assigned"], true, "{slug} {user}");
                    assert_eq!(&data_of(element, user), expected, "{slug} {user}");
                }
                None => {
                    assert_eq!(element["service"]["assigned"], false, "{slug} {user}");
                    assert_eq!(element["data"], json!({}), "{slug} {user}");
                }
            }
        }
    }
    // Users 5 and 17 lack Call Forwarding Not Reachable: the unassigned shape is seen.
    let cfnr = bulk(&odin, "call-forwarding-not-reachable").await;
    let five = element_of(&cfnr, "user", &user_id(5));
    assert_eq!(five["service"]["assigned"], false);
    assert_eq!(five["data"], json!({}));
}

#[tokio::test]
async fn voice_messaging_shows_its_own_part_and_speed_dial_8_is_an_object() {
    let odin = small().await;
    let read = bulk(&odin, "voice-messaging").await;
    for element in read.as_array().unwrap() {
        let user = element["user"]["userId"].as_str().unwrap();
        let stored = settings(&odin, user).await["Voice Messaging User"].clone();
        assert_eq!(element["service"]["serviceName"], "Voice Messaging User");
        assert_eq!(element["service"]["assigned"], true);
        assert_eq!(data_of(element, user), {
            let mut part = stored["Voice Messaging User"].clone();
            part.as_object_mut().unwrap().remove("userId");
            part
        });
        assert!(
            element["data"]
                .get("Voice Messaging User Advanced")
                .is_none()
        );
        assert!(element["data"].get("processing").is_some());
    }

    let read = bulk(&odin, "speed-dial-8").await;
    assert_eq!(read["serviceProviderId"], "ent.sim");
    assert_eq!(read["groupId"], "grp01");
    let users = read["users"].as_array().unwrap();
    assert_eq!(users.len(), 5);
    for entry in users {
        let user = entry["userId"].as_str().unwrap();
        assert_eq!(entry["user"]["userId"], user);
        assert_eq!(entry["service"]["serviceName"], "Speed Dial 8");
        let stored = &settings(&odin, user).await["Speed Dial 8"];
        assert_eq!(&data_of(entry, user), stored);
    }

    let unknown = odin
        .get("/users/hoteling-host/bulk?serviceProviderId=ent.sim&groupId=grp99")
        .await;
    assert_eq!(
        error(unknown, StatusCode::NOT_FOUND).await,
        "group `grp99` of service provider `ent.sim` not found"
    );
}

#[tokio::test]
async fn a_bulk_write_is_seen_by_the_bulk_read_and_by_each_user() {
    let odin = small().await;
    let (one, nine, thirteen) = (user_id(1), user_id(9), user_id(13));
    let before = settings(&odin, &thirteen).await;
    let answer = odin
        .put_json(
            "/users/call-forwarding-always/bulk",
            json!({
                // The rows of a /bulk read can be sent back whole; their other keys are ignored.
                "users": [element_of(&bulk(&odin, "call-forwarding-always").await, "user", &one)["user"], {"userId": nine}],
                "data": {"isActive": "true", "forwardToPhoneNumber": 15550001111u64},
            }),
        )
        .await;
    let answered: Vec<&Value> = answer
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["user"]["userId"])
        .collect();
    assert_eq!(answered, [&json!(one), &json!(nine)]);
    let read = bulk(&odin, "call-forwarding-always").await;
    for user in [&one, &nine] {
        let stored = settings(&odin, user).await["Call Forwarding Always"].clone();
        // Accepted spellings are normalised, as the per-user write does.
        assert_eq!(stored["isActive"], true);
        assert_eq!(stored["forwardToPhoneNumber"], 15550001111u64);
        assert!(
            stored.get("isRingSplashActive").is_some(),
            "merged: {stored}"
        );
        assert_eq!(data_of(element_of(&read, "user", user), user), stored);
    }
    assert_eq!(settings(&odin, &thirteen).await, before);

    // Voice Messaging: `data` merges into the `Voice Messaging User` part only.
    let vm_before = settings(&odin, &one).await["Voice Messaging User"].clone();
    odin.put_json(
        "/users/voice-messaging/bulk",
        json!({"users": [{"userId": one}], "data": {"isActive": true, "busyRedirectToVoiceMail": false}}),
    )
    .await;
    let vm = settings(&odin, &one).await["Voice Messaging User"].clone();
    let mut expected = vm_before.clone();
    expected["Voice Messaging User"]["isActive"] = json!(true);
    expected["Voice Messaging User"]["busyRedirectToVoiceMail"] = json!(false);
    assert_eq!(vm, expected);
    let read = bulk(&odin, "voice-messaging").await;
    assert_eq!(
        element_of(&read, "user", &one)["data"]["busyRedirectToVoiceMail"],
        false
    );

    // Speed Dial 8 names its group, and answers in its read's object shape.
    let codes = json!([{"speedCode": "2", "phoneNumber": "+15550002222", "description": "desk"}]);
    let answer = odin
        .put_json(
            "/users/speed-dial-8/bulk",
            json!({"serviceProviderId": "ent.sim", "groupId": "grp01", "users": [{"userId": nine}], "data": {"speedCodes": codes}}),
        )
        .await;
    assert_eq!(answer["groupId"], "grp01");
    assert_eq!(answer["users"][0]["userId"], nine.as_str());
    assert_eq!(
        settings(&odin, &nine).await["Speed Dial 8"]["speedCodes"],
        codes
    );
    let read = bulk(&odin, "speed-dial-8").await;
    let entry = read["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["userId"] == nine.as_str())
        .unwrap();
    assert_eq!(entry["data"]["speedCodes"], codes);
}

/// Users 1, 5 and 9 for Call Forwarding Not Reachable, which user 5 does not have.
fn not_reachable_for_1_5_9() -> Value {
    json!({
        "users": [{"userId": user_id(1)}, {"userId": user_id(5)}, {"userId": user_id(9)}],
        "data": {"isActive": true, "forwardToPhoneNumber": "+15550003333"},
    })
}

#[tokio::test]
async fn fail_refuses_the_whole_list_for_one_user_without_the_service() {
    let odin = with_partial(BulkWritePartial::Fail).await;
    let before: Vec<Value> = [1, 5, 9]
        .map(user_id)
        .iter()
        .map(|u| odin.sim.state(u).unwrap())
        .collect();
    let refused = odin
        .put(
            "/users/call-forwarding-not-reachable/bulk",
            not_reachable_for_1_5_9(),
        )
        .await;
    assert_eq!(
        error(refused, StatusCode::BAD_REQUEST).await,
        format!(
            "service `Call Forwarding Not Reachable` is not assigned to user `{}`; no user was changed",
            user_id(5)
        )
    );
    let after: Vec<Value> = [1, 5, 9]
        .map(user_id)
        .iter()
        .map(|u| odin.sim.state(u).unwrap())
        .collect();
    assert_eq!(after, before);

    let unknown = odin
        .put(
            "/users/call-recording/bulk",
            json!({"users": [{"userId": user_id(1)}, {"userId": 5550001}], "data": {"recordingOption": "Always"}}),
        )
        .await;
    assert_eq!(
        error(unknown, StatusCode::BAD_REQUEST).await,
        "user `5550001` not found; no user was changed"
    );
    assert_eq!(
        settings(&odin, &user_id(1)).await["Call Recording"]["recordingOption"],
        "Never"
    );
}

#[tokio::test]
async fn skip_writes_the_others_and_leaves_that_user_alone() {
    let odin = with_partial(BulkWritePartial::Skip).await;
    let five_before = odin.sim.state(&user_id(5)).unwrap();
    let answer = odin
        .put_json(
            "/users/call-forwarding-not-reachable/bulk",
            not_reachable_for_1_5_9(),
        )
        .await;
    let answered: Vec<&str> = answer
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user"]["userId"].as_str().unwrap())
        .collect();
    assert_eq!(answered, [user_id(1), user_id(9)]);
    for user in [user_id(1), user_id(9)] {
        let stored = &settings(&odin, &user).await["Call Forwarding Not Reachable"];
        assert_eq!(stored["isActive"], true);
        assert_eq!(stored["forwardToPhoneNumber"], "+15550003333");
    }
    assert_eq!(odin.sim.state(&user_id(5)).unwrap(), five_before);
    assert!(
        settings(&odin, &user_id(5))
            .await
            .get("Call Forwarding Not Reachable")
            .is_none()
    );

    // An unknown user, and one of another group where the body names a group, are skipped.
    let answer = odin
        .put_json(
            "/users/speed-dial-8/bulk",
            json!({"serviceProviderId": "ent.sim", "groupId": "grp01",
                   "users": [{"userId": "nobody@sim.example.net"}, {"userId": user_id(2)}, {"userId": user_id(13)}],
                   "data": {"speedCodes": [{"speedCode": "3", "phoneNumber": "+15550004444"}]}}),
        )
        .await;
    let users = answer["users"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["userId"], user_id(13));
    let two = &settings(&odin, &user_id(2)).await["Speed Dial 8"]["speedCodes"];
    assert_eq!(
        two.as_array().unwrap().len(),
        8,
        "user 2 (grp02) unchanged: {two}"
    );

    // Nobody able to take it: still a 200, with nobody in the answer.
    let answer = odin
        .put_json(
            "/users/call-forwarding-not-reachable/bulk",
            json!({"users": [{"userId": user_id(5)}], "data": {"isActive": true}}),
        )
        .await;
    assert_eq!(answer, json!([]));
}

#[tokio::test]
async fn other_group_where_the_body_names_one_fails_the_whole_request() {
    let odin = with_partial(BulkWritePartial::Fail).await;
    let refused = odin
        .put(
            "/users/speed-dial-8/bulk",
            json!({"serviceProviderId": "ent.sim", "groupId": "grp01",
                   "users": [{"userId": user_id(1)}, {"userId": user_id(2)}],
                   "data": {"speedCodes": []}}),
        )
        .await;
    assert_eq!(
        error(refused, StatusCode::BAD_REQUEST).await,
        format!(
            "user `{}` is not in group `grp01` of service provider `ent.sim`; no user was changed",
            user_id(2)
        )
    );
    let one = &settings(&odin, &user_id(1)).await["Speed Dial 8"]["speedCodes"];
    assert_eq!(one.as_array().unwrap().len(), 8);
    let unknown_group = odin
        .put(
            "/users/speed-dial-8/bulk",
            json!({"serviceProviderId": "ent.sim", "groupId": "grp99", "users": [{"userId": user_id(1)}], "data": {"speedCodes": []}}),
        )
        .await;
    error(unknown_group, StatusCode::NOT_FOUND).await;
    let no_group = odin
        .put(
            "/users/speed-dial-8/bulk",
            json!({"users": [{"userId": user_id(1)}], "data": {"speedCodes": []}}),
        )
        .await;
    assert_eq!(
        error(no_group, StatusCode::BAD_REQUEST).await,
        "`serviceProviderId` and `groupId` are required in the body"
    );
}

#[tokio::test]
async fn bulk_user_record_writes_change_several_users_and_never_their_group() {
    for partial in [BulkWritePartial::Fail, BulkWritePartial::Skip] {
        let odin = with_partial(partial).await;
        let users = [1, 5, 9].map(user_id);
        let rows = odin
            .put_json(
                "/users/bulk",
                json!({"users": users.iter().map(|u| json!({"userId": u})).collect::<Vec<_>>(),
                       "data": {"timeZone": "America/Chicago"}}),
            )
            .await;
        assert_eq!(rows.as_array().unwrap().len(), 3);
        assert_eq!(rows[0]["userId"], users[0].as_str());
        assert!(rows[0].get("department").is_some(), "a listing row: {rows}");
        for user in &users {
            let record = odin.get_json(&format!("/users?userId={user}")).await;
            assert_eq!(record["timeZone"], "America/Chicago", "{partial:?}");
            assert_eq!(record["groupId"], "grp01");
        }
        let untouched = odin
            .get_json(&format!("/users?userId={}", user_id(13)))
            .await;
        assert_eq!(untouched["timeZone"], "Europe/London");

        let before = odin.sim.state(&users[0]).unwrap();
        for data in [
            json!({"groupId": "grp02"}),
            json!({"serviceProviderId": "other", "lastName": "X"}),
            json!({"userId": "someone@else"}),
        ] {
            let refused = odin
                .put(
                    "/users/bulk",
                    json!({"users": [{"userId": users[0]}], "data": data}),
                )
                .await;
            let text = error(refused, StatusCode::BAD_REQUEST).await;
            assert!(text.starts_with("`data` cannot hold `"), "{text}");
        }
        assert_eq!(odin.sim.state(&users[0]).unwrap(), before);
    }
}

#[tokio::test]
async fn whole_request_errors_are_400s_in_both_modes_and_write_nothing() {
    for partial in [BulkWritePartial::Fail, BulkWritePartial::Skip] {
        let odin = with_partial(partial).await;
        let one = user_id(1);
        let before = odin.sim.state(&one).unwrap();
        let users = json!([{"userId": one}]);
        for (path, body, expected) in [
            (
                "/users/hoteling-host/bulk",
                json!({"users": users, "data": {"isActive": "maybe"}}),
                "`Hoteling Host.isActive` must be a boolean, not `\"maybe\"`",
            ),
            (
                "/users/call-recording/bulk",
                json!({"users": users, "data": {"recordingOptio": "Always"}}),
                "unknown field `recordingOptio` in `Call Recording`; did you mean `recordingOption`?",
            ),
            (
                "/users/bulk",
                json!({"users": users, "data": {"address": "Main St"}}),
                "`address` must be an object, not `\"Main St\"`",
            ),
            (
                "/users/voice-messaging/bulk",
                json!({"users": users, "data": {"isActive": 3}}),
                "`Voice Messaging User.Voice Messaging User.isActive` must be a boolean, not `3`",
            ),
            (
                "/users/call-forwarding-busy/bulk",
                json!({"users": [], "data": {"isActive": true}}),
                "`users` is empty: list at least one user",
            ),
            (
                "/users/call-forwarding-busy/bulk",
                json!({"users": [{"userId": one}, {"lastName": "Turing"}], "data": {"isActive": true}}),
                "`users[1]` has no `userId` (a string or a number)",
            ),
            (
                "/users/call-forwarding-busy/bulk",
                json!({"users": users, "data": {}}),
                "`data` is empty: nothing to change",
            ),
            (
                "/users/call-forwarding-busy/bulk",
                json!([{"userId": one}]),
                "the body must be a JSON object `{\"users\": [...], \"data\": {...}}`",
            ),
            (
                "/users/call-forwarding-busy/bulk",
                json!({"users": users, "data": {"isActive": true}, "userId": one}),
                "unknown key `userId` in the body; expected `users` and `data`",
            ),
        ] {
            let refused = odin.put(path, body).await;
            assert_eq!(
                error(refused, StatusCode::BAD_REQUEST).await,
                expected,
                "{partial:?} {path}"
            );
        }
        assert_eq!(odin.sim.state(&one).unwrap(), before);
    }
}
