use serde_json::json;

use super::*;

#[test]
fn steps_read_and_write_the_plan_file_shape() {
    let line =
        r#"{"resource":"services","patch":{"servicePackServices.P":false,"userServices.A":true}}"#;
    let step: Step = serde_json::from_str(line).unwrap();
    assert_eq!(step.resource(), Resource::Services);
    assert_eq!(step.len(), 2);
    assert_eq!(serde_json::to_string(&step).unwrap(), line);
    let fields = r#"{"resource":"settings","patch":{"Do Not Disturb.isActive":true}}"#;
    let step: Step = serde_json::from_str(fields).unwrap();
    assert_eq!(step.patch()["Do Not Disturb.isActive"], json!(true));
    assert!(serde_json::from_str::<Step>(r#"{"resource":"services","patch":{"x":true}}"#).is_err());
}

#[test]
fn credential_steps_never_hold_a_secret_in_a_plan_file() {
    use crate::credentials::{Credential, CredentialValue, Secret};
    let mut changes = CredentialChanges::default();
    let given = |v: &str| CredentialValue::Given(Secret::new(v.into()));
    changes.0.insert(Credential::SipUserName, given("sip-a"));
    changes
        .0
        .insert(Credential::SipPassword, given("Marker-1a"));
    changes
        .0
        .insert(Credential::PortalPasscode, CredentialValue::Generate);
    let line = serde_json::to_string(&Step::Credentials(changes)).unwrap();
    assert_eq!(
        line,
        r#"{"resource":"credentials","patch":{"portalPasscode":"<generate>","sipPassword":"********","sipUserName":"sip-a"}}"#
    );
    let Step::Credentials(read) = serde_json::from_str(&line).unwrap() else {
        panic!("a credentials step");
    };
    assert_eq!(read.0[&Credential::SipPassword], CredentialValue::Redacted);
    assert_eq!(read.0[&Credential::SipUserName], given("sip-a"));
    assert_eq!(
        read.0[&Credential::PortalPasscode],
        CredentialValue::Generate
    );
    assert!(read.needs_sheet());
    let unknown = r#"{"resource":"credentials","patch":{"pin":"1"}}"#;
    assert!(serde_json::from_str::<Step>(unknown).is_err());
}

#[test]
fn credentials_run_after_settings_and_before_unassigning() {
    use crate::credentials::{Credential, CredentialValue};
    let mut changes = Changes {
        assign: vec![ServiceRef::service("Authentication")],
        unassign: vec![ServiceRef::service("B")],
        ..Changes::default()
    };
    changes
        .credentials
        .0
        .insert(Credential::WebPassword, CredentialValue::Generate);
    changes
        .fields
        .entry(Resource::Settings)
        .or_default()
        .insert("x".into(), json!(1));
    let order: Vec<Resource> = changes.into_steps().iter().map(Step::resource).collect();
    assert_eq!(
        order,
        [
            Resource::Services,
            Resource::Settings,
            Resource::Credentials,
            Resource::Services
        ]
    );
}

#[test]
fn changes_run_in_the_documented_order() {
    let mut changes = Changes {
        assign: vec![ServiceRef::service("A")],
        unassign: vec![ServiceRef::service("B")],
        ..Changes::default()
    };
    for resource in [Resource::Settings, Resource::User] {
        changes
            .fields
            .entry(resource)
            .or_default()
            .insert("x".into(), json!(1));
    }
    let order: Vec<Resource> = changes.into_steps().iter().map(Step::resource).collect();
    assert_eq!(
        order,
        [
            Resource::Services,
            Resource::User,
            Resource::Settings,
            Resource::Services
        ]
    );
}
