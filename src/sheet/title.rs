//! Column titles as the admin sees them.
//!
//! Titles pasted from the web, Word or another sheet carry characters that look like nothing
//! or like a space: a non-breaking space between `Call` and `Forwarding`, a zero-width space
//! before `user`, a byte order mark left at the end of a cell. What matters is what the title
//! looks like, so every Unicode space counts as a space and invisible characters are dropped
//! (with a warning naming them, since the file holds something other than it shows).

/// A title made comparable, and the invisible characters taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanTitle {
    /// Trimmed, with every Unicode space as ` ` and invisible characters dropped.
    pub text: String,
    /// The invisible characters dropped, each once, in order of appearance.
    pub dropped: Vec<char>,
}

/// Clean a title: Unicode spaces (no-break, thin, ideographic, line breaks…) become ` `,
/// zero-width and other invisible formatting characters (and stray byte order marks) are
/// dropped, and the result is trimmed.
pub fn clean(raw: &str) -> CleanTitle {
    let mut text = String::with_capacity(raw.len());
    let mut dropped = Vec::new();
    for c in raw.chars() {
        if crate::text::is_invisible(c) {
            if !dropped.contains(&c) {
                dropped.push(c);
            }
        } else if c.is_whitespace() {
            text.push(' ');
        } else {
            text.push(c);
        }
    }
    CleanTitle {
        text: text.trim().to_string(),
        dropped,
    }
}

/// The name of a character that does not show as itself (an invisible one, a control
/// character, a space other than ` `), for messages.
pub fn describe(c: char) -> String {
    let name = match c {
        '\u{ad}' => "soft hyphen",
        '\u{200b}' => "zero-width space",
        '\u{200c}' => "zero-width non-joiner",
        '\u{200d}' => "zero-width joiner",
        '\u{200e}' => "left-to-right mark",
        '\u{200f}' => "right-to-left mark",
        '\u{2060}' => "word joiner",
        '\u{feff}' => "byte order mark",
        '\u{a0}' => "non-breaking space",
        c if c.is_control() => "control character",
        c if c.is_whitespace() => "a space other than the plain one",
        _ => "invisible character",
    };
    format!("U+{:04X} ({name})", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_spaces_are_spaces() {
        let title = clean("settings.Call\u{a0}Forwarding\u{2009}Always.isActive\u{3000}");
        assert_eq!(title.text, "settings.Call Forwarding Always.isActive");
        assert!(title.dropped.is_empty());
        assert_eq!(clean("User\nID").text, "User ID");
    }

    #[test]
    fn invisible_characters_are_dropped_and_named_once() {
        let title = clean("\u{feff}\u{200b}user.exten\u{200b}sion\u{feff}");
        assert_eq!(title.text, "user.extension");
        assert_eq!(title.dropped, ['\u{feff}', '\u{200b}']);
        assert_eq!(describe('\u{200b}'), "U+200B (zero-width space)");
        assert_eq!(describe('\u{2066}'), "U+2066 (invisible character)");
    }

    #[test]
    fn visible_text_is_left_alone() {
        let title = clean("  settings.Zoë's Service.isActive ");
        assert_eq!(title.text, "settings.Zoë's Service.isActive");
        assert!(title.dropped.is_empty());
    }
}
