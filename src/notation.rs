//! Field paths: the `namespace.path` notation of sheet headers (DESIGN.md section 3).
//!
//! A path is a namespace followed by segments separated by `.`; a segment is a key (any text
//! without `.`, `[` or `]`, so service names keep their spaces, `-` and `/`) optionally followed
//! by list indices `[n]`. Printing a parsed path gives back the same text, so paths are safe to
//! use as keys in plan files.

use std::fmt;

use crate::suggest;

/// The part of a user a column changes; each maps onto one Odin resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    /// The user record (`/users`).
    User,
    /// The call processing policy (`/users/call-processing-policy`).
    Policy,
    /// Service settings, keyed by service name (`/users/services/settings`).
    Settings,
    /// Assigned user services (`/users/services`, `userServices`).
    Services,
    /// Assigned service packs (`/users/services`, `servicePackServices`).
    Packs,
}

impl Namespace {
    /// Every namespace, in the order they are listed to users.
    pub const ALL: [Namespace; 5] = [
        Namespace::User,
        Namespace::Policy,
        Namespace::Settings,
        Namespace::Services,
        Namespace::Packs,
    ];

    /// The name written in a header.
    pub fn name(self) -> &'static str {
        match self {
            Namespace::User => "user",
            Namespace::Policy => "policy",
            Namespace::Settings => "settings",
            Namespace::Services => "services",
            Namespace::Packs => "packs",
        }
    }

    /// The namespace written exactly as `name`, if any.
    pub fn from_name(name: &str) -> Option<Namespace> {
        Namespace::ALL.into_iter().find(|ns| ns.name() == name)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One step into a JSON document: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// An object key, e.g. a service name or a field name.
    Key(String),
    /// A zero-based list index, written `[n]`.
    Index(usize),
}

/// A parsed field path such as `settings.Sequential Ring.locations[0].phoneNumber`.
///
/// Ordering compares namespace, then segments, with indices compared as numbers, so that
/// `[2]` sorts before `[10]` and a path sorts right before the paths inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath {
    /// Which resource the path lives in.
    pub namespace: Namespace,
    /// The path inside that resource; never empty, and the first segment is a key.
    pub segments: Vec<Segment>,
}

/// Why a header is not a field path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// No `.` at all: the text cannot name a namespace.
    #[error("`{0}` is not a field path (`namespace.field`, e.g. `user.extension`)")]
    NoNamespace(String),
    /// The text before the first `.` is not a namespace.
    #[error(
        "unknown namespace `{found}` (known: user, policy, settings, services, packs){}",
        suggest::did_you_mean(suggestion)
    )]
    UnknownNamespace {
        /// What the header said.
        found: String,
        /// The closest namespace, if any.
        suggestion: Option<String>,
    },
    /// Two dots in a row, a trailing dot, or an index with no key before it.
    #[error("`{0}` has an empty part; every part between dots needs a name")]
    EmptySegment(String),
    /// A `[` without a number and `]`, or text right after `]`.
    #[error("`{0}` has a malformed list index; write indices like `locations[0]`")]
    BadIndex(String),
}

impl FieldPath {
    /// Parse a header or mapping target. Surrounding white space is ignored; inside, every
    /// character counts.
    pub fn parse(text: &str) -> Result<FieldPath, PathError> {
        let text = text.trim();
        let Some((namespace, rest)) = text.split_once('.') else {
            return Err(PathError::NoNamespace(text.to_string()));
        };
        let namespace =
            Namespace::from_name(namespace).ok_or_else(|| PathError::UnknownNamespace {
                found: namespace.to_string(),
                suggestion: suggest::closest(namespace, Namespace::ALL.map(Namespace::name)),
            })?;
        let segments = parse_segments(rest).map_err(|kind| kind.into_error(text))?;
        Ok(FieldPath {
            namespace,
            segments,
        })
    }

    /// The path inside its resource, without the namespace: `Call Forwarding Always.isActive`.
    pub fn relative(&self) -> String {
        let mut out = String::new();
        write_segments(&mut out, &self.segments);
        out
    }

    /// The first key, which for `settings` is the service name.
    pub fn first_key(&self) -> &str {
        match self.segments.first() {
            Some(Segment::Key(key)) => key,
            _ => "",
        }
    }

    /// Whether `self` is `other` or a path inside it (`a.b` is within `a` and `a.b`).
    pub fn is_within(&self, other: &FieldPath) -> bool {
        self.namespace == other.namespace && self.segments.starts_with(&other.segments)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.relative())
    }
}

/// Parse the segments of a path relative to its resource (`a.b[0].c`).
pub fn parse_relative(text: &str) -> Result<Vec<Segment>, PathError> {
    parse_segments(text).map_err(|kind| kind.into_error(text))
}

enum SegmentProblem {
    Empty,
    BadIndex,
}

impl SegmentProblem {
    fn into_error(self, text: &str) -> PathError {
        match self {
            SegmentProblem::Empty => PathError::EmptySegment(text.to_string()),
            SegmentProblem::BadIndex => PathError::BadIndex(text.to_string()),
        }
    }
}

fn parse_segments(text: &str) -> Result<Vec<Segment>, SegmentProblem> {
    let mut segments = Vec::new();
    for part in text.split('.') {
        let (key, mut indices) = match part.find(['[', ']']) {
            Some(at) => part.split_at(at),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(SegmentProblem::Empty);
        }
        segments.push(Segment::Key(key.to_string()));
        while !indices.is_empty() {
            let inner = indices
                .strip_prefix('[')
                .and_then(|rest| rest.split_once(']'))
                .ok_or(SegmentProblem::BadIndex)?;
            let (digits, rest) = inner;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SegmentProblem::BadIndex);
            }
            let index = digits.parse().map_err(|_| SegmentProblem::BadIndex)?;
            segments.push(Segment::Index(index));
            indices = rest;
        }
    }
    Ok(segments)
}

fn write_segments(out: &mut String, segments: &[Segment]) {
    for (i, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Key(key) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
}

/// The value at `segments` inside `doc`, if there is one.
pub fn get<'a>(doc: &'a serde_json::Value, segments: &[Segment]) -> Option<&'a serde_json::Value> {
    segments
        .iter()
        .try_fold(doc, |node, segment| match segment {
            Segment::Key(key) => node.get(key),
            Segment::Index(index) => node.get(*index),
        })
}

/// Set `value` at `segments` inside `doc`, creating objects on the way and lengthening lists
/// with nulls; a scalar in the way is replaced by the container the path needs.
pub fn set(doc: &mut serde_json::Value, segments: &[Segment], value: serde_json::Value) {
    use serde_json::Value;
    let Some((first, rest)) = segments.split_first() else {
        *doc = value;
        return;
    };
    let child = match first {
        Segment::Key(key) => {
            if !doc.is_object() {
                *doc = Value::Object(serde_json::Map::new());
            }
            match doc {
                Value::Object(map) => map.entry(key.clone()).or_insert(Value::Null),
                _ => return,
            }
        }
        Segment::Index(index) => {
            if !doc.is_array() {
                *doc = Value::Array(Vec::new());
            }
            match doc {
                Value::Array(items) => {
                    if items.len() <= *index {
                        items.resize(index + 1, Value::Null);
                    }
                    &mut items[*index]
                }
                _ => return,
            }
        }
    };
    set(child, rest, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(s: &str) -> Segment {
        Segment::Key(s.to_string())
    }

    #[test]
    fn parses_service_names_with_spaces_hyphens_and_slashes() {
        let path = FieldPath::parse("settings.Automatic Hold/Retrieve.isActive").unwrap();
        assert_eq!(path.namespace, Namespace::Settings);
        assert_eq!(
            path.segments,
            vec![key("Automatic Hold/Retrieve"), key("isActive")]
        );
        let path = FieldPath::parse("settings.Barge-in Exempt.isActive").unwrap();
        assert_eq!(path.first_key(), "Barge-in Exempt");
    }

    #[test]
    fn parses_indices() {
        let path = FieldPath::parse("settings.Sequential Ring.locations[0].phoneNumber").unwrap();
        assert_eq!(
            path.segments,
            vec![
                key("Sequential Ring"),
                key("locations"),
                Segment::Index(0),
                key("phoneNumber")
            ]
        );
        let nested = FieldPath::parse("user.matrix[1][12]").unwrap();
        assert_eq!(nested.relative(), "matrix[1][12]");
    }

    #[test]
    fn rejects_malformed_paths() {
        assert_eq!(
            FieldPath::parse("extension"),
            Err(PathError::NoNamespace("extension".into()))
        );
        assert!(matches!(
            FieldPath::parse("usr.extension"),
            Err(PathError::UnknownNamespace { suggestion: Some(s), .. }) if s == "user"
        ));
        for bad in ["user..x", "user.", "user.[0]", "settings.X.a.", "user.a..b"] {
            assert!(
                matches!(FieldPath::parse(bad), Err(PathError::EmptySegment(_))),
                "{bad}"
            );
        }
        for bad in ["user.a[", "user.a[x]", "user.a[]", "user.a[0]b", "user.a]"] {
            assert!(
                matches!(FieldPath::parse(bad), Err(PathError::BadIndex(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn indices_sort_as_numbers_and_parents_before_children() {
        let mut paths: Vec<FieldPath> = ["user.a[10]", "user.a[2]", "user.a", "user.a[2].b"]
            .iter()
            .map(|p| FieldPath::parse(p).unwrap())
            .collect();
        paths.sort();
        let printed: Vec<String> = paths.iter().map(ToString::to_string).collect();
        assert_eq!(
            printed,
            ["user.a", "user.a[2]", "user.a[2].b", "user.a[10]"]
        );
        assert!(paths[2].is_within(&paths[0]));
        assert!(!paths[0].is_within(&paths[2]));
    }

    #[test]
    fn get_and_set_inside_json() {
        use serde_json::json;
        let mut doc = json!({"Sequential Ring": {"locations": [{"phoneNumber": ""}]}});
        let path = parse_relative("Sequential Ring.locations[0].phoneNumber").unwrap();
        assert_eq!(get(&doc, &path), Some(&json!("")));
        set(&mut doc, &path, json!("+1555"));
        assert_eq!(get(&doc, &path), Some(&json!("+1555")));
        let far = parse_relative("Sequential Ring.locations[2].numberOfRings").unwrap();
        assert_eq!(get(&doc, &far), None);
        set(&mut doc, &far, json!(3));
        assert_eq!(doc["Sequential Ring"]["locations"][1], json!(null));
        assert_eq!(
            doc["Sequential Ring"]["locations"][2]["numberOfRings"],
            json!(3)
        );
        let mut empty = json!(null);
        set(&mut empty, &parse_relative("a.b").unwrap(), json!(true));
        assert_eq!(empty, json!({"a": {"b": true}}));
    }

    fn arb_key() -> impl Strategy<Value = String> {
        // Any text without the notation's own characters, not starting or ending in white space.
        "[^.\\[\\]\\s]([^.\\[\\]]{0,12}[^.\\[\\]\\s])?"
    }

    fn arb_path() -> impl Strategy<Value = FieldPath> {
        let namespace = prop::sample::select(Namespace::ALL.to_vec());
        let tail = prop::collection::vec(
            (arb_key(), prop::collection::vec(0usize..10_000, 0..3)),
            1..5,
        );
        (namespace, tail).prop_map(|(namespace, parts)| {
            let mut segments = Vec::new();
            for (key, indices) in parts {
                segments.push(Segment::Key(key));
                segments.extend(indices.into_iter().map(Segment::Index));
            }
            FieldPath {
                namespace,
                segments,
            }
        })
    }

    proptest! {
        #[test]
        fn every_printable_path_parses_back(path in arb_path()) {
            let printed = path.to_string();
            prop_assert_eq!(FieldPath::parse(&printed), Ok(path.clone()));
            prop_assert_eq!(parse_relative(&path.relative()), Ok(path.segments));
        }
    }
}
