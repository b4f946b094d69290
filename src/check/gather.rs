//! The requests of a check, in the order they are reported, each kept as what it answered.
//! Only reads: every request is a GET through [`OdinClient`] (the login before it is the one
//! POST), counted and rate-limited like any other.

use super::reads::{
    bulk_read, compared, group_of, list, refused_token, session, text_of, user_reads,
};
use super::{Chosen, Facts, GroupFacts, LoginFacts, Outcome};
use crate::odin::OdinClient;
use crate::odin::group::BulkService;

/// What to check besides the login and the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `--group SP/GROUP`.
    pub group: Option<GroupRef>,
    /// `--user ID`.
    pub user: Option<String>,
}

/// A group of a service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The service provider.
    pub service_provider_id: String,
    /// The group.
    pub group_id: String,
}

impl GroupRef {
    /// Read `SERVICE_PROVIDER/GROUP`; the error says how to write it.
    pub fn parse(text: &str) -> Result<GroupRef, String> {
        match text.split_once('/') {
            Some((sp, group)) if !sp.is_empty() && !group.is_empty() => Ok(GroupRef {
                service_provider_id: sp.to_string(),
                group_id: group.to_string(),
            }),
            _ => Err(format!(
                "--group `{text}`: write it as SERVICE_PROVIDER/GROUP, e.g. `ent.sim/grp01`"
            )),
        }
    }
}

/// A `--group` that Odin does not know: its listing answered 404, and the check stopped
/// there (every group read would answer the same 404, which says nothing of the server).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "group `{service_provider_id}/{group_id}` not found in Odin ({details}); check the \
     spelling (`sleipnir export --service-provider SP` lists every group of SP)"
)]
pub struct GroupNotFound {
    /// The service provider given.
    pub service_provider_id: String,
    /// The group given.
    pub group_id: String,
    /// Odin's message.
    pub details: String,
}

/// Why a check stopped at a read instead of making the others.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stopped {
    /// The group given with `--group` does not exist.
    #[error(transparent)]
    GroupNotFound(#[from] GroupNotFound),
    /// A read was answered with a redirect (never followed, see API.md and the README's
    /// "Requests go only to the target"): every read after it would be too, which says
    /// nothing of Odin. Holds the read and what it answered.
    #[error("the check stopped: {0}")]
    Redirected(String),
}

/// `Err` when the listing of `group`, given with `--group`, answered 404.
fn found(group: &GroupRef, listing: &super::EndpointAnswer) -> Result<(), GroupNotFound> {
    if listing.status != Some(404) {
        return Ok(());
    }
    Err(GroupNotFound {
        service_provider_id: group.service_provider_id.clone(),
        group_id: group.group_id.clone(),
        details: listing.summary.clone(),
    })
}

/// `Err` when `answer` is a redirect.
fn not_redirected(answer: &super::EndpointAnswer) -> Result<(), Stopped> {
    match answer.status {
        Some(300..=399) => Err(Stopped::Redirected(format!(
            "`{}`: {}",
            answer.request, answer.summary
        ))),
        _ => Ok(()),
    }
}

/// Make every read of a check with the logged-in `client` and keep what each answered. A
/// request that fails is a fact like any other, except a 404 to the listing of the group
/// given with `--group`: the group does not exist, and the check stops at that read.
pub async fn gather(client: &OdinClient, target: &str, scope: &Scope) -> Result<Facts, Stopped> {
    let login = login_facts(client);
    let session = session(client).await;
    not_redirected(&session.answer)?;
    let refused_token = refused_token(client).await;
    let mut not_checked = Vec::new();
    if scope.group.is_none() && scope.user.is_none() {
        not_checked.push("user and group reads: give --group SP/GROUP or --user ID".to_string());
    }
    // Without --user, the user is the first row of the group's summary listing, which is
    // read first (and reported with the group).
    let mut listing = None;
    let mut user_id = scope.user.clone();
    if let (Some(group), None) = (&scope.group, &scope.user) {
        let read = list(client, group, false).await;
        not_redirected(&read.0)?;
        found(group, &read.0)?;
        user_id = read
            .1
            .as_ref()
            .and_then(|rows| rows.first())
            .and_then(|row| text_of(row.get("userId")));
        if user_id.is_none() {
            let why = if read.0.outcome == Outcome::Answered {
                "has no users"
            } else {
                "could not be listed"
            };
            not_checked.push(format!(
                "user reads: group `{}/{}` {why}; give --user ID",
                group.service_provider_id, group.group_id
            ));
        }
        listing = Some(read);
    }
    let mut record = None;
    let user = match user_id {
        Some(id) => {
            let (facts, body) = user_reads(client, &id, scope.user.is_some()).await;
            not_redirected(&facts.record)?;
            record = body;
            Some(facts)
        }
        None => None,
    };
    let (group, chosen) = match (&scope.group, &record) {
        (Some(group), _) => (Some(group.clone()), Chosen::Given),
        (None, Some(record)) => (group_of(record), Chosen::Derived),
        (None, None) => (None, Chosen::Derived),
    };
    if group.is_none() && user.is_some() {
        not_checked.push(format!(
            "group reads: the user record {}; give --group SP/GROUP",
            if record.is_some() {
                "names no group"
            } else {
                "could not be read"
            }
        ));
    }
    let group = match group {
        Some(group) => {
            let listing = match listing {
                Some(read) => read,
                None => list(client, &group, false).await,
            };
            not_redirected(&listing.0)?;
            if chosen == Chosen::Given {
                found(&group, &listing.0)?;
            }
            let extended = list(client, &group, true).await;
            let user_id = user.as_ref().map(|u| u.user_id.as_str());
            // A 404 to a /bulk read means "not served" only where the group exists: a group
            // that is not found answers 404 everywhere.
            let group_found = listing.0.status != Some(404) || extended.0.status != Some(404);
            let mut bulk = Vec::new();
            for service in BulkService::ALL {
                bulk.push(bulk_read(client, &group, service, group_found).await);
            }
            Some(GroupFacts {
                service_provider_id: group.service_provider_id,
                group_id: group.group_id,
                chosen,
                listing: compared(listing, record.as_ref(), user_id),
                extended: compared(extended, record.as_ref(), user_id),
                bulk,
            })
        }
        None => None,
    };
    Ok(Facts {
        target: target.to_string(),
        login,
        session,
        refused_token,
        user,
        group,
        not_checked,
        requests: client.counts().requests,
        throttled: client.counts().throttled,
    })
}

/// What the login answered: it succeeded, so a 2xx (which the client, like every success,
/// reports as 200); the keys of its session object (the client keeps it without the token,
/// which it had, so `token` is added back by name); the token's lifetime from its JWT.
fn login_facts(client: &OdinClient) -> LoginFacts {
    let mut keys: Vec<String> = client
        .login_answer()
        .as_object()
        .map(|answer| answer.keys().cloned().collect())
        .unwrap_or_default();
    keys.push("token".to_string());
    keys.sort();
    keys.dedup();
    LoginFacts {
        status: 200,
        answer_keys: Some(keys),
        token_lifetime_seconds: client.token_lifetime().map(|lifetime| lifetime.as_secs()),
    }
}
