//! Small helpers for text people read.

/// `1 user`, `2 users`: `n` and the noun, plural (with `s`) unless `n` is 1.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular() {
        assert_eq!(super::count(1, "user"), "1 user");
        assert_eq!(super::count(0, "user"), "0 users");
        assert_eq!(super::count(12, "user"), "12 users");
    }
}
