//! What to export: `--columns` field paths (with `.*` expansion), a template's columns, or
//! another sheet's, checked against the schema with the same "did you mean" as `plan`.

use std::collections::HashSet;

use crate::notation::{FieldPath, Namespace};
use crate::schema::{FieldType, Schema};

use super::ExportError;

/// The columns every exported sheet starts with: where each user lives, not changes.
pub const IDENTITY_COLUMNS: [&str; 3] = ["userId", "user.serviceProviderId", "user.groupId"];

/// Titles `plan` takes as the user id column (compared ignoring case).
const USER_ID_ALIASES: [&str; 3] = ["userid", "user_id", "user id"];

/// One exported field.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportColumn {
    /// The field, whose notation is the column title; `None` for an SCA endpoint's column.
    pub path: Option<FieldPath>,
    /// Its type in the schema, which decides the cells.
    pub ty: FieldType,
    /// An SCA endpoint's column (`sca.add[N].<field>`, [`super::sca`]).
    pub entry: Option<super::sca::EntryColumn>,
    /// A membership column (`huntGroups.add`, [`super::members`]).
    pub member: Option<crate::resource::Resource>,
}

impl ExportColumn {
    /// The header title: the field path in notation, or `sca.add[N].<field>`.
    pub fn title(&self) -> String {
        if let Some(resource) = self.member {
            return super::members::title(resource);
        }
        match (&self.path, self.entry) {
            (_, Some((n, field))) => crate::plan::sca::title(n, field.name()),
            (Some(path), None) => path.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// Where the column list came from, which decides how strict to be about actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSource {
    /// `--columns`: everything must be an exportable field.
    Asked,
    /// `--template` or `--like`: `services.*`/`packs.*` actions are skipped with a note.
    Borrowed,
}

/// Resolve column specs in order, each field once, identity columns left out (they always
/// come first). Returns the columns and the specs skipped as not exportable.
pub fn resolve(
    specs: &[String],
    schema: &Schema,
    source: ColumnSource,
) -> Result<(Vec<ExportColumn>, Vec<String>), ExportError> {
    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    let mut skipped = Vec::new();
    for spec in specs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if USER_ID_ALIASES.contains(&spec.to_lowercase().as_str())
            || IDENTITY_COLUMNS.contains(&spec)
        {
            continue;
        }
        let fields = match expand(spec, schema) {
            Ok(fields) => fields,
            Err(ExportError::BadColumn { .. }) if source == ColumnSource::Borrowed => {
                skipped.push(spec.to_string());
                continue;
            }
            Err(error) => return Err(error),
        };
        for column in fields {
            let title = column.title();
            if !IDENTITY_COLUMNS.contains(&title.as_str()) && seen.insert(title) {
                columns.push(column);
            }
        }
    }
    if columns.is_empty() {
        return Err(ExportError::NoColumns);
    }
    Ok((columns, skipped))
}

/// The fields one spec names: itself, or every known field under `prefix.*`.
fn expand(spec: &str, schema: &Schema) -> Result<Vec<ExportColumn>, ExportError> {
    let bad = |reason: String| ExportError::BadColumn {
        column: spec.to_string(),
        reason,
    };
    let unknown = |source| ExportError::UnknownColumn {
        column: spec.to_string(),
        source,
    };
    if let Some(columns) = super::sca::expand(spec) {
        return Ok(columns?
            .into_iter()
            .map(|(entry, ty)| ExportColumn {
                path: None,
                ty,
                entry: Some(entry),
                member: None,
            })
            .collect());
    }
    if let Some(resource) = super::members::expand(spec) {
        return Ok(vec![ExportColumn {
            path: None,
            ty: FieldType::Text,
            entry: None,
            member: Some(resource?),
        }]);
    }
    if spec.trim().starts_with("credentials.") {
        return Err(bad(
            "credentials are write-only (API.md §11): Odin never shows them, so export \
             cannot read them"
                .into(),
        ));
    }
    if let Some(prefix) = spec.strip_suffix(".*") {
        let (namespace, segments) = match Namespace::from_name(prefix) {
            Some(namespace) => (namespace, Vec::new()),
            None => {
                let path = FieldPath::parse(prefix).map_err(|e| bad(e.to_string()))?;
                (path.namespace, path.segments)
            }
        };
        reject_actions(namespace, spec).map_err(bad)?;
        let fields = schema.fields_under(namespace, &segments).map_err(unknown)?;
        if fields.is_empty() {
            return Err(bad(format!("`{prefix}` has no fields to export")));
        }
        return Ok(fields
            .into_iter()
            .map(|(path, ty)| ExportColumn {
                path: Some(path),
                ty,
                entry: None,
                member: None,
            })
            .collect());
    }
    let path = FieldPath::parse(spec).map_err(|e| bad(e.to_string()))?;
    reject_actions(path.namespace, spec).map_err(bad)?;
    let ty = schema.field_type(&path).map_err(unknown)?;
    Ok(vec![ExportColumn {
        path: Some(path),
        ty,
        entry: None,
        member: None,
    }])
}

fn reject_actions(namespace: Namespace, spec: &str) -> Result<(), String> {
    match namespace {
        Namespace::Services | Namespace::Packs => Err(format!(
            "`{spec}` assigns or unassigns, it is not a field export can read; \
             export `settings.<Service>.*` to see a service's settings"
        )),
        _ => Ok(()),
    }
}

/// The header titles of a template sheet (its first CSV line).
pub fn template_columns(body: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|record| record.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(specs: &[&str], source: ColumnSource) -> Result<Vec<String>, String> {
        let schema = Schema::builtin().unwrap();
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        resolve(&specs, &schema, source)
            .map(|(c, _)| c.iter().map(ExportColumn::title).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn stars_expand_and_each_field_comes_once() {
        let got = titles(
            &[
                "userId",
                "user.extension",
                "settings.Call Forwarding Busy.*",
                "user.extension",
            ],
            ColumnSource::Asked,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "user.extension",
                "settings.Call Forwarding Busy.forwardToPhoneNumber",
                "settings.Call Forwarding Busy.isActive"
            ]
        );
    }

    #[test]
    fn unknown_columns_say_what_was_meant() {
        let error = titles(&["user.extensoin"], ColumnSource::Asked).unwrap_err();
        assert!(error.contains("did you mean `extension`"), "{error}");
        let error = titles(&["settings.Call Forwarding Alway.*"], ColumnSource::Asked).unwrap_err();
        assert!(
            error.contains("did you mean `Call Forwarding Always`"),
            "{error}"
        );
        assert!(titles(&["services.assign"], ColumnSource::Asked).is_err());
        assert_eq!(
            titles(
                &["services.assign", "user.firstName"],
                ColumnSource::Borrowed
            )
            .unwrap(),
            ["user.firstName"]
        );
        assert!(titles(&["userId"], ColumnSource::Asked).is_err());
    }

    #[test]
    fn credentials_cannot_be_exported_and_a_borrowed_one_is_skipped() {
        let error = titles(&["credentials.sipPassword"], ColumnSource::Asked).unwrap_err();
        assert!(error.contains("write-only"), "{error}");
        let borrowed = ["credentials.webPassword", "user.firstName"];
        assert_eq!(
            titles(&borrowed, ColumnSource::Borrowed).unwrap(),
            ["user.firstName"]
        );
    }

    #[test]
    fn templates_give_their_header() {
        let template = crate::templates::find("call-forwarding-busy").unwrap();
        let columns = template_columns(template.body);
        assert_eq!(columns[0], "userId");
        assert!(columns.len() > 1);
    }
}
