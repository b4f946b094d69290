//! Where Odin is, how hard to press it, and how to log in: shared by `apply`, `rollback`
//! and `plan --target`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use super::Notes;
use crate::error::Error;
use crate::odin::{ClientConfig, Credentials, OdinClient};

/// Where Odin is and how hard to press it: every command that logs in (`apply`,
/// `rollback`, `check`, `export`, `plan --target`).
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// The Odin API base URL, e.g. https://odin.example.net/api/v2 [env: ODIN_URL]
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Requests per second, every request counted (reads, writes, logins).
    #[arg(long, value_name = "N", default_value_t = 5.0, value_parser = positive)]
    pub rate: f64,
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
}

/// The help of `plan`'s `--target`, which never comes from `ODIN_URL`.
pub(super) const PLAN_TARGET_HELP: &str = "Read each user's live values from the Odin API at \
    URL (e.g. https://odin.example.net/api/v2) and show before → after; nothing is written, \
    and the plan file records the before-values, so applying it detects drift. ODIN_URL alone \
    never makes plan read Odin";

/// How many users at once, and how long Odin may ask to wait: the commands that read or
/// change many users (`apply`, `rollback`, `export`, `plan --target`).
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Users handled at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// The longest pause Odin may ask for (Retry-After), in seconds; a request that would
    /// wait longer is held back (apply and rollback then start no new user, and --resume
    /// continues them).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_MAX_WAIT, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_wait: u64,
}

/// `--max-wait`'s default, and the bound of commands without it (`check`).
pub(super) const DEFAULT_MAX_WAIT: u64 = 600;

impl LoadArgs {
    /// `--max-wait` as a duration.
    pub(super) fn max_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.max_wait)
    }
}

impl TargetArgs {
    /// The checked target: `--target`, else (with `from_env`) `ODIN_URL`.
    pub(super) fn checked_target(&self, from_env: bool) -> Result<Option<String>, Error> {
        let target = self.target.clone().or_else(|| {
            from_env
                .then(|| std::env::var("ODIN_URL").ok().filter(|u| !u.is_empty()))
                .flatten()
        });
        if let Some(target) = &target {
            check_target(target, self.allow_insecure_http)?;
        }
        Ok(target)
    }

    /// Where the target came from, for messages: `--target` or `ODIN_URL`.
    pub(super) fn origin(&self) -> &'static str {
        match self.target {
            Some(_) => "--target",
            None => "ODIN_URL",
        }
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
        self.connect_as(target, credentials()?, max_wait, notes)
    }

    /// Log in to `target` with `credentials` (see [`credentials`]) on a new runtime.
    pub(super) fn connect_as(
        &self,
        target: &str,
        credentials: Credentials,
        max_wait: Duration,
        notes: &Notes,
    ) -> Result<(tokio::runtime::Runtime, Arc<OdinClient>), Error> {
        notes.history.target(target, self.reason.as_deref())?;
        notes.history.odin_user(&credentials.username);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::io("start the async runtime"))?;
        let config = ClientConfig {
            rate: self.rate,
            retries: self.retries,
            max_wait,
            request_timeout: Duration::from_secs(self.timeout),
            watch: Some(notes.waits.watch(Duration::from_secs(self.timeout))),
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
fn check_target(target: &str, allow_insecure_http: bool) -> Result<(), Error> {
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

/// Whether `a` and `b` name the same Odin: compared as URLs, with the scheme and host in any
/// case, the scheme's default port written or not, and trailing slashes of the path left
/// out (`HTTPS://Odin.example.net:443/api/v2/` is `https://odin.example.net/api/v2`). Text
/// that is not a URL compares as written, but for trailing slashes.
pub(super) fn same_target(a: &str, b: &str) -> bool {
    target_key(a) == target_key(b)
}

/// `target` as [`same_target`] compares it: equal for URLs that name the same Odin.
pub(super) fn target_key(target: &str) -> String {
    let normal = |text: &str| match reqwest::Url::parse(text.trim()) {
        Ok(url) => format!(
            "{}://{}:{}{}{}",
            url.scheme(),
            url.host_str().unwrap_or_default().trim_end_matches('.'),
            url.port_or_known_default().unwrap_or_default(),
            url.path().trim_end_matches('/'),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        ),
        Err(_) => text.trim().trim_end_matches('/').to_string(),
    };
    normal(target)
}

/// `ODIN_USERNAME` and `ODIN_PASSWORD`, or a prompt for what is missing when on a terminal.
/// The password is never taken from a flag, echoed, printed or logged.
pub(super) fn credentials() -> Result<Credentials, Error> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let username = match std::env::var("ODIN_USERNAME")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(name) => name,
        None if interactive => {
            super::say("Odin user name: ");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(Error::io("read the user name"))?;
            line.trim().to_string()
        }
        None => {
            return Err(Error::Usage(
                "set ODIN_USERNAME (and ODIN_PASSWORD) to log in to Odin".into(),
            ));
        }
    };
    let password = match std::env::var("ODIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        Some(password) => password,
        None if interactive => {
            rpassword::prompt_password(format!("Odin password for {username}: "))
                .map_err(Error::io("read the password"))?
        }
        None => {
            return Err(Error::Usage(
                "set ODIN_PASSWORD to log in to Odin (it is never taken from a flag)".into(),
            ));
        }
    };
    Ok(Credentials::new(username, password))
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
        assert!(check_target("https://odin.example.net/api/v2?a=b@c", false).is_ok());
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
