//! Plan files (DESIGN.md section 4): JSON Lines, a header line then one line per user.
//!
//! ```text
//! {"sleipnir":"plan","version":1,"source":"users.csv","sha256":"…"}
//! {"userId":"…","rows":[2,7],"steps":[{"resource":"settings","patch":{"Do Not Disturb.isActive":true}}]}
//! ```
//!
//! The header also records the plan's warnings (`"warnings":[{"message":…,"users":[…]}]`),
//! absent when there are none: readers that do not know the key skip it, and a file without
//! it is read with none.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Plan, PlanSource, Step, UserPlan, Warning};

/// The plan file format version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    sleipnir: String,
    version: u32,
    #[serde(flatten)]
    source: PlanSource,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

/// Why a plan file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// Reading failed.
    #[error("cannot read plan `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not what a plan file holds.
    #[error("`{path}` line {line}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Writing failed; nothing was left at the path.
    #[error("cannot write plan `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Whether `path` names a plan file rather than a sheet (by its `.jsonl` extension).
pub fn is_plan_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"))
}

/// The header line of a plan file from `source` (without the line end), with no warnings.
pub fn header_line(source: &PlanSource) -> Result<String, serde_json::Error> {
    header_with(source, &[])
}

fn header_with(source: &PlanSource, warnings: &[Warning]) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Header {
        sleipnir: "plan".to_string(),
        version: VERSION,
        source: source.clone(),
        warnings: warnings.to_vec(),
    })
}

/// The plan as JSON Lines: the header (with the plan's warnings), then a line per user.
pub fn to_jsonl(plan: &Plan) -> Result<String, serde_json::Error> {
    let mut out = header_with(&plan.source, &plan.warnings)?;
    out.push('\n');
    for user in &plan.users {
        out.push_str(&serde_json::to_string(user)?);
        out.push('\n');
    }
    Ok(out)
}

/// Write the plan to `path` whole or not at all (see [`crate::atomic::write`]).
pub fn write(plan: &Plan, path: &Path) -> Result<(), PlanFileError> {
    let fail = |source: std::io::Error| PlanFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = to_jsonl(plan).map_err(|e| fail(std::io::Error::other(e)))?;
    crate::atomic::write(path, text.as_bytes()).map_err(fail)
}

/// Read a plan file written by [`write`].
pub fn read(path: &Path) -> Result<Plan, PlanFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parse plan file `text`; `path` is only for messages.
pub fn parse(path: &Path, text: &str) -> Result<Plan, PlanFileError> {
    parse_lines(path, text, false)
}

/// Parse plan file `text` in which a user may have several lines (a run's `rollback.jsonl`
/// written twice over, or two files joined): every line kept, in file order.
pub fn parse_repeating(path: &Path, text: &str) -> Result<Plan, PlanFileError> {
    parse_lines(path, text, true)
}

fn parse_lines(path: &Path, text: &str, repeating: bool) -> Result<Plan, PlanFileError> {
    let invalid = |line: usize, message: String| PlanFileError::Invalid {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, first)) = lines.next() else {
        return Err(invalid(
            1,
            "empty; a plan file starts with a header line".into(),
        ));
    };
    let header: Header = serde_json::from_str(first)
        .ok()
        .filter(|h: &Header| h.sleipnir == "plan")
        .ok_or_else(|| {
            invalid(
                1,
                "not a sleipnir plan header; make plan files with `sleipnir plan --out`".into(),
            )
        })?;
    if header.version != VERSION {
        return Err(invalid(
            1,
            format!(
                "plan file version {} is not supported (this sleipnir reads version {VERSION})",
                header.version
            ),
        ));
    }
    let mut users = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in lines {
        let user: UserPlan =
            serde_json::from_str(line).map_err(|e| invalid(i + 1, e.to_string()))?;
        // A rollback entry may only name credentials it cannot restore.
        let nothing = user.steps.is_empty() && user.not_restorable.is_empty();
        if nothing || user.steps.iter().any(Step::is_empty) {
            return Err(invalid(
                i + 1,
                format!("user `{}` has an empty step", user.user_id),
            ));
        }
        if !seen.insert(user.user_id.clone()) && !repeating {
            return Err(invalid(
                i + 1,
                format!(
                    "user `{}` appears twice; a plan has one line per user",
                    user.user_id
                ),
            ));
        }
        users.push(user);
    }
    Ok(Plan {
        source: header.source,
        rows: users.iter().map(|u| u.rows.len()).sum(),
        users,
        warnings: header.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = r#"{"sleipnir":"plan","version":1,"source":"users.csv","sha256":"e4c0"}
{"userId":"a@x","rows":[2],"steps":[{"resource":"user","patch":{"extension":"2001"}}]}
"#;

    #[test]
    fn a_plan_file_without_warnings_reads_with_none() {
        let plan = parse(Path::new("p.jsonl"), OLD).unwrap();
        assert!(plan.warnings.is_empty());
        assert_eq!(plan.users.len(), 1);
        // Written again without warnings, it is the same bytes.
        assert_eq!(to_jsonl(&plan).unwrap(), OLD);
    }

    #[test]
    fn warnings_are_recorded_in_the_header_and_read_back() {
        let mut plan = parse(Path::new("p.jsonl"), OLD).unwrap();
        plan.source.worksheet = Some("Users".into());
        let mut live = Warning::about(vec!["a@x".into()], "1 user without `X`", Some("n".into()));
        live.live = true;
        plan.warnings = vec![Warning::sheet("cells B2:B3 are merged"), live];
        let text = to_jsonl(&plan).unwrap();
        let header = text.lines().next().unwrap();
        assert!(header.contains(r#""worksheet":"Users""#), "{header}");
        assert!(
            header.contains(r#""warnings":[{"message":"cells B2:B3"#),
            "{header}"
        );
        let back = parse(Path::new("p.jsonl"), &text).unwrap();
        assert_eq!(back.warnings, plan.warnings);
        assert_eq!(back.source, plan.source);
    }
}
