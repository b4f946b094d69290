//! The plan review workbook (`plan --out review.xlsx`, `plan --review review.xlsx`): for an
//! approver, one row per user × field the plan changes, with its value before and after, and
//! a `Totals` sheet saying what was planned, from which sheet, against which target.
//!
//! A field "changes" exactly as `plan --target` prints it ([`changes`]): with before-values,
//! only fields whose live value differs from the planned one; without (an offline plan),
//! every planned field, with `before` blank. Rows go to a constant-memory worksheet as they
//! are made, so a 50,000-user plan is held once (as the plan), and the file is written whole
//! or not at all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use crate::plan::Plan;

pub use changes::{Change, changes, value_text};
use changes::{assignment, field_texts};

use super::ReportError;
use super::workbook::{cell, header_format};

/// Where the whole text of a review cell is.
const IN_PLAN: &str = "the plan (`sleipnir plan … --format json`)";

/// Sheet names, as tests and readers find them.
pub mod sheets {
    /// One row per user × changed field, and one per unreadable user.
    pub const REVIEW: &str = "Review";
    /// Counts, the source sheet, the target and the time.
    pub const TOTALS: &str = "Totals";
}

/// The columns of the `Review` sheet.
pub const COLUMNS: [&str; 8] = [
    "row", "userId", "resource", "field", "before", "after", "change", "message",
];

/// The labels of the Totals sheet's rows, as the tests read them back.
pub mod labels {
    /// Users with a field that changes.
    pub const USERS_TO_CHANGE: &str = "users to change";
    /// Rows of the Review sheet that change a field.
    pub const FIELDS: &str = "fields to change";
    /// Users whose live values are already the planned ones.
    pub const AS_PLANNED: &str = "users already as planned";
    /// Users the target could not read.
    pub const UNREADABLE: &str = "unreadable users";
    /// Data rows of the sheet.
    pub const ROWS: &str = "sheet rows";
    /// Warnings of the plan, each counted once (as the totals line counts them).
    pub const WARNINGS: &str = "warnings";
    /// Users a warning names; each of their rows says it in its message.
    pub const USERS_WARNED: &str = "users with a warning";
    /// The target the before-values were read from.
    pub const TARGET: &str = "target";
}

/// What the workbook holds, for the command's note.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    /// Users with something that changes.
    pub users_to_change: usize,
    /// Fields and services that change.
    pub fields: usize,
    /// Users already as planned (plans with before-values only).
    pub as_planned: usize,
    /// Users the target could not read.
    pub unreadable: usize,
}

/// Write the review workbook of `plan` to `path`; `unreadable` are the users `plan --target`
/// could not read, with why. `time` is when the plan was made (shown in Totals).
pub fn write(
    plan: &Plan,
    unreadable: &[(String, String)],
    path: &Path,
    time: &str,
) -> Result<ReviewCounts, ReportError> {
    let xlsx = |source| ReportError::Workbook {
        path: path.to_path_buf(),
        source,
    };
    let mut book = Workbook::new();
    // Constant-memory rows go to a temporary file: beside the output, not in a RAM /tmp.
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    book.set_tempdir(&dir).map_err(xlsx)?;
    let counts = review_sheet(&mut book, plan, unreadable).map_err(xlsx)?;
    book.push_worksheet(totals_sheet(plan, &counts, time).map_err(xlsx)?);
    crate::atomic::write_with(path, |file| {
        book.save_to_writer(std::io::BufWriter::new(file))
    })
    .map_err(xlsx)?;
    Ok(counts)
}

fn review_sheet(
    book: &mut Workbook,
    plan: &Plan,
    unreadable: &[(String, String)],
) -> Result<ReviewCounts, XlsxError> {
    let why: HashMap<&str, &str> = unreadable
        .iter()
        .map(|(id, why)| (id.as_str(), why.as_str()))
        .collect();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheets::REVIEW)?;
    let bold = header_format();
    for (col, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (col, width) in [7.0, 34.0, 10.0, 44.0, 30.0, 30.0, 11.0, 60.0]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut counts = ReviewCounts::default();
    let warned = warnings::by_user(plan);
    let mut r: u32 = 1;
    for user in &plan.users {
        let first_row = user.rows.first().copied().unwrap_or(0) as f64;
        let notes = warned.get(user.user_id.as_str());
        let mut line = |sheet: &mut Worksheet, texts: [&str; 6]| -> Result<(), XlsxError> {
            sheet.write_number(r, 0, first_row)?;
            sheet.write_string(r, 1, cell(&user.user_id, IN_PLAN))?;
            let message = warnings::message(texts[5], notes);
            let shown = texts[..5].iter().copied().chain([message.as_str()]);
            for (col, text) in shown.enumerate() {
                if !text.is_empty() {
                    sheet.write_string(r, col as u16 + 2, cell(text, IN_PLAN))?;
                }
            }
            r += 1;
            Ok(())
        };
        if let Some(why) = why.get(user.user_id.as_str()) {
            counts.unreadable += 1;
            line(sheet, ["—", "", "", "", "unreadable", why])?;
            continue;
        }
        let found = changes(user);
        if found.is_empty() {
            counts.as_planned += 1;
            continue;
        }
        counts.users_to_change += 1;
        counts.fields += found.len();
        let read = user.before.is_some();
        for change in found {
            let resource = change.resource().name();
            match change {
                Change::Service {
                    service,
                    assigned,
                    before,
                } => {
                    let then = match before {
                        Some(Value::Bool(b)) => assignment(*b),
                        _ if read => assignment(!assigned),
                        _ => "",
                    };
                    let verb = if assigned { "assign" } else { "unassign" };
                    let name = service.to_string();
                    line(
                        sheet,
                        [resource, &name, then, assignment(assigned), verb, ""],
                    )?;
                }
                // A user created or deleted: what happens to it, in words (a delete's
                // before is the whole record it keeps).
                Change::Field {
                    resource: crate::resource::Resource::Account,
                    key,
                    before,
                    after,
                } => {
                    let brief =
                        |v: &Value| crate::operation::brief(crate::resource::Resource::Account, v);
                    let then = match read {
                        true => brief(before.unwrap_or(&Value::Null)),
                        false => String::new(),
                    };
                    let (verb, note) = match after.is_null() {
                        true => ("delete", crate::operation::account::LOST_SHORT),
                        false => ("create", ""),
                    };
                    line(sheet, [resource, key, &then, &brief(after), verb, note])?;
                }
                Change::Field {
                    key, before, after, ..
                } => {
                    let (then, now) =
                        field_texts(read.then_some(before.unwrap_or(&Value::Null)), after);
                    line(sheet, [resource, key, &then, &now, "set", ""])?;
                }
                Change::Credential { credential, value } => {
                    let name = credential.name();
                    let shown = value.shown(credential);
                    let note = "cannot be rolled back";
                    line(sheet, [resource, name, "", &shown, "set", note])?;
                }
            }
        }
    }
    sheet.autofilter(0, 0, r.saturating_sub(1).max(1), (COLUMNS.len() - 1) as u16)?;
    sheet.set_active(true);
    Ok(counts)
}

fn totals_sheet(plan: &Plan, counts: &ReviewCounts, time: &str) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(sheets::TOTALS)?;
    let bold = header_format();
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(1, 90)?;
    sheet.write_string_with_format(0, 0, "what", &bold)?;
    sheet.write_string_with_format(0, 1, "value", &bold)?;
    sheet.set_freeze_panes(1, 0)?;
    let source = &plan.source;
    let target = match &source.target {
        Some(target) => target.clone(),
        None => "none: the plan was not read against a target, so `before` is blank and \
                 every planned field is listed"
            .to_string(),
    };
    let mut texts: Vec<(&str, String)> = vec![
        ("sheet", source.source.clone()),
        ("sha256", source.sha256.clone()),
    ];
    if let Some(worksheet) = &source.worksheet {
        texts.push(("worksheet", worksheet.clone()));
    }
    if let Some(mapping) = &source.mapping {
        texts.push(("mapping", mapping.clone()));
    }
    texts.extend([
        (labels::TARGET, target),
        ("planned (UTC)", time.to_string()),
        ("by", format!("sleipnir {}", env!("CARGO_PKG_VERSION"))),
    ]);
    let mut r = 1;
    for (label, value) in &texts {
        sheet.write_string(r, 0, *label)?;
        sheet.write_string(r, 1, cell(value, IN_PLAN))?;
        r += 1;
    }
    let left = Format::new().set_align(FormatAlign::Left);
    let numbers = [
        ("users in the plan", plan.users.len()),
        (labels::USERS_TO_CHANGE, counts.users_to_change),
        (labels::FIELDS, counts.fields),
        (labels::AS_PLANNED, counts.as_planned),
        (labels::UNREADABLE, counts.unreadable),
        (labels::ROWS, plan.rows),
        (labels::WARNINGS, plan.warnings.len()),
        (labels::USERS_WARNED, warnings::users_named(plan)),
    ];
    for (label, value) in numbers {
        sheet.write_string(r, 0, label)?;
        sheet.write_number_with_format(r, 1, value as f64, &left)?;
        r += 1;
    }
    for warning in &plan.warnings {
        sheet.write_string(r, 0, "warning")?;
        sheet.write_string(r, 1, cell(&warning.message, IN_PLAN))?;
        r += 1;
    }
    r += 1;
    let legend = [
        ("row", "the user's first row in the sheet"),
        (
            "before",
            "the live value read from the target; blank when not read",
        ),
        ("<null>", "no value (absent, or removed by the plan)"),
        ("<empty>", "the empty string"),
        (
            "change",
            "set a field, assign or unassign a service, or unreadable",
        ),
        (
            "unreadable",
            "the target could not read the user (see message): its changes are not listed",
        ),
        (
            "message",
            "why the user could not be read, a change no rollback undoes, and each warning \
             about the user (`warning: …`; every warning is also listed above)",
        ),
    ];
    for (key, meaning) in legend {
        sheet.write_string_with_format(r, 0, key, &Format::new().set_bold())?;
        sheet.write_string(r, 1, meaning)?;
        r += 1;
    }
    Ok(sheet)
}

mod changes;
#[cfg(test)]
mod tests;
mod warnings;
