//! Values a spreadsheet lost: a sheet value that is the live one as a spreadsheet rewrites
//! a number it was given as text — its leading zeros or `+` dropped, or its digits
//! shortened. `plan --target` and `apply` refuse them (unless `--allow-lossy-values`), naming
//! the cell, the live value and the likely cause. Pure; offline plans cannot know the live
//! value, and rollbacks restore Odin's own values, so neither asks.
//!
//! A planned value counts as lost ([`lost`]) only when all of these hold:
//!
//! - the live value is a JSON string of ASCII digits with an optional leading `+` (how Odin
//!   holds phone numbers and extensions; a live JSON number has no zeros or `+` to lose);
//! - the planned value is text of ASCII digits with nothing else
//!   ([`crate::plan::cells::digits_of`]: what a number cell becomes in a text field), and
//!   it differs;
//! - the planned digits are either
//!   - the live value without its leading `+`, without its leading zeros, or both (`14`
//!     for `0014`, `15553000014` for `+15553000014`; `0` for `000`), or
//!   - where the live value has at least 12 significant digits (from 12 digits a
//!     spreadsheet shows a number in scientific notation, `4.47701E+11`, and saves what it
//!     shows; it keeps 15 digits of any number), those digits rounded or cut to fewer
//!     significant digits, the rest zeros (`447701000000` for `447701234567` or
//!     `+447701234567`).
//!
//! So a real edit is never refused: `2001` → `2002`, `0014` → `0015`, `14` → `0014`,
//! `+15553000014` → `+15553000015`, and any value with a `+`, a letter or a separator.
//! (Scientific notation itself, `4.47701E+11` in a text field, is refused offline by the
//! sheet's conversion.)

use std::collections::HashMap;

use serde_json::Value;

use super::diff::live_value;
use crate::plan::cells::digits_of;
use crate::plan::{Step, UserPlan};
use crate::problem::Problem;
use crate::resource::Resource;

/// The flag that writes lost values anyway.
pub const FLAG: &str = "--allow-lossy-values";

/// What a spreadsheet did to the live value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// Its leading zeros dropped.
    LeadingZeros,
    /// Its leading `+` dropped.
    Plus,
    /// Both.
    PlusAndZeros,
    /// Cut or rounded to this many significant digits, the rest zeros.
    Digits(usize),
}

/// What a spreadsheet lost of `live` to give `planned`, when `planned` is such a loss (see
/// the module doc for exactly which values count).
pub fn lost(live: &Value, planned: &Value) -> Option<Lost> {
    let Value::String(live) = live else {
        return None;
    };
    let planned = digits_of(planned)?;
    let (plus, digits) = match live.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, live.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || live == planned {
        return None;
    }
    let significant = match digits.trim_start_matches('0') {
        "" => "0",
        rest => rest,
    };
    let zeros = significant.len() < digits.len();
    if planned == digits && plus {
        return Some(Lost::Plus);
    }
    if planned == significant {
        return match (plus, zeros) {
            (true, true) => Some(Lost::PlusAndZeros),
            (false, true) => Some(Lost::LeadingZeros),
            _ => None,
        };
    }
    shortened(significant, planned).map(Lost::Digits)
}

/// How many significant digits `planned` keeps of `live` (digits without leading zeros,
/// at least 12 of them) when it is `live` cut or rounded to fewer, the rest zeros.
fn shortened(live: &str, planned: &str) -> Option<usize> {
    let kept = planned.trim_end_matches('0').len();
    if live.len() < 12 || kept == 0 || kept >= live.len() || planned.starts_with('0') {
        return None;
    }
    let zeros = |n: usize| "0".repeat(n);
    let cut = format!("{}{}", &live[..kept], zeros(live.len() - kept));
    // Rounded half up at `kept` digits: add one to the kept digits when the next is 5 or
    // more, carrying (999… becomes 1000…, one digit longer).
    let mut rounded: Vec<u8> = live.as_bytes()[..kept].to_vec();
    if live.as_bytes()[kept] >= b'5' {
        let mut at = kept;
        loop {
            if at == 0 {
                rounded.insert(0, b'1');
                break;
            }
            at -= 1;
            if rounded[at] == b'9' {
                rounded[at] = b'0';
            } else {
                rounded[at] += 1;
                break;
            }
        }
    }
    let rounded = format!(
        "{}{}",
        String::from_utf8_lossy(&rounded),
        zeros(live.len() - kept)
    );
    (planned == cut || planned == rounded).then_some(kept)
}

/// One planned field whose value a spreadsheet lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// The resource of the field.
    pub resource: Resource,
    /// The field path inside it (the patch key).
    pub key: String,
    /// The live value.
    pub live: String,
    /// The planned value, as its digits.
    pub planned: String,
    /// What was lost.
    pub lost: Lost,
}

/// The fields of `user`'s steps whose planned value a spreadsheet lost against `live` (its
/// resources in their GET shapes), in step and patch order.
pub fn losses(user: &UserPlan, live: &HashMap<Resource, Value>) -> Vec<Loss> {
    let mut found = Vec::new();
    for step in &user.steps {
        let Step::Fields { resource, patch } = step else {
            continue;
        };
        let Some(doc) = live.get(resource) else {
            continue;
        };
        for (key, planned) in patch.iter() {
            let Some(now) = live_value(*resource, doc, key) else {
                continue;
            };
            if let (Some(lost), Value::String(text)) = (lost(&now, planned), &now) {
                found.push(Loss {
                    resource: *resource,
                    key: key.clone(),
                    live: text.clone(),
                    planned: digits_of(planned).unwrap_or_default().to_string(),
                    lost,
                });
            }
        }
    }
    found
}

impl Loss {
    /// What happened and what to do, e.g. ``user.extension `14` is `0014` in Odin without
    /// its leading zeros: …; format the column as Text …, or --allow-lossy-values writes it
    /// as it is``.
    pub fn message(&self) -> String {
        let (what, why) = match self.lost {
            Lost::LeadingZeros => (
                "without its leading zeros".to_string(),
                "a spreadsheet dropped them when it read the value as a number (as it does \
                 opening a CSV file)"
                    .to_string(),
            ),
            Lost::Plus => (
                "without its leading `+`".to_string(),
                "a spreadsheet dropped it when it read the value as a number (as it does \
                 opening a CSV file)"
                    .to_string(),
            ),
            Lost::PlusAndZeros => (
                "without its leading `+` and zeros".to_string(),
                "a spreadsheet dropped them when it read the value as a number (as it does \
                 opening a CSV file)"
                    .to_string(),
            ),
            Lost::Digits(kept) => (
                format!("shortened to {kept} significant digits"),
                match kept {
                    15.. => "a spreadsheet keeps 15 digits of a number".to_string(),
                    _ => format!(
                        "a spreadsheet showed the number as `{}` and saved what it showed",
                        scientific(&self.planned, kept)
                    ),
                },
            ),
        };
        format!(
            "`{}` is Odin's `{}` {what}: {why}; format the column as Text and type the value \
             again (or {FLAG} writes `{}` as it is)",
            self.planned, self.live, self.planned
        )
    }

    /// The field as a sheet titles it: `user.extension`.
    pub fn field(&self) -> String {
        format!("{}.{}", self.resource, self.key)
    }

    /// The loss as a problem of `user`'s sheet: at the cell that set it, or, for a plan
    /// read from a file (no cell known), at the user's first row, naming the user, the field
    /// and the rows the plan file gives.
    pub fn problem(&self, user: &UserPlan) -> Problem {
        match user.cells.of(self.resource, &self.key) {
            Some((row, column)) => Problem::cell(row, column, self.message()),
            None => {
                let rows: Vec<String> = user.rows.iter().map(ToString::to_string).collect();
                let at = format!(
                    "user `{}`, `{}` (sheet {} {} of the plan file)",
                    user.user_id,
                    self.field(),
                    if rows.len() == 1 { "row" } else { "rows" },
                    rows.join(", ")
                );
                let message = format!("{at}: {}", self.message());
                match user.rows.first() {
                    Some(row) => Problem::row(*row, message),
                    None => Problem::sheet(message),
                }
            }
        }
    }
}

impl Loss {
    /// Where it is and what it is, briefly: ``row 9, column D (`user.extension`): `14` for
    /// `0014` `` (the user, field and rows for a plan read from a file).
    pub fn brief(&self, user: &UserPlan) -> String {
        let at = match user.cells.of(self.resource, &self.key) {
            Some((row, column)) => format!(
                "row {row}, column {} (`{}`)",
                column.letter(),
                crate::text::escape_invisible(&column.title)
            ),
            None => format!("user `{}`, `{}`", user.user_id, self.field()),
        };
        format!("{at}: `{}` for `{}`", self.planned, self.live)
    }
}

/// `4.47701E+11`: `digits` (a whole number) as a spreadsheet shows it in scientific
/// notation with `kept` significant digits.
fn scientific(digits: &str, kept: usize) -> String {
    let mantissa = digits[..kept.min(digits.len())].trim_end_matches('0');
    let (first, rest) = mantissa.split_at(mantissa.len().min(1));
    let point = if rest.is_empty() { "" } else { "." };
    format!("{first}{point}{rest}E+{}", digits.len().saturating_sub(1))
}

#[cfg(test)]
mod tests;
