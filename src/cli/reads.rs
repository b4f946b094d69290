//! What long reads will take, said before they start: `export`'s per-user reads of a group
//! and `plan --target`'s reads of the live values, in requests and in time at `--rate`.

use crate::plan::Plan;

/// Per-user reads worth announcing (they take [`LONG_READS`] or more at `rate`): `group
/// ent/grp01: 2,000 users read one by one, 2,000 requests: 6 min 40 s at --rate 5`.
pub(super) fn per_user(unit: &str, users: usize, requests: u64, rate: f64) -> Option<String> {
    let seconds = requests as f64 / rate;
    (seconds >= LONG_READS).then(|| {
        format!(
            "{unit}: {} read one by one, {} {}: {} at --rate {rate}",
            crate::text::counted(users, "user", "users"),
            crate::text::thousands(requests),
            if requests == 1 { "request" } else { "requests" },
            super::render::duration(seconds)
        )
    })
}

/// Reads that take at least this long at `--rate`, in seconds, are announced.
const LONG_READS: f64 = 10.0;

/// What reading the live values of `plan`'s users takes at most, when that is long at
/// `rate`: one read per user and resource its steps touch (credentials are write-only);
/// group reads make it fewer where Odin serves them.
pub(super) fn live_values(plan: &Plan, rate: f64) -> Option<String> {
    let requests: u64 = plan
        .users
        .iter()
        .map(|user| {
            let resources: std::collections::BTreeSet<_> = user
                .steps
                .iter()
                .map(|step| step.resource())
                .filter(|r| *r != crate::resource::Resource::Credentials)
                .collect();
            resources.len() as u64
        })
        .sum();
    let seconds = requests as f64 / rate;
    (seconds >= LONG_READS).then(|| {
        format!(
            "reading the live values of {}: up to {} requests, {} at --rate {rate} (fewer \
             where group reads serve them)",
            crate::text::counted(plan.users.len(), "user", "users"),
            crate::text::thousands(requests),
            super::render::duration(seconds)
        )
    })
}

/// A progress bar with an ETA for reading `users` users' live values, on a terminal and
/// without `-q`; `None` otherwise (the reads are announced by [`live_values`] when long).
pub(super) fn bar(users: usize, notes: &super::Notes) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (std::io::stderr().is_terminal() && !notes.quiet).then(|| {
        let bar = indicatif::ProgressBar::new(users as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} users read  ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        notes.waits.above(&bar);
        bar
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_per_user_reads_are_announced_with_their_time_at_the_rate() {
        assert_eq!(
            super::per_user("group ent/grp01", 2000, 2000, 5.0).as_deref(),
            Some(
                "group ent/grp01: 2,000 users read one by one, 2,000 requests: 6 min 40 s at --rate 5"
            )
        );
        assert_eq!(super::per_user("group ent/grp01", 40, 40, 5.0), None);
    }
}
