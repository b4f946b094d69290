use serde_json::json;

use super::*;

fn step(resource: Resource, patch: Value) -> Step {
    Step::from_patch(resource, patch.as_object().cloned().unwrap_or_default()).unwrap()
}

#[test]
fn only_differing_fields_are_written() {
    let live = json!({"Call Forwarding Always": {"isActive": false, "forwardToPhoneNumber": 1234, "isRingSplashActive": false}});
    let d = diff(
        &step(
            Resource::Settings,
            json!({"Call Forwarding Always.isActive": true, "Call Forwarding Always.forwardToPhoneNumber": "1234",
                   "Call Forwarding Always.isRingSplashActive": false}),
        ),
        &live,
    )
    .unwrap();
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].before, Some(json!(false)));
    assert_eq!(
        d.body,
        Some(json!({"Call Forwarding Always": {"isActive": true}}))
    );
}

#[test]
fn nothing_differs_means_no_write() {
    let live = json!({"extension": "1001", "title": null});
    let d = diff(
        &step(Resource::User, json!({"extension": "1001", "title": null})),
        &live,
    )
    .unwrap();
    assert_eq!(
        d,
        StepDiff {
            changes: vec![],
            restore: vec![],
            services: ServiceChanges::default(),
            body: None
        }
    );
}

#[test]
fn absent_fields_have_no_before_value() {
    let live = json!({"Call Forwarding Busy": {"isActive": false}});
    let d = diff(
        &step(
            Resource::Settings,
            json!({"Call Forwarding Busy.forwardToPhoneNumber": "+1555"}),
        ),
        &live,
    )
    .unwrap();
    assert_eq!(d.changes[0].before, None);
}

#[test]
fn changes_inside_lists_write_the_whole_list() {
    let live = json!({"Sequential Ring": {"locations": [{"phoneNumber": "", "numberOfRings": 3}, {"phoneNumber": "", "numberOfRings": 3}]}});
    let d = diff(
        &step(
            Resource::Settings,
            json!({"Sequential Ring.locations[0].phoneNumber": "+1555", "Sequential Ring.locations[1].numberOfRings": 5}),
        ),
        &live,
    )
    .unwrap();
    assert_eq!(
        d.body,
        Some(
            json!({"Sequential Ring": {"locations": [{"phoneNumber": "+1555", "numberOfRings": 3}, {"phoneNumber": "", "numberOfRings": 5}]}})
        )
    );
}

#[test]
fn nested_objects_are_written_whole_and_restored_whole() {
    let live = json!({"extension": "1", "address": {"city": "A", "country": "US", "zipOrPostalCode": "45204"}});
    let d = diff(
        &step(
            Resource::User,
            json!({"address.city": "B", "address.addressLine1": "Bldg 2", "extension": "1"}),
        ),
        &live,
    )
    .unwrap();
    assert_eq!(
        d.body,
        Some(
            json!({"address": {"city": "B", "country": "US", "zipOrPostalCode": "45204", "addressLine1": "Bldg 2"}})
        )
    );
    // Plans and results show the fields; undo restores the object.
    let shown: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(shown, ["address.addressLine1", "address.city"]);
    assert_eq!(
        d.restore,
        [("address".to_string(), Some(live["address"].clone()))]
    );
    // No object yet: one is made, and undo removes it.
    let d = diff(
        &step(Resource::User, json!({"department.name": "Sales"})),
        &json!({}),
    )
    .unwrap();
    assert_eq!(d.body, Some(json!({"department": {"name": "Sales"}})));
    assert_eq!(d.restore, [("department".to_string(), None)]);
    // Restoring a whole object (a rollback entry) shows the fields that change in it.
    let d = diff(
        &step(
            Resource::User,
            json!({"address": {"city": "A", "country": "US", "zipOrPostalCode": "45204"}}),
        ),
        &json!({"address": {"city": "B", "country": "US", "zipOrPostalCode": "45204", "addressLine1": "x"}}),
    )
    .unwrap();
    let shown: Vec<(&str, &Value)> = d
        .changes
        .iter()
        .map(|c| (c.path.as_str(), &c.after))
        .collect();
    assert_eq!(
        shown,
        [
            ("address.addressLine1", &json!(null)),
            ("address.city", &json!("A"))
        ]
    );
    assert_eq!(d.restore.len(), 1);
    assert_eq!(
        d.body,
        Some(
            json!({"address": {"city": "A", "country": "US", "zipOrPostalCode": "45204", "addressLine1": null}})
        )
    );
}

#[test]
fn objects_below_a_service_are_written_whole() {
    let live = json!({"Voice Messaging User": {"Voice Messaging User": {"isActive": false, "userId": "u", "processing": "Unified Voice and Email Messaging"}, "Voice Messaging User Advanced": {"mailServerSelection": "Group Mail Server"}}});
    let d = diff(
        &step(
            Resource::Settings,
            json!({"Voice Messaging User.Voice Messaging User.isActive": true}),
        ),
        &live,
    )
    .unwrap();
    assert_eq!(
        d.body,
        Some(
            json!({"Voice Messaging User": {"Voice Messaging User": {"isActive": true, "userId": "u", "processing": "Unified Voice and Email Messaging"}}})
        )
    );
    assert_eq!(d.restore[0].0, "Voice Messaging User.Voice Messaging User");
    // A service's own fields stay partial.
    let d = diff(
        &step(Resource::Settings, json!({"Do Not Disturb.isActive": true})),
        &json!({"Do Not Disturb": {"isActive": false, "ringSplash": false}}),
    )
    .unwrap();
    assert_eq!(d.body, Some(json!({"Do Not Disturb": {"isActive": true}})));
}

#[test]
fn services_diff_against_the_listing() {
    let live = json!({"userServices": [{"serviceName": "Do Not Disturb", "assigned": true}, {"serviceName": "Call Notify", "assigned": false}],
                      "servicePackServices": [{"serviceName": "SIP-DID", "assigned": true}]});
    let d = diff(
        &step(
            Resource::Services,
            json!({"userServices.Do Not Disturb": true, "userServices.Call Notify": true, "servicePackServices.SIP-DID": false}),
        ),
        &live,
    )
    .unwrap();
    assert_eq!(d.changes.len(), 2);
    assert_eq!(
        d.body,
        Some(
            json!({"userServices": [{"serviceName": "Call Notify", "assigned": true}],
                    "servicePackServices": [{"serviceName": "SIP-DID", "assigned": false}]})
        )
    );
}

#[test]
fn services_are_sent_as_the_listing_spells_them() {
    for (sheet, listed) in [
        ("Integrated IM&P", "Integrated IMP"),
        ("Integrated IMP", "Integrated IM&P"),
        ("Integrated IMP", "Integrated IMP"),
    ] {
        let live = json!({"userServices": [{"serviceName": listed, "assigned": "false"}]});
        let key = format!("userServices.{sheet}");
        let d = diff(
            &step(Resource::Services, json!({ key.clone(): true })),
            &live,
        )
        .unwrap();
        assert_eq!(d.changes[0].path, key);
        assert_eq!(
            d.body,
            Some(json!({"userServices": [{"serviceName": listed, "assigned": true}]}))
        );
        let again = diff(
            &step(Resource::Services, json!({ key: true })),
            &json!({"userServices": [{"serviceName": listed, "assigned": true}]}),
        )
        .unwrap();
        assert_eq!(again.body, None);
    }
}

#[test]
fn loose_equality_follows_odins_types() {
    assert!(same(Some(&json!(5551234)), &json!("5551234")));
    assert!(same(Some(&json!("true")), &json!(true)));
    assert!(same(None, &json!(null)));
    assert!(!same(None, &json!("")));
    assert!(!same(Some(&json!(1)), &json!(true)));
}

#[test]
fn text_compares_in_nfc_either_way() {
    let (composed, decomposed) = ("Zo\u{eb} M\u{fc}ller", "Zoe\u{308} Mu\u{308}ller");
    assert!(same(Some(&json!(composed)), &json!(decomposed)));
    assert!(same(Some(&json!(decomposed)), &json!(composed)));
    assert!(same(Some(&json!([decomposed])), &json!([composed])));
    assert!(same(
        Some(&json!({"name": decomposed})),
        &json!({"name": composed})
    ));
    assert!(!same(Some(&json!(composed)), &json!("Zoe Muller")));
    assert!(!same(Some(&json!([composed, 1])), &json!([composed])));
    // Already as planned: no change shown, no write.
    for (live, sheet) in [(composed, decomposed), (decomposed, composed)] {
        let d = diff(
            &step(Resource::User, json!({"callingLineIdFirstName": sheet})),
            &json!({"callingLineIdFirstName": live}),
        )
        .unwrap();
        assert_eq!((d.changes.len(), d.body), (0, None));
        let nested = diff(
            &step(Resource::User, json!({"address.city": sheet})),
            &json!({"address": {"city": live, "zip": "1"}}),
        )
        .unwrap();
        assert_eq!(nested.body, None);
    }
}

#[test]
fn values_that_print_the_same_are_shown_escaped() {
    assert_eq!(
        look_alike(
            Some(&json!("Zo\u{eb} M\u{fc}ller")),
            &json!("Zo\u{eb}\u{a0}M\u{fc}ller")
        ),
        Some((
            "Zo\u{eb} M\u{fc}ller".to_string(),
            "Zo\u{eb}\\u{a0}M\u{fc}ller".to_string()
        ))
    );
    assert_eq!(
        look_alike(Some(&json!(1001)), &json!("1001\u{200b}")),
        Some(("1001".to_string(), "1001\\u{200b}".to_string()))
    );
    // A visible difference, or nothing to show, is left as it is.
    assert_eq!(look_alike(Some(&json!("1001")), &json!("1002")), None);
    assert_eq!(look_alike(None, &json!("1001")), None);
    assert_eq!(look_alike(Some(&json!(true)), &json!("true")), None);
    // The escapes are only shown: the change still writes the value as it is.
    let d = diff(
        &step(Resource::User, json!({"lastName": "M\u{fc}ller\u{200b}"})),
        &json!({"lastName": "M\u{fc}ller"}),
    )
    .unwrap();
    assert_eq!(d.body, Some(json!({"lastName": "M\u{fc}ller\u{200b}"})));
}

#[test]
fn a_users_numbers_compare_as_national_digits() {
    let live = json!({"phoneNumber": "5555550104", "callingLineIdPhoneNumber": "+15555550100"});
    let same = step(
        Resource::User,
        json!({"callingLineIdPhoneNumber": "5555550100", "phoneNumber": "5555550104"}),
    );
    assert_eq!(diff(&same, &live).unwrap().body, None);
    assert!(holds(
        Resource::User,
        &live,
        "callingLineIdPhoneNumber",
        &json!("5555550100")
    ));
    let other = step(
        Resource::User,
        json!({"callingLineIdPhoneNumber": "5555550101"}),
    );
    assert!(diff(&other, &live).unwrap().body.is_some());
    // Other fields compare as text.
    let name = step(Resource::User, json!({"firstName": "5555550100"}));
    let live = json!({"firstName": "+15555550100"});
    assert!(diff(&name, &live).unwrap().body.is_some());
}
