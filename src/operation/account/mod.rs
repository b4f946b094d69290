//! Whether a user exists (API.md §14), as a list of one entry keyed by the user id: a row
//! with `action` `create` adds it, one with `delete` removes it.
//!
//! Read: `GET /users?userId=`. A user Odin does not know (404, or an error whose text says
//! *not found*: which one Odin answers is unknown) reads as no entry. A user that exists
//! reads as its record, and with it everything else sleipnir can read of the user, under
//! keys no record field has ([`PARTS`]): its services, settings, call processing policy,
//! SCA endpoints, and the hunt groups and call centers it is an agent of. That is what a
//! delete's rollback entry must hold to bring the user back; a create reads it only when
//! the user turns out to exist (a resumed create, or an id already taken).
//!
//! Write: an entry added is `POST /users` with the entry's record fields and the web
//! password of the user's credentials step (the step then sends no second one,
//! [`carried`]); an entry added that holds [`PARTS`] (a rollback re-creating a deleted user)
//! then writes each part back ([`recreate`]). An entry removed is `DELETE /users?userId=`
//! (odins_spear also sends `{}` as body: so does this).
//!
//! A create whose answer was lost (or refused on a retry) is judged by reading the user, as
//! every list write is ([`crate::apply::landed`]); a delete of a user already gone is done
//! when the read confirms absence.

mod parts;
mod recreate;
mod shown;
mod undo;

use serde_json::{Map, Value, json};

use crate::credentials::{Credential, CredentialChanges, CredentialValue};
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, Method, OdinClient, OdinError};
use crate::resource::Resource;

pub use parts::PARTS;
pub use shown::{brief, compared, describe};
pub use undo::shape_undo;

/// The record fields a create row must give (API.md §14: required by `POST /users`, with
/// `serviceProviderId`, `groupId`, `userId` and `password`).
pub const REQUIRED: [&str; 4] = [
    "firstName",
    "lastName",
    "callingLineIdFirstName",
    "callingLineIdLastName",
];

/// The record fields `POST /users` is known to take besides [`REQUIRED`] (API.md §14,
/// "Optional keys seen"), sent when re-creating a deleted user from its record. The rest
/// of a record (`accessDeviceEndpoint`, `trunkAddressing`, read-only keys) is written by a
/// `PUT /users` after the create.
pub const CREATE_OPTIONAL: [&str; 13] = [
    "phoneNumber",
    "extension",
    "callingLineIdPhoneNumber",
    "timeZone",
    "language",
    "title",
    "networkClassOfService",
    "mobilePhoneNumber",
    "pagerPhoneNumber",
    "emailAddress",
    "addressLocation",
    "aliases",
    "address",
];

/// [`LOST`] in a few words, for a cell.
pub const LOST_SHORT: &str = "no rollback brings back its credentials, voice messages, call \
                              logs or references other than hunt groups and call centers";

/// The requests reading a user before its delete takes at least: its record, services,
/// settings, policy and hunt groups (one more for its SCA endpoints, and two for each call
/// center, where it has them).
pub const DELETE_READS: u64 = 5;

/// What no rollback brings back once a user is deleted (API.md §14, "Lost with no way
/// back"), as `plan` and `apply` name it.
pub const LOST: &str = "its credentials (new ones are generated), voice messages and \
                        greetings, announcement files, call logs, its personal phone list, and \
                        references to it other than hunt group and call center membership \
                        (call pickup groups, auto attendants, other users' busy lamp lists)";

/// Read the user `identity` names: no entry when Odin does not know it, else its record
/// with [`PARTS`] (see the module).
pub async fn read(client: &OdinClient, identity: &UserIdentity) -> Call {
    let mut call = client.read(Resource::User, &identity.user_id).await;
    let record = match std::mem::replace(&mut call.result, Ok(Value::Null)) {
        Ok(record) => record,
        Err(error) if absent(&error) => {
            call.result = Ok(Value::Object(Map::new()));
            return call;
        }
        Err(error) => {
            call.result = Err(error);
            return call;
        }
    };
    let Value::Object(mut entry) = record else {
        call.result = Err(OdinError::Decode(format!(
            "`GET /users` for `{}` answered no user record",
            identity.user_id
        )));
        return call;
    };
    let home = UserIdentity::resolve(
        &identity.user_id,
        identity.service_provider_id.as_deref(),
        identity.group_id.as_deref(),
        Some(&Value::Object(entry.clone())),
    );
    match parts::read(client, &home).await {
        (attempts, Ok(parts)) => {
            call.attempts += attempts;
            entry.extend(parts);
        }
        (attempts, Err(error)) => {
            call.attempts += attempts;
            call.result = Err(error);
            return call;
        }
    }
    let mut doc = Map::new();
    doc.insert(identity.user_id.clone(), Value::Object(entry));
    call.result = Ok(Value::Object(doc));
    call
}

/// Whether `error` says the user does not exist: a 404, or an error whose text says so
/// (API.md §14 does not say which Odin answers).
pub fn absent(error: &OdinError) -> bool {
    match error {
        OdinError::Http { status: 404, .. } => true,
        OdinError::Http {
            status: 400,
            details,
            ..
        } => {
            let details = details.to_lowercase();
            details.contains("not found") || details.contains("does not exist")
        }
        _ => false,
    }
}

/// Write the user's entry: `after` added (`before` `None`), or removed (null). A change
/// of a user that exists is refused: sleipnir creates a user only where none is.
pub async fn write(
    client: &OdinClient,
    identity: &UserIdentity,
    credentials: Option<&CredentialChanges>,
    before: Option<&Value>,
    after: &Value,
) -> Call {
    match (before, after) {
        (None, Value::Null) => Call {
            status: None,
            attempts: 0,
            result: Ok(Value::Null),
        },
        (Some(_), Value::Null) => delete(client, &identity.user_id).await,
        (None, Value::Object(entry)) => create(client, identity, credentials, entry).await,
        (Some(_), _) => Call {
            status: None,
            attempts: 0,
            result: Err(OdinError::NotSent(format!(
                "user `{}` exists already: a create needs a user id nobody has",
                identity.user_id
            ))),
        },
        (None, other) => Call {
            status: None,
            attempts: 0,
            result: Err(OdinError::NotSent(format!(
                "the entry of account `{}` is {other}, not a user record",
                identity.user_id
            ))),
        },
    }
}

/// `DELETE /users?userId=` (API.md §14).
async fn delete(client: &OdinClient, user_id: &str) -> Call {
    let mut call = client
        .user_send(
            Method::DELETE,
            "/users",
            &[("userId", user_id)],
            Some(&json!({})),
        )
        .await;
    // A user already gone: done (the engine's read judges a refusal after a retry).
    if let Err(error) = &call.result
        && absent(error)
        && call.attempts > 1
    {
        call.result = Ok(Value::Null);
    }
    call
}

/// `POST /users` with `entry`'s record fields and the web password, then the parts a
/// re-created user's entry holds.
async fn create(
    client: &OdinClient,
    identity: &UserIdentity,
    credentials: Option<&CredentialChanges>,
    entry: &Map<String, Value>,
) -> Call {
    let password = credentials.and_then(|c| c.0.get(&Credential::WebPassword));
    let secret = match password {
        Some(CredentialValue::Given(secret)) => secret,
        _ => {
            return Call {
                status: None,
                attempts: 0,
                result: Err(OdinError::NotSent(format!(
                    "user `{}` has no web password to be created with: a create row gives \
                     `credentials.webPassword` (a value or `<generate>`; a plan file holds \
                     none: apply it with --credentials SHEET)",
                    identity.user_id
                ))),
            };
        }
    };
    let rebuilding = PARTS.iter().any(|part| entry.contains_key(*part));
    let mut body = Map::new();
    for (key, value) in entry {
        let sent = REQUIRED.contains(&key.as_str())
            || (rebuilding && CREATE_OPTIONAL.contains(&key.as_str()));
        let blank = value.is_null() || value.as_str() == Some("");
        if sent && !blank {
            body.insert(key.clone(), value.clone());
        }
    }
    if !rebuilding {
        // A create row's record fields are the required ones; any other goes in its user
        // step, after the create.
        for (key, value) in entry {
            if !body.contains_key(key) && !key.starts_with('@') {
                body.insert(key.clone(), value.clone());
            }
        }
    }
    body.insert(
        "password".into(),
        Value::String(secret.expose().to_string()),
    );
    let body = identity.stamp(Resource::Account, &Value::Object(body));
    let mut call = client
        .write_credentials_as(Method::POST, "/users", &body, &[secret])
        .await;
    if let Err(OdinError::Http {
        status: 400 | 409, ..
    }) = &call.result
        && call.attempts > 1
    {
        // Sent again after an answer was lost, and refused: the first may have created
        // the user. A read tells (API.md §14).
        let read = client.read(Resource::User, &identity.user_id).await;
        call.attempts += read.attempts;
        if let Ok(record) = &read.result
            && REQUIRED.iter().all(|k| record.get(*k) == entry.get(*k))
        {
            call.result = Ok(Value::Null);
        }
    }
    let mut lost_line = None;
    if rebuilding
        && let Err(OdinError::Http {
            status: 400,
            details,
            ..
        }) = &call.result
        && LINE.iter().any(|key| body.get(*key).is_some())
    {
        // The number or extension the deleted user had is someone else's since: the user
        // comes back without them, and the step says so.
        let refused = details.clone();
        let mut bare = body.clone();
        if let Some(fields) = bare.as_object_mut() {
            for key in LINE {
                fields.remove(key);
            }
        }
        let again = client
            .write_credentials_as(Method::POST, "/users", &bare, &[secret])
            .await;
        call.attempts += again.attempts;
        (call.status, call.result) = (again.status, again.result);
        lost_line = Some(format!("its number and extension (HTTP 400: {refused})"));
    }
    if call.result.is_err() || !rebuilding {
        return call;
    }
    let restored = recreate::restore(client, identity, entry).await;
    call.attempts += restored.attempts;
    call.result = match (restored.result, lost_line) {
        (Ok(_), None) => Ok(Value::Null),
        (Ok(_), Some(line)) => Err(OdinError::Incomplete(format!(
            "user `{}` was created again, but not restored: {line}",
            identity.user_id
        ))),
        (Err(OdinError::Incomplete(text)), Some(line)) => {
            Err(OdinError::Incomplete(format!("{text}; {line}")))
        }
        (Err(error), _) => Err(error),
    };
    call
}

/// The record fields of a user's line: a re-create refused for them is sent again without.
const LINE: [&str; 3] = ["phoneNumber", "extension", "callingLineIdPhoneNumber"];

/// The credentials another step of the user's plan sends: a created user's web password
/// goes with its `POST /users` (API.md §14), not in a second write.
pub fn carried<'a>(steps: impl IntoIterator<Item = &'a crate::plan::Step>) -> Vec<Credential> {
    match creates(steps) {
        true => vec![Credential::WebPassword],
        false => Vec::new(),
    }
}

/// Whether `steps` create the user: nothing of its own exists before them, so nothing of it
/// is read but whether it exists.
pub fn creates<'a>(steps: impl IntoIterator<Item = &'a crate::plan::Step>) -> bool {
    steps.into_iter().any(|step| match step {
        crate::plan::Step::Entries {
            resource: Resource::Account,
            entries,
        } => entries.iter().any(|(_, entry)| entry.is_object()),
        _ => false,
    })
}

/// The requests writing `after` over `before` takes: one to create or delete; a
/// re-created user's parts one each more.
pub fn requests(before: Option<&Value>, after: &Value) -> u64 {
    match (before, after) {
        (None, Value::Null) => 0,
        (None, Value::Object(entry)) => 1 + recreate::requests(entry),
        _ => 1,
    }
}

/// What Odin would refuse of the creates among `users` that their groups show, read once
/// per group (`GET /groups/password-rules?serviceProviderId=&groupId=`, API.md §14): a group
/// that does not exist, a web password the sheet gives shorter than the group's
/// `minLength`. (user id, why) each, and the requests sent.
pub async fn refused_by_groups(
    client: &OdinClient,
    users: &[&crate::plan::UserPlan],
) -> (u64, Vec<(String, String)>) {
    let mut requests = 0;
    let mut refused = Vec::new();
    let mut groups: Vec<(&str, &str)> = users
        .iter()
        .filter(|u| creates(&u.steps))
        .filter_map(|u| Some((u.service_provider_id.as_deref()?, u.group_id.as_deref()?)))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    for (sp, group) in groups {
        let query = [("serviceProviderId", sp), ("groupId", group)];
        let call = client.get("/groups/password-rules", &query).await;
        requests += u64::from(call.attempts);
        let of_group = users.iter().filter(|u| {
            creates(&u.steps)
                && u.service_provider_id.as_deref() == Some(sp)
                && u.group_id.as_deref() == Some(group)
        });
        match call.result {
            Ok(rules) => {
                let Some(least) = rules.get("minLength").and_then(Value::as_u64) else {
                    continue;
                };
                for user in of_group {
                    let given =
                        user.credentials()
                            .find_map(|c| match c.0.get(&Credential::WebPassword) {
                                Some(CredentialValue::Given(secret)) => Some(secret.expose().len()),
                                _ => None,
                            });
                    if given.is_some_and(|n| (n as u64) < least) {
                        refused.push((
                            user.user_id.clone(),
                            format!(
                                "its web password is shorter than group `{group}`'s minimum of \
                                 {least} characters (API.md §14); give a longer one, or \
                                 `<generate>`"
                            ),
                        ));
                    }
                }
            }
            Err(error) if matches!(error.status(), Some(400 | 404)) => {
                for user in of_group {
                    refused.push((
                        user.user_id.clone(),
                        format!(
                            "group `{group}` of service provider `{sp}` is not one Odin has \
                             ({error}); correct `user.groupId` or `user.serviceProviderId`"
                        ),
                    ));
                }
            }
            // Not told: Odin's answer to the create will be.
            Err(error) => tracing::warn!(%sp, %group, %error, "reading the group's password rules"),
        }
    }
    (requests, refused)
}
