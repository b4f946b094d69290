//! The exit codes, in one table: each command's `--help` ends with its rows, and the README's
//! "Exit codes" section is the same table (a test compares them), so the two cannot disagree.

/// Every command.
const ALL: &[&str] = &[
    "plan", "apply", "rollback", "export", "check", "template", "sim", "report", "demo", "runs",
    "target", "login", "logout",
];

/// The commands that change users.
const RUNS: &[&str] = &["apply", "rollback"];

/// The commands that log in to Odin.
const ONLINE: &[&str] = &["plan", "apply", "rollback", "export", "check"];

/// One row: a code, the commands it is about, and what it means for them.
struct Row {
    code: u8,
    commands: &'static [&'static str],
    meaning: &'static str,
}

const fn row(code: u8, commands: &'static [&'static str], meaning: &'static str) -> Row {
    Row {
        code,
        commands,
        meaning,
    }
}

/// The exit codes of every command (DESIGN.md section 5), in the order they are listed.
const TABLE: &[Row] = &[
    row(
        0,
        RUNS,
        "every step applied or unchanged (or nothing to do, or the question answered no)",
    ),
    row(
        0,
        &["plan"],
        "the plan is valid and, with --target, every user was read",
    ),
    row(
        0,
        &["check"],
        "every request answered as expected (a /bulk read answering 404 is an answer: this \
         server does not serve it, and sleipnir reads those settings per user)",
    ),
    row(0, &["export"], "every selected user is in the file"),
    row(0, &["template", "sim", "report", "target"], "done"),
    row(
        0,
        &["login", "logout"],
        "the password is stored in (or removed from, or was not in) the OS keyring",
    ),
    row(
        0,
        &["runs"],
        "done (`runs verify`: the chain is whole and every run directory is there)",
    ),
    row(
        0,
        &["demo"],
        "the demo passed: every user changed as its sheet asks, then back exactly as before",
    ),
    row(
        1,
        RUNS,
        "some step failed, was skipped, compensated or drifted (see results.csv), the breaker \
         or the canary stopped the run, or a run file could not be written (the run stopped \
         starting users; --resume continues it once the file can be written)",
    ),
    row(1, &["plan"], "a user --target could not read"),
    row(
        1,
        &["check"],
        "some request failed or answered otherwise (an error status, an unexpected shape, no \
         answer, or a refused token answered with neither 401 nor 403)",
    ),
    row(
        1,
        &["export"],
        "some users could not be read (the others are in the file)",
    ),
    row(1, &["report"], "the report could not be written"),
    row(1, &["demo"], "a check of the demo failed"),
    row(
        1,
        &["runs"],
        "`runs verify` found a line that is not a run, a broken chain (a line edited, removed \
         or inserted) or a missing run directory",
    ),
    row(
        1,
        &["login", "logout"],
        "no OS keyring is available (a headless server without a Secret Service) or it \
         refused; no password is kept anywhere else",
    ),
    row(
        2,
        ALL,
        "invalid input or usage: a sheet, mapping, plan file or run directory with problems, \
         bad flags, no --yes off a terminal, an insecure target, a file that would be \
         overwritten, a simulator port in use, a run directory in use by another run or (for \
         a new run) already holding files, users that another unfinished run on the same \
         target is changing, a rollback, resume or plan file against a target \
         other than the one it recorded (without --other-target), a targets.toml that cannot \
         be read (its line named), a target name it does not hold, a production target not \
         named on the apply or rollback command line or not confirmed by its name (typed, or \
         --confirm-target NAME with --yes), a password_command that failed (nothing was sent)",
    ),
    row(
        2,
        &["export", "check"],
        "a group --group names that Odin does not know (the command stops at its first 404)",
    ),
    row(
        3,
        ONLINE,
        "target unreachable or not answering the login in time, a redirect (never followed), \
         a target that is not Odin's API (a 404 to the login), login refused, or the admin's \
         Odin password expired (nothing was changed)",
    ),
    row(
        4,
        &["apply", "rollback"],
        "not now: outside the maintenance window (--window, or the target's `window`), on a \
         frozen day, or within --window-cutoff of its close; or the target's daily request \
         budget (--budget) has no room for the run. The message says when it opens or frees; \
         nothing was sent (--wait-for-window waits for the window instead)",
    ),
    row(
        5,
        &["apply", "rollback"],
        "the window closed (less --window-cutoff) or the daily budget was reached during the \
         run: the users not started are `deferred` in results.csv, none failed; --resume DIR \
         continues them, inside the next window",
    ),
    row(
        130,
        RUNS,
        "interrupted by Ctrl-C (at a question too): users in flight finished, files \
         consistent; --resume DIR continues the run (a second Ctrl-C ends it at once); while \
         waiting for its window, nothing was sent",
    ),
    row(
        130,
        &["export"],
        "interrupted by Ctrl-C: nothing was written",
    ),
];

/// The width help text is wrapped to here, so that a terminal's wrapping keeps the indent.
const WIDTH: usize = 80;

/// The end of `sleipnir COMMAND --help`: `Exit codes:` and a paragraph per code of
/// `command`, its lines after the first indented under the meaning.
pub(super) fn help(command: &str) -> String {
    let mut text = String::from("Exit codes:");
    for row in TABLE.iter().filter(|row| row.commands.contains(&command)) {
        let mut line = format!("  {:<5}", row.code);
        for word in row.meaning.split(' ') {
            if line.trim_end().len() > 7 && line.len() + 1 + word.len() > WIDTH {
                text.push('\n');
                text.push_str(line.trim_end());
                line = " ".repeat(7);
            } else if line.trim_end().len() > 7 {
                line.push(' ');
            }
            line.push_str(word);
        }
        text.push('\n');
        text.push_str(&line);
    }
    text
}

/// The table as the README shows it, in Markdown.
#[cfg(test)]
fn markdown() -> String {
    let mut text = String::from("| code | commands | meaning |\n|---|---|---|\n");
    for row in TABLE {
        let commands = match row.commands == ALL {
            true => "every command".to_string(),
            false => row
                .commands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let meaning = quoted(row.meaning).replace("results.csv", "`results.csv`");
        text.push_str(&format!("| {} | {commands} | {meaning} |\n", row.code));
    }
    text
}

/// Flags in backticks: `--target`, `--resume DIR`.
#[cfg(test)]
fn quoted(meaning: &str) -> String {
    let mut out = String::new();
    let mut rest = meaning;
    while let Some(at) = rest.find("--") {
        out.push_str(&rest[..at]);
        let flag = &rest[at..];
        let end = flag[2..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(flag.len(), |end| end + 2);
        // `--resume DIR` keeps its argument inside the quotes.
        let end = match flag[end..].starts_with(" DIR") {
            true => end + 4,
            false => end,
        };
        out.push_str(&format!("`{}`", &flag[..end]));
        rest = &flag[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_shows_the_table_every_help_shows() {
        let readme = include_str!("../../README.md");
        let table = markdown();
        assert!(
            readme.contains(&table),
            "README's \"Exit codes\" should be:\n{table}"
        );
    }

    #[test]
    fn every_command_has_a_success_and_a_usage_code() {
        for command in ALL {
            let help = help(command);
            assert!(help.contains("\n  0    "), "{command}: {help}");
            assert!(help.contains("\n  2    invalid input"), "{command}: {help}");
        }
        assert!(help("check").contains("neither 401 nor 403"));
        assert!(!help("check").contains("\n  130"));
    }
}
