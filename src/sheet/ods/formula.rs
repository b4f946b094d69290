//! An ODS formula as a person types it into a spreadsheet.
//!
//! ODS files hold formulas in OpenFormula (`of:=IF([.E3]="";"";[.E3])`, references in
//! brackets, arguments separated by `;`); a person types and reads `=IF(E3="","",E3)`.
//! References become `E3`, `E2:E3`, `Sheet2!A1`, `'My sheet'!A1:B2`; `;` between arguments
//! becomes `,` and, in an inline array, `|` between rows becomes `;`. Text in quotes is
//! left as it is. A formula in another syntax (`msoxl:`) keeps its text after the prefix.

/// `formula` (a `table:formula` attribute) as a person types it, with its leading `=`.
pub(super) fn typed(formula: &str) -> String {
    match formula.split_once(':') {
        Some((namespace, rest))
            if rest.starts_with('=') && namespace.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            match namespace {
                "of" | "oooc" => open_formula(rest),
                _ => rest.to_string(),
            }
        }
        _ => formula.to_string(),
    }
}

/// OpenFormula text in a spreadsheet's notation.
fn open_formula(formula: &str) -> String {
    let mut out = String::with_capacity(formula.len());
    let mut chars = formula.chars().peekable();
    let mut arrays = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    out.push(c);
                    if c == '"' {
                        match chars.peek() {
                            Some('"') => out.extend(chars.next()),
                            _ => break,
                        }
                    }
                }
            }
            '[' => {
                let mut inside = String::new();
                let mut quoted = false;
                for c in chars.by_ref() {
                    match c {
                        ']' if !quoted => break,
                        '\'' => quoted = !quoted,
                        _ => {}
                    }
                    inside.push(c);
                }
                out.push_str(&reference(&inside));
            }
            '{' => {
                arrays += 1;
                out.push(c);
            }
            '}' => {
                arrays = arrays.saturating_sub(1);
                out.push(c);
            }
            ';' => out.push(','),
            '|' if arrays > 0 => out.push(';'),
            _ => out.push(c),
        }
    }
    out
}

/// A bracketed reference's inside (`.A1`, `.A1:.B2`, `$Sheet2.A1`, `'My sheet'.A1`) as a
/// spreadsheet shows it; one it does not know (another file's) as written.
fn reference(inside: &str) -> String {
    let parts = split_range(inside);
    let parsed: Option<Vec<(Option<String>, &str)>> = parts.iter().map(|p| part(p)).collect();
    let Some(parsed) = parsed else {
        return inside.to_string();
    };
    let mut cells: Vec<&str> = parsed.iter().map(|(_, cell)| *cell).collect();
    // `Jan.A1:Mar.A1` is cell A1 of each sheet: `Jan:Mar!A1`.
    cells.dedup();
    let cells = cells.join(":");
    let first = parsed.first().and_then(|(sheet, _)| sheet.clone());
    let last = parsed.last().and_then(|(sheet, _)| sheet.clone());
    match (first, last) {
        (None, _) => cells,
        (Some(first), Some(last)) if first != last => {
            format!("{}:{}!{cells}", sheet_name(&first), sheet_name(&last))
        }
        (Some(first), _) => format!("{}!{cells}", sheet_name(&first)),
    }
}

/// A reference split at the `:`s outside quotes.
fn split_range(inside: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in inside.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            ':' if !quoted => {
                parts.push(&inside[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inside[start..]);
    parts
}

/// One end of a reference: its sheet (none for the formula's own) and its cell; `None`
/// for what is not a sheet and a cell.
fn part(part: &str) -> Option<(Option<String>, &str)> {
    let part = part.strip_prefix('$').unwrap_or(part);
    if let Some(quoted) = part.strip_prefix('\'') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' if chars.peek().is_some_and(|(_, c)| *c == '\'') => {
                    name.push('\'');
                    chars.next();
                }
                '\'' => {
                    let cell = quoted[i + 1..].strip_prefix('.')?;
                    return Some((Some(name), cell));
                }
                _ => name.push(c),
            }
        }
        return None;
    }
    if part.contains(['#', '\'']) && !part.starts_with(".#") {
        return None;
    }
    let (sheet, cell) = part.rsplit_once('.')?;
    Some(((!sheet.is_empty()).then(|| sheet.to_string()), cell))
}

/// A sheet's name as a reference writes it: quoted where it holds more than letters,
/// digits and `_`, or starts with a digit.
fn sheet_name(name: &str) -> String {
    let plain = name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    match plain && !name.is_empty() {
        true => name.to_string(),
        false => format!("'{}'", name.replace('\'', "''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_read_as_typed() {
        let cases = [
            ("of:=[.E3]*2", "=E3*2"),
            ("of:=IF([.E3]=\"\";\"\";[.E3])", "=IF(E3=\"\",\"\",E3)"),
            (
                "of:=IFERROR(VLOOKUP(\"x\";[.E2:.E3];1;FALSE());\"\")",
                "=IFERROR(VLOOKUP(\"x\",E2:E3,1,FALSE()),\"\")",
            ),
            ("of:=[$Sheet2.A1]", "=Sheet2!A1"),
            ("of:=SUM([Sheet2.A1:Sheet2.B2])", "=SUM(Sheet2!A1:B2)"),
            ("of:=SUM([$Sheet2.$A$1:.$B$2])", "=SUM(Sheet2!$A$1:$B$2)"),
            ("of:=['My sheet'.A1]", "='My sheet'!A1"),
            (
                "of:=['It''s'.A1]&\"a;b [.X1]\"",
                "='It''s'!A1&\"a;b [.X1]\"",
            ),
            ("of:=SUM([Jan.A1:Mar.A1])", "=SUM(Jan:Mar!A1)"),
            ("of:=\"say \"\"hi\"\";\"", "=\"say \"\"hi\"\";\""),
            ("of:=SUM({1;2|3;4})", "=SUM({1,2;3,4})"),
            ("of:=[.#REF!]", "=#REF!"),
            (
                "of:=['file:///tmp/x.ods'#$Sheet1.A1]",
                "='file:///tmp/x.ods'#$Sheet1.A1",
            ),
            ("msoxl:=SUM(A1,B1)", "=SUM(A1,B1)"),
            ("=1+1", "=1+1"),
        ];
        for (formula, expected) in cases {
            assert_eq!(typed(formula), expected, "{formula}");
        }
        assert_eq!(sheet_name("2024"), "'2024'");
    }
}
