//! Mapping files: arbitrary column titles → field paths, value maps, and constants.
//!
//! ```toml
//! user_id = "Email"                 # the column that holds the user id
//! ignore  = ["Notes"]
//! [columns]
//! "CFA Number" = "settings.Call Forwarding Always.forwardToPhoneNumber"
//! "CFA On"     = { field = "settings.Call Forwarding Always.isActive", type = "bool", values = { "Y" = true, "N" = false } }
//! [constants]                       # applied to every user
//! "settings.Call Forwarding Always.isRingSplashActive" = false
//! ```
//!
//! Loading checks only the file's shape; whether the field paths and types name real
//! fields is judged with the sheet, so every mistake is reported in one go.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// A loaded mapping file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// The title of the column holding user ids, when not one of the default names.
    /// Titles here are read as the sheet's are (see [`crate::sheet::title::clean`]).
    pub user_id: Option<String>,
    /// Column titles to skip.
    pub ignore: BTreeSet<String>,
    /// Column title → what it sets.
    pub columns: BTreeMap<String, MappedColumn>,
    /// Field path (as written) → value set for every user, in file order.
    pub constants: Vec<(String, Value)>,
    /// Hex SHA-256 of the file's text: a run resumed with the same mapping name but other
    /// content is told apart by it.
    pub sha256: String,
}

/// What a mapped column sets.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedColumn {
    /// The target field path, as written.
    pub field: String,
    /// The type name given with `type = "…"`, overriding the schema's.
    pub type_name: Option<String>,
    /// Cell text → value, tried before ordinary conversion (exact text first, then ignoring
    /// case).
    pub values: Vec<(String, Value)>,
}

/// Why a mapping file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The file could not be read.
    #[error("cannot read mapping `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not valid TOML, or not the mapping shape.
    #[error("mapping `{path}` is not valid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column from the TOML reader where it has them.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    user_id: Option<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    columns: toml::Table,
    #[serde(default)]
    constants: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    field: String,
    #[serde(rename = "type")]
    type_name: Option<String>,
    #[serde(default)]
    values: toml::Table,
}

impl Mapping {
    /// Read and shape-check the mapping file at `path`.
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Mapping::parse(path, &text)
    }

    /// Shape-check mapping `text`; `path` is only for messages.
    pub fn parse(path: &Path, text: &str) -> Result<Mapping, MappingError> {
        let invalid = |message: String| MappingError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let raw: RawMapping = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut columns = BTreeMap::new();
        for (title, spec) in raw.columns {
            let column = match spec {
                toml::Value::String(field) => MappedColumn {
                    field,
                    type_name: None,
                    values: Vec::new(),
                },
                toml::Value::Table(table) => {
                    let raw: RawColumn = table.try_into().map_err(|e: toml::de::Error| {
                        invalid(format!("column `{title}`: {}", e.message()))
                    })?;
                    let values = raw
                        .values
                        .into_iter()
                        .map(|(text, value)| {
                            to_json(value)
                                .map(|json| (text.clone(), json))
                                .map_err(|why| {
                                    invalid(format!("column `{title}`, value `{text}`: {why}"))
                                })
                        })
                        .collect::<Result<_, _>>()?;
                    MappedColumn {
                        field: raw.field,
                        type_name: raw.type_name,
                        values,
                    }
                }
                _ => {
                    return Err(invalid(format!(
                        "column `{title}` must map to a field path or to {{ field = \"…\", type = \"…\", values = {{ … }} }}"
                    )));
                }
            };
            columns.insert(same_as_sheet(&title), column);
        }
        let constants = raw
            .constants
            .into_iter()
            .map(|(field, value)| {
                to_json(value)
                    .map(|json| (field.clone(), json))
                    .map_err(|why| invalid(format!("constant `{field}`: {why}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Mapping {
            path: path.to_path_buf(),
            user_id: raw.user_id.as_deref().map(same_as_sheet),
            ignore: raw.ignore.iter().map(|t| same_as_sheet(t)).collect(),
            columns,
            constants,
            sha256: crate::sheet::sha256_hex(text.as_bytes()),
        })
    }
}

/// A column title as the sheet reader reads titles (Unicode spaces as spaces, invisible
/// characters dropped, trimmed), so that a title copied from the sheet with them still
/// matches.
fn same_as_sheet(title: &str) -> String {
    crate::sheet::title::clean(title).text
}

/// TOML values as JSON; dates have no JSON form and are refused.
fn to_json(value: toml::Value) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("{f} has no JSON form"))?,
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => {
            return Err(format!("dates ({d}) have no JSON form; write them as text"));
        }
        toml::Value::Array(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| to_json(v).map(|json| (k, json)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXAMPLE: &str = r#"
user_id = "Email"
ignore  = ["Notes"]
[columns]
"CFA Number" = "settings.Call Forwarding Always.forwardToPhoneNumber"
"CFA On"     = { field = "settings.Call Forwarding Always.isActive", type = "bool", values = { "Y" = true, "N" = false } }
[constants]
"settings.Call Forwarding Always.isRingSplashActive" = false
"#;

    #[test]
    fn loads_the_design_example() {
        let mapping = Mapping::parse(Path::new("m.toml"), EXAMPLE).unwrap();
        assert_eq!(mapping.user_id.as_deref(), Some("Email"));
        assert!(mapping.ignore.contains("Notes"));
        let on = &mapping.columns["CFA On"];
        assert_eq!(on.field, "settings.Call Forwarding Always.isActive");
        assert_eq!(on.type_name.as_deref(), Some("bool"));
        assert_eq!(
            on.values,
            vec![("N".into(), json!(false)), ("Y".into(), json!(true))]
        );
        assert_eq!(
            mapping.columns["CFA Number"].field,
            "settings.Call Forwarding Always.forwardToPhoneNumber"
        );
        assert_eq!(
            mapping.constants,
            vec![(
                "settings.Call Forwarding Always.isRingSplashActive".into(),
                json!(false)
            )]
        );
    }

    #[test]
    fn rejects_unknown_keys_and_shapes() {
        let err = Mapping::parse(Path::new("m.toml"), "userid = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `userid`"), "{err}");
        let err = Mapping::parse(Path::new("m.toml"), "[columns]\nA = 3\n").unwrap_err();
        assert!(err.to_string().contains("column `A` must map"), "{err}");
        let err = Mapping::parse(
            Path::new("m.toml"),
            "[columns]\nA = { field = \"user.x\", typ = \"bool\" }\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("column `A`"), "{err}");
        let err = Mapping::parse(
            Path::new("m.toml"),
            "[constants]\n\"user.x\" = 1979-05-27\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("no JSON form"), "{err}");
    }

    #[test]
    fn titles_are_read_as_the_sheet_reads_them() {
        let text = "user_id = \"E\u{a0}mail \"\nignore = [\"\u{200b}Notes\"]\n\
                    [columns]\n\"CFA\u{a0}Number\" = \"user.extension\"\n";
        let mapping = Mapping::parse(Path::new("m.toml"), text).unwrap();
        assert_eq!(mapping.user_id.as_deref(), Some("E mail"));
        assert!(mapping.ignore.contains("Notes"));
        assert!(mapping.columns.contains_key("CFA Number"));
    }
}
