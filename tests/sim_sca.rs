//! The simulator's shared call appearance endpoints and devices (API.md §13): reads, writes,
//! each refusal, the switches for the unknowns, and the counts by group.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sleipnir::sim::{DEVICES, ScaBulkShape, ScaDeleteStyle, SimConfig, Variant, user_id};

use crate::sim_support::{ALICE, Odin, error, odin, small};

const SP: &str = "ent.sim";
const ENDPOINTS: &str = "/users/shared-call-appearance/endpoints";
const SCA_SERVICES: [&str; 8] = [
    "Shared Call Appearance",
    "Shared Call Appearance 5",
    "Shared Call Appearance 10",
    "Shared Call Appearance 15",
    "Shared Call Appearance 20",
    "Shared Call Appearance 25",
    "Shared Call Appearance 30",
    "Shared Call Appearance 35",
];

/// Give `user` exactly the SCA services `assigned` (none: the service is not assigned).
async fn sca_services(odin: &Odin, user: &str, assigned: &[&str]) {
    let services: Vec<Value> = SCA_SERVICES
        .iter()
        .map(|name| json!({"serviceName": name, "assigned": assigned.contains(name)}))
        .collect();
    odin.put_json(
        "/users/services",
        json!({"userId": user, "userServices": services}),
    )
    .await;
}

fn endpoint(user: &str, device: &str, line_port: &str) -> Value {
    json!({"userId": user, "deviceName": device, "deviceLevel": "Group", "linePort": line_port})
}

async fn sca(odin: &Odin, user: &str) -> Value {
    odin.get_json(&format!("/users/shared-call-appearance?userId={user}"))
        .await
}

async fn refused(odin: &Odin, body: Value) -> String {
    let response = odin.send(Method::POST, ENDPOINTS, Some(body)).await;
    error(response, StatusCode::BAD_REQUEST).await
}

#[tokio::test]
async fn groups_have_seeded_devices_and_take_new_ones() {
    let odin = small().await;
    let devices = odin
        .get_json(&format!(
            "/groups/devices?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    let names: Vec<&str> = devices
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deviceName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["grp01-desk1", "grp01-desk2", "grp01-webex"]);
    assert_eq!(DEVICES.len(), 3);
    assert_eq!(devices[2]["deviceType"], "Business Communicator - PC");
    let new = json!({"serviceProviderId": SP, "groupId": "grp01", "deviceName": "alice_WBX",
                     "deviceType": "Business Communicator - PC"});
    odin.send_json(Method::POST, "/groups/devices", new.clone())
        .await;
    let one = odin
        .get_json(&format!(
            "/groups/devices?serviceProviderId={SP}&groupId=grp01&deviceName=alice_WBX"
        ))
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let again = odin.send(Method::POST, "/groups/devices", Some(new)).await;
    assert_eq!(
        error(again, StatusCode::BAD_REQUEST).await,
        "device `alice_WBX` already exists in group `grp01`"
    );
    let stats = odin.stats().await;
    assert_eq!(
        stats.count_for_group("POST", "/api/v2/groups/devices", "grp01"),
        2
    );
    assert_eq!(
        stats.count_for_group("GET", "/api/v2/groups/devices", "grp01"),
        2
    );
}

#[tokio::test]
async fn endpoints_are_added_read_changed_and_limited() {
    let odin = small().await;
    sca_services(&odin, ALICE, &["Shared Call Appearance"]).await;
    let read = sca(&odin, ALICE).await;
    assert_eq!(read["maxAppearances"], 1);
    assert_eq!(read["endpoints"], json!([]));
    assert_eq!(read["bridgeWarningTone"], "None");

    let first = endpoint(ALICE, "grp01-webex", "alice_WBX@sim.example.net");
    let added = odin.send_json(Method::POST, ENDPOINTS, first.clone()).await;
    assert_eq!(added["isActive"], true);
    assert_eq!(added["allowTermination"], true);
    let list = sca(&odin, ALICE).await["endpoints"].clone();
    assert_eq!(
        list,
        json!([{"deviceType": "Business Communicator - PC", "deviceName": "grp01-webex",
                "deviceLevel": "Group", "linePort": "alice_WBX@sim.example.net",
                "isActive": true, "allowOrigination": true, "allowTermination": true}])
    );
    let query = "userId=user00001@sim.example.net&deviceName=grp01-webex&deviceLevel=Group&linePort=alice_WBX@sim.example.net";
    let single = odin.get_json(&format!("{ENDPOINTS}?{query}")).await;
    assert_eq!(
        single,
        json!({"userId": ALICE, "isActive": true, "allowOrigination": true,
        "allowTermination": true, "deviceName": "grp01-webex", "deviceLevel": "Group",
        "linePort": "alice_WBX@sim.example.net"})
    );

    let second = endpoint(ALICE, "grp01-desk1", "alice_desk@sim.example.net");
    assert_eq!(
        refused(&odin, second.clone()).await,
        format!(
            "user `{ALICE}` already has 1 shared call appearance endpoints: the maximum of 1 is reached"
        )
    );
    sca_services(
        &odin,
        ALICE,
        &["Shared Call Appearance", "Shared Call Appearance 5"],
    )
    .await;
    assert_eq!(sca(&odin, ALICE).await["maxAppearances"], 5);
    let mut flags = second.clone();
    flags["isActive"] = json!(false);
    let added = odin.send_json(Method::POST, ENDPOINTS, flags).await;
    assert_eq!(added["isActive"], false);

    let mut change = first.clone();
    change["allowOrigination"] = json!(false);
    let changed = odin.send_json(Method::PUT, ENDPOINTS, change).await;
    assert_eq!(changed["allowOrigination"], false);
    assert_eq!(changed["isActive"], true, "a flag not sent is kept");
    let missing = odin
        .send(
            Method::PUT,
            ENDPOINTS,
            Some(endpoint(ALICE, "grp01-desk2", "nobody@sim.example.net")),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        sca(&odin, ALICE).await["endpoints"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn each_refusal_names_what_is_missing_or_taken() {
    let odin = small().await;
    sca_services(&odin, ALICE, &["Shared Call Appearance 5"]).await;
    let five = user_id(5);
    sca_services(&odin, &five, &["Shared Call Appearance"]).await;
    odin.send_json(
        Method::POST,
        ENDPOINTS,
        endpoint(&five, "grp01-desk1", "shared@sim.example.net"),
    )
    .await;
    for (body, text) in [
        (
            endpoint(ALICE, "grp01-desk2", "shared@sim.example.net"),
            format!("line port `shared@sim.example.net` is already in use by user `{five}`"),
        ),
        (
            endpoint(ALICE, "grp02-desk1", "a@sim.example.net"),
            "device `grp02-desk1` (Group) does not exist in group `grp01`".to_string(),
        ),
        (
            endpoint(ALICE, "no-such-phone", "a@sim.example.net"),
            "device `no-such-phone` (Group) does not exist in group `grp01`".to_string(),
        ),
        (
            json!({"userId": ALICE, "deviceName": "grp01-desk1", "deviceLevel": "Group"}),
            "`linePort` is required in the body".to_string(),
        ),
    ] {
        assert_eq!(refused(&odin, body).await, text);
    }
    sca_services(&odin, ALICE, &[]).await;
    let text =
        "the Shared Call Appearance service is not assigned to user `user00001@sim.example.net`";
    assert_eq!(
        refused(&odin, endpoint(ALICE, "grp01-desk2", "a@sim.example.net")).await,
        text
    );
    let read = odin
        .get(&format!("/users/shared-call-appearance?userId={ALICE}"))
        .await;
    assert_eq!(error(read, StatusCode::BAD_REQUEST).await, text);
}

async fn with(variant: Variant) -> Odin {
    odin(SimConfig {
        users: 20,
        variant,
        ..SimConfig::default()
    })
    .await
}

/// Alice with one endpoint; its four keys as a query.
async fn alice_with_endpoint(odin: &Odin) -> (Value, String) {
    sca_services(odin, ALICE, &["Shared Call Appearance 5"]).await;
    let body = endpoint(ALICE, "grp01-webex", "alice_WBX@sim.example.net");
    odin.send_json(Method::POST, ENDPOINTS, body.clone()).await;
    let query = "?userId=user00001%40sim.example.net&deviceName=grp01-webex&deviceLevel=Group&linePort=alice_WBX%40sim.example.net".to_string();
    (body, query)
}

#[tokio::test]
async fn deletes_read_the_keys_where_the_switch_says() {
    // Either (the default): the query, or the body.
    let odin = small().await;
    let (body, query) = alice_with_endpoint(&odin).await;
    let path = format!("{ENDPOINTS}{query}");
    let removed = odin.send_json(Method::DELETE, &path, json!({})).await;
    assert_eq!(removed["linePort"], "alice_WBX@sim.example.net");
    odin.send_json(Method::POST, ENDPOINTS, body.clone()).await;
    odin.send_json(Method::DELETE, ENDPOINTS, body.clone())
        .await;
    assert_eq!(sca(&odin, ALICE).await["endpoints"], json!([]));
    let gone = odin.send(Method::DELETE, ENDPOINTS, Some(body)).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    let body_only = with(Variant {
        sca_delete_style: ScaDeleteStyle::Body,
        ..Variant::default()
    })
    .await;
    let (body, query) = alice_with_endpoint(&body_only).await;
    let path = format!("{ENDPOINTS}{query}");
    let by_query = body_only.send(Method::DELETE, &path, Some(json!({}))).await;
    assert_eq!(
        error(by_query, StatusCode::BAD_REQUEST).await,
        "`userId` is required in the body"
    );
    body_only.send_json(Method::DELETE, ENDPOINTS, body).await;

    let query_only = with(Variant {
        sca_delete_style: ScaDeleteStyle::Query,
        ..Variant::default()
    })
    .await;
    let (body, query) = alice_with_endpoint(&query_only).await;
    let by_body = query_only.send(Method::DELETE, ENDPOINTS, Some(body)).await;
    assert_eq!(
        error(by_body, StatusCode::BAD_REQUEST).await,
        "`userId` is required in the query"
    );
    let path = format!("{ENDPOINTS}{query}");
    query_only.send_json(Method::DELETE, &path, json!({})).await;
    assert_eq!(sca(&query_only, ALICE).await["endpoints"], json!([]));
}

#[tokio::test]
async fn lists_leave_the_flags_out_under_the_switch() {
    let odin = with(Variant {
        sca_list_without_flags: true,
        ..Variant::default()
    })
    .await;
    alice_with_endpoint(&odin).await;
    let element = sca(&odin, ALICE).await["endpoints"][0].clone();
    assert_eq!(
        element,
        json!({"deviceType": "Business Communicator - PC", "deviceName": "grp01-webex",
               "deviceLevel": "Group", "linePort": "alice_WBX@sim.example.net"})
    );
}

const BULK: &str = "/users/shared-call-appearance/bulk?serviceProviderId=ent.sim&groupId=grp01";

#[tokio::test]
async fn the_group_read_is_an_object_of_profiles_or_a_flat_list() {
    let odin = small().await;
    alice_with_endpoint(&odin).await;
    sca_services(&odin, &user_id(5), &[]).await;
    let read = odin.get_json(BULK).await;
    let users = read["users"].as_array().unwrap();
    assert_eq!(users.len(), 5);
    assert_eq!(users[0]["profile"]["userId"], ALICE);
    assert_eq!(users[0]["data"]["maxAppearances"], 5);
    assert_eq!(
        users[0]["data"]["endpoints"][0]["linePort"],
        "alice_WBX@sim.example.net"
    );
    assert_eq!(users[1]["profile"]["userId"], user_id(5));
    assert_eq!(users[1]["data"], json!({}));
    assert_eq!(
        odin.stats().await.count_for_group(
            "GET",
            "/api/v2/users/shared-call-appearance/bulk",
            "grp01"
        ),
        1
    );

    let flat = with(Variant {
        sca_bulk_shape: ScaBulkShape::Flat,
        ..Variant::default()
    })
    .await;
    alice_with_endpoint(&flat).await;
    assert_eq!(
        flat.get_json(BULK).await,
        json!([{"userId": ALICE, "isActive": true, "allowOrigination": true,
                "allowTermination": true, "deviceName": "grp01-webex", "deviceLevel": "Group",
                "linePort": "alice_WBX@sim.example.net"}])
    );
}
