//! Where the real Odin is unknown or differs between versions (API.md §1–3, §7a), a switch
//! for each possible answer, so tests can prove sleipnir safe under all of them. Each
//! defaults to the least forgiving answer (DESIGN.md section 7).

use std::fmt;
use std::str::FromStr;

/// How the simulator answers where the real Odin is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Variant {
    /// What a partial nested object in `PUT /users` (or below a service in `PUT
    /// /users/services/settings`) does to the stored one (API.md §3, [I]).
    pub nested_writes: NestedWrites,
    /// The status of a request sent with an expired token (API.md §2: 401 [I]; Odin's front
    /// end treats 403 alike).
    pub expired_token_status: ExpiredTokenStatus,
    /// Which key of an error body holds the message (API.md §1).
    pub error_body: ErrorBody,
    /// Every login answers 402: the admin's own password has expired (API.md §2).
    pub password_expired: bool,
    /// How service listings (`GET /users/services`) spell the licence `Integrated IM&P`
    /// (API.md §4, quirk 7).
    pub imp_spelling: ImpSpelling,
    /// Every error text echoes the request it answers: its `Authorization` header and its
    /// body (a login's password included), as careless servers and proxies do. For proving
    /// that no secret reaches any output.
    pub echo_requests: bool,
    /// Every login with the right credentials answers 500 (an internal error), so that its
    /// text, echoed with `echo_requests`, holds the password.
    pub failing_login: bool,
    /// What a bulk write (API.md §10) does when some listed users cannot take the change
    /// (unknown, of another group, service not assigned, value refused) [I].
    pub bulk_write_partial: BulkWritePartial,
    /// What `POST /groups/dns` (and `POST /service-providers/dns`) does with a number already
    /// in the list (API.md §12, unknown).
    pub dns_add_existing: DnsAddExisting,
    /// What `PUT /groups/dns` (activation) answers (API.md §12: the group's whole list, in
    /// the GET shape [C]; a server that answers something else makes a client re-read).
    pub dns_put_answer: DnsPutAnswer,
    /// What `PUT /users` does with a `phoneNumber` not in the user's group's list (API.md
    /// §12: OCI can add it to the group; no Odin source shows whether Odin does).
    pub phone_not_in_group: PhoneNotInGroup,
    /// The elements of the SCA endpoint lists (`GET /users/shared-call-appearance`, its
    /// `/bulk`) leave out `isActive`, `allowOrigination`, `allowTermination` (API.md §13:
    /// whether they carry them is unknown).
    pub sca_list_without_flags: bool,
    /// Where `DELETE /users/shared-call-appearance/endpoints` reads the endpoint's keys
    /// (API.md §13: the sources differ).
    pub sca_delete_style: ScaDeleteStyle,
    /// The shape of `GET /users/shared-call-appearance/bulk` (API.md §13, conflict).
    pub sca_bulk_shape: ScaBulkShape,
    /// `GET /users/shared-call-appearance` answers a flat list of the user's endpoints
    /// `[{userId, isActive, allowOrigination, allowTermination, deviceName, deviceLevel,
    /// linePort}]`, without `maxAppearances`, as newer odins_spear pages show it (API.md
    /// §13, conflict).
    pub sca_read_flat: bool,
    /// The answers to the unknowns of users' creation and deletion and of hunt group and
    /// call center membership (API.md §14, §15).
    pub members: MemberVariant,
}

/// What adding a number already in the list answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DnsAddExisting {
    /// 400 naming the number; nothing added. The default: a client that adds blindly and
    /// trusts the answer fails.
    #[default]
    Refuse,
    /// The number is skipped, the others added: 200.
    Ignore,
}

/// What `PUT /groups/dns` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DnsPutAnswer {
    /// The group's whole list, as `GET /groups/dns` answers it (API.md §12). The default.
    #[default]
    List,
    /// `{}`: nothing a client can judge the write by.
    Empty,
}

/// What `PUT /users` does with a `phoneNumber` not in the user's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PhoneNotInGroup {
    /// 400 naming the number and the group; nothing written. The default: the front end's
    /// picker offers only the group's numbers.
    #[default]
    Refuse,
    /// A number of the service provider's pool in no group is added to the user's group
    /// (not activated) and assigned, as OCI's `addPhoneNumberToGroup` does; one elsewhere is
    /// still refused.
    Add,
}

/// Where the SCA endpoint DELETE reads its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScaDeleteStyle {
    /// The query parameters if `userId` is among them, else the JSON body. The default.
    #[default]
    Either,
    /// Only the JSON body, as Odin's front end sends it; keys in the query alone are a 400.
    Body,
    /// Only the query parameters, as newer odins_spear sends them; a body alone is a 400.
    Query,
}

/// The shape of the group SCA read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScaBulkShape {
    /// `{users: [{profile, data: {maxAppearances, endpoints}}]}`, as the front end reads it.
    /// The default.
    #[default]
    Object,
    /// A flat JSON array of endpoints, `[{userId, isActive, allowOrigination,
    /// allowTermination, deviceName, deviceLevel, linePort}]`, as newer odins_spear pages
    /// show it.
    Flat,
}

/// What a bulk write answers when some of its listed users cannot take the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BulkWritePartial {
    /// The whole request fails with a 400 naming the first such user, and nobody is
    /// written. The default: a client that trusts a bulk write to go through fails.
    #[default]
    Fail,
    /// The others are written and those users skipped silently: a 200 that does not say
    /// who was left out, so only a read afterwards tells.
    Skip,
}

/// What a partial nested object in a write does to the stored object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NestedWrites {
    /// The object sent replaces the stored one: keys not sent are lost. The default: the
    /// unforgiving answer.
    #[default]
    Replace,
    /// The object sent is merged into the stored one, field by field.
    Merge,
}

/// The HTTP status of a request whose token has expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpiredTokenStatus {
    /// 401 Unauthorized.
    Unauthorized,
    /// 403 Forbidden, as Odin's front end allows for. The default: a client that renews only
    /// on 401 fails.
    #[default]
    Forbidden,
}

impl ExpiredTokenStatus {
    /// The status code.
    pub fn code(self) -> u16 {
        match self {
            ExpiredTokenStatus::Unauthorized => 401,
            ExpiredTokenStatus::Forbidden => 403,
        }
    }
}

/// Where an error body puts its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorBody {
    /// `{status, error: "<reason phrase>", details: "<text>"}`, as odins_spear reads it.
    Details,
    /// `{status, error: "<text>"}` with no `details`, as Odin's front end reads it. The
    /// default: a client that reads only `details` loses the text.
    #[default]
    Error,
}

/// How a service listing spells the licence of the `Integrated IMP` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImpSpelling {
    /// `Integrated IMP`, as Odin's front end assigns it (API.md §4, quirk 7). The default.
    #[default]
    Imp,
    /// `Integrated IM&P`, as odins_spear's constants name it.
    ImAndP,
}

impl ImpSpelling {
    /// The name in the listing.
    pub fn name(self) -> &'static str {
        match self {
            ImpSpelling::Imp => "Integrated IMP",
            ImpSpelling::ImAndP => "Integrated IM&P",
        }
    }
}

macro_rules! choices {
    ($ty:ty, $what:literal, $($text:literal => $value:expr),+ $(,)?) => {
        impl FromStr for $ty {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($value),)+
                    _ => Err(format!(
                        concat!("`{}` is not ", $what, "; expected one of: {}"),
                        text,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                $(if *self == $value {
                    return f.write_str($text);
                })+
                Ok(())
            }
        }
    };
}

choices!(NestedWrites, "a nested-write answer", "replace" => NestedWrites::Replace, "merge" => NestedWrites::Merge);
choices!(ExpiredTokenStatus, "an expired-token status", "401" => ExpiredTokenStatus::Unauthorized, "403" => ExpiredTokenStatus::Forbidden);
choices!(ErrorBody, "an error-body key", "details" => ErrorBody::Details, "error" => ErrorBody::Error);
choices!(ImpSpelling, "a spelling", "IMP" => ImpSpelling::Imp, "IM&P" => ImpSpelling::ImAndP);
choices!(BulkWritePartial, "a partial bulk-write answer", "fail" => BulkWritePartial::Fail, "skip" => BulkWritePartial::Skip);
choices!(DnsAddExisting, "an answer to adding a listed number", "refuse" => DnsAddExisting::Refuse, "ignore" => DnsAddExisting::Ignore);
choices!(DnsPutAnswer, "an answer to an activation", "list" => DnsPutAnswer::List, "empty" => DnsPutAnswer::Empty);
choices!(PhoneNotInGroup, "an answer to a number not in the group", "refuse" => PhoneNotInGroup::Refuse, "add" => PhoneNotInGroup::Add);
choices!(ScaDeleteStyle, "an SCA delete style", "either" => ScaDeleteStyle::Either, "body" => ScaDeleteStyle::Body, "query" => ScaDeleteStyle::Query);
choices!(ScaBulkShape, "an SCA bulk shape", "object" => ScaBulkShape::Object, "flat" => ScaBulkShape::Flat);

mod members;

pub use members::{
    AgentRows, AgentsOmitted, CreateExtension, DeleteUnknown, HuntGroupRead, MemberVariant,
    SkillPut, UnknownUserRead,
};

impl Variant {
    /// The switches that differ from the defaults, for the simulator's banner and `check`'s
    /// tests, e.g. `nested writes merge, expired tokens 401`; empty when all are defaults.
    pub fn describe(&self) -> String {
        let default = Variant::default();
        let mut parts = Vec::new();
        if self.nested_writes != default.nested_writes {
            parts.push(format!("nested writes {}", self.nested_writes));
        }
        if self.expired_token_status != default.expired_token_status {
            parts.push(format!("expired tokens {}", self.expired_token_status));
        }
        if self.error_body != default.error_body {
            parts.push(format!("error text in `{}`", self.error_body));
        }
        if self.password_expired {
            parts.push("login answers 402 (password expired)".to_string());
        }
        if self.imp_spelling != default.imp_spelling {
            parts.push(format!("listings spell `{}`", self.imp_spelling.name()));
        }
        if self.echo_requests {
            parts.push("error texts echo the request".to_string());
        }
        if self.failing_login {
            parts.push("logins answer 500".to_string());
        }
        if self.bulk_write_partial != default.bulk_write_partial {
            parts.push(format!(
                "bulk writes {} users who cannot take the change",
                self.bulk_write_partial
            ));
        }
        if self.dns_add_existing != default.dns_add_existing {
            parts.push(format!("adding a listed number: {}", self.dns_add_existing));
        }
        if self.dns_put_answer != default.dns_put_answer {
            parts.push(format!("activations answer {}", self.dns_put_answer));
        }
        if self.phone_not_in_group != default.phone_not_in_group {
            parts.push(format!(
                "a user's number not in its group: {}",
                self.phone_not_in_group
            ));
        }
        if self.sca_list_without_flags {
            parts.push("SCA lists without the endpoints' flags".to_string());
        }
        if self.sca_delete_style != default.sca_delete_style {
            parts.push(format!("SCA deletes read the {}", self.sca_delete_style));
        }
        if self.sca_bulk_shape != default.sca_bulk_shape {
            parts.push(format!("SCA group reads {}", self.sca_bulk_shape));
        }
        if self.sca_read_flat {
            parts.push("SCA reads as flat lists".to_string());
        }
        self.members.describe(&mut parts);
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_and_print_the_same_words() {
        for text in ["replace", "merge"] {
            assert_eq!(text.parse::<NestedWrites>().unwrap().to_string(), text);
        }
        assert_eq!("403".parse::<ExpiredTokenStatus>().unwrap().code(), 403);
        assert_eq!(
            "IM&P".parse::<ImpSpelling>().unwrap().name(),
            "Integrated IM&P"
        );
        assert!("both".parse::<ErrorBody>().is_err());
        assert_eq!(Variant::default().describe(), "");
        let skip = Variant {
            bulk_write_partial: "skip".parse().unwrap(),
            ..Variant::default()
        };
        assert_eq!(
            skip.describe(),
            "bulk writes skip users who cannot take the change"
        );
        let numbers = Variant {
            dns_add_existing: "ignore".parse().unwrap(),
            phone_not_in_group: "add".parse().unwrap(),
            sca_delete_style: "body".parse().unwrap(),
            ..Variant::default()
        };
        assert_eq!(
            numbers.describe(),
            "adding a listed number: ignore, a user's number not in its group: add, \
             SCA deletes read the body"
        );
        let empty = Variant {
            dns_put_answer: "empty".parse().unwrap(),
            ..Variant::default()
        };
        assert_eq!(empty.describe(), "activations answer empty");
        assert!("flat".parse::<ScaBulkShape>().is_ok());
        assert!("both".parse::<ScaDeleteStyle>().is_err());
    }
}
