//! Where Odin is, how hard to press it, and how to log in: shared by `apply`, `rollback`
//! and `plan --target`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use super::Notes;
use crate::credentials::Secret;
use crate::error::Error;
use crate::odin::{ClientConfig, Credentials, OdinClient};
use crate::targets::{Origin, Target, TargetsFile};

/// Where Odin is and how hard to press it: every command that logs in (`apply`,
/// `rollback`, `check`, `export`, `plan --target`).
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// The target: a name in targets.toml, or the Odin API base URL, e.g.
    /// https://odin.example.net/api/v2 (a value with :// is a URL) [env: SLEIPNIR_TARGET,
    /// then ODIN_URL]
    #[arg(long, value_name = "NAME|URL")]
    pub target: Option<String>,
    /// Requests per second, every request counted (reads, writes, logins) [default: the
    /// target's `rate`, else 5].
    #[arg(long, value_name = "N", value_parser = positive)]
    pub rate: Option<f64>,
    /// Retries of a request that failed in a way worth retrying.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
    /// Time allowed for one request's answer, in seconds; past it the request is tried
    /// again (up to --retries; not the first login) or fails, naming the request.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Allow an http:// target that is not on this machine (the password would travel in clear).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Why this command is run (e.g. a change ticket), recorded in the history
    /// (`sleipnir runs`).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The target resolved by [`TargetArgs::checked_target`].
    #[arg(skip)]
    pub resolved: Option<Target>,
    /// A run's share of the target's daily request budget: every request takes one.
    #[arg(skip)]
    pub allowance: Option<Arc<dyn crate::odin::Allowance>>,
}

/// `--rate`'s default where neither the flag nor the target gives one.
pub(super) const DEFAULT_RATE: f64 = 5.0;

/// The help of `plan`'s `--target`, which never comes from `ODIN_URL`.
pub(super) const PLAN_TARGET_HELP: &str = "Read each user's live values from the target (a \
    name in targets.toml, or the Odin API base URL, e.g. https://odin.example.net/api/v2) and \
    show before → after; nothing is written, and the plan file records the before-values and \
    the target, so applying it detects drift. ODIN_URL alone never makes plan read Odin, nor \
    does SLEIPNIR_TARGET";

/// How many users at once, and how long Odin may ask to wait: the commands that read or
/// change many users (`apply`, `rollback`, `export`, `plan --target`).
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Users handled at once [default: the target's `concurrency`, else 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: Option<u16>,
    /// The longest pause Odin may ask for (Retry-After), in seconds; a request that would
    /// wait longer is held back (apply and rollback then start no new user, and --resume
    /// continues them).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_MAX_WAIT, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_wait: u64,
}

/// `--max-wait`'s default, and the bound of commands without it (`check`).
pub(super) const DEFAULT_MAX_WAIT: u64 = 600;

impl LoadArgs {
    /// `--concurrency`, else the target's `concurrency`, else 4.
    pub(super) fn concurrency(&self, odin: &TargetArgs) -> usize {
        let target = odin.resolved.as_ref().and_then(|t| t.concurrency.as_ref());
        usize::from(self.concurrency.or(target.map(|c| c.value)).unwrap_or(4))
    }

    /// `--max-wait` as a duration.
    pub(super) fn max_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.max_wait)
    }
}

impl TargetArgs {
    /// The checked target's URL: `--target` (a name in targets.toml or a URL), else (with
    /// `from_env`) `SLEIPNIR_TARGET`, else `ODIN_URL`; the whole target is kept in
    /// [`TargetArgs::resolved`]. A URL needs no targets.toml; a name does.
    pub(super) fn checked_target(&mut self, from_env: bool) -> Result<Option<String>, Error> {
        let given = self.target.as_deref().map(|t| (t, "--target"));
        // The file is read only when a name must be looked up or a URL may be one of its
        // targets; a malformed file is an error either way (it names the line).
        let wanted = given.is_some()
            || (from_env
                && ["SLEIPNIR_TARGET", "ODIN_URL"]
                    .iter()
                    .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty())));
        if !wanted {
            return Ok(None);
        }
        // No config directory at all (no HOME): raw URLs still work; a name is refused
        // saying so.
        let file = match TargetsFile::load_default() {
            Err(crate::targets::TargetsError::NoConfigDir) => TargetsFile::default(),
            other => other?,
        };
        let Some(target) = crate::targets::resolve::resolve(given, from_env, &file)? else {
            return Ok(None);
        };
        check_target(&target.url.value, self.allow_insecure_http)?;
        let url = target.url.value.clone();
        self.resolved = Some(target);
        Ok(Some(url))
    }

    /// Where the target came from, for messages: `--target`, `SLEIPNIR_TARGET` or
    /// `ODIN_URL`.
    pub(super) fn origin(&self) -> String {
        match self.resolved.as_ref().map(|t| &t.selected_by) {
            Some(Origin::Env(var)) => (*var).to_string(),
            Some(other) => other.to_string(),
            None => "--target".to_string(),
        }
    }

    /// `--rate`, else the target's `rate`, else 5.
    pub(super) fn rate(&self) -> f64 {
        let target = self.resolved.as_ref().and_then(|t| t.rate.as_ref());
        self.rate
            .or(target.map(|r| r.value))
            .unwrap_or(DEFAULT_RATE)
    }

    /// Log in to `target` (credentials from the environment or a prompt) on a new runtime;
    /// a pause Odin asks for longer than `max_wait` is not waited out, and a request that
    /// waits long for its answer is told through `notes`.
    pub(super) fn connect(
        &self,
        target: &str,
        max_wait: Duration,
        notes: &Notes,
    ) -> Result<(tokio::runtime::Runtime, Arc<OdinClient>), Error> {
        // A target that requires a reason refuses before the password is asked for.
        notes
            .history
            .target(target, self.resolved.as_ref(), self.reason.as_deref())?;
        self.connect_as(
            target,
            credentials(self.resolved.as_ref())?,
            max_wait,
            notes,
        )
    }

    /// Log in to `target` with `credentials` (see [`credentials`]) on a new runtime.
    pub(super) fn connect_as(
        &self,
        target: &str,
        credentials: Credentials,
        max_wait: Duration,
        notes: &Notes,
    ) -> Result<(tokio::runtime::Runtime, Arc<OdinClient>), Error> {
        notes
            .history
            .target(target, self.resolved.as_ref(), self.reason.as_deref())?;
        notes.history.odin_user(&credentials.username);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::io("start the async runtime"))?;
        let config = ClientConfig {
            rate: self.rate(),
            retries: self.retries,
            max_wait,
            request_timeout: Duration::from_secs(self.timeout),
            watch: Some(notes.waits.watch(Duration::from_secs(self.timeout))),
            allowance: self.allowance.clone(),
            ..ClientConfig::new(target)
        };
        let client = runtime.block_on(OdinClient::connect(config, credentials))?;
        Ok((runtime, Arc::new(client)))
    }
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

/// `target` as it may be shown: a user name or password in it (`https://user:pw@host`)
/// replaced by `…`, so that no message repeats it.
pub(super) fn shown(target: &str) -> String {
    let Some((scheme, rest)) = target.split_once("://") else {
        return target.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => target.to_string(),
    }
}

/// The refusal of a target with a login in it, which it does not repeat.
fn login_in_target(target: &str) -> Error {
    Error::Usage(format!(
        "`{}`: the target holds a user name or password; give the URL without them and \
         set ODIN_USERNAME and ODIN_PASSWORD (or be asked for the password)",
        shown(target)
    ))
}

/// `https://` anywhere; `http://` only to this machine unless explicitly allowed; never a
/// user name or password in the URL (it would be sent as a second, Basic, credential and
/// printed wherever the target is).
pub(super) fn check_target(target: &str, allow_insecure_http: bool) -> Result<(), Error> {
    // Told before parsing: a login with characters a URL cannot hold makes it unparseable.
    if shown(target) != target {
        return Err(login_in_target(target));
    }
    let url = reqwest::Url::parse(target).map_err(|e| {
        Error::Usage(format!(
            "`{}` is not a URL ({e}); e.g. https://odin.example.net/api/v2",
            shown(target)
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(login_in_target(target));
    }
    // Every request's path is added to the target: a query or fragment in it would end up
    // inside each path (and a token in it in the history).
    if url.query().is_some() || url.fragment().is_some() || target.contains(['?', '#']) {
        return Err(Error::Usage(
            "the target holds a query or fragment (`?…`, `#…`); give the API's base URL only, \
             e.g. https://odin.example.net/api/v2"
                .to_string(),
        ));
    }
    let target = &shown(target);
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = url.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback || allow_insecure_http {
                Ok(())
            } else {
                Err(Error::Usage(format!(
                    "`{target}` is plain http to another machine: the password would travel in clear; \
                     use https, or pass --allow-insecure-http"
                )))
            }
        }
        other => Err(Error::Usage(format!(
            "`{target}`: unsupported scheme `{other}`; use https"
        ))),
    }
}

/// Whether `a` and `b` name the same Odin (see [`crate::targets::resolve::same_url`]).
pub(super) fn same_target(a: &str, b: &str) -> bool {
    crate::targets::resolve::same_url(a, b)
}

/// The login for `target`: the user name from `ODIN_USERNAME`, else the target's
/// `username`; the password from `ODIN_PASSWORD`, else the target's `password_command`,
/// else the OS keyring (see [`crate::targets::password`]); what is still missing is asked
/// for on a terminal. The password is never taken from a flag, echoed, printed or logged.
pub(super) fn credentials(target: Option<&Target>) -> Result<Credentials, Error> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let username = username(target, interactive)?;
    let found = match target {
        Some(target) => crate::targets::password::find(target, &username)?.map(|(p, _)| p),
        None => std::env::var("ODIN_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Secret::new),
    };
    let password = match found {
        Some(password) => password,
        None if interactive => Secret::new(
            rpassword::prompt_password(format!("Odin password for {username}: "))
                .map_err(Error::io("read the password"))?,
        ),
        None => {
            let named = target.and_then(|t| t.name.as_deref()).map(|name| {
                format!(
                    "; or give target `{name}` a password_command, or store it with \
                     `sleipnir login {name}`"
                )
            });
            return Err(Error::Usage(format!(
                "set ODIN_PASSWORD to log in to Odin (it is never taken from a flag){}",
                named.unwrap_or_default()
            )));
        }
    };
    Ok(Credentials::new(username, password.expose()))
}

/// `ODIN_USERNAME`, else the target's `username`, else asked on a terminal.
pub(super) fn username(target: Option<&Target>, interactive: bool) -> Result<String, Error> {
    let known = std::env::var("ODIN_USERNAME")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| {
            target
                .and_then(|t| t.username.as_ref())
                .map(|u| u.value.clone())
        });
    match known {
        Some(name) => Ok(name),
        None if interactive => {
            super::say("Odin user name: ");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(Error::io("read the user name"))?;
            Ok(line.trim().to_string())
        }
        None => Err(Error::Usage(
            "set ODIN_USERNAME (or the target's `username` in targets.toml) to log in to Odin"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_with_a_login_in_it_is_refused_without_repeating_it() {
        for target in [
            "https://admin:s3cret-marker@odin.example.net/api/v2",
            "https://admin@odin.example.net/api/v2",
            "http://admin:s3cret-marker@127.0.0.1:8080/api/v2",
            "https://admin:s3cret-marker@odin.example.net:notaport/api/v2",
        ] {
            let Err(Error::Usage(message)) = check_target(target, false) else {
                panic!("{target} accepted");
            };
            assert!(
                !message.contains("s3cret") && !message.contains("admin"),
                "{message}"
            );
        }
        // An `@` in a query is no login, and a query is refused for what it is.
        for target in [
            "https://odin.example.net/api/v2?a=b@c",
            "https://odin.example.net/api/v2?token=s3cret-marker",
            "https://odin.example.net/api/v2#x",
            "https://odin.example.net/api/v2?",
        ] {
            let Err(Error::Usage(message)) = check_target(target, false) else {
                panic!("{target} accepted");
            };
            assert!(message.contains("holds a query or fragment"), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
        assert_eq!(shown("https://u:p@h/api/v2@x"), "https://…@h/api/v2@x");
    }

    #[test]
    fn targets_compare_as_urls() {
        let a = "https://odin.example.net/api/v2";
        for same in [
            "https://odin.example.net/api/v2/",
            "HTTPS://Odin.Example.NET/api/v2",
            "https://odin.example.net:443/api/v2",
            " https://odin.example.net/api/v2// ",
        ] {
            assert!(same_target(a, same), "{same}");
        }
        for other in [
            "http://odin.example.net/api/v2",
            "https://odin.example.net:8443/api/v2",
            "https://odin2.example.net/api/v2",
            "https://odin.example.net/api/v1",
            "https://odin.example.net/API/v2",
        ] {
            assert!(!same_target(a, other), "{other}");
        }
        assert!(same_target(
            "http://127.0.0.1:8080/api/v2",
            "http://127.0.0.1:8080/api/v2/"
        ));
        assert!(!same_target(
            "http://127.0.0.1:8080/api/v2",
            "http://127.0.0.1:8081/api/v2"
        ));
    }
}
