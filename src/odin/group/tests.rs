use serde_json::{Value, json};

use super::*;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

const GROUPS: &str = include_str!("../fixtures/groups.json");
const USERS: &str = include_str!("../fixtures/group-users.json");
const ALWAYS: &str = include_str!("../fixtures/bulk-call-forwarding-always.json");
const BUSY: &str = include_str!("../fixtures/bulk-call-forwarding-busy.json");
const NO_ANSWER: &str = include_str!("../fixtures/bulk-call-forwarding-no-answer.json");
const NOT_REACHABLE: &str = include_str!("../fixtures/bulk-call-forwarding-not-reachable.json");

#[test]
fn groups_of_the_real_example() {
    let groups = parse_groups(&fixture(GROUPS)).unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].service_provider_id, "test.mock.ent1");
    assert_eq!(groups[0].group_id, "otest.mock.grp1");
    assert_eq!(groups[1].group_name.as_deref(), Some("Group 5"));
    assert_eq!(groups[1].user_limit, Some(25));
}

#[test]
fn groups_tolerate_numbers_and_strings() {
    let groups =
        parse_groups(&json!([{"groupId": 42, "serviceProviderId": "sp", "userLimit": "7"}]))
            .unwrap();
    assert_eq!(groups[0].group_id, "42");
    assert_eq!(groups[0].user_limit, Some(7));
    assert_eq!(groups[0].group_name, None);
    assert!(parse_groups(&json!([{"groupId": "g"}])).is_err());
    assert!(parse_groups(&json!({"groupId": "g"})).is_err());
}

#[test]
fn users_of_the_real_example_keep_their_values() {
    let users = parse_users(&fixture(USERS)).unwrap();
    assert_eq!(users.len(), 3);
    // Quirk 2: names and phone numbers as JSON numbers stay as Odin sent them.
    assert_eq!(users[0]["lastName"], json!(1));
    assert_eq!(users[1]["pagerPhoneNumber"], json!(9871515000u64));
    assert_eq!(users[0]["passwordExpiresDays"], json!("-2147483648"));
    assert!(parse_users(&json!([{"lastName": "x"}])).is_err());
}

#[test]
fn bulk_settings_match_the_settings_document() {
    let always = parse_bulk(&fixture(ALWAYS), BulkService::CallForwardingAlways).unwrap();
    assert_eq!(
        always["9709580001@example.net"],
        Some(json!({"isActive": false, "isRingSplashActive": false}))
    );
    // Quirk 1: the unset number is omitted, and stays omitted.
    let busy = parse_bulk(&fixture(BUSY), BulkService::CallForwardingBusy).unwrap();
    assert_eq!(
        busy["9709580002@example.net"],
        Some(json!({"isActive": false}))
    );
    let reachable = parse_bulk(
        &fixture(NOT_REACHABLE),
        BulkService::CallForwardingNotReachable,
    )
    .unwrap();
    assert_eq!(reachable.len(), 2);
}

#[test]
fn unassigned_services_are_none_and_numbers_stay_numbers() {
    let no_answer = parse_bulk(&fixture(NO_ANSWER), BulkService::CallForwardingNoAnswer).unwrap();
    assert_eq!(no_answer.len(), 5);
    assert_eq!(
        no_answer["9709580001@example.net"],
        Some(json!({"isActive": true, "forwardToPhoneNumber": 5133334444u64, "numberOfRings": 4}))
    );
    for n in 3..=5 {
        assert_eq!(no_answer[&format!("970958000{n}@example.net")], None);
    }
}

#[test]
fn bulk_flags_as_strings_and_wrong_services() {
    let body = json!([
        {"service": {"assigned": "true", "serviceName": "Call Forwarding Busy"},
         "user": {"userId": 5551234}, "data": {"isActive": "false"}},
        {"service": {"assigned": "false", "serviceName": "Call Forwarding Busy"},
         "user": {"userId": "b@x"}, "data": {}},
    ]);
    let busy = parse_bulk(&body, BulkService::CallForwardingBusy).unwrap();
    assert_eq!(busy["5551234"], Some(json!({"isActive": "false"})));
    assert_eq!(busy["b@x"], None);
    assert!(parse_bulk(&body, BulkService::CallForwardingAlways).is_err());
    assert!(parse_bulk(&json!([{"data": {}}]), BulkService::CallForwardingBusy).is_err());
}

#[test]
fn services_know_their_names_and_paths() {
    for service in BulkService::ALL {
        // Voice Messaging's element holds one part of the service: it stands for no key.
        let expected = (service != BulkService::VoiceMessaging).then_some(service);
        assert_eq!(
            BulkService::from_service_name(service.service_name()),
            expected
        );
        assert_eq!(service.path(), format!("/users/{}/bulk", service.slug()));
    }
    assert_eq!(BulkService::from_service_name("Do Not Disturb"), None);
    let writable: Vec<&str> = BulkService::ALL
        .iter()
        .filter(|s| s.writable())
        .map(|s| s.slug())
        .collect();
    assert_eq!(
        writable,
        [
            "call-forwarding-always",
            "call-forwarding-busy",
            "call-forwarding-no-answer",
            "call-forwarding-not-reachable",
            "call-recording",
            "calling-line-id-delivery-blocking",
            "hoteling-host",
            "hoteling-guest"
        ]
    );
}

#[test]
fn every_bulk_shape_reads() {
    let user = json!([{
        "service": {"assigned": true, "serviceName": "Call Recording"},
        "user": {"userId": "a@x", "lastName": "A"},
        "data": {"recordingOption": "Always", "userId": "a@x"}
    }, {
        "service": {"assigned": false, "serviceName": "Call Recording"},
        "user": {"userId": "b@x"},
        "data": {}
    }]);
    let read = parse_bulk_elements(&user, BulkService::CallRecording).unwrap();
    assert_eq!(
        read["a@x"].settings,
        Some(json!({"recordingOption": "Always"}))
    );
    assert_eq!(
        read["a@x"].summary,
        json!({"userId": "a@x", "lastName": "A"})
    );
    assert_eq!(read["b@x"].settings, None);
    let profile = json!([{
        "service": {"assigned": "true", "serviceName": "Automatic Callback"},
        "profile": {"userId": 7, "firstName": "N"},
        "data": {"isActive": false}
    }]);
    let read = parse_bulk_elements(&profile, BulkService::AutomaticCallback).unwrap();
    assert_eq!(read["7"].summary, json!({"userId": 7, "firstName": "N"}));
    assert_eq!(read["7"].settings, Some(json!({"isActive": false})));
    let object = json!({"serviceProviderId": "sp", "groupId": "g", "users": [{
        "userId": "c@x",
        "service": {"assigned": true, "serviceName": "Speed Dial 8"},
        "data": {"speedCodes": [{"speedCode": "2", "phoneNumber": 5551}]}
    }, {
        "userId": "d@x",
        "service": {"serviceName": "Speed Dial 8"},
        "data": {}
    }]});
    let read = parse_bulk_elements(&object, BulkService::SpeedDial8).unwrap();
    assert_eq!(
        read["c@x"].settings,
        Some(json!({"speedCodes": [{"speedCode": "2", "phoneNumber": 5551}]}))
    );
    // No summary: the element's own id stands for the user; no flag and no data: unknown.
    assert_eq!(read["c@x"].summary, json!({"userId": "c@x"}));
    assert!(!read.contains_key("d@x"));
    assert!(parse_bulk_elements(&user, BulkService::SpeedDial8).is_err());
}

#[test]
fn filters_match_like_odin() {
    let filter = UserFilter {
        field: "dn".into(),
        pattern: "*1234".into(),
    };
    assert!(filter.matches(&json!({"phoneNumber": 5551234})));
    assert!(!filter.matches(&json!({"phoneNumber": "+15559999"})));
    assert!(wildcard("Tur*", "Turing"));
    assert!(wildcard("*uri*", "Turing"));
    assert!(wildcard("*", "x"));
    assert!(!wildcard("Tur", "Turing"));
}

#[test]
fn elements_that_do_not_say_stand_for_nothing() {
    let body = json!([
        {"user": {"userId": "a@x"}, "data": {}},
        {"service": {"assigned": true}, "user": {"userId": "b@x"}},
        {"service": {"assigned": false}, "profile": {"userId": "c@x"}, "data": {}},
        {"user": {"userId": "d@x"}, "data": {"isActive": true, "userId": "d@x"}},
    ]);
    let busy = parse_bulk(&body, BulkService::CallForwardingBusy).unwrap();
    assert!(!busy.contains_key("a@x") && !busy.contains_key("b@x"));
    assert_eq!(busy["c@x"], None);
    assert_eq!(busy["d@x"], Some(json!({"isActive": true})));
}

#[test]
fn a_row_holds_only_what_it_has_in_the_records_shape() {
    let path = |text: &str| crate::notation::parse_relative(text).unwrap();
    let row = json!({"extension": "1001", "department": "Sales (g1)", "emailAddress": null,
                     "accessDeviceEndpoint": {"linePort": "x"}, "aliases": []});
    assert!(holds(&row, &path("extension")));
    assert!(holds(&row, &path("emailAddress")));
    assert!(holds(&row, &path("accessDeviceEndpoint.linePort")));
    assert!(holds(&row, &path("aliases[0]")));
    assert!(!holds(&row, &path("address.city")));
    assert!(!holds(&row, &path("department.name")));
    assert!(!holds(&row, &path("department")));
    assert!(!holds(&json!({"address": null}), &path("address.city")));
    assert!(!holds(&row, &path("callingLineIdPhoneNumber")));
}

#[test]
fn not_found_says_its_subject_once() {
    let what = "service provider `x`".to_string();
    let echoed = GroupReadError::NotFound {
        what: what.clone(),
        details: "service provider `x` not found".into(),
    };
    assert_eq!(echoed.to_string(), "service provider `x` not found");
    let terse = GroupReadError::NotFound {
        what,
        details: "no such thing".into(),
    };
    assert_eq!(
        terse.to_string(),
        "service provider `x` not found: no such thing"
    );
}
