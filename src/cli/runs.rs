//! `sleipnir runs`: the history of commands that talked to a target (`runs.jsonl` in the
//! state directory, see `state::history`): list them, show one, who changed a user (with the
//! fields before → after from each run's results), verify the chain.

use std::path::{Path, PathBuf};

use super::{Notes, print};
use crate::error::Error;
use crate::rundir::RunFiles;
use crate::state::StateDir;
use crate::state::history::{self, Entry};

/// Flags of `sleipnir runs`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// What to do (default: list the runs).
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Which runs to list.
    #[command(flatten)]
    pub filter: Filter,
}

/// The subcommands of `runs`.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Show one run: every field of its history line.
    Show {
        /// The run's id (its first characters are enough when they name one run).
        id: String,
        /// How to print it.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Who changed a user: each run that wrote it, when, by whom, from which sheet, and the
    /// fields before → after from that run's results.
    User {
        /// The user's id.
        user_id: String,
        /// Which runs to look in.
        #[command(flatten)]
        filter: Filter,
    },
    /// Check the history: every line a run, each holding the SHA-256 of the line before it,
    /// and every run directory there (exit 1 when not).
    Verify,
}

/// Which runs, and how to print them.
#[derive(Debug, Clone, clap::Args)]
pub struct Filter {
    /// Only runs against this target: a URL (compared as URLs) or a target's name.
    #[arg(long, value_name = "T")]
    pub target: Option<String>,
    /// Only runs that started in this last span (`30m`, `12h`, `7d`, `2w`) or since this
    /// date (`2026-12-01`).
    #[arg(long, value_name = "SPAN", value_parser = since)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// How to print them.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Text for people, JSON (one object per line) for programs.
#[derive(Debug, Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// JSON lines.
    Json,
}

/// `7d`, `12h`, `30m`, `2w` back from now, or a date (`2026-12-01`) or an RFC 3339 time.
fn since(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let now = chrono::Utc::now();
    let span = |n: &str, unit: i64| {
        n.parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .and_then(|n| chrono::TimeDelta::try_seconds(n * unit))
            .map(|d| now - d)
    };
    let spans = [("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)];
    spans
        .iter()
        .find_map(|(suffix, unit)| text.strip_suffix(suffix).and_then(|n| span(n, *unit)))
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.to_utc())
        })
        .ok_or_else(|| {
            format!("`{text}` is not a span (`30m`, `12h`, `7d`, `2w`) or a date (`2026-12-01`)")
        })
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let dir = StateDir::locate()
        .ok_or_else(|| Error::Usage(crate::state::StateError::Unnamed.to_string()))?;
    match args.action {
        None => list(&dir, &args.filter, notes),
        Some(Action::Show { id, format }) => show(&dir, &id, format),
        Some(Action::User { user_id, filter }) => user(&dir, &user_id, &filter, notes),
        Some(Action::Verify) => verify(&dir),
    }
}

/// The entries of the history in `dir` that `filter` keeps, oldest first; lines that are
/// not entries are left out with a warning (`runs verify` names them).
fn entries(dir: &Path, filter: &Filter, notes: &Notes) -> Result<Vec<Entry>, Error> {
    let lines = history::read(dir).map_err(|e| Error::Usage(e.to_string()))?;
    let bad = lines.iter().filter(|l| l.entry.is_err()).count();
    if bad > 0 {
        notes.warn(&format!(
            "{} of `{}` {} not a run and {} left out; `sleipnir runs verify` names them",
            crate::text::counted(bad, "line", "lines"),
            dir.join(history::FILE).display(),
            if bad == 1 { "is" } else { "are" },
            if bad == 1 { "is" } else { "are" },
        ));
    }
    Ok(lines
        .into_iter()
        .filter_map(|line| line.entry.ok())
        .filter(|e| {
            filter.target.as_ref().is_none_or(|t| {
                super::target::same_target(t, &e.target) || e.target_name.as_ref() == Some(t)
            })
        })
        .filter(|e| {
            filter.since.is_none_or(|since| {
                chrono::DateTime::parse_from_rfc3339(&e.started).is_ok_and(|s| s >= since)
            })
        })
        .collect())
}

fn list(dir: &Path, filter: &Filter, notes: &Notes) -> Result<u8, Error> {
    let entries = entries(dir, filter, notes)?;
    let mut text = String::new();
    for entry in &entries {
        text.push_str(&match filter.format {
            Format::Json => json_line(entry)?,
            Format::Text => format!("{}\n", summary_line(entry)),
        });
    }
    if entries.is_empty() && filter.format == Format::Text {
        text = format!("no runs in `{}`\n", dir.join(history::FILE).display());
    }
    print(&text)?;
    Ok(0)
}

fn json_line(entry: &Entry) -> Result<String, Error> {
    serde_json::to_string(entry)
        .map(|line| format!("{line}\n"))
        .map_err(|e| Error::Usage(e.to_string()))
}

/// `ID  START  COMMAND  exit N  OS-USER@HOST as ODIN-USER  TARGET  SHEET  [counts]`.
fn summary_line(entry: &Entry) -> String {
    let counts = entry
        .outcome
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{}  {}  {:<8}  exit {:<3}  {}@{}{}  {}{}{}",
        entry.id,
        entry.started,
        entry.command,
        entry.exit_code,
        entry.os_user,
        entry.host,
        entry
            .odin_user
            .as_ref()
            .map(|u| format!(" as {u}"))
            .unwrap_or_default(),
        entry.target,
        entry
            .sheet
            .as_ref()
            .map(|s| format!("  {}", s.path))
            .unwrap_or_default(),
        match counts.is_empty() {
            true => String::new(),
            false => format!("  ({counts})"),
        }
    ) + &entry
        .deferred_by
        .as_ref()
        .map(|why| format!("  deferred: {why}"))
        .unwrap_or_default()
}

fn show(dir: &Path, id: &str, format: Format) -> Result<u8, Error> {
    let lines = history::read(dir).map_err(|e| Error::Usage(e.to_string()))?;
    let found: Vec<Entry> = lines
        .into_iter()
        .filter_map(|l| l.entry.ok())
        .filter(|e| e.id.starts_with(id))
        .collect();
    let entry = match &found[..] {
        [one] => one,
        [] => {
            return Err(Error::Usage(format!(
                "no run `{id}` in `{}`",
                dir.join(history::FILE).display()
            )));
        }
        _ => {
            return Err(Error::Usage(format!(
                "`{id}` names {} runs; give more of the id",
                found.len()
            )));
        }
    };
    let text = match format {
        Format::Json => json_line(entry)?,
        Format::Text => {
            let value = serde_json::to_value(entry).map_err(|e| Error::Usage(e.to_string()))?;
            let mut text = String::new();
            if let serde_json::Value::Object(fields) = value {
                for (name, value) in fields {
                    let shown = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => "-".to_string(),
                        other => other.to_string(),
                    };
                    text.push_str(&format!("{name:<13} {shown}\n"));
                }
            }
            text
        }
    };
    print(&text)?;
    Ok(0)
}

/// Each run that wrote `user_id`, oldest first, with its fields before → after.
fn user(dir: &Path, user_id: &str, filter: &Filter, notes: &Notes) -> Result<u8, Error> {
    let mut text = String::new();
    let mut found = 0;
    for entry in entries(dir, filter, notes)? {
        let Some(run_dir) = &entry.run_dir else {
            continue;
        };
        let rows = match RunFiles::new(&PathBuf::from(run_dir)).results() {
            Ok(rows) => rows,
            Err(why) => {
                notes.warn(&format!("run {}: {why}", entry.id));
                continue;
            }
        };
        let rows: Vec<_> = rows.into_iter().filter(|r| r.user_id == user_id).collect();
        if rows.is_empty() {
            continue;
        }
        found += 1;
        if filter.format == Format::Json {
            let changes: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "resource": r.resource.to_string(),
                        "status": r.status.to_string(),
                        "before": parsed(&r.before),
                        "after": parsed(&r.after),
                    })
                })
                .collect();
            let mut value =
                serde_json::to_value(&entry).map_err(|e| Error::Usage(e.to_string()))?;
            value["changes"] = serde_json::Value::Array(changes);
            text.push_str(&format!("{value}\n"));
            continue;
        }
        text.push_str(&format!("{}\n", summary_line(&entry)));
        for row in rows {
            let (before, after) = (parsed(&row.before), parsed(&row.after));
            let fields = before
                .as_object()
                .into_iter()
                .chain(after.as_object())
                .flat_map(|m| m.keys().cloned())
                .collect::<std::collections::BTreeSet<_>>();
            if fields.is_empty() {
                text.push_str(&format!("  {}: {}\n", row.resource, row.status));
            }
            for field in fields {
                let side = |v: &serde_json::Value| {
                    v.get(&field)
                        .map_or("(absent)".to_string(), |v| v.to_string())
                };
                text.push_str(&format!(
                    "  {}.{field}: {} → {}  ({})\n",
                    row.resource,
                    side(&before),
                    side(&after),
                    row.status
                ));
            }
        }
    }
    if found == 0 && filter.format == Format::Text {
        text = format!("no run in the history wrote `{user_id}`\n");
    }
    print(&text)?;
    Ok(0)
}

/// A results cell's compact JSON (an empty cell is null; a cell a spreadsheet would run is
/// prefixed `'`, taken off).
fn parsed(cell: &str) -> serde_json::Value {
    let cell = cell.strip_prefix('\'').unwrap_or(cell);
    serde_json::from_str(cell).unwrap_or(serde_json::Value::Null)
}

fn verify(dir: &Path) -> Result<u8, Error> {
    let problems = history::verify(dir).map_err(|e| Error::Usage(e.to_string()))?;
    let lines = history::read(dir)
        .map_err(|e| Error::Usage(e.to_string()))?
        .len();
    let file = dir.join(history::FILE);
    if problems.is_empty() {
        print(&format!(
            "`{}`: {} whole, each following the one before, every run directory there\n",
            file.display(),
            crate::text::counted(lines, "line", "lines")
        ))?;
        return Ok(0);
    }
    let mut text = format!("`{}` is not as it was written:\n", file.display());
    for problem in problems {
        text.push_str(&format!("  {problem}\n"));
    }
    print(&text)?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_spans_and_dates() {
        let now = chrono::Utc::now();
        let week = since("7d").unwrap();
        assert!(
            (now - week - chrono::TimeDelta::days(7))
                .num_seconds()
                .abs()
                < 5
        );
        assert!(
            (now - since("12h").unwrap() - chrono::TimeDelta::hours(12))
                .num_seconds()
                .abs()
                < 5
        );
        assert_eq!(
            since("2026-12-01").unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert!(
            since("7 days")
                .unwrap_err()
                .contains("`7 days` is not a span")
        );
        assert!(since("-1d").is_err());
    }
}
