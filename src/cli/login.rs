//! `sleipnir login TARGET` and `sleipnir logout TARGET`: a target's password in the OS
//! keyring. Where none is available (a headless Linux server without a Secret Service),
//! they say so and fail: sleipnir keeps no password in a file of its own.

use std::io::{BufRead, IsTerminal};

use super::{Notes, print};
use crate::credentials::Secret;
use crate::error::Error;
use crate::targets::password::keyring;
use crate::targets::resolve::resolve;
use crate::targets::{Target, TargetsFile};

/// Flags of `sleipnir login`.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// A target's name in targets.toml, or a URL.
    pub target: String,
    /// Read the password from the first line of standard input instead of asking on the
    /// terminal (for scripts; it is never taken from a flag).
    #[arg(long)]
    pub password_stdin: bool,
}

/// Flags of `sleipnir logout`.
#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// A target's name in targets.toml, or a URL.
    pub target: String,
}

fn target(name: &str) -> Result<Target, Error> {
    let file = TargetsFile::load_default()?;
    resolve(Some((name, "the command line")), false, &file)?
        .ok_or_else(|| Error::Usage("name a target".into()))
}

/// Store the password of the target's user (ODIN_USERNAME, else its `username`) in the OS
/// keyring.
pub(super) fn login(args: LoginArgs, _notes: &Notes) -> Result<u8, Error> {
    let target = target(&args.target)?;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let username = super::target::username(Some(&target), interactive && !args.password_stdin)?;
    let password = if args.password_stdin {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(Error::io("read the password from standard input"))?;
        let text = line.strip_suffix('\n').unwrap_or(&line);
        Secret::new(text.strip_suffix('\r').unwrap_or(text).to_string())
    } else if interactive {
        Secret::new(
            rpassword::prompt_password(format!(
                "Odin password for {username} at {}: ",
                target.label()
            ))
            .map_err(Error::io("read the password"))?,
        )
    } else {
        return Err(Error::Usage(
            "login asks for the password on a terminal; elsewhere pass --password-stdin".into(),
        ));
    };
    if password.expose().is_empty() {
        return Err(Error::Usage("an empty password is not stored".into()));
    }
    keyring::store(&target.keyring_key(), &username, &password)?;
    print(&format!(
        "stored the password of `{username}` for target {} in the OS keyring\n",
        target.label()
    ))?;
    Ok(0)
}

/// Remove the password of the target's user from the OS keyring.
pub(super) fn logout(args: LogoutArgs, _notes: &Notes) -> Result<u8, Error> {
    let target = target(&args.target)?;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let username = super::target::username(Some(&target), interactive)?;
    let text = match keyring::delete(&target.keyring_key(), &username)? {
        true => format!(
            "removed the password of `{username}` for target {} from the OS keyring\n",
            target.label()
        ),
        false => format!(
            "no password of `{username}` for target {} was in the OS keyring\n",
            target.label()
        ),
    };
    print(&text)?;
    Ok(0)
}
