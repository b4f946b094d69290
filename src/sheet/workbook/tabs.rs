//! Which worksheet of a workbook is read: the one named, else the one the person sees when
//! they open the file.
//!
//! Each format says what it can of its tabs ([`Tabs`]): their names, which are hidden and
//! which are worksheets (chart sheets hold no cells), and which was active when the file was
//! saved. [`choose`] decides from that alone, the same way for every format.

use std::path::Path;

use calamine::{SheetType, SheetVisible};

use super::super::SheetError;

/// A sheet as the workbook's tab bar lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tab {
    pub name: String,
    /// Hidden (Unhide shows it) or very hidden (only a macro does).
    pub hidden: bool,
    /// A worksheet, as opposed to a chart or dialog sheet.
    pub worksheet: bool,
}

/// A workbook's tabs in file order, and the position of the active one where the format
/// records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Tabs {
    pub tabs: Vec<Tab>,
    pub active: Option<usize>,
}

impl Tabs {
    /// The tabs calamine lists (every sheet, hidden ones included, in file order), with
    /// the active one at position `active`.
    pub fn listed(sheets: &[calamine::Sheet], active: Option<usize>) -> Tabs {
        Tabs {
            tabs: sheets
                .iter()
                .map(|sheet| Tab {
                    name: sheet.name.clone(),
                    hidden: sheet.visible != SheetVisible::Visible,
                    worksheet: matches!(sheet.typ, SheetType::WorkSheet),
                })
                .collect(),
            active,
        }
    }

    /// As [`Tabs::listed`], the active tab given by name.
    pub fn listed_with_active_name(sheets: &[calamine::Sheet], active: Option<&str>) -> Tabs {
        let position = active.and_then(|name| sheets.iter().position(|s| s.name == name));
        Tabs::listed(sheets, position)
    }
}

/// The worksheet to read, and the warning that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Chosen {
    pub name: String,
    /// Hidden worksheets passed over before it, named.
    pub warning: Option<String>,
}

/// The worksheet `wanted` (any, hidden ones too), or by default the active sheet when it is
/// a visible worksheet, else the first visible worksheet. Hidden worksheets before the one
/// read are named in a warning: they are what a reader of the first sheet would have read.
pub(super) fn choose(path: &Path, tabs: &Tabs, wanted: Option<&str>) -> Result<Chosen, SheetError> {
    let workbook_error = |message: String| SheetError::Workbook {
        path: path.to_path_buf(),
        message,
    };
    if let Some(wanted) = wanted {
        let Some(tab) = tabs.tabs.iter().find(|t| t.name == wanted) else {
            let listed: Vec<String> = tabs
                .tabs
                .iter()
                .map(|t| match t.hidden {
                    true => format!("{} (hidden)", t.name),
                    false => t.name.clone(),
                })
                .collect();
            return Err(SheetError::NoSuchWorksheet {
                path: path.to_path_buf(),
                wanted: wanted.to_string(),
                available: listed.join(", "),
                suggestion: crate::suggest::closest(
                    wanted,
                    tabs.tabs.iter().map(|t| t.name.as_str()),
                ),
            });
        };
        if !tab.worksheet {
            return Err(workbook_error(format!(
                "`{wanted}` is a chart sheet, which holds no cells; name a worksheet with \
                 --sheet"
            )));
        }
        return Ok(Chosen {
            name: tab.name.clone(),
            warning: None,
        });
    }
    let readable = |i: &usize| tabs.tabs[*i].worksheet && !tabs.tabs[*i].hidden;
    let active = tabs
        .active
        .filter(|i| *i < tabs.tabs.len())
        .filter(readable);
    let (position, which) = match active {
        Some(i) => (i, "the active sheet"),
        None => match (0..tabs.tabs.len()).find(readable) {
            Some(i) => (i, "the first visible sheet"),
            None => return Err(workbook_error(no_visible_worksheet(tabs))),
        },
    };
    let name = tabs.tabs[position].name.clone();
    let passed: Vec<String> = tabs.tabs[..position]
        .iter()
        .filter(|t| t.hidden && t.worksheet)
        .map(|t| format!("`{}`", t.name))
        .collect();
    let warning = passed_over(&passed, &name, which);
    Ok(Chosen { name, warning })
}

/// The warning for the hidden worksheets `hidden` (named in backticks) that come before
/// `read`, the sheet read without `--sheet` (`which`: "the active sheet" or "the first
/// visible sheet"): a reader of the first sheet would have read them. `None` when there are
/// none. The one wording for every format.
pub(in crate::sheet) fn passed_over(hidden: &[String], read: &str, which: &str) -> Option<String> {
    let (what, were) = match hidden.len() {
        0 => return None,
        1 => ("worksheet", "is hidden and was"),
        _ => ("worksheets", "are hidden and were"),
    };
    Some(format!(
        "{what} {} {were} not read; read `{read}`, {which}; name a hidden sheet with --sheet \
         to read it",
        hidden.join(", ")
    ))
}

fn no_visible_worksheet(tabs: &Tabs) -> String {
    let hidden: Vec<String> = tabs
        .tabs
        .iter()
        .filter(|t| t.worksheet)
        .map(|t| format!("`{}`", t.name))
        .collect();
    match hidden.is_empty() {
        true => "it has no worksheets".to_string(),
        false => format!(
            "it has no visible worksheet (hidden: {}); name the one to read with --sheet",
            hidden.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(name: &str, hidden: bool, worksheet: bool) -> Tab {
        Tab {
            name: name.into(),
            hidden,
            worksheet,
        }
    }

    fn chosen(tabs: &Tabs, wanted: Option<&str>) -> Result<Chosen, String> {
        choose(Path::new("w.xlsx"), tabs, wanted).map_err(|e| e.to_string())
    }

    #[test]
    fn the_active_visible_sheet_is_read_and_hidden_ones_before_it_named() {
        let tabs = Tabs {
            tabs: vec![
                tab("Old wave (do not use)", true, true),
                tab("Notes", false, true),
                tab("Users", false, true),
            ],
            active: Some(2),
        };
        let read = chosen(&tabs, None).unwrap();
        assert_eq!(read.name, "Users");
        assert_eq!(
            read.warning.as_deref(),
            Some(
                "worksheet `Old wave (do not use)` is hidden and was not read; read `Users`, \
                 the active sheet; name a hidden sheet with --sheet to read it"
            )
        );
    }

    #[test]
    fn without_a_visible_active_sheet_the_first_visible_worksheet_is_read() {
        let tabs = Tabs {
            tabs: vec![
                tab("Chart", false, false),
                tab("A", true, true),
                tab("B", true, true),
                tab("Users", false, true),
                tab("Later", true, true),
            ],
            active: Some(1),
        };
        let read = chosen(&tabs, None).unwrap();
        assert_eq!(read.name, "Users");
        let warning = read.warning.unwrap();
        assert!(
            warning.starts_with("worksheets `A`, `B` are hidden and were not read; read `Users`, the first visible sheet;"),
            "{warning}"
        );
        // No tab recorded as active, or one past the end: the first visible worksheet.
        for active in [None, Some(9)] {
            let tabs = Tabs {
                active,
                ..tabs.clone()
            };
            assert_eq!(chosen(&tabs, None).unwrap().name, "Users");
        }
        let plain = Tabs {
            tabs: vec![tab("Users", false, true), tab("Hidden", true, true)],
            active: None,
        };
        assert_eq!(chosen(&plain, None).unwrap().warning, None);
    }

    #[test]
    fn a_hidden_sheet_is_read_when_named_and_a_chart_sheet_never() {
        let tabs = Tabs {
            tabs: vec![tab("Old", true, true), tab("Chart", false, false)],
            active: None,
        };
        assert_eq!(chosen(&tabs, Some("Old")).unwrap().name, "Old");
        assert!(
            chosen(&tabs, Some("Chart"))
                .unwrap_err()
                .contains("chart sheet")
        );
        let missing = chosen(&tabs, Some("Olb")).unwrap_err();
        assert!(
            missing.contains("(it has: Old (hidden), Chart)"),
            "{missing}"
        );
        assert!(missing.contains("did you mean `Old`"), "{missing}");
    }

    #[test]
    fn a_workbook_without_a_visible_worksheet_is_refused() {
        let tabs = Tabs {
            tabs: vec![tab("A", true, true), tab("Chart", false, false)],
            active: Some(1),
        };
        let refused = chosen(&tabs, None).unwrap_err();
        assert!(
            refused.ends_with(
                "it has no visible worksheet (hidden: `A`); name the one to read with --sheet"
            ),
            "{refused}"
        );
        assert!(
            chosen(&Tabs::default(), None)
                .unwrap_err()
                .ends_with("it has no worksheets")
        );
    }
}
