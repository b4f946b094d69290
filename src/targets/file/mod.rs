//! Where `targets.toml` is, and reading it: every value with the line it is on, so that
//! `target show --explain` and every error can name the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{TargetsError, Tier, valid_name};
use crate::window::Window;

/// The file's name in its directory.
pub const FILE_NAME: &str = "targets.toml";

/// Where `targets.toml` is, and which variable said so (for `--explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    /// The file.
    pub path: PathBuf,
    /// `SLEIPNIR_CONFIG`, `APPDATA`, `XDG_CONFIG_HOME` or `HOME`.
    pub from: &'static str,
}

/// The path of `targets.toml`: `SLEIPNIR_CONFIG` (a file when it ends in `.toml` or is an
/// existing file, else the directory holding `targets.toml`); else, on Windows,
/// `%APPDATA%\sleipnir\targets.toml`; else `$XDG_CONFIG_HOME/sleipnir/targets.toml`, or
/// `~/.config/sleipnir/targets.toml` (Linux, macOS and other Unix alike).
pub fn config_path() -> Result<ConfigPath, TargetsError> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(config) = var("SLEIPNIR_CONFIG") {
        let path = PathBuf::from(config);
        let is_file = path.extension().is_some_and(|e| e == "toml") || path.is_file();
        let path = if is_file { path } else { path.join(FILE_NAME) };
        return Ok(ConfigPath {
            path,
            from: "SLEIPNIR_CONFIG",
        });
    }
    if cfg!(windows)
        && let Some(appdata) = var("APPDATA")
    {
        return Ok(ConfigPath {
            path: PathBuf::from(appdata).join("sleipnir").join(FILE_NAME),
            from: "APPDATA",
        });
    }
    if let Some(xdg) = var("XDG_CONFIG_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Ok(ConfigPath {
            path: PathBuf::from(xdg).join("sleipnir").join(FILE_NAME),
            from: "XDG_CONFIG_HOME",
        });
    }
    let home = var("HOME").or_else(|| var("USERPROFILE"));
    match home {
        Some(home) => Ok(ConfigPath {
            path: PathBuf::from(home)
                .join(".config")
                .join("sleipnir")
                .join(FILE_NAME),
            from: "HOME",
        }),
        None => Err(TargetsError::NoConfigDir),
    }
}

/// A value of `targets.toml` and the line it is on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its line in the file.
    pub line: usize,
}

/// One `[targets.NAME]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The name after `targets.`.
    pub name: String,
    /// The line of its `[targets.NAME]` header.
    pub line: usize,
    /// The Odin API base URL (required).
    pub url: Located<String>,
    /// The Odin admin user name (`ODIN_USERNAME` wins).
    pub username: Option<Located<String>>,
    /// Its tier; a target without one is no tier (treated as neither lab nor production).
    pub tier: Option<Located<Tier>>,
    /// Requests per second for runs against it (`--rate` wins).
    pub rate: Option<Located<f64>>,
    /// Users at once for runs against it (`--concurrency` wins).
    pub concurrency: Option<Located<u16>>,
    /// A command whose standard output is the password (after `ODIN_PASSWORD`).
    pub password_command: Option<Located<String>>,
    /// Whether a run against it needs a reason (a change ticket); enforced where runs are
    /// recorded.
    pub require_reason: Option<Located<bool>>,
    /// The maintenance window runs against it keep to (`--window` wins), as written; checked
    /// by [`Window::parse`] when the file is read.
    pub window: Option<Located<String>>,
    /// The zone of its window and freezes (`--window-tz` wins): an IANA name or `UTC`.
    pub window_tz: Option<Located<String>>,
    /// Days no run against it starts users on, each `YYYY-MM-DD/YYYY-MM-DD` or `YYYY-MM-DD`
    /// (`--freeze` wins); the line is the array's.
    pub freeze: Option<Located<Vec<String>>>,
    /// The requests all runs against it may send in any 24 hours (`--budget` wins).
    pub budget_per_day: Option<Located<u64>>,
}

/// `targets.toml` as read: its path and its entries by name. A missing file has none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetsFile {
    /// Where it is (or would be).
    pub path: PathBuf,
    /// Whether the file exists.
    pub exists: bool,
    /// The targets, by name.
    pub entries: BTreeMap<String, Entry>,
}

impl TargetsFile {
    /// The file at [`config_path`].
    pub fn load_default() -> Result<TargetsFile, TargetsError> {
        TargetsFile::load(&config_path()?.path)
    }

    /// The file at `path`; a missing file is an empty one (raw URLs need none).
    pub fn load(path: &Path) -> Result<TargetsFile, TargetsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(TargetsFile {
                    path: path.to_path_buf(),
                    exists: false,
                    entries: BTreeMap::new(),
                });
            }
            Err(source) => {
                return Err(TargetsError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Ok(TargetsFile {
            path: path.to_path_buf(),
            exists: true,
            entries: parse(path, &text)?,
        })
    }

    /// The entry named `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    targets: BTreeMap<String, Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    url: Option<Spanned<String>>,
    username: Option<Spanned<String>>,
    tier: Option<Spanned<String>>,
    rate: Option<Spanned<f64>>,
    concurrency: Option<Spanned<i64>>,
    password_command: Option<Spanned<String>>,
    require_reason: Option<Spanned<bool>>,
    window: Option<Spanned<String>>,
    window_tz: Option<Spanned<String>>,
    freeze: Option<Spanned<Vec<Spanned<String>>>>,
    budget_per_day: Option<Spanned<i64>>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// The entries of `text` (the file at `path`), or the first thing wrong with it, with its
/// line.
pub fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, Entry>, TargetsError> {
    let malformed = |offset: usize, message: String| TargetsError::Malformed {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        malformed(offset, e.message().trim().to_string())
    })?;
    let mut entries = BTreeMap::new();
    for (name, raw) in raw.targets {
        let start = raw.span().start;
        let raw = raw.into_inner();
        let at = |spanned_start: usize| line_of(text, spanned_start);
        if !valid_name(&name) {
            return Err(malformed(
                start,
                format!(
                    "`{name}` cannot name a target: use letters, digits, `-`, `_` and `.` only"
                ),
            ));
        }
        let Some(url) = raw.url else {
            return Err(malformed(
                start,
                format!(
                    "target `{name}` has no `url` (the Odin API base URL, e.g. https://odin.example.net/api/v2)"
                ),
            ));
        };
        if !super::is_url(url.get_ref()) {
            return Err(malformed(
                url.span().start,
                format!(
                    "target `{name}`: `url` must be a URL (https://HOST/api/v2), not `{}`",
                    url.get_ref()
                ),
            ));
        }
        let tier = match raw.tier {
            None => None,
            Some(tier) => match Tier::from_name(tier.get_ref()) {
                Some(value) => Some(Located {
                    value,
                    line: at(tier.span().start),
                }),
                None => {
                    return Err(malformed(
                        tier.span().start,
                        format!(
                            "target `{name}`: tier `{}` is none of lab, staging, production",
                            tier.get_ref()
                        ),
                    ));
                }
            },
        };
        if let Some(rate) = &raw.rate
            && !(rate.get_ref().is_finite() && *rate.get_ref() > 0.0)
        {
            return Err(malformed(
                rate.span().start,
                format!("target `{name}`: `rate` must be a positive number of requests per second"),
            ));
        }
        let concurrency = match raw.concurrency {
            None => None,
            Some(c) => match u16::try_from(*c.get_ref()) {
                Ok(value) if value > 0 => Some(Located {
                    value,
                    line: at(c.span().start),
                }),
                _ => {
                    return Err(malformed(
                        c.span().start,
                        format!(
                            "target `{name}`: `concurrency` must be a whole number from 1 to 65535"
                        ),
                    ));
                }
            },
        };
        let budget_per_day = match raw.budget_per_day {
            None => None,
            Some(b) => match u64::try_from(*b.get_ref()) {
                Ok(value) if value > 0 => Some(Located {
                    value,
                    line: at(b.span().start),
                }),
                _ => {
                    return Err(malformed(
                        b.span().start,
                        format!(
                            "target `{name}`: `budget_per_day` must be a positive whole number \
                             of requests"
                        ),
                    ));
                }
            },
        };
        check_window(&raw.window, &raw.window_tz, &raw.freeze).map_err(|(offset, message)| {
            malformed(offset, format!("target `{name}`: {message}"))
        })?;
        let freeze = raw.freeze.map(|f| Located {
            line: at(f.span().start),
            value: f
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
        });
        let located = |s: Spanned<String>| Located {
            line: at(s.span().start),
            value: s.into_inner(),
        };
        let entry = Entry {
            name: name.clone(),
            line: at(start),
            url: located(url),
            username: raw.username.map(located),
            tier,
            rate: raw.rate.map(|r| Located {
                line: at(r.span().start),
                value: r.into_inner(),
            }),
            concurrency,
            password_command: raw.password_command.map(located),
            require_reason: raw.require_reason.map(|r| Located {
                line: at(r.span().start),
                value: r.into_inner(),
            }),
            window: raw.window.map(located),
            window_tz: raw.window_tz.map(located),
            freeze,
            budget_per_day,
        };
        entries.insert(name, entry);
    }
    Ok(entries)
}

/// The window keys checked as `--window`, `--window-tz` and `--freeze` are: the zone, then
/// each freeze, then the window, each at its own offset; the first wrong one with its
/// offset and message.
fn check_window(
    window: &Option<Spanned<String>>,
    zone: &Option<Spanned<String>>,
    freeze: &Option<Spanned<Vec<Spanned<String>>>>,
) -> Result<(), (usize, String)> {
    let tz = zone.as_ref().map(|z| z.get_ref().as_str());
    if let Some(zone) = zone {
        Window::always(tz, &[]).map_err(|e| (zone.span().start, format!("`window_tz`: {e}")))?;
    }
    for day in freeze.iter().flat_map(|f| f.get_ref()) {
        Window::always(Some("UTC"), std::slice::from_ref(day.get_ref()))
            .map_err(|e| (day.span().start, format!("`freeze`: {e}")))?;
    }
    if let Some(window) = window {
        Window::parse(window.get_ref(), Some("UTC"), &[])
            .map_err(|e| (window.span().start, format!("`window`: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
