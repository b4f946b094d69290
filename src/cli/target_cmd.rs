//! `sleipnir target add|list|show|remove`: the named targets of `targets.toml`.

use super::target::check_target;
use super::{Notes, print};
use crate::error::Error;
use crate::targets::edit::{self, NewTarget};
use crate::targets::file::{ConfigPath, config_path};
use crate::targets::resolve::{Sourced, resolve};
use crate::targets::{Origin, Target, TargetsFile, Tier};
use crate::window::Window;

/// Flags of `sleipnir target`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The target subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Add a target to targets.toml (written whole; the others and comments kept).
    Add(AddArgs),
    /// List the targets of targets.toml.
    List,
    /// Show a target's resolved values (never its password), and with --explain where each
    /// comes from.
    Show(ShowArgs),
    /// Remove a target from targets.toml (its keyring entry stays: `sleipnir logout`).
    Remove {
        /// The target's name.
        name: String,
    },
}

/// Flags of `sleipnir target add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Its name: letters, digits, `-`, `_` and `.`.
    pub name: String,
    /// The Odin API base URL, e.g. https://odin.example.net/api/v2.
    pub url: String,
    /// The Odin admin user name (ODIN_USERNAME wins).
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// lab, staging or production (production: apply and rollback need it named on their
    /// command line and its name typed to confirm).
    #[arg(long, value_name = "TIER", value_parser = tier)]
    pub tier: Option<Tier>,
    /// Requests per second for commands against it (--rate wins).
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,
    /// Users at once for commands against it (--concurrency wins).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,
    /// A command whose standard output is the password (run through the shell: `sh -c` on
    /// Unix, `cmd /C` on Windows), e.g. "pass show odin/acme".
    #[arg(long, value_name = "COMMAND")]
    pub password_command: Option<String>,
    /// Runs against it need a reason (a change ticket).
    #[arg(long)]
    pub require_reason: bool,
    /// Its maintenance window, when runs may start users (--window wins): ranges
    /// `HH:MM-HH:MM` with an optional weekday prefix, comma-separated, e.g.
    /// "Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00".
    #[arg(long, value_name = "RANGES")]
    pub window: Option<String>,
    /// The zone of its window and freezes (--window-tz wins): an IANA name such as
    /// Europe/Berlin, or UTC [default: the machine's].
    #[arg(long, value_name = "ZONE")]
    pub window_tz: Option<String>,
    /// Days its runs start no users (--freeze adds days): YYYY-MM-DD or FIRST/LAST, both
    /// included; repeat for several.
    #[arg(long, value_name = "DAYS")]
    pub freeze: Vec<String>,
    /// The requests all runs against it may send in any 24 hours (--budget wins).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub budget_per_day: Option<u64>,
    /// Change a target of the same name: the values given replace its own, the others (its
    /// tier, user name, password command, ...) are kept.
    #[arg(long)]
    pub replace: bool,
}

/// Flags of `sleipnir target show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A target's name or a URL [default: the one SLEIPNIR_TARGET, else ODIN_URL, names].
    pub name: Option<String>,
    /// Say where each value comes from: a flag, an environment variable, or a file and line.
    #[arg(long)]
    pub explain: bool,
}

fn tier(text: &str) -> Result<Tier, String> {
    Tier::from_name(text).ok_or_else(|| format!("`{text}` is none of lab, staging, production"))
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<u8, Error> {
    let config = config_path()?;
    match args.action {
        Action::Add(add) => {
            if !crate::targets::is_url(&add.url) {
                return Err(Error::Usage(format!(
                    "`{}` is not a URL: the target's url is the Odin API base URL, e.g. \
                     https://odin.example.net/api/v2",
                    add.url
                )));
            }
            // A login in the URL, or a scheme that is not http(s), is refused as at use;
            // plain http to another machine is told when the target is used.
            check_target(&add.url, true)?;
            if let Some(rate) = add.rate
                && !(rate.is_finite() && rate > 0.0)
            {
                return Err(Error::Usage(format!(
                    "--rate `{rate}` is not a positive number"
                )));
            }
            check_window(&add)?;
            let target = NewTarget {
                name: add.name,
                url: add.url,
                username: add.username,
                tier: add.tier,
                rate: add.rate,
                concurrency: add.concurrency,
                password_command: add.password_command,
                require_reason: add.require_reason,
                window: add.window,
                window_tz: add.window_tz,
                freeze: add.freeze,
                budget_per_day: add.budget_per_day,
            };
            let replaced = edit::add(&config.path, &target, add.replace)?;
            notes.note(&format!(
                "{} target `{}` {} `{}`",
                if replaced { "changed" } else { "added" },
                target.name,
                if replaced { "in" } else { "to" },
                config.path.display()
            ));
            Ok(0)
        }
        Action::List => {
            print(&list(&TargetsFile::load(&config.path)?))?;
            Ok(0)
        }
        Action::Show(show) => {
            let file = TargetsFile::load(&config.path)?;
            let flag = show.name.as_deref().map(|n| (n, "the command line"));
            let target = resolve(flag, true, &file)?.ok_or_else(|| {
                Error::Usage(
                    "no target: name one (`sleipnir target show NAME`), or set \
                     SLEIPNIR_TARGET or ODIN_URL"
                        .into(),
                )
            })?;
            print(&show_text(&target, &config, show.explain))?;
            Ok(0)
        }
        Action::Remove { name } => {
            if edit::remove(&config.path, &name)? {
                notes.note(&format!(
                    "removed target `{name}` from `{}`",
                    config.path.display()
                ));
                Ok(0)
            } else {
                Err(Error::Usage(format!(
                    "no target named `{name}` in `{}`",
                    config.path.display()
                )))
            }
        }
    }
}

/// The window flags of `target add` checked as a run would read them, each error naming its
/// flag, before anything is written.
fn check_window(add: &AddArgs) -> Result<(), Error> {
    let zone = add.window_tz.as_deref();
    let usage = |flag: &str, e: crate::window::WindowError| Error::Usage(format!("{flag}: {e}"));
    if zone.is_some() {
        Window::always(zone, &[]).map_err(|e| usage("--window-tz", e))?;
    }
    Window::always(zone, &add.freeze).map_err(|e| usage("--freeze", e))?;
    if let Some(window) = &add.window {
        Window::parse(window, zone, &[]).map_err(|e| usage("--window", e))?;
    }
    Ok(())
}

/// `target list`: the file, then a line per target (name, tier, URL, user name).
fn list(file: &TargetsFile) -> String {
    if file.entries.is_empty() {
        let why = match file.exists {
            true => "holds no targets",
            false => "does not exist",
        };
        return format!(
            "no targets: `{}` {why} (add one with `sleipnir target add NAME URL`)\n",
            file.path.display()
        );
    }
    let width = file.entries.keys().map(String::len).max().unwrap_or(0);
    let mut text = format!("targets in `{}`:\n", file.path.display());
    for entry in file.entries.values() {
        let tier = entry.tier.as_ref().map_or("-", |t| t.value.name());
        let user = entry
            .username
            .as_ref()
            .map(|u| format!("  as {}", u.value))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {:<width$}  {tier:<10}  {}{user}\n",
            entry.name, entry.url.value
        ));
    }
    text
}

/// `target show`: each resolved value on a line, with `--explain` where it came from. The
/// password is never shown: only where it would come from.
fn show_text(target: &Target, config: &ConfigPath, explain: bool) -> String {
    let mut lines: Vec<(&str, String, String)> = Vec::new();
    let from = |origin: &Origin| origin.to_string();
    lines.push((
        "target",
        target
            .name
            .clone()
            .unwrap_or_else(|| "(a URL no target in targets.toml holds)".into()),
        from(&target.selected_by),
    ));
    lines.push(("url", target.url.value.clone(), from(&target.url.origin)));
    let tier = target
        .tier
        .as_ref()
        .map(|t| (t.value.name().to_string(), from(&t.origin)))
        .unwrap_or_else(|| ("none".into(), "no `tier` in targets.toml".into()));
    lines.push(("tier", tier.0, tier.1));
    let username = match &target.username {
        Some(u) => (u.value.clone(), from(&u.origin)),
        None => (
            "(asked on a terminal)".into(),
            "neither ODIN_USERNAME nor `username`".into(),
        ),
    };
    lines.push(("username", username.0, username.1));
    let value_or_default = |value: Option<&Sourced<String>>, default: &str| match value {
        Some(v) => (v.value.clone(), from(&v.origin)),
        None => (default.to_string(), "default".to_string()),
    };
    let rate = target.rate.as_ref().map(|r| Sourced {
        value: r.value.to_string(),
        origin: r.origin.clone(),
    });
    let rate = value_or_default(rate.as_ref(), "5");
    lines.push((
        "rate",
        format!("{} requests/s", rate.0),
        format!("{} (--rate wins)", rate.1),
    ));
    let concurrency = target.concurrency.as_ref().map(|c| Sourced {
        value: c.value.to_string(),
        origin: c.origin.clone(),
    });
    let concurrency = value_or_default(concurrency.as_ref(), "4");
    lines.push((
        "concurrency",
        format!("{} users", concurrency.0),
        format!("{} (--concurrency wins)", concurrency.1),
    ));
    lines.extend(window_lines(target));
    lines.push((
        "require_reason",
        target.require_reason.value.to_string(),
        from(&target.require_reason.origin),
    ));
    let password = crate::targets::password::source(
        target,
        target.username.as_ref().map(|u| u.value.as_str()),
    );
    lines.push(("password", format!("from {password}"), "never shown".into()));
    let mut text = String::new();
    if explain {
        text.push_str(&format!(
            "targets file: `{}` (from {}{})\n",
            config.path.display(),
            config.from,
            if config.path.exists() {
                ""
            } else {
                "; it does not exist"
            }
        ));
    }
    for (key, value, origin) in lines {
        match explain {
            true => text.push_str(&format!("{key:<15} {value}  ← {origin}\n")),
            false => text.push_str(&format!("{key:<15} {value}\n")),
        }
    }
    text
}

/// `target show`'s lines of the window keys: each value, or what runs do without it.
fn window_lines(target: &Target) -> Vec<(&'static str, String, String)> {
    let with = |origin: &Origin, flag: &str| format!("{origin} ({flag} wins)");
    let none = |flag: &str| format!("default ({flag} sets one)");
    let window = match &target.window {
        Some(w) => (w.value.clone(), with(&w.origin, "--window")),
        None => (
            "none (runs start users at any time)".into(),
            none("--window"),
        ),
    };
    let zone = match &target.window_tz {
        Some(z) => (z.value.clone(), with(&z.origin, "--window-tz")),
        None => {
            let machine = Window::always(None, &[])
                .map_or_else(|_| "local".into(), |w| w.zone_name().to_string());
            (format!("{machine} (the machine's)"), none("--window-tz"))
        }
    };
    let freeze = match &target.freeze {
        Some(f) if !f.value.is_empty() => (
            f.value.join(", "),
            format!("{} (--freeze adds days)", f.origin),
        ),
        Some(f) => ("none".into(), format!("{} (--freeze adds days)", f.origin)),
        None => ("none".into(), none("--freeze")),
    };
    let budget = match &target.budget_per_day {
        Some(b) => (format!("{} requests", b.value), with(&b.origin, "--budget")),
        None => ("none (no daily cap)".into(), none("--budget")),
    };
    vec![
        ("window", window.0, window.1),
        ("window_tz", zone.0, zone.1),
        ("freeze", freeze.0, freeze.1),
        ("budget_per_day", budget.0, budget.1),
    ]
}
