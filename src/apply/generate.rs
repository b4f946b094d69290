//! `<generate>` credentials filled in before a run (API.md §11): one generator request per
//! group and kind (`limit=N`) for web passwords and passcodes, one per value for SIP
//! passwords (their generator takes no group). The values become the plan's, are registered
//! as the run's secrets as they arrive, and are handed back to be written to the run's
//! `credentials.csv` only.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::credentials::{Credential, CredentialValue, Secret};
use crate::odin::{OdinClient, OdinError};
use crate::plan::Plan;
use crate::resource::Resource;

/// One generated value: whose, which, and the value.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The user.
    pub user_id: String,
    /// The credential.
    pub credential: Credential,
    /// The value (never printed: see [`Secret`]).
    pub value: Secret,
}

/// Why the values could not be generated; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A user's group could not be read (the generators are asked per group).
    #[error("reading the group of user `{user}` for its generated credentials: {error}")]
    Group {
        /// The user.
        user: String,
        /// Odin's answer.
        error: OdinError,
    },
    /// A generator failed or answered without values.
    #[error("generating {what}: {why}; nothing was written")]
    Generator {
        /// `3 passwords for group ent/grp01`.
        what: String,
        /// What went wrong.
        why: String,
    },
}

/// Per (service provider, group) and credential, the users that want a generated value.
type Wanted = BTreeMap<(String, String, Credential), Vec<String>>;

/// Fill the `<generate>` values of `plan` that an earlier attempt of the run generated
/// (`known`: user id, credential, value) with those values; how many were filled. Each is
/// registered with the client's secrets.
pub fn fill_known(
    plan: &mut Plan,
    known: &[(String, Credential, Secret)],
    client: &OdinClient,
) -> usize {
    let mut filled = 0;
    for user in &mut plan.users {
        let user_id = user.user_id.clone();
        for changes in user.credentials_mut() {
            for (credential, value) in changes.0.iter_mut() {
                if *value != CredentialValue::Generate {
                    continue;
                }
                let found = known
                    .iter()
                    .find(|(id, c, _)| *id == user_id && c == credential);
                if let Some((_, _, secret)) = found {
                    client.keep_secret(secret);
                    *value = CredentialValue::Given(secret.clone());
                    filled += 1;
                }
            }
        }
    }
    filled
}

/// Fill every `<generate>` of `plan` with a value from Odin's generators; the values made,
/// in plan order. A plan with none sends nothing.
pub async fn fill(plan: &mut Plan, client: &OdinClient) -> Result<Vec<Generated>, GenerateError> {
    let mut wanted: Wanted = BTreeMap::new();
    for user in &plan.users {
        let asks: Vec<Credential> = user
            .credentials()
            .flat_map(|c| c.0.iter())
            .filter(|(_, v)| **v == CredentialValue::Generate)
            .map(|(c, _)| *c)
            .collect();
        if asks.is_empty() {
            continue;
        }
        let (sp, group) = home(user, client).await?;
        for credential in asks {
            wanted
                .entry((sp.clone(), group.clone(), credential))
                .or_default()
                .push(user.user_id.clone());
        }
    }
    let mut made: BTreeMap<(String, Credential), Secret> = BTreeMap::new();
    for ((sp, group, credential), users) in wanted {
        let values = values(client, &sp, &group, credential, users.len()).await?;
        for (user, value) in users.into_iter().zip(values) {
            client.keep_secret(&value);
            made.insert((user, credential), value);
        }
    }
    let mut generated = Vec::with_capacity(made.len());
    for user in &mut plan.users {
        let user_id = user.user_id.clone();
        for (credential, value) in user.credentials_mut().flat_map(|c| c.0.iter_mut()) {
            if *value != CredentialValue::Generate {
                continue;
            }
            if let Some(secret) = made.remove(&(user_id.clone(), *credential)) {
                *value = CredentialValue::Given(secret.clone());
                generated.push(Generated {
                    user_id: user_id.clone(),
                    credential: *credential,
                    value: secret,
                });
            }
        }
    }
    Ok(generated)
}

/// The user's service provider and group: the plan's, else its live record's.
async fn home(
    user: &crate::plan::UserPlan,
    client: &OdinClient,
) -> Result<(String, String), GenerateError> {
    if let (Some(sp), Some(group)) = (&user.service_provider_id, &user.group_id) {
        return Ok((sp.clone(), group.clone()));
    }
    let call = client.read(Resource::User, &user.user_id).await;
    let record = call.result.map_err(|error| GenerateError::Group {
        user: user.user_id.clone(),
        error,
    })?;
    let field = |key: &str| record[key].as_str().map(str::to_string);
    let sp = user
        .service_provider_id
        .clone()
        .or_else(|| field("serviceProviderId"));
    let group = user.group_id.clone().or_else(|| field("groupId"));
    match (sp, group) {
        (Some(sp), Some(group)) => Ok((sp, group)),
        _ => Err(GenerateError::Group {
            user: user.user_id.clone(),
            error: OdinError::Decode("the user record names no service provider or group".into()),
        }),
    }
}

/// `n` values of `credential` for the group: `GET /password/generate` or `/passcode/generate`
/// with `limit=n` (asked again for the rest when Odin gives fewer, e.g. one without a
/// list); `GET /sip-password/generate` once per value.
async fn values(
    client: &OdinClient,
    sp: &str,
    group: &str,
    credential: Credential,
    n: usize,
) -> Result<Vec<Secret>, GenerateError> {
    let (path, one, many, noun) = match credential {
        Credential::WebPassword => ("/password/generate", "password", "passwords", "passwords"),
        Credential::PortalPasscode => ("/passcode/generate", "passcode", "passcodes", "passcodes"),
        Credential::SipPassword => (
            "/sip-password/generate",
            "password",
            "passwords",
            "SIP passwords",
        ),
        Credential::SipUserName => {
            return Err(GenerateError::Generator {
                what: "SIP user names".into(),
                why: "Odin has no generator for them".into(),
            });
        }
    };
    let what = format!("{n} {noun} for group {sp}/{group}");
    let mut out = Vec::with_capacity(n);
    // Each request brings at least one value, or fails: the loop ends.
    while out.len() < n {
        let left = (n - out.len()).to_string();
        let call = match credential {
            Credential::SipPassword => client.get(path, &[]).await,
            _ if left == "1" => {
                let query = [("serviceProviderId", sp), ("groupId", group)];
                client.get(path, &query).await
            }
            _ => {
                let query = [
                    ("serviceProviderId", sp),
                    ("groupId", group),
                    ("limit", left.as_str()),
                ];
                client.get(path, &query).await
            }
        };
        let answer = call.result.map_err(|error| GenerateError::Generator {
            what: what.clone(),
            why: error.to_string(),
        })?;
        let found = taken(answer, one, many);
        if found.is_empty() {
            return Err(GenerateError::Generator {
                what,
                why: format!("Odin answered without `{one}` or `{many}`"),
            });
        }
        out.extend(found.into_iter().take(n - out.len()));
    }
    Ok(out)
}

/// The values of a generator's answer, `{one: v}` or `{many: [v…]}`, moved out of it.
fn taken(mut answer: Value, one: &str, many: &str) -> Vec<Secret> {
    let mut found = Vec::new();
    if let Some(Value::String(v)) = answer.get_mut(one).map(Value::take) {
        found.push(Secret::new(v));
    }
    if let Some(Value::Array(list)) = answer.get_mut(many).map(Value::take) {
        for v in list {
            if let Value::String(v) = v {
                found.push(Secret::new(v));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn answers_with_one_or_a_list() {
        let one = taken(json!({"password": "a"}), "password", "passwords");
        assert_eq!(one.iter().map(Secret::expose).collect::<Vec<_>>(), ["a"]);
        let many = taken(json!({"passcodes": ["1", "2"]}), "passcode", "passcodes");
        assert_eq!(many.len(), 2);
        assert!(taken(json!({}), "password", "passwords").is_empty());
    }
}
