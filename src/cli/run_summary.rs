//! The closing summary of an apply or rollback run: the sheet and worksheet applied, users by
//! outcome and steps by status (each line says which it counts), requests (each attempt's
//! of a resumed run, with its own time and rate) and by kind, where the
//! run files are, and what to do next (undo, continue with `--resume`, retry `failed.jsonl`).

use std::path::Path;

use crate::apply::Summary;
use crate::rundir::Status;
use crate::text::thousands;

/// The closing summary of a run; `target` is named in the rollback hint.
pub(super) fn summary_text(summary: &Summary, dir: &Path, target: &str) -> String {
    let s = &summary.steps;
    let ended = match (&summary.stopped_by, summary.interrupted) {
        (Some(reason), _) => format!("stopped ({reason})"),
        (None, true) => "stopped (interrupted)".to_string(),
        (None, false) if summary.deferred_by.is_some() => {
            "stopped starting users (the rest deferred)".to_string()
        }
        (None, false) => "finished".to_string(),
    };
    // A resumed run's time is every attempt's, as its requests are.
    let over = match summary.attempts.len() {
        0 | 1 => String::new(),
        n => format!(" over {n} attempts"),
    };
    let mut text = format!(
        "{ended} in {:.1} s{over}: {}\n",
        summary.wall_seconds,
        super::render::source_text(&summary.source)
    );
    let users: Vec<String> = summary
        .users_by_outcome
        .named()
        .iter()
        // Deferred users are named only in runs that have some (windows, budgets).
        .filter(|(name, n)| *n > 0 || *name != Status::Deferred.name())
        .map(|(name, n)| format!("{} {name}", thousands(*n as u64)))
        .collect();
    text.push_str(&format!(
        "  {:<12}{:>7}  ({})\n",
        "users",
        thousands(summary.users as u64),
        users.join(", ")
    ));
    let steps: Vec<String> = Status::ALL
        .into_iter()
        .filter(|status| *status != Status::Deferred || s.deferred > 0)
        .map(|status| format!("{} {}", thousands(s.get(status) as u64), status.name()))
        .collect();
    text.push_str(&format!(
        "  {:<12}{:>7}  ({})\n",
        "steps",
        thousands(s.total() as u64),
        steps.join(", ")
    ));
    text.push_str(&format!(
        "  {:<12}{:>7}  ({:.1}/s, {} retries, {} answered 429)\n",
        "requests",
        summary.requests.requests,
        summary.request_rate,
        summary.requests.retries,
        summary.requests.throttled,
    ));
    if summary.attempts.len() > 1 {
        for (n, attempt) in summary.attempts.iter().enumerate() {
            text.push_str(&format!(
                "  {:<12}{:>7}  ({:.1}/s over {:.1} s)\n",
                format!("attempt {}", n + 1),
                attempt.requests.requests,
                attempt.request_rate,
                attempt.wall_seconds,
            ));
        }
    }
    let r = &summary.requests;
    let count = |n: u64, noun: &str| crate::text::count(n as usize, noun);
    let group_writes = match r.group_writes {
        0 => String::new(),
        n => format!(", {}", count(n, "group write")),
    };
    text.push_str(&format!(
        "  {:<12}{}, {}, {}, {}{group_writes}, {}; {:.2} per user\n",
        "by kind",
        count(r.group_reads, "group read"),
        count(r.user_reads, "user read"),
        count(r.writes, "write"),
        count(r.bulk_writes, "bulk write"),
        count(r.logins, "login"),
        summary.requests_per_user,
    ));
    text.push_str(&format!(
        "run files in `{}` (results.csv, rollback.jsonl, failed.jsonl, journal.jsonl, summary.json, run.log)\n",
        dir.display()
    ));
    if s.applied > 0 {
        text.push_str(&format!(
            "undo it with: sleipnir rollback {} --target {target}\n",
            dir.display()
        ));
    }
    if let Some(why) = &summary.deferred_by {
        text.push_str(&format!(
            "deferred {} (not started, not failed): {why}\n",
            crate::text::count(summary.users_by_outcome.deferred, "user")
        ));
    }
    let generated = crate::rundir::RunFiles::new(dir)
        .generated_credentials()
        .is_some();
    let resumable = summary.interrupted || summary.resumable;
    let unwritten = summary
        .stopped_by
        .as_deref()
        .is_some_and(|reason| reason.starts_with(crate::apply::UNWRITTEN));
    if generated && s.done() < s.total() {
        // Some generated values were never set: handing them out would lock users out.
        text.push_str(
            "credentials.csv also holds values of users whose credentials step is not \
             `applied` in results.csv: hand out only the applied ones (a resumed run sends \
             the same values, and they are handed out then)\n",
        );
    }
    if resumable {
        // Paused by Odin: going on at once, at the same rate, meets the same answer.
        // A redirect (never followed) pauses a run too: its message is the one that stopped it.
        let redirected = summary
            .stopped_by
            .as_deref()
            .is_some_and(|why| why.contains(", a redirect to `"));
        let when = if summary.interrupted {
            ""
        } else if let Some(why) = &summary.deferred_by {
            match crate::rundir::deferred_by_budget(why) {
                true => " once the daily budget has room",
                false => " inside the next window",
            }
        } else if unwritten {
            " once its files can be written again (free space on the disk, or fix the \
             directory's permissions)"
        } else if redirected {
            " once the target answers itself again, not with a redirect"
        } else {
            " once the pause Odin asked for is over (a lower --rate meets fewer 429s)"
        };
        text.push_str(&format!(
            "continue it{when} with: {} --target {target}\n",
            summary.source.resume_command(dir)
        ));
    }
    let failed = s.done() + s.skipped + s.deferred < s.total();
    // A run that could not keep its files continues with --resume: its failed.jsonl may
    // lack users.
    if !unwritten && (failed || (s.done() < s.total() && !resumable)) {
        text.push_str(&format!(
            "after fixing the cause, apply the rest with: sleipnir apply {}{} --target {target}\n",
            dir.join("failed.jsonl").display(),
            credentials_flag(summary, dir)
        ));
    }
    text
}

/// ` --credentials SHEET` when the run's `failed.jsonl` holds credentials steps (plan files
/// never hold their values; the sheet they were made from does).
fn credentials_flag(summary: &Summary, dir: &Path) -> String {
    if crate::rundir::RunFiles::new(dir).failed_sets_credentials() {
        format!(
            " --credentials {}",
            crate::text::shell_word(crate::rundir::original_sheet(&summary.source.source))
        )
    } else {
        String::new()
    }
}
