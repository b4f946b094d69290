//! The pieces of an ODS data style (`<number:number>`, `<number:text>`, …) written as the
//! format code a spreadsheet shows for them (`0000`, `#,##0.00`, `"ext "0`, `@`), for
//! messages: ODS files give the text a number shows, so the code is only ever named, never
//! rendered.

/// A `<number:number>` (or `<number:scientific-number>`, `<number:fraction>`): its
/// attributes and the texts embedded among its digits.
#[derive(Debug, Default)]
pub(super) struct Digits {
    pub decimal_places: Option<usize>,
    pub min_decimal_places: Option<usize>,
    pub min_integer_digits: Option<usize>,
    pub grouping: bool,
    /// `number:display-factor`: 1000 for each `,` after the digits.
    pub display_factor: Option<f64>,
    /// (position counted in digits from the decimal point, text).
    pub embedded: Vec<(usize, String)>,
}

impl Digits {
    /// The code of a `<number:number>`; `General` for one with no decimal places named (how
    /// Calc writes its standard format).
    pub fn number(&self) -> String {
        let Some(places) = self.decimal_places else {
            return "General".to_string();
        };
        let mut code = self.whole();
        let shown = self.min_decimal_places.unwrap_or(places).min(places);
        if places > 0 {
            code.push('.');
            code.push_str(&"0".repeat(shown));
            code.push_str(&"#".repeat(places - shown));
        }
        let mut factor = self.display_factor.unwrap_or(1.0);
        while factor >= 1000.0 {
            code.push(',');
            factor /= 1000.0;
        }
        code
    }

    /// The code of a `<number:scientific-number>` (`0.00E+00`).
    pub fn scientific(&self, exponent_digits: usize, forced_sign: bool) -> String {
        let mut code = "0".repeat(self.min_integer_digits.unwrap_or(1).max(1));
        let places = self.decimal_places.unwrap_or(0);
        if places > 0 {
            code.push('.');
            code.push_str(&"0".repeat(places));
        }
        code.push_str(if forced_sign { "E+" } else { "E-" });
        code.push_str(&"0".repeat(exponent_digits.max(1)));
        code
    }

    /// The code of a `<number:fraction>` (`# ?/?`, `# ?/16`).
    pub fn fraction(&self, numerator: usize, denominator: Option<String>) -> String {
        let whole = match self.min_integer_digits {
            None => String::new(),
            Some(0) => "# ".to_string(),
            Some(n) => format!("{} ", "0".repeat(n)),
        };
        let denominator = denominator.unwrap_or_else(|| "?".to_string());
        format!("{whole}{}/{denominator}", "?".repeat(numerator.max(1)))
    }

    /// The whole part: `0`s for the digits always shown, `#`s before them where grouping or
    /// an embedded text needs places, `,` for grouping, embedded texts at their places.
    fn whole(&self) -> String {
        let zeros = self.min_integer_digits.unwrap_or(1);
        let farthest = self.embedded.iter().map(|(p, _)| *p).max().unwrap_or(0);
        // A text embedded before every digit needs a digit before it (`(###) ###-####`).
        let mut places = zeros.max(farthest + usize::from(farthest > 0 && farthest >= zeros));
        if self.grouping {
            places = places.max(4);
        }
        let mut code = String::new();
        for place in (1..=places).rev() {
            code.push(if place <= zeros { '0' } else { '#' });
            if self.grouping && place == 4 {
                code.push(',');
            }
            for (_, text) in self
                .embedded
                .iter()
                .filter(|(p, _)| *p == place - 1 && *p > 0)
            {
                code.push_str(&literal(text));
            }
        }
        if places == 0 {
            code.push('#');
        }
        code
    }
}

/// Text shown as it is in a code: bare where it is only signs, brackets and spaces
/// (`-`, `(`, `) `), quoted otherwise (`"ext "`).
pub(super) fn literal(text: &str) -> String {
    let bare = text
        .chars()
        .all(|c| matches!(c, '-' | '+' | '(' | ')' | '$' | ':' | '/' | ' ' | '%'));
    match bare || text.is_empty() {
        true => text.to_string(),
        false => format!("\"{text}\""),
    }
}

/// A colour as a code names it (`[RED]`); nothing for a colour no code names.
pub(super) fn colour(hex: &str) -> &'static str {
    match hex.to_ascii_lowercase().as_str() {
        "#000000" => "[BLACK]",
        "#0000ff" => "[BLUE]",
        "#00ffff" => "[CYAN]",
        "#00ff00" => "[GREEN]",
        "#ff00ff" => "[MAGENTA]",
        "#ff0000" => "[RED]",
        "#ffffff" => "[WHITE]",
        "#ffff00" => "[YELLOW]",
        _ => "",
    }
}

/// The code of a date or time part (`<number:year number:style="long"/>` is `yyyy`);
/// `None` for a part no code writes the same way (eras, weeks, quarters).
pub(super) fn date_part(part: &str, long: bool, textual: bool, elapsed: bool) -> Option<String> {
    let pick = |short: &str, long_form: &str| match long {
        true => long_form.to_string(),
        false => short.to_string(),
    };
    let code = match part {
        "day" => pick("d", "dd"),
        "month" if textual => pick("mmm", "mmmm"),
        "month" => pick("m", "mm"),
        "year" => pick("yy", "yyyy"),
        "day-of-week" => pick("ddd", "dddd"),
        "hours" if elapsed => pick("[h]", "[hh]"),
        "hours" => pick("h", "hh"),
        "minutes" => pick("m", "mm"),
        "seconds" => pick("s", "ss"),
        "am-pm" => "AM/PM".to_string(),
        _ => return None,
    };
    Some(code)
}

/// The sections of a style with conditional maps: each map's section behind its condition
/// (left out where it is the one a code implies: `>0` or `>=0` first, `<0` second, `=0`
/// third), then the style's own.
pub(super) fn with_maps(maps: &[(String, String)], own: &str) -> String {
    let mut sections: Vec<String> = maps
        .iter()
        .enumerate()
        .map(|(i, (condition, section))| {
            let implied = matches!(
                (i, condition.as_str()),
                (0, ">0" | ">=0") | (1, "<0") | (2, "=0")
            );
            match implied {
                true => section.clone(),
                false => format!("[{condition}]{section}"),
            }
        })
        .collect();
    sections.push(own.to_string());
    sections.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(places: Option<usize>, zeros: usize, grouping: bool) -> Digits {
        Digits {
            decimal_places: places,
            min_decimal_places: places,
            min_integer_digits: Some(zeros),
            grouping,
            ..Digits::default()
        }
    }

    #[test]
    fn numbers_write_as_the_codes_calc_shows() {
        assert_eq!(digits(Some(0), 4, false).number(), "0000");
        assert_eq!(digits(Some(2), 1, false).number(), "0.00");
        assert_eq!(digits(Some(0), 1, true).number(), "#,##0");
        assert_eq!(digits(Some(2), 1, true).number(), "#,##0.00");
        assert_eq!(digits(Some(0), 0, false).number(), "#");
        assert_eq!(digits(None, 1, false).number(), "General");
        let phone = Digits {
            embedded: vec![(4, "-".into())],
            ..digits(Some(0), 7, false)
        };
        assert_eq!(phone.number(), "000-0000");
        let local = Digits {
            embedded: vec![(4, "-".into())],
            ..digits(Some(0), 0, false)
        };
        // Calc writes `###-####` with no count of its `#`s: one shows the same.
        assert_eq!(local.number(), "#-####");
        let long = Digits {
            embedded: vec![(7, ") ".into()), (4, "-".into())],
            ..digits(Some(0), 0, false)
        };
        assert_eq!(long.number(), "#) ###-####");
        let thousands = Digits {
            display_factor: Some(1000.0),
            ..digits(Some(0), 1, false)
        };
        assert_eq!(thousands.number(), "0,");
        let scientific = digits(Some(2), 1, false);
        assert_eq!(scientific.scientific(2, true), "0.00E+00");
        let fraction = Digits {
            min_integer_digits: Some(0),
            ..Digits::default()
        };
        assert_eq!(fraction.fraction(1, None), "# ?/?");
        assert_eq!(fraction.fraction(2, Some("16".into())), "# ??/16");
    }

    #[test]
    fn literals_colours_parts_and_maps() {
        assert_eq!(literal("ext "), "\"ext \"");
        assert_eq!(literal("-"), "-");
        assert_eq!(colour("#FF0000"), "[RED]");
        assert_eq!(colour("#123456"), "");
        assert_eq!(
            date_part("year", true, false, false).as_deref(),
            Some("yyyy")
        );
        assert_eq!(
            date_part("hours", false, false, true).as_deref(),
            Some("[h]")
        );
        assert_eq!(date_part("era", false, false, false), None);
        let maps = [
            (">0".to_string(), "0".to_string()),
            ("<0".to_string(), "-0".to_string()),
            ("=0".to_string(), String::new()),
        ];
        assert_eq!(with_maps(&maps, "@"), "0;-0;;@");
        let phone = [("<=9999999".to_string(), "###-####".to_string())];
        assert_eq!(
            with_maps(&phone, "(#) ###-####"),
            "[<=9999999]###-####;(#) ###-####"
        );
    }
}
