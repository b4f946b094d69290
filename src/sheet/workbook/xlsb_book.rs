//! What an XLSB workbook's own parts say that calamine does not pass on: the active tab
//! (`itabCur` of the first BrtBookView of `xl/workbook.bin`, a position among its
//! BrtBundleSh records, hidden sheets included), the part that holds each sheet (each
//! BrtBundleSh's relationship id, through `xl/_rels/workbook.bin.rels`), and how each cell
//! style shows a number (`xl/styles.bin`: BrtFmt codes and the number format of each BrtXF
//! after BrtBeginCellXFs).

use std::io::{Read, Seek};

use zip::ZipArchive;

use super::shown::Display;
use super::xlsb_records::{record, u16_at, u32_at, wide_string};
use super::xlsx_book::{open, relationships, resolve};

/// BrtBookView: a window on the workbook, with its active tab.
const BOOK_VIEW: u16 = 158;
/// BrtBundleSh: one sheet.
const SHEET: u16 = 156;
/// BrtEndBundleShs: the end of the sheets.
const END_SHEETS: u16 = 144;
/// BrtFmt: a number format's id and code.
const FORMAT: u16 = 0x002C;
/// BrtXF: a cell or style format.
const XF: u16 = 0x002F;
/// BrtBeginCellXFs and BrtEndCellXFs: the cell formats cells name by position.
const CELL_XFS: u16 = 0x0269;
const END_CELL_XFS: u16 = 0x026A;

/// The most a workbook or styles part is read to: they hold names, views and styles, and
/// a bound keeps a hostile one from costing.
const SMALL_PART: u64 = 64 << 20;

/// The workbook's facts, each left at its default where its part does not say.
#[derive(Debug, Default)]
pub(super) struct BookFacts {
    /// The active sheet's name.
    pub active: Option<String>,
    /// Each sheet's name and the package part that holds it.
    pub parts: Vec<(String, String)>,
    /// How each cell style shows a number, by position.
    pub displays: Vec<Display>,
}

/// Read the workbook and styles parts of the XLSB package in `archive`.
pub(super) fn facts<R: Read + Seek>(archive: &mut ZipArchive<R>) -> BookFacts {
    let targets = relationships(archive, "xl/_rels/workbook.bin.rels");
    let workbook = read_part(archive, "xl/workbook.bin").unwrap_or_default();
    let (active, sheets) = sheets(&workbook).unwrap_or_default();
    let parts = sheets
        .into_iter()
        .map(|(name, id)| {
            let target = targets
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, target)| resolve("xl", target))
                .unwrap_or_default();
            (name, target)
        })
        .collect();
    let styles = read_part(archive, "xl/styles.bin").unwrap_or_default();
    BookFacts {
        active,
        parts,
        displays: displays(&styles),
    }
}

fn read_part<R: Read + Seek>(archive: &mut ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    open(archive, name)?
        .take(SMALL_PART)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Each sheet's name and relationship id (empty where it has none).
type Sheets = Vec<(String, String)>;

/// The active sheet's name and the sheets, from the records of a workbook part.
fn sheets(records: &[u8]) -> Option<(Option<String>, Sheets)> {
    let mut at = 0;
    let mut current = None;
    let mut sheets = Vec::new();
    while let Some((kind, data)) = record(records, &mut at) {
        match kind {
            BOOK_VIEW if current.is_none() => current = Some(u32_at(data, 24)? as usize),
            SHEET => sheets.push(sheet(data)?),
            END_SHEETS => break,
            _ => {}
        }
    }
    let active = current
        .and_then(|i| sheets.get(i))
        .map(|(name, _)| name.clone());
    Some((active, sheets))
}

/// The name and relationship id of a BrtBundleSh: after its state and tab id, the id (a
/// nullable UTF-16 string: a count of `u32::MAX` for none), then the name.
fn sheet(data: &[u8]) -> Option<(String, String)> {
    let (id, name_at) = match u32_at(data, 8)? {
        u32::MAX => (String::new(), 12),
        _ => wide_string(data, 8)?,
    };
    Some((wide_string(data, name_at)?.0, id))
}

/// How each cell format of a styles part shows a number.
fn displays(records: &[u8]) -> Vec<Display> {
    let mut at = 0;
    let mut codes: Vec<(u16, String)> = Vec::new();
    let mut formats: Vec<u16> = Vec::new();
    let mut in_cell_formats = false;
    while let Some((kind, data)) = record(records, &mut at) {
        match kind {
            FORMAT => {
                if let (Some(id), Some((code, _))) = (u16_at(data, 0), wide_string(data, 2)) {
                    codes.push((id, code));
                }
            }
            CELL_XFS => in_cell_formats = true,
            XF if in_cell_formats => formats.push(u16_at(data, 2).unwrap_or(0)),
            END_CELL_XFS => break,
            _ => {}
        }
    }
    formats
        .into_iter()
        .map(|id| {
            let code = codes.iter().rev().find(|(i, _)| *i == id);
            Display::of(Some(u32::from(id)), code.map(|(_, c)| c.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::xlsb_records::{encode as record, encode_wide as wide};
    use super::*;

    fn sheet(state: u32, relationship: Option<&str>, name: &str) -> Vec<u8> {
        let mut data = state.to_le_bytes().to_vec();
        data.extend(1u32.to_le_bytes());
        match relationship {
            Some(id) => data.extend(wide(id)),
            None => data.extend(u32::MAX.to_le_bytes()),
        }
        data.extend(wide(name));
        record(SHEET, &data)
    }

    fn view(active: u32) -> Vec<u8> {
        let mut data = vec![0u8; 24];
        data.extend(active.to_le_bytes());
        data.extend([0u8; 5]);
        record(BOOK_VIEW, &data)
    }

    #[test]
    fn the_active_tab_is_named_among_all_sheets_with_each_sheet_s_relationship() {
        let mut records = record(0x83, &[]);
        records.extend(view(2));
        records.extend(view(0));
        records.extend(sheet(1, Some("rId1"), "Old wave (do not use)"));
        records.extend(sheet(0, None, "Without a part"));
        records.extend(sheet(0, Some("rId2"), "Users"));
        records.extend(record(END_SHEETS, &[]));
        // A record past 127 bytes takes a two-byte length.
        records.extend(record(0x99, &[0u8; 300]));
        let (active, sheets) = super::sheets(&records).unwrap();
        assert_eq!(active.as_deref(), Some("Users"));
        assert_eq!(
            sheets,
            vec![
                ("Old wave (do not use)".to_string(), "rId1".to_string()),
                ("Without a part".to_string(), String::new()),
                ("Users".to_string(), "rId2".to_string()),
            ]
        );
    }

    #[test]
    fn no_view_or_a_tab_past_the_sheets_names_none() {
        let records = [sheet(0, Some("rId1"), "A"), record(END_SHEETS, &[])].concat();
        assert_eq!(super::sheets(&records).unwrap().0, None);
        let records = [view(5), sheet(0, Some("rId1"), "A")].concat();
        assert_eq!(super::sheets(&records).unwrap().0, None);
        assert_eq!(super::sheets(&[0x9E]).unwrap().0, None);
    }

    #[test]
    fn cell_formats_show_numbers_through_their_codes_and_style_formats_are_not_cells() {
        let format =
            |id: u16, code: &str| record(FORMAT, &[id.to_le_bytes().to_vec(), wide(code)].concat());
        let xf = |id: u16| {
            record(
                XF,
                &[vec![0, 0], id.to_le_bytes().to_vec(), vec![0; 12]].concat(),
            )
        };
        let styles = [
            record(0x0267, &2u32.to_le_bytes()),
            format(164, "0000"),
            format(165, "General"),
            record(0x0268, &[]),
            // Cell style formats, before the cell formats.
            record(0x0272, &1u32.to_le_bytes()),
            xf(164),
            record(0x0273, &[]),
            record(CELL_XFS, &4u32.to_le_bytes()),
            xf(0),
            xf(164),
            xf(3),
            xf(165),
            xf(7),
            record(END_CELL_XFS, &[]),
        ]
        .concat();
        let shown: Vec<String> = displays(&styles).iter().map(|d| format!("{d:?}")).collect();
        assert_eq!(shown.len(), 5, "{shown:?}");
        assert_eq!(shown[0], "Plain");
        assert!(shown[1].contains("\"0000\""), "{shown:?}");
        assert!(shown[2].contains("\"#,##0\""), "{shown:?}");
        assert_eq!(shown[3], "Plain");
        assert!(shown[4].contains("built-in number format 7"), "{shown:?}");
    }
}
