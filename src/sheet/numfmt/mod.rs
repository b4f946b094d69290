//! Number format codes rendered as a spreadsheet displays a number through them.
//!
//! A workbook stores a number and, in its cell's style, a format code (`0000`, `#,##0.00`,
//! `[<=9999999]###-####;(###) ###-####`); what the person sees is the number through the
//! code. This renders the codes admins' sheets use exactly — zero padding, `#` and `?`,
//! literal text (quoted or after `\`), `_x` and fills of spaces (`* `) as the spaces that
//! align, colours, currency and locale tags (`[$€-407]`, `[$-409]`), sections for positive,
//! negative and zero numbers, conditions, decimals, thousands separators, scaling commas,
//! percent and scientific notation — and says `None` for anything it cannot show exactly
//! (dates and times, fractions, text placeholders, `General` inside a code, letters left
//! unquoted, a negative number under a conditional code, a fill of any other character,
//! whose length is the column's width, locale tags that pick another numeral system or
//! calendar), never an approximation.
//!
//! The text is what the cell displays with `.` as the decimal point and `,` between
//! thousands (the en-US convention; other locales display the same digits with other
//! separators), without the spaces that only align it (`_)` and `?` at either end), and as
//! if the column were wide enough (a narrow one shows `###`).

mod decimal;
mod layout;
mod parse;
mod text;

use parse::Section;
use text::TextSection;

pub use text::{ReadAsShown, ReadAsShownCells};

/// A format code read once, to render many numbers and texts.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberFormat {
    /// `None` when the code is malformed.
    sections: Option<Vec<Section>>,
    /// How it shows a text cell.
    text: TextSection,
}

impl NumberFormat {
    /// Read `code` (as a workbook's style holds it).
    pub fn parse(code: &str) -> NumberFormat {
        NumberFormat {
            sections: parse::sections(code),
            text: TextSection::of(code),
        }
    }

    /// The text a spreadsheet displays for the text cell `text` through this format: the
    /// text itself where the code has no text section (or `@` alone), with the literals of
    /// its text section (`"+"@`), the empty string where that section is empty (`;;;`);
    /// `None` where sleipnir cannot tell it exactly.
    pub fn render_text(&self, text: &str) -> Option<String> {
        self.text.render(text)
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
/// format `@`, or no code, also behind colours and locale tags that carry no currency
/// symbol (`[$-409]General`, `[$-en-US]@`).
pub fn is_general(code: &str) -> bool {
    let code = without_tags(code.trim());
    code.is_empty() || code == "@" || code.eq_ignore_ascii_case("general")
}

/// `code` without the colours and the locale tags with no currency symbol at its start
/// (`[Red]`, `[$-409]`, `[$-en-US]`): they change no character shown. A tag that changes
/// what is shown ([`locale_changes_shown`]: `[$-F800]`, `[$-1E000804]`) stays.
fn without_tags(mut code: &str) -> &str {
    while let Some(rest) = code.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            break;
        };
        let locale_only = inside
            .strip_prefix("$-")
            .is_some_and(|locale| !locale_changes_shown(locale));
        if !(locale_only || is_colour(inside)) {
            break;
        }
        code = after.trim_start();
    }
    code
}

/// Whether a `[…]`'s inside names a colour (`Red`, `Color10`).
fn is_colour(inside: &str) -> bool {
    const COLOURS: [&str; 8] = [
        "black", "blue", "cyan", "green", "magenta", "red", "white", "yellow",
    ];
    let lower = inside.to_ascii_lowercase();
    COLOURS.contains(&lower.as_str())
        || lower
            .strip_prefix("color")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether the locale of a `[$…-locale]` tag changes what is shown rather than only naming
/// a language (`409`, `0409`, `en-US`): the system's date and time formats (`F800`, `F400`,
/// `x-sysdate`, `x-systime`), and a locale that picks a numeral system or a calendar — an
/// LCID with bits above its 16-bit language id (`1E000804`, Chinese numerals, as LibreOffice
/// saves `[NatNum1][$-804]`), or a language tag with a Unicode extension
/// (`th-TH-u-nu-thai`).
fn locale_changes_shown(locale: &str) -> bool {
    let lower = locale.to_ascii_lowercase();
    if lower.starts_with("x-") || lower.contains("-u-") {
        return true;
    }
    match u32::from_str_radix(locale, 16) {
        // Language ids stop below 0xF000: F800 and F400 are the system's formats.
        Ok(lcid) => lcid > 0xFFFF || lcid >= 0xF000,
        // A language tag (`en-US`).
        Err(_) => false,
    }
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
