//! The simulator's hunt group and call center membership (API.md §15): every endpoint
//! against the shapes of the real examples (`tests/fixtures/odin/`), the refusals, and the
//! counts by group. Creating and deleting users, and the switches: `sim_lifecycle`.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sleipnir::sim::{MemberVariant, SimConfig, Variant, call_center_id, hunt_group_id, user_id};

use crate::sim_support::{Odin, error, odin};

const SP: &str = "ent.sim";

pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/odin/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

pub(crate) fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().expect("object").keys().cloned().collect()
}

/// 20 users in two groups (grp01: users 1, 3, 5…), two hunt groups and two call centers
/// each; `members` for the unknowns.
pub(crate) async fn members(members: MemberVariant) -> Odin {
    odin(SimConfig {
        users: 20,
        groups: 2,
        hunt_groups: 2,
        call_centers: 2,
        variant: Variant {
            members,
            ..Variant::default()
        },
        ..SimConfig::default()
    })
    .await
}

pub(crate) async fn refused(odin: &Odin, method: Method, path: &str, body: Value) -> String {
    error(
        odin.send(method, path, Some(body)).await,
        StatusCode::BAD_REQUEST,
    )
    .await
}

pub(crate) fn hg(k: usize) -> String {
    hunt_group_id(k, 1)
}

pub(crate) fn cc(k: usize) -> String {
    call_center_id(k, 1)
}

pub(crate) fn ids(agents: &Value) -> Vec<String> {
    agents
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| a["userId"].as_str().expect("userId").to_string())
        .collect()
}

#[tokio::test]
async fn hunt_groups_and_call_centers_read_as_the_examples() {
    let odin = members(MemberVariant::default()).await;
    let list = odin
        .get_json(&format!(
            "/groups/hunt-groups?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    let example = fixture("group-hunt-groups.json");
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(keys(&list[0]), keys(&example[0]));
    assert_eq!(list[0]["serviceUserId"], "hg1.grp01@sim.example.net");
    assert_eq!(list[0]["name"], "Sales");
    assert_eq!(list[0]["phoneNumber"], "5554000101");
    assert_eq!(list[0]["extension"], "50101");
    assert_eq!(list[0]["department"], Value::Null);
    assert_eq!(list[1]["policy"], "Circular");

    let one = odin
        .get_json(&format!("/groups/hunt-groups?serviceUserId={}", hg(1)))
        .await;
    let example = fixture("group-hunt-group.json");
    assert_eq!(keys(&one), keys(&example));
    assert_eq!(
        keys(&one["serviceInstanceProfile"]),
        keys(&example["serviceInstanceProfile"])
    );
    assert_eq!(ids(&one["agents"]), [user_id(1), user_id(3), user_id(5)]);
    let full_row = &fixture("group-hunt-groups-user.json")[0]["agents"][0];
    assert_eq!(keys(&one["agents"][0]), keys(full_row));
    assert_eq!(one["agents"][0]["phoneNumber"], "5551000001");
    assert_eq!(one["agents"][0]["groupId"], "grp01");

    let of_user = odin
        .get_json(&format!(
            "/groups/hunt-groups/user?serviceProviderId={SP}&groupId=grp01&userId={}",
            user_id(3)
        ))
        .await;
    let example = fixture("group-hunt-groups-user.json");
    assert_eq!(of_user.as_array().unwrap().len(), 2);
    // The first hunt group does not forward after a timeout: no number to forward to.
    let mut first = keys(&of_user[0]);
    first.insert("forwardToPhoneNumber".to_string());
    assert_eq!(first, keys(&example[0]));
    assert_eq!(keys(&of_user[1]), keys(&example[1]));
    assert_eq!(
        keys(&of_user[1]["agents"][0]),
        keys(&example[1]["agents"][0])
    );
    assert_eq!(
        keys(&of_user[0]["serviceInstanceProfile"]),
        keys(&example[0]["serviceInstanceProfile"])
    );
    assert_eq!(of_user[0]["phoneNumber"], "5554000101");
    assert_eq!(of_user[1]["phoneNumber"], json!(5_554_000_102u64));
    assert_eq!(of_user[1]["forwardToPhoneNumber"], json!(3002));
    let only_one = odin
        .get_json(&format!(
            "/groups/hunt-groups/user?serviceProviderId={SP}&groupId=grp01&userId={}",
            user_id(1)
        ))
        .await;
    assert_eq!(only_one.as_array().unwrap().len(), 1);
    let eligible = odin
        .get_json(&format!(
            "/groups/hunt-groups/users?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    assert_eq!(eligible.as_array().unwrap().len(), 10);
    assert_eq!(eligible[0]["userId"], user_id(1));

    let centers = odin
        .get_json(&format!(
            "/groups/call-centers?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    let example = fixture("group-call-centers.json");
    assert_eq!(keys(&centers[0]), keys(&example[0]));
    assert_eq!(centers[0]["type"], "Premium");
    assert_eq!(centers[0]["extension"], "50151");
    assert_eq!(centers[1]["name"], "Orders");
    assert_eq!(centers[1]["phoneNumber"], Value::Null);
    assert_eq!(centers[1]["extension"], Value::Null);
    let center = odin
        .get_json(&format!("/groups/call-centers?serviceUserId={}", cc(1)))
        .await;
    assert_eq!(center["serviceInstanceProfile"]["name"], "Billing");
    assert!(center.get("agents").is_none());
    let agents = odin
        .get_json(&format!(
            "/groups/call-centers/agents?serviceUserId={}",
            cc(1)
        ))
        .await;
    assert_eq!(keys(&agents), BTreeSet::from(["agents".to_string()]));
    assert_eq!(ids(&agents["agents"]), [user_id(1), user_id(3)]);
    assert_eq!(agents["agents"][1]["skillLevel"], 2);
    let available = |kind: &str| {
        format!("/groups/call-centers/agents/available?serviceProviderId={SP}&groupId=grp01{kind}")
    };
    let any = odin.get_json(&available("")).await;
    assert_eq!(
        ids(&any["agents"]),
        [user_id(1), user_id(3), user_id(5), user_id(7)]
    );
    let premium = odin.get_json(&available("&callCenterType=Premium")).await;
    assert_eq!(ids(&premium["agents"]), [user_id(1), user_id(3)]);
    assert!(
        refused(
            &odin,
            Method::GET,
            &available("&callCenterType=Gold"),
            json!({})
        )
        .await
        .contains("callCenterType")
    );

    let agent = odin
        .get_json(&format!("/users/call-center?userId={}", user_id(3)))
        .await;
    let example = fixture("user-call-center.json");
    assert_eq!(keys(&agent), keys(&example));
    assert_eq!(
        keys(&agent["callCenters"][0]),
        keys(&example["callCenters"][0])
    );
    let centers: Vec<&Value> = agent["callCenters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["serviceUserId"])
        .collect();
    assert_eq!(centers, [&json!(cc(1)), &json!(cc(2))]);
    let unlicensed = odin
        .get(&format!("/users/call-center?userId={}", user_id(9)))
        .await;
    assert!(
        error(unlicensed, StatusCode::BAD_REQUEST)
            .await
            .contains("call center")
    );
    let unknown = odin.get("/groups/hunt-groups?serviceUserId=nope@x").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let details = odin
        .get_json(&format!(
            "/groups/dns/details?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    let row = details["dns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userId"] == json!(hg(1)))
        .expect("the hunt group's row")
        .clone();
    assert_eq!(row["phoneNumbers"], "+1-5554000101");
    assert_eq!(row["userType"], "Hunt Group");
    assert_eq!(row["lastName"], "hg1.grp01");
    assert_eq!(row["firstName"], "Hunt Group");
    assert_eq!(row["extension"], 50101);
    assert!(
        details["dns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| { r["userId"] == json!(cc(1)) && r["userType"] == "Call Center" })
    );

    let held = json!({"serviceProviderId": SP, "groupId": "grp01", "dns": ["5554000101"]});
    let text = refused(&odin, Method::DELETE, "/groups/dns", held).await;
    assert!(text.contains("in use by hunt group `hg1.grp01"), "{text}");

    let stats = odin.stats().await;
    for (path, count) in [
        ("/api/v2/groups/hunt-groups", 2),
        ("/api/v2/groups/call-centers/agents", 1),
        ("/api/v2/groups/call-centers", 2),
    ] {
        assert_eq!(stats.count_for_group("GET", path, "grp01"), count, "{path}");
    }
}

#[tokio::test]
async fn hunt_group_writes_replace_the_agent_list() {
    let odin = members(MemberVariant::default()).await;
    let path = "/groups/hunt-groups";
    let read = odin
        .get_json(&format!("{path}?serviceUserId={}", hg(1)))
        .await;
    let mut without_profile = read.clone();
    without_profile
        .as_object_mut()
        .unwrap()
        .remove("serviceInstanceProfile");
    assert!(
        refused(&odin, Method::PUT, path, without_profile)
            .await
            .contains("serviceInstanceProfile")
    );
    // The whole object as read, agents reordered and one added at the end.
    let mut whole = read.clone();
    whole["agents"] = json!([{"userId": user_id(5)}, read["agents"][0], {"userId": user_id(9)}]);
    whole["serviceInstanceProfile"]["name"] = json!("Front desk");
    whole["policy"] = json!("Weighted");
    assert_eq!(odin.put_json(path, whole.clone()).await, json!({}));
    assert_eq!(
        odin.sim.agents(&hg(1)).unwrap(),
        [(user_id(5), None), (user_id(1), None), (user_id(9), None)]
    );
    let again = odin
        .get_json(&format!("{path}?serviceUserId={}", hg(1)))
        .await;
    assert_eq!(again["serviceInstanceProfile"]["name"], "Front desk");
    assert_eq!(again["policy"], "Weighted");
    // Without agents (and `{}` as the profile) the list stays.
    let settings_only = json!({"serviceProviderId": SP, "groupId": "grp01",
        "serviceUserId": hg(1), "serviceInstanceProfile": {}, "huntAfterNoAnswer": false});
    odin.put_json(path, settings_only).await;
    assert_eq!(odin.sim.agents(&hg(1)).unwrap().len(), 3);

    for (agents, reason) in [
        (json!([{"userId": "nobody@sim.example.net"}]), "not found"),
        (json!([{"userId": user_id(2)}]), "not in group"),
        (
            json!([{"userId": user_id(1)}, {"userId": user_id(1)}]),
            "twice",
        ),
        (json!([{"name": "x"}]), "userId"),
    ] {
        let mut body = whole.clone();
        body["agents"] = agents;
        assert!(
            refused(&odin, Method::PUT, path, body)
                .await
                .contains(reason),
            "{reason}"
        );
    }
    for (key, value, reason) in [
        ("policy", json!("Random"), "policy"),
        ("noAnswerNumberOfRings", json!("5"), "whole number"),
        ("extension", json!("59999"), "not simulated"),
        ("colour", json!("red"), "unknown field"),
    ] {
        let mut body = whole.clone();
        body[key] = value;
        assert!(
            refused(&odin, Method::PUT, path, body)
                .await
                .contains(reason),
            "{key}"
        );
    }
    let mut other_group = whole.clone();
    other_group["groupId"] = json!("grp02");
    assert!(
        refused(&odin, Method::PUT, path, other_group)
            .await
            .contains("not in")
    );
    assert_eq!(odin.sim.agents(&hg(1)).unwrap()[0].0, user_id(5));

    let remove = "/groups/hunt-groups/removeUser";
    let body = json!({"serviceProviderId": SP, "groupId": "grp01", "userId": user_id(5)});
    assert_eq!(
        odin.send_json(Method::POST, remove, body.clone()).await,
        json!([hg(1), hg(2)])
    );
    assert_eq!(odin.send_json(Method::POST, remove, body).await, json!([]));
    assert_eq!(
        odin.sim.agents(&hg(2)).unwrap(),
        [(user_id(3), None), (user_id(7), None)]
    );
    let stats = odin.stats().await;
    assert_eq!(
        stats.count_for_group("PUT", "/api/v2/groups/hunt-groups", "grp01"),
        11
    );
    assert_eq!(
        stats.count_for_group("POST", &format!("/api/v2{remove}"), "grp01"),
        2
    );
}

#[tokio::test]
async fn call_center_agent_lists_are_replaced_whole() {
    let odin = members(MemberVariant::default()).await;
    let path = "/groups/call-centers/agents";
    let body = |agents: Value| json!({"serviceUserId": cc(2), "agents": agents});
    odin.put_json(
        path,
        body(json!([{"userId": user_id(7), "skillLevel": 3}, {"userId": user_id(1)}])),
    )
    .await;
    assert_eq!(
        odin.sim.agents(&cc(2)).unwrap(),
        [(user_id(7), Some(3)), (user_id(1), None)]
    );
    // A skill level sent alone replaces the list too (the default answer).
    odin.put_json(
        path,
        body(json!([{"userId": user_id(3), "skillLevel": 20}])),
    )
    .await;
    assert_eq!(odin.sim.agents(&cc(2)).unwrap(), [(user_id(3), Some(20))]);
    for (agents, reason) in [
        (json!([{"userId": user_id(9)}]), "licence"),
        (json!([{"userId": user_id(3), "skillLevel": 21}]), "1 to 20"),
    ] {
        assert!(
            refused(&odin, Method::PUT, path, body(agents))
                .await
                .contains(reason)
        );
    }
    // A Standard licence is not enough for a Premium call center.
    let premium = json!({"serviceUserId": cc(1), "agents": [{"userId": user_id(5)}]});
    assert!(
        refused(&odin, Method::PUT, path, premium)
            .await
            .contains("Premium")
    );
    assert!(
        refused(&odin, Method::PUT, path, json!({"serviceUserId": cc(2)}))
            .await
            .contains("agents")
    );
    odin.put_json(path, body(json!([]))).await;
    assert_eq!(odin.sim.agents(&cc(2)).unwrap(), []);
    let stats = odin.stats().await;
    assert_eq!(
        stats.count_for_group("PUT", "/api/v2/groups/call-centers/agents", "grp01"),
        7
    );
}
