//! From a `--target` value (a name or a URL), `SLEIPNIR_TARGET` or `ODIN_URL` to one
//! [`Target`]: its URL, name, tier and run defaults, each with where it came from.
//!
//! Precedence: `--target` > `SLEIPNIR_TARGET` > `ODIN_URL` (the environment only where the
//! command reads it: `plan` never goes online from the environment). A value holding
//! `://` is a URL; a URL that is a named target's (compared as URLs) is that target, so a
//! production URL typed out is still production.

use std::fmt;
use std::path::PathBuf;

use super::file::{Entry, Located};
use super::{TargetsError, TargetsFile, Tier, is_url};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A flag or argument of this command line (`--target`, `--rate`, `target show NAME`).
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A line of `targets.toml`.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// sleipnir's own default.
    Default,
}

impl Origin {
    /// Whether it is this command line, not the environment, a file or a default.
    pub fn is_command_line(&self) -> bool {
        matches!(self, Origin::Flag(_))
    }

    fn file<T>(path: &std::path::Path, located: &Located<T>) -> Origin {
        Origin::File {
            path: path.to_path_buf(),
            line: located.line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "{flag}"),
            Origin::Env(var) => write!(f, "{var} (environment)"),
            Origin::File { path, line } => write!(f, "`{}`, line {line}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    fn new(value: T, origin: Origin) -> Sourced<T> {
        Sourced { value, origin }
    }
}

/// The target a command points at, resolved: what the state of runs and the history need
/// of it (its name, tier and whether a run needs a reason) and what logging in needs (its
/// URL, user name, password command), each value with its [`Origin`].
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Its name in `targets.toml`; `None` for a URL no entry holds.
    pub name: Option<String>,
    /// The Odin API base URL, and where it came from.
    pub url: Sourced<String>,
    /// Where the `--target` value itself came from (`--target`, `SLEIPNIR_TARGET`,
    /// `ODIN_URL`): production runs need it on the command line.
    pub selected_by: Origin,
    /// Its tier, where its entry gives one.
    pub tier: Option<Sourced<Tier>>,
    /// Whether a run against it needs a reason (`require_reason`; default false).
    pub require_reason: Sourced<bool>,
    /// The Odin user name: `ODIN_USERNAME`, else the entry's `username`.
    pub username: Option<Sourced<String>>,
    /// The entry's run default for `--rate`.
    pub rate: Option<Sourced<f64>>,
    /// The entry's run default for `--concurrency`.
    pub concurrency: Option<Sourced<u16>>,
    /// The entry's `password_command`.
    pub password_command: Option<Sourced<String>>,
    /// The entry's run default for `--window`, as written (checked when the file was read).
    pub window: Option<Sourced<String>>,
    /// The entry's run default for `--window-tz`.
    pub window_tz: Option<Sourced<String>>,
    /// The entry's run default for `--freeze`: its days, each as written.
    pub freeze: Option<Sourced<Vec<String>>>,
    /// The entry's run default for `--budget`: requests in any 24 hours.
    pub budget_per_day: Option<Sourced<u64>>,
}

impl Target {
    /// Whether its tier is `production`.
    pub fn is_production(&self) -> bool {
        self.tier
            .as_ref()
            .is_some_and(|t| t.value == Tier::Production)
    }

    /// How messages name it: `` `prod` (https://…) `` for a named target, the URL alone
    /// for another.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("`{name}` ({})", self.url.value),
            None => self.url.value.clone(),
        }
    }

    /// The key of its password in the OS keyring: its name, or its URL for an unnamed one.
    pub fn keyring_key(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.url.value.clone())
    }
}

/// The target `flag` (a `--target` value, or `target show`'s argument, named by
/// `flag_name`) names, else, with `from_env`, `SLEIPNIR_TARGET`, else `ODIN_URL`; `None`
/// when none is given. A name not in `file` is an error naming the file and the names it
/// holds.
pub fn resolve(
    flag: Option<(&str, &'static str)>,
    from_env: bool,
    file: &TargetsFile,
) -> Result<Option<Target>, TargetsError> {
    let env = |name: &'static str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, Origin::Env(name)))
    };
    let chosen = match flag {
        Some((value, name)) => Some((value.to_string(), Origin::Flag(name))),
        None if from_env => env("SLEIPNIR_TARGET").or_else(|| env("ODIN_URL")),
        None => None,
    };
    let Some((value, selected_by)) = chosen else {
        return Ok(None);
    };
    let entry = if is_url(&value) {
        by_url(file, &value)
    } else {
        Some(by_name(file, &value, &selected_by)?)
    };
    let path = &file.path;
    let url = match entry {
        Some(entry) if !is_url(&value) => {
            Sourced::new(entry.url.value.clone(), Origin::file(path, &entry.url))
        }
        _ => Sourced::new(value.clone(), selected_by.clone()),
    };
    let username = env("ODIN_USERNAME")
        .map(|(v, origin)| Sourced::new(v, origin))
        .or_else(|| {
            entry
                .and_then(|e| e.username.as_ref())
                .map(|u| Sourced::new(u.value.clone(), Origin::file(path, u)))
        });
    let sourced = |located: &Located<_>| Sourced::new(located.value, Origin::file(path, located));
    // A target is as guarded as the strictest target of its URL: a second name for a
    // production Odin is production too (the tier's origin names the entry it comes from).
    let own_tier = entry.and_then(|e| e.tier.as_ref());
    let strictest = entry
        .and_then(|e| by_url(file, &e.url.value))
        .and_then(|e| e.tier.as_ref());
    let tier = match (own_tier, strictest) {
        (own, Some(other)) if own.map(|t| t.value) < Some(other.value) => Some(sourced(other)),
        (own, _) => own.map(sourced),
    };
    Ok(Some(Target {
        name: entry.map(|e| e.name.clone()),
        url,
        selected_by,
        tier,
        require_reason: entry
            .and_then(|e| e.require_reason.as_ref())
            .map_or(Sourced::new(false, Origin::Default), |r| {
                Sourced::new(r.value, Origin::file(path, r))
            }),
        username,
        rate: entry
            .and_then(|e| e.rate.as_ref())
            .map(|r| Sourced::new(r.value, Origin::file(path, r))),
        concurrency: entry
            .and_then(|e| e.concurrency.as_ref())
            .map(|c| Sourced::new(c.value, Origin::file(path, c))),
        password_command: entry
            .and_then(|e| e.password_command.as_ref())
            .map(|c| Sourced::new(c.value.clone(), Origin::file(path, c))),
        window: entry
            .and_then(|e| e.window.as_ref())
            .map(|w| Sourced::new(w.value.clone(), Origin::file(path, w))),
        window_tz: entry
            .and_then(|e| e.window_tz.as_ref())
            .map(|z| Sourced::new(z.value.clone(), Origin::file(path, z))),
        freeze: entry
            .and_then(|e| e.freeze.as_ref())
            .map(|f| Sourced::new(f.value.clone(), Origin::file(path, f))),
        budget_per_day: entry
            .and_then(|e| e.budget_per_day.as_ref())
            .map(|b| Sourced::new(b.value, Origin::file(path, b))),
    }))
}

/// The entry whose URL is `url` (compared as URLs); of several, a production one first,
/// so that a production URL typed out is never taken for a lab's.
fn by_url<'a>(file: &'a TargetsFile, url: &str) -> Option<&'a Entry> {
    let mut matching: Vec<&Entry> = file
        .entries
        .values()
        .filter(|entry| same_url(&entry.url.value, url))
        .collect();
    matching.sort_by_key(|entry| std::cmp::Reverse(entry.tier.as_ref().map(|t| t.value)));
    matching.into_iter().next()
}

fn by_name<'a>(
    file: &'a TargetsFile,
    name: &str,
    selected_by: &Origin,
) -> Result<&'a Entry, TargetsError> {
    if let Some(entry) = file.get(name) {
        return Ok(entry);
    }
    if file.path.as_os_str().is_empty() {
        return Err(TargetsError::NoConfigDir);
    }
    if !super::valid_name(name) {
        // Not repeated: it may be a URL with a login in it, written without its scheme.
        return Err(TargetsError::Unknown(format!(
            "the target ({selected_by}) is neither a target's name (letters, digits, `-`, `_`, \
             `.`) nor a URL (with `://`, e.g. https://odin.example.net/api/v2)"
        )));
    }
    let path = file.path.display();
    let why = if !file.exists {
        format!("`{path}` does not exist; add it with `sleipnir target add {name} URL`")
    } else if file.entries.is_empty() {
        format!("`{path}` holds no targets; add it with `sleipnir target add {name} URL`")
    } else {
        let names: Vec<&str> = file.entries.keys().map(String::as_str).collect();
        format!(
            "`{path}` holds {}{}",
            names.join(", "),
            crate::suggest::did_you_mean(&crate::suggest::closest(name, names.iter().copied()))
        )
    };
    Err(TargetsError::Unknown(format!(
        "no target named `{name}` ({selected_by}): {why} (a URL holds `://`, e.g. \
         https://odin.example.net/api/v2)"
    )))
}

/// Whether `a` and `b` name the same Odin: their [`url_key`]s are equal.
pub fn same_url(a: &str, b: &str) -> bool {
    url_key(a) == url_key(b)
}

/// `text` as targets compare: as a URL, with the scheme and host in any case, the scheme's
/// default port written or not, and trailing slashes of the path left out
/// (`HTTPS://Odin.example.net:443/api/v2/` is `https://odin.example.net:443/api/v2`). Text
/// that is not a URL is kept as written, but for trailing slashes.
pub fn url_key(text: &str) -> String {
    match reqwest::Url::parse(text.trim()) {
        Ok(url) => format!(
            "{}://{}:{}{}{}",
            url.scheme(),
            url.host_str().unwrap_or_default().trim_end_matches('.'),
            url.port_or_known_default().unwrap_or_default(),
            url.path().trim_end_matches('/'),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        ),
        Err(_) => text.trim().trim_end_matches('/').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> TargetsFile {
        let path = PathBuf::from("/cfg/targets.toml");
        let text = "[targets.lab]\nurl = \"http://127.0.0.1:1/api/v2\"\ntier = \"lab\"\n\
                    [targets.prod]\nurl = \"https://odin.example.net/api/v2\"\n\
                    tier = \"production\"\nrate = 2\nwindow = \"Mon-Fri 22:00-05:30\"\n\
                    window_tz = \"Europe/Berlin\"\nfreeze = [\"2026-12-24\"]\n\
                    budget_per_day = 5000\n";
        TargetsFile {
            entries: super::super::file::parse(&path, text).unwrap(),
            path,
            exists: true,
        }
    }

    #[test]
    fn a_name_or_a_url_that_is_a_targets_resolves_to_it() {
        let file = file();
        let prod = resolve(Some(("prod", "--target")), false, &file)
            .unwrap()
            .unwrap();
        assert_eq!(prod.name.as_deref(), Some("prod"));
        assert!(prod.is_production());
        assert_eq!(
            prod.url.origin,
            Origin::File {
                path: "/cfg/targets.toml".into(),
                line: 5
            }
        );
        assert_eq!(prod.rate.unwrap().value, 2.0);
        let window = prod.window.unwrap();
        assert_eq!(window.value, "Mon-Fri 22:00-05:30");
        let at = |line| Origin::File {
            path: "/cfg/targets.toml".into(),
            line,
        };
        assert_eq!(window.origin, at(8));
        assert_eq!(prod.window_tz.unwrap().origin, at(9));
        assert_eq!(prod.freeze.unwrap().value, ["2026-12-24"]);
        let budget = prod.budget_per_day.unwrap();
        assert_eq!((budget.value, budget.origin), (5000, at(11)));
        let typed = resolve(
            Some(("HTTPS://odin.example.net:443/api/v2/", "--target")),
            false,
            &file,
        )
        .unwrap()
        .unwrap();
        assert_eq!(typed.name.as_deref(), Some("prod"));
        assert!(typed.is_production());
        assert_eq!(typed.url.origin, Origin::Flag("--target"));
        let other = resolve(Some(("https://elsewhere/api/v2", "--target")), false, &file)
            .unwrap()
            .unwrap();
        assert_eq!(other.name, None);
        assert_eq!(other.tier, None);
    }

    #[test]
    fn a_second_name_for_a_production_url_is_production() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.toml");
        std::fs::write(
            &path,
            "[targets.alpha]\nurl = \"http://127.0.0.1:9/api/v2\"\ntier = \"lab\"\n\n\
             [targets.zprod]\nurl = \"http://127.0.0.1:9/api/v2/\"\ntier = \"production\"\n",
        )
        .unwrap();
        let file = TargetsFile::load(&path).unwrap();
        let alpha = resolve(Some(("alpha", "--target")), false, &file)
            .unwrap()
            .unwrap();
        assert_eq!(alpha.name.as_deref(), Some("alpha"));
        assert!(alpha.is_production());
    }

    #[test]
    fn an_unknown_name_says_which_there_are() {
        let Err(TargetsError::Unknown(message)) =
            resolve(Some(("prd", "--target")), false, &file())
        else {
            panic!("resolved");
        };
        assert!(message.contains("lab, prod"), "{message}");
        assert!(message.contains("did you mean `prod`"), "{message}");
    }

    #[test]
    fn targets_compare_as_urls() {
        let a = "https://odin.example.net/api/v2";
        for same in [
            "https://odin.example.net/api/v2/",
            "HTTPS://Odin.Example.NET/api/v2",
            "https://odin.example.net:443/api/v2",
        ] {
            assert!(same_url(a, same), "{same}");
        }
        assert!(!same_url(a, "https://odin.example.net:8443/api/v2"));
    }
}
