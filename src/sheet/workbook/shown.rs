//! A workbook number or text as its cell's number format shows it, the same for every
//! workbook format: each format's reader says which format code (or built-in format) a
//! style has, and [`number`] and [`text`] give the [`Cell`] the grid keeps. XLS and XLSB
//! read their cells through [`Through`], with each cell's style found by its position.

use super::super::numfmt::{self, NumberFormat, ReadAsShown, ReadAsShownCells};
use super::super::{Cell, Formatted, FormattedText, format_number};
use crate::problem::column_letter;

/// How a style shows a number.
#[derive(Debug)]
pub(super) enum Display {
    /// As it is (`General`, `@`, no format).
    Plain,
    /// Through a format code, read when a number first needs it.
    Code {
        code: String,
        format: Option<NumberFormat>,
    },
    /// Through a built-in format whose code depends on the spreadsheet's locale (ids 5–8,
    /// 23–36, 50–163 without a code in the file): not something to guess.
    Unknown(String),
}

impl Display {
    /// The display of format `id` whose code is `code`: the code the file gives for it, or
    /// where it gives none, the code of the built-in format `id` ([`builtin`]).
    pub fn of(id: Option<u32>, code: Option<&str>) -> Display {
        let code = code.or_else(|| id.and_then(builtin));
        match (code, id) {
            (Some(code), _) if numfmt::is_general(code) => Display::Plain,
            (Some(code), _) => Display::Code {
                code: code.to_string(),
                format: None,
            },
            (None, None | Some(0)) => Display::Plain,
            (None, Some(id)) => Display::Unknown(format!("built-in number format {id}")),
        }
    }

    /// Whether numbers show as they are.
    pub fn is_plain(&self) -> bool {
        matches!(self, Display::Plain)
    }
}

/// The code of built-in number format `id` (ECMA-376 18.8.30, the same ids in XLS and
/// XLSB), where it does not depend on the locale.
pub(super) fn builtin(id: u32) -> Option<&'static str> {
    Some(match id {
        0 => "General",
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "mm-dd-yy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yy h:mm",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        41 => r#"_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)"#,
        42 => r#"_($* #,##0_);_($* (#,##0);_($* "-"_);_(@_)"#,
        43 => r#"_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)"#,
        44 => r#"_($* #,##0.00_);_($* (#,##0.00);_($* "-"??_);_(@_)"#,
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}

/// A number cell as its style shows it: a [`Cell::Number`] where that is the number as
/// [`format_number`] prints it, else a [`Cell::Formatted`].
pub(super) fn number(display: Option<&mut Display>, value: f64) -> Cell {
    let (shown, code) = match display {
        None | Some(Display::Plain) => return Cell::Number(value),
        Some(Display::Code { code, format }) => {
            let format = format.get_or_insert_with(|| NumberFormat::parse(code));
            (format.render(value), code.clone())
        }
        Some(Display::Unknown(label)) => (None, label.clone()),
    };
    if shown.as_deref() == Some(format_number(value).as_str()) {
        return Cell::Number(value);
    }
    Cell::Formatted(Box::new(Formatted {
        value,
        shown,
        format: code,
    }))
}

/// A text cell as its style shows it.
pub(super) enum Text {
    /// As stored, or a [`Cell::FormattedText`] where the format shows nothing or what
    /// sleipnir cannot render.
    Cell(Cell),
    /// As the format shows it, otherwise than stored (its cell left to name).
    AsShown(Cell, ReadAsShown),
}

/// A text cell through its style's format: as typed where the format has no text section,
/// as shown where sleipnir renders the section (`"+"@`), refused where it shows nothing
/// (`;;;`) or what sleipnir cannot render. (The rule XLSX text cells follow.)
pub(super) fn text(display: Option<&mut Display>, stored: &str) -> Text {
    let as_stored = Cell::text(stored);
    let (Some(Display::Code { code, format }), Cell::Text(typed)) = (display, &as_stored) else {
        return Text::Cell(as_stored);
    };
    let format = format.get_or_insert_with(|| NumberFormat::parse(code));
    let refused = |shown: Option<String>| {
        Text::Cell(Cell::FormattedText(Box::new(FormattedText {
            text: typed.clone(),
            shown,
            format: code.clone(),
        })))
    };
    match format.render_text(stored).map(|shown| Cell::text(&shown)) {
        None => refused(None),
        Some(Cell::Text(shown)) if shown == *typed => Text::Cell(as_stored),
        Some(Cell::Text(shown)) => Text::AsShown(
            Cell::Text(shown.clone()),
            ReadAsShown {
                cell: String::new(),
                stored: typed.clone(),
                shown,
                format: code.clone(),
            },
        ),
        Some(_) => refused(Some(String::new())),
    }
}

/// A cell's value as the workbook stores it, before its style is applied.
pub(super) enum Stored<'a> {
    Number(f64),
    Text(&'a str),
    /// Anything else (a boolean, an error, a date calamine read as one), kept as it is.
    Other(Cell),
}

/// Cells read through their styles: the styles' displays, the style of each cell whose
/// style shows something otherwise than it is stored, and the texts read as shown.
pub(super) struct Through<'a> {
    displays: &'a mut [Display],
    /// Zero-based row and column, and the style's position in `displays`; sorted.
    styles: Vec<(u32, u32, u32)>,
    /// The text cells read as their format shows them, for the warning.
    pub as_shown: ReadAsShownCells,
}

impl<'a> Through<'a> {
    /// Cells whose styles are `styles` (zero-based row and column, and the style's
    /// position in `displays`, in any order); other cells show as stored.
    pub fn new(displays: &'a mut [Display], mut styles: Vec<(u32, u32, u32)>) -> Through<'a> {
        styles.sort_unstable_by_key(|(row, column, _)| (*row, *column));
        Through {
            displays,
            styles,
            as_shown: ReadAsShownCells::default(),
        }
    }

    /// The cell at zero-based `row`, `column` that stores `stored`, as its style shows it.
    pub fn cell(&mut self, row: u32, column: u32, stored: Stored<'_>) -> Cell {
        let display = self
            .styles
            .binary_search_by_key(&(row, column), |(r, c, _)| (*r, *c))
            .ok()
            .and_then(|i| self.displays.get_mut(self.styles[i].2 as usize));
        match stored {
            Stored::Number(value) => number(display, value),
            Stored::Text(stored) => match text(display, stored) {
                Text::Cell(cell) => cell,
                Text::AsShown(cell, read) => {
                    self.as_shown.add(1, || ReadAsShown {
                        cell: format!("{}{}", column_letter(column as usize), row + 1),
                        ..read
                    });
                    cell
                }
            },
            Stored::Other(cell) => cell,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(code: &str) -> Display {
        Display::of(None, Some(code))
    }

    #[test]
    fn a_number_is_formatted_only_where_its_format_shows_it_otherwise() {
        assert_eq!(number(Some(&mut code("0")), 1001.0), Cell::Number(1001.0));
        assert_eq!(number(None, 7.0), Cell::Number(7.0));
        let Cell::Formatted(padded) = number(Some(&mut code("0000")), 123.0) else {
            panic!("formatted");
        };
        assert_eq!(padded.shown.as_deref(), Some("0123"));
        assert_eq!(padded.format, "0000");
        let Cell::Formatted(fraction) = number(Some(&mut code("# ?/?")), 0.5) else {
            panic!("formatted");
        };
        assert_eq!(fraction.shown, None);
        let Cell::Formatted(locale) = number(Some(&mut Display::of(Some(5), None)), 5.0) else {
            panic!("formatted");
        };
        assert_eq!(
            (locale.shown, locale.format.as_str()),
            (None, "built-in number format 5")
        );
    }

    #[test]
    fn built_in_formats_without_a_code_in_the_file_are_known_or_unknown() {
        assert!(Display::of(Some(0), None).is_plain());
        assert!(Display::of(None, None).is_plain());
        assert!(Display::of(Some(49), None).is_plain());
        assert!(Display::of(Some(164), Some("General")).is_plain());
        let Cell::Formatted(thousands) = number(Some(&mut Display::of(Some(3), None)), 1234.0)
        else {
            panic!("formatted");
        };
        assert_eq!(thousands.shown.as_deref(), Some("1,234"));
        // The file's own code for a built-in id wins over the table.
        assert!(matches!(
            Display::of(Some(5), Some("0000")),
            Display::Code { code, .. } if code == "0000"
        ));
        assert!(matches!(Display::of(Some(7), None), Display::Unknown(_)));
    }

    #[test]
    fn cells_take_their_style_s_format_and_other_cells_stay() {
        let mut displays = vec![
            Display::of(Some(0), None),
            Display::of(Some(164), Some("0000")),
            Display::of(Some(165), Some("0;-0;0;\"+\"@")),
            Display::of(Some(166), Some(";;;")),
        ];
        let styles = vec![
            (1, 0, 1),
            (0, 1, 1),
            (1, 1, 0),
            (2, 0, 2),
            (2, 1, 2),
            (3, 0, 3),
        ];
        let mut through = Through::new(&mut displays, styles);
        assert_eq!(
            through.cell(0, 0, Stored::Number(123.0)),
            Cell::Number(123.0)
        );
        let Cell::Formatted(padded) = through.cell(0, 1, Stored::Number(123.0)) else {
            panic!("formatted");
        };
        assert_eq!(padded.shown.as_deref(), Some("0123"));
        let date = Stored::Other(Cell::Date("2026-01-12".into()));
        assert_eq!(through.cell(1, 0, date), Cell::Date("2026-01-12".into()));
        assert_eq!(through.cell(1, 1, Stored::Number(4.0)), Cell::Number(4.0));
        assert_eq!(
            through.cell(1, 0, Stored::Text(" Name1 ")),
            Cell::Text("Name1".into())
        );
        assert_eq!(
            through.cell(2, 0, Stored::Text("15551234567")),
            Cell::Text("+15551234567".into())
        );
        assert_eq!(
            through.cell(2, 1, Stored::Text("1555")),
            Cell::Text("+1555".into())
        );
        let Cell::FormattedText(blank) = through.cell(3, 0, Stored::Text("Name2")) else {
            panic!("refused");
        };
        assert_eq!(
            (blank.shown.as_deref(), blank.format.as_str()),
            (Some(""), ";;;")
        );
        assert_eq!(through.cell(3, 0, Stored::Text("  ")), Cell::Empty);
        let warning = through.as_shown.warning().expect("a warning");
        assert!(
            warning.starts_with("the text in 2 cells is read as their format shows it"),
            "{warning}"
        );
        assert!(
            warning.contains("A3 shows `+15551234567` for `15551234567`"),
            "{warning}"
        );
        assert!(warning.contains("B3 shows `+1555` for `1555`"), "{warning}");
    }

    #[test]
    fn a_text_is_read_as_its_format_shows_it_or_refused() {
        let cell = |display: Option<&mut Display>, stored: &str| match text(display, stored) {
            Text::Cell(cell) => (cell, None),
            Text::AsShown(cell, read) => (cell, Some(read.shown)),
        };
        assert_eq!(cell(None, " Name1 "), (Cell::Text("Name1".into()), None));
        assert_eq!(
            cell(Some(&mut code("0000")), "Name1").0,
            Cell::Text("Name1".into())
        );
        assert_eq!(
            cell(Some(&mut Display::Plain), "Name1").0,
            Cell::Text("Name1".into())
        );
        let Cell::FormattedText(unknown) = cell(Some(&mut code("0;@")), "x").0 else {
            panic!("refused");
        };
        assert_eq!((unknown.shown, unknown.format.as_str()), (None, "0;@"));
    }
}
