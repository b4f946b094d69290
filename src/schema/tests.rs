use super::*;

fn schema() -> Schema {
    Schema::builtin().expect("embedded schema parses")
}

fn type_of(path: &str) -> Result<FieldType, SchemaError> {
    schema().field_type(&FieldPath::parse(path).expect("valid notation"))
}

#[test]
fn fixtures_give_the_73_settings_services() {
    let schema = schema();
    let services = schema.settings_services();
    assert_eq!(services.len(), 73);
    assert!(services.contains(&"Automatic Hold/Retrieve"));
    assert!(services.contains(&"Integrated IMP"));
}

#[test]
fn types_come_from_example_values() {
    assert_eq!(
        type_of("settings.Call Forwarding Always.isActive"),
        Ok(FieldType::Bool)
    );
    assert_eq!(
        type_of("settings.Call Forwarding No Answer.numberOfRings"),
        Ok(FieldType::Integer)
    );
    assert_eq!(type_of("policy.clidPolicy"), Ok(FieldType::Text));
    assert_eq!(
        type_of("policy.maxSimultaneousCalls"),
        Ok(FieldType::Integer)
    );
    assert_eq!(type_of("user.address.city"), Ok(FieldType::Text));
    assert_eq!(type_of("user.allowVideo"), Ok(FieldType::Bool));
    assert_eq!(
        type_of("settings.CommPilot Express.busy.voiceMailNotify.sendEmail"),
        Ok(FieldType::BoolText)
    );
    assert_eq!(
        type_of("settings.Voice Messaging User.Voice Messaging User.isActive"),
        Ok(FieldType::Bool)
    );
}

#[test]
fn phone_numbers_are_text_even_when_examples_hold_numbers() {
    assert_eq!(
        type_of("settings.Call Forwarding Always.forwardToPhoneNumber"),
        Ok(FieldType::Text)
    );
    assert_eq!(
        type_of("settings.Authentication.userName"),
        Ok(FieldType::Text)
    );
}

#[test]
fn omitted_fields_come_from_the_supplement() {
    assert_eq!(
        type_of("settings.Call Forwarding Busy.forwardToPhoneNumber"),
        Ok(FieldType::Text)
    );
    assert_eq!(type_of("user.mobilePhoneNumber"), Ok(FieldType::Text));
    // The fixture's own fields survive the merge.
    assert_eq!(
        type_of("settings.Call Forwarding Busy.isActive"),
        Ok(FieldType::Bool)
    );
}

#[test]
fn lists_index_into_their_elements() {
    assert_eq!(
        type_of("settings.Sequential Ring.locations[0].phoneNumber"),
        Ok(FieldType::Text)
    );
    assert_eq!(
        type_of("settings.Sequential Ring.locations[4].numberOfRings"),
        Ok(FieldType::Integer)
    );
    assert_eq!(
        type_of("settings.Sequential Ring.locations"),
        Ok(FieldType::List)
    );
    // Empty example lists and nulls say nothing about what is inside.
    assert_eq!(
        type_of("settings.Classmark[0].anything"),
        Ok(FieldType::Any)
    );
    assert_eq!(
        type_of("settings.Alternate Numbers.alternateEntries[0].phoneNumber"),
        Ok(FieldType::Text)
    );
    assert_eq!(
        type_of("settings.Alternate Numbers.alternateEntries[0].ringPattern"),
        Ok(FieldType::Any)
    );
}

#[test]
fn unknown_names_suggest_the_nearest() {
    assert_eq!(
        type_of("settings.Call Forwardng Always.isActive")
            .unwrap_err()
            .to_string(),
        "unknown service `Call Forwardng Always`; did you mean `Call Forwarding Always`?"
    );
    assert_eq!(
        type_of("settings.Call Forwarding Always.isActiv")
            .unwrap_err()
            .to_string(),
        "`settings.Call Forwarding Always` has no field `isActiv`; did you mean `isActive`? \
         (known: forwardToPhoneNumber, isActive, isRingSplashActive)"
    );
    assert_eq!(
        type_of("user.extensoin").unwrap_err().to_string(),
        "`user` has no field `extensoin`; did you mean `extension`?"
    );
    assert_eq!(
        type_of("settings.Integrated IM&P.isActive")
            .unwrap_err()
            .to_string(),
        "unknown service `Integrated IM&P`; did you mean `Integrated IMP`?"
    );
}

#[test]
fn shape_mistakes_are_explained() {
    assert!(matches!(
        type_of("settings.Sequential Ring.locations.phoneNumber"),
        Err(SchemaError::NeedsIndex(_))
    ));
    assert!(matches!(
        type_of("user.extension[0]"),
        Err(SchemaError::NotAList { .. })
    ));
    assert!(matches!(
        type_of("settings.Do Not Disturb.isActive.x"),
        Err(SchemaError::NotAnObject { .. })
    ));
    assert_eq!(type_of("user.userId"), Err(SchemaError::IdentityKey));
    assert!(matches!(
        type_of("services.add"),
        Err(SchemaError::UnknownAction(..))
    ));
    assert_eq!(type_of("packs.unassign"), Ok(FieldType::Text));
}

#[test]
fn user_services_include_licence_names_and_settings_keys() {
    let schema = schema();
    assert!(schema.is_user_service("Integrated IM&P"));
    assert!(schema.is_user_service("Three-Way Call"));
    assert!(schema.is_user_service("Call Forwarding Not Reachable"));
    assert!(!schema.is_user_service("Voicemail"));
    assert_eq!(
        schema.closest_user_service("Do Not Disturbe").as_deref(),
        Some("Do Not Disturb")
    );
}
