//! Rewriting `results.csv` whole: sorted by row at the end of a run (with the amendments a
//! resumed run made to lines of earlier attempts), or with just the lines a resume keeps.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{LedgerError, RESULT_COLUMNS, ResultRow, Status, UserCounts, spreadsheet_safe};

/// A new status and message for a user's step whose `results.csv` line is already written.
#[derive(Debug, Clone)]
pub(super) struct Amendment {
    pub step: usize,
    pub status: Status,
    pub message: String,
}

/// Put the lines of the `results.csv` at `path` in row order (a stable sort: a user's steps
/// keep their order), whole or not at all, with the `amendments` made (a user's k-th line
/// in the file is its step k). Lines are moved as bytes, by position, read again from the
/// file as they are written, so the run's results are never held in memory (tens of
/// megabytes for 50,000 users); only amended lines are written anew. Returns its users by
/// how their steps end in the file written.
pub(super) fn sort_results(
    path: &Path,
    amendments: &HashMap<String, Vec<Amendment>>,
) -> Result<UserCounts, LedgerError> {
    let file = std::fs::File::open(path).map_err(LedgerError::reading(path))?;
    // Flexible: a run of an older sleipnir resumed holds lines without `at`.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(file));
    let mut record = csv::ByteRecord::new();
    // (row, start, end, amended) of each line; the first record is the header.
    let mut lines: Vec<(usize, usize, usize, Option<usize>)> = Vec::new();
    let mut amended: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut start = 0;
    let mut header_end = 0;
    // Each user's steps as they end: its line's status, or its amendment's.
    let mut users: HashMap<Vec<u8>, Vec<Status>> = HashMap::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| LedgerError::unreadable(path, e))?
    {
        let end = reader.position().byte() as usize;
        if header_end == 0 {
            header_end = end;
        } else {
            let row = std::str::from_utf8(record.get(0).unwrap_or_default())
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let (new, status) = amend_line(&record, amendments, &mut seen)
                .map_err(|e| LedgerError::other(path, e))?
                .map_or((None, None), |(line, status)| {
                    amended.push(line);
                    (Some(amended.len() - 1), Some(status))
                });
            let status = status.or_else(|| {
                let name = std::str::from_utf8(record.get(3).unwrap_or_default()).ok()?;
                Status::from_name(name)
            });
            let user = record.get(1).unwrap_or_default().to_vec();
            users.entry(user).or_default().extend(status);
            lines.push((row, start, end, new));
        }
        start = end;
    }
    lines.sort_by_key(|(row, ..)| *row);
    crate::atomic::write_with(path, |file| {
        let mut source = std::fs::File::open(path)?;
        let mut out = BufWriter::new(file);
        let mut line = vec![0; header_end];
        source.read_exact(&mut line)?;
        out.write_all(&line)?;
        // Where `source` is: lines that follow one another in the file need no seek.
        let mut at = header_end;
        for (_, start, end, new) in &lines {
            match new {
                Some(index) => out.write_all(&amended[*index])?,
                None => {
                    if at != *start {
                        source.seek(SeekFrom::Start(*start as u64))?;
                    }
                    line.resize(end - start, 0);
                    source.read_exact(&mut line)?;
                    out.write_all(&line)?;
                    at = *end;
                }
            }
        }
        out.flush()
    })
    .map_err(LedgerError::at(path))?;
    let mut counts = UserCounts::default();
    for statuses in users.into_values() {
        counts.add(statuses);
    }
    Ok(counts)
}

/// The line `record` becomes when an amendment names it (its user's `seen`-th line), as
/// CSV bytes with its line end, and its new status; `None` when it stays as it is.
fn amend_line<'a>(
    record: &csv::ByteRecord,
    amendments: &'a HashMap<String, Vec<Amendment>>,
    seen: &mut HashMap<&'a str, usize>,
) -> Result<Option<(Vec<u8>, Status)>, csv::Error> {
    let user = String::from_utf8_lossy(record.get(1).unwrap_or_default());
    let Some((user, wanted)) = amendments.get_key_value(user.as_ref()) else {
        return Ok(None);
    };
    let index = seen.entry(user.as_str()).or_default();
    let step = *index;
    *index += 1;
    let Some(change) = wanted.iter().rev().find(|a| a.step == step) else {
        return Ok(None);
    };
    let message = spreadsheet_safe(&change.message);
    let fields = record.iter().enumerate().map(|(at, field)| match at {
        3 => change.status.name().as_bytes(),
        10 => message.as_bytes(),
        _ => field,
    });
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(fields)?;
    out.into_inner()
        .map(|line| Some((line, change.status)))
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// Replace the `results.csv` at `path` with its header and `rows`, whole or not at all.
pub(super) fn write_results(path: &Path, rows: &[ResultRow]) -> Result<(), LedgerError> {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    out.write_record(RESULT_COLUMNS)
        .map_err(|e| LedgerError::other(path, e))?;
    for row in rows {
        out.serialize(row.escaped())
            .map_err(|e| LedgerError::other(path, e))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| LedgerError::other(path, e.into_error()))?;
    crate::atomic::write(path, &bytes).map_err(LedgerError::at(path))
}
