//! Writing the exported sheet: rows streamed into a temporary file beside the output,
//! renamed into place only when complete, so a failed or interrupted export leaves nothing.
//!
//! XLSX: constant-memory worksheet (rows go to disk as written), header frozen and bold,
//! autofilter, widths by type, text format on text columns, a TRUE/FALSE list on boolean
//! columns, and an `About` worksheet after the data. CSV: UTF-8 with BOM.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};
use tempfile::NamedTempFile;

use super::{ExportCell, ExportColumn, ExportError, IDENTITY_COLUMNS, SheetFormat};
use crate::schema::FieldType;

/// What the `About` worksheet says.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// The Odin base URL.
    pub target: String,
    /// The selection, as flags.
    pub selection: String,
    /// When the export started (UTC, RFC 3339).
    pub time: String,
    /// Users written.
    pub users: usize,
}

/// An export being written.
pub struct SheetWriter {
    out: PathBuf,
    force: bool,
    temp: NamedTempFile,
    kind: Kind,
    rows: u32,
}

enum Kind {
    Xlsx {
        workbook: Box<Workbook>,
        text: Format,
        columns: Vec<FieldType>,
    },
    Csv(csv::Writer<BufWriter<File>>),
}

impl SheetWriter {
    /// Check the output and start writing: refuses an existing file without `force`, an
    /// unknown extension, and a directory that cannot be written, before anything is read.
    pub fn create(
        out: &Path,
        columns: &[ExportColumn],
        force: bool,
    ) -> Result<SheetWriter, ExportError> {
        let format = format_of(out)?;
        if out.exists() && !force {
            return Err(ExportError::Exists(out.to_path_buf()));
        }
        let dir = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let unwritable = |e: std::io::Error| ExportError::Write {
            path: dir.to_path_buf(),
            message: e.to_string(),
        };
        let temp = tempfile::Builder::new()
            .prefix(".sleipnir-export-")
            .tempfile_in(dir)
            .map_err(unwritable)?;
        let mut titles: Vec<String> = IDENTITY_COLUMNS.iter().map(|s| s.to_string()).collect();
        titles.extend(columns.iter().map(ExportColumn::title));
        let kind = match format {
            SheetFormat::Csv => {
                let file = temp.reopen().map_err(unwritable)?;
                let mut file = BufWriter::new(file);
                file.write_all(b"\xEF\xBB\xBF").map_err(unwritable)?;
                let mut writer = csv::Writer::from_writer(file);
                writer
                    .write_record(&titles)
                    .map_err(|e| write_error(out, e))?;
                Kind::Csv(writer)
            }
            SheetFormat::Xlsx => {
                let types: Vec<FieldType> = [FieldType::Text; 3]
                    .into_iter()
                    .chain(columns.iter().map(|c| c.ty))
                    .collect();
                let (workbook, text) =
                    xlsx_start(dir, &titles, &types).map_err(|e| write_error(out, e))?;
                Kind::Xlsx {
                    workbook: Box::new(workbook),
                    text,
                    columns: types,
                }
            }
        };
        Ok(SheetWriter {
            out: out.to_path_buf(),
            force,
            temp,
            kind,
            rows: 0,
        })
    }

    /// Append one user: the identity columns, then one cell per column.
    pub fn row(&mut self, identity: [&str; 3], cells: &[ExportCell]) -> Result<(), ExportError> {
        self.rows += 1;
        let out = &self.out;
        match &mut self.kind {
            Kind::Csv(writer) => {
                let record = identity
                    .iter()
                    .map(|s| s.to_string())
                    .chain(cells.iter().map(ExportCell::as_text));
                writer.write_record(record).map_err(|e| write_error(out, e))
            }
            Kind::Xlsx { workbook, text, .. } => {
                let sheet = workbook
                    .worksheet_from_index(0)
                    .map_err(|e| write_error(out, e))?;
                let row = self.rows;
                let all = identity
                    .iter()
                    .map(|s| ExportCell::Text(s.to_string()))
                    .chain(cells.iter().cloned());
                for (col, cell) in all.enumerate() {
                    let col = col as u16;
                    let written = match &cell {
                        ExportCell::Blank => Ok(&mut *sheet),
                        ExportCell::Text(s) => sheet.write_string_with_format(row, col, s, text),
                        ExportCell::Bool(b) => sheet.write_boolean(row, col, *b),
                        ExportCell::Number(n) => sheet.write_number(row, col, *n),
                    };
                    written.map_err(|e| write_error(out, e))?;
                }
                Ok(())
            }
        }
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows as usize
    }

    /// Finish the file, add the `About` worksheet (XLSX), and move it into place.
    pub fn finish(self, about: &About) -> Result<(), ExportError> {
        let SheetWriter {
            out,
            force,
            mut temp,
            kind,
            rows,
        } = self;
        match kind {
            Kind::Csv(writer) => {
                let mut file = writer
                    .into_inner()
                    .map_err(|e| write_error(&out, e.error()))?;
                file.flush().map_err(|e| write_error(&out, e))?;
            }
            Kind::Xlsx {
                mut workbook,
                columns,
                ..
            } => {
                xlsx_finish(&mut workbook, &columns, rows, about)
                    .and_then(|()| workbook.save_to_writer(temp.as_file_mut()))
                    .map_err(|e| write_error(&out, e))?;
            }
        }
        temp.as_file()
            .sync_all()
            .map_err(|e| write_error(&out, e))?;
        // A temporary file is private (0600); the export is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let readable = std::fs::Permissions::from_mode(0o644);
            std::fs::set_permissions(temp.path(), readable).map_err(|e| write_error(&out, e))?;
        }
        let persisted = if force {
            temp.persist(&out).map(|_| ())
        } else {
            temp.persist_noclobber(&out).map(|_| ())
        };
        persisted.map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                ExportError::Exists(out.clone())
            } else {
                write_error(&out, e.error)
            }
        })
    }
}

fn format_of(out: &Path) -> Result<SheetFormat, ExportError> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx") => Ok(SheetFormat::Xlsx),
        Some("csv") => Ok(SheetFormat::Csv),
        _ => Err(ExportError::UnknownFormat(out.to_path_buf())),
    }
}

fn write_error(path: &Path, error: impl std::fmt::Display) -> ExportError {
    ExportError::Write {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

fn xlsx_start(
    dir: &Path,
    titles: &[String],
    types: &[FieldType],
) -> Result<(Workbook, Format), XlsxError> {
    let mut workbook = Workbook::new();
    // Constant-memory rows go to a temporary file: beside the output, not in a RAM /tmp.
    workbook.set_tempdir(dir)?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Users")?;
    for (col, (title, ty)) in titles.iter().zip(types).enumerate() {
        let col = col as u16;
        let typical = match ty {
            FieldType::Bool | FieldType::BoolText => 8,
            FieldType::Integer | FieldType::Number => 10,
            FieldType::List | FieldType::Object => 40,
            _ => 20,
        };
        sheet.set_column_width(col, (title.len().max(typical) + 2).min(60) as f64)?;
        if matches!(
            ty,
            FieldType::Text | FieldType::Any | FieldType::List | FieldType::Object
        ) {
            sheet.set_column_format(col, &text)?;
        }
        sheet.write_string_with_format(0, col, title, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok((workbook, text))
}

fn xlsx_finish(
    workbook: &mut Workbook,
    types: &[FieldType],
    rows: u32,
    about: &About,
) -> Result<(), XlsxError> {
    let sheet = workbook.worksheet_from_index(0)?;
    let last_col = types.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, rows.max(1), last_col)?;
    let booleans = DataValidation::new()
        .allow_list_strings(&["TRUE", "FALSE"])?
        .set_error_message("TRUE or FALSE; leave the cell blank to leave the field as it is")?;
    for (col, ty) in types.iter().enumerate() {
        if matches!(ty, FieldType::Bool | FieldType::BoolText) {
            sheet.add_data_validation(1, col as u16, rows.max(1), col as u16, &booleans)?;
        }
    }
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("About")?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 90)?;
    let lines: [(&str, String); 11] = [
        (
            "Exported by",
            format!("sleipnir {}", env!("CARGO_PKG_VERSION")),
        ),
        ("Target", about.target.clone()),
        ("Selection", about.selection.clone()),
        ("Time (UTC)", about.time.clone()),
        ("Users", about.users.to_string()),
        ("", String::new()),
        (
            "Cells",
            "blank = leave the field as it is (unset, or service not assigned)".into(),
        ),
        ("<empty>", "the empty string".into()),
        ("<null>", "remove the value (JSON null)".into()),
        (
            "json:…",
            "a JSON value: lists, objects, and text that would otherwise be misread".into(),
        ),
        (
            "TRUE/FALSE",
            "booleans; other cells are text or numbers as the field is".into(),
        ),
    ];
    for (row, (key, value)) in lines.iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, *key, &bold)?;
        sheet.write_string(row as u32, 1, value)?;
    }
    sheet.write_string(
        lines.len() as u32 + 1,
        0,
        "Edit the first worksheet, then `sleipnir plan FILE --target URL` shows exactly the edited cells.",
    )?;
    Ok(())
}
