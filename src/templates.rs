//! Sheets and mapping files admins start from, embedded in the binary.

use crate::suggest;

/// One embedded template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The name `sleipnir template NAME` takes.
    pub name: &'static str,
    /// The file name it suggests.
    pub file_name: &'static str,
    /// One line on what it changes.
    pub description: &'static str,
    /// The file's content.
    pub body: &'static str,
}

macro_rules! template {
    ($name:literal, $file:literal, $description:literal) => {
        Template {
            name: $name,
            file_name: $file,
            description: $description,
            body: include_str!(concat!("../templates/", $file)),
        }
    };
}

/// Every template, in the order `--list` shows them.
pub const TEMPLATES: &[Template] = &[
    template!(
        "call-forwarding-always",
        "call-forwarding-always.csv",
        "forward all calls to a number"
    ),
    template!(
        "call-forwarding-busy",
        "call-forwarding-busy.csv",
        "forward calls when the line is busy"
    ),
    template!(
        "call-forwarding-no-answer",
        "call-forwarding-no-answer.csv",
        "forward unanswered calls after a number of rings"
    ),
    template!(
        "call-forwarding-not-reachable",
        "call-forwarding-not-reachable.csv",
        "forward calls when no device is reachable"
    ),
    template!(
        "do-not-disturb",
        "do-not-disturb.csv",
        "turn do not disturb on or off"
    ),
    template!(
        "call-processing-policy",
        "call-processing-policy.csv",
        "calling line id policy and call limits"
    ),
    template!(
        "user-profile",
        "user-profile.csv",
        "names, calling line id names, extension and address"
    ),
    template!(
        "service-assignment",
        "service-assignment.csv",
        "assign and unassign services and service packs (`;`-separated)"
    ),
    template!(
        "voicemail",
        "voicemail.csv",
        "voice messaging on/off, delivery and notification e-mail, rings"
    ),
    template!(
        "mapping",
        "mapping.toml",
        "a mapping file for sheets with their own column titles"
    ),
    template!(
        "mapped-sheet",
        "mapped-sheet.csv",
        "a sheet with its own column titles, for the `mapping` template"
    ),
];

/// A name that is not a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no template `{name}`{}; `sleipnir template --list` shows them all",
    suggest::did_you_mean(suggestion)
)]
pub struct UnknownTemplate {
    /// The name asked for.
    pub name: String,
    /// The closest template name.
    pub suggestion: Option<String>,
}

/// The template called `name`.
pub fn find(name: &str) -> Result<&'static Template, UnknownTemplate> {
    TEMPLATES
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| UnknownTemplate {
            name: name.to_string(),
            suggestion: suggest::closest(name, TEMPLATES.iter().map(|t| t.name)),
        })
}
