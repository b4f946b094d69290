//! The simulator as the real Odin is (API.md §7a, §3): group listings answer summary rows,
//! not user records, and a partial nested object in a write replaces or merges as the
//! `--nested-writes` switch says.

use serde_json::{Value, json};
use sleipnir::sim::{NestedWrites, SimConfig, Variant};

use crate::sim_support::{ALICE, odin, small};

fn row_of<'a>(rows: &'a Value, user: &str) -> &'a Value {
    rows.as_array()
        .and_then(|rows| rows.iter().find(|r| r["userId"] == user))
        .expect("the user's row")
}

#[tokio::test]
async fn listings_are_summaries_and_extended_rows_hold_more_but_not_all() {
    let odin = small().await;
    odin.put_json(
        "/users",
        json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp01",
               "department": {"serviceProviderId": "ent.sim", "groupId": "grp01", "name": "Sales"}}),
    )
    .await;
    let record = odin.get_json(&format!("/users?userId={ALICE}")).await;
    let summary = odin
        .get_json("/users?serviceProviderId=ent.sim&groupId=grp01")
        .await;
    let row = row_of(&summary, ALICE);
    assert_eq!(row["extension"], record["extension"]);
    assert_eq!(row["emailAddress"], record["emailAddress"]);
    assert_eq!(row["department"], "Sales (grp01)");
    assert_eq!(row["inTrunkGroup"], false);
    for lacking in [
        "address",
        "callingLineIdPhoneNumber",
        "callingLineIdFirstName",
        "serviceProviderId",
        "groupId",
        "timeZone",
    ] {
        assert!(row.get(lacking).is_none(), "a summary row has `{lacking}`");
    }
    let extended = odin
        .get_json("/users?serviceProviderId=ent.sim&groupId=grp01&extended=true")
        .await;
    let row = row_of(&extended, ALICE);
    for held in [
        "serviceProviderId",
        "groupId",
        "callingLineIdPhoneNumber",
        "callingLineIdLastName",
        "timeZone",
        "accessDeviceEndpoint",
        "extension",
    ] {
        assert_eq!(row[held], record[held], "extended `{held}`");
    }
    for lacking in [
        "address",
        "department",
        "emailAddress",
        "nationalPrefix",
        "phoneNumberActivated",
    ] {
        assert!(
            row.get(lacking).is_none(),
            "an extended row has `{lacking}`"
        );
    }
    // A whole enterprise's summary rows say each user's group.
    let enterprise = odin.get_json("/users?serviceProviderId=ent.sim").await;
    assert_eq!(row_of(&enterprise, ALICE)["groupId"], "grp01");
}

async fn write_city(nested: NestedWrites) -> (Value, Value) {
    let odin = odin(SimConfig {
        users: 4,
        variant: Variant {
            nested_writes: nested,
            ..Variant::default()
        },
        ..SimConfig::default()
    })
    .await;
    let before = odin.get_json(&format!("/users?userId={ALICE}")).await;
    let answer = odin
        .put_json(
            "/users",
            json!({"userId": ALICE, "serviceProviderId": "ent.sim", "groupId": "grp01",
                   "address": {"city": "Springfield"}}),
        )
        .await;
    (before["address"].clone(), answer[0]["address"].clone())
}

#[tokio::test]
async fn a_partial_nested_object_replaces_or_merges_as_the_switch_says() {
    let (before, replaced) = write_city(NestedWrites::Replace).await;
    assert!(before["addressLine1"].is_string() && before["country"].is_string());
    assert_eq!(replaced, json!({"city": "Springfield"}));
    let (before, merged) = write_city(NestedWrites::Merge).await;
    let mut expected = before.clone();
    expected["city"] = json!("Springfield");
    assert_eq!(merged, expected);
}

#[tokio::test]
async fn objects_below_a_service_replace_too() {
    let odin = small().await;
    let settings = odin
        .get_json(&format!("/users/services/settings?userId={ALICE}"))
        .await;
    let part = &settings["Voice Messaging User"]["Voice Messaging User"];
    assert!(part.as_object().is_some_and(|p| p.len() > 2));
    let answer = odin
        .put_json(
            "/users/services/settings",
            json!({"userId": ALICE, "Voice Messaging User": {"Voice Messaging User": {"isActive": true}},
                   "Do Not Disturb": {"isActive": true}}),
        )
        .await;
    assert_eq!(
        answer["Voice Messaging User"]["Voice Messaging User"],
        json!({"isActive": true})
    );
    // The service's own fields still merge one by one.
    assert!(
        answer["Do Not Disturb"]
            .as_object()
            .is_some_and(|d| d.len() > 1)
    );
}
