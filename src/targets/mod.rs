//! Named targets: the Odin instances an admin works against, kept in `targets.toml` in the
//! user's config directory, and where each one's password comes from.
//!
//! ```toml
//! [targets.lab]
//! url = "http://127.0.0.1:8080/api/v2"
//! tier = "lab"
//!
//! [targets.acme-prod]
//! url = "https://odin.acme.example/api/v2"
//! username = "ops@acme.example"
//! tier = "production"
//! rate = 5
//! concurrency = 4
//! password_command = "pass show odin/acme"
//! require_reason = true
//! window = "Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00"
//! window_tz = "Europe/Berlin"
//! freeze = ["2026-12-24/2026-12-27", "2027-01-01"]
//! budget_per_day = 20000
//! ```
//!
//! [`file`](mod@file) finds and reads the file (every value with its line), [`edit`] adds and removes
//! entries keeping the rest as written, [`resolve`] turns a `--target` value (a name or a
//! URL), `SLEIPNIR_TARGET` or `ODIN_URL` into a [`Target`] with where each value came from,
//! and [`password`] finds the password: `ODIN_PASSWORD`, the target's `password_command`,
//! the OS keyring, or nothing (the CLI then asks).

pub mod edit;
pub mod file;
pub mod password;
pub mod resolve;

use std::path::PathBuf;

pub use file::{Entry, TargetsFile};
pub use resolve::{Origin, Target};

/// How much a target matters: `production` makes `apply` and `rollback` harder to start by
/// mistake (the target named on their command line, its name typed to confirm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// A test system; nothing of a customer's.
    Lab,
    /// A system that stands in for production.
    Staging,
    /// Customers' users.
    Production,
}

impl Tier {
    /// Every tier, as written in `targets.toml`.
    pub const ALL: [Tier; 3] = [Tier::Lab, Tier::Staging, Tier::Production];

    /// The name as written in `targets.toml`: `lab`, `staging`, `production`.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Lab => "lab",
            Tier::Staging => "staging",
            Tier::Production => "production",
        }
    }

    /// The tier named exactly `name`.
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|tier| tier.name() == name)
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What can go wrong with targets: each names the file (and line) or the target.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// The file exists but cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or holds something a target cannot.
    #[error("`{path}`, line {line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong, and the fix where there is one.
        message: String,
    },
    /// A `--target` (or `SLEIPNIR_TARGET`) that is no URL and names no target.
    #[error("{0}")]
    Unknown(String),
    /// A value given to `target add` that a target cannot hold.
    #[error("{0}")]
    Invalid(String),
    /// The file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No config directory could be found (no `SLEIPNIR_CONFIG`, `XDG_CONFIG_HOME`, `HOME`
    /// or, on Windows, `APPDATA`).
    #[error("no config directory: set SLEIPNIR_CONFIG to the directory (or file) of targets.toml")]
    NoConfigDir,
    /// The password command failed; its output is never shown (it may hold the password).
    #[error("{0}")]
    PasswordCommand(String),
    /// The OS keyring is not available or refused.
    #[error("{0}")]
    Keyring(String),
}

impl TargetsError {
    /// The documented exit code: 1 when the OS keyring failed (`login`, `logout`), 2 for
    /// everything else (nothing was sent).
    pub fn exit_code(&self) -> u8 {
        match self {
            TargetsError::Keyring(_) => 1,
            _ => 2,
        }
    }
}

/// Whether `value` is a URL rather than a target's name: it holds `://`.
pub fn is_url(value: &str) -> bool {
    value.contains("://")
}

/// Whether `name` may name a target: letters, digits, `-`, `_` and `.`, not empty.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
