//! Plans as people and scripts read them.

use serde::Serialize;

use crate::apply::estimate::Estimate;
use serde_json::Value;

use crate::credentials::{Credential, CredentialValue};
use crate::plan::{Plan, PlanSource, Step, Totals, UserPlan};
use crate::report::review::{Change, changes};
use crate::services::ServiceRef;
use crate::text::{counted, thousands};

/// The readable plan: a heading, each user with the fields and values to set, a totals line.
///
/// ```text
/// plan for `users.csv`
///
/// user00001@sim.example.net (row 2)
///   services  + Call Forwarding Always
///   settings  Call Forwarding Always.isActive = true
///             Call Forwarding Always.forwardToPhoneNumber = "+15551230001"
///
/// 1 user, 3 fields, 1 row, 0 warnings
/// ```
pub fn text(plan: &Plan) -> String {
    let mut out = format!("plan for {}\n", source_text(&plan.source));
    for user in &plan.users {
        out.push('\n');
        user_text(&mut out, user);
    }
    out.push('\n');
    out.push_str(&totals_line(&plan.totals()));
    out.push('\n');
    if let Some(line) = irreversible_line(plan) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn user_text(out: &mut String, user: &UserPlan) {
    out.push_str(&format!("{} ({})", user.user_id, rows_label(&user.rows)));
    let identity: Vec<String> = [
        user.service_provider_id
            .as_ref()
            .map(|sp| format!("service provider `{sp}`")),
        user.group_id.as_ref().map(|g| format!("group `{g}`")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !identity.is_empty() {
        out.push_str(&format!(" in {}", identity.join(", ")));
    }
    out.push('\n');
    for step in &user.steps {
        let label = step.resource().name();
        let lines: Vec<String> = match step {
            Step::Services(changes) => changes
                .entries()
                .into_iter()
                .map(|(service, assigned)| service_line(service, assigned))
                .collect(),
            Step::Fields { patch, .. } => patch
                .iter()
                // A value with a character that does not show prints it escaped: what is
                // sent never looks like something else.
                .map(|(key, value)| {
                    format!(
                        "{key} = {}",
                        crate::text::escape_invisible(&value.to_string())
                    )
                })
                .collect(),
            Step::Credentials(changes) => changes
                .0
                .iter()
                .map(|(credential, value)| credential_line(*credential, value))
                .collect(),
            Step::Entries {
                resource: crate::resource::Resource::Account,
                entries,
            } => entries
                .iter()
                .map(|(_, entry)| crate::operation::account::describe(None, entry))
                .collect(),
            Step::Entries { entries, .. } => entries
                .iter()
                .map(|(id, entry)| match entry {
                    Value::Null => format!("- {id}"),
                    entry => format!(
                        "+ {id} {}",
                        crate::text::escape_invisible(&entry.to_string())
                    ),
                })
                .collect(),
        };
        for (i, line) in lines.iter().enumerate() {
            let shown_label = if i == 0 { label } else { "" };
            out.push_str(&format!("  {shown_label:<9} {line}\n"));
        }
    }
}

/// A plan made against a target, Terraform-like: `~` users with each changing field as
/// `before → after` (services `+`/`-`), `+` users created and `-` users deleted, `!` users
/// that could not be read, and users already as planned collapsed into one `=` count.
pub fn live_text(plan: &Plan, unreadable: &[(String, String)]) -> String {
    let target = plan.source.target.as_deref().unwrap_or("the target");
    let mut out = format!(
        "plan for {} {target}\n",
        source_then(&plan.source, "against")
    );
    let (mut changing, mut fields, mut as_planned) = (0, 0, 0);
    for user in &plan.users {
        let rows = rows_label(&user.rows);
        if let Some((_, why)) = unreadable.iter().find(|(id, _)| *id == user.user_id) {
            out.push_str(&format!("\n! {} ({rows}): {why}\n", user.user_id));
            continue;
        }
        let lines: Vec<(&str, String)> = changes(user)
            .into_iter()
            .map(|change| {
                let line = match change {
                    Change::Service {
                        service, assigned, ..
                    } => service_line(service, assigned),
                    Change::Field {
                        resource: crate::resource::Resource::Account,
                        before,
                        after,
                        ..
                    } => crate::operation::account::describe(before, after),
                    Change::Field {
                        key, before, after, ..
                    } => field_line(key, before.unwrap_or(&Value::Null), after),
                    Change::Credential { credential, value } => credential_line(credential, value),
                };
                (change.resource().name(), line)
            })
            .collect();
        if lines.is_empty() {
            as_planned += 1;
            continue;
        }
        changing += 1;
        fields += lines.len();
        // Created users are `+`, deleted ones `-`, others `~`.
        let marker = match (user.creates(), user.deletes()) {
            (true, _) => '+',
            (_, true) => '-',
            _ => '~',
        };
        out.push_str(&format!("\n{marker} {} ({rows})\n", user.user_id));
        let mut last = "";
        for (label, line) in lines {
            let shown = if label == last { "" } else { label };
            last = label;
            out.push_str(&format!("    {shown:<9} {line}\n"));
        }
    }
    if as_planned > 0 {
        out.push_str(&format!(
            "\n= {} already as planned\n",
            counted(as_planned, "user", "users")
        ));
    }
    let totals = plan.totals();
    out.push_str(&format!(
        "\n{} to change ({}), {} already as planned, {} unreadable; {}, {}\n",
        counted(changing, "user", "users"),
        counted(fields, "field", "fields"),
        thousands(as_planned as u64),
        thousands(unreadable.len() as u64),
        counted(totals.rows, "row", "rows"),
        counted(totals.warnings, "warning", "warnings"),
    ));
    if let Some(line) = irreversible_line(plan) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The shared lists a plan changes, each with its members before → after (`plan
/// --target`); empty when it changes none.
pub fn lists_text(lists: &[crate::operation::ListChange]) -> String {
    let mut out = String::new();
    for change in lists {
        let show = |ids: &[String]| match ids.is_empty() {
            true => "(nobody)".to_string(),
            false => ids.join(", "),
        };
        out.push_str(&format!(
            "
{}: {} → {}
",
            change.list,
            show(&change.before),
            show(&change.after)
        ));
    }
    out
}

/// The sheet a plan was made from as the admin reads it: `` `users.xlsx`, worksheet `Users`,
/// mapping `m.toml` `` (the worksheet and mapping where there are).
pub fn source_text(source: &PlanSource) -> String {
    let mut out = format!("`{}`", source.source);
    if let Some(worksheet) = &source.worksheet {
        out.push_str(&format!(
            ", worksheet `{}`",
            crate::text::escape_invisible(worksheet)
        ));
    }
    if let Some(mapping) = &source.mapping {
        out.push_str(&format!(", mapping `{mapping}`"));
    }
    out
}

/// [`source_text`] followed by `word` (`against`, `at`), with the comma a list before it
/// needs: `` `a.csv` at `` but `` `a.xlsx`, worksheet `Users`, at ``.
pub fn source_then(source: &PlanSource, word: &str) -> String {
    let named = source_text(source);
    match source.worksheet.is_some() || source.mapping.is_some() {
        true => format!("{named}, {word}"),
        false => format!("{named} {word}"),
    }
}

/// `extension: "1001" → "2001"`; two values that print the same are shown with what tells
/// them apart escaped (`lastName: "Müller" → "Müller\u{200b}"`, see
/// [`crate::apply::diff::look_alike`]).
fn field_line(key: &str, before: &Value, after: &Value) -> String {
    let Some((then, now)) = crate::apply::diff::look_alike(Some(before), after) else {
        return format!("{key}: {before} → {after}");
    };
    let shown = |value: &Value, text: String| match value {
        Value::String(_) => format!("\"{}\"", text.replace('"', "\\\"")),
        _ => text,
    };
    format!("{key}: {} → {}", shown(before, then), shown(after, now))
}

/// `row 2` or `rows 2, 7`.
fn rows_label(rows: &[usize]) -> String {
    let list: Vec<String> = rows.iter().map(ToString::to_string).collect();
    let noun = if list.len() == 1 { "row" } else { "rows" };
    format!("{noun} {}", list.join(", "))
}

/// `sipPassword = ******** (set; cannot be rolled back)`, `webPassword = <generate>
/// (generated; cannot be rolled back)`: never a secret's value.
fn credential_line(credential: Credential, value: &CredentialValue) -> String {
    let how = match value {
        CredentialValue::Generate => "generated",
        _ => "set",
    };
    format!(
        "{credential} = {} ({how}; cannot be rolled back)",
        value.shown(credential)
    )
}

/// `N credential changes cannot be rolled back` when the plan has any, else nothing: what
/// `plan` and `apply` say before a run.
pub fn irreversible_line(plan: &Plan) -> Option<String> {
    let n = plan.credential_changes();
    (n > 0).then(|| {
        format!(
            "{} cannot be rolled back (write-only values, API.md §11)",
            counted(n, "credential change", "credential changes")
        )
    })
}

/// `+ Name` for an assignment, `- Name` for a removal, with `pack` for service packs.
fn service_line(service: &ServiceRef, assigned: bool) -> String {
    let sign = if assigned { '+' } else { '-' };
    format!("{sign} {service}")
}

/// `200 users, 1,400 fields, 200 rows, 0 warnings`.
pub fn totals_line(totals: &Totals) -> String {
    format!(
        "{}, {}, {}, {}",
        counted(totals.users, "user", "users"),
        counted(totals.fields, "field", "fields"),
        counted(totals.rows, "row", "rows"),
        counted(totals.warnings, "warning", "warnings"),
    )
}

/// The plan as one JSON document, fields in this order (serialised from the struct, not
/// through `serde_json::Value`, which would sort them).
#[derive(Serialize)]
struct Document<'a> {
    source: &'a PlanSource,
    users: &'a [UserPlan],
    totals: Totals,
    /// Each warning as printed (what it says of each user is in the review workbook).
    warnings: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unreadable: Vec<Unreadable<'a>>,
    /// The shared lists the plan changes (hunt groups, call centers): members before and
    /// after (`plan --target`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    lists: &'a [crate::operation::ListChange],
    #[serde(rename = "applyEstimate", skip_serializing_if = "Option::is_none")]
    apply_estimate: Option<ApplyEstimate>,
}

/// What applying the plan would send (`plan --target`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplyEstimate {
    /// All requests.
    total: u64,
    /// By kind.
    requests: Estimate,
    /// At this many requests per second (`--rate`)…
    rate: f64,
    /// …they take this long.
    seconds: f64,
    /// How they fit the maintenance window (`window`) and the daily budget (`budget`).
    #[serde(flatten)]
    fit: super::schedule::Fit,
}

/// `apply would send about 1,234 requests (…); about 4 min 7 s at --rate 5`.
pub fn estimate_line(estimate: &Estimate, rate: f64) -> String {
    let n = |n: u64, noun: &str| crate::text::count(n as usize, noun);
    // Group writes (a group's numbers) are named only where there are some.
    let group_writes = match estimate.group_writes {
        0 => String::new(),
        count => format!(", {}", n(count, "group write")),
    };
    format!(
        "apply would send about {} ({}, {}, {}, {}{group_writes}, {}): about {} at --rate {rate}",
        n(estimate.requests(), "request"),
        n(estimate.group_reads, "group read"),
        n(estimate.user_reads, "user read"),
        n(estimate.writes, "write"),
        n(estimate.bulk_writes, "bulk write"),
        n(estimate.logins, "login"),
        duration(estimate.seconds(rate)),
    )
}

/// `45 s`, `4 min 7 s`, `2 h 5 min`.
pub(super) fn duration(seconds: f64) -> String {
    let s = seconds.ceil() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// A user `plan --target` could not read.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Unreadable<'a> {
    user_id: &'a str,
    error: &'a str,
}

/// The same plan as one JSON document: `{source, users, totals, warnings}`, and the users
/// that could not be read when planning against a target. With before-values, each user
/// carries `before`.
pub fn json(
    plan: &Plan,
    (unreadable, lists): (&[(String, String)], &[crate::operation::ListChange]),
    estimate: Option<(Estimate, f64, super::schedule::Fit)>,
) -> String {
    let document = Document {
        source: &plan.source,
        users: &plan.users,
        totals: plan.totals(),
        warnings: plan.warnings.iter().map(|w| w.message.as_str()).collect(),
        unreadable: unreadable
            .iter()
            .map(|(user_id, error)| Unreadable { user_id, error })
            .collect(),
        lists,
        apply_estimate: estimate.map(|(requests, rate, fit)| ApplyEstimate {
            total: requests.requests(),
            requests,
            rate,
            seconds: (requests.seconds(rate) * 10.0).round() / 10.0,
            fit,
        }),
    };
    // Plain data with string keys always serialises.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
