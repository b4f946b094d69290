//! Every simulator endpoint, its validation errors, and its merge semantics.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::sim_support::{ALICE, error, small};

#[tokio::test]
async fn users_by_id_and_by_group() {
    let odin = small().await;
    let alice = odin.get_json(&format!("/users?userId={ALICE}")).await;
    assert_eq!(alice["userId"], ALICE);
    assert_eq!(alice["serviceProviderId"], "ent.sim");
    assert_eq!(alice["groupId"], "grp01");
    assert!(alice["address"]["city"].is_string());
    let unknown = odin.get("/users?userId=nobody@sim.example.net").await;
    assert_eq!(
        error(unknown, StatusCode::NOT_FOUND).await,
        "user `nobody@sim.example.net` not found"
    );
    let no_id = odin.get("/users").await;
    error(no_id, StatusCode::BAD_REQUEST).await;
    let group = odin
        .get_json("/users?serviceProviderId=ent.sim&groupId=grp02")
        .await;
    let ids: Vec<&str> = group
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.iter().all(|id| id.ends_with("@sim.example.net")));
    let limited = odin
        .get_json("/users?serviceProviderId=ent.sim&groupId=grp02&limit=2")
        .await;
    assert_eq!(limited.as_array().unwrap().len(), 2);
    let filtered = odin
        .get_json("/users?serviceProviderId=ent.sim&groupId=grp01&userId=*00005*")
        .await;
    assert_eq!(filtered.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn get_tolerates_a_json_body() {
    let odin = small().await;
    let response = odin
        .client
        .get(format!("{}/users?userId={ALICE}", odin.sim.base_url()))
        .bearer_auth(&odin.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn put_users_merges_fields_and_answers_an_array() {
    let odin = small().await;
    let before = odin.get_json(&format!("/users?userId={ALICE}")).await;
    let answer = odin
        .put_json(
            "/users",
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp01",
                   "extension": "4242", "address": {"city": "Springfield"}, "title": "Engineer"}),
        )
        .await;
    let records = answer.as_array().expect("an array");
    assert_eq!(records.len(), 1);
    let after = &records[0];
    assert_eq!(after["extension"], "4242");
    // By default a nested object sent replaces the stored one (tests/sim_listings.rs has
    // both answers).
    assert_eq!(after["address"], json!({"city": "Springfield"}));
    assert!(before["address"]["addressLine1"].is_string());
    assert_eq!(after["title"], "Engineer");
    assert_eq!(after["lastName"], before["lastName"]);
    let cleared = odin
        .put_json(
            "/users",
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp01", "title": null}),
        )
        .await;
    assert!(cleared[0].get("title").is_none());
    assert_eq!(odin.state(ALICE).await["user"], cleared[0]);
}

#[tokio::test]
async fn put_users_validation() {
    let odin = small().await;
    let cases = [
        (
            json!({"userId": ALICE, "groupId": "grp01", "extension": "1"}),
            StatusCode::BAD_REQUEST,
            "`serviceProviderId` is required in the body",
        ),
        (
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "extension": "1"}),
            StatusCode::BAD_REQUEST,
            "`groupId` is required in the body",
        ),
        (
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp02", "extension": "1"}),
            StatusCode::BAD_REQUEST,
            "user `user00001@sim.example.net` is not in service provider `ent.sim`, group `grp02`",
        ),
        (
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp01", "extensoin": "1"}),
            StatusCode::BAD_REQUEST,
            "unknown field `extensoin`; did you mean `extension`?",
        ),
        (
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp01", "allowVideo": "sometimes"}),
            StatusCode::BAD_REQUEST,
            "`allowVideo` must be a boolean, not `\"sometimes\"`",
        ),
        (
            json!({"userId": "nobody", "serviceProviderId": "ent.sim", "groupId": "grp01"}),
            StatusCode::NOT_FOUND,
            "user `nobody` not found",
        ),
        (
            json!({"serviceProviderId": "ent.sim", "groupId": "grp01"}),
            StatusCode::BAD_REQUEST,
            "`userId` is required in the body",
        ),
    ];
    for (body, status, details) in cases {
        assert_eq!(error(odin.put("/users", body).await, status).await, details);
    }
    let not_json = odin
        .client
        .put(format!("{}/users", odin.sim.base_url()))
        .bearer_auth(&odin.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(
        error(not_json, StatusCode::BAD_REQUEST)
            .await
            .starts_with("the body is not valid JSON")
    );
}

#[tokio::test]
async fn settings_merge_field_by_field_and_null_removes() {
    let odin = small().await;
    let path = format!("/users/services/settings?userId={ALICE}");
    let before = odin.get_json(&path).await;
    assert_eq!(before["userId"], ALICE);
    let cfna = &before["Call Forwarding No Answer"];
    let answer = odin
        .put_json(
            "/users/services/settings",
            json!({"userId": ALICE, "Call Forwarding No Answer": {"forwardToPhoneNumber": "+15559990000"},
                   "Do Not Disturb": {"isActive": true}}),
        )
        .await;
    let after = &answer["Call Forwarding No Answer"];
    assert_eq!(after["forwardToPhoneNumber"], "+15559990000");
    assert_eq!(after["numberOfRings"], cfna["numberOfRings"]);
    assert_eq!(after["isActive"], cfna["isActive"]);
    assert_eq!(answer["Do Not Disturb"]["isActive"], true);
    assert_eq!(
        answer["Do Not Disturb"]["ringSplash"],
        before["Do Not Disturb"]["ringSplash"]
    );
    assert_eq!(odin.get_json(&path).await, answer);
    let removed = odin
        .put_json(
            "/users/services/settings",
            json!({"userId": ALICE, "Call Forwarding No Answer": {"forwardToPhoneNumber": null}}),
        )
        .await;
    assert!(
        removed["Call Forwarding No Answer"]
            .get("forwardToPhoneNumber")
            .is_none()
    );
    // Lists are replaced whole.
    let ring = odin
        .put_json(
            "/users/services/settings",
            json!({"userId": ALICE, "Speed Dial 8": {"speedCodes": [{"speedCode": "2", "phoneNumber": "+1555"}]}}),
        )
        .await;
    assert_eq!(
        ring["Speed Dial 8"]["speedCodes"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn settings_validation_and_rejected_writes_change_nothing() {
    let odin = small().await;
    let before = odin.state(ALICE).await;
    let cases = [
        (
            json!({"userId": ALICE, "Voicemail": {"isActive": true}}),
            "unknown service `Voicemail`",
        ),
        (
            json!({"userId": ALICE, "Do Not Disturb": {"isActiv": true}}),
            "unknown field `isActiv` in `Do Not Disturb`; did you mean `isActive`?",
        ),
        (
            json!({"userId": ALICE, "Do Not Disturb": {"isActive": 3}}),
            "`Do Not Disturb.isActive` must be a boolean, not `3`",
        ),
        (
            json!({"userId": ALICE, "Call Forwarding No Answer": {"numberOfRings": "many"}}),
            "`Call Forwarding No Answer.numberOfRings` must be a whole number, not `\"many\"`",
        ),
        (
            json!({"userId": ALICE, "Do Not Disturb": "on"}),
            "`Do Not Disturb` must be an object, not `\"on\"`",
        ),
    ];
    for (body, details) in cases {
        let response = odin.put("/users/services/settings", body).await;
        assert_eq!(error(response, StatusCode::BAD_REQUEST).await, details);
    }
    assert_eq!(odin.state(ALICE).await, before);
}

#[tokio::test]
async fn settings_of_an_unassigned_service_cannot_change() {
    let odin = small().await;
    odin.put_json(
        "/users/services",
        json!({"userId": ALICE, "userServices": [{"serviceName": "Call Notify", "assigned": false}]}),
    )
    .await;
    let settings = odin
        .get_json(&format!("/users/services/settings?userId={ALICE}"))
        .await;
    assert!(settings.get("Call Notify").is_none());
    let response = odin
        .put(
            "/users/services/settings",
            json!({"userId": ALICE, "Do Not Disturb": {"isActive": true}, "Call Notify": {"criteria": []}}),
        )
        .await;
    assert_eq!(
        error(response, StatusCode::BAD_REQUEST).await,
        "service `Call Notify` is not assigned to user `user00001@sim.example.net`"
    );
    // Nothing of the rejected write happened, not even its valid part.
    let after = odin
        .get_json(&format!("/users/services/settings?userId={ALICE}"))
        .await;
    assert_eq!(after["Do Not Disturb"], settings["Do Not Disturb"]);
}

#[tokio::test]
async fn assigning_adds_default_settings_and_unassigning_removes_them() {
    let odin = small().await;
    let services_path = format!("/users/services?userId={ALICE}");
    let services = odin.get_json(&services_path).await;
    assert_eq!(services["userId"], ALICE);
    assert_eq!(services["serviceProviderId"], "ent.sim");
    let entry = services["userServices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["serviceName"] == "Sequential Ring")
        .unwrap();
    assert!(entry["alias"].is_string() && entry["tags"].is_array());
    let unassigned = odin
        .put_json(
            "/users/services",
            json!({"userId": ALICE, "userServices": [{"serviceName": "Sequential Ring", "assigned": false}],
                   "servicePackServices": [{"serviceName": "WBX-B", "assigned": true}]}),
        )
        .await;
    let assigned_of = |doc: &Value, list: &str, name: &str| {
        doc[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["serviceName"] == name)
            .map(|s| s["assigned"].clone())
    };
    assert_eq!(
        assigned_of(&unassigned, "userServices", "Sequential Ring"),
        Some(json!(false))
    );
    assert_eq!(
        assigned_of(&unassigned, "servicePackServices", "WBX-B"),
        Some(json!(true))
    );
    let settings_path = format!("/users/services/settings?userId={ALICE}");
    assert!(
        odin.get_json(&settings_path)
            .await
            .get("Sequential Ring")
            .is_none()
    );
    odin.put_json(
        "/users/services",
        json!({"userId": ALICE, "userServices": [{"serviceName": "Sequential Ring", "assigned": true}]}),
    )
    .await;
    let settings = odin.get_json(&settings_path).await;
    assert_eq!(
        settings["Sequential Ring"]["locations"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    for (body, details) in [
        (
            json!({"userId": ALICE, "userServices": [{"serviceName": "Voicemail", "assigned": true}]}),
            "unknown service `Voicemail`",
        ),
        (
            json!({"userId": ALICE, "servicePackServices": [{"serviceName": "NOPE", "assigned": true}]}),
            "unknown service pack `NOPE`",
        ),
        (
            json!({"userId": ALICE, "userServices": [{"serviceName": "Do Not Disturb"}]}),
            "each entry of `userServices` needs `serviceName` and a boolean `assigned`",
        ),
    ] {
        let response = odin.put("/users/services", body).await;
        assert_eq!(error(response, StatusCode::BAD_REQUEST).await, details);
    }
}

#[tokio::test]
async fn policy_accepts_string_booleans_and_validates() {
    let odin = small().await;
    let path = format!("/users/call-processing-policy?userId={ALICE}");
    let before = odin.get_json(&path).await;
    assert_eq!(before["userId"], ALICE);
    let after = odin
        .put_json(
            "/users/call-processing-policy",
            json!({"userId": ALICE, "useUserCLIDSetting": "true", "clidPolicy": "Use Configurable CLID"}),
        )
        .await;
    assert_eq!(after["useUserCLIDSetting"], true);
    assert_eq!(after["clidPolicy"], "Use Configurable CLID");
    assert_eq!(after["maxRedirectionDepth"], before["maxRedirectionDepth"]);
    let response = odin
        .put(
            "/users/call-processing-policy",
            json!({"userId": ALICE, "maxSimultaneousCalls": true}),
        )
        .await;
    assert_eq!(
        error(response, StatusCode::BAD_REQUEST).await,
        "`maxSimultaneousCalls` must be a whole number, not `true`"
    );
}

#[tokio::test]
async fn state_holds_the_four_resources() {
    let odin = small().await;
    let state = odin.state(ALICE).await;
    assert_eq!(
        state["user"],
        odin.get_json(&format!("/users?userId={ALICE}")).await
    );
    assert_eq!(
        state["settings"],
        odin.get_json(&format!("/users/services/settings?userId={ALICE}"))
            .await
    );
    assert_eq!(
        state["policy"],
        odin.get_json(&format!("/users/call-processing-policy?userId={ALICE}"))
            .await
    );
    assert_eq!(
        state["services"],
        odin.get_json(&format!("/users/services?userId={ALICE}"))
            .await
    );
}

#[tokio::test]
async fn unknown_endpoints_are_json_404s() {
    let odin = small().await;
    let response = odin.get("/users/teleport").await;
    assert_eq!(
        error(response, StatusCode::NOT_FOUND).await,
        "no such endpoint"
    );
}
