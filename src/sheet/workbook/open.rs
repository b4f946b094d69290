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

use std::io::Cursor;
use std::path::Path;

use calamine::{Reader, Sheets, Xls, XlsError, Xlsx, XlsxError};

use super::super::SheetError;

/// An OLE compound file (XLS, and every encrypted OOXML workbook).
const COMPOUND: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// A zip archive (XLSX, XLSM, XLSB, ODS).
const ZIP: &[u8] = b"PK\x03\x04";

/// A workbook opened over borrowed bytes.
pub(super) type Workbook<'a> = Sheets<Cursor<&'a [u8]>>;

/// Whether `bytes` are an encrypted workbook, of any of the formats sleipnir reads.
pub(in crate::sheet) fn is_encrypted(bytes: &[u8]) -> bool {
    if bytes.starts_with(COMPOUND) {
        return encrypted_package(bytes)
            || matches!(Xls::new(Cursor::new(bytes)), Err(XlsError::Password));
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
        return match Xls::new(Cursor::new(bytes)) {
            Ok(xls) => Ok(Sheets::Xls(xls)),
            Err(XlsError::Password) => Err(encrypted()),
            Err(e) => Err(unreadable(e.to_string())),
        };
    }
    if bytes.starts_with(ZIP) && encrypted_ods(bytes) {
        return Err(encrypted());
    }
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))
}

/// An encrypted OOXML package: calamine's XLSX reader finds the `EncryptedPackage` stream
/// before it looks for a zip.
fn encrypted_package(bytes: &[u8]) -> bool {
    matches!(Xlsx::new(Cursor::new(bytes)), Err(XlsxError::Password))
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
