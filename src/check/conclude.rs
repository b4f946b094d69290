//! From the facts of a check to what sleipnir will do on that server, what the admin should
//! know first, and the exit code. Pure: no I/O.

use serde::Serialize;

use super::{EndpointAnswer, Facts, GroupFacts, ListingFacts, Outcome, RowFields, UserFacts};

/// A check: its facts and what follows from them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// What the server answered.
    #[serde(flatten)]
    pub facts: Facts,
    /// What sleipnir will therefore do, one topic each, in the order they are printed.
    pub conclusions: Vec<Conclusion>,
    /// Column patterns (`policy.*`) sleipnir cannot change or roll back on this server: a
    /// per-user read of their resource failed, so there is no before-value.
    pub cannot_change: Vec<String>,
    /// What the admin should know before a run, e.g. a read-only admin.
    pub warnings: Vec<String>,
    /// See [`Report::exit_code`].
    pub exit_code: u8,
}

/// One thing sleipnir will do, or cannot know, on the server checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conclusion {
    /// A few words: `group reads`, `call forwarding`, `refused token`, …
    pub topic: &'static str,
    /// The conclusion, one sentence.
    pub text: String,
}

/// The Call Forwarding services and the short names used in conclusions.
const SHORT: &str = "Call Forwarding ";

/// Fields that say who a user is and where it lives: never columns that change.
const IDENTITY: [&str; 3] = ["userId", "serviceProviderId", "groupId"];

impl Report {
    /// Conclude from `facts`.
    pub fn new(facts: Facts) -> Report {
        let mut conclusions = Vec::new();
        let mut add = |topic, text: String| conclusions.push(Conclusion { topic, text });
        if facts.user.is_none() && facts.group.is_none() {
            add(
                "user and group",
                "not checked: give --group SP/GROUP or --user ID".into(),
            );
        }
        if let Some(group) = &facts.group {
            add("group reads", group_reads(group));
            add("call forwarding", call_forwarding(group));
        }
        add("refused token", refused_token(&facts));
        if let Some(key) = &facts.refused_token.message_key {
            add(
                "error text",
                format!("error text is in `{key}`: sleipnir shows it in results.csv and messages"),
            );
        } else if facts.refused_token.status.is_some() {
            add(
                "error text",
                "the error body holds no text in `details`, `error` or `message`: sleipnir shows the body as it came".into(),
            );
        }
        add(
            "nested objects",
            "whether a partial write of a nested object (address, …) merges or replaces cannot be seen without writing; sleipnir always writes the whole object, safe either way".into(),
        );
        if let Some(user) = &facts.user {
            match &user.imp_spelling {
                Some(name) => add(
                    "licence name",
                    format!("a sheet may write `Integrated IM&P` or `Integrated IMP`; sleipnir assigns and unassigns it as `{name}`, as this server's services listing spells it"),
                ),
                None if user.services.outcome == Outcome::Answered => add(
                    "licence name",
                    "the user's services listing names neither `Integrated IMP` nor `Integrated IM&P`: sleipnir sends the licence as the sheet spells it".into(),
                ),
                None => {}
            }
        }
        let cannot_change = facts.user.as_ref().map(cannot_change).unwrap_or_default();
        if let Some(user) = &facts.user {
            add("cannot change", cannot_change_text(user));
        }
        let mut warnings = Vec::new();
        if facts.session.read_only == Some(true) {
            warnings.push(
                "the admin is read-only: every write of apply and rollback would be refused"
                    .to_string(),
            );
        }
        match facts.refused_token.status {
            Some(status) if (200..300).contains(&status) => warnings.push(format!(
                "a request with an invalid token answered {status}: this server does not check tokens on /auth/session"
            )),
            _ => {}
        }
        let exit_code = if answers(&facts).any(|a| a.outcome == Outcome::Failed)
            || !refused_as_expected(&facts)
        {
            1
        } else {
            0
        };
        Report {
            facts,
            conclusions,
            cannot_change,
            warnings,
            exit_code,
        }
    }

    /// 0 when every request answered as expected, a `/bulk` read's 404 included (the server
    /// does not serve it and sleipnir reads per user, so it is an answer); 1 when a request
    /// failed or answered otherwise (an error status, an unexpected shape, no answer), or a
    /// refused token was answered with neither 401 nor 403. Warnings (a read-only admin)
    /// do not change it; a refused login never gets this far (exit 3).
    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }

    /// How many requests did not answer as expected: failed reads, and the refused-token
    /// probe when it was answered with neither 401 nor 403.
    pub fn failed(&self) -> usize {
        answers(&self.facts)
            .filter(|a| a.outcome == Outcome::Failed)
            .count()
            + usize::from(!refused_as_expected(&self.facts))
    }
}

/// Whether a refused token got one of the answers sleipnir knows (API.md §2).
fn refused_as_expected(facts: &Facts) -> bool {
    matches!(facts.refused_token.status, Some(401 | 403))
}

/// Every request answer of the facts.
fn answers(facts: &Facts) -> impl Iterator<Item = &EndpointAnswer> {
    let user = facts
        .user
        .iter()
        .flat_map(|u: &UserFacts| [&u.record, &u.services, &u.settings, &u.policy]);
    let group = facts.group.iter().flat_map(|g: &GroupFacts| {
        [&g.listing.answer, &g.extended.answer]
            .into_iter()
            .chain(g.bulk.iter().map(|b| &b.answer))
    });
    std::iter::once(&facts.session.answer)
        .chain(user)
        .chain(group)
}

/// Which user-record columns a group read gives, and which are read per user.
fn group_reads(group: &GroupFacts) -> String {
    fn usable(listing: &ListingFacts) -> Option<&RowFields> {
        (listing.answer.outcome == Outcome::Answered)
            .then_some(listing.fields.as_ref())
            .flatten()
    }
    let (name, fields) = match (usable(&group.extended), usable(&group.listing)) {
        (Some(fields), _) => ("the extended listing", fields),
        (None, Some(fields)) => ("the summary listing", fields),
        (None, None) => {
            let answered = [&group.extended, &group.listing]
                .iter()
                .any(|l| l.answer.outcome == Outcome::Answered);
            return if answered {
                "user records: which columns a listing row holds could not be compared with a record; sleipnir reads the record per user where a row lacks a field".into()
            } else {
                "user records: the group listings failed; sleipnir reads every user record per user"
                    .into()
            };
        }
    };
    let columns = |names: Vec<&str>| {
        let mut names: Vec<&str> = names
            .into_iter()
            .filter(|n| !IDENTITY.contains(n))
            .collect();
        names.sort_unstable();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let held = columns(fields.read_from_row.iter().map(String::as_str).collect());
    let per_user = columns(
        fields
            .held
            .iter()
            .chain(&fields.lacked)
            .map(String::as_str)
            .chain(fields.differs.iter().map(|d| d.field.as_str()))
            .filter(|field| !fields.read_from_row.iter().any(|r| r == field))
            .collect(),
    );
    format!(
        "user-record columns {name} holds ({held}) are read per group; others ({per_user}) are read per user"
    )
}

/// How the Call Forwarding settings will be read.
fn call_forwarding(group: &GroupFacts) -> String {
    let names = |outcome: Outcome| {
        let names: Vec<&str> = group
            .bulk
            .iter()
            .filter(|b| b.answer.outcome == outcome)
            .map(|b| b.service.strip_prefix(SHORT).unwrap_or(&b.service))
            .collect();
        names.join(", ")
    };
    let total = group.bulk.len();
    let count = |outcome| {
        group
            .bulk
            .iter()
            .filter(|b| b.answer.outcome == outcome)
            .count()
    };
    let (served, not_served, failed) = (
        count(Outcome::Answered),
        count(Outcome::NotServed),
        count(Outcome::Failed),
    );
    let mut parts = Vec::new();
    if served == total {
        return "Call Forwarding settings: one /bulk read per group and service".into();
    }
    if not_served == total {
        return "Call Forwarding settings: per user (the /bulk reads answered 404)".into();
    }
    if served > 0 {
        parts.push(format!(
            "{}: one /bulk read per group",
            names(Outcome::Answered)
        ));
    }
    if not_served > 0 {
        parts.push(format!(
            "{}: per user (the /bulk read answered 404)",
            names(Outcome::NotServed)
        ));
    }
    if failed > 0 {
        parts.push(format!(
            "{}: the /bulk read failed, so a group whose read fails is read per user",
            names(Outcome::Failed)
        ));
    }
    format!("Call Forwarding settings: {}", parts.join("; "))
}

/// What a refused token's status means to sleipnir (API.md §2).
fn refused_token(facts: &Facts) -> String {
    match facts.refused_token.status {
        Some(401) => "a refused token answers 401: sleipnir renews its token ahead of its exp, and on a 401 logs in again once and sends the request again".into(),
        Some(403) => "a refused token answers 403: sleipnir treats a 403 as an expired session only when its token's exp has passed".into(),
        Some(status) => format!("a refused token answers {status}: sleipnir cannot tell an expired session from another error on this server"),
        None => "how a refused token is answered is unknown: the request got no answer".into(),
    }
}

/// Which columns cannot be changed, and why, as one sentence.
fn cannot_change_text(user: &UserFacts) -> String {
    if no_such_user(user) {
        return format!(
            "not known: every read of `{}` answered 404 (no such user?); check with a user \
             that exists",
            user.user_id
        );
    }
    let lost: Vec<String> = unread(user)
        .map(|(answer, patterns)| {
            let status = answer
                .status
                .map_or("got no answer".to_string(), |s| format!("answered {s}"));
            format!("{} ({} {status})", patterns.join(", "), answer.request)
        })
        .collect();
    if lost.is_empty() {
        "nothing: every per-user read answered, so every column has its before-value and rollback"
            .into()
    } else {
        format!(
            "{}: no before-value, so sleipnir can neither diff, change safely nor roll back these columns",
            lost.join("; ")
        )
    }
}

/// Whether every per-user read answered 404: the user is not there, which says nothing of
/// what this server can serve.
fn no_such_user(user: &UserFacts) -> bool {
    [&user.record, &user.services, &user.settings, &user.policy]
        .iter()
        .all(|a| a.status == Some(404))
}

/// The per-user reads that did not answer, with the column patterns they stand for.
fn unread(user: &UserFacts) -> impl Iterator<Item = (&EndpointAnswer, &'static [&'static str])> {
    [
        (&user.record, &["user.*"][..]),
        (&user.services, &["services.*", "packs.*"][..]),
        (&user.settings, &["settings.*"][..]),
        (&user.policy, &["policy.*"][..]),
    ]
    .into_iter()
    .filter(|(answer, _)| answer.outcome != Outcome::Answered)
}

/// The columns whose per-user read failed: without a before-value sleipnir neither diffs,
/// nor records a rollback, so it cannot change them safely.
fn cannot_change(user: &UserFacts) -> Vec<String> {
    if no_such_user(user) {
        return Vec::new();
    }
    unread(user)
        .flat_map(|(_, patterns)| patterns.iter().map(|p| p.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
