//! Why a cell that no field takes is refused: error values, dates and times, formulas
//! without a computed value, and cells whose format shows what sleipnir cannot send.

use crate::sheet::{Cell, Conditional, Formatted, FormattedText, format_number};

/// The error values a spreadsheet shows in a cell whose formula failed (or where one was
/// typed), as a CSV file saved from it holds them; LibreOffice also shows `Err:` and a
/// three-digit code (`Err:502`).
/// Those of Excel 365 (`#SPILL!` … `#PYTHON!`) too, which a CSV file saved from it holds.
pub const ERROR_VALUES: [&str; 16] = [
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#DIV/0!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#GETTING_DATA",
    "#PYTHON!",
];

/// Whether `text` is one of a spreadsheet's error values ([`ERROR_VALUES`], any case, or
/// LibreOffice's `Err:502`).
pub fn is_error_value(text: &str) -> bool {
    let calc = text
        .strip_prefix("Err:")
        .is_some_and(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()));
    calc || ERROR_VALUES.iter().any(|e| e.eq_ignore_ascii_case(text))
}

/// Why a workbook error cell is refused.
pub fn error_cell_message(text: &str) -> String {
    format!(
        "`{text}` is an error cell (a formula that failed, or the error typed), not a value; \
         fix the formula or type the value"
    )
}

/// Why a spreadsheet's error value in a CSV cell is refused.
pub(super) fn error_text_message(text: &str) -> String {
    format!(
        "`{text}` is a spreadsheet's error value (a formula that failed when the file was \
         saved), not a value; fix the formula or type the value (to send this very text, \
         write it as `json:\"{text}\"`)"
    )
}

/// What a date or time cell (ISO 8601, as the sheet layer keeps it) is, and how a person
/// reads it: a date `2026-01-12`; a date and time `2026-01-12 10:30:00`; a time of day
/// `12:00:00` (a workbook's day 0 with a time, `1899-12-31T12:00:00`, or an ODS time
/// `PT12H00M00S`); a duration of a day or more `36:00:00`.
pub fn date_shown(text: &str) -> (String, &'static str) {
    if let Some((minus, seconds)) = duration(text) {
        let kind = match minus || seconds >= 86_400 {
            true => "duration",
            false => "time",
        };
        let shown = format!(
            "{}{:02}:{:02}:{:02}",
            if minus { "-" } else { "" },
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        return (shown, kind);
    }
    match text.split_once('T') {
        Some((day, time)) => {
            let time = time.split('.').next().unwrap_or(time);
            match day {
                // Day 0 of a workbook's calendar (Excel's 1900-01-00, Calc's 1899-12-30):
                // a time of day with no date.
                "1899-12-30" | "1899-12-31" => (time.to_string(), "time"),
                _ => (format!("{day} {time}"), "date and time"),
            }
        }
        None => (text.to_string(), "date"),
    }
}

/// An ISO 8601 duration (`PT12H00M00S`, `-PT1H30M`, `P1DT2H`): whether it is negative,
/// and its length in whole seconds; `None` for anything else.
fn duration(text: &str) -> Option<(bool, u64)> {
    let (minus, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let rest = rest.strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut seconds = 0.0;
    if !days.is_empty() {
        seconds += days.strip_suffix('D')?.parse::<f64>().ok()? * 86_400.0;
    }
    let mut number = String::new();
    for c in time.chars() {
        let unit = match c {
            'H' => 3600.0,
            'M' => 60.0,
            'S' => 1.0,
            _ => {
                number.push(c);
                continue;
            }
        };
        seconds += std::mem::take(&mut number).parse::<f64>().ok()? * unit;
    }
    if !number.is_empty() {
        return None;
    }
    (seconds.is_finite() && seconds >= 0.0).then(|| (minus, seconds.round() as u64))
}

/// Why a date or time cell is refused.
pub fn date_message(text: &str) -> String {
    let (shown, kind) = date_shown(text);
    let typed = match kind {
        "date" => "`1-12`",
        "date and time" => "`1-12 10:30`",
        "duration" => "`36:00`",
        _ => "`12:00`",
    };
    let into = match kind {
        "date" => "a date",
        "date and time" => "a date and time",
        "duration" => "a duration",
        _ => "a time",
    };
    format!(
        "`{shown}` is {into}, and no field takes one: the spreadsheet likely turned what was \
         typed (such as {typed}) into {into}; format the column as Text, type the value \
         again and save"
    )
}

/// Why a formula without a computed value is refused.
pub fn formula_message(formula: &str) -> String {
    format!(
        "`{formula}` is a formula the workbook holds no computed value for (it was written \
         by a program and never calculated); open and save the workbook in a spreadsheet, or \
         write values instead of formulas"
    )
}

/// ` (`CODE`)`, or nothing for a format the file does not name.
fn code(format: &str) -> String {
    match format.is_empty() {
        true => String::new(),
        false => format!(" (`{format}`)"),
    }
}

/// Why a number formatted to show nothing is refused, in every field.
pub(super) fn blank_number_message(formatted: &Formatted) -> String {
    format!(
        "the number {} is formatted to show nothing{}, so the sheet shows a blank cell; clear \
         the cell to leave the field as it is, or format it to show the value",
        format_number(formatted.value),
        code(&formatted.format)
    )
}

/// Why a text whose format shows nothing, or what sleipnir cannot render, is refused.
pub(super) fn formatted_text_message(formatted: &FormattedText) -> String {
    let text = &formatted.text;
    match formatted.shown.as_deref() {
        Some("") => format!(
            "the text `{text}` is formatted to show nothing{}, so the sheet shows a blank \
             cell; clear the cell to leave the field as it is, or format it to show the text",
            code(&formatted.format)
        ),
        _ => format!(
            "the text `{text}` is shown through a format{} that sleipnir cannot read as the \
             spreadsheet shows it; format the cell as Text (`@`) so that it shows what it \
             holds, and save",
            code(&formatted.format)
        ),
    }
}

/// Why a cell whose number format depends on a conditional format is refused.
pub(super) fn conditional_message(conditional: &Conditional) -> String {
    let value = match &conditional.cell {
        Cell::Formatted(formatted) => match formatted.shown.as_deref() {
            Some(shown) if !shown.is_empty() => shown.to_string(),
            _ => format_number(formatted.value),
        },
        Cell::Number(n) => format_number(*n),
        Cell::FormattedText(formatted) => formatted.text.clone(),
        Cell::Text(text) => text.clone(),
        _ => String::new(),
    };
    let format = &conditional.format;
    let shows = match conditional.shown.as_deref() {
        Some("") => format!("shows nothing (format `{format}`)"),
        Some(shown) => format!("shows it as `{shown}` (format `{format}`)"),
        None => format!("shows it through a format sleipnir cannot read (`{format}`)"),
    };
    format!(
        "`{value}`: its number format depends on a conditional format, which {shows} where \
         its rule holds; sleipnir does not evaluate the rule, so it cannot tell what the sheet \
         shows; remove the number format from the conditional format, or the conditional \
         format from the cell, and save"
    )
}

/// Why a number shown as more than digits (or rounded) is refused in a text field.
pub(super) fn shown_message(formatted: &Formatted, shown: &str, why: &str) -> String {
    let format = match formatted.format.is_empty() {
        true => String::new(),
        false => format!(" (its format `{}`)", formatted.format),
    };
    format!(
        "`{shown}` is how the spreadsheet shows the number {}{format}, {why}; format the \
         column as Text, type the values as they should be sent, and save",
        format_number(formatted.value)
    )
}

/// Why a number through a format sleipnir cannot render is refused in a text field.
pub(super) fn unread_message(formatted: &Formatted) -> String {
    let format = match formatted.format.is_empty() {
        true => String::new(),
        false => format!(" `{}`", formatted.format),
    };
    format!(
        "the number {} is shown through a format{format} that sleipnir cannot read as the \
         spreadsheet shows it; format the column as Text, type the values as they should be \
         sent, and save",
        format_number(formatted.value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_durations_read_as_a_person_reads_them() {
        let cases = [
            ("2026-01-12", "2026-01-12", "date"),
            (
                "2026-01-12T10:30:00",
                "2026-01-12 10:30:00",
                "date and time",
            ),
            ("1899-12-31T12:00:00", "12:00:00", "time"),
            ("1899-12-30T09:05:00.000001", "09:05:00", "time"),
            ("PT12H00M00S", "12:00:00", "time"),
            ("PT09H30M15.5S", "09:30:16", "time"),
            ("PT36H00M00S", "36:00:00", "duration"),
            ("P1DT2H", "26:00:00", "duration"),
            ("-PT1H30M", "-01:30:00", "duration"),
        ];
        for (text, shown, kind) in cases {
            assert_eq!(date_shown(text), (shown.to_string(), kind), "{text}");
        }
        assert_eq!(
            date_message("PT12H00M00S"),
            "`12:00:00` is a time, and no field takes one: the spreadsheet likely turned what \
             was typed (such as `12:00`) into a time; format the column as Text, type the \
             value again and save"
        );
        assert!(date_message("2026-01-12").starts_with("`2026-01-12` is a date, and"));
    }

    #[test]
    fn calc_error_codes_are_error_values() {
        assert!(is_error_value("Err:502") && is_error_value("Err:504"));
        assert!(is_error_value("#n/a"));
        assert!(!is_error_value("Err:5") && !is_error_value("Err:5021"));
        assert!(!is_error_value("Err:abc") && !is_error_value("err:502x"));
    }
}
