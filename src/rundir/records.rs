//! The typed records of the run files: how a step ended ([`Status`]), journal lines
//! ([`JournalEntry`]), results lines ([`ResultRow`], from [`StepResult`]), and `summary.json`
//! ([`super::Summary`]). Their names on disk are defined here and nowhere else.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::plan::UserPlan;
use crate::resource::Resource;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Written.
    Applied,
    /// Live values already were the desired ones; nothing was sent.
    Unchanged,
    /// Failed for good.
    Failed,
    /// Not attempted: an earlier step of the user failed, or the run stopped first.
    Skipped,
    /// Written, then undone because a later step of the user failed.
    Compensated,
    /// Not written: a live value changed since the reviewed plan recorded it.
    Drifted,
    /// Not started: the maintenance window was closing or the daily request budget was
    /// spent (DESIGN.md §4); `--resume` continues it, inside the next window.
    Deferred,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 7] = [
        Status::Applied,
        Status::Unchanged,
        Status::Failed,
        Status::Skipped,
        Status::Compensated,
        Status::Drifted,
        Status::Deferred,
    ];

    /// The word in results, the journal and summaries: the one definition of these names.
    pub fn name(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Unchanged => "unchanged",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Compensated => "compensated",
            Status::Drifted => "drifted",
            Status::Deferred => "deferred",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the step holds what the plan asks (applied, or already so).
    pub fn is_done(self) -> bool {
        matches!(self, Status::Applied | Status::Unchanged)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Status, D::Error> {
        let name = String::deserialize(deserializer)?;
        Status::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown status `{name}`")))
    }
}

/// Where a step stands in `journal.jsonl`: `writing` before its write is sent, then how it
/// ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalState {
    /// Its write is about to be sent; it may or may not reach Odin.
    Writing,
    /// It ended.
    Ended(Status),
}

impl JournalState {
    /// The word in the journal.
    pub fn name(self) -> &'static str {
        match self {
            JournalState::Writing => "writing",
            JournalState::Ended(status) => status.name(),
        }
    }
}

impl Serialize for JournalState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for JournalState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<JournalState, D::Error> {
        let name = String::deserialize(deserializer)?;
        match name.as_str() {
            "writing" => Ok(JournalState::Writing),
            other => Status::from_name(other)
                .map(JournalState::Ended)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown state `{name}`"))),
        }
    }
}

/// A line of `journal.jsonl`: enough to know, after a crash, which steps finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// The user.
    pub user_id: String,
    /// The step's index among the user's steps.
    pub step: usize,
    /// The resource.
    pub resource: Resource,
    /// Where the step stands.
    pub state: JournalState,
}

/// How one step of one user ended, as the run reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// The user's first sheet row.
    pub row: usize,
    /// The user.
    pub user_id: String,
    /// The step's index among the user's steps.
    pub step: usize,
    /// The resource.
    pub resource: Resource,
    /// How it ended.
    pub status: Status,
    /// The last HTTP status, when a request was answered.
    pub http_status: Option<u16>,
    /// Requests made for this step's write (0 when nothing was sent).
    pub attempts: u32,
    /// Time spent on the step.
    pub duration_ms: u64,
    /// Field path → value before, for the fields changed (or that would have been).
    pub before: Map<String, Value>,
    /// Field path → value after.
    pub after: Map<String, Value>,
    /// Why it failed or was skipped; Odin's own `details` when it said no.
    pub message: String,
}

impl StepResult {
    /// Step `step` of `user` on `resource`, ended `status`, with nothing sent yet and no
    /// values: the one place a result is made, so every one carries the user's row.
    pub fn new(user: &UserPlan, step: usize, resource: Resource, status: Status) -> StepResult {
        StepResult {
            row: user.rows.first().copied().unwrap_or(0),
            user_id: user.user_id.clone(),
            step,
            resource,
            status,
            http_status: None,
            attempts: 0,
            duration_ms: 0,
            before: Map::new(),
            after: Map::new(),
            message: String::new(),
        }
    }
}

/// One line of `results.csv`, its columns named as in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRow {
    /// The user's first sheet row.
    pub row: usize,
    /// The user.
    pub user_id: String,
    /// The resource.
    pub resource: Resource,
    /// How the step ended.
    pub status: Status,
    /// The last HTTP status, when a request was answered.
    pub http_status: Option<u16>,
    /// Requests made for the step's write.
    pub attempts: u32,
    /// Time spent on the step.
    pub duration_ms: u64,
    /// The field paths, `;`-separated.
    pub changed: String,
    /// Field path → value before, as compact JSON (empty when none).
    pub before: String,
    /// Field path → value after, as compact JSON (empty when none).
    pub after: String,
    /// Why it failed or was skipped.
    pub message: String,
    /// When the line was written (UTC, RFC 3339 with milliseconds); empty in files of an
    /// older sleipnir.
    #[serde(default)]
    pub at: String,
}

impl From<&StepResult> for ResultRow {
    fn from(result: &StepResult) -> ResultRow {
        let compact = |map: &Map<String, Value>| {
            if map.is_empty() {
                String::new()
            } else {
                Value::Object(map.clone()).to_string()
            }
        };
        let changed: Vec<&str> = result.after.keys().map(String::as_str).collect();
        ResultRow {
            row: result.row,
            user_id: result.user_id.clone(),
            resource: result.resource,
            status: result.status,
            http_status: result.http_status,
            attempts: result.attempts,
            duration_ms: result.duration_ms,
            changed: changed.join(";"),
            before: compact(&result.before),
            after: compact(&result.after),
            message: result.message.clone(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}

impl ResultRow {
    /// The row as a spreadsheet may show it: every text cell passed through
    /// [`spreadsheet_safe`] (numbers, resources and statuses never need it).
    pub(super) fn escaped(&self) -> ResultRow {
        let safe = |text: &str| spreadsheet_safe(text).into_owned();
        ResultRow {
            user_id: safe(&self.user_id),
            changed: safe(&self.changed),
            before: safe(&self.before),
            after: safe(&self.after),
            message: safe(&self.message),
            ..self.clone()
        }
    }

    /// The row as written, with the `'` that [`ResultRow::escaped`] added taken off again.
    pub(super) fn unescaped(self) -> ResultRow {
        let plain = |text: String| match text.strip_prefix('\'') {
            Some(rest) if spreadsheet_safe(rest) != rest => rest.to_string(),
            _ => text,
        };
        ResultRow {
            user_id: plain(self.user_id),
            changed: plain(self.changed),
            before: plain(self.before),
            after: plain(self.after),
            message: plain(self.message),
            ..self
        }
    }
}

/// A cell a spreadsheet would run as a formula gets a leading `'`: one starting with `=`,
/// `@`, tab or CR, or with `+`/`-` when it is not a number (`+15551234567` stays).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => cell[1..].parse::<f64>().is_err(),
        _ => false,
    };
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rundir::StatusCounts;

    #[test]
    fn formulas_are_defused_and_phone_numbers_kept() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("+15551234567"), "+15551234567");
        assert_eq!(spreadsheet_safe("-12"), "-12");
        assert_eq!(spreadsheet_safe("-cmd"), "'-cmd");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("plain"), "plain");
    }

    #[test]
    fn names_round_trip_through_serde() {
        for status in Status::ALL {
            let text = serde_json::to_string(&JournalState::Ended(status)).unwrap();
            assert_eq!(text, format!("\"{status}\""));
            let back: JournalState = serde_json::from_str(&text).unwrap();
            assert_eq!(back, JournalState::Ended(status));
        }
        let writing: JournalState = serde_json::from_str("\"writing\"").unwrap();
        assert_eq!(writing, JournalState::Writing);
        assert!(serde_json::from_str::<Status>("\"done\"").is_err());
    }

    #[test]
    fn counts_add_up() {
        let mut counts = StatusCounts::default();
        for status in [Status::Applied, Status::Applied, Status::Drifted] {
            counts.add(status);
        }
        assert_eq!(counts.get(Status::Applied), 2);
        assert_eq!(counts.total(), 3);
        assert_eq!(counts.done(), 2);
    }

    #[test]
    fn escaping_round_trips() {
        let row = ResultRow {
            row: 2,
            user_id: "=evil".into(),
            resource: Resource::User,
            status: Status::Failed,
            http_status: Some(400),
            attempts: 1,
            duration_ms: 3,
            changed: "extension".into(),
            before: String::new(),
            after: "{\"extension\":\"1\"}".into(),
            message: "-not a number".into(),
            at: String::new(),
        };
        let escaped = row.escaped();
        assert_eq!(escaped.user_id, "'=evil");
        assert_eq!(escaped.message, "'-not a number");
        assert_eq!(escaped.unescaped(), row);
    }
}
