//! The simulator's credential endpoints and generators (API.md §11).

use reqwest::StatusCode;
use serde_json::json;

use crate::sim_support::{ALICE, error, small};

#[tokio::test]
async fn credential_writes_keep_the_rules_and_are_never_shown() {
    let odin = small().await;
    // The Authentication service must be assigned first.
    odin.put_json(
        "/users/services",
        json!({"userId": ALICE, "userServices": [{"serviceName": "Authentication", "assigned": false}]}),
    )
    .await;
    let unassigned = odin
        .put(
            "/users/authentication",
            json!({"userId": ALICE, "newPassword": "Sip-Pw-42"}),
        )
        .await;
    assert!(
        error(unassigned, StatusCode::BAD_REQUEST)
            .await
            .contains("Authentication")
    );
    odin.put_json(
        "/users/services",
        json!({"userId": ALICE, "userServices": [{"serviceName": "Authentication", "assigned": true}]}),
    )
    .await;
    for (password, why) in [
        ("Ab1", "6–60 characters"),
        ("abcdefg1", "upper case"),
        ("ABCDEFG1", "lower case"),
        ("Xuser00001y", "user name"),
        ("Xsip-aliceY", "user name"),
    ] {
        let refused = odin
            .put(
                "/users/authentication",
                json!({"userId": ALICE, "userName": "sip-alice", "newPassword": password}),
            )
            .await;
        let text = error(refused, StatusCode::BAD_REQUEST).await;
        assert!(text.contains(why), "{password}: {text}");
        assert!(!text.contains(password), "{text}");
    }
    odin.put_json(
        "/users/authentication",
        json!({"userId": ALICE, "userName": "sip-alice", "newPassword": "Sip-Pw-42"}),
    )
    .await;
    odin.put_json(
        "/users/passwords",
        json!({"userId": ALICE, "newPassword": "Web-Pw-42"}),
    )
    .await;
    let short = odin
        .put(
            "/users/portal-passcode",
            json!({"userId": ALICE, "newPasscode": "12"}),
        )
        .await;
    error(short, StatusCode::BAD_REQUEST).await;
    odin.put_json(
        "/users/portal-passcode",
        json!({"userId": ALICE, "newPasscode": "4711"}),
    )
    .await;
    let held = odin.sim.credentials(ALICE).unwrap();
    assert_eq!(held.sip_user_name.as_deref(), Some("sip-alice"));
    assert_eq!(held.sip_password.as_deref(), Some("Sip-Pw-42"));
    assert_eq!(held.web_password.as_deref(), Some("Web-Pw-42"));
    assert_eq!(held.portal_passcode.as_deref(), Some("4711"));
    let state = odin.state(ALICE).await.to_string();
    assert!(!state.contains("Sip-Pw-42") && !state.contains("Web-Pw-42"));
}

#[tokio::test]
async fn generators_answer_one_or_a_list() {
    let odin = small().await;
    let group = "serviceProviderId=ent.sim&groupId=grp01";
    let one = odin.get_json(&format!("/password/generate?{group}")).await;
    assert_eq!(one["password"].as_str().unwrap().len(), 12);
    let many = odin
        .get_json(&format!("/password/generate?{group}&limit=3"))
        .await;
    assert_eq!(many["passwords"].as_array().unwrap().len(), 3);
    let codes = odin
        .get_json(&format!("/passcode/generate?{group}&limit=2"))
        .await;
    for code in codes["passcodes"].as_array().unwrap() {
        let code = code.as_str().unwrap();
        assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()));
    }
    let sip = odin.get_json("/sip-password/generate").await;
    assert!(sip["password"].is_string());
    let unknown = odin
        .get("/password/generate?serviceProviderId=ent.sim&groupId=nope")
        .await;
    error(unknown, StatusCode::NOT_FOUND).await;
}
