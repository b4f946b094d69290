//! The run for people: `results.xlsx` (typed, status-coloured results with Summary and
//! Failures sheets) and `report.html` (one self-contained page), both made from the run files
//! through [`RunFiles`] alone, so a run killed with SIGKILL gets its report too. And the plan
//! for its approver: the review workbook ([`review`]).
//!
//! `results.csv` is streamed once: each line goes into the workbook's Results sheet and is
//! folded into a [`digest::Digest`] (counts, causes, latency, the first users), so the run is
//! held in memory once, as the workbook's cells. Both files are written whole or not at all.

pub mod chart;
pub mod digest;
mod escape;
pub mod failures;
pub mod html;
pub mod review;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::rundir::{LedgerError, RunFiles, names};

/// Where the report was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFiles {
    /// `results.xlsx`.
    pub workbook: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
}

/// Why a report could not be made; no half-written file is left behind.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A run file could not be read.
    #[error(transparent)]
    Run(#[from] LedgerError),
    /// The workbook could not be made or written.
    #[error("cannot write `{path}`: {source}")]
    Workbook {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rust_xlsxwriter::XlsxError,
    },
    /// The page could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The placeholder for the target in the undo and retry commands when the run does not
/// record one.
pub const TARGET_PLACEHOLDER: &str = "$ODIN_URL";

/// Write `results.xlsx` and `report.html` of the run in `dir`. The undo and retry commands
/// name `target` when given, else the target the run recorded (its summary, or the header
/// of its rollback file: every run records the target it changed), else, for a run of an
/// older sleipnir that recorded none, [`TARGET_PLACEHOLDER`].
pub fn write(dir: &Path, target: Option<&str>) -> Result<ReportFiles, ReportError> {
    let files = RunFiles::new(dir);
    let summary = files.summary()?;
    // The plan's source: from the summary, or from the rollback file's header after a kill.
    let source = match &summary {
        Some(s) => Some(s.source.clone()),
        None => files.source().ok().map(|mut s| {
            if let Some(rest) = s.source.strip_prefix("rollback of ") {
                s.source = rest.to_string();
            }
            s
        }),
    };
    let timeline = files.timeline()?;
    let workbook_path = dir.join(names::WORKBOOK);
    let xlsx = |source| ReportError::Workbook {
        path: workbook_path.clone(),
        source,
    };
    // Two passes over results.csv: the digest first (the Summary and Failures sheets come
    // before the results), then the rows straight into the workbook's file.
    let mut digest = digest::Digest::default();
    for row in files.results_iter()? {
        digest.add(row);
    }
    let digest = digest.finish();
    let figures = digest::Figures::new(summary.as_ref(), &digest, &timeline);
    let target = target
        .map(str::to_string)
        .or_else(|| source.as_ref().and_then(|s| s.target.clone()))
        .unwrap_or_else(|| TARGET_PLACEHOLDER.to_string());
    let shown_dir = dir.display().to_string();
    let left = digest::Leftovers {
        source: source.clone(),
        failed_users: files.failed_users()?,
    };
    let next = digest::next_steps(&figures, &shown_dir, &target, &left);
    let causes = digest.failures.causes();
    let source_text = source.map_or_else(
        || "(unknown)".to_string(),
        |s| match s.worksheet {
            Some(worksheet) => format!("{}, worksheet `{worksheet}`", s.source),
            None => s.source,
        },
    );

    let mut book = workbook::workbook(&figures, &source_text, &next, &causes).map_err(xlsx)?;
    let results = book.add_worksheet_with_constant_memory().map_err(xlsx)?;
    let mut sheet = workbook::ResultsSheet::new(results).map_err(xlsx)?;
    for row in files.results_iter()? {
        sheet.add(&row).map_err(xlsx)?;
    }
    sheet.finish().map_err(xlsx)?;
    crate::atomic::write_with(&workbook_path, |file| {
        book.save_to_writer(std::io::BufWriter::new(file))
    })
    .map_err(xlsx)?;
    drop(book);

    let page = html::render(&html::Page {
        dir: &shown_dir,
        source: &source_text,
        figures: &figures,
        digest: &digest,
        causes: &causes,
        timeline: &timeline,
        next: &next,
        target: &target,
        credentials: files.generated_credentials().is_some(),
    });
    let html_path = dir.join(names::REPORT);
    crate::atomic::write(&html_path, page.as_bytes()).map_err(|source| ReportError::Write {
        path: html_path.clone(),
        source,
    })?;
    Ok(ReportFiles {
        workbook: workbook_path,
        html: html_path,
    })
}
