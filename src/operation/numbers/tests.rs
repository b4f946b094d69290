use serde_json::json;

use super::*;

#[test]
fn one_number_has_several_spellings() {
    for spelling in [
        "+1-5555550100",
        "5555550100",
        "(555) 555-0100",
        " 555.555.0100 ",
    ] {
        assert_eq!(national(spelling), "5555550100", "{spelling}");
    }
    assert_eq!(spelled("5555550100", Some("1")), "+1-5555550100");
    assert_eq!(spelled("5555550100", None), "5555550100");
}

#[test]
fn ranges_expand_and_the_fixture_reads_as_the_group_holds_it() {
    assert_eq!(
        expand("+1-5555550101", Some("+1-5555550103")),
        ["5555550101", "5555550102", "5555550103"]
    );
    assert_eq!(expand("+1-5555550100", Some("")), ["5555550100"]);
    let fixture = include_str!("../../odin/fixtures/group-dns-details.json");
    let answer: Value = serde_json::from_str(fixture).unwrap();
    let list = parse_details(&answer).unwrap();
    assert_eq!(list.country_code.as_deref(), Some("1"));
    assert_eq!(list.numbers.len(), 12, "0100 to 0111");
    // The group's CLID row holds nobody; the paging group's row for the same number does.
    let clid = &list.numbers["5555550100"];
    assert_eq!(clid.holder.as_deref(), Some("paging.lobby@example.net"));
    assert_eq!(clid.holder_kind.as_deref(), Some("Group Paging"));
    assert!(list.numbers["5555550102"].holder.is_none());
    assert!(list.numbers["5555550104"].activated);
    assert_eq!(
        list.numbers["5555550104"].holder.as_deref(),
        Some("5555550104@example.net")
    );
    // Service instances' extensions (JSON numbers there); a hunt group's null is none.
    let aa = (
        "aa.main@example.net".to_string(),
        "Auto Attendant".to_string(),
    );
    assert_eq!(list.services.get("50108"), Some(&aa));
    assert!(list.services.contains_key("50100"), "the paging group");
    assert!(list.services.values().all(|(_, kind)| kind != "Hunt Group"));
    assert!(list.services.values().all(|(_, kind)| kind != "Normal"));
}

#[test]
fn a_document_names_the_number_the_user_holds() {
    let mut list = GroupList {
        country_code: Some("1".into()),
        ..GroupList::default()
    };
    list.numbers.insert(
        "5555550104".into(),
        NumberState {
            activated: true,
            holder: Some("u@x".into()),
            holder_kind: Some("Normal".into()),
        },
    );
    let doc = document(&list, Resource::Activation, "u@x");
    assert_eq!(doc[""], json!({"activated": true, "number": "5555550104"}));
    assert_eq!(doc["5555550104"], json!({"activated": true}));
    assert_eq!(doc[COUNTRY_CODE], json!("1"));
    let doc = document(&list, Resource::Numbers, "u@x");
    assert_eq!(doc["5555550104"], json!({"countryCode": "1"}));
    assert!(doc.get("").is_none());
    // Read for another user: who holds it, which a rollback's removal of it minds.
    let doc = document(&list, Resource::Numbers, "v@x");
    assert_eq!(
        doc["5555550104"],
        json!({"countryCode": "1", "heldBy": "u@x"})
    );
    assert_eq!(
        held(&doc, "5555550104", &Value::Null).as_deref(),
        Some("kept: number 5555550104 is held by `u@x` now, so it stays in the group")
    );
    assert_eq!(held(&doc, "5555550104", &json!({})), None);
}

#[test]
fn a_sheets_country_code_is_told_where_its_spelling_names_one() {
    assert_eq!(country_code_of("+44-2071234567").as_deref(), Some("44"));
    assert_eq!(country_code_of("+1 (555) 555-0100").as_deref(), Some("1"));
    assert_eq!(country_code_of("tel:+15555550100").as_deref(), Some("1"));
    assert_eq!(country_code_of("5555550100"), None);
    assert_eq!(country_code_of("+442071234567"), None);
}

#[test]
fn a_put_answer_is_the_list_and_anything_else_is_not() {
    // `PUT /groups/dns` answers the group's whole list in the GET shape (API.md §12).
    let answer: serde_json::Value =
        serde_json::from_str(include_str!("../../odin/fixtures/group-dns.json")).expect("json");
    let doc = crate::operation::group_answer(Resource::Activation, &answer).expect("a list");
    assert_eq!(doc["5555550104"], json!({"activated": true}));
    assert_eq!(doc["5555550100"], json!({"activated": false}));
    assert_eq!(doc["5555550102"], json!({"activated": false}));
    let doc = crate::operation::group_answer(Resource::Numbers, &answer).expect("a list");
    // A number's entry carries the list's country code (what a sheet's `+cc-` is held to).
    assert_eq!(doc["5555550101"], json!({"countryCode": "1"}));
    assert!(doc.get("5555550200").is_none());
    for other in [json!({}), json!(null), json!([]), json!({"dns": "none"})] {
        assert!(
            crate::operation::group_answer(Resource::Activation, &other).is_none(),
            "{other}"
        );
    }
    // An activation entry names its number; the list keys it by that number.
    let (key, entry) = crate::operation::group_entry(
        Resource::Activation,
        "u1@x",
        "",
        &json!({"activated": true, NUMBER: "5555550104"}),
    );
    assert_eq!(
        (key.as_str(), entry),
        ("5555550104", json!({"activated": true}))
    );
    assert!(crate::operation::write_answers_list(Resource::Activation));
    assert!(!crate::operation::write_answers_list(Resource::Numbers));
    assert!(crate::operation::same_group_list(
        Resource::Numbers,
        Resource::Activation
    ));
    assert!(!crate::operation::same_group_list(
        Resource::Numbers,
        Resource::SharedCallAppearance
    ));
}

#[test]
fn a_number_with_a_fraction_is_not_a_phone_number_but_dotted_groups_are() {
    for fraction in ["555300001.5", "5553000011.5", "5553000.01"] {
        let problem = spelling_problem(fraction).expect("refused");
        assert!(problem.contains("with a fraction"), "{problem}");
    }
    for dotted in [
        "555.300.0015",
        "1.555.300.0015",
        "+44.20.7123.4567",
        "+1-5553000015",
    ] {
        assert_eq!(spelling_problem(dotted), None, "{dotted}");
    }
}
