//! The simulator's group-scale reads (API.md §7a), and `odin::group` reading them through
//! the real client.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sleipnir::odin::group::{self, BulkService, GroupReadError, UserFilter};
use sleipnir::odin::{ClientConfig, Credentials, OdinClient};
use sleipnir::sim::{DEFAULT_PASSWORD, DEFAULT_USERNAME, SimConfig};

use crate::sim_support::{Odin, error, odin, small};

fn ids(listing: &Value) -> Vec<String> {
    listing
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn groups_of_a_service_provider() {
    let odin = small().await;
    let groups = odin.get_json("/groups?serviceProviderId=ent.sim").await;
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 4);
    assert_eq!(groups[0]["groupId"], "grp01");
    assert_eq!(groups[0]["serviceProviderId"], "ent.sim");
    assert!(groups[0]["groupName"].is_string() && groups[0]["userLimit"].is_u64());
    let unknown = odin.get("/groups?serviceProviderId=nope").await;
    assert_eq!(
        error(unknown, StatusCode::NOT_FOUND).await,
        "service provider `nope` not found"
    );
}

#[tokio::test]
async fn users_of_the_enterprise_and_unknown_groups() {
    let odin = small().await;
    let all = odin.get_json("/users?serviceProviderId=ent.sim").await;
    assert_eq!(ids(&all).len(), 20);
    let filtered = odin
        .get_json("/users?serviceProviderId=ent.sim&lastName=Lovelace")
        .await;
    assert!(!ids(&filtered).is_empty() && ids(&filtered).len() < 20);
    let unknown = odin
        .get("/users?serviceProviderId=ent.sim&groupId=grp99")
        .await;
    assert_eq!(
        error(unknown, StatusCode::NOT_FOUND).await,
        "group `grp99` of service provider `ent.sim` not found"
    );
}

#[tokio::test]
async fn bulk_reads_agree_with_the_settings_of_each_user() {
    let odin = small().await;
    for service in BulkService::ALL {
        let path = format!("{}?serviceProviderId=ent.sim&groupId=grp02", service.path());
        let bulk = odin.get_json(&path).await;
        // Every shape (user, profile, the Speed Dial 8 object) reads as the client reads it.
        let elements = group::parse_bulk_elements(&bulk, service).unwrap();
        assert_eq!(elements.len(), 5, "{service}");
        for (user_id, element) in elements {
            assert_eq!(element.summary["userId"], json!(user_id), "{service}");
            let settings = odin
                .get_json(&format!("/users/services/settings?userId={user_id}"))
                .await;
            let name = service.service_name();
            // Voice Messaging's element holds its `Voice Messaging User` part.
            let expected = settings.get(name).map(|stored| match service {
                BulkService::VoiceMessaging => json!({ name: stored[name] }),
                _ => {
                    let mut stored = stored.clone();
                    stored.as_object_mut().unwrap().remove("userId");
                    stored
                }
            });
            assert_eq!(element.settings, expected, "{user_id} {name}");
        }
    }
    let unknown = odin
        .get("/users/call-forwarding-busy/bulk?serviceProviderId=ent.sim&groupId=x")
        .await;
    error(unknown, StatusCode::NOT_FOUND).await;
}

async fn client(odin: &Odin) -> OdinClient {
    let config = ClientConfig {
        rate: 1000.0,
        ..ClientConfig::new(odin.sim.base_url())
    };
    OdinClient::connect(config, Credentials::new(DEFAULT_USERNAME, DEFAULT_PASSWORD))
        .await
        .unwrap()
}

#[tokio::test]
async fn read_group_costs_one_request_per_listing() {
    let odin = odin(SimConfig {
        users: 60,
        groups: 3,
        ..SimConfig::default()
    })
    .await;
    let client = client(&odin).await;
    let before = client.counts().requests;
    let snapshot = group::read_group(&client, "ent.sim", "grp01", &BulkService::ALL, None)
        .await
        .unwrap();
    assert_eq!(
        client.counts().requests - before,
        1 + BulkService::ALL.len() as u64
    );
    assert_eq!(snapshot.users.len(), 20);
    assert!(snapshot.unsupported.is_empty());
    // The hard cases of the seed: unassigned services, numbers as JSON numbers.
    let busy = BulkService::CallForwardingBusy;
    assert!(snapshot.users.iter().any(|u| u.settings[&busy].is_none()));
    assert!(snapshot.users.iter().any(|u| u.settings[&busy].is_some()));
    let user = &snapshot.users[0];
    let settings = odin
        .get_json(&format!(
            "/users/services/settings?userId={}",
            user.user_id()
        ))
        .await;
    for service in BulkService::ALL {
        let name = service.service_name();
        let expected = match service {
            BulkService::VoiceMessaging => Some(json!({ name: settings[name][name] })),
            _ => settings.get(name).cloned(),
        };
        assert_eq!(user.settings[&service], expected, "{name}");
    }
    let filter = UserFilter {
        field: "extension".into(),
        pattern: "0*".into(),
    };
    let zeros = group::read_group(&client, "ent.sim", "grp02", &[busy], Some(&filter))
        .await
        .unwrap();
    assert!(!zeros.users.is_empty());
    assert!(
        zeros
            .users
            .iter()
            .all(|u| u.user["extension"].as_str().unwrap().starts_with('0'))
    );
    let groups = group::list_groups(&client, "ent.sim").await.unwrap();
    assert_eq!(groups.len(), 3);
    let missing = group::read_group(&client, "ent.sim", "grp09", &[], None).await;
    assert!(
        matches!(missing, Err(GroupReadError::NotFound { .. })),
        "{missing:?}"
    );
}

/// A group read holds its users' documents only until each is handed out: once every user
/// of the run in a group has been served, the group's read holds nobody (a 50,000-user run
/// reads groups of thousands, and held them all to the end), and what each user got is what
/// its own GETs answer.
#[tokio::test]
async fn group_reads_are_released_as_their_users_are_served() {
    use std::sync::Arc;

    use sleipnir::live::groups::{DEFAULT_MAX_AGE, GroupReads};
    use sleipnir::live::placement::Placement;
    use sleipnir::resource::Resource;

    let odin = odin(SimConfig {
        users: 30,
        groups: 3,
        ..SimConfig::default()
    })
    .await;
    let client = client(&odin).await;
    let mut text = String::from(
        "userId,user.serviceProviderId,user.groupId,user.extension,\
         settings.Call Forwarding Always.isActive\n",
    );
    for n in 1..=30 {
        let group = sleipnir::sim::group_id((n - 1) % 3 + 1);
        text.push_str(&format!(
            "{},ent.sim,{group},{},true\n",
            sleipnir::sim::user_id(n),
            7000 + n
        ));
    }
    let sheet = sleipnir::sheet::from_bytes(
        std::path::Path::new("released.csv"),
        text.into_bytes(),
        &Default::default(),
    )
    .unwrap();
    let schema = sleipnir::schema::Schema::builtin().unwrap();
    let plan = sleipnir::plan::build(&sheet, None, &schema).unwrap();
    let reads = GroupReads::plan(
        &plan.users,
        DEFAULT_MAX_AGE,
        Arc::new(Placement::default()),
        &Default::default(),
    );
    assert!(plan.users.iter().all(|user| reads.covers(user)));
    assert_eq!(
        reads.held().await,
        0,
        "nothing is read before it is asked for"
    );
    let first_group: Vec<_> = plan
        .users
        .iter()
        .filter(|user| user.group_id.as_deref() == Some("grp01"))
        .collect();
    assert_eq!(first_group.len(), 10);
    for (served, user) in first_group.iter().enumerate() {
        let found = reads.lookup(user, &client).await;
        // The group's read holds the users of the run not served yet, and no more.
        assert_eq!(reads.held().await, 10 - served - 1, "{}", user.user_id);
        let record = client
            .read(Resource::User, &user.user_id)
            .await
            .result
            .unwrap();
        let row = &found.docs[&Resource::User];
        for key in ["userId", "serviceProviderId", "groupId", "extension"] {
            assert_eq!(row[key], record[key], "{} {key}", user.user_id);
        }
        let settings = client
            .read(Resource::Settings, &user.user_id)
            .await
            .result
            .unwrap();
        let name = "Call Forwarding Always";
        let mut expected = settings[name].clone();
        if let Some(fields) = expected.as_object_mut() {
            fields.remove("userId");
        }
        assert_eq!(found.docs[&Resource::Settings][name], expected);
        assert_eq!(
            found.docs[&Resource::Settings]["userId"],
            json!(user.user_id)
        );
    }
    // Asked again, a served user gets nothing from the group (it reads its own), and the
    // group is not read again while its read is fresh.
    let before = odin.stats().await.total;
    let again = reads.lookup(first_group[0], &client).await;
    assert!(again.docs.is_empty());
    assert_eq!(odin.stats().await.total, before);
    // The next group's read holds its own users only.
    let second = plan
        .users
        .iter()
        .find(|u| u.group_id.as_deref() == Some("grp02"));
    reads.lookup(second.unwrap(), &client).await;
    assert_eq!(reads.held().await, 9);
}
