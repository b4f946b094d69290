//! `target add` and `target remove`: the file changed through `toml_edit`, so the admin's
//! comments and the other entries stay as written, then written whole or not at all
//! ([`crate::atomic`]), owner-only on Unix.

use std::path::Path;

use toml_edit::{DocumentMut, Item, Table, value};

use super::{TargetsError, Tier, file, is_url, valid_name};

/// What `target add` writes for one target; `None` leaves the key out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewTarget {
    /// The name.
    pub name: String,
    /// The Odin API base URL.
    pub url: String,
    /// The Odin admin user name.
    pub username: Option<String>,
    /// Its tier.
    pub tier: Option<Tier>,
    /// Requests per second.
    pub rate: Option<f64>,
    /// Users at once.
    pub concurrency: Option<u16>,
    /// The command whose standard output is the password.
    pub password_command: Option<String>,
    /// Whether a run against it needs a reason.
    pub require_reason: bool,
    /// Its maintenance window (`window`).
    pub window: Option<String>,
    /// The zone of its window and freezes (`window_tz`).
    pub window_tz: Option<String>,
    /// Its frozen days (`freeze`); none given leaves the key as it is.
    pub freeze: Vec<String>,
    /// Its daily request budget (`budget_per_day`).
    pub budget_per_day: Option<u64>,
}

/// Add `target` to the file at `path` (made, with its directory, when missing); an
/// existing target of that name is changed only when `replace`: the values `target` gives
/// replace its own, the others (tier, user name, password command, …) are kept. The file is read back
/// before it is written, so nothing is written that sleipnir could not read. Whether a
/// target was changed (not added).
pub fn add(path: &Path, target: &NewTarget, replace: bool) -> Result<bool, TargetsError> {
    if !valid_name(&target.name) || is_url(&target.name) {
        return Err(TargetsError::Invalid(format!(
            "`{}` cannot name a target: use letters, digits, `-`, `_` and `.` only",
            target.name
        )));
    }
    let mut doc = read(path)?;
    let targets = doc
        .entry("targets")
        .or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_mut()
        .ok_or_else(|| malformed(path, "`targets` is not a table"))?;
    if targets.contains_key(&target.name) && !replace {
        return Err(TargetsError::Invalid(format!(
            "target `{}` is already in `{}`; pass --replace to replace it",
            target.name,
            path.display()
        )));
    }
    // A target replaced keeps what is not given again (its tier above all: a production
    // target must not turn into one without a guard because its URL was corrected), and its
    // comments.
    let (mut table, replaced) = match targets.remove(&target.name) {
        Some(Item::Table(existing)) => (existing, true),
        _ => (Table::new(), false),
    };
    table.insert("url", value(target.url.as_str()));
    if let Some(username) = &target.username {
        table.insert("username", value(username.as_str()));
    }
    if let Some(tier) = target.tier {
        table.insert("tier", value(tier.name()));
    }
    if let Some(rate) = target.rate {
        // A whole rate is written as an integer, as an admin would.
        if rate.fract() == 0.0 && rate < 1e15 {
            table.insert("rate", value(rate as i64));
        } else {
            table.insert("rate", value(rate));
        }
    }
    if let Some(concurrency) = target.concurrency {
        table.insert("concurrency", value(i64::from(concurrency)));
    }
    if let Some(command) = &target.password_command {
        table.insert("password_command", value(command.as_str()));
    }
    if target.require_reason {
        table.insert("require_reason", value(true));
    }
    if let Some(window) = &target.window {
        table.insert("window", value(window.as_str()));
    }
    if let Some(zone) = &target.window_tz {
        table.insert("window_tz", value(zone.as_str()));
    }
    if !target.freeze.is_empty() {
        let days: toml_edit::Array = target.freeze.iter().map(String::as_str).collect();
        table.insert("freeze", value(days));
    }
    if let Some(budget) = target.budget_per_day {
        // Past i64 no TOML integer holds it; the read back refuses what it cannot hold.
        let budget = i64::try_from(budget).map_err(|_| {
            TargetsError::Invalid(format!(
                "a budget of {budget} requests is past what targets.toml holds"
            ))
        })?;
        table.insert("budget_per_day", value(budget));
    }
    targets.insert(&target.name, Item::Table(table));
    write(path, &doc)?;
    Ok(replaced)
}

/// Remove target `name` from the file at `path`; whether it was there.
pub fn remove(path: &Path, name: &str) -> Result<bool, TargetsError> {
    if !path.exists() {
        return Ok(false);
    }
    let mut doc = read(path)?;
    let removed = doc
        .get_mut("targets")
        .and_then(Item::as_table_mut)
        .and_then(|targets| targets.remove(name))
        .is_some();
    if removed {
        write(path, &doc)?;
    }
    Ok(removed)
}

fn malformed(path: &Path, message: &str) -> TargetsError {
    TargetsError::Malformed {
        path: path.to_path_buf(),
        line: 1,
        message: message.to_string(),
    }
}

/// The file as an editable document; missing, an empty one. A file sleipnir cannot read
/// as targets is refused as [`file::parse`] refuses it (naming the line), not rewritten.
fn read(path: &Path) -> Result<DocumentMut, TargetsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(TargetsError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    file::parse(path, &text)?;
    text.parse::<DocumentMut>()
        .map_err(|e| malformed(path, e.message()))
}

fn write(path: &Path, doc: &DocumentMut) -> Result<(), TargetsError> {
    let text = doc.to_string();
    file::parse(path, &text)?;
    let failed = |source| TargetsError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    crate::atomic::write_with(path, |file| {
        use std::io::Write;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        file.write_all(text.as_bytes())
    })
    .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, url: &str) -> NewTarget {
        NewTarget {
            name: name.into(),
            url: url.into(),
            ..NewTarget::default()
        }
    }

    #[test]
    fn a_target_replaced_keeps_what_is_not_given_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.toml");
        let prod = NewTarget {
            tier: Some(Tier::Production),
            password_command: Some("pass show odin".into()),
            ..target("acme", "https://odin.acme.example/api/v2")
        };
        assert!(!add(&path, &prod, false).unwrap());
        assert!(
            add(
                &path,
                &target("acme", "https://odin2.acme.example/api/v2"),
                true
            )
            .unwrap()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("url = \"https://odin2.acme.example/api/v2\""),
            "{text}"
        );
        assert!(text.contains("tier = \"production\""), "{text}");
        assert!(
            text.contains("password_command = \"pass show odin\""),
            "{text}"
        );
    }

    #[test]
    fn adding_and_removing_keeps_the_rest_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("targets.toml");
        add(&path, &target("lab", "http://127.0.0.1:8080/api/v2"), false).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text = text.replace("[targets.lab]", "# the lab in the basement\n[targets.lab]");
        std::fs::write(&path, &text).unwrap();
        let prod = NewTarget {
            tier: Some(Tier::Production),
            rate: Some(2.0),
            require_reason: true,
            ..target("prod", "https://odin.example.net/api/v2")
        };
        add(&path, &prod, false).unwrap();
        assert!(matches!(
            add(&path, &prod, false),
            Err(TargetsError::Invalid(_))
        ));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("# the lab in the basement\n[targets.lab]"),
            "{text}"
        );
        assert!(text.contains("tier = \"production\"\nrate = 2\n"), "{text}");
        let file = super::super::TargetsFile::load(&path).unwrap();
        assert_eq!(file.entries.len(), 2);
        assert!(remove(&path, "prod").unwrap());
        assert!(!remove(&path, "prod").unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# the lab in the basement"), "{text}");
        assert!(!text.contains("prod"), "{text}");
    }

    #[test]
    fn window_keys_are_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.toml");
        let prod = NewTarget {
            window: Some("Mon-Fri 22:00-05:30".into()),
            window_tz: Some("Europe/Berlin".into()),
            freeze: vec!["2026-12-24/2026-12-27".into(), "2027-01-01".into()],
            budget_per_day: Some(20000),
            ..target("prod", "https://odin.example.net/api/v2")
        };
        add(&path, &prod, false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(
                "window = \"Mon-Fri 22:00-05:30\"\nwindow_tz = \"Europe/Berlin\"\n\
                 freeze = [\"2026-12-24/2026-12-27\", \"2027-01-01\"]\nbudget_per_day = 20000\n"
            ),
            "{text}"
        );
        // Replaced without them, the target keeps them.
        add(
            &path,
            &target("prod", "https://odin2.example.net/api/v2"),
            true,
        )
        .unwrap();
        let file = super::super::TargetsFile::load(&path).unwrap();
        let entry = &file.entries["prod"];
        assert_eq!(entry.freeze.as_ref().unwrap().value.len(), 2);
        assert_eq!(entry.budget_per_day.as_ref().unwrap().value, 20000);
        // A window sleipnir cannot read is not written.
        let bad = NewTarget {
            window: Some("22:00-25:00".into()),
            ..target("other", "https://odin.example.net/api/v2")
        };
        assert!(matches!(
            add(&path, &bad, false),
            Err(TargetsError::Malformed { .. })
        ));
        assert!(!std::fs::read_to_string(&path).unwrap().contains("other"));
    }

    #[test]
    fn a_bad_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("targets.toml");
        assert!(add(&path, &target("a b", "https://x"), false).is_err());
        assert!(!path.exists());
    }
}
