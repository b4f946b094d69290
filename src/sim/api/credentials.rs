//! The write-only credentials of API.md §11 and their generators. The values are kept in the
//! user's state, shown by no GET (tests read them in-process).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use rand::RngExt;
use serde_json::{Map, Value, json};

use super::{Admin, ApiError, body_object, groups_of, required, user_mut};
use crate::credentials::{Credential, check, user_names};
use crate::sim::Sim;

/// A required string in a write body, or `None` when absent and optional.
fn text(body: &Map<String, Value>, key: &str, needed: bool) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        None if !needed => Ok(None),
        None => Err(ApiError::bad_request(format!("`{key}` is required"))),
        Some(_) => Err(ApiError::bad_request(format!("`{key}` must be a string"))),
    }
}

/// Odin's kind of text for a refused value: the rule, never the value.
fn refused(what: &str, user_id: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!(
        "[Error 4203] {what} rejected for user `{user_id}`: {why}"
    ))
}

/// `PUT /users/authentication {userId, userName?, newPassword}`: the Authentication service
/// must be assigned; the password 6–60 characters with an upper and a lower case letter, not
/// containing the user name (the given one, else the stored one, or the user id's part before
/// `@`). Answers `{userId, userName}`.
pub(super) async fn put_authentication(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user_id, body) = body_object(&body)?;
    let user_name = text(&body, "userName", false)?;
    let password = text(&body, "newPassword", true)?.unwrap_or_default();
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    let assigned = sim
        .catalog
        .service("Authentication")
        .is_some_and(|i| user.services[i]);
    if !assigned {
        return Err(ApiError::bad_request(format!(
            "service `Authentication` is not assigned to user `{user_id}`"
        )));
    }
    let name = user_name
        .clone()
        .or_else(|| user.credentials.sip_user_name.clone());
    if user_name.as_deref() == Some("") {
        return Err(refused("authentication user name", &user_id, "it is empty"));
    }
    check(
        Credential::SipPassword,
        &password,
        &user_names(&user_id, name.as_deref()),
    )
    .map_err(|why| refused("authentication password", &user_id, why))?;
    user.credentials.sip_user_name = name.clone();
    user.credentials.sip_password = Some(password);
    Ok(Json(json!({"userId": user_id, "userName": name})))
}

/// `PUT /users/passwords {userId, newPassword}`: the simulator's password policy is 6–60
/// characters, not containing the user id's part before `@`. Answers `{userId}`.
pub(super) async fn put_password(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user_id, body) = body_object(&body)?;
    let password = text(&body, "newPassword", true)?.unwrap_or_default();
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    let len = password.chars().count();
    if !(6..=60).contains(&len) {
        return Err(refused(
            "password",
            &user_id,
            format!("the group's password rules ask for 6 to 60 characters, not {len}"),
        ));
    }
    let local = user_id.split('@').next().unwrap_or_default().to_lowercase();
    if password.to_lowercase().contains(&local) {
        return Err(refused("password", &user_id, "it contains the user id"));
    }
    user.credentials.web_password = Some(password);
    Ok(Json(json!({"userId": user_id})))
}

/// `PUT /users/portal-passcode {userId, newPasscode}`: 4–8 digits (generated ones have 8).
/// Answers `{userId}`.
pub(super) async fn put_passcode(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (user_id, body) = body_object(&body)?;
    let passcode = text(&body, "newPasscode", true)?.unwrap_or_default();
    let mut directory = sim.directory();
    let user = user_mut(&mut directory, &user_id)?;
    if !(4..=8).contains(&passcode.len()) || !passcode.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused(
            "voice portal passcode",
            &user_id,
            "the passcode rules ask for 4 to 8 digits",
        ));
    }
    user.credentials.portal_passcode = Some(passcode);
    Ok(Json(json!({"userId": user_id})))
}

/// How many values a generator request asks for: `limit`, 1 without it, at most 1000.
fn limit(query: &HashMap<String, String>) -> Result<Option<usize>, ApiError> {
    match query.get("limit") {
        None => Ok(None),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::bad_request(
                "`limit` must be a number from 1 to 1000",
            )),
        },
    }
}

/// The group a generator is asked for must exist (its rules decide the values).
fn known_group(sim: &Sim, query: &HashMap<String, String>) -> Result<(), ApiError> {
    let sp = required(query, "serviceProviderId")?;
    let group = required(query, "groupId")?;
    groups_of(&sim.directory(), sp, Some(group)).map(|_| ())
}

/// `GET /password/generate?serviceProviderId=&groupId=[&limit=N]` → `{password}`, or
/// `{passwords: [...]}` with `limit`: 12 characters, upper and lower case letters and digits.
pub(super) async fn generate_passwords(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    known_group(&sim, &query)?;
    Ok(Json(generated(
        &sim,
        &query,
        "password",
        "passwords",
        password,
    )?))
}

/// `GET /passcode/generate?serviceProviderId=&groupId=[&limit=N]` → `{passcode}`, or
/// `{passcodes: [...]}`: 8 digits.
pub(super) async fn generate_passcodes(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    known_group(&sim, &query)?;
    Ok(Json(generated(
        &sim,
        &query,
        "passcode",
        "passcodes",
        passcode,
    )?))
}

/// `GET /sip-password/generate` → `{password}`.
pub(super) async fn generate_sip_password(
    State(sim): State<Arc<Sim>>,
    _admin: Admin,
) -> Json<Value> {
    Json(json!({"password": sim.generate(password)}))
}

fn generated(
    sim: &Sim,
    query: &HashMap<String, String>,
    one: &str,
    many: &str,
    make: fn(&mut rand_chacha::ChaCha8Rng) -> String,
) -> Result<Value, ApiError> {
    Ok(match limit(query)? {
        None => json!({ one: sim.generate(make) }),
        Some(n) => json!({ many: (0..n).map(|_| sim.generate(make)).collect::<Vec<_>>() }),
    })
}

/// A password that keeps the SIP rules: `Aa` + 10 of letters and digits (never a user name:
/// seeded user ids are `userNNNNN`, and the letters are drawn past `u`).
fn password(rng: &mut rand_chacha::ChaCha8Rng) -> String {
    const POOL: &[u8] = b"vwxyzVWXYZ23456789";
    let mut out = String::from("Aa");
    out.extend((0..10).map(|_| POOL[rng.random_range(0..POOL.len())] as char));
    out
}

/// Eight digits.
fn passcode(rng: &mut rand_chacha::ChaCha8Rng) -> String {
    (0..8)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}
