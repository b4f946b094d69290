//! Text cells through a number format.
//!
//! A format code's text section — its fourth section, or its only one where that holds
//! `@` — says how a text cell is shown: `@` is the text, literals around it are shown with
//! it (`"+"@` shows `+15551234567` for the text `15551234567`), and an empty section shows
//! nothing (`;;;`). A code with no text section (`0000`, `0;-0`) shows text as typed. What
//! sleipnir cannot show exactly (a text section in the second or third place, digit
//! placeholders, conditions, letters left unquoted, fills of anything but spaces) is
//! unknown, never approximated.

/// How a code shows a text cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TextSection {
    /// No text section, `@` alone or `General`: the text as typed.
    AsTyped,
    /// Literals and `@`s (each standing for the text); none at all shows nothing.
    Pieces(Vec<TextPiece>),
    /// A text section sleipnir cannot show exactly.
    Unknown,
}

/// One piece of a text section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TextPiece {
    /// `@`: the text.
    Text,
    Literal(String),
}

impl TextSection {
    /// The text section of `code`.
    pub fn of(code: &str) -> TextSection {
        let Some(sections) = split(code) else {
            return TextSection::Unknown;
        };
        let section = match sections.len() {
            4 => sections[3].0,
            1 if sections[0].1 => sections[0].0,
            // `@` in a second or third section: which section text takes is not something
            // to guess.
            1..=3 if sections.iter().any(|(_, at)| *at) => return TextSection::Unknown,
            1..=3 => return TextSection::AsTyped,
            _ => return TextSection::Unknown,
        };
        if is_general(section) {
            return TextSection::AsTyped;
        }
        match pieces(section) {
            Some(pieces) if pieces == [TextPiece::Text] => TextSection::AsTyped,
            Some(pieces) => TextSection::Pieces(pieces),
            None => TextSection::Unknown,
        }
    }

    /// How `text` is shown, without the spaces that only align it; `None` where sleipnir
    /// cannot tell.
    pub fn render(&self, text: &str) -> Option<String> {
        match self {
            TextSection::AsTyped => Some(text.to_string()),
            TextSection::Pieces(pieces) => {
                let shown: String = pieces
                    .iter()
                    .map(|piece| match piece {
                        TextPiece::Text => text,
                        TextPiece::Literal(literal) => literal.as_str(),
                    })
                    .collect();
                Some(shown.trim_matches(' ').to_string())
            }
            TextSection::Unknown => None,
        }
    }
}

/// A text cell read as its format shows it rather than as it is stored, for the warning
/// that says so.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadAsShown {
    /// The cell, as a spreadsheet names it (`B4`).
    pub cell: String,
    /// The text stored.
    pub stored: String,
    /// The text shown, and read.
    pub shown: String,
    /// The number format code; empty where the file does not give one.
    pub format: String,
}

/// How many cells read as shown a warning names; the others are counted.
const NAMED: usize = 3;

/// The text cells of a sheet read as their formats show them: the first few, and how many.
#[derive(Debug, Default)]
pub struct ReadAsShownCells {
    named: Vec<ReadAsShown>,
    count: usize,
}

impl ReadAsShownCells {
    /// Count `times` more cells read as shown, keeping `cell` (made only when it will be
    /// named) for the warning.
    pub fn add(&mut self, times: usize, cell: impl FnOnce() -> ReadAsShown) {
        if self.named.len() < NAMED && times > 0 {
            self.named.push(cell());
        }
        self.count += times;
    }

    /// The one warning for them, or `None` for none.
    pub fn warning(&self) -> Option<String> {
        read_as_shown_warning(&self.named, self.count)
    }
}

/// The one warning for the text cells of a sheet read as their formats show them (at most
/// [`NAMED`] of them named, of `count` in all), or `None` for none.
fn read_as_shown_warning(named: &[ReadAsShown], count: usize) -> Option<String> {
    let first = named.first()?;
    let format = |cell: &ReadAsShown| match cell.format.is_empty() {
        true => String::new(),
        false => format!(" (format `{}`)", cell.format),
    };
    if count == 1 {
        return Some(format!(
            "the text in {} is read as its format shows it, `{}`, not as the cell holds it, \
             `{}`{}; format the cell as Text (`@`) to send what it holds",
            first.cell,
            first.shown,
            first.stored,
            format(first)
        ));
    }
    let listed: Vec<String> = named
        .iter()
        .take(NAMED)
        .map(|c| {
            format!(
                "{} shows `{}` for `{}`{}",
                c.cell,
                c.shown,
                c.stored,
                format(c)
            )
        })
        .collect();
    let more = match count.saturating_sub(listed.len()) {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    Some(format!(
        "the text in {count} cells is read as their format shows it, not as the cells hold \
         it: {}{more}; format the cells as Text (`@`) to send what they hold",
        listed.join(", ")
    ))
}

/// Whether a section is `General`, colours and locale tags aside.
fn is_general(section: &str) -> bool {
    super::without_tags(section.trim()).eq_ignore_ascii_case("general")
}

/// The sections of `code`, split at the `;`s outside quotes, escapes and brackets, each
/// with whether it holds an `@` there; `None` when a quote or bracket is left open.
fn split(code: &str) -> Option<Vec<(&str, bool)>> {
    let mut sections = Vec::new();
    let mut start = 0;
    let mut at = false;
    let mut chars = code.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => loop {
                if chars.next()?.1 == '"' {
                    break;
                }
            },
            '[' => loop {
                if chars.next()?.1 == ']' {
                    break;
                }
            },
            '\\' | '_' | '*' => {
                chars.next()?;
            }
            ';' => {
                sections.push((&code[start..i], std::mem::take(&mut at)));
                start = i + 1;
            }
            '@' => at = true,
            _ => {}
        }
    }
    sections.push((&code[start..], at));
    Some(sections)
}

/// A section read as the pieces of a text section; `None` where it holds anything a text
/// section cannot show exactly.
fn pieces(section: &str) -> Option<Vec<TextPiece>> {
    let mut pieces = Vec::new();
    let literal = |pieces: &mut Vec<TextPiece>, text: &str| match pieces.last_mut() {
        _ if text.is_empty() => {}
        Some(TextPiece::Literal(last)) => last.push_str(text),
        _ => pieces.push(TextPiece::Literal(text.to_string())),
    };
    let mut chars = section.chars();
    while let Some(c) = chars.next() {
        match c {
            '@' => pieces.push(TextPiece::Text),
            '"' => {
                let mut text = String::new();
                loop {
                    match chars.next()? {
                        '"' => break,
                        c => text.push(c),
                    }
                }
                literal(&mut pieces, &text);
            }
            '\\' => literal(&mut pieces, &chars.next()?.to_string()),
            '_' => {
                chars.next()?;
                literal(&mut pieces, " ");
            }
            // A fill of anything but spaces depends on the column's width.
            '*' => {
                if chars.next()? != ' ' {
                    return None;
                }
            }
            '[' => {
                let mut inside = String::new();
                loop {
                    match chars.next()? {
                        ']' => break,
                        c => inside.push(c),
                    }
                }
                literal(&mut pieces, &bracket(&inside)?);
            }
            '$' | '-' | '+' | '(' | ')' | ':' | '^' | '&' | '\'' | '~' | '{' | '}' | '<' | '>'
            | '=' | ' ' | '/' => literal(&mut pieces, &c.to_string()),
            c if !c.is_ascii() && !c.is_alphanumeric() => literal(&mut pieces, &c.to_string()),
            _ => return None,
        }
    }
    Some(pieces)
}

/// What a `[…]` in a text section shows: nothing for a colour or a locale tag, the symbol
/// of a currency tag; `None` for anything else (a condition, a system format).
fn bracket(inside: &str) -> Option<String> {
    if super::is_colour(inside) {
        return Some(String::new());
    }
    let currency = inside.strip_prefix('$')?;
    let (symbol, locale) = currency.split_once('-').unwrap_or((currency, ""));
    match super::locale_changes_shown(locale) {
        true => None,
        false => Some(symbol.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(code: &str, text: &str) -> Option<String> {
        TextSection::of(code).render(text)
    }

    #[test]
    fn codes_without_a_text_section_show_text_as_typed() {
        for code in [
            "0000",
            "0;-0",
            "0;-0;0",
            "#,##0.00",
            "General",
            "@",
            "[$-409]@",
            "[Red]@",
            "0;-0;0;@",
            "0;-0;0;General",
            "mm-dd-yy",
        ] {
            assert_eq!(TextSection::of(code), TextSection::AsTyped, "`{code}`");
        }
        assert_eq!(shown("0000", "Name1").as_deref(), Some("Name1"));
    }

    #[test]
    fn literals_around_the_text_are_shown_with_it() {
        let plus = "0;-0;0;\"+\"@";
        assert_eq!(shown(plus, "15551234567").as_deref(), Some("+15551234567"));
        assert_eq!(shown("\"+\"@", "1555").as_deref(), Some("+1555"));
        assert_eq!(shown("\\+@", "1555").as_deref(), Some("+1555"));
        assert_eq!(
            shown("@\" (mobile)\"", "555").as_deref(),
            Some("555 (mobile)")
        );
        assert_eq!(shown("_(@_)", "Smith").as_deref(), Some("Smith"));
        assert_eq!(shown("[Blue]@* ", "x").as_deref(), Some("x"));
        assert_eq!(shown("@-@", "ab").as_deref(), Some("ab-ab"));
        assert_eq!(shown("[$€-407]@", "5").as_deref(), Some("€5"));
        // A `;` inside quotes does not split the code.
        assert_eq!(shown("\"a;b\"@", "x").as_deref(), Some("a;bx"));
    }

    #[test]
    fn an_empty_text_section_shows_nothing() {
        assert_eq!(shown(";;;", "Name2").as_deref(), Some(""));
        assert_eq!(shown("0;-0;0;", "Name2").as_deref(), Some(""));
        assert_eq!(shown("0;-0;0;[Red]", "Name2").as_deref(), Some(""));
    }

    #[test]
    fn one_warning_names_the_cells_read_as_shown() {
        let cell = |n: usize| ReadAsShown {
            cell: format!("B{n}"),
            stored: "1555".into(),
            shown: "+1555".into(),
            format: "\"+\"@".into(),
        };
        assert_eq!(ReadAsShownCells::default().warning(), None);
        assert_eq!(
            read_as_shown_warning(&[cell(4)], 1).as_deref(),
            Some(
                "the text in B4 is read as its format shows it, `+1555`, not as the cell holds \
                 it, `1555` (format `\"+\"@`); format the cell as Text (`@`) to send what it \
                 holds"
            )
        );
        let mut cells = ReadAsShownCells::default();
        cells.add(1, || cell(2));
        cells.add(2, || cell(3));
        cells.add(4, || cell(4));
        cells.add(0, || cell(5));
        assert_eq!(
            cells.warning().as_deref(),
            Some(
                "the text in 7 cells is read as their format shows it, not as the cells hold \
                 it: B2 shows `+1555` for `1555` (format `\"+\"@`), B3 shows `+1555` for \
                 `1555` (format `\"+\"@`), B4 shows `+1555` for `1555` (format `\"+\"@`), \
                 and 4 more; format the cells as Text (`@`) to send what they hold"
            )
        );
    }

    #[test]
    fn what_cannot_be_shown_exactly_is_unknown() {
        for code in [
            "0;@",
            "0;-0;@",
            "0;-0;0;0@",
            "0;-0;0;@ kg",
            "0;-0;0;[>5]@",
            "0;-0;0;[$-F800]@",
            "\"open",
            "0;0;0;@;0",
            "0;-0;0;!@",
            "0;-0;0;@*-",
            "0;-0;0;[$-1E000804]@",
        ] {
            assert_eq!(TextSection::of(code), TextSection::Unknown, "`{code}`");
            assert_eq!(shown(code, "x"), None, "`{code}`");
        }
    }
}
