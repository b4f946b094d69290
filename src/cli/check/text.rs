//! A check as people read it: one section per step, labels in a column, long values
//! wrapped under their value column.
//!
//! ```text
//! check of https://odin.example.net/api/v2: read-only, nothing is written
//!
//! login
//!   answer            200 POST /auth/token
//!   token lifetime    12 h
//! …
//! what sleipnir will do
//!   group reads       user-record columns the extended listing holds (…) are read per
//!                     group; others (address, …) are read per user
//! ```

use crate::check::{EndpointAnswer, ListingFacts, Report, RowFields};

/// Where values start: two spaces, a label of up to 16 characters, at least two spaces.
const LABEL: usize = 20;
/// Lines are wrapped to this width.
const WIDTH: usize = 100;

/// The whole report, ending with a newline.
pub fn report(report: &Report) -> String {
    let facts = &report.facts;
    let mut out = Out::default();
    out.line(&format!(
        "check of {}: read-only, nothing is written",
        facts.target
    ));

    out.section("login");
    let login = &facts.login;
    out.field("answer", &format!("{} POST /auth/token", login.status));
    out.field(
        "answer keys",
        &login.answer_keys.as_ref().map_or_else(
            || "not known".to_string(),
            |keys| format!("{} (the token's value is never shown)", keys.join(", ")),
        ),
    );
    out.field(
        "token lifetime",
        &login.token_lifetime_seconds.map_or_else(
            || "unknown: the token is not a JWT with an `exp`".to_string(),
            duration,
        ),
    );

    let session = &facts.session;
    out.section("session");
    out.field(
        "answer",
        &format!(
            "{}: {}",
            answer_head(&session.answer),
            session.answer.summary
        ),
    );
    let or_absent = |value: &Option<String>| value.clone().unwrap_or_else(|| "absent".into());
    out.field("software version", &or_absent(&session.software_version));
    out.field("login type", &or_absent(&session.login_type));
    out.field(
        "read only",
        match session.read_only {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown (absent, or neither true nor false)",
        },
    );

    let refused = &facts.refused_token;
    out.section("refused token");
    out.field(
        "answer",
        &format!(
            "{} GET /auth/session with an invalid JWT-shaped token",
            status(refused.status)
        ),
    );
    match (&refused.error, &refused.message_key) {
        (Some(error), _) => out.field("no answer", error),
        (None, Some(key)) => out.field(
            "error text in",
            &format!(
                "`{key}` (the body's keys: {})",
                refused.body_keys.join(", ")
            ),
        ),
        (None, None) => out.field("error text in", "none of `details`, `error`, `message`"),
    }

    if let Some(user) = &facts.user {
        let how = match (&user.chosen, &facts.group) {
            (crate::check::Chosen::Derived, Some(g)) => {
                format!(
                    " (the first user of {}/{})",
                    g.service_provider_id, g.group_id
                )
            }
            _ => String::new(),
        };
        out.section(&format!("user {}{how}", user.user_id));
        out.answers(&[&user.record, &user.services, &user.settings, &user.policy]);
        if let Some(name) = &user.imp_spelling {
            out.field(
                "im&p licence",
                &format!("spelled `{name}` in the services listing"),
            );
        }
    }
    if let Some(group) = &facts.group {
        let how = match group.chosen {
            crate::check::Chosen::Derived => " (where the user lives)",
            crate::check::Chosen::Given => "",
        };
        out.section(&format!(
            "group {}/{}{how}",
            group.service_provider_id, group.group_id
        ));
        let mut answers = vec![&group.listing.answer, &group.extended.answer];
        answers.extend(group.bulk.iter().map(|b| &b.answer));
        out.answers(&answers);
        out.listing("summary rows", &group.listing, facts.user.as_ref());
        out.listing("extended rows", &group.extended, facts.user.as_ref());
    }
    if !facts.not_checked.is_empty() {
        out.section("not checked");
        for why in &facts.not_checked {
            out.wrapped(2, why);
        }
    }

    out.section("what sleipnir will do");
    for conclusion in &report.conclusions {
        out.field(conclusion.topic, &conclusion.text);
    }
    if !report.warnings.is_empty() {
        out.section("warnings");
        for warning in &report.warnings {
            out.wrapped(2, warning);
        }
    }
    out.blank();
    let failed = report.failed();
    let mut requests = crate::text::count(facts.requests as usize, "request");
    if facts.throttled > 0 {
        // A server that throttles a few reads will throttle a run: worth knowing first.
        requests.push_str(&format!(
            " ({} answered 429: this server throttles; a run waits as it asks)",
            facts.throttled
        ));
    }
    out.line(&if failed == 0 {
        format!("{requests}, nothing written: every request answered as expected")
    } else {
        format!(
            "{requests}, nothing written: {} did not answer as expected",
            crate::text::count(failed, "request")
        )
    });
    out.text
}

/// `200 GET /auth/session`, or `--- …` when no answer came.
fn answer_head(answer: &EndpointAnswer) -> String {
    format!("{} {}", status(answer.status), answer.request)
}

fn status(status: Option<u16>) -> String {
    status.map_or("---".to_string(), |s| s.to_string())
}

/// `12 h`, `1 h 30 min`, `90 s`.
fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, 0) => format!("{h} h {m} min"),
        _ => format!("{seconds} s"),
    }
}

#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn line(&mut self, line: &str) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    fn section(&mut self, title: &str) {
        self.blank();
        self.line(title);
    }

    /// `  label             value`, the value wrapped under itself.
    fn field(&mut self, label: &str, value: &str) {
        let lines = wrap(value, WIDTH - LABEL);
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            self.line(&format!("  {label:<width$}{line}", width = LABEL - 2));
        }
    }

    /// Text wrapped at `indent`.
    fn wrapped(&mut self, indent: usize, text: &str) {
        for line in wrap(text, WIDTH - indent) {
            self.line(&format!("{:indent$}{line}", ""));
        }
    }

    /// `  200  GET /path   summary`, requests aligned.
    fn answers(&mut self, answers: &[&EndpointAnswer]) {
        let width = answers.iter().map(|a| a.request.len()).max().unwrap_or(0);
        for answer in answers {
            self.line(&format!(
                "  {:<3}  {:<width$}  {}",
                status(answer.status),
                answer.request,
                answer.summary
            ));
        }
    }

    /// The checked user's row of a listing beside its record.
    fn listing(
        &mut self,
        name: &str,
        listing: &ListingFacts,
        user: Option<&crate::check::UserFacts>,
    ) {
        let Some(fields) = &listing.fields else {
            if let Some(why) = &listing.not_compared {
                self.line(&format!("  {name}: not compared with the record: {why}"));
            }
            return;
        };
        let who = user.map_or("the user".to_string(), |u| format!("`{}`", u.user_id));
        self.line(&format!("  {name}: the row of {who} beside its record"));
        self.row_fields(fields);
    }

    fn row_fields(&mut self, fields: &RowFields) {
        let list = |names: &[String]| {
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        self.field("  hold", &list(&fields.held));
        if !fields.differs.is_empty() {
            let differs: Vec<String> = fields
                .differs
                .iter()
                .map(|d| {
                    if d.row == d.record {
                        format!("{} (another value)", d.field)
                    } else {
                        format!(
                            "{} ({}; the record: {})",
                            d.field,
                            with_article(d.row),
                            with_article(d.record)
                        )
                    }
                })
                .collect();
            self.field("  hold otherwise", &differs.join(", "));
        }
        self.field("  lack", &list(&fields.lacked));
        if !fields.extra.is_empty() {
            self.field("  only in rows", &fields.extra.join(", "));
        }
    }
}

/// `an object`, `a number`, `text`, `null`: a JSON kind as a phrase.
fn with_article(kind: &str) -> String {
    match kind {
        "object" => "an object".into(),
        "text" | "null" => kind.into(),
        _ => format!("a {kind}"),
    }
}

/// Words of `text` in lines of at most `width` characters (a longer word has a line of its
/// own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(super::duration(43_200), "12 h");
        assert_eq!(super::duration(5_400), "1 h 30 min");
        assert_eq!(super::duration(300), "5 min");
        assert_eq!(super::duration(45), "45 s");
        assert_eq!(super::duration(3_601), "3601 s");
    }

    #[test]
    fn long_values_wrap_at_word_boundaries() {
        assert_eq!(super::wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(super::wrap("", 5), [""]);
        assert_eq!(super::wrap("abcdefgh i", 5), ["abcdefgh", "i"]);
    }
}
