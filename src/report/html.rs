//! `report.html`: one self-contained page (inline CSS and SVG; no script, font or image
//! fetched from anywhere), written as well-formed polyglot markup so an XML parser reads it.
//! Every text that came from the sheet or the server goes through [`escape`].

use std::fmt::Write;

use serde_json::Value;

use crate::rundir::{ResultRow, Status, TimelinePoint, names};

use super::chart::{Series, panel, per_second};
use super::digest::{Digest, Figures, TABLE_USERS, by_status};
pub use super::escape::escape;
use super::failures::Cause;
use crate::text::thousands;

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2937;margin:0;background:#f8fafc}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px}
.muted{color:#6b7280}
.outcome{padding:14px 18px;border-radius:8px;font-size:17px;font-weight:600;margin:16px 0}
.outcome.ok{background:#dcfce7;color:#14532d}.outcome.bad{background:#fee2e2;color:#7f1d1d}
.outcome.warn{background:#fef3c7;color:#78350f}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f1f5f9;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.st{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;font-weight:600}
.applied{background:#c6efce;color:#006100}.unchanged{background:#e7e6e6;color:#3a3838}
.failed{background:#ffc7ce;color:#9c0006}
.skipped,.compensated,.drifted{background:#ffeb9c;color:#9c5700}
.deferred{background:#ddebf7;color:#1f4e78}
.counts{display:flex;gap:12px;flex-wrap:wrap}
.count{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 16px;min-width:120px}
.count b{display:block;font-size:24px}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#0f172a;color:#e2e8f0;padding:10px 14px;border-radius:6px;overflow-x:auto}
.chart{background:#fff;border:1px solid #e5e7eb;border-radius:8px;margin-bottom:12px}
.chart .title{font-size:16px;font-weight:600;fill:#1f2937}
.chart .legend{font-size:14px;fill:#374151}.chart .axis{font-size:13px;fill:#4b5563}
.chart .grid{stroke:#e5e7eb;stroke-width:1}
.change{font-size:13px;word-break:break-all}
";

/// What the page is made of.
pub struct Page<'a> {
    /// The run directory, as the admin named it.
    pub dir: &'a str,
    /// The plan the run applied.
    pub source: &'a str,
    /// The run's figures.
    pub figures: &'a Figures,
    /// The folded results.
    pub digest: &'a Digest,
    /// Causes of steps not done.
    pub causes: &'a [&'a Cause],
    /// The run's counters second by second.
    pub timeline: &'a [TimelinePoint],
    /// Commands to undo and retry, naming the run's target (as text: the page links to
    /// nothing).
    pub next: &'a [(&'static str, String)],
    /// The run's target, or [`super::TARGET_PLACEHOLDER`] when the run did not record it.
    pub target: &'a str,
    /// Whether the run generated credentials (`credentials.csv`): named, never linked or
    /// quoted.
    pub credentials: bool,
}

/// The whole page.
pub fn render(page: &Page<'_>) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let f = page.figures;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>sleipnir run {}</title><style>{STYLE}</style></head><body><main>",
        escape(page.dir)
    );
    let _ = write!(
        out,
        "<h1>sleipnir run <code>{}</code></h1><div class=\"muted\">plan <code>{}</code>{}</div>",
        escape(page.dir),
        escape(page.source),
        match (&f.started, &f.ended) {
            (Some(s), Some(e)) => format!(" · {} → {}", escape(s), escape(e)),
            _ => String::new(),
        }
    );
    let _ = write!(
        out,
        "<p class=\"outcome {}\" id=\"outcome\">{}</p>",
        f.tone(),
        escape(&f.outcome())
    );
    counts(&mut out, f);
    if !page.next.is_empty() {
        let _ = match page.target == super::TARGET_PLACEHOLDER {
            true => write!(
                out,
                "<h2>What to do next</h2><p>With <code>ODIN_URL</code> set to the run's target \
                 (the run does not record it):</p>"
            ),
            false => write!(
                out,
                "<h2>What to do next</h2><p>Against the run's target, <code>{}</code>:</p>",
                escape(page.target)
            ),
        };
        for (what, command) in page.next {
            let _ = write!(out, "<div>To {what}:</div><pre>{}</pre>", escape(command));
        }
    }
    failures(&mut out, page.causes);
    over_time(&mut out, page.timeline);
    figures(&mut out, page);
    users(&mut out, page.digest);
    files(&mut out, page.credentials);
    out.push_str("</main></body></html>\n");
    out
}

fn counts(out: &mut String, f: &Figures) {
    out.push_str("<h2>Users by outcome</h2><div class=\"counts\">");
    let _ = write!(
        out,
        "<div class=\"count\">users<b id=\"count-users\">{}</b></div>",
        thousands(f.users as u64)
    );
    for (outcome, count) in f.users_by_outcome.named() {
        let _ = write!(
            out,
            "<div class=\"count\">{outcome}<b id=\"count-users-{outcome}\">{}</b></div>",
            thousands(count as u64)
        );
    }
    out.push_str("</div><h2>Steps by status</h2><div class=\"counts\">");
    for (status, count) in by_status(&f.steps) {
        let name = status.name();
        let _ = write!(
            out,
            "<div class=\"count\"><span class=\"st {name}\">{name}</span><b id=\"count-{name}\">{}</b></div>",
            thousands(count as u64)
        );
    }
    let _ = write!(
        out,
        "<div class=\"count\">steps<b id=\"count-steps\">{}</b></div></div>",
        thousands(f.steps.total() as u64)
    );
}

fn failures(out: &mut String, causes: &[&Cause]) {
    out.push_str("<h2>Not applied, by cause</h2>");
    if causes.is_empty() {
        out.push_str("<p>Every step was applied or already as planned.</p>");
        return;
    }
    out.push_str(
        "<table id=\"failures\"><tr><th>status</th><th>cause</th><th class=\"n\">steps</th><th>first rows and users</th></tr>",
    );
    for cause in causes {
        let examples: Vec<String> = cause
            .examples
            .iter()
            .map(|e| format!("row {} <code>{}</code>", e.row, escape(&e.user_id)))
            .collect();
        let more = if cause.steps > cause.examples.len() {
            " …"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr><td><span class=\"st {s}\">{s}</span></td><td>{}</td><td class=\"n\">{}</td><td>{}{more}</td></tr>",
            escape(&cause.text),
            thousands(cause.steps as u64),
            examples.join(", "),
            s = cause.status.name(),
        );
    }
    out.push_str("</table>");
}

/// The series drawn: requests and writes on one panel, 429s and retries (usually far fewer)
/// on their own scale below.
fn over_time(out: &mut String, timeline: &[TimelinePoint]) {
    out.push_str("<h2>The run over time</h2>");
    if timeline.len() < 2 {
        out.push_str("<p>The run took under two seconds: no per-second record to draw.</p>");
        return;
    }
    let series = |label: &str, colour, counter: fn(&TimelinePoint) -> u64| Series {
        label: label.to_string(),
        colour,
        values: per_second(timeline, counter),
    };
    let traffic = [
        series("requests/s", "#2563eb", |p| p.requests.requests),
        series("writes/s", "#16a34a", |p| {
            (p.steps.applied + p.steps.failed + p.steps.compensated) as u64
        }),
        series("users done/s", "#9333ea", |p| p.users_done as u64),
    ];
    let trouble = [
        series("429s/s", "#dc2626", |p| p.requests.throttled),
        series("retries/s", "#d97706", |p| p.requests.retries),
    ];
    out.push_str(&panel("Requests and writes per second", &traffic, 320.0));
    out.push_str(&panel(
        "429 answers and retries per second",
        &trouble,
        240.0,
    ));
}

fn figures(out: &mut String, page: &Page<'_>) {
    let f = page.figures;
    let q = &f.requests;
    out.push_str("<h2>Requests and latency</h2><table id=\"figures\">");
    let rows = [
        ("requests", thousands(q.requests)),
        ("requests per second", format!("{:.1}", f.request_rate)),
        ("retries", thousands(q.retries)),
        ("answered 429", thousands(q.throttled)),
        ("token refreshes", thousands(q.refreshes)),
        ("group reads", thousands(q.group_reads)),
        ("user reads", thousands(q.user_reads)),
        ("writes", thousands(q.writes)),
        ("bulk writes", thousands(q.bulk_writes)),
        ("group writes", thousands(q.group_writes)),
        ("logins", thousands(q.logins)),
        ("wall time", format!("{:.1} s", f.wall_seconds)),
    ];
    for (label, value) in rows {
        let _ = write!(out, "<tr><th>{label}</th><td class=\"n\">{value}</td></tr>");
    }
    out.push_str("</table><p></p><table id=\"latency\"><tr><th>step duration (ms)</th><th class=\"n\">steps</th><th class=\"n\">p50</th><th class=\"n\">p90</th><th class=\"n\">p95</th><th class=\"n\">p99</th><th class=\"n\">max</th></tr>");
    for (what, p) in page.digest.latency() {
        let _ = write!(
            out,
            "<tr><td>{what}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            thousands(p.count as u64),
            p.p50,
            p.p90,
            p.p95,
            p.p99,
            p.max
        );
    }
    out.push_str("</table>");
}

fn users(out: &mut String, digest: &Digest) {
    let shown = digest.table().count();
    let _ = write!(
        out,
        "<h2>Users</h2><p class=\"muted\">{} of {} users, those with a step not applied first.</p>",
        thousands(shown as u64),
        thousands(digest.users as u64)
    );
    out.push_str("<table id=\"users\"><tr><th class=\"n\">row</th><th>user</th><th>steps: before → after</th></tr>");
    for user in digest.table().take(TABLE_USERS) {
        let first = &user.steps[0];
        let _ = write!(
            out,
            "<tr><td class=\"n\">{}</td><td><code>{}</code></td><td>",
            first.row,
            escape(&first.user_id)
        );
        for step in &user.steps {
            step_html(out, step);
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</table>");
}

fn step_html(out: &mut String, step: &ResultRow) {
    let s = step.status.name();
    let _ = write!(
        out,
        "<div><span class=\"st {s}\">{s}</span> <b>{}</b>",
        step.resource
    );
    let before = parse_map(&step.before);
    let after = parse_map(&step.after);
    for (field, value) in &after {
        // A field the step never read (its user could not be read, or was not started)
        // has no before-value: unknown, which is not the same as unset.
        let old = match before.get(field) {
            None => "(not read)".to_string(),
            Some(Value::Null) => "(unset)".to_string(),
            Some(value) => shown(value),
        };
        let _ = write!(
            out,
            "<div class=\"change\"><code>{}</code>: {} → {}</div>",
            escape(field),
            escape(&old),
            escape(&shown(value))
        );
    }
    if after.is_empty() && !step.after.is_empty() {
        let _ = write!(out, "<div class=\"change\">{}</div>", escape(&step.after));
    }
    if !step.message.is_empty() && step.status != Status::Applied {
        let _ = write!(out, "<div class=\"muted\">{}</div>", escape(&step.message));
    }
    out.push_str("</div>");
}

fn parse_map(text: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn files(out: &mut String, credentials: bool) {
    out.push_str("<h2>Run files</h2><ul>");
    let all = [
        (
            names::WORKBOOK,
            "the results as a workbook (Summary, Failures, Results)",
        ),
        (names::RESULTS, "one line per user × step"),
        (
            names::FAILED,
            "a plan of the steps not applied, to fix and apply again",
        ),
        (names::ROLLBACK, "the plan that undoes the run"),
        (names::SUMMARY, "counts and figures"),
        (names::JOURNAL, "step state changes, for --resume"),
        (names::TIMELINE, "the counters second by second"),
        (names::LOG, "the log"),
    ];
    for (name, what) in all {
        let _ = write!(
            out,
            "<li><a href=\"{name}\"><code>{name}</code></a>: {what}</li>"
        );
    }
    if credentials {
        let _ = write!(
            out,
            "<li><code>{}</code>: the generated credentials, owner-only and the one place \
             they are written; hand them out, then delete it</li>",
            names::CREDENTIALS
        );
    }
    out.push_str("</ul>");
}
