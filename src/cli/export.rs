//! `sleipnir export`: live state → the sheet that `plan` and `apply` read (the round trip).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::Notes;
use super::target::{LoadArgs, TargetArgs};
use crate::error::Error;
use crate::export::columns::{self, ColumnSource};
use crate::export::read::FileUser;
use crate::export::{
    About, Event, ExportError, ReadPlan, Selection, SheetFormat, SheetWriter, cell_for,
};
use crate::odin::group::UserFilter;
use crate::schema::Schema;
use crate::sheet::{self, Cell};

/// Flags of `sleipnir export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export every user of a group, given as SERVICE_PROVIDER/GROUP (repeatable).
    #[arg(long = "group", value_name = "SP/GROUP")]
    pub groups: Vec<String>,
    /// Export every group of a service provider (repeatable).
    #[arg(long = "service-provider", value_name = "SP")]
    pub service_providers: Vec<String>,
    /// Export the users of a sheet (its `userId` column) or of a plain list of user ids.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Only users matching Odin's one filter: lastName, firstName, dn, emailAddress,
    /// extension or userId, with `*` wildcards (e.g. `lastName=Tur*`).
    #[arg(long = "where", value_name = "FIELD=PATTERN")]
    pub filter: Option<String>,
    /// Field paths to export, comma-separated; `settings.<Service>.*`, `user.*` and
    /// `policy.*` expand to every known field.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["template", "like"])]
    pub columns: Option<String>,
    /// The columns of a built-in template (`sleipnir template --list`).
    #[arg(long, value_name = "NAME", conflicts_with = "like")]
    pub template: Option<String>,
    /// The columns of an existing sheet.
    #[arg(long, value_name = "SHEET")]
    pub like: Option<PathBuf>,
    /// The file to write: .xlsx or .csv.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Where Odin is and how hard to press it.
    #[command(flatten)]
    pub odin: TargetArgs,
    /// How many users at once.
    #[command(flatten)]
    pub load: LoadArgs,
}

/// Returns the exit code: 0, 1 when some users could not be read, 130 when interrupted.
pub(super) fn run(mut args: Args, notes: &Notes) -> Result<u8, Error> {
    let target = args.odin.checked_target(true)?.ok_or_else(|| {
        Error::Usage("export needs --target URL (or ODIN_URL) to read from".into())
    })?;
    let schema = Schema::builtin()?;
    let (columns, skipped) = columns::resolve(&column_specs(&args)?, &schema, source(&args))?;
    for spec in skipped {
        notes.warn(&format!(
            "skipping column `{spec}`: it is an action, not a field"
        ));
    }
    let selection = selection(&args, notes)?;
    let mut writer = SheetWriter::create(&args.out, &columns, args.force)?;
    let format = match args.out.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("csv") => SheetFormat::Csv,
        _ => SheetFormat::Xlsx,
    };
    let about = About {
        target: target.clone(),
        selection: describe(&args),
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        users: 0,
    };
    let (runtime, client) = args.odin.connect(&target, args.load.max_wait(), notes)?;
    let plan = ReadPlan {
        selection,
        columns: columns.clone(),
        concurrency: args.load.concurrency(&args.odin),
        batch: 500,
    };
    let (sender, mut events) = mpsc::channel(2);
    runtime.spawn(crate::export::read::read(client.clone(), plan, sender));
    let started = Instant::now();
    let progress = Progress::new(notes);
    let mut unreadable: Vec<(String, String)> = Vec::new();
    let mut unrepresentable: Vec<String> = Vec::new();
    let outcome: Result<bool, Error> = runtime.block_on(async {
        let interrupted = tokio::signal::ctrl_c();
        tokio::pin!(interrupted);
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                _ = &mut interrupted => return Ok(false),
            };
            match event {
                None => return Ok(true),
                Some(Event::Fatal(error)) => return Err(error.into()),
                Some(Event::Warning(message)) => progress.warn(notes, &message),
                Some(Event::Units(units)) => progress.units(units),
                Some(Event::Reads {
                    unit,
                    users,
                    requests,
                }) => {
                    if let Some(line) =
                        super::reads::per_user(&unit, users, requests, args.odin.rate())
                    {
                        progress.note(notes, &line);
                    }
                }
                Some(Event::Rows {
                    rows,
                    unreadable: lost,
                    ..
                }) => {
                    unreadable.extend(lost);
                    for row in rows {
                        let mut cells = Vec::with_capacity(columns.len());
                        for (column, value) in columns.iter().zip(&row.values) {
                            cells.push(cell_for(value.as_ref(), column.ty, format).unwrap_or_else(
                                |e| {
                                    unrepresentable.push(format!(
                                        "user `{}`, `{}`: {e}",
                                        row.user_id,
                                        column.title()
                                    ));
                                    crate::export::ExportCell::Blank
                                },
                            ));
                        }
                        let identity = [
                            row.user_id.as_str(),
                            &row.service_provider_id,
                            &row.group_id,
                        ];
                        writer.row(identity, &cells)?;
                    }
                    progress.step(writer.rows(), client.counts().requests, started);
                }
            }
        }
    });
    progress.done();
    runtime.shutdown_timeout(Duration::from_secs(1));
    if !outcome? {
        notes.note("interrupted: nothing was written");
        return Ok(130);
    }
    for (who, why) in &unreadable {
        super::say(&format!("error: {who}: {why}\n"));
    }
    if writer.rows() == 0 {
        if unreadable.is_empty() {
            return Err(ExportError::EmptySelection.into());
        }
        super::say("error: no user could be read; nothing was written\n");
        return Ok(1);
    }
    for problem in &unrepresentable {
        notes.warn(&format!("{problem}; left blank (leave it as it is)"));
    }
    let users = writer.rows();
    notes.history.count("exported", users as u64);
    notes.history.count("unreadable", unreadable.len() as u64);
    let requests = client.counts().requests;
    writer.finish(&About { users, ..about })?;
    super::print(&format!(
        "exported {} to `{}` ({requests} requests, {:.1} s)\n",
        crate::text::counted(users, "user", "users"),
        args.out.display(),
        started.elapsed().as_secs_f64()
    ))?;
    Ok(if unreadable.is_empty() { 0 } else { 1 })
}

fn source(args: &Args) -> ColumnSource {
    if args.columns.is_some() {
        ColumnSource::Asked
    } else {
        ColumnSource::Borrowed
    }
}

/// The column list asked for, as written.
fn column_specs(args: &Args) -> Result<Vec<String>, Error> {
    if let Some(list) = &args.columns {
        return Ok(list.split(',').map(str::to_string).collect());
    }
    if let Some(name) = &args.template {
        let template = crate::templates::find(name)?;
        if !template.file_name.ends_with(".csv") {
            return Err(Error::Usage(format!(
                "template `{name}` is a mapping file, not a sheet; pick a sheet template"
            )));
        }
        return Ok(columns::template_columns(template.body));
    }
    if let Some(path) = &args.like {
        // Only its titles are taken; a hidden column's title is one of them.
        let sheet = sheet::read(path, &read_all()).map_err(ExportError::from)?;
        return Ok(sheet.columns.into_iter().map(|c| c.title).collect());
    }
    Err(ExportError::NoColumns.into())
}

/// How export reads a sheet it takes columns or users from: everything in it, hidden rows
/// and columns too (it changes nothing; `plan` and `apply` are where hidden cells are refused).
fn read_all() -> sheet::ReadOptions {
    sheet::ReadOptions {
        worksheet: None,
        hidden_rows: sheet::Hidden::Include,
        hidden_columns: sheet::Hidden::Include,
    }
}

/// The selection flags, checked.
fn selection(args: &Args, notes: &Notes) -> Result<Selection, Error> {
    let mut groups = Vec::new();
    for spec in &args.groups {
        match spec.split_once('/') {
            Some((sp, group)) if !sp.is_empty() && !group.is_empty() => {
                groups.push((sp.to_string(), group.to_string()));
            }
            _ => {
                return Err(Error::Usage(format!(
                    "--group `{spec}`: write it as SERVICE_PROVIDER/GROUP, e.g. `ent.sim/grp01`"
                )));
            }
        }
    }
    let users = match &args.users {
        Some(path) => file_users(path, notes)?,
        None => Vec::new(),
    };
    if groups.is_empty() && args.service_providers.is_empty() && args.users.is_none() {
        return Err(Error::Usage(
            "say whom to export: --group SP/GROUP, --service-provider SP or --users FILE".into(),
        ));
    }
    let filter = match &args.filter {
        None => None,
        Some(text) => {
            let (field, pattern) = text.split_once('=').unwrap_or((text, ""));
            if !UserFilter::FIELDS.contains(&field) || pattern.is_empty() {
                return Err(Error::Usage(format!(
                    "--where `{text}`: write FIELD=PATTERN with FIELD one of {}{}",
                    UserFilter::FIELDS.join(", "),
                    crate::suggest::did_you_mean(&crate::suggest::closest(
                        field,
                        UserFilter::FIELDS.into_iter()
                    ))
                )));
            }
            Some(UserFilter {
                field: field.to_string(),
                pattern: pattern.to_string(),
            })
        }
    };
    Ok(Selection {
        groups,
        service_providers: args.service_providers.clone(),
        users,
        filter,
    })
}

/// The user ids of a sheet's `userId` column (with the group where the sheet says it), or
/// of a one-column plain list.
fn file_users(path: &Path, notes: &Notes) -> Result<Vec<FileUser>, Error> {
    // Export only reads: a user listed in a hidden row is exported too, and said so.
    let sheet = sheet::read(path, &read_all()).map_err(ExportError::from)?;
    if sheet.hidden.0 == sheet::Hidden::Include {
        notes.warn(&format!(
            "`{}` has hidden rows; the users listed in them are exported too",
            path.display()
        ));
    }
    let find = |names: &[&str]| {
        sheet
            .columns
            .iter()
            .position(|c| names.contains(&c.title.to_lowercase().as_str()))
    };
    let text = |cell: &Cell| match cell {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => sheet::format_number(*n),
        _ => String::new(),
    };
    let mut users = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |id: String, home: Option<(String, String)>| {
        if !id.is_empty() && seen.insert(id.clone()) {
            users.push((id, home));
        }
    };
    match find(&["userid", "user_id", "user id"]) {
        Some(id) => {
            let sp = find(&["user.serviceproviderid"]);
            let group = find(&["user.groupid"]);
            for row in &sheet.rows {
                let home = match (sp, group) {
                    (Some(s), Some(g)) => {
                        let (s, g) = (text(&row.cells[s]), text(&row.cells[g]));
                        (!s.is_empty() && !g.is_empty()).then_some((s, g))
                    }
                    _ => None,
                };
                push(text(&row.cells[id]), home);
            }
        }
        None if sheet.columns.len() == 1 => {
            push(sheet.columns[0].title.clone(), None);
            for row in &sheet.rows {
                push(text(&row.cells[0]), None);
            }
        }
        None => return Err(ExportError::NoUserIds(path.to_path_buf()).into()),
    }
    Ok(users)
}

fn describe(args: &Args) -> String {
    let mut parts: Vec<String> = args.groups.iter().map(|g| format!("--group {g}")).collect();
    parts.extend(
        args.service_providers
            .iter()
            .map(|s| format!("--service-provider {s}")),
    );
    if let Some(users) = &args.users {
        parts.push(format!("--users {}", users.display()));
    }
    if let Some(filter) = &args.filter {
        parts.push(format!("--where {filter}"));
    }
    parts.join(" ")
}

/// A progress bar on a terminal (users exported, requests/s, ETA by groups); otherwise a
/// plain line every few seconds.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    last: std::cell::Cell<Instant>,
}

impl Progress {
    fn new(notes: &Notes) -> Progress {
        let terminal = std::io::stderr().is_terminal() && !notes.quiet;
        let bar = terminal.then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} groups · {msg} · ETA {eta}",
            ) {
                bar.set_style(style);
            }
            notes.waits.above(&bar);
            bar
        });
        Progress {
            bar,
            plain: !terminal && !notes.quiet,
            last: std::cell::Cell::new(Instant::now()),
        }
    }

    fn units(&self, units: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(units as u64);
        }
    }

    fn step(&self, users: usize, requests: u64, started: Instant) {
        let rate = requests as f64 / started.elapsed().as_secs_f64().max(0.001);
        let message = format!("{users} users exported, {rate:.1} requests/s");
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(message);
        } else if self.plain && self.last.get().elapsed() >= Duration::from_secs(5) {
            self.last.set(Instant::now());
            super::say(&format!("{message}\n"));
        }
    }

    fn warn(&self, notes: &Notes, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| notes.warn(message)),
            None => notes.warn(message),
        }
    }

    fn note(&self, notes: &Notes, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| notes.note(message)),
            None => notes.note(message),
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
