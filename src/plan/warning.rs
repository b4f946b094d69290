//! Warnings: what a plan tells the admin without stopping it, and whom each one is about.

use serde::{Deserialize, Serialize};

/// Something worth telling the admin that did not stop the plan. Each is printed once (a
/// `warning:` line), counted once in the totals line, listed in the review workbook and
/// recorded in the plan file; one about users is also shown beside each of them in the review
/// workbook's message column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// The warning as printed, whole: where it is about users, it says how many and names
    /// the first.
    pub message: String,
    /// The users it is about, in plan order; empty when it is about the sheet as a whole (a
    /// merged range, hidden rows left out, a mapped column the sheet lacks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// What it says of each of its users, beside each in the review workbook; absent: the
    /// message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// Found by reading the target (`plan --target`): an earlier read's are replaced when the
    /// plan is read against a target again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
}

impl Warning {
    /// A warning about the sheet as a whole.
    pub fn sheet(message: impl Into<String>) -> Warning {
        Warning {
            message: message.into(),
            users: Vec::new(),
            each: None,
            live: false,
        }
    }

    /// A warning about `users`, saying `each` of every one of them (None: the message).
    pub fn about(users: Vec<String>, message: impl Into<String>, each: Option<String>) -> Warning {
        Warning {
            message: message.into(),
            users,
            each,
            live: false,
        }
    }

    /// What it says beside one of its users.
    pub fn note(&self) -> &str {
        self.each.as_deref().unwrap_or(&self.message)
    }
}

impl From<String> for Warning {
    fn from(message: String) -> Warning {
        Warning::sheet(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_warning_is_recorded_as_its_message_alone() {
        let warning = Warning::sheet("cells B2:B4 are merged");
        let text = serde_json::to_string(&warning).unwrap();
        assert_eq!(text, r#"{"message":"cells B2:B4 are merged"}"#);
        assert_eq!(serde_json::from_str::<Warning>(&text).unwrap(), warning);
    }

    #[test]
    fn a_warning_about_users_says_its_note_beside_each() {
        let mut warning = Warning::about(
            vec!["a@x".into(), "b@x".into()],
            "2 users without `Call Recording` assigned (a@x, b@x)",
            Some("`Call Recording` is not assigned".into()),
        );
        assert_eq!(warning.note(), "`Call Recording` is not assigned");
        warning.live = true;
        let text = serde_json::to_string(&warning).unwrap();
        assert!(text.contains(r#""users":["a@x","b@x"]"#), "{text}");
        assert!(text.contains(r#""live":true"#), "{text}");
        assert_eq!(serde_json::from_str::<Warning>(&text).unwrap(), warning);
        assert_eq!(Warning::about(vec![], "m", None).note(), "m");
    }
}
