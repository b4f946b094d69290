//! Where a target's password comes from, in this order: `ODIN_PASSWORD`; the target's
//! `password_command`; the OS keyring (`sleipnir login TARGET`); else the CLI asks. A
//! password is held only as a [`Secret`] (zeroed when dropped, printed as `********`), and
//! never written to a file of sleipnir's.

use std::process::{Command, Stdio};

use super::{Origin, Target, TargetsError};
use crate::credentials::Secret;

/// Where the password was (or would be) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// The `ODIN_PASSWORD` environment variable.
    Env,
    /// The target's `password_command`, and where that is written.
    Command {
        /// The command as written.
        command: String,
        /// Its line in `targets.toml`.
        origin: Origin,
    },
    /// The OS keyring, stored by `sleipnir login`.
    Keyring,
    /// None of those: the password is asked for on the terminal.
    Prompt,
}

impl std::fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordSource::Env => f.write_str("ODIN_PASSWORD (environment)"),
            PasswordSource::Command { command, origin } => {
                write!(f, "password_command `{command}` ({origin})")
            }
            PasswordSource::Keyring => f.write_str("the OS keyring (stored by `sleipnir login`)"),
            PasswordSource::Prompt => f.write_str("a prompt on the terminal"),
        }
    }
}

/// `ODIN_PASSWORD`, when set and not empty.
fn from_env() -> Option<Secret> {
    std::env::var("ODIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

/// The password of `username` at `target` and where it came from: `ODIN_PASSWORD`, the
/// target's `password_command` (run now), the OS keyring; `None` when none holds one (the
/// CLI then asks). A keyring that is not available here is passed over: the other sources
/// keep working on a headless server.
pub fn find(
    target: &Target,
    username: &str,
) -> Result<Option<(Secret, PasswordSource)>, TargetsError> {
    if let Some(password) = from_env() {
        return Ok(Some((password, PasswordSource::Env)));
    }
    if let Some(command) = &target.password_command {
        let password = run_command(&command.value, target)?;
        let source = PasswordSource::Command {
            command: command.value.clone(),
            origin: command.origin.clone(),
        };
        return Ok(Some((password, source)));
    }
    match keyring::get(&target.keyring_key(), username) {
        Ok(Some(password)) => Ok(Some((password, PasswordSource::Keyring))),
        Ok(None) | Err(_) => Ok(None),
    }
}

/// Where the password of `username` (when known) at `target` would come from, without
/// running the command or showing a value: for `target show`. A keyring that cannot be
/// asked says why.
pub fn source(target: &Target, username: Option<&str>) -> String {
    if from_env().is_some() {
        return PasswordSource::Env.to_string();
    }
    if let Some(command) = &target.password_command {
        return PasswordSource::Command {
            command: command.value.clone(),
            origin: command.origin.clone(),
        }
        .to_string();
    }
    let Some(username) = username else {
        return format!(
            "{} (no user name yet: the keyring is asked once one is known)",
            PasswordSource::Prompt
        );
    };
    match keyring::get(&target.keyring_key(), username) {
        Ok(Some(_)) => PasswordSource::Keyring.to_string(),
        Ok(None) => format!(
            "{} (nothing stored in the OS keyring for `{username}`; `sleipnir login {}` stores it)",
            PasswordSource::Prompt,
            target.keyring_key()
        ),
        Err(_) => format!(
            "{} (no OS keyring can be asked here; `sleipnir login {}` says why)",
            PasswordSource::Prompt,
            target.keyring_key()
        ),
    }
}

/// Run `command` through the shell (`sh -c` on Unix, `cmd /C` on Windows), its standard
/// input and error the terminal's, and take its standard output, less one trailing line
/// end, as the password. A command that fails, prints nothing or prints what is not
/// UTF-8 is an error naming the command and its exit status, never its output.
pub fn run_command(command: &str, target: &Target) -> Result<Secret, TargetsError> {
    let mut shell = if cfg!(windows) {
        let mut cmd = Command::new("cmd");
        cmd.arg("/C");
        cmd
    } else {
        let mut cmd = Command::new("sh");
        cmd.arg("-c");
        cmd
    };
    let what = format!(
        "the password_command of target {} (`{command}`)",
        target.label()
    );
    let output = shell
        .arg(command)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| TargetsError::PasswordCommand(format!("{what} could not be started: {e}")))?;
    // Held as a secret from here: the bytes are the password, or hold it.
    let stdout = zeroize::Zeroizing::new(output.stdout);
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        return Err(TargetsError::PasswordCommand(format!(
            "{what} failed ({status}); its output is not shown"
        )));
    }
    let text = std::str::from_utf8(&stdout).map_err(|_| {
        TargetsError::PasswordCommand(format!(
            "{what} printed what is not UTF-8 text; its output is not shown"
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(TargetsError::PasswordCommand(format!(
            "{what} printed nothing: its standard output is taken as the password"
        )));
    }
    Ok(Secret::new(text.to_string()))
}

/// The OS keyring: entries of service `sleipnir:TARGET` (the target's name, or its URL)
/// and the Odin user name as the account. Where no keyring is available (a headless Linux
/// server without a Secret Service), every call says so: nothing falls back to a file.
pub mod keyring {
    use super::{Secret, TargetsError};

    fn service(key: &str) -> String {
        format!("sleipnir:{key}")
    }

    #[cfg(any(unix, windows))]
    fn entry(key: &str, username: &str) -> Result<::keyring::Entry, TargetsError> {
        ::keyring::Entry::new(&service(key), username).map_err(unavailable)
    }

    #[cfg(any(unix, windows))]
    fn unavailable(error: ::keyring::Error) -> TargetsError {
        use ::keyring::Error as E;
        let why = match &error {
            E::PlatformFailure(_) | E::NoStorageAccess(_) => format!(
                "no OS keyring is available here ({error}){}",
                if cfg!(any(target_os = "macos", windows)) {
                    ""
                } else {
                    "; on Linux the keyring is a Secret Service (GNOME Keyring, KWallet) on \
                     the D-Bus session bus, which headless servers usually lack"
                }
            ),
            other => format!("the OS keyring refused: {other}"),
        };
        TargetsError::Keyring(format!(
            "{why}. sleipnir keeps no password in a file: use ODIN_PASSWORD, the target's \
             password_command, or type it when asked"
        ))
    }

    /// The password stored for `username` at target `key`; `None` when none is.
    #[cfg(any(unix, windows))]
    pub fn get(key: &str, username: &str) -> Result<Option<Secret>, TargetsError> {
        match entry(key, username)?.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(::keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Store `password` for `username` at target `key`, replacing what was.
    #[cfg(any(unix, windows))]
    pub fn store(key: &str, username: &str, password: &Secret) -> Result<(), TargetsError> {
        entry(key, username)?
            .set_password(password.expose())
            .map_err(unavailable)
    }

    /// Remove the password of `username` at target `key`; whether there was one.
    #[cfg(any(unix, windows))]
    pub fn delete(key: &str, username: &str) -> Result<bool, TargetsError> {
        match entry(key, username)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(::keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(unavailable(error)),
        }
    }

    #[cfg(not(any(unix, windows)))]
    fn none() -> TargetsError {
        TargetsError::Keyring(
            "no OS keyring is supported on this platform. sleipnir keeps no password in a \
             file: use ODIN_PASSWORD, the target's password_command, or type it when asked"
                .into(),
        )
    }

    /// The password stored for `username` at target `key`; `None` when none is.
    #[cfg(not(any(unix, windows)))]
    pub fn get(_key: &str, _username: &str) -> Result<Option<Secret>, TargetsError> {
        Err(none())
    }

    /// Store `password` for `username` at target `key`, replacing what was.
    #[cfg(not(any(unix, windows)))]
    pub fn store(_key: &str, _username: &str, _password: &Secret) -> Result<(), TargetsError> {
        Err(none())
    }

    /// Remove the password of `username` at target `key`; whether there was one.
    #[cfg(not(any(unix, windows)))]
    pub fn delete(_key: &str, _username: &str) -> Result<bool, TargetsError> {
        Err(none())
    }
}
