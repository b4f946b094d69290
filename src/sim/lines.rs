//! A user's line as the simulator holds it (API.md §12): the service providers' number
//! pools, the groups' number lists with their activation flags, who holds each number, and
//! the extensions taken in each group.
//!
//! Numbers are kept as their ten national digits ([`Dn`]); lists answer them as
//! `+1-NNNNNNNNNN` ([`spell`]), user records as national digits ([`national`]). Every
//! spelling a client sends is read through [`normalise`]: `+<cc>-` dropped, then every
//! non-digit.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// A number: its ten national digits as an integer.
pub(crate) type Dn = u64;

/// The country code every simulated number has.
const COUNTRY_CODE: &str = "1";

/// `number` in any spelling (`+1-5551234567`, `+15551234567`, `5551234567`, `(555)
/// 123-4567`, a JSON number) as its national digits; `None` when it has no ten national
/// digits.
pub(crate) fn normalise(number: &str) -> Option<Dn> {
    let text = number.trim();
    let rest = match text.strip_prefix('+') {
        Some(rest) => match rest.split_once('-') {
            Some((cc, rest)) if cc.chars().all(|c| c.is_ascii_digit()) => rest.to_string(),
            _ => rest.strip_prefix(COUNTRY_CODE).unwrap_or(rest).to_string(),
        },
        None => text.to_string(),
    };
    let mut digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && digits.starts_with(COUNTRY_CODE) {
        digits.remove(0);
    }
    if digits.len() != 10 {
        return None;
    }
    digits.parse().ok()
}

/// A JSON value holding a number (a string or a JSON number) as a [`Dn`].
pub(crate) fn normalise_value(value: &Value) -> Option<Dn> {
    match value {
        Value::String(text) => normalise(text),
        Value::Number(number) => normalise(&number.to_string()),
        _ => None,
    }
}

/// The list spelling: `+1-5551234567`.
pub(crate) fn spell(dn: Dn) -> String {
    format!("+{COUNTRY_CODE}-{dn:010}")
}

/// The user record spelling: `5551234567`.
pub(crate) fn national(dn: Dn) -> String {
    format!("{dn:010}")
}

/// The extension of a user record, as text (`None` when unset or empty).
pub(crate) fn extension_of(record: &Value) -> Option<String> {
    match &record["extension"] {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The number of a user record (`None` when unset, empty or not a number).
pub(crate) fn number_of(record: &Value) -> Option<Dn> {
    normalise_value(&record["phoneNumber"])
}

/// Numbers and extensions of every service provider and group.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// Per service provider: each number of its pool and the group it is in (`None`: in no
    /// group).
    pub pools: BTreeMap<String, BTreeMap<Dn, Option<String>>>,
    /// Per (service provider, group): each number of its list and whether it is activated.
    pub lists: BTreeMap<(String, String), BTreeMap<Dn, bool>>,
    /// Who holds each number, system-wide: a user id.
    pub holders: HashMap<Dn, String>,
    /// Per (service provider, group): each extension taken and the user id holding it.
    pub extensions: HashMap<(String, String), HashMap<String, String>>,
}

impl Lines {
    /// The number list of a group (empty when it has none).
    pub fn list(&self, sp: &str, group: &str) -> Option<&BTreeMap<Dn, bool>> {
        self.lists.get(&(sp.to_string(), group.to_string()))
    }

    /// The group a number of `sp`'s pool is in: `None` when not in the pool, `Some(None)`
    /// when in no group.
    pub fn pool_group(&self, sp: &str, dn: Dn) -> Option<Option<&str>> {
        self.pools.get(sp)?.get(&dn).map(|g| g.as_deref())
    }

    /// The service provider whose pool holds `dn`.
    pub fn pool_of(&self, dn: Dn) -> Option<&str> {
        self.pools
            .iter()
            .find(|(_, pool)| pool.contains_key(&dn))
            .map(|(sp, _)| sp.as_str())
    }

    /// Whether `dn` is activated in its group's list (false when in none).
    pub fn activated(&self, sp: &str, group: &str, dn: Dn) -> bool {
        self.list(sp, group)
            .and_then(|list| list.get(&dn))
            .copied()
            .unwrap_or(false)
    }

    /// Forget what `record` (a user of `sp`, `group`) holds: its number and extension.
    pub fn release(&mut self, user_id: &str, sp: &str, group: &str, record: &Value) {
        if let Some(dn) = number_of(record)
            && self
                .holders
                .get(&dn)
                .is_some_and(|holder| holder == user_id)
        {
            self.holders.remove(&dn);
        }
        if let Some(extension) = extension_of(record)
            && let Some(taken) = self
                .extensions
                .get_mut(&(sp.to_string(), group.to_string()))
            && taken
                .get(&extension)
                .is_some_and(|holder| holder == user_id)
        {
            taken.remove(&extension);
        }
    }

    /// Record what `record` (a user of `sp`, `group`) holds.
    pub fn hold(&mut self, user_id: &str, sp: &str, group: &str, record: &Value) {
        if let Some(dn) = number_of(record) {
            self.holders.insert(dn, user_id.to_string());
        }
        if let Some(extension) = extension_of(record) {
            self.extensions
                .entry((sp.to_string(), group.to_string()))
                .or_default()
                .insert(extension, user_id.to_string());
        }
    }

    /// Put `dn` in `sp`'s pool and in `group`'s list (activation kept if already there).
    pub fn add_to_group(&mut self, sp: &str, group: &str, dn: Dn, activated: bool) {
        self.pools
            .entry(sp.to_string())
            .or_default()
            .insert(dn, Some(group.to_string()));
        self.lists
            .entry((sp.to_string(), group.to_string()))
            .or_default()
            .entry(dn)
            .or_insert(activated);
    }
}

/// Numbers as `{min, max}` rows: runs of consecutive numbers sharing `key`, each a row with
/// `max` set to `single` for one number. `key` also gives the row's other fields.
pub(crate) fn runs<K: PartialEq + Clone>(
    numbers: impl Iterator<Item = (Dn, K)>,
) -> Vec<(Dn, Dn, K)> {
    let mut rows: Vec<(Dn, Dn, K)> = Vec::new();
    for (dn, key) in numbers {
        match rows.last_mut() {
            Some((_, max, last)) if *max + 1 == dn && *last == key => *max = dn,
            _ => rows.push((dn, dn, key)),
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_as_the_national_digits() {
        for text in [
            "+1-5551234567",
            "+15551234567",
            "5551234567",
            "15551234567",
            "(555) 123-4567",
            " 555.123.4567 ",
        ] {
            assert_eq!(normalise(text), Some(5_551_234_567), "{text}");
        }
        assert_eq!(normalise("+44-5551234567"), Some(5_551_234_567));
        assert_eq!(normalise("12345"), None);
        assert_eq!(normalise(""), None);
        assert_eq!(
            normalise_value(&serde_json::json!(15_551_234_567u64)),
            Some(5_551_234_567)
        );
        assert_eq!(spell(5_551_234_567), "+1-5551234567");
        assert_eq!(national(5_551_234_567), "5551234567");
    }

    #[test]
    fn runs_collapse_consecutive_numbers_of_one_state() {
        let rows = runs([(1, true), (2, true), (3, false), (5, false), (6, false)].into_iter());
        assert_eq!(rows, vec![(1, 2, true), (3, 3, false), (5, 6, false)]);
    }
}
