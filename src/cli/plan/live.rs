//! `plan --target`: every user's live values read and recorded as the plan's before-values,
//! what the reads show is wrong as warnings or problems, and what applying would send.

use std::sync::Arc;

use super::Config;
use crate::apply::estimate::Estimate;
use crate::cli::Notes;
use crate::error::Error;
use crate::live;
use crate::operation::ListChange;
use crate::plan::Plan;

/// What `plan --target` read: the users it could not read (and why), what an apply would
/// send, and the shared lists the plan changes.
pub(super) type LiveRead = (Vec<(String, String)>, Estimate, Vec<ListChange>);

/// Read every user's live values from `target` and record them as the plan's before-values,
/// and what the read shows is wrong as its warnings; the users that could not be read, with
/// why, what applying the plan would send, and what it does to shared lists. Values a
/// spreadsheet lost against the live ones are every one a problem (nothing is planned),
/// unless `allow_lossy`.
pub(super) fn read_live(
    plan: &mut Plan,
    target: &str,
    config: &Config,
    notes: &Notes,
) -> Result<LiveRead, Error> {
    let (odin, load) = (&config.odin, &config.load);
    let (service_provider, bulk_size) = (config.service_provider.as_deref(), config.bulk_size);
    let allow_lossy = config.allow_lossy_values;
    notes
        .history
        .sheet(&plan.source.source, &plan.source.sha256);
    notes.history.count("users", plan.users.len() as u64);
    let (runtime, client) = odin.connect(target, load.max_wait(), notes)?;
    let odin_user = client.username().to_string();
    let bar = crate::cli::reads::bar(plan.users.len(), notes);
    let tick = bar.clone();
    // The reads of a plan keep no bulk write's user summaries: a plan sends no write.
    let mut read = runtime.block_on(live::read_all(
        &plan.users,
        client.clone(),
        load.concurrency(odin),
        (service_provider, &Default::default()),
        Arc::new(move || {
            if let Some(bar) = &tick {
                bar.inc(1);
            }
        }),
    ));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut estimate = crate::apply::estimate::estimate(
        &plan.users,
        &read.states,
        (&read.groups, &read.placed),
        bulk_size,
    );
    // What the users ask of their groups together (arranged before the reads, as apply
    // does): a held number, a clash, a swap that cannot be made is the sheet's problem,
    // with its cell.
    // An extension another user of the group holds, whom the sheet does not move.
    let mut arrangement = std::mem::take(&mut read.arrangement);
    for (user, holder) in plan.users.iter().zip(&read.extension_holders) {
        let (Some(holder), Some(extension)) = (holder, arrangement.extensions.get(&user.user_id))
        else {
            continue;
        };
        if let Some(refusal) = arrangement.extension_held(&user.user_id, extension, holder) {
            arrangement
                .refused
                .entry(user.user_id.clone())
                .or_insert(refusal);
        }
    }
    refused_by_group(plan, &arrangement)?;
    let creating: Vec<&crate::plan::UserPlan> = plan.users.iter().filter(|u| u.creates()).collect();
    let (group_checks, by_groups) = match creating.is_empty() {
        true => (0, Vec::new()),
        false => runtime.block_on(crate::operation::account::refused_by_groups(
            &client, &creating,
        )),
    };
    estimate.group_reads += group_checks;
    refused_creates(plan, &read.states, &by_groups)?;
    plan.warnings.extend(absent_deletes(plan, &read.states));
    // A user moved to a number that stays inactive: said, never changed silently.
    plan.warnings.extend(inactive_numbers(plan, &arrangement));
    // Apply makes the same reads before its first user; its group reads then stand on the
    // number lists those read.
    estimate.group_reads += arrangement.requests.saturating_sub(read.lists_standing);
    let (states, mut read_warnings) = (read.states, read.warnings);
    read_warnings.extend(arrangement.warnings);
    // Odin held a read back (a redirect, a pause past --max-wait): the reads stopped there,
    // and a plan of what was read would be a plan of a part.
    let held = states.iter().find_map(|state| match state {
        Err(failure) if failure.paused && failure.message != live::NOT_READ_AFTER_STOP => {
            Some(failure.message.clone())
        }
        _ => None,
    });
    if let Some(message) = held {
        let unread = states.iter().filter(|state| state.is_err()).count();
        return Err(Error::Stopped(format!(
            "the live reads stopped, {} not read: {message}; nothing was planned",
            crate::text::count(unread, "user")
        )));
    }
    for message in read_warnings {
        let mut warning = crate::plan::Warning::sheet(message);
        warning.live = true;
        plan.warnings.push(warning);
    }
    let mut unreadable = Vec::new();
    let mut lacking: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    // What the reads of the users together show Odin refuses (a line port one user adds
    // and another holds): warned of like a refusal of each user's own reads.
    let (together, lists) = {
        let users: Vec<&crate::plan::UserPlan> = plan.users.iter().collect();
        let docs: Vec<_> = states.iter().map(|state| state.as_ref().ok()).collect();
        (
            crate::operation::refused_together(&users, &docs),
            crate::operation::list_changes(&users, &docs),
        )
    };
    let mut refused: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut lost = Vec::new();
    for (user, state) in plan.users.iter_mut().zip(states) {
        match state {
            Ok(live) => {
                let losses = crate::apply::lossy::losses(user, &live);
                lost.extend(
                    losses
                        .iter()
                        .map(|loss| (loss.problem(user), loss.brief(user), user.user_id.clone())),
                );
                let services = crate::apply::refused::lacking_services(user, &live);
                if services.is_empty()
                    && let Some((_, why)) = crate::apply::refused::refused_step(user, &live)
                {
                    refused.entry(why).or_default().push(user.user_id.clone());
                }
                for service in services {
                    lacking
                        .entry(service)
                        .or_default()
                        .push(user.user_id.clone());
                }
                user.before = Some(crate::apply::drift::before_values(user, &live));
            }
            Err(why) => unreadable.push((user.user_id.clone(), why.message)),
        }
    }
    for (service, users) in lacking {
        plan.warnings
            .push(crate::apply::refused::warning(&service, users));
    }
    for (at, why) in together {
        if let Some(user) = plan.users.get(at) {
            refused.entry(why).or_default().push(user.user_id.clone());
        }
    }
    for (why, users) in refused {
        plan.warnings
            .push(crate::apply::refused::step_warning(&why, users));
    }
    if let Some(warning) = lossy_values(lost, allow_lossy, &plan.source.source)? {
        plan.warnings.push(warning);
        // Applying this plan writes them only with the flag again: said before it logs in.
        plan.source.allow_lossy_values = true;
    }
    plan.source.target = Some(target.to_string());
    plan.source.odin_user = Some(odin_user);
    plan.source.target_name = odin.resolved.as_ref().and_then(|t| t.name.clone());
    Ok((unreadable, estimate, lists))
}

/// The users the sheet moves to a number that stays inactive in its group's list (its
/// activation not set): one warning, at the first one's `user.phoneNumber` cell.
fn inactive_numbers(
    plan: &Plan,
    arrangement: &crate::operation::arrange::Arrangement,
) -> Option<crate::plan::Warning> {
    let users: Vec<&crate::plan::UserPlan> = plan
        .users
        .iter()
        .filter(|user| arrangement.inactive.contains_key(&user.user_id))
        .collect();
    let first = users.first()?;
    let number = arrangement.inactive.get(&first.user_id)?;
    let place = match first
        .cells
        .of(crate::resource::Resource::User, "phoneNumber")
    {
        Some((row, column)) => format!("row {row}, column {}: ", column.letter()),
        None => String::new(),
    };
    let more = match users.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let message = format!(
        "{place}number {number} of user `{}`{more} is not active in its group's list, and the \
         sheet does not set its activation: the run leaves it inactive; to activate it, add a \
         `user.phoneNumberActivated` column with `true`",
        first.user_id
    );
    let mut warning = crate::plan::Warning::about(
        users.iter().map(|user| user.user_id.clone()).collect(),
        message,
        Some(
            "its new number stays inactive: add `user.phoneNumberActivated` `true` to activate it"
                .into(),
        ),
    );
    warning.live = true;
    Some(warning)
}

/// The users their groups' reads refuse (a number or extension held by someone the sheet
/// does not move, a number the enterprise lacks, a clash, a cycle of swaps): each a problem
/// of the sheet at its cell, so nothing is planned (exit 2) until the sheet is corrected.
fn refused_by_group(
    plan: &Plan,
    arrangement: &crate::operation::arrange::Arrangement,
) -> Result<(), Error> {
    if arrangement.refused.is_empty() {
        return Ok(());
    }
    let problems = plan
        .users
        .iter()
        .filter_map(|user| {
            let refusal = arrangement.refused.get(&user.user_id)?;
            let field = crate::resource::Resource::User;
            Some(match user.cells.of(field, refusal.field) {
                Some((row, column)) => crate::problem::Problem::cell(row, column, &refusal.why),
                None => {
                    // A column of its own (`huntGroups.add`) is named by its refusal.
                    let message = match refusal.field.contains('.') {
                        true => format!("user `{}`, {}", user.user_id, refusal.why),
                        false => format!(
                            "user `{}`, `user.{}`: {}",
                            user.user_id, refusal.field, refusal.why
                        ),
                    };
                    match user.rows.first() {
                        Some(row) => crate::problem::Problem::row(*row, message),
                        None => crate::problem::Problem::sheet(message),
                    }
                }
            })
        })
        .collect();
    Err(crate::problem::Problems::new(&plan.source.source, problems).into())
}

/// Users the sheet creates whom Odin has already, or whose group's reads show Odin would
/// refuse them (`by_groups`: a group that does not exist, a password too short; API.md
/// §14): each a problem of its row, and nothing is planned.
fn refused_creates(
    plan: &Plan,
    states: &[live::LiveState],
    by_groups: &[(String, String)],
) -> Result<(), Error> {
    let of_groups = by_groups.iter().filter_map(|(id, why)| {
        let user = plan.users.iter().find(|u| u.user_id == *id)?;
        let row = *user.rows.first()?;
        Some(crate::problem::Problem::row(
            row,
            format!("creating user `{id}`: {why}"),
        ))
    });
    let problems: Vec<crate::problem::Problem> = existence(plan, states)
        .filter(|(user, _, exists)| user.creates() && *exists)
        .map(|(user, row, _)| {
            crate::problem::Problem::row(
                row,
                format!(
                    "user `{}` exists already: a create needs a user id nobody has; pick \
                     another id, or make the row a `change` to change that user",
                    user.user_id
                ),
            )
        })
        .chain(of_groups)
        .collect();
    match problems.is_empty() {
        true => Ok(()),
        false => Err(crate::problem::Problems::new(&plan.source.source, problems).into()),
    }
}

/// Users the sheet deletes whom Odin does not have (a typo leaves a leaver's account in
/// place): a warning each, naming the row.
fn absent_deletes(plan: &Plan, states: &[live::LiveState]) -> Vec<crate::plan::Warning> {
    existence(plan, states)
        .filter(|(user, _, exists)| user.deletes() && !*exists)
        .map(|(user, row, _)| {
            let message = format!(
                "row {row}: user `{}` does not exist, so nothing is deleted; check the id \
                 (a typo leaves the user meant in place)",
                user.user_id
            );
            let mut warning =
                crate::plan::Warning::about(vec![user.user_id.clone()], message, None);
            warning.live = true;
            warning
        })
        .collect()
}

/// The users whose existence was read (those the sheet creates or deletes, read without
/// failing), each with its first row and whether Odin has it.
fn existence<'a>(
    plan: &'a Plan,
    states: &'a [live::LiveState],
) -> impl Iterator<Item = (&'a crate::plan::UserPlan, usize, bool)> + 'a {
    plan.users.iter().zip(states).filter_map(|(user, state)| {
        let docs = state.as_ref().ok()?;
        let account = docs.get(&crate::resource::Resource::Account)?.as_object()?;
        Some((user, *user.rows.first()?, !account.is_empty()))
    })
}

/// Values a spreadsheet lost ([`crate::apply::lossy`]): every one listed as a problem of
/// the sheet, sorted by row (exit 2, nothing planned); with `--allow-lossy-values`, one
/// warning naming them.
fn lossy_values(
    lost: Vec<(crate::problem::Problem, String, String)>,
    allow: bool,
    source: &str,
) -> Result<Option<crate::plan::Warning>, Error> {
    if lost.is_empty() {
        return Ok(None);
    }
    let count = lost.len();
    let mut users: Vec<String> = lost.iter().map(|(_, _, user)| user.clone()).collect();
    users.dedup();
    let (problems, mut cells): (Vec<_>, Vec<_>) = lost
        .into_iter()
        .map(|(problem, brief, _)| (problem, brief))
        .unzip();
    if !allow {
        return Err(crate::problem::Problems::new(source, problems).into());
    }
    let more = cells.len().saturating_sub(5);
    cells.truncate(5);
    let message = format!(
        "{} the live ones as a spreadsheet loses them, planned as the sheet has them \
         ({}): {}{}",
        crate::text::counted(count, "value is", "values are"),
        crate::apply::lossy::FLAG,
        cells.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        },
    );
    // Beside each such user in the review: the before and after columns show the value.
    let each = format!(
        "a value is the live one as a spreadsheet loses it (leading zeros or `+` dropped, \
         digits shortened), planned as the sheet has it ({})",
        crate::apply::lossy::FLAG
    );
    let mut warning = crate::plan::Warning::about(users, message, Some(each));
    warning.live = true;
    Ok(Some(warning))
}
