//! A workbook number as its cell's number format shows it, the same for every workbook
//! format: each format's reader says which format code (or built-in format) a style has,
//! and [`number`] gives the [`Cell`] the grid keeps.

use super::super::numfmt::{self, NumberFormat};
use super::super::{Cell, Formatted, format_number};
use super::Placed;

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

/// `cells` (in row order) with each number whose style shows it otherwise (`numbers`:
/// zero-based row and column, and the style's position in `displays`) as its style shows
/// it. Dates calamine read as dates stay dates.
pub(super) fn styled(
    mut cells: Vec<Placed>,
    mut numbers: Vec<(u32, u32, u32)>,
    displays: &mut [Display],
) -> Vec<Placed> {
    if numbers.is_empty() {
        return cells;
    }
    numbers.sort_by_key(|(row, column, _)| (*row, *column));
    for (row, column, value) in &mut cells {
        let Cell::Number(n) = value else {
            continue;
        };
        if let Ok(i) = numbers.binary_search_by_key(&(*row, *column), |(r, c, _)| (*r, *c)) {
            *value = number(displays.get_mut(numbers[i].2 as usize), *n);
        }
    }
    cells
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
    fn numbers_take_their_style_s_format_and_other_cells_stay() {
        let mut displays = vec![
            Display::of(Some(0), None),
            Display::of(Some(164), Some("0000")),
        ];
        let cells = vec![
            (0, 0, Cell::Number(123.0)),
            (0, 1, Cell::Number(123.0)),
            (1, 0, Cell::Date("2026-01-12".into())),
            (1, 1, Cell::Number(4.0)),
        ];
        let numbers = vec![(1, 0, 1), (0, 1, 1), (1, 1, 0)];
        let read = styled(cells, numbers, &mut displays);
        assert_eq!(read[0].2, Cell::Number(123.0));
        let Cell::Formatted(padded) = &read[1].2 else {
            panic!("formatted: {:?}", read[1]);
        };
        assert_eq!(padded.shown.as_deref(), Some("0123"));
        assert_eq!(read[2].2, Cell::Date("2026-01-12".into()));
        assert_eq!(read[3].2, Cell::Number(4.0));
    }
}
