//! A group's numbers (API.md §12) as two lists a user's steps change, both read from the
//! group's number list (`GET /groups/dns/details`: every number of the group, who holds it,
//! whether it is active):
//! - `numbers`: national number → `{}` while it is in the user's group (null: not in it),
//!   with `heldBy` (the id) while another user (or service instance) holds it and
//!   `countryCode` where the list shows one; a plan's entry names the `countryCode` the
//!   sheet wrote, if any (refused unless the group's numbers have it). Derived from
//!   `user.phoneNumber`: a number the group lacks is added to it (`POST /groups/dns`, from
//!   the enterprise's pool) before the user's record is written; a rollback removes it again
//!   (`DELETE /groups/dns`) after the record gives it back — unless someone else holds it
//!   by then ([`held`]: kept in the group, naming the holder).
//! - `activation`: national number → `{activated}` (the key `""` stands for the number the
//!   user holds when read, for a row that sets `user.phoneNumberActivated` alone; its
//!   entry also says which number that is, under `number`). Written with `PUT /groups/dns`,
//!   one number per element, after the user holds the number.
//!
//! Spelling: lists answer `+<cc>-<digits>`, records national digits; numbers are compared
//! as national digits ([`national`]) and written in the list's own spelling (`+cc-` with
//! the country code its rows show; digits alone where the list shows none, as Odin's front
//! end sends). The answer of `PUT /groups/dns` is the group's whole list (GET shape, API.md
//! §12): the engine judges an activation by it, and re-reads the list where it is not one;
//! the answers of `POST` and `DELETE` are never read.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::odin::group::text_of as text;
use crate::odin::resources::UserIdentity;
use crate::odin::{Call, Method, OdinClient, OdinError};
use crate::resource::Resource;

/// The key of a list read that holds the group's country code (no number is spelled so).
pub const COUNTRY_CODE: &str = "countryCode";

/// The key of an activation entry that names the number the user holds.
pub const NUMBER: &str = "number";

/// The user record's fields that hold a number, spelled as national digits in plans and
/// compared as numbers (API.md §12).
pub const NUMBER_FIELDS: [&str; 2] = ["phoneNumber", "callingLineIdPhoneNumber"];

/// The key of a `numbers` entry that names who else holds the number.
pub const HELD_BY: &str = "heldBy";

/// The group's number list path.
const GROUP_DNS: &str = "/groups/dns";

/// One number of a group's list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberState {
    /// Whether it is active.
    pub activated: bool,
    /// Who holds it: a user's id, or a service instance's (hunt group, auto attendant…);
    /// `None` when free.
    pub holder: Option<String>,
    /// What holds it (`Normal` for a user; `Hunt Group`, `Auto Attendant`…).
    pub holder_kind: Option<String>,
}

/// A group's number list as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupList {
    /// The country code its numbers are spelled with, when its rows show one.
    pub country_code: Option<String>,
    /// National number → its state.
    pub numbers: HashMap<String, NumberState>,
    /// Extension → the service instance holding it with a number of the list (hunt group,
    /// auto attendant, group paging…: `userType` other than `Normal`) and its kind; users'
    /// extensions are in the group's listing instead (API.md §12).
    pub services: HashMap<String, (String, String)>,
}

/// Read `sp`/`group`'s number list (one request).
pub async fn read_group(client: &OdinClient, sp: &str, group: &str) -> Call<GroupList> {
    let call = read_group_answer(client, sp, group).await;
    let result = call
        .result
        .map(|answer| parse_details(&answer).unwrap_or_default());
    Call {
        status: call.status,
        attempts: call.attempts,
        result,
    }
}

/// Read `sp`/`group`'s number list as Odin answers it (one request); an answer without a
/// `dns` list is an error.
pub async fn read_group_answer(client: &OdinClient, sp: &str, group: &str) -> Call {
    let mut call = client
        .get(
            "/groups/dns/details",
            &[("serviceProviderId", sp), ("groupId", group)],
        )
        .await;
    if let Ok(answer) = &call.result
        && parse_details(answer).is_none()
    {
        call.result = Err(OdinError::Decode(format!(
            "`GET /groups/dns/details` of `{sp}/{group}` answered no `dns` list"
        )));
    }
    call
}

/// The `dns` rows of a details answer (API.md §12: `min`, `max` — null or `""` for one
/// number —, `activated`, `userId`, `userType`; one number may have two rows, the group's
/// calling line id row holding no user); also the rows of `GET /groups/dns` and of the
/// `PUT /groups/dns` answer (the same keys, without holders). `None`: no `dns` list.
pub fn parse_details(answer: &Value) -> Option<GroupList> {
    let rows = answer.get("dns")?.as_array()?;
    let mut list = GroupList::default();
    for row in rows {
        let Some(min) = text(row.get("min")) else {
            continue;
        };
        if list.country_code.is_none() {
            list.country_code = country_code(&min).or_else(|| text(row.get("countryCode")));
        }
        let max = text(row.get("max"));
        let activated = truthy(row.get("activated"));
        let holder = text(row.get("userId"));
        let kind = text(row.get("userType"));
        if let (Some(id), Some(kind), Some(extension)) =
            (&holder, &kind, text(row.get("extension")))
            && kind != "Normal"
            && !extension.is_empty()
        {
            list.services.insert(extension, (id.clone(), kind.clone()));
        }
        for number in expand(&min, max.as_deref()) {
            let state = list.numbers.entry(number).or_default();
            state.activated |= activated;
            if holder.is_some() && state.holder.is_none() {
                state.holder.clone_from(&holder);
                state.holder_kind.clone_from(&kind);
            }
        }
    }
    Some(list)
}

/// A list read as one user's document of `resource` (numbers or activation): the entries of
/// every number in the group, with [`COUNTRY_CODE`]; for activation also `""`, the number
/// the list says `user_id` holds.
pub fn document(list: &GroupList, resource: Resource, user_id: &str) -> Value {
    let keys = list
        .numbers
        .keys()
        .cloned()
        .chain((resource == Resource::Activation).then(String::new));
    document_for(list, resource, user_id, keys)
}

/// [`document`] restricted to the entries `keys` name (the user's steps'), the number the
/// list says `user_id` holds standing for `""`: what one user of a group read needs.
pub fn document_for(
    list: &GroupList,
    resource: Resource,
    user_id: &str,
    keys: impl Iterator<Item = String>,
) -> Value {
    let mut doc = Map::new();
    if let Some(cc) = &list.country_code {
        doc.insert(COUNTRY_CODE.into(), Value::String(cc.clone()));
    }
    let activation = resource == Resource::Activation;
    for key in keys {
        let (number, state) = match key.as_str() {
            "" => match list
                .numbers
                .iter()
                .find(|(_, state)| state.holder.as_deref() == Some(user_id))
            {
                Some((number, state)) => (number.clone(), state),
                // No number held: nothing is active (the record reads `false` so).
                None if activation => {
                    doc.insert(key, json!({"activated": false}));
                    continue;
                }
                None => continue,
            },
            _ => match list.numbers.get(&key) {
                Some(state) => (key.clone(), state),
                None => continue,
            },
        };
        let entry = match (activation, key.is_empty()) {
            (true, true) => json!({"activated": state.activated, NUMBER: number}),
            (true, false) => json!({"activated": state.activated}),
            (false, _) => {
                let mut entry = Map::new();
                if let Some(holder) = state.holder.as_deref().filter(|h| *h != user_id) {
                    entry.insert(HELD_BY.into(), Value::String(holder.into()));
                }
                if let Some(cc) = &list.country_code {
                    entry.insert(COUNTRY_CODE.into(), Value::String(cc.clone()));
                }
                Value::Object(entry)
            }
        };
        doc.insert(key, entry);
    }
    Value::Object(doc)
}

/// Why the removal of `number` from the user's group (`wanted` null) is not to be sent:
/// the user's read of `numbers` (`doc`) shows another user holds it now (a later run gave
/// it to them; Odin refuses to remove a held number, API.md §12). A rollback keeps it in
/// the group, naming the holder; `None` when nothing stands in the way.
pub fn held(doc: &Value, number: &str, wanted: &Value) -> Option<String> {
    if !wanted.is_null() {
        return None;
    }
    let holder = text(doc.get(number)?.get(HELD_BY))?;
    Some(format!(
        "kept: number {number} is held by `{holder}` now, so it stays in the group"
    ))
}

/// Read one user's `resource` (numbers or activation) from its group's list: the user's
/// record first when `identity` does not say the group.
pub async fn read(client: &OdinClient, resource: Resource, identity: &UserIdentity) -> Call {
    let mut attempts = 0;
    let mut identity = identity.clone();
    if identity.group_id.is_none() || identity.service_provider_id.is_none() {
        let record = client.read(Resource::User, &identity.user_id).await;
        attempts += record.attempts;
        let record = match record.result {
            Ok(record) => record,
            Err(error) => {
                return Call {
                    status: record.status,
                    attempts,
                    result: Err(error),
                };
            }
        };
        identity = UserIdentity::resolve(
            &identity.user_id,
            identity.service_provider_id.as_deref(),
            identity.group_id.as_deref(),
            Some(&record),
        );
    }
    let (Some(sp), Some(group)) = (&identity.service_provider_id, &identity.group_id) else {
        return Call {
            status: None,
            attempts,
            result: Err(OdinError::Decode(format!(
                "the group of `{}` is not known: its number list cannot be read",
                identity.user_id
            ))),
        };
    };
    let call = read_group(client, sp, group).await;
    Call {
        status: call.status,
        attempts: attempts + call.attempts,
        result: call
            .result
            .map(|list| document(&list, resource, &identity.user_id)),
    }
}

/// Write the entries of `body` (merged from one or more users of `sp`/`group`, all of
/// `resource`) to the group's list: numbers added with one `POST /groups/dns` and removed
/// with one `DELETE /groups/dns`; activation with one `PUT /groups/dns`. `before` (the
/// document the entries were diffed against) gives the country code and, for `""`, the
/// number held. Answers the `PUT` answer (the group's list), null for the others.
pub async fn write_group(
    client: &OdinClient,
    (sp, group): (&str, &str),
    resource: Resource,
    body: &Value,
    before: &Value,
) -> Call {
    let cc = text(before.get(COUNTRY_CODE));
    let mut sent = Call {
        status: None,
        attempts: 0,
        result: Ok(Value::Null),
    };
    let Some(entries) = body.as_object() else {
        return sent;
    };
    let number_of = |key: &str, entry: &Value| match key {
        "" => text(entry.get(NUMBER)).or_else(|| text(before.get("").and_then(|e| e.get(NUMBER)))),
        key => Some(key.to_string()),
    };
    let element = |number: &str| json!({"min": spelled(number, cc.as_deref()), "max": Value::Null});
    let mut requests: Vec<(Method, Vec<Value>)> = Vec::new();
    if resource == Resource::Activation {
        let mut dns = Vec::new();
        for (key, entry) in entries {
            let Some(number) = number_of(key, entry) else {
                sent.result = Err(OdinError::NotSent(
                    "the user holds no number to activate; give it one in the same row".into(),
                ));
                return sent;
            };
            let mut one = element(&number);
            one["activated"] = Value::Bool(truthy(entry.get("activated")));
            dns.push(one);
        }
        requests.push((Method::PUT, dns));
    } else {
        let (added, removed): (Vec<_>, Vec<_>) =
            entries.iter().partition(|(_, entry)| !entry.is_null());
        requests.push((
            Method::POST,
            added.iter().map(|(n, _)| element(n)).collect(),
        ));
        requests.push((
            Method::DELETE,
            removed.iter().map(|(n, _)| element(n)).collect(),
        ));
    }
    for (method, dns) in requests.into_iter().filter(|(_, dns)| !dns.is_empty()) {
        let body = json!({"serviceProviderId": sp, "groupId": group, "dns": dns});
        let answers_list = method == Method::PUT;
        let call = client.group_send(method, GROUP_DNS, &[], Some(&body)).await;
        sent.attempts += call.attempts;
        sent.status = call.status.or(sent.status);
        match call.result {
            Ok(answer) if answers_list => sent.result = Ok(answer),
            Ok(_) => {}
            Err(error) => {
                sent.result = Err(error);
                return sent;
            }
        }
    }
    sent
}

/// One user's write of `resource`: [`write_group`] with its group. A write refused after
/// it was sent more than once (a repeat of one that landed: the number is there already)
/// is the engine's to judge, by a read ([`super::read`]).
pub async fn write(
    client: &OdinClient,
    identity: &UserIdentity,
    resource: Resource,
    body: &Value,
    before: &Value,
) -> Call {
    match (&identity.service_provider_id, &identity.group_id) {
        (Some(sp), Some(group)) => write_group(client, (sp, group), resource, body, before).await,
        _ => Call {
            status: None,
            attempts: 0,
            result: Err(OdinError::NotSent(format!(
                "the group of `{}` is not known: its number list cannot be written",
                identity.user_id
            ))),
        },
    }
}

/// Odin's booleans, `"true"` included (API.md §3).
fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

mod spelling;

use spelling::country_code;
pub use spelling::{country_code_of, expand, national, same_number, spelled, spelling_problem};

#[cfg(test)]
mod tests;
