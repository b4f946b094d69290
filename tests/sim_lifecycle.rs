//! The simulator's creation and deletion of users (API.md §14), the extensions hunt groups
//! hold refused to users, the groups' user limit, and the switches for the unknowns of §14
//! and §15.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sleipnir::sim::{
    AgentRows, AgentsOmitted, CreateExtension, DeleteUnknown, HuntGroupRead, MemberVariant,
    SimConfig, SkillPut, UnknownUserRead, service_number, user_id,
};

use crate::sim_members::{cc, fixture, hg, keys, members, refused};
use crate::sim_support::odin;

const SP: &str = "ent.sim";

fn create(user: &str, extra: Value) -> Value {
    let mut body = json!({"serviceProviderId": SP, "groupId": "grp01", "userId": user,
        "lastName": "Halvorsen", "firstName": "Cora", "callingLineIdLastName": "Halvorsen",
        "callingLineIdFirstName": "Cora", "password": "s3cret-enough"});
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

#[tokio::test]
async fn users_are_created_and_deleted() {
    let odin = members(MemberVariant::default()).await;
    let domains = odin
        .get_json(&format!(
            "/groups/domains?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    assert_eq!(
        domains,
        json!({"default": "sim.example.net", "domains": ["sim.example.net"]})
    );
    let rules = odin
        .get_json(&format!(
            "/groups/password-rules?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    assert_eq!(rules["minLength"], 8);

    let cora = "cora@sim.example.net";
    for key in [
        "serviceProviderId",
        "groupId",
        "userId",
        "lastName",
        "firstName",
        "callingLineIdLastName",
        "callingLineIdFirstName",
        "password",
    ] {
        let mut body = create(cora, json!({}));
        body.as_object_mut().unwrap().remove(key);
        assert!(
            refused(&odin, Method::POST, "/users", body)
                .await
                .contains(key),
            "{key}"
        );
    }
    for (user, extra, reason) in [
        (user_id(1).as_str(), json!({}), "already exists"),
        (hg(1).as_str(), json!({}), "already exists"),
        ("cora@elsewhere.net", json!({}), "<name>@sim.example.net"),
        (cora, json!({"password": "short"}), "8 to 60"),
        (
            cora,
            json!({"phoneNumber": "5553000000"}),
            "not assigned to group",
        ),
        (
            cora,
            json!({"phoneNumber": "5551000001"}),
            "user `user00001",
        ),
        (cora, json!({"phoneNumber": "5554000101"}), "hunt group"),
        (cora, json!({"extension": "1001"}), "user `user00001"),
        (cora, json!({"extension": "50102"}), "hunt group `hg2.grp01"),
        (cora, json!({"extension": "1"}), "2 to 6 digits"),
        (cora, json!({"extension": "1234567"}), "2 to 6 digits"),
        (
            cora,
            json!({"activatePhoneNumber": "true"}),
            "activatePhoneNumber",
        ),
    ] {
        let text = refused(&odin, Method::POST, "/users", create(user, extra)).await;
        assert!(text.contains(reason), "{user}: {text}");
        assert!(!text.contains("s3cret-enough"));
    }
    assert!(!odin.sim.has_user(cora));

    let created = odin
        .send_json(
            Method::POST,
            "/users",
            create(
                cora,
                json!({"phoneNumber": "+1-5552010004", "extension": "7001",
                                "emailAddress": "cora@example.net"}),
            ),
        )
        .await;
    let example = fixture("user-create.json");
    assert_eq!(created.as_array().unwrap().len(), 1);
    assert_eq!(keys(&created[0]), keys(&example[0]));
    assert_eq!(created[0]["phoneNumber"], "5552010004");
    assert_eq!(created[0]["phoneNumberActivated"], true);
    assert_eq!(created[0]["emailAddress"], "cora@example.net");
    assert_eq!(
        odin.get_json(&format!("/users?userId={cora}")).await,
        created[0]
    );
    assert_eq!(
        odin.sim.credentials(cora).unwrap().web_password.as_deref(),
        Some("s3cret-enough")
    );
    let services = odin.state(cora).await["services"]["userServices"].clone();
    assert!(
        services
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["assigned"] == false)
    );
    // The new user can join a hunt group at once.
    let mut whole = odin
        .get_json(&format!("/groups/hunt-groups?serviceUserId={}", hg(1)))
        .await;
    whole["agents"]
        .as_array_mut()
        .unwrap()
        .push(json!({"userId": cora}));
    odin.put_json("/groups/hunt-groups", whole).await;
    let list = odin.sim.numbers(SP, "grp01").list;
    assert_eq!(list.get("5552010004"), Some(&true));

    // Deleting takes it out of every list; its number stays in the group, unassigned.
    let gone = odin
        .send(
            Method::DELETE,
            &format!("/users?userId={cora}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(gone.status(), StatusCode::OK);
    assert_eq!(gone.json::<Value>().await.unwrap(), json!([]));
    assert!(!odin.sim.has_user(cora));
    assert!(
        odin.sim
            .agents(&hg(1))
            .unwrap()
            .iter()
            .all(|(id, _)| id != cora)
    );
    let free = odin
        .get_json(&format!(
            "/groups/dns?serviceProviderId={SP}&groupId=grp01&q=available"
        ))
        .await;
    assert!(
        free["dns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["min"] == "+1-5552010004")
    );
    let user3 = user_id(3);
    let deleted = odin
        .send(Method::DELETE, &format!("/users?userId={user3}"), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        odin.sim.agents(&hg(2)).unwrap(),
        [(user_id(5), None), (user_id(7), None)]
    );
    assert_eq!(odin.sim.agents(&cc(1)).unwrap(), [(user_id(1), Some(1))]);
    let again = odin
        .send(Method::DELETE, &format!("/users?userId={user3}"), None)
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let missing = odin.get(&format!("/users?userId={user3}")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // Its extension is free again.
    odin.send_json(
        Method::POST,
        "/users",
        create(cora, json!({"extension": "1003"})),
    )
    .await;
}

#[tokio::test]
async fn a_service_extension_is_refused_to_users_and_groups_fill_up() {
    let sim = members(MemberVariant::default()).await;
    let body = json!({"userId": user_id(1), "serviceProviderId": SP, "groupId": "grp01",
                      "extension": "50101"});
    let text = refused(&sim, Method::PUT, "/users", body).await;
    assert!(
        text.contains("hunt group `hg1.grp01@sim.example.net`"),
        "{text}"
    );

    // A group of 99 users may hold 100.
    let full = odin(SimConfig {
        users: 99,
        groups: 1,
        ..SimConfig::default()
    })
    .await;
    let groups = full
        .get_json(&format!("/groups?serviceProviderId={SP}"))
        .await;
    assert_eq!(groups[0]["userLimit"], 100);
    full.send_json(
        Method::POST,
        "/users",
        create("one@sim.example.net", json!({})),
    )
    .await;
    let text = refused(
        &full,
        Method::POST,
        "/users",
        create("two@sim.example.net", json!({})),
    )
    .await;
    assert!(text.contains("user limit of 100"), "{text}");
    let none = full
        .get_json(&format!(
            "/groups/hunt-groups?serviceProviderId={SP}&groupId=grp01"
        ))
        .await;
    assert_eq!(none, json!([]), "no hunt groups unless asked for");
}

#[tokio::test]
async fn switches_answer_each_unknown_the_other_way() {
    let odin = members(MemberVariant {
        hunt_group_read: HuntGroupRead::Array,
        hunt_group_agents: AgentRows::Ids,
        skill_put: SkillPut::Merge,
        agents_omitted: AgentsOmitted::Clear,
        delete_unknown: DeleteUnknown::Ok,
        create_extension: CreateExtension::FromNumber,
        unknown_user_read: UnknownUserRead::BadRequest,
    })
    .await;
    let read = odin
        .get_json(&format!("/groups/hunt-groups?serviceUserId={}", hg(1)))
        .await;
    assert_eq!(read.as_array().unwrap().len(), 1);
    assert_eq!(read[0]["agents"][0], json!({"userId": user_id(1)}));
    let settings_only = json!({"serviceProviderId": SP, "groupId": "grp01",
        "serviceUserId": hg(1), "serviceInstanceProfile": {}});
    odin.put_json("/groups/hunt-groups", settings_only).await;
    assert_eq!(odin.sim.agents(&hg(1)).unwrap(), []);

    let path = "/groups/call-centers/agents";
    odin.put_json(
        path,
        json!({"serviceUserId": cc(1), "agents": [{"userId": user_id(3), "skillLevel": 7}]}),
    )
    .await;
    assert_eq!(
        odin.sim.agents(&cc(1)).unwrap(),
        [(user_id(1), Some(1)), (user_id(3), Some(7))]
    );
    // Without a skill level the list is replaced, as always.
    odin.put_json(
        path,
        json!({"serviceUserId": cc(1), "agents": [{"userId": user_id(1)}]}),
    )
    .await;
    assert_eq!(odin.sim.agents(&cc(1)).unwrap(), [(user_id(1), None)]);

    let deleted = odin
        .send(Method::DELETE, "/users?userId=nobody@sim.example.net", None)
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(deleted.json::<Value>().await.unwrap(), json!([]));
    let unknown = odin.get("/users?userId=nobody@sim.example.net").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let text = unknown.text().await.unwrap();
    assert!(text.contains("[Error 4008] User not found"), "{text}");

    let created = odin
        .send_json(
            Method::POST,
            "/users",
            create("cora@sim.example.net", json!({"phoneNumber": "5552010003"})),
        )
        .await;
    assert_eq!(created[0]["extension"], "0003");
    assert_eq!(service_number(1, 1), 5_554_000_101);
}
