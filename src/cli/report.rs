//! `sleipnir report DIR`: rebuild a run's `results.xlsx` and `report.html` from its files,
//! for a run killed before it could write them, or made before they existed.

use std::path::{Path, PathBuf};

use super::{Notes, print};
use crate::error::Error;

/// Flags of `report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run directory (holding results.csv, rollback.jsonl, ...).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Rebuild the report of `args.dir` and say where it is.
pub fn run(args: Args, _notes: &Notes) -> Result<u8, Error> {
    let names = |name: &str| args.dir.join(name).is_file();
    let run_dir = names(crate::rundir::names::RESULTS) || names(crate::rundir::names::LOCK);
    if !run_dir {
        return Err(not_a_run(&args.dir));
    }
    // The run directory has one writer: a run still going writes its own report at its end.
    // Asked first: a run that has just started may not have written its results yet.
    let _lock = super::run_lock::lock(&args.dir, true).map_err(|error| match error {
        Error::Lock(crate::rundir::LockError::Held { dir, holder }) => Error::Usage(format!(
            "`{}` is a run still going ({holder}): it writes its report when it ends; run \
             `sleipnir report {}` after that, if it is killed",
            dir.display(),
            crate::text::shell_word(&dir.display().to_string())
        )),
        other => other,
    })?;
    if !names(crate::rundir::names::RESULTS) {
        return Err(not_a_run(&args.dir));
    }
    let files = crate::report::write(&args.dir, None)?;
    print(&where_text(&files))?;
    Ok(0)
}

/// `DIR` is not a run directory.
fn not_a_run(dir: &Path) -> Error {
    Error::Usage(format!(
        "`{}` is not a run directory: it has no {}",
        dir.display(),
        crate::rundir::names::RESULTS
    ))
}

/// After a run: write its report and print where it is. A report that cannot be made is a
/// warning, never a change of the run's exit code.
pub(super) fn after_run(dir: &Path, target: &str, notes: &Notes) -> Result<(), Error> {
    match crate::report::write(dir, Some(target)) {
        Ok(files) => print(&where_text(&files)),
        Err(why) => {
            notes.warn(&format!(
                "no report: {why}; `sleipnir report {}` tries again",
                dir.display()
            ));
            Ok(())
        }
    }
}

fn where_text(files: &crate::report::ReportFiles) -> String {
    format!(
        "report: `{}` and `{}`\n",
        files.html.display(),
        files.workbook.display()
    )
}
