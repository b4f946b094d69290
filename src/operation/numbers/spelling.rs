//! How a number is spelled (API.md §12: one number, several spellings): a sheet's cell read
//! as national digits, a country code told, a list's `+cc-` spelling made, ranges expanded,
//! and two spellings compared as one number.

use serde_json::Value;

use super::NUMBER_FIELDS;

/// `number` as national digits: a `tel:` prefix and a leading `+<cc>-` dropped, then every
/// character that is not a digit; an 11-digit number starting with `1` (`+15555550100`,
/// `1-555-555-0100`: the North American plan's country code, the only one Odin's examples
/// show) loses that `1`. `+1-5555550100`, `5555550100`, `(555) 555-0100`, `+1 (555) 555-0100`
/// are one number. Other country codes written without the `-` keep their digits: compare
/// such numbers as the lists spell them.
pub fn national(number: &str) -> String {
    let number = number.trim();
    let number = number.strip_prefix("tel:").unwrap_or(number).trim();
    let rest = match number.strip_prefix('+') {
        Some(rest) => match rest.split_once('-') {
            Some((cc, national))
                if (1..=3).contains(&cc.len()) && cc.chars().all(|c| c.is_ascii_digit()) =>
            {
                national
            }
            _ => rest,
        },
        None => number,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(national) if digits.len() == 11 => national.to_string(),
        _ => digits,
    }
}

/// The country code `text` (a number as a sheet spells it) is written with: a `+<cc>-`
/// prefix's, or `1` for `+1` and ten digits (`+15555550100`, `+1 (555) 555-0100`); `None`
/// where it names none (national digits) or its country code cannot be told from its
/// digits.
pub fn country_code_of(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix("tel:").unwrap_or(text).trim();
    if !text.starts_with('+') {
        return None;
    }
    if let Some(cc) = country_code(text) {
        return Some(cc);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 11 && digits.starts_with('1')).then(|| "1".to_string())
}

/// Why `text` is not a phone number a person would give (letters, an extension suffix,
/// several numbers, too few or too many digits), if it is not; `""` (no number) passes.
pub fn spelling_problem(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let body = trimmed.strip_prefix("tel:").unwrap_or(trimmed);
    if body.is_empty() {
        return None;
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-.()".contains(c);
    let plus_only_first = body.chars().skip(1).all(|c| c != '+');
    let digits = body.chars().filter(char::is_ascii_digit).count();
    // `555.300.0015` groups digits; `555300001.5` is a number with a fraction (a numeric
    // cell shown as such): a dot is a separator only before a group of three digits or more.
    let fraction = body
        .rsplit_once('.')
        .is_some_and(|(_, last)| last.chars().filter(char::is_ascii_digit).count() < 3);
    if fraction {
        return Some(format!(
            "`{}` is a number with a fraction, not a phone number: type the number as text              (format the column as text), its digits with spaces, `-` or `.` between groups",
            crate::text::escape_invisible(text)
        ));
    }
    if body.chars().all(allowed) && plus_only_first && (7..=15).contains(&digits) {
        return None;
    }
    Some(format!(
        "`{}` is not a phone number: give one number, its digits with spaces, `-`, `.`, \
         brackets or a leading `+` only (`+1-5555550100`, `(555) 555-0100`)",
        crate::text::escape_invisible(text)
    ))
}

/// `national` as the group's list spells numbers: `+<cc>-<digits>`, or the digits alone
/// where the country code is unknown.
pub fn spelled(national: &str, country_code: Option<&str>) -> String {
    match country_code.filter(|cc| !cc.is_empty()) {
        Some(cc) => format!("+{cc}-{national}"),
        None => national.to_string(),
    }
}

/// The numbers from `min` to `max` (one when `max` is absent), as national digits; a range
/// whose ends differ in length or run backwards stands for its ends alone.
pub fn expand(min: &str, max: Option<&str>) -> Vec<String> {
    let low = national(min);
    let Some(high) = max.map(national).filter(|h| !h.is_empty() && *h != low) else {
        return vec![low];
    };
    match (low.parse::<u64>(), high.parse::<u64>()) {
        (Ok(a), Ok(b)) if a < b && low.len() == high.len() && b - a < 100_000 => (a..=b)
            .map(|n| format!("{n:0width$}", width = low.len()))
            .collect(),
        _ => vec![low, high],
    }
}

/// The country code of a `+<cc>-…` spelling.
pub(super) fn country_code(spelling: &str) -> Option<String> {
    let (cc, _) = spelling.strip_prefix('+')?.split_once('-')?;
    (!cc.is_empty() && cc.chars().all(|c| c.is_ascii_digit())).then(|| cc.to_string())
}

/// Whether `live`, a user-record number field `key`'s value, is the number `desired`
/// names, compared as national digits (API.md §12: one number, several spellings).
pub fn same_number(key: &str, live: Option<&Value>, desired: &Value) -> bool {
    let digits = |value: &Value| match value {
        Value::String(text) => Some(national(text)),
        Value::Number(number) => Some(national(&number.to_string())),
        _ => None,
    };
    NUMBER_FIELDS.contains(&key)
        && match (live.and_then(digits), digits(desired)) {
            (Some(live), Some(desired)) => !desired.is_empty() && live == desired,
            _ => false,
        }
}
