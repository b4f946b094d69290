//! Write-only credential values (API.md §11): which credentials a sheet can set, the rules
//! Odin publishes for them, and [`Secret`], the one way sleipnir holds a value.
//!
//! A credential value is written nowhere but the request body and a run's `credentials.csv`
//! (DESIGN.md §3, §4): everything else sees [`REDACTED`].

use std::fmt;

use zeroize::Zeroizing;

/// What plan files, plan text and run files hold in place of a credential value.
pub const REDACTED: &str = "********";

/// The cell text that asks Odin's generators for a value (API.md §11).
pub const GENERATE: &str = "<generate>";

/// What a failed credentials step's message says before the credentials it set before
/// Odin refused the next (`… (already set, and not restorable: sipPassword, webPassword)`):
/// written by apply, read back by rollback to name exactly those.
pub const ALREADY_SET: &str = "already set, and not restorable: ";

/// One credential a sheet can set: a column `credentials.<name>`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Credential {
    /// The SIP authentication user name (`PUT /users/authentication`, `userName`).
    SipUserName,
    /// The SIP authentication password (`PUT /users/authentication`, `newPassword`).
    SipPassword,
    /// The web (login) password (`PUT /users/passwords`, `newPassword`).
    WebPassword,
    /// The voice portal passcode (`PUT /users/portal-passcode`, `newPasscode`).
    PortalPasscode,
}

impl Credential {
    /// Every credential, in the order a user's writes of them run.
    pub const ALL: [Credential; 4] = [
        Credential::SipUserName,
        Credential::SipPassword,
        Credential::WebPassword,
        Credential::PortalPasscode,
    ];

    /// The name after `credentials.` in a header, and in plan files.
    pub fn name(self) -> &'static str {
        match self {
            Credential::SipUserName => "sipUserName",
            Credential::SipPassword => "sipPassword",
            Credential::WebPassword => "webPassword",
            Credential::PortalPasscode => "portalPasscode",
        }
    }

    /// The credential named `name` exactly.
    pub fn from_name(name: &str) -> Option<Credential> {
        Credential::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Where it is written (API.md §11): `PUT {path}`.
    pub fn path(self) -> &'static str {
        match self {
            Credential::SipUserName | Credential::SipPassword => "/users/authentication",
            Credential::WebPassword => "/users/passwords",
            Credential::PortalPasscode => "/users/portal-passcode",
        }
    }

    /// The key of its value in the write body (API.md §11).
    pub fn body_key(self) -> &'static str {
        match self {
            Credential::SipUserName => "userName",
            Credential::SipPassword | Credential::WebPassword => "newPassword",
            Credential::PortalPasscode => "newPasscode",
        }
    }

    /// Whether its value is a secret (every one but the SIP user name, which Odin shows).
    pub fn is_secret(self) -> bool {
        !matches!(self, Credential::SipUserName)
    }
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A credential value: zeroed when dropped, and never printed — `Debug` and `Display` show
/// [`REDACTED`]. The bytes are reached only through [`Secret::expose`], by the code that puts
/// them in a request body or in `credentials.csv`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Holds `value`.
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    /// The value itself, for a request body or `credentials.csv` only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A published rule a value breaks (API.md §11: SIP passwords are 6–60 characters, hold an
/// upper and a lower case letter, and do not contain the user name). The text names the rule,
/// never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleBroken {
    /// Empty: a credential cannot be blanked (`<empty>`, `<null>`).
    #[error("a credential cannot be empty; leave the cell blank to keep it, or write `<generate>`")]
    Empty,
    /// Shorter or longer than allowed, in characters.
    #[error("must be {min}–{max} characters long, not {len}")]
    Length {
        /// Fewest characters allowed.
        min: usize,
        /// Most characters allowed.
        max: usize,
        /// Characters given.
        len: usize,
    },
    /// No upper case letter.
    #[error("must hold an upper case letter")]
    NoUpper,
    /// No lower case letter.
    #[error("must hold a lower case letter")]
    NoLower,
    /// Contains the user name (the user id before `@`, or the SIP user name), any case.
    #[error("must not contain the user name `{0}`")]
    ContainsUserName(String),
}

/// Checks `value` for `credential` against the rules Odin publishes (API.md §11); `names` are
/// the user's names a password must not contain (the user id's part before `@`, the SIP user
/// name). Only the SIP password has published rules; any value of the others is the server's
/// to judge, and Odin's own text reports it.
pub fn check(credential: Credential, value: &str, names: &[&str]) -> Result<(), RuleBroken> {
    if value.is_empty() {
        return Err(RuleBroken::Empty);
    }
    if credential != Credential::SipPassword {
        return Ok(());
    }
    let len = value.chars().count();
    if !(6..=60).contains(&len) {
        return Err(RuleBroken::Length {
            min: 6,
            max: 60,
            len,
        });
    }
    if !value.chars().any(char::is_uppercase) {
        return Err(RuleBroken::NoUpper);
    }
    if !value.chars().any(char::is_lowercase) {
        return Err(RuleBroken::NoLower);
    }
    let lower = value.to_lowercase();
    for name in names.iter().filter(|n| !n.is_empty()) {
        if lower.contains(&name.to_lowercase()) {
            return Err(RuleBroken::ContainsUserName((*name).to_string()));
        }
    }
    Ok(())
}

/// The names a password of `user_id` must not contain: the part before `@`, and the SIP user
/// name when one is given.
pub fn user_names<'a>(user_id: &'a str, sip_user_name: Option<&'a str>) -> Vec<&'a str> {
    let local = user_id.split('@').next().unwrap_or(user_id);
    let mut names = vec![local];
    names.extend(sip_user_name.filter(|n| !n.is_empty()));
    names
}

/// What a plan sets a credential to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialValue {
    /// A value the sheet gives.
    Given(Secret),
    /// A value Odin's generator makes at apply time (`<generate>`, API.md §11).
    Generate,
    /// A value a plan file stands in for with [`REDACTED`]: applying it needs the sheet
    /// (`--credentials SHEET`).
    Redacted,
}

impl CredentialValue {
    /// As a plan file and plan text show it: the SIP user name as itself (Odin shows it),
    /// every secret as [`REDACTED`], a generated one as [`GENERATE`].
    pub fn shown(&self, credential: Credential) -> String {
        match self {
            CredentialValue::Given(value) if !credential.is_secret() => value.expose().to_string(),
            CredentialValue::Given(_) | CredentialValue::Redacted => REDACTED.to_string(),
            CredentialValue::Generate => GENERATE.to_string(),
        }
    }

    /// Read back from a plan file: [`GENERATE`], the SIP user name, or [`Redacted`].
    ///
    /// [`Redacted`]: CredentialValue::Redacted
    pub fn from_shown(credential: Credential, text: &str) -> CredentialValue {
        match text {
            GENERATE => CredentialValue::Generate,
            _ if !credential.is_secret() && text != REDACTED => {
                CredentialValue::Given(Secret::new(text.to_string()))
            }
            _ => CredentialValue::Redacted,
        }
    }
}

/// The credentials one step sets for a user, by credential.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialChanges(pub std::collections::BTreeMap<Credential, CredentialValue>);

impl CredentialChanges {
    /// How many credentials it sets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it sets none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a plan file's patch: credential name → its value as [`CredentialValue::shown`].
    pub fn to_patch(&self) -> serde_json::Map<String, serde_json::Value> {
        self.0
            .iter()
            .map(|(c, v)| (c.name().to_string(), serde_json::Value::String(v.shown(*c))))
            .collect()
    }

    /// From a plan file's patch; an unknown name or a value that is not text is an error.
    pub fn from_patch(patch: &serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        let mut changes = CredentialChanges::default();
        for (name, value) in patch {
            let credential = Credential::from_name(name).ok_or_else(|| unknown(name))?;
            let text = value
                .as_str()
                .ok_or_else(|| format!("credential `{name}` must be text in a plan file"))?;
            changes
                .0
                .insert(credential, CredentialValue::from_shown(credential, text));
        }
        Ok(changes)
    }

    /// Whether a value is a plan file's stand-in, so the sheet must supply it.
    pub fn needs_sheet(&self) -> bool {
        self.0.values().any(|v| *v == CredentialValue::Redacted)
    }
}

/// Why `credentials.<name>` names nothing.
pub fn unknown(name: &str) -> String {
    let known: Vec<&str> = Credential::ALL.iter().map(|c| c.name()).collect();
    format!(
        "unknown credential `credentials.{name}` (known: {}){}",
        known.join(", "),
        crate::suggest::did_you_mean(&crate::suggest::closest(name, known.iter().copied()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let secret = Secret::new("Marker-Pw-123".into());
        assert_eq!(format!("{secret:?} {secret}"), "******** ********");
        assert_eq!(secret.expose(), "Marker-Pw-123");
    }

    #[test]
    fn published_sip_rules() {
        let names = user_names("alice@x", Some("sipalice"));
        let sip = |v: &str| check(Credential::SipPassword, v, &names);
        assert_eq!(
            sip("Ab1"),
            Err(RuleBroken::Length {
                min: 6,
                max: 60,
                len: 3
            })
        );
        assert_eq!(sip(&"Ab".repeat(31)).map_err(|_| ()), Err(()));
        assert_eq!(sip("abcdef1"), Err(RuleBroken::NoUpper));
        assert_eq!(sip("ABCDEF1"), Err(RuleBroken::NoLower));
        assert_eq!(
            sip("xxALICE9y"),
            Err(RuleBroken::ContainsUserName("alice".into()))
        );
        assert!(sip("Sip-Pw-42").is_ok());
        assert_eq!(
            check(Credential::WebPassword, "", &names),
            Err(RuleBroken::Empty)
        );
        assert!(check(Credential::PortalPasscode, "1234", &names).is_ok());
    }
}
