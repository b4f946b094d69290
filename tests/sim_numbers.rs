//! The simulator's numbers (API.md §12): the group and service provider lists, their
//! writes and refusals, a user's number and extension through `PUT /users`, the switches
//! for the unknowns, and the counts by group.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sleipnir::sim::{
    DnsAddExisting, FaultConfig, PhoneNotInGroup, SimConfig, Variant, group_spares, user_id,
    user_number,
};

use crate::sim_support::{ALICE, Odin, error, odin, small};

const SP: &str = "ent.sim";
const DNS: &str = "/groups/dns";

fn one(number: &str, assigned: bool, activated: bool) -> Value {
    json!({"assigned": assigned, "activated": activated, "min": number, "max": null})
}

async fn group_dns(odin: &Odin, group: &str, q: &str) -> Vec<Value> {
    let read = odin
        .get_json(&format!(
            "/groups/dns?serviceProviderId={SP}&groupId={group}{q}"
        ))
        .await;
    assert_eq!(read["serviceProviderId"], SP);
    assert_eq!(read["groupId"], group);
    read["dns"].as_array().unwrap().clone()
}

async fn sp_dns(odin: &Odin, q: &str) -> Vec<Value> {
    let read = odin
        .get_json(&format!("/service-providers/dns?serviceProviderId={SP}{q}"))
        .await;
    read["dns"].as_array().unwrap().clone()
}

async fn refused(odin: &Odin, method: Method, path: &str, body: Value) -> String {
    error(
        odin.send(method, path, Some(body)).await,
        StatusCode::BAD_REQUEST,
    )
    .await
}

#[tokio::test]
async fn seeded_lists_hold_the_users_numbers_and_spares() {
    let odin = small().await;
    assert_eq!(user_number(1), 5_551_000_001);
    assert_eq!(group_spares(1), 5_552_010_000..5_552_010_005);
    let mut expected: Vec<Value> = [1, 5, 9, 13, 17]
        .iter()
        .map(|n| one(&format!("+1-555100{n:04}"), true, true))
        .collect();
    expected.push(json!({"assigned": false, "activated": false,
                         "min": "+1-5552010000", "max": "+1-5552010003"}));
    expected.push(one("+1-5552010004", false, true));
    assert_eq!(group_dns(&odin, "grp01", "").await, expected);
    assert_eq!(
        group_dns(&odin, "grp01", "&q=available").await,
        vec![
            one("+1-5552010000", false, false),
            one("+1-5552010001", false, false),
            one("+1-5552010002", false, false),
            one("+1-5552010003", false, false),
            one("+1-5552010004", false, true),
        ]
    );
    let record = odin.state(ALICE).await["user"].clone();
    assert_eq!(record["phoneNumber"], "5551000001");
    assert_eq!(record["phoneNumberActivated"], true);
    assert_eq!(
        odin.get_json(&format!("/users/dns?userId={ALICE}")).await,
        json!([{"min": "+1-5551000001", "max": null, "activated": true}])
    );

    let sp = sp_dns(&odin, "").await;
    assert!(sp.contains(&json!({"canDelete": true, "groupId": null,
                                 "min": "+1-5553000000", "max": "+1-5553019999"})));
    assert!(sp.contains(&json!({"canDelete": false, "groupId": "grp02",
                                 "min": "+1-5552020000", "max": "+1-5552020004"})));
    assert!(sp.contains(&json!({"canDelete": false, "groupId": "grp01",
                                 "min": "+1-5551000001", "max": null})));
    assert_eq!(
        sp_dns(&odin, "&q=available").await,
        vec![json!({"canDelete": true, "groupId": null,
                    "min": "+1-5553000000", "max": "+1-5553019999"})]
    );

    let details = odin
        .get_json(&format!(
            "/groups/dns/details?serviceProviderId={SP}&groupId=grp01"
        ))
        .await["dns"]
        .clone();
    let alice = &details[0];
    assert_eq!(alice["phoneNumbers"], "+1-5551000001");
    assert_eq!(alice["userId"], ALICE);
    assert_eq!(alice["lastName"], record["lastName"]);
    assert_eq!(alice["extension"], "1001");
    assert_eq!(alice["userType"], "Normal");
    assert_eq!(alice["max"], "");
    let free = &details[5];
    assert_eq!(free["phoneNumbers"], "+1-5552010000 - +1-5552010003");
    assert_eq!(free["userId"], Value::Null);
    assert_eq!(free["userType"], Value::Null);
    assert_eq!(free["max"], "+1-5552010003");
    assert_eq!(details.as_array().unwrap().len(), 7);

    assert_eq!(
        odin.get_json(&format!(
            "/groups/extensions?serviceProviderId={SP}&groupId=grp01"
        ))
        .await["defaultExtensionLength"],
        4
    );
    let unknown = odin
        .get(&format!("/groups/dns?serviceProviderId={SP}&groupId=nope"))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn numbers_join_a_group_from_the_pool_in_every_spelling() {
    let odin = small().await;
    let answer = odin
        .send_json(
            Method::POST,
            DNS,
            json!({"serviceProviderId": SP, "groupId": "grp01", "dns": [
                "+1-5553000000", "5553000001", {"min": "+1-5553000002", "max": "+1-5553000004"},
                {"min": 5553000005u64, "max": null}, {"min": "5553000006", "max": ""},
                {"min": "5553000007", "max": "5553000007"}]}),
        )
        .await;
    let rows = answer["dns"].as_array().unwrap();
    assert!(rows.contains(&json!({"assigned": false, "activated": false,
                                   "min": "+1-5553000000", "max": "+1-5553000007"})));
    assert!(
        sp_dns(&odin, "")
            .await
            .contains(&json!({"canDelete": false, "groupId": "grp01",
                                   "min": "+1-5553000000", "max": "+1-5553000007"}))
    );
    assert_eq!(
        sp_dns(&odin, "&q=available").await,
        vec![json!({"canDelete": true, "groupId": null,
                    "min": "+1-5553000008", "max": "+1-5553019999"})]
    );
    assert_eq!(group_dns(&odin, "grp01", "&q=available").await.len(), 13);
    let stats = odin.stats().await;
    assert_eq!(
        stats.count_for_group("POST", "/api/v2/groups/dns", "grp01"),
        1
    );
    assert_eq!(
        stats.count_for_group("POST", "/api/v2/groups/dns", "grp02"),
        0
    );
    assert_eq!(
        stats.count_for_group("GET", "/api/v2/groups/dns", "grp01"),
        1
    );
    assert_eq!(
        stats.count_for_group("GET", "/api/v2/service-providers/dns", SP),
        2
    );
}

#[tokio::test]
async fn adding_refuses_numbers_outside_the_pool_or_in_another_group() {
    let odin = small().await;
    let before = group_dns(&odin, "grp01", "").await;
    let add = |dns: Value| json!({"serviceProviderId": SP, "groupId": "grp01", "dns": dns});
    for (dns, text) in [
        (
            json!(["5553000000", "5559999999"]),
            "phone number +1-5559999999 is not in service provider `ent.sim`'s numbers",
        ),
        (
            json!(["+1-5552020000"]),
            "phone number +1-5552020000 is already assigned to group `grp02`",
        ),
        (
            json!(["5553000000", "+1-5552010000"]),
            "phone number +1-5552010000 is already in group `grp01`",
        ),
        (json!(["12"]), "`\"12\"` is not a phone number"),
        (
            json!([{"min": "5553000005", "max": "5553000001"}]),
            "the range +1-5553000005 - +1-5553000001 is not a range of at most 10000 numbers",
        ),
    ] {
        assert_eq!(refused(&odin, Method::POST, DNS, add(dns)).await, text);
    }
    assert_eq!(group_dns(&odin, "grp01", "").await, before, "nothing added");

    let lenient = crate::sim_support::odin(SimConfig {
        users: 20,
        variant: Variant {
            dns_add_existing: DnsAddExisting::Ignore,
            ..Variant::default()
        },
        ..SimConfig::default()
    })
    .await;
    lenient
        .send_json(
            Method::POST,
            DNS,
            add(json!(["5553000000", "+1-5552010000"])),
        )
        .await;
    assert_eq!(group_dns(&lenient, "grp01", "&q=available").await.len(), 6);
}

#[tokio::test]
async fn activation_changes_only_the_listed_numbers_and_the_record_mirrors_it() {
    let odin = small().await;
    let body = json!({"serviceProviderId": SP, "groupId": "grp01", "dns": [
        {"min": "+1-5552010000", "max": null, "activated": true},
        {"min": "5551000001", "activated": false}]});
    let answer = odin.send_json(Method::PUT, DNS, body).await;
    let rows = answer["dns"].as_array().unwrap();
    assert_eq!(rows[0], one("+1-5551000001", true, false));
    assert_eq!(rows[1], one("+1-5551000005", true, true));
    assert_eq!(rows[5], one("+1-5552010000", false, true));
    assert_eq!(rows.len(), 8);
    assert_eq!(
        odin.state(ALICE).await["user"]["phoneNumberActivated"],
        false
    );
    assert_eq!(
        odin.get_json(&format!("/users/dns?userId={ALICE}")).await[0]["activated"],
        false
    );
    let put = |dns: Value| json!({"serviceProviderId": SP, "groupId": "grp01", "dns": dns});
    assert_eq!(
        refused(
            &odin,
            Method::PUT,
            DNS,
            put(json!([{"min": "5552020000", "activated": true}]))
        )
        .await,
        "phone number +1-5552020000 is not assigned to group `grp01`"
    );
    assert_eq!(
        refused(&odin, Method::PUT, DNS, put(json!(["5552010000"]))).await,
        "`activated` is required for +1-5552010000"
    );
}

#[tokio::test]
async fn numbers_leave_a_group_and_the_pool_unless_held() {
    let odin = small().await;
    let body = |dns: Value| json!({"serviceProviderId": SP, "groupId": "grp01", "dns": dns});
    assert_eq!(
        refused(
            &odin,
            Method::DELETE,
            DNS,
            body(json!(["5552010000", "+1-5551000005"]))
        )
        .await,
        format!(
            "phone number +1-5551000005 is in use by user `{}`: unassign it from the user first",
            user_id(5)
        )
    );
    assert_eq!(
        refused(&odin, Method::DELETE, DNS, body(json!(["5553000000"]))).await,
        "phone number +1-5553000000 is not assigned to group `grp01`"
    );
    odin.send_json(
        Method::DELETE,
        DNS,
        body(json!([{"min": "5552010000", "max": "5552010001"}])),
    )
    .await;
    assert_eq!(group_dns(&odin, "grp01", "&q=available").await.len(), 3);
    assert!(
        sp_dns(&odin, "&q=available")
            .await
            .contains(&json!({"canDelete": true,
        "groupId": null, "min": "+1-5552010000", "max": "+1-5552010001"}))
    );

    let sp_path = "/service-providers/dns";
    let sp_body = |dns: Value| json!({"serviceProviderId": SP, "dns": dns});
    assert_eq!(
        refused(
            &odin,
            Method::DELETE,
            sp_path,
            sp_body(json!(["5552010002"]))
        )
        .await,
        "phone number +1-5552010002 is assigned to group `grp01`: remove it from the group first"
    );
    odin.send_json(Method::DELETE, sp_path, sp_body(json!(["5552010000"])))
        .await;
    assert_eq!(
        refused(
            &odin,
            Method::DELETE,
            sp_path,
            sp_body(json!(["5552010000"]))
        )
        .await,
        "phone number +1-5552010000 is not in service provider `ent.sim`'s numbers"
    );
    odin.send_json(
        Method::POST,
        sp_path,
        sp_body(json!([{"min": "+1-5554000000", "max": "+1-5554000009"}, "5552010000"])),
    )
    .await;
    assert!(
        sp_dns(&odin, "&q=available")
            .await
            .contains(&json!({"canDelete": true,
        "groupId": null, "min": "+1-5554000000", "max": "+1-5554000009"}))
    );
    assert_eq!(
        refused(&odin, Method::POST, sp_path, sp_body(json!(["5554000000"]))).await,
        "phone number +1-5554000000 is already in service provider `ent.sim`'s numbers"
    );
    assert_eq!(
        odin.stats()
            .await
            .count_for_group("DELETE", "/api/v2/service-providers/dns", SP),
        3
    );
}

async fn put_user(odin: &Odin, n: usize, fields: Value) -> reqwest::Response {
    let mut body = json!({"userId": user_id(n), "serviceProviderId": SP,
                          "groupId": format!("grp{:02}", (n - 1) % 4 + 1)});
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    odin.put("/users", body).await
}

#[tokio::test]
async fn a_user_takes_a_number_of_its_group_that_no_one_holds() {
    let odin = small().await;
    let response = put_user(&odin, 1, json!({"phoneNumber": "+1-5552010004"})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let record = odin.state(ALICE).await["user"].clone();
    assert_eq!(record["phoneNumber"], "5552010004");
    assert_eq!(record["phoneNumberActivated"], true, "the number's flag");
    let available = group_dns(&odin, "grp01", "&q=available").await;
    assert!(
        available.contains(&one("+1-5551000001", false, true)),
        "the old one is free"
    );
    assert!(!available.contains(&one("+1-5552010004", false, true)));

    for (n, fields, text) in [
        (
            5,
            json!({"phoneNumber": "5552010004"}),
            format!("phone number +1-5552010004 is already assigned to user `{ALICE}`"),
        ),
        (
            5,
            json!({"phoneNumber": "5553000000"}),
            "phone number +1-5553000000 is not assigned to group `grp01`".to_string(),
        ),
        (
            2,
            json!({"phoneNumber": "5552010000"}),
            "phone number +1-5552010000 is not assigned to group `grp02`".to_string(),
        ),
        (
            5,
            json!({"extension": "1001"}),
            format!("extension 1001 is already assigned to user `{ALICE}` in group `grp01`"),
        ),
    ] {
        let response = put_user(&odin, n, fields).await;
        assert_eq!(error(response, StatusCode::BAD_REQUEST).await, text);
    }
    // Another group may use the same extension; a freed one can be taken.
    assert_eq!(
        put_user(&odin, 2, json!({"extension": "1001"}))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        put_user(&odin, 1, json!({"extension": "7001"}))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        put_user(&odin, 5, json!({"extension": "1001"}))
            .await
            .status(),
        StatusCode::OK
    );

    // Taking the number off, the extension with it.
    let off = put_user(&odin, 1, json!({"phoneNumber": null, "extension": null})).await;
    assert_eq!(off.status(), StatusCode::OK);
    let record = odin.state(ALICE).await["user"].clone();
    assert_eq!(record.get("phoneNumber"), None);
    assert_eq!(record.get("extension"), None);
    assert_eq!(record["phoneNumberActivated"], false);
    assert_eq!(
        odin.get_json(&format!("/users/dns?userId={ALICE}")).await,
        json!([])
    );
    assert!(
        group_dns(&odin, "grp01", "&q=available")
            .await
            .contains(&one("+1-5552010004", false, true))
    );
}

#[tokio::test]
async fn bulk_record_writes_keep_numbers_and_extensions_unique() {
    let odin = small().await;
    let users = json!([{"userId": user_id(1)}, {"userId": user_id(5)}]);
    for key in ["phoneNumber", "extension"] {
        let body = json!({"users": users, "data": {key: "5552010000"}});
        assert_eq!(
            refused(&odin, Method::PUT, "/users/bulk", body).await,
            format!("`{key}` cannot be given to 2 users: each holds its own")
        );
    }
    let body = json!({"users": [{"userId": user_id(5)}], "data": {"extension": "1001"}});
    assert_eq!(
        refused(&odin, Method::PUT, "/users/bulk", body).await,
        format!(
            "extension 1001 is already assigned to user `{ALICE}` in group `grp01`; no user was changed"
        )
    );
}

#[tokio::test]
async fn a_number_not_in_the_group_is_added_under_the_switch() {
    let odin = odin(SimConfig {
        users: 20,
        variant: Variant {
            phone_not_in_group: PhoneNotInGroup::Add,
            ..Variant::default()
        },
        ..SimConfig::default()
    })
    .await;
    assert_eq!(
        put_user(&odin, 1, json!({"phoneNumber": "5553000003"}))
            .await
            .status(),
        StatusCode::OK
    );
    let record = odin.state(ALICE).await["user"].clone();
    assert_eq!(record["phoneNumber"], "5553000003");
    assert_eq!(record["phoneNumberActivated"], false);
    assert!(
        group_dns(&odin, "grp01", "")
            .await
            .contains(&one("+1-5553000003", true, false))
    );
    // A number of another group is still refused.
    let response = put_user(&odin, 1, json!({"phoneNumber": "5552020000"})).await;
    assert_eq!(
        error(response, StatusCode::BAD_REQUEST).await,
        "phone number +1-5552020000 is not assigned to group `grp01`"
    );
}

#[tokio::test]
async fn number_writes_fail_before_changing_anything_under_503s() {
    let odin = odin(SimConfig {
        users: 20,
        faults: FaultConfig {
            fail_rate: 1.0,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let body = json!({"serviceProviderId": SP, "groupId": "grp01", "dns": ["5553000000"]});
    let response = odin.send(Method::POST, DNS, Some(body)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(group_dns(&odin, "grp01", "&q=available").await.len(), 5);
    let stats = odin.stats().await;
    assert_eq!(
        stats.count_for_group("POST", "/api/v2/groups/dns", "grp01"),
        1
    );
    assert!(
        stats
            .by_group
            .iter()
            .any(|c| c.status == 503 && c.group == "grp01")
    );
}

#[tokio::test]
async fn seeded_extensions_are_unique_in_each_group_past_the_pattern() {
    let odin = odin(SimConfig {
        users: 1010,
        groups: 1,
        ..SimConfig::default()
    })
    .await;
    assert_eq!(odin.state(&user_id(4)).await["user"]["extension"], "0004");
    assert_eq!(
        odin.state(&user_id(1004)).await["user"]["extension"],
        "101004"
    );
    assert_eq!(
        odin.state(&user_id(1010)).await["user"]["phoneNumber"],
        "5551001010"
    );
}

#[tokio::test]
async fn a_dropped_number_write_lands_and_is_counted_for_its_group() {
    let odin = odin(SimConfig {
        users: 20,
        faults: FaultConfig {
            drop_rate: 1.0,
            ..FaultConfig::default()
        },
        ..SimConfig::default()
    })
    .await;
    let body = json!({"serviceProviderId": SP, "groupId": "grp02", "dns": ["5553000000"]});
    let sent = odin
        .client
        .post(format!("{}{DNS}", odin.sim.base_url()))
        .bearer_auth(&odin.token)
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err(), "the connection is dropped unanswered");
    assert!(
        group_dns(&odin, "grp02", "&q=available")
            .await
            .contains(&one("+1-5553000000", false, false))
    );
    let stats = odin.stats().await;
    assert_eq!(stats.dropped, 1);
    assert!(
        stats
            .by_group
            .iter()
            .any(|c| c.method == "POST" && c.group == "grp02" && c.status == 0)
    );
}
