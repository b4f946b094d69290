//! `results.xlsx`: a `Summary` sheet, a `Failures` sheet, and a `Results` sheet of the
//! results.csv columns with real types, status cells filled by status, the header bold and
//! frozen, an autofilter and column widths.

use rust_xlsxwriter::{Color, Format, FormatBorder, FormatPattern, Workbook, Worksheet, XlsxError};

use crate::rundir::{RESULT_COLUMNS, ResultRow, Status};

use super::digest::{Figures, by_status};
use super::failures::Cause;

/// Sheet names, as tests and readers find them.
pub mod sheets {
    /// Counts and figures of the run, and what to do next.
    pub const SUMMARY: &str = "Summary";
    /// Steps not applied, grouped by cause.
    pub const FAILURES: &str = "Failures";
    /// One row per results.csv line.
    pub const RESULTS: &str = "Results";
}

/// The longest text a cell holds (Excel's limit).
pub(crate) const CELL_MAX: usize = 32_767;

/// The fill and font colours of a status: green applied, grey unchanged, red failed, amber
/// for the rest (skipped, compensated, drifted), blue deferred (waiting for the next window).
pub fn status_colours(status: Status) -> (u32, u32) {
    match status {
        Status::Applied => (0xC6EFCE, 0x006100),
        Status::Unchanged => (0xE7E6E6, 0x3A3838),
        Status::Failed => (0xFFC7CE, 0x9C0006),
        Status::Skipped | Status::Compensated | Status::Drifted => (0xFFEB9C, 0x9C5700),
        Status::Deferred => (0xDDEBF7, 0x1F4E78),
    }
}

fn status_format(status: Status) -> Format {
    let (fill, font) = status_colours(status);
    Format::new()
        .set_pattern(FormatPattern::Solid)
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(font))
}

/// The header cells' format: bold, grey, a thin line below.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xF2F2F2))
}

/// Where the whole text of a results.xlsx cell is: results.csv.
pub(crate) const IN_RESULTS: &str = "results.csv";

/// `text` as a cell can hold it: whole when it fits (32,767 characters), else cut so that
/// it ends with a visible mark saying it was cut and that `whole` (a file, a command)
/// holds the whole text.
pub(crate) fn cell<'a>(text: &'a str, whole: &str) -> std::borrow::Cow<'a, str> {
    let Some(length) = text
        .char_indices()
        .nth(CELL_MAX)
        .map(|_| text.chars().count())
    else {
        return text.into();
    };
    let mark = format!(
        " … [cut: {} characters do not fit in a workbook cell ({}); {whole} holds the \
         whole text]",
        crate::text::thousands(length as u64),
        crate::text::thousands(CELL_MAX as u64)
    );
    let keep = CELL_MAX.saturating_sub(mark.chars().count());
    let end = text
        .char_indices()
        .nth(keep)
        .map_or(text.len(), |(at, _)| at);
    format!("{}{mark}", &text[..end]).into()
}

/// The `Results` sheet, written a row at a time while the results stream past (into a
/// constant-memory worksheet: rows go to disk as they are written).
pub struct ResultsSheet<'a> {
    sheet: &'a mut Worksheet,
    statuses: Vec<(Status, Format)>,
    next_row: u32,
}

impl<'a> ResultsSheet<'a> {
    /// Make `sheet` the results sheet: its name and header.
    pub fn new(sheet: &'a mut Worksheet) -> Result<ResultsSheet<'a>, XlsxError> {
        sheet.set_name(sheets::RESULTS)?;
        let bold = header_format();
        for (col, title) in RESULT_COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        }
        let widths = [
            7.0, 34.0, 11.0, 13.0, 11.0, 9.0, 12.0, 36.0, 44.0, 44.0, 60.0, 26.0,
        ];
        for (col, width) in widths.into_iter().enumerate() {
            sheet.set_column_width(col as u16, width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(ResultsSheet {
            sheet,
            statuses: Status::ALL
                .into_iter()
                .map(|s| (s, status_format(s)))
                .collect(),
            next_row: 1,
        })
    }

    /// Append `row`: numbers as numbers, the status filled by status, texts as text (never
    /// run as formulas, so they need no `'`).
    pub fn add(&mut self, row: &ResultRow) -> Result<(), XlsxError> {
        let r = self.next_row;
        let sheet = &mut self.sheet;
        sheet.write_number(r, 0, row.row as f64)?;
        sheet.write_string(r, 1, cell(&row.user_id, IN_RESULTS))?;
        sheet.write_string(r, 2, row.resource.to_string())?;
        if let Some((_, format)) = self.statuses.iter().find(|(s, _)| *s == row.status) {
            sheet.write_string_with_format(r, 3, row.status.name(), format)?;
        }
        if let Some(http) = row.http_status {
            sheet.write_number(r, 4, f64::from(http))?;
        }
        sheet.write_number(r, 5, f64::from(row.attempts))?;
        sheet.write_number(r, 6, row.duration_ms as f64)?;
        for (col, text) in [(7, &row.changed), (8, &row.before), (9, &row.after)] {
            if !text.is_empty() {
                sheet.write_string(r, col, cell(text, IN_RESULTS))?;
            }
        }
        if !row.message.is_empty() {
            sheet.write_string(r, 10, cell(&row.message, IN_RESULTS))?;
        }
        if !row.at.is_empty() {
            sheet.write_string(r, 11, &row.at)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// Finish the sheet: its autofilter over every row.
    pub fn finish(self) -> Result<(), XlsxError> {
        let last = self.next_row.saturating_sub(1);
        self.sheet
            .autofilter(0, 0, last, (RESULT_COLUMNS.len() - 1) as u16)?;
        Ok(())
    }
}

/// The labels of the Summary sheet's rows, as the tests read them back.
pub mod labels {
    /// Users in the plan.
    pub const USERS: &str = "users";
    /// Users with a step not done.
    pub const USERS_NOT_DONE: &str = "users not done";
    /// Every request sent.
    pub const REQUESTS: &str = "requests";
    /// Requests per second.
    pub const RATE: &str = "requests per second";
    /// Retries.
    pub const RETRIES: &str = "retries";
    /// 429 answers.
    pub const THROTTLED: &str = "answered 429";
    /// Token refreshes.
    pub const REFRESHES: &str = "token refreshes";
    /// Wall time.
    pub const WALL: &str = "wall time (s)";
}

/// The workbook with its Summary and Failures sheets; the Results sheet follows, added by
/// the caller with [`ResultsSheet`] on the workbook's constant-memory worksheet.
pub fn workbook(
    figures: &Figures,
    source: &str,
    next: &[(&'static str, String)],
    causes: &[&Cause],
) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    book.push_worksheet(summary_sheet(figures, source, next)?);
    book.push_worksheet(failures_sheet(causes)?);
    Ok(book)
}

fn summary_sheet(
    figures: &Figures,
    source: &str,
    next: &[(&'static str, String)],
) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(sheets::SUMMARY)?;
    let bold = header_format();
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 90)?;
    sheet.write_string_with_format(0, 0, "what", &bold)?;
    sheet.write_string_with_format(0, 1, "value", &bold)?;
    sheet.set_freeze_panes(1, 0)?;
    let mut r = 1;
    let text = |sheet: &mut Worksheet, r: &mut u32, label: &str, value: &str| {
        let done = sheet
            .write_string(*r, 0, label)
            .and_then(|s| s.write_string(*r, 1, cell(value, "summary.json")))
            .map(|_| ());
        *r += 1;
        done
    };
    text(&mut sheet, &mut r, "outcome", &figures.outcome())?;
    text(&mut sheet, &mut r, "plan", source)?;
    if let (Some(started), Some(ended)) = (&figures.started, &figures.ended) {
        text(&mut sheet, &mut r, "started", started)?;
        text(&mut sheet, &mut r, "ended", ended)?;
    }
    let mut numbers: Vec<(String, f64)> = vec![
        (labels::USERS.into(), figures.users as f64),
        (labels::USERS_NOT_DONE.into(), figures.users_not_done as f64),
    ];
    for (outcome, count) in figures.users_by_outcome.named() {
        numbers.push((format!("users {outcome}"), count as f64));
    }
    for (status, count) in by_status(&figures.steps) {
        numbers.push((format!("steps {}", status.name()), count as f64));
    }
    let q = &figures.requests;
    numbers.extend([
        ("steps".to_string(), figures.steps.total() as f64),
        (labels::REQUESTS.into(), q.requests as f64),
        (
            labels::RATE.into(),
            (figures.request_rate * 100.0).round() / 100.0,
        ),
        (labels::RETRIES.into(), q.retries as f64),
        (labels::THROTTLED.into(), q.throttled as f64),
        (labels::REFRESHES.into(), q.refreshes as f64),
        ("group reads".to_string(), q.group_reads as f64),
        ("user reads".to_string(), q.user_reads as f64),
        ("writes".to_string(), q.writes as f64),
        ("bulk writes".to_string(), q.bulk_writes as f64),
        ("group writes".to_string(), q.group_writes as f64),
        ("logins".to_string(), q.logins as f64),
        (
            labels::WALL.into(),
            (figures.wall_seconds * 10.0).round() / 10.0,
        ),
    ]);
    let left = Format::new().set_align(rust_xlsxwriter::FormatAlign::Left);
    for (label, value) in numbers {
        sheet.write_string(r, 0, &label)?;
        sheet.write_number_with_format(r, 1, value, &left)?;
        r += 1;
    }
    if let Some(reason) = &figures.stopped_by {
        text(&mut sheet, &mut r, "stopped by", reason)?;
    }
    if let Some(reason) = &figures.deferred_by {
        text(&mut sheet, &mut r, "deferred by", reason)?;
    }
    for (what, command) in next {
        text(&mut sheet, &mut r, &format!("to {what}"), command)?;
    }
    sheet.set_active(true);
    Ok(sheet)
}

fn failures_sheet(causes: &[&Cause]) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(sheets::FAILURES)?;
    let bold = header_format();
    let titles = ["status", "cause", "steps", "first rows", "first users"];
    for (col, title) in titles.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (col, width) in [13.0, 80.0, 8.0, 30.0, 60.0].into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let formats: Vec<(Status, Format)> = Status::ALL
        .into_iter()
        .map(|s| (s, status_format(s)))
        .collect();
    for (i, cause) in causes.iter().enumerate() {
        let r = i as u32 + 1;
        if let Some((_, format)) = formats.iter().find(|(s, _)| *s == cause.status) {
            sheet.write_string_with_format(r, 0, cause.status.name(), format)?;
        }
        sheet.write_string(r, 1, cell(&cause.text, IN_RESULTS))?;
        sheet.write_number(r, 2, cause.steps as f64)?;
        let rows: Vec<String> = cause.examples.iter().map(|e| e.row.to_string()).collect();
        sheet.write_string(r, 3, rows.join(", "))?;
        let users: Vec<&str> = cause.examples.iter().map(|e| e.user_id.as_str()).collect();
        sheet.write_string(r, 4, cell(&users.join(", "), IN_RESULTS))?;
    }
    if !causes.is_empty() {
        sheet.autofilter(0, 0, causes.len() as u32, 4)?;
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_too_long_for_a_cell_ends_with_a_mark_naming_where_it_is_whole() {
        let fits = "é".repeat(CELL_MAX);
        assert_eq!(cell(&fits, IN_RESULTS), fits.as_str());
        let long = "é".repeat(40_029);
        let cut = cell(&long, IN_RESULTS);
        assert_eq!(cut.chars().count(), CELL_MAX);
        let mark = " … [cut: 40,029 characters do not fit in a workbook cell (32,767); \
                    results.csv holds the whole text]";
        let kept = cut.strip_suffix(mark).unwrap_or_else(|| panic!("no mark"));
        assert!(long.starts_with(kept));
    }
}
