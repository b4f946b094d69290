//! `credentials.csv`: the generated credentials of a run (DESIGN.md §4), the one file a
//! credential value is ever written to. Created owner-only (mode 0600 on Unix) before a value
//! is in it; `userId,credential,value`, one line per generated value.

use std::path::PathBuf;

use super::names::CREDENTIALS;
use super::{Ledger, LedgerError, RunFiles};
use crate::credentials::{Credential, Secret};

impl Ledger {
    /// Write `generated` (user id, credential, value) to a new `credentials.csv`, owner-only,
    /// synced to disk; its path. The values are written here and nowhere else.
    pub fn generated_credentials(
        &self,
        generated: &[(&str, Credential, &Secret)],
    ) -> Result<PathBuf, LedgerError> {
        let path = self.dir.join(CREDENTIALS);
        let file = super::lock::owner_only_options()
            .create_new(true)
            .write(true)
            .open(&path)
            .map_err(LedgerError::at(&path))?;
        let mut csv = csv::Writer::from_writer(file);
        csv.write_record(["userId", "credential", "value"])
            .map_err(|e| LedgerError::other(&path, e))?;
        for (user, credential, value) in generated {
            csv.write_record([user, credential.name(), value.expose()])
                .map_err(|e| LedgerError::other(&path, e))?;
        }
        let file = csv
            .into_inner()
            .map_err(|e| LedgerError::other(&path, e.into_error()))?;
        file.sync_all().map_err(LedgerError::at(&path))?;
        Ok(path)
    }
}

impl RunFiles {
    /// `credentials.csv`, when the run generated credentials: named (never read, never
    /// quoted) by summaries and reports.
    pub fn generated_credentials(&self) -> Option<PathBuf> {
        let path = self.dir().join(CREDENTIALS);
        path.is_file().then_some(path)
    }
}
