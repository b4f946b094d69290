//! A user's credentials step sent (API.md §11): one `PUT` per endpoint the step's
//! credentials live at, in [`Credential::ALL`] order. Nothing is read before (write-only)
//! and nothing can restore them after.

use serde_json::{Map, Value};
use zeroize::Zeroize;

use crate::credentials::{Credential, CredentialChanges, CredentialValue, Secret};
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, OdinClient, OdinError};

/// Send `changes` for the user `identity` names; one call's worth of outcome: the last
/// status, every attempt, and the first failure (later endpoints are not sent after one).
/// A value still `<generate>` or a plan file's `********` is not sent: generated values are
/// filled in before the run (`super::generate`), and a plan file's come from its sheet.
/// `carried` are those another step of the user sent (`crate::operation::carried`): left
/// out, and nothing is sent when they are all.
pub(super) async fn write(
    client: &OdinClient,
    identity: &UserIdentity,
    changes: &CredentialChanges,
    carried: &[Credential],
) -> Call {
    let rest;
    let changes = match carried.is_empty() {
        true => changes,
        false => {
            rest = CredentialChanges(
                changes
                    .0
                    .iter()
                    .filter(|(c, _)| !carried.contains(c))
                    .map(|(c, v)| (*c, v.clone()))
                    .collect(),
            );
            &rest
        }
    };
    let mut outcome = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    let mut sent: Vec<&str> = Vec::new();
    for path in paths(changes) {
        let mut body = Map::new();
        body.insert("userId".into(), Value::String(identity.user_id.clone()));
        let mut secrets: Vec<&Secret> = Vec::new();
        for (credential, value) in changes.0.iter().filter(|(c, _)| c.path() == path) {
            let secret = match value {
                CredentialValue::Given(secret) => secret,
                CredentialValue::Generate | CredentialValue::Redacted => {
                    outcome.result = Err(OdinError::NotSent(format!(
                        "`{credential}` has no value to send (a plan file holds none; \
                         apply it with --credentials SHEET)"
                    )));
                    return outcome;
                }
            };
            if credential.is_secret() {
                secrets.push(secret);
            }
            body.insert(
                credential.body_key().into(),
                Value::String(secret.expose().to_string()),
            );
        }
        let mut body = Value::Object(body);
        let call = client.write_credentials(path, &body, &secrets).await;
        wipe(&mut body);
        outcome.status = call.status;
        outcome.attempts += call.attempts;
        if let Err(mut error) = call.result {
            // Those already set stay set: say which.
            if let OdinError::Http { details, .. } = &mut error
                && !sent.is_empty()
            {
                details.push_str(&format!(
                    " ({}{})",
                    crate::credentials::ALREADY_SET,
                    sent.join(", ")
                ));
            }
            outcome.result = Err(error);
            return outcome;
        }
        sent.extend(
            changes
                .0
                .keys()
                .filter(|c| c.path() == path)
                .map(|c| c.name()),
        );
    }
    outcome
}

/// The endpoints `changes` writes, once each, in order.
fn paths(changes: &CredentialChanges) -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = Vec::new();
    for credential in Credential::ALL {
        if changes.0.contains_key(&credential) && !paths.contains(&credential.path()) {
            paths.push(credential.path());
        }
    }
    paths
}

/// Overwrite every string of a sent body, so its copies of the values do not outlive it.
fn wipe(body: &mut Value) {
    if let Value::Object(map) = body {
        for value in map.values_mut() {
            if let Value::String(text) = value {
                text.zeroize();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_write_per_endpoint_in_order() {
        let mut changes = CredentialChanges::default();
        for credential in [
            Credential::PortalPasscode,
            Credential::SipPassword,
            Credential::SipUserName,
        ] {
            changes
                .0
                .insert(credential, CredentialValue::Given(Secret::new("x".into())));
        }
        assert_eq!(
            paths(&changes),
            ["/users/authentication", "/users/portal-passcode"]
        );
    }
}
