//! Small helpers for text people read.

/// `1 user`, `2 users`: `n` and the noun, plural (with `s`) unless `n` is 1.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `n` and the noun, singular for 1, with thousands separators: `1,400 fields`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Characters that take no room and show nothing: zero-width spaces and joiners, the byte
/// order mark, direction marks and isolates, the soft hyphen and the word joiner.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
    )
}

/// `text` with every character that does not show as itself written as an escape
/// (`\u{a0}`): control characters, spaces other than ` `, and invisible ones. Two texts that
/// print the same then are the same, so a message never shows a name that looks exactly like
/// what the admin typed but is not.
pub fn escape_invisible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() || (c.is_whitespace() && c != ' ') || is_invisible(c);
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether two texts that differ print the same: equal as a person reads them — in NFC,
/// without invisible characters ([`is_invisible`]), any space character a space, without
/// leading and trailing spaces, and `false` when they are the same text. Where a diff shows
/// two such values, it shows them through [`escape_shown`].
pub fn look_alike(a: &str, b: &str) -> bool {
    let seen = |text: &str| -> String {
        let text: String = nfc(text)
            .chars()
            .filter(|c| !is_invisible(*c))
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        text.trim_matches(' ').to_string()
    };
    nfc(a) != nfc(b) && seen(a) == seen(b)
}

/// `a` and `b` (two texts that [`look_alike`]) as a diff shows them: what does not show
/// written as an escape ([`escape_invisible`]; leading and trailing spaces as `\u{20}`), so
/// the difference is seen. Should the escapes still read the same (a text that holds an
/// escape's very characters), every character but printable ASCII other than `\\` is
/// escaped: two texts that differ (in NFC) never print the same. Only what is shown is
/// escaped, never a value compared or sent.
pub fn escape_shown(a: &str, b: &str) -> (String, String) {
    let shown = |text: &str, all: bool| -> String {
        let inner = text.trim_matches(' ');
        let start = text.len() - text.trim_start_matches(' ').len();
        let end = text.len() - text.trim_end_matches(' ').len();
        let spaces = |n: usize| "\\u{20}".repeat(n);
        let middle = match all {
            false => escape_invisible(inner).into_owned(),
            true => inner
                .chars()
                .map(|c| match c {
                    ' '..='~' if c != '\\' => c.to_string(),
                    _ => c.escape_unicode().to_string(),
                })
                .collect(),
        };
        match inner.is_empty() {
            true => spaces(text.len()),
            false => format!("{}{middle}{}", spaces(start), spaces(end)),
        }
    };
    let (a_shown, b_shown) = (shown(a, false), shown(b, false));
    match a_shown == b_shown && nfc(a) != nfc(b) {
        true => (shown(a, true), shown(b, true)),
        false => (a_shown, b_shown),
    }
}

/// [`escape_invisible`] line by line: a message of several lines keeps its line breaks.
pub fn escape_invisible_lines(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\n') {
        return escape_invisible(text);
    }
    let lines: Vec<std::borrow::Cow<'_, str>> = text.split('\n').map(escape_invisible).collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// `text` in Unicode NFC: composed where Unicode composes (`e` + U+0308 → `ë`), so two
/// texts that a person reads as the same compare equal. Borrowed when it already is (all
/// ASCII text is).
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    icu_normalizer::ComposingNormalizerBorrowed::new_nfc().normalize(text)
}

/// `word` as a shell reads it back: as it is when it holds only characters no shell treats
/// specially, else in single quotes (a `'` inside written `'\''`).
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decomposed_text_is_composed() {
        assert_eq!(
            super::nfc("Zoe\u{308} Mu\u{308}ller"),
            "Zo\u{eb} M\u{fc}ller"
        );
        assert!(matches!(super::nfc("plain"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(
            super::nfc("Zo\u{eb}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn look_alikes_are_told_apart_escaped() {
        use super::{escape_shown, look_alike};
        // Only invisible characters, other spaces, or edge spaces differ.
        for (a, b) in [
            ("Zoë Müller", "Zoë\u{a0}Müller"),
            ("1001", "1001\u{200b}"),
            ("Zoë", "Zoë "),
            ("Zoe\u{308}\u{200b}", "Zo\u{eb}"),
        ] {
            assert!(look_alike(a, b), "{a:?} {b:?}");
            let (x, y) = escape_shown(a, b);
            assert_ne!(x, y, "{a:?} {b:?} must not print the same");
        }
        assert_eq!(
            escape_shown("Zoë Müller", "Zoë\u{a0}Müller"),
            ("Zoë Müller".to_string(), "Zoë\\u{a0}Müller".to_string())
        );
        assert_eq!(
            escape_shown("Zoë", " Zoë "),
            ("Zoë".to_string(), "\\u{20}Zoë\\u{20}".to_string())
        );
        // The same text, the same text in another normalisation, or a visible difference:
        // nothing to tell apart.
        assert!(!look_alike("Zoë", "Zoë"));
        assert!(!look_alike("Zoe\u{308}", "Zo\u{eb}"));
        assert!(!look_alike("Zoë", "Zoe"));
        assert!(!look_alike("x\u{a0}", "x\\u{a0}"));
        // A text that holds an escape's characters still never prints like the other.
        let (x, y) = escape_shown("a\\u{a0}\u{a0}", "a\u{a0}\\u{a0}");
        assert_ne!(x, y);
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(super::count(1, "user"), "1 user");
        assert_eq!(super::count(0, "user"), "0 users");
        assert_eq!(super::count(12, "user"), "12 users");
    }

    #[test]
    fn shell_words_are_quoted_only_where_needed() {
        assert_eq!(
            super::shell_word("runs/2026-11-30T12-00-00Z"),
            "runs/2026-11-30T12-00-00Z"
        );
        assert_eq!(super::shell_word("My Users.xlsx"), "'My Users.xlsx'");
        assert_eq!(super::shell_word("it's"), "'it'\\''s'");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
        assert_eq!(super::counted(1, "row", "rows"), "1 row");
        assert_eq!(super::counted(1400, "field", "fields"), "1,400 fields");
    }

    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(
            super::escape_invisible("Call Forwarding"),
            "Call Forwarding"
        );
        assert_eq!(
            super::escape_invisible("Call\u{a0}Forwarding\u{200b}\u{1f}\n"),
            "Call\\u{a0}Forwarding\\u{200b}\\u{1f}\\u{a}"
        );
        assert_eq!(super::escape_invisible("Zoë"), "Zoë");
    }
}
