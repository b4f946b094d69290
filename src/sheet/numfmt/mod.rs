//! Number format codes rendered as a spreadsheet displays a number through them.
//!
//! A workbook stores a number and, in its cell's style, a format code (`0000`, `#,##0.00`,
//! `[<=9999999]###-####;(###) ###-####`); what the person sees is the number through the
//! code. This renders the codes admins' sheets use exactly — zero padding, `#` and `?`,
//! literal text (quoted or after `\`), `_x` as a space, `*x` fills (left out: a cell has no
//! width here), colours, currency and locale tags (`[$€-407]`), sections for positive,
//! negative and zero numbers, conditions, decimals, thousands separators, scaling commas,
//! percent and scientific notation — and says `None` for anything it cannot show exactly
//! (dates and times, fractions, text placeholders, `General` inside a code, letters left
//! unquoted, a negative number under a conditional code), never an approximation.
//!
//! The text is what the cell displays with `.` as the decimal point and `,` between
//! thousands (the en-US convention; other locales display the same digits with other
//! separators), without the spaces that only align it (`_)` and `?` at either end), and as
//! if the column were wide enough (a narrow one shows `###`).

mod decimal;
mod layout;
mod parse;

use parse::Section;

/// A format code read once, to render many numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberFormat {
    /// `None` when the code is malformed.
    sections: Option<Vec<Section>>,
}

impl NumberFormat {
    /// Read `code` (as a workbook's style holds it).
    pub fn parse(code: &str) -> NumberFormat {
        NumberFormat {
            sections: parse::sections(code),
        }
    }

    /// The text a spreadsheet displays for `value` through this format, or `None` where
    /// sleipnir cannot tell it exactly.
    pub fn render(&self, value: f64) -> Option<String> {
        let sections = self.sections.as_deref()?;
        if !value.is_finite() {
            return None;
        }
        // A fourth section is for text.
        let numeric = &sections[..sections.len().min(3)];
        let (section, minus) = match numeric.iter().any(|s| s.condition.is_some()) {
            true => (conditional(numeric, value)?, false),
            false => signed(numeric, value),
        };
        let text = layout::render(section.layout.as_ref()?, value.abs())?;
        let text = match minus {
            // A negative number that rounds to zero (`-0`?) or shows no digits: unknown.
            true if !text.bytes().any(|b| matches!(b, b'1'..=b'9')) => return None,
            true => format!("-{text}"),
            false => text,
        };
        Some(text.trim_matches(' ').to_string())
    }
}

/// Whether `code` displays a number as it is, with nothing to render: `General`, the text
/// format `@`, or no code.
pub fn is_general(code: &str) -> bool {
    let code = code.trim();
    code.is_empty() || code == "@" || code.eq_ignore_ascii_case("general")
}

/// The section for `value` of a code without conditions, and whether a minus sign goes in
/// front: positive; negative; zero — a negative number takes the first section, with a
/// minus sign, when there is no second; zero takes the first when there is no third.
fn signed(sections: &[Section], value: f64) -> (&Section, bool) {
    let first = &sections[0];
    if value < 0.0 {
        return match sections.get(1) {
            Some(negative) => (negative, false),
            None => (first, true),
        };
    }
    if value == 0.0 {
        return (sections.get(2).unwrap_or(first), false);
    }
    (first, false)
}

/// The section for `value` of a code with conditions (`[<=9999999]###-####;(###) ###-####`):
/// the first whose condition holds, a section without one standing for "otherwise".
/// Negative numbers under conditions are left unrendered (where the minus goes is not
/// something to guess).
fn conditional(sections: &[Section], value: f64) -> Option<&Section> {
    if value < 0.0 {
        return None;
    }
    let first = &sections[0];
    if first.condition?.holds(value) {
        return Some(first);
    }
    let second = sections.get(1)?;
    match second.condition {
        None => Some(second),
        Some(condition) if condition.holds(value) => Some(second),
        Some(_) => sections.get(2).filter(|third| third.condition.is_none()),
    }
}

#[cfg(test)]
mod tests;
