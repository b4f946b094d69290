//! `sleipnir check`: a read-only preflight of an Odin server. It reads what sleipnir reads,
//! never writes (the login is its one POST), and says what sleipnir will therefore do there.
//!
//! Three parts, data flowing one way: [`gather()`] makes the requests (through [`crate::odin`],
//! the only code that speaks HTTP) and keeps what they showed as plain [`Facts`];
//! [`compare`] sets a listing row beside the user's record; [`conclude`] turns the facts into
//! what sleipnir will do, warnings and the exit code, without any I/O. `cli::check` prints.

pub mod compare;
pub mod conclude;
pub mod gather;
mod reads;

use serde::Serialize;

pub use compare::{Difference, RowFields};
pub use conclude::{Conclusion, Report};
pub use gather::{GroupNotFound, GroupRef, Scope, Stopped, gather};

/// Everything one check saw, in the order it is reported. Holds no secret: neither the
/// password nor any token, only the names of the keys the login answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    /// The base URL checked.
    pub target: String,
    /// What the login answered.
    pub login: LoginFacts,
    /// `GET /auth/session` with the admin's token.
    pub session: SessionFacts,
    /// `GET /auth/session` with a token Odin cannot accept.
    pub refused_token: RefusedTokenFacts,
    /// The reads of one user; `None` when no user was checked (see `not_checked`).
    pub user: Option<UserFacts>,
    /// The reads of one group; `None` when no group was checked (see `not_checked`).
    pub group: Option<GroupFacts>,
    /// Why the user or the group reads were not made, one sentence each.
    pub not_checked: Vec<String>,
    /// Requests sent, the login included.
    pub requests: u64,
    /// Answers of 429 among them: the server throttled the check (API.md §8).
    pub throttled: u64,
}

/// The login (`POST /auth/token`, API.md §2). Only a login that succeeded gets this far; a
/// refused one stops the check with an error (exit 3).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginFacts {
    /// The HTTP status of the login: 200 (the client reports every success as 200).
    pub status: u16,
    /// The keys of the session object the login answered, sorted (`token` among them; its
    /// value is never kept); `None` when the answer could not be seen.
    pub answer_keys: Option<Vec<String>>,
    /// The token's lifetime in seconds, `exp − iat` of its JWT payload
    /// ([`crate::odin::OdinClient::token_lifetime`]); `None` when the token is not a JWT.
    pub token_lifetime_seconds: Option<u64>,
}

/// The admin's session (`GET /auth/session`, API.md §2).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionFacts {
    /// What the request answered.
    pub answer: EndpointAnswer,
    /// `softwareVersion`, as text.
    pub software_version: Option<String>,
    /// `loginType`, e.g. `System`, `Provisioning`, `Group`.
    pub login_type: Option<String>,
    /// `readOnly`, read leniently (`true` or the string `"true"`, any case); `None` when
    /// absent or neither boolean nor boolean text.
    pub read_only: Option<bool>,
}

/// How Odin answers a request whose token it cannot accept (API.md §1, §2).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedTokenFacts {
    /// The HTTP status (401 or 403 expected); `None` when no answer came.
    pub status: Option<u16>,
    /// The key of the error body that holds the text, taken in the order sleipnir reads
    /// it: `details`, else `error`, else `message`; `None` when none holds text.
    pub message_key: Option<String>,
    /// The keys of the error body, sorted (empty when it is not a JSON object).
    pub body_keys: Vec<String>,
    /// Why no answer came, when none did.
    pub error: Option<String>,
}

/// What one request answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointAnswer {
    /// Method, path and the query's keys, e.g. `GET /users?userId=`.
    pub request: String,
    /// The HTTP status; `None` when no answer came (unreachable, timed out, dropped).
    pub status: Option<u16>,
    /// What the answer amounts to.
    pub outcome: Outcome,
    /// One line: what the answer held, or why it failed (Odin's own text).
    pub summary: String,
}

/// What an answer amounts to, for the exit code (see [`Report::exit_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// 2xx with the documented shape.
    Answered,
    /// 404 to a `/bulk` group read: this server does not serve it; sleipnir reads per user.
    NotServed,
    /// Any other answer, a 2xx of another shape, or none.
    Failed,
}

/// How the checked user was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Chosen {
    /// Named on the command line (`--user`, `--group`).
    Given,
    /// The user: the first row of the group's listing. The group: the user record's
    /// `serviceProviderId` and `groupId`.
    Derived,
}

/// The four per-user reads sleipnir makes (DESIGN.md §2; API.md §3–6).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFacts {
    /// The user checked.
    pub user_id: String,
    /// Given with `--user`, or the first user of `--group`'s listing.
    pub chosen: Chosen,
    /// `GET /users?userId=`.
    pub record: EndpointAnswer,
    /// `GET /users/services?userId=`.
    pub services: EndpointAnswer,
    /// `GET /users/services/settings?userId=`.
    pub settings: EndpointAnswer,
    /// `GET /users/call-processing-policy?userId=`.
    pub policy: EndpointAnswer,
    /// How the services listing spells the licence `Integrated IM&P` (`Integrated IMP` or
    /// `Integrated IM&P`, API.md §4 quirk 7); `None` when the listing does not name it.
    pub imp_spelling: Option<String>,
}

/// The group reads sleipnir makes (API.md §7a).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupFacts {
    /// The service provider.
    pub service_provider_id: String,
    /// The group.
    pub group_id: String,
    /// Given with `--group`, or where the checked user's record says it lives.
    pub chosen: Chosen,
    /// `GET /users?serviceProviderId=&groupId=`: summary rows.
    pub listing: ListingFacts,
    /// The same with `extended=true`.
    pub extended: ListingFacts,
    /// Each `/bulk` read sleipnir knows, in the order of API.md.
    pub bulk: Vec<BulkFacts>,
}

/// A group listing, and its row of the checked user beside that user's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingFacts {
    /// What the request answered.
    pub answer: EndpointAnswer,
    /// The rows, when it answered.
    pub rows: Option<usize>,
    /// The checked user's row compared with the record; `None` when one of them is missing.
    pub fields: Option<RowFields>,
    /// Why there is no comparison, when there is none.
    pub not_compared: Option<String>,
}

/// One `/bulk` read of a service's settings for a whole group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkFacts {
    /// The service name, e.g. `Call Forwarding Always`.
    pub service: String,
    /// What the request answered.
    pub answer: EndpointAnswer,
}
