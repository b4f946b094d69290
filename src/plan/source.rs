//! Where a plan came from: the sheet, worksheet, mapping and target recorded in the plan
//! file's header, and the command that started a run of it.

use serde::{Deserialize, Serialize};

use crate::sheet::{Hidden, ReadOptions};

/// Where a plan came from, as recorded in the plan file's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSource {
    /// The sheet, as the user named it.
    pub source: String,
    /// Hex SHA-256 of the sheet's bytes.
    pub sha256: String,
    /// The worksheet read, for workbooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worksheet: Option<String>,
    /// The mapping file used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// Hex SHA-256 of the mapping file's text, where there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping_sha256: Option<String>,
    /// What was done with hidden rows (`skip` or `include`; absent: there were none to read).
    #[serde(default, skip_serializing_if = "Hidden::is_refuse")]
    pub hidden_rows: Hidden,
    /// What was done with hidden columns, as [`PlanSource::hidden_rows`].
    #[serde(default, skip_serializing_if = "Hidden::is_refuse")]
    pub hidden_columns: Hidden,
    /// Whether values a spreadsheet lost against the live ones are written as the sheet has
    /// them (`--allow-lossy-values`): set by `plan --target` when it found such values (a
    /// plan file of it is applied only with the flag again) and by `apply` given the flag (a
    /// run resumes only as it started).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_lossy_values: bool,
    /// The Odin this plan is for: the one `plan --target` read its before-values from; in
    /// a run's files (`summary.json`, and the headers of `rollback.jsonl` and
    /// `failed.jsonl`), the Odin the run changed. `apply` of a plan file, `rollback` and
    /// `--resume` against another target are refused before logging in, unless
    /// `--other-target`. Absent: an offline plan, or a run of an older sleipnir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The name of [`PlanSource::target`] in `targets.toml`, when it had one; a plan or run
    /// refused against another target names both names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// The Odin user name that read the before-values (`plan --target`), or that the run
    /// logged in as; beside [`PlanSource::target`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odin_user: Option<String>,
    /// How the run of this plan was started, as the admin named its input: `sleipnir apply
    /// users.xlsx --sheet 'Users'`, `sleipnir apply runs/x/failed.jsonl`, `sleipnir rollback
    /// runs/x`; set by `apply` and `rollback`, it is what `--resume DIR` is added to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl PlanSource {
    /// The command that continues an interrupted run of this source in `dir`: the command
    /// that started it (see [`PlanSource::command`]) with `--resume DIR`; for a plan that
    /// does not record it, `sleipnir apply SHEET [--sheet W] [--mapping M] --resume DIR`.
    pub fn resume_command(&self, dir: &std::path::Path) -> String {
        let command = match &self.command {
            Some(command) => command.clone(),
            None => apply_command(&self.source, &self.read_options(), self.mapping.as_deref()),
        };
        let dir = crate::text::shell_word(&dir.display().to_string());
        format!("{command} --resume {dir}")
    }
}

impl PlanSource {
    /// How the sheet of this plan was read: its worksheet and what was done with hidden rows
    /// and columns.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            worksheet: self.worksheet.clone(),
            hidden_rows: self.hidden_rows,
            hidden_columns: self.hidden_columns,
        }
    }
}

/// `sleipnir apply INPUT [--sheet W] [--hidden-rows H] [--hidden-columns H] [--mapping M]`,
/// each word quoted for the shell where it needs to be: how `apply` records the command that
/// started a run.
pub fn apply_command(input: &str, options: &ReadOptions, mapping: Option<&str>) -> String {
    use crate::text::shell_word;
    let mut command = format!("sleipnir apply {}", shell_word(input));
    if let Some(sheet) = &options.worksheet {
        command.push_str(&format!(" --sheet {}", shell_word(sheet)));
    }
    for (flag, hidden) in [
        ("--hidden-rows", options.hidden_rows),
        ("--hidden-columns", options.hidden_columns),
    ] {
        if !hidden.is_refuse() {
            command.push_str(&format!(" {flag} {}", hidden.name()));
        }
    }
    if let Some(mapping) = mapping {
        command.push_str(&format!(" --mapping {}", shell_word(mapping)));
    }
    command
}
