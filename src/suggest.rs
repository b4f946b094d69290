//! "Did you mean …?" for names an admin may have mistyped.

/// The known name closest to `wanted`, when it is close enough to be a plausible typo.
///
/// Comparison ignores case, so `call forwarding always` finds `Call Forwarding Always`.
/// A candidate qualifies when its edit distance is at most a third of the longer name
/// (and at least 2 edits are always tolerated); ties go to the first candidate given.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = strsim::damerau_levenshtein(&wanted_lower, &candidate.to_lowercase());
        let longest = wanted.chars().count().max(candidate.chars().count());
        let tolerated = (longest / 3).max(2);
        if distance <= tolerated && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name.to_string())
}

/// `; did you mean `X`?` when there is a suggestion, else nothing: ready to append to a message.
pub fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(name) => format!("; did you mean `{name}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_case_differences() {
        let names = [
            "Call Forwarding Always",
            "Call Forwarding Busy",
            "Do Not Disturb",
        ];
        assert_eq!(
            closest("Call Forwardng Always", names).as_deref(),
            Some("Call Forwarding Always")
        );
        assert_eq!(
            closest("do not disturb", names).as_deref(),
            Some("Do Not Disturb")
        );
        assert_eq!(closest("Voicemail", names), None);
    }

    #[test]
    fn formats_suggestion() {
        assert_eq!(did_you_mean(&None), "");
        assert_eq!(did_you_mean(&Some("user".into())), "; did you mean `user`?");
    }
}
