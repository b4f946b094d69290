//! What a membership cell's value names (API.md §15): a hunt group's (call center's)
//! service user id — a value with `@` — or a name unique among the user's group's hunt
//! groups (call centers), resolved through the group's listing.

use crate::resource::Resource;

/// The column titles of membership: `huntGroups.add` → (list, added).
pub const COLUMNS: [(&str, Resource, bool); 4] = [
    ("huntGroups.add", Resource::HuntGroups, true),
    ("huntGroups.remove", Resource::HuntGroups, false),
    ("callCenters.add", Resource::CallCenters, true),
    ("callCenters.remove", Resource::CallCenters, false),
];

/// The hunt groups (call centers) a membership cell names: `;`-separated service user ids
/// or names, each once.
pub fn cell_values(text: &str) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for value in text.split(';').map(str::trim).filter(|v| !v.is_empty()) {
        if !values.iter().any(|v| v == value) {
            values.push(value.to_string());
        }
    }
    values
}

/// Why a value names no list of the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// A service user id the group's listing does not hold.
    NotInGroup,
    /// A name no listing row has; the names it has.
    Unknown(Vec<String>),
    /// A name several rows have: their ids.
    Ambiguous(Vec<String>),
}

/// The service user id `value` names among `listing` (`(serviceUserId, name)` rows).
pub fn resolve(value: &str, listing: &[(String, String)]) -> Result<String, Unresolved> {
    if value.contains('@') {
        return match listing.iter().any(|(id, _)| id == value) {
            true => Ok(value.to_string()),
            false => Err(Unresolved::NotInGroup),
        };
    }
    let matching: Vec<&String> = listing
        .iter()
        .filter(|(_, name)| name == value)
        .map(|(id, _)| id)
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Unresolved::Unknown(
            listing.iter().map(|(_, name)| name.clone()).collect(),
        )),
        many => Err(Unresolved::Ambiguous(
            many.iter().map(|id| (*id).clone()).collect(),
        )),
    }
}

/// What a refusal of `value` (a `noun` of group `group`) says, with what to do.
pub fn refusal(value: &str, noun: &str, group: &str, why: &Unresolved) -> String {
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match why {
        Unresolved::NotInGroup => format!(
            "`{value}` is not a {noun} of group `{group}`; name one of the user's own group \
             (by its service user id or its name)"
        ),
        Unresolved::Unknown(names) if names.is_empty() => {
            format!("group `{group}` has no {noun} named `{value}` (it has none)")
        }
        Unresolved::Unknown(names) => format!(
            "group `{group}` has no {noun} named `{value}`; its {noun}s are {}",
            quoted(names)
        ),
        Unresolved::Ambiguous(ids) => format!(
            "{} {noun}s of group `{group}` are named `{value}`: {}; write the service user id \
             of the one meant",
            ids.len(),
            quoted(ids)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> Vec<(String, String)> {
        [("a@x", "Sales"), ("b@x", "Support"), ("c@x", "Support")]
            .iter()
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect()
    }

    #[test]
    fn ids_and_unique_names_resolve() {
        assert_eq!(resolve("a@x", &listing()), Ok("a@x".into()));
        assert_eq!(resolve("Sales", &listing()), Ok("a@x".into()));
    }

    #[test]
    fn unknown_foreign_and_ambiguous_values_do_not() {
        assert_eq!(resolve("z@x", &listing()), Err(Unresolved::NotInGroup));
        assert!(matches!(
            resolve("Billing", &listing()),
            Err(Unresolved::Unknown(_))
        ));
        let why = resolve("Support", &listing()).unwrap_err();
        assert_eq!(why, Unresolved::Ambiguous(vec!["b@x".into(), "c@x".into()]));
        let said = refusal("Support", "hunt group", "g1", &why);
        assert!(
            said.contains("`b@x`, `c@x`") && said.contains("service user id"),
            "{said}"
        );
    }
}
