//! Plans as people and scripts read them.

use serde::Serialize;
use serde_json::Value;

use crate::plan::{Plan, PlanSource, Totals, UserPlan};
use crate::resource::Resource;

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
    let mut out = format!("plan for `{}`", plan.source.source);
    if let Some(worksheet) = &plan.source.worksheet {
        out.push_str(&format!(", worksheet `{worksheet}`"));
    }
    if let Some(mapping) = &plan.source.mapping {
        out.push_str(&format!(", mapping `{mapping}`"));
    }
    out.push('\n');
    for user in &plan.users {
        out.push('\n');
        user_text(&mut out, user);
    }
    out.push('\n');
    out.push_str(&totals_line(&plan.totals()));
    out.push('\n');
    out
}

fn user_text(out: &mut String, user: &UserPlan) {
    let rows: Vec<String> = user.rows.iter().map(ToString::to_string).collect();
    let noun = if rows.len() == 1 { "row" } else { "rows" };
    out.push_str(&format!("{} ({noun} {})", user.user_id, rows.join(", ")));
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
        let label = step.resource.name();
        for (i, (key, value)) in step.patch.iter().enumerate() {
            let shown_label = if i == 0 { label } else { "" };
            let line = match step.resource {
                Resource::Services => service_line(key, value),
                _ => format!("{key} = {value}"),
            };
            out.push_str(&format!("  {shown_label:<9} {line}\n"));
        }
    }
}

/// `+ Name` for an assignment, `- Name` for a removal, with `pack` for service packs.
fn service_line(key: &str, value: &Value) -> String {
    let sign = if value.as_bool() == Some(true) {
        '+'
    } else {
        '-'
    };
    match key.split_once('.') {
        Some(("servicePackServices", name)) => format!("{sign} pack {name}"),
        Some((_, name)) => format!("{sign} {name}"),
        None => format!("{sign} {key}"),
    }
}

/// `200 users, 1,400 fields, 200 rows, 0 warnings`.
pub fn totals_line(totals: &Totals) -> String {
    let counted = |n: usize, one: &str, many: &str| {
        format!("{} {}", thousands(n), if n == 1 { one } else { many })
    };
    format!(
        "{}, {}, {}, {}",
        counted(totals.users, "user", "users"),
        counted(totals.fields, "field", "fields"),
        counted(totals.rows, "row", "rows"),
        counted(totals.warnings, "warning", "warnings"),
    )
}

/// `1234567` → `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The plan as one JSON document, fields in this order (serialised from the struct, not
/// through `serde_json::Value`, which would sort them).
#[derive(Serialize)]
struct Document<'a> {
    source: &'a PlanSource,
    users: &'a [UserPlan],
    totals: Totals,
    warnings: &'a [String],
}

/// The same plan as one JSON document: `{source, users, totals, warnings}`.
pub fn json(plan: &Plan) -> String {
    let document = Document {
        source: &plan.source,
        users: &plan.users,
        totals: plan.totals(),
        warnings: &plan.warnings,
    };
    // Plain data with string keys always serialises.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
