//! Appending lines to run files, whole or not at all: a line a full disk cuts short is taken
//! back, so that the next line written (once there is room again, by this attempt or by a
//! `--resume`) does not glue itself to half a line. Every file stays readable line by line.
//!
//! Tests of a full disk set [`DISK_FULL_AFTER`]: the run files then fail to grow past that
//! many more bytes, as a filesystem with that much room left would.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::LedgerError;

/// The environment variable, for tests only, that gives the run files this many bytes of
/// room (counted from when a ledger opens them); past it, every write fails as on a full
/// disk. Unset (always, outside tests): no limit but the disk's.
pub const DISK_FULL_AFTER: &str = "SLEIPNIR_TEST_DISK_FULL_AFTER";

/// How a line is made durable once written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sync {
    /// Handed to the OS (a crash of the process loses nothing; power loss may).
    No,
    /// On disk before the append returns (rollback entries, before their user's first write).
    Data,
}

/// The room the run files have left (see [`DISK_FULL_AFTER`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Room(Option<u64>);

impl Room {
    /// Unlimited, unless a test set [`DISK_FULL_AFTER`].
    pub fn from_env() -> Room {
        Room(
            std::env::var(DISK_FULL_AFTER)
                .ok()
                .and_then(|bytes| bytes.trim().parse().ok()),
        )
    }

    /// Take `bytes` of the room for a write to `path`, or fail as a full disk does.
    pub fn spend(&mut self, path: &Path, bytes: u64) -> Result<(), LedgerError> {
        match &mut self.0 {
            Some(room) if *room < bytes => {
                *room = 0;
                Err(LedgerError::at(path)(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    format!("no space left on device (simulated by {DISK_FULL_AFTER})"),
                )))
            }
            Some(room) => {
                *room -= bytes;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Append `line` (with its line end) to `file` at `path` in one write, then `sync` it; on
    /// any failure the file is cut back to its length before, and the error returned.
    pub fn append(
        &mut self,
        file: &mut File,
        path: &Path,
        line: &[u8],
        sync: Sync,
    ) -> Result<(), LedgerError> {
        self.spend(path, line.len() as u64)?;
        // The run directory has one writer (its lock), so the length is where this line goes.
        let before = file.metadata().map_err(LedgerError::at(path))?.len();
        let written = file.write_all(line).and_then(|()| match sync {
            Sync::No => Ok(()),
            Sync::Data => file.sync_data(),
        });
        if let Err(error) = written {
            // Shrinking a file needs no room; if even that fails, a resume cuts the torn
            // last line off (see `Ledger::resume`).
            let _ = file.set_len(before);
            return Err(LedgerError::at(path)(error));
        }
        Ok(())
    }
}

/// `value` as one JSON line, with its line end.
pub(super) fn json_line(path: &Path, value: &impl Serialize) -> Result<Vec<u8>, LedgerError> {
    let mut line = serde_json::to_vec(value).map_err(|e| LedgerError::other(path, e))?;
    line.push(b'\n');
    Ok(line)
}

/// One CSV record made by `write` (with its line end), as bytes.
pub(super) fn csv_line<T>(
    value: T,
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>, T) -> Result<(), csv::Error>,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    write(&mut out, value)?;
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_does_not_fit_is_not_written_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let mut room = Room(Some(12));
        room.append(&mut file, &path, b"{\"a\":1}\n", Sync::No)
            .unwrap();
        let error = room
            .append(&mut file, &path, b"{\"b\":2}\n", Sync::Data)
            .unwrap_err();
        assert_eq!(error.source.kind(), std::io::ErrorKind::StorageFull);
        assert!(error.to_string().contains("journal.jsonl"), "{error}");
        // Room freed: the next line follows the last whole one.
        let mut room = Room::default();
        room.append(&mut file, &path, b"{\"c\":3}\n", Sync::No)
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"c\":3}\n"
        );
    }
}
