//! Steps not applied, grouped by cause: Odin's `details` (or the client's message) with the
//! parts that differ from user to user taken out, so 3,000 "user X not found" lines are one
//! cause with a count.

use std::collections::HashMap;

use crate::rundir::{ResultRow, Status};

/// How many example rows each cause keeps.
pub const EXAMPLES: usize = 10;

/// One cause: a status and a normalised message, with how many steps it hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// How the steps ended.
    pub status: Status,
    /// The message with user ids and long numbers replaced (see [`normalise`]).
    pub text: String,
    /// Steps with this cause.
    pub steps: usize,
    /// The first steps with it, in the order the results list them.
    pub examples: Vec<Example>,
}

/// A step of a [`Cause`], for the admin to find it in the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The user's first sheet row.
    pub row: usize,
    /// The user.
    pub user_id: String,
    /// The step's resource.
    pub resource: String,
    /// The message as the run recorded it.
    pub message: String,
}

/// Steps not applied or unchanged, by cause; bounded memory: one entry per distinct cause
/// with at most [`EXAMPLES`] examples.
#[derive(Debug, Default)]
pub struct Failures {
    causes: HashMap<(Status, String), Cause>,
}

impl Failures {
    /// Count `row` if it is failed, skipped, compensated or drifted.
    pub fn add(&mut self, row: &ResultRow) {
        if row.status.is_done() {
            return;
        }
        let text = normalise(&row.message, &row.user_id);
        let cause = self
            .causes
            .entry((row.status, text.clone()))
            .or_insert_with(|| Cause {
                status: row.status,
                text,
                steps: 0,
                examples: Vec::new(),
            });
        cause.steps += 1;
        if cause.examples.len() < EXAMPLES {
            cause.examples.push(Example {
                row: row.row,
                user_id: row.user_id.clone(),
                resource: row.resource.to_string(),
                message: row.message.clone(),
            });
        }
    }

    /// The causes: by status in [`Status::ALL`] order (failed first among those not done),
    /// then most steps first, then by text.
    pub fn causes(&self) -> Vec<&Cause> {
        let mut causes: Vec<&Cause> = self.causes.values().collect();
        let rank = |s: Status| Status::ALL.iter().position(|x| *x == s).unwrap_or(0);
        causes.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then(b.steps.cmp(&a.steps))
                .then(a.text.cmp(&b.text))
        });
        causes
    }
}

/// What stands for the user in a normalised message.
pub const USER: &str = "{user}";

/// `message` with what differs between users taken out: the step's own user id becomes
/// `{user}`, and digit runs of 4 or more (extensions, phone numbers, ids) become `#`, so
/// `HTTP 400` keeps its status. An empty message reads `(no message)`.
pub fn normalise(message: &str, user_id: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        return "(no message)".to_string();
    }
    let replaced = if user_id.is_empty() {
        message.to_string()
    } else {
        message.replace(user_id, USER)
    };
    let mut out = String::with_capacity(replaced.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 4 {
            out.push('#');
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in replaced.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Resource;

    fn row(n: usize, user: &str, status: Status, message: &str) -> ResultRow {
        ResultRow {
            row: n,
            user_id: user.into(),
            resource: Resource::Settings,
            status,
            http_status: Some(404),
            attempts: 1,
            duration_ms: 5,
            changed: String::new(),
            before: String::new(),
            after: String::new(),
            message: message.into(),
            at: String::new(),
        }
    }

    #[test]
    fn messages_that_differ_only_by_user_or_number_are_one_cause() {
        assert_eq!(
            normalise("HTTP 404: user `a@x` not found", "a@x"),
            "HTTP 404: user `{user}` not found"
        );
        assert_eq!(
            normalise("extension 4001 is taken", "b"),
            "extension # is taken"
        );
        assert_eq!(normalise("  ", "a"), "(no message)");
        let mut failures = Failures::default();
        for n in 0..25 {
            let user = format!("u{n}@x");
            failures.add(&row(
                n + 2,
                &user,
                Status::Failed,
                &format!("HTTP 404: user `{user}` not found"),
            ));
        }
        failures.add(&row(40, "z", Status::Skipped, "an earlier step failed"));
        failures.add(&row(41, "z", Status::Applied, ""));
        failures.add(&row(42, "y", Status::Failed, "HTTP 400: bad"));
        let causes = failures.causes();
        assert_eq!(causes.len(), 3);
        assert_eq!(causes[0].steps, 25);
        assert_eq!(causes[0].examples.len(), EXAMPLES);
        assert_eq!(causes[0].examples[0].row, 2);
        assert_eq!(causes[1].text, "HTTP 400: bad");
        assert_eq!(causes[2].status, Status::Skipped);
    }
}
