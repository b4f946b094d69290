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
