//! Cell → JSON value, by the field's type (DESIGN.md section 3, "Cells").
//!
//! - blank leaves the field untouched (`Ok(None)`);
//! - `<null>` is JSON null, `<empty>` the empty string, `json:` a JSON literal;
//! - text converts to the field's type; text starting with `+`, or `0` and a digit, stays text
//!   (phone numbers, extensions) unless the field is a boolean;
//! - `None`, `null` and `N/A` are ordinary text: Odin has enum values named `None`;
//! - workbook numbers count as a spreadsheet shows them (15 significant digits); one with more
//!   whole digits than that, or text in scientific notation (`4.47701E+11`), is refused in a
//!   text field: its digits are not the ones the admin typed;
//! - a number whose format shows it otherwise (`0123` for 123 formatted `0000`) is, in a text
//!   field, the digits shown, and refused where the format shows more than digits (`1,234`,
//!   `$12.00`, `12%`); a number field takes the number;
//! - error cells (`#N/A`, also as CSV text, and LibreOffice's `Err:502`), dates and times,
//!   formulas without a computed value, and numbers or texts formatted to show nothing
//!   (`;;;`) are refused in every field: none of them is what the admin meant to send;
//! - a cell whose number format depends on a conditional format is refused in a text field,
//!   and in every field where the conditional format shows nothing.

use serde_json::{Number, Value};

use crate::schema::FieldType;
use crate::sheet::{Cell, Formatted, SHOWN_DIGITS, format_number, is_scientific, shown, too_long};

mod refusals;

use refusals::{
    blank_number_message, conditional_message, error_text_message, formatted_text_message,
    shown_message, unread_message,
};
pub use refusals::{date_message, date_shown, error_cell_message, formula_message, is_error_value};

/// The value a cell sets, `None` when it leaves the field untouched, or why it cannot be
/// converted (a message that starts with the offending value).
pub fn convert(
    cell: &Cell,
    ty: FieldType,
    values: &[(String, Value)],
) -> Result<Option<Value>, String> {
    let value = match cell {
        Cell::Empty => return Ok(None),
        Cell::Text(text) if text.chars().all(shows_nothing) => {
            return Err(invisible_message(text));
        }
        Cell::Text(text) => match lookup(values, text) {
            Some(mapped) => mapped,
            None if is_error_value(text) => return Err(error_text_message(text)),
            None => text_value(text, ty)?,
        },
        Cell::Number(n) => match lookup(values, &format_number(*n)) {
            Some(mapped) => mapped,
            None => number_value(*n, ty)?,
        },
        // A number that shows nothing is a blank cell to the person, whatever the field.
        Cell::Formatted(formatted) if formatted.shown.as_deref() == Some("") => {
            return Err(blank_number_message(formatted));
        }
        Cell::Formatted(formatted) => {
            let mapped = formatted.shown.as_deref().and_then(|s| lookup(values, s));
            match mapped.or_else(|| lookup(values, &format_number(formatted.value))) {
                Some(mapped) => mapped,
                None => formatted_value(formatted, ty)?,
            }
        }
        Cell::Bool(b) => match lookup(values, &b.to_string()) {
            Some(mapped) => mapped,
            None => bool_value(*b, ty)?,
        },
        Cell::Date(text) => return Err(date_message(text)),
        Cell::Error(text) => return Err(error_cell_message(text)),
        Cell::Formula(formula) => return Err(formula_message(formula)),
        Cell::FormattedText(formatted) => return Err(formatted_text_message(formatted)),
        // Text fields take what the sheet shows, which the rule decides; other fields take
        // the number, unless the rule may blank it.
        Cell::Conditional(conditional)
            if accepts_text(ty) || conditional.shown.as_deref() == Some("") =>
        {
            return Err(conditional_message(conditional));
        }
        Cell::Conditional(conditional) => return convert(&conditional.cell, ty, values),
    };
    Ok(Some(value))
}

/// The text a number cell stands for where a field needs text (a user id, a group id): the
/// digits its format shows, or the number as a spreadsheet shows it. `None` for any other
/// cell, and for a number whose format shows more than digits.
pub fn digits_shown(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Number(n) if !too_long(*n) => Some(format_number(*n)),
        Cell::Formatted(formatted) if shows_digits(formatted) => formatted.shown.clone(),
        _ => None,
    }
}

/// Whether a whole number is shown as digits ([`is_digit_pattern`]): a fraction shown
/// rounded (`13` for 12.6 formatted `0`) is not what the cell holds.
fn shows_digits(formatted: &Formatted) -> bool {
    let value = shown(formatted.value);
    value.fract() == 0.0
        && value >= 0.0
        && !too_long(value)
        && formatted.shown.as_deref().is_some_and(is_digit_pattern)
}

/// Whether a number's shown text is digits, with the separators of zero-padded codes and
/// phone formats (`0123`, `02138`, `555-1234`, `(555) 123-4567`) and nothing else: no sign,
/// decimal point, thousands separator, currency, percent or fraction bar.
fn is_digit_pattern(shown: &str) -> bool {
    shown.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        && shown.bytes().any(|b| b.is_ascii_digit())
        && shown
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b' ' | b'(' | b')'))
}

/// A number shown through its format: the digits shown in a text field, the number in a
/// number or boolean field.
fn formatted_value(formatted: &Formatted, ty: FieldType) -> Result<Value, String> {
    if !accepts_text(ty) {
        return number_value(formatted.value, ty);
    }
    match &formatted.shown {
        _ if too_long(formatted.value) => number_value(formatted.value, ty),
        Some(shown) if shows_digits(formatted) => Ok(Value::String(shown.clone())),
        Some(shown) => {
            let why = if is_digit_pattern(shown) && formatted.value < 0.0 {
                "without its minus sign"
            } else if is_digit_pattern(shown) {
                "rounded"
            } else if formatted.value.fract() != 0.0 && shown.contains('/') {
                "a fraction"
            } else {
                "with more than digits"
            };
            Err(shown_message(formatted, shown, why))
        }
        None => Err(unread_message(formatted)),
    }
}

/// A character that takes no room on screen: an invisible one, or white space.
fn shows_nothing(c: char) -> bool {
    crate::text::is_invisible(c) || c.is_whitespace() || c.is_control()
}

/// Why a cell that holds only characters that do not show is refused: it looks blank, and
/// a blank cell leaves the field as it is.
fn invisible_message(text: &str) -> String {
    let named: Vec<String> = text
        .chars()
        .fold(Vec::new(), |mut seen, c| {
            if !seen.contains(&c) {
                seen.push(c);
            }
            seen
        })
        .into_iter()
        .map(crate::sheet::title::describe)
        .collect();
    format!(
        "the cell holds only characters that do not show ({}), so it looks blank; clear it to \
         leave the field as it is, or write `<empty>` for the empty text",
        named.join(", ")
    )
}

/// Check a JSON value (a `json:` cell or a mapping constant) against the field's type.
pub fn check_json(value: &Value, ty: FieldType) -> Result<(), String> {
    let fits = match ty {
        _ if value.is_null() => true,
        FieldType::Any => true,
        FieldType::Bool => value.is_boolean(),
        FieldType::BoolText => {
            value.is_boolean() || matches!(value.as_str(), Some("true" | "false"))
        }
        FieldType::Integer => value.is_i64() || value.is_u64(),
        FieldType::Number => value.is_number(),
        FieldType::Text => value.is_string(),
        FieldType::List => value.is_array(),
        FieldType::Object => value.is_object(),
    };
    if fits {
        Ok(())
    } else {
        Err(format!("`{value}` does not fit the field, which is {ty}"))
    }
}

fn lookup(values: &[(String, Value)], text: &str) -> Option<Value> {
    values
        .iter()
        .find(|(key, _)| key == text)
        .or_else(|| {
            values
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(text))
        })
        .map(|(_, value)| value.clone())
}

fn accepts_text(ty: FieldType) -> bool {
    matches!(ty, FieldType::Text | FieldType::Any)
}

fn text_value(text: &str, ty: FieldType) -> Result<Value, String> {
    match text {
        "<null>" => return Ok(Value::Null),
        "<empty>" if accepts_text(ty) => return Ok(Value::String(String::new())),
        "<empty>" => {
            return Err(format!(
                "`<empty>` sets the empty string, but the field is {ty}"
            ));
        }
        _ => {}
    }
    if let Some(literal) = text.strip_prefix("json:") {
        let value: Value = serde_json::from_str(literal.trim())
            .map_err(|e| format!("`{text}` is not valid JSON after `json:` ({e})"))?;
        check_json(&value, ty)?;
        return Ok(value);
    }
    if accepts_text(ty) && is_scientific(text) {
        return Err(format!(
            "`{text}` is a number a spreadsheet shortened to scientific notation, and its \
             other digits are lost; format the column as Text in the spreadsheet, type the \
             numbers again and save"
        ));
    }
    let keeps_digits = text.starts_with('+')
        || (text.starts_with('0') && text[1..].starts_with(|c: char| c.is_ascii_digit()));
    match ty {
        FieldType::Bool => parse_bool(text).map(Value::Bool),
        FieldType::BoolText => parse_bool(text).map(|b| Value::String(b.to_string())),
        FieldType::List | FieldType::Object => Err(format!(
            "`{text}` is text, but the field is {ty}; write it whole as a `json:` cell, \
             or set the fields inside it"
        )),
        _ if keeps_digits => Ok(Value::String(text.to_string())),
        FieldType::Integer => parse_integer(text)
            .map(Value::from)
            .ok_or_else(|| format!("`{text}` is not a whole number")),
        FieldType::Number => parse_number(text).ok_or_else(|| format!("`{text}` is not a number")),
        FieldType::Text | FieldType::Any => Ok(Value::String(text.to_string())),
    }
}

fn number_value(n: f64, ty: FieldType) -> Result<Value, String> {
    // Binary noise (`434.99999999999994`) is read as the spreadsheet shows it (`435`).
    let n = shown(n);
    let text = format_number(n);
    match ty {
        FieldType::Bool | FieldType::BoolText => {
            let b = match n {
                1.0 => true,
                0.0 => false,
                _ => {
                    return Err(format!(
                        "`{text}` is not a boolean (use 1 or 0, or TRUE/FALSE)"
                    ));
                }
            };
            Ok(bool_value(b, ty)?)
        }
        FieldType::Integer if n.fract() == 0.0 && n.abs() < 9e15 => Ok(Value::from(n as i64)),
        FieldType::Integer => Err(format!("`{text}` is not a whole number")),
        FieldType::Number => number_json(n).ok_or_else(|| format!("`{text}` is not a number")),
        FieldType::Text | FieldType::Any if too_long(n) => Err(format!(
            "`{text}` is a number of more than {SHOWN_DIGITS} digits, more than a spreadsheet \
             keeps, so its last digits may not be the ones typed; format the column as Text, \
             type the numbers again and save"
        )),
        FieldType::Text | FieldType::Any => Ok(Value::String(text)),
        FieldType::List | FieldType::Object => {
            Err(format!("`{text}` is a number, but the field is {ty}"))
        }
    }
}

fn bool_value(b: bool, ty: FieldType) -> Result<Value, String> {
    match ty {
        FieldType::Bool | FieldType::Any => Ok(Value::Bool(b)),
        FieldType::BoolText => Ok(Value::String(b.to_string())),
        // A text field takes what the cell shows: `TRUE`, as a CSV file saved from it holds.
        FieldType::Text => Ok(Value::String(b.to_string().to_uppercase())),
        _ => Err(format!(
            "`{}` is a boolean, but the field is {ty}",
            b.to_string().to_uppercase()
        )),
    }
}

/// `true/false/yes/no/y/n/1/0`, any case.
fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Ok(true),
        "false" | "no" | "n" | "0" => Ok(false),
        _ => Err(format!(
            "`{text}` is not a boolean (use true/false, yes/no, y/n or 1/0)"
        )),
    }
}

fn parse_integer(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().or_else(|| {
        // "5.0" from a tool that wrote every number as a float.
        let n: f64 = text.parse().ok()?;
        (n.is_finite() && n.fract() == 0.0 && n.abs() < 9e15).then_some(n as i64)
    })
}

fn parse_number(text: &str) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    let n: f64 = text.parse().ok()?;
    number_json(n)
}

fn number_json(n: f64) -> Option<Value> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 9e15 {
        return Some(Value::from(n as i64));
    }
    Number::from_f64(n).map(Value::Number)
}

#[cfg(test)]
mod tests;
