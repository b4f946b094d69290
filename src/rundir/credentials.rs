//! `credentials.csv`: the generated credentials of a run (DESIGN.md §4), the one file a
//! credential value is ever written to. Created owner-only (mode 0600 on Unix) before a value
//! is in it; `userId,credential,value`, one line per generated value.

use std::path::PathBuf;

use super::names::CREDENTIALS;
use super::{Ledger, LedgerError, RunFiles};
use crate::credentials::{Credential, Secret};

impl Ledger {
    /// The values an earlier attempt of this run generated: [`RunFiles::generated_values`].
    pub fn generated_values(&self) -> Result<Vec<(String, Credential, Secret)>, LedgerError> {
        RunFiles::new(&self.dir).generated_values()
    }

    /// Write `generated` (user id, credential, value) to `credentials.csv`, owner-only,
    /// synced to disk; its path. The values are written here and nowhere else. A resumed
    /// run adds the values it generates to those of its earlier attempts.
    pub fn generated_credentials(
        &self,
        generated: &[(&str, Credential, &Secret)],
    ) -> Result<PathBuf, LedgerError> {
        let path = self.dir.join(CREDENTIALS);
        let new = !path.exists();
        let file = super::lock::owner_only_options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(LedgerError::at(&path))?;
        let mut csv = csv::Writer::from_writer(file);
        if new {
            csv.write_record(["userId", "credential", "value"])
                .map_err(|e| LedgerError::other(&path, e))?;
        }
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
    /// The values an earlier attempt of the run generated (user id, credential, value), from
    /// its `credentials.csv`; none when it has none. A resumed run sends these again rather
    /// than new ones: they are the ones handed out, and may be set already.
    pub fn generated_values(&self) -> Result<Vec<(String, Credential, Secret)>, LedgerError> {
        let path = self.dir().join(CREDENTIALS);
        if !path.is_file() {
            return Ok(Vec::new());
        }
        let mut reader = csv::Reader::from_path(&path).map_err(|e| LedgerError::other(&path, e))?;
        let mut values = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| LedgerError::other(&path, e))?;
            let (Some(user), Some(name), Some(value)) =
                (record.get(0), record.get(1), record.get(2))
            else {
                continue;
            };
            if let Some(credential) = Credential::from_name(name) {
                values.push((user.to_string(), credential, Secret::new(value.to_string())));
            }
        }
        Ok(values)
    }

    /// `credentials.csv`, when the run generated credentials: named (never read, never
    /// quoted) by summaries and reports.
    pub fn generated_credentials(&self) -> Option<PathBuf> {
        let path = self.dir().join(CREDENTIALS);
        path.is_file().then_some(path)
    }
}
