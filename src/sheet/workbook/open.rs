//! Opening a workbook by what its bytes are, and telling an encrypted one whatever its name.
//!
//! An encrypted workbook is refused with one error ([`SheetError::Encrypted`]) however it is
//! named: an encrypted XLSX, XLSM or XLSB is an OLE compound file holding an
//! `EncryptedPackage` stream; an encrypted XLS has a FILEPASS record (also what the default
//! password, "VelvetSweatshop", that a spreadsheet opens without asking looks like); an
//! encrypted ODS is a zip whose manifest holds `manifest:encryption-data`.
//!
//! Not told: an XLS obfuscated with the XOR method of Excel 95 (calamine reads its FILEPASS
//! as no encryption at all).
//!
//! An XLS is checked before calamine opens it, which parses every sheet at once: its
//! compound file is read by [`compound`], and a sheet calamine would take more than
//! [`super::MAX_CELLS`] cells for is refused ([`xls_extent`]). calamine's compound-file and
//! BIFF code may still panic on a damaged file: every call into it here runs under
//! [`guarded`], which turns a panic into a refusal of the file.

use std::cell::Cell;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, UnwindSafe};
use std::path::Path;
use std::sync::Once;

use calamine::{Reader, Sheets, Xls, XlsError, Xlsx, XlsxError};

use super::super::SheetError;
use super::{compound, xls_book, xls_extent};

/// An OLE compound file (XLS, and every encrypted OOXML workbook).
const COMPOUND: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// A zip archive (XLSX, XLSM, XLSB, ODS).
const ZIP: &[u8] = b"PK\x03\x04";

/// A workbook opened over borrowed bytes.
pub(super) type Workbook<'a> = Sheets<Cursor<&'a [u8]>>;

/// Whether `bytes` are an encrypted workbook, of any of the formats sleipnir reads.
pub(in crate::sheet) fn is_encrypted(bytes: &[u8]) -> bool {
    if bytes.starts_with(COMPOUND) {
        // calamine's own test (a FILEPASS of a type other than 0 in the globals), without
        // parsing the sheets.
        return encrypted_package(bytes)
            || compound::stream(bytes, &["Workbook", "Book"])
                .is_some_and(|stream| xls_book::globals(&stream).encrypted);
    }
    bytes.starts_with(ZIP) && encrypted_ods(bytes)
}

/// Open the workbook in `bytes` by its content: an encrypted one is refused, an XLS is
/// opened as such (so that its encryption is told apart from a broken file), anything else
/// as calamine recognises it.
pub(super) fn open<'a>(path: &Path, bytes: &'a [u8]) -> Result<Workbook<'a>, SheetError> {
    let unreadable = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    let encrypted = || SheetError::Encrypted(path.to_path_buf());
    if bytes.starts_with(COMPOUND) {
        if encrypted_package(bytes) {
            return Err(encrypted());
        }
        let stream = compound::stream(bytes, &["Workbook", "Book"]).ok_or_else(|| {
            unreadable(
                "it is an OLE compound file whose workbook stream cannot be read (the file is \
                 damaged or cut short); open it in a spreadsheet and save it again"
                    .to_string(),
            )
        })?;
        let globals = xls_book::globals(&stream);
        if globals.encrypted {
            return Err(encrypted());
        }
        xls_extent::check(path, &globals, &stream)?;
        return match guarded(|| Xls::new(Cursor::new(bytes))).map_err(&unreadable)? {
            Ok(xls) => Ok(Sheets::Xls(xls)),
            Err(XlsError::Password) => Err(encrypted()),
            Err(e) => Err(unreadable(e.to_string())),
        };
    }
    if bytes.starts_with(ZIP) && encrypted_ods(bytes) {
        return Err(encrypted());
    }
    guarded(|| calamine::open_workbook_auto_from_rs(Cursor::new(bytes)))
        .map_err(&unreadable)?
        .map_err(|e| unreadable(e.to_string()))
}

/// An encrypted OOXML package: calamine's XLSX reader finds the `EncryptedPackage` stream
/// before it looks for a zip.
fn encrypted_package(bytes: &[u8]) -> bool {
    guarded(|| matches!(Xlsx::new(Cursor::new(bytes)), Err(XlsxError::Password))).unwrap_or(false)
}

thread_local! {
    /// Whether this thread is inside [`guarded`], where a panic is a refusal, not a bug to
    /// report.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Run `read` (a call into calamine), turning a panic into the message of a damaged file.
/// The panic's report is kept off the terminal: the refusal says it.
pub(super) fn guarded<T>(read: impl FnOnce() -> T + UnwindSafe) -> Result<T, String> {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                report(info);
            }
        }));
    });
    let outer = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(read);
    GUARDED.with(|g| g.set(outer));
    result.map_err(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!(
            "it is damaged or cut short (the reader stopped: {what}); open it in a \
             spreadsheet and save it again"
        )
    })
}

/// [`guarded`] for a call that borrows a workbook mutably.
pub(super) fn guarded_mut<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    guarded(AssertUnwindSafe(read))
}

/// An ODS whose manifest lists encrypted parts (the ODS reader's own check).
fn encrypted_ods(bytes: &[u8]) -> bool {
    super::super::ods::ods_encrypted(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn an_ods_is_encrypted_when_its_manifest_lists_encryption_data() {
        let entry = |inside: &str| {
            format!(
                "<manifest:manifest><manifest:file-entry manifest:full-path=\"content.xml\">\
                 {inside}</manifest:file-entry></manifest:manifest>"
            )
        };
        let encrypted = entry("<manifest:encryption-data manifest:checksum-type=\"SHA1/1K\"/>");
        let ods = "application/vnd.oasis.opendocument.spreadsheet";
        assert!(is_encrypted(&zip_of(&[
            ("mimetype", ods),
            ("META-INF/manifest.xml", &encrypted)
        ])));
        assert!(!is_encrypted(&zip_of(&[
            ("mimetype", ods),
            ("META-INF/manifest.xml", &entry(""))
        ])));
        assert!(!is_encrypted(&zip_of(&[(
            "xl/workbook.xml",
            "<workbook/>"
        )])));
    }

    #[test]
    fn text_and_broken_files_are_not_encrypted_workbooks() {
        assert!(!is_encrypted(b"userId,user.extension\n"));
        assert!(!is_encrypted(b"PK\x03\x04 not really a zip"));
        assert!(!is_encrypted(
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not really a compound file"
        ));
    }
}
