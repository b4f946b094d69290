//! Plan files (DESIGN.md section 4): JSON Lines, a header line then one line per user.
//!
//! ```text
//! {"sleipnir":"plan","version":1,"source":"users.csv","sha256":"…"}
//! {"userId":"…","rows":[2,7],"steps":[{"resource":"settings","patch":{"Do Not Disturb.isActive":true}}]}
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Plan, PlanSource, Step, UserPlan};

/// The plan file format version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    sleipnir: String,
    version: u32,
    #[serde(flatten)]
    source: PlanSource,
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

/// The header line of a plan file from `source` (without the line end).
pub fn header_line(source: &PlanSource) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Header {
        sleipnir: "plan".to_string(),
        version: VERSION,
        source: source.clone(),
    })
}

/// The plan as JSON Lines.
pub fn to_jsonl(plan: &Plan) -> Result<String, serde_json::Error> {
    let mut out = header_line(&plan.source)?;
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
        if !seen.insert(user.user_id.clone()) {
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
        warnings: Vec::new(),
    })
}
