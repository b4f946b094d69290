//! What a run shows while it goes: a progress bar on a terminal, a plain line every few
//! seconds elsewhere, nothing with `-q`; and after a canary, its users' results and the
//! question whether to go on.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use super::interrupt::{Answer, Interrupt};
use super::{Notes, print};
use crate::apply::{self, Decision, Progress};
use crate::rundir::StepResult;

/// A progress bar on a terminal; a plain line every few seconds otherwise; nothing with -q.
/// After a canary, it shows the canary users' results and asks whether to go on.
pub(super) struct Display<'a> {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    last_line: Instant,
    yes: bool,
    interrupt: &'a Interrupt,
}

impl apply::Observer for Display<'_> {
    fn progress(&mut self, progress: &Progress) {
        self.update(progress);
    }

    fn canary(&mut self, results: &[StepResult], progress: &Progress) -> Decision {
        let text = canary_text(results, progress.users_total - progress.users_done);
        let ask = |text: &str| -> Decision {
            let _ = print(text);
            if self.yes {
                return Decision::GoOn;
            }
            match self.interrupt.ask("go on with the other users? [y/N] ") {
                Ok(Answer::Yes) => Decision::GoOn,
                Ok(Answer::No) | Err(_) => Decision::Stop,
                Ok(Answer::Interrupted) => Decision::Interrupted,
            }
        };
        match &self.bar {
            Some(bar) => bar.suspend(|| ask(&text)),
            None => ask(&text),
        }
    }
}

/// The canary users' results, a line per user: each step's resource and status, and the
/// message of any step not applied or unchanged.
fn canary_text(results: &[StepResult], remaining: usize) -> String {
    let mut users: Vec<(&str, Vec<&StepResult>)> = Vec::new();
    for result in results {
        match users.iter_mut().find(|(id, _)| *id == result.user_id) {
            Some((_, steps)) => steps.push(result),
            None => users.push((&result.user_id, vec![result])),
        }
    }
    let mut text = format!(
        "canary: {} done, {remaining} to go\n",
        crate::text::count(users.len(), "user")
    );
    for (user, steps) in users {
        let states: Vec<String> = steps
            .iter()
            .map(|s| format!("{} {}", s.resource, s.status.name()))
            .collect();
        text.push_str(&format!("  {user}: {}\n", states.join(", ")));
        for step in steps.iter().filter(|s| !s.message.is_empty()) {
            text.push_str(&format!("      {}: {}\n", step.resource, step.message));
        }
    }
    text
}

impl<'a> Display<'a> {
    pub fn new(users: usize, yes: bool, interrupt: &'a Interrupt, notes: &Notes) -> Display<'a> {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !notes.quiet).then(|| {
            let bar = indicatif::ProgressBar::new(users as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} users  {msg}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            notes.waits.above(&bar);
            bar
        });
        Display {
            bar,
            plain: !terminal && !notes.quiet,
            last_line: Instant::now(),
            yes,
            interrupt,
        }
    }

    fn update(&mut self, p: &Progress) {
        let rate = p.requests as f64 / p.elapsed.as_secs_f64().max(1e-3);
        let counts = format!(
            "steps: applied {} · unchanged {} · failed {} · {:.1} req/s",
            p.steps.applied, p.steps.unchanged, p.steps.failed, rate
        );
        if let Some(bar) = &self.bar {
            bar.set_position(p.users_done as u64);
            bar.set_message(counts);
        } else if self.plain && self.last_line.elapsed() >= Duration::from_secs(5) {
            self.last_line = Instant::now();
            super::say(&format!(
                "{}/{} users done; {counts}\n",
                p.users_done, p.users_total
            ));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
