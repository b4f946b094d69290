//! Each expected text is what Excel displays for the number through the code. Every case
//! was also checked against LibreOffice (a workbook of them written with openpyxl, converted
//! with `soffice --headless --convert-to csv` saving cell contents as shown), which agrees
//! once the spaces that only align are trimmed, except: `#.##` shows `5` for 5 where Excel
//! shows `5.`, and the cases this leaves unrendered (`0` for -0.4, `--5` for -5 as a phone
//! number, `N/A` for -1 through `"N/A"`, `01.23E+04` through `00.00E+00`), where the two
//! spreadsheets are not known to agree.

use super::*;

fn shown(code: &str, value: f64) -> Option<String> {
    NumberFormat::parse(code).render(value)
}

#[track_caller]
fn check(code: &str, cases: &[(f64, &str)]) {
    for (value, expected) in cases {
        assert_eq!(
            shown(code, *value).as_deref(),
            Some(*expected),
            "{value} through `{code}`"
        );
    }
}

#[track_caller]
fn unrendered(code: &str, value: f64) {
    assert_eq!(shown(code, value), None, "{value} through `{code}`");
}

#[test]
fn zero_padded_codes() {
    check(
        "0000",
        &[
            (123.0, "0123"),
            (12345.0, "12345"),
            (0.0, "0000"),
            (123.6, "0124"),
        ],
    );
    check("00000", &[(2138.0, "02138"), (2138.4, "02138")]);
    check(
        "00000-0000",
        &[(21381234.0, "02138-1234"), (123.0, "00000-0123")],
    );
    check(
        "000-00-0000",
        &[(123456789.0, "123-45-6789"), (12345678.0, "012-34-5678")],
    );
    check("000-0000", &[(5551234.0, "555-1234"), (1234.0, "000-1234")]);
    check("0", &[(434.99999999999994, "435"), (-5.0, "-5")]);
}

#[test]
fn hash_and_question_placeholders() {
    check(
        "###-####",
        &[(5551234.0, "555-1234"), (123.0, "-123"), (0.0, "-")],
    );
    check("#", &[(0.0, ""), (0.4, ""), (0.6, "1"), (42.0, "42")]);
    check("#.##", &[(5.0, "5."), (0.5, ".5"), (1.256, "1.26")]);
    check("0.0#", &[(1.5, "1.5"), (1.25, "1.25"), (1.0, "1.0")]);
    check("#.00", &[(0.5, ".50")]);
    // `?` pads with spaces, which only align the number.
    check("???0", &[(5.0, "5"), (12345.0, "12345")]);
    check("0.??", &[(1.5, "1.5"), (1.25, "1.25")]);
}

#[test]
fn literal_text_spaces_and_fills() {
    check("\"ID-\"0000", &[(42.0, "ID-0042")]);
    check("\\#0", &[(5.0, "#5")]);
    check("0.0 \"kg\"", &[(5.0, "5.0 kg")]);
    check("0_)", &[(5.0, "5")]);
    check("(000) 000-0000", &[(5551234567.0, "(555) 123-4567")]);
    check("0\\-0", &[(12.0, "1-2")]);
    // A fill of spaces only aligns; any other repeats its character over the column's
    // width (LibreOffice prints 123 through `*00` as `000000123` in a default column).
    check("* 0", &[(5.0, "5")]);
    check("_(* #,##0_)", &[(1234.0, "1,234")]);
    for code in ["*00", "**0", "0*-", "\"ID\"*.0"] {
        unrendered(code, 123.0);
    }
    // Only where the section with the fill shows the number.
    check("0000;*-0", &[(123.0, "0123")]);
    unrendered("0000;*-0", -123.0);
}

#[test]
fn sections_for_positive_negative_zero_and_text() {
    check(
        "#,##0_);(#,##0)",
        &[(1234.0, "1,234"), (-1234.0, "(1,234)"), (0.0, "0")],
    );
    check("0;-0;;@", &[(0.0, ""), (-3.0, "-3"), (3.0, "3")]);
    check(";;;", &[(5.0, ""), (-5.0, ""), (0.0, "")]);
    check(
        "0;\"neg\";\"zero\"",
        &[(-2.0, "neg"), (0.0, "zero"), (2.0, "2")],
    );
    check("0.00;[Red]0.00", &[(-1.5, "1.50")]);
    check("0;[Red]-0", &[(-5.0, "-5")]);
    // A second section without a minus sign shows a negative number without one.
    check(
        "0000;0000",
        &[(-2001.0, "2001"), (2001.0, "2001"), (-12.0, "0012")],
    );
    check(
        "_($* #,##0_);_($* (#,##0);_($* \"-\"_);_(@_)",
        &[(1234.0, "$1,234"), (-1234.0, "$(1,234)"), (0.0, "$-")],
    );
}

#[test]
fn colours_currency_and_locale_tags() {
    check("[Red]0.00", &[(-1.5, "-1.50"), (1.5, "1.50")]);
    check("[Color10]0", &[(7.0, "7")]);
    check("[$€-407] #,##0.00", &[(1234.5, "€ 1,234.50")]);
    check("#,##0.00 [$€-407]", &[(1234.5, "1,234.50 €")]);
    check("[$-409]0000", &[(123.0, "0123")]);
    check("\"$\"#,##0", &[(-5.0, "-$5"), (1234.0, "$1,234")]);
    check("#,##0 €", &[(1000.0, "1,000 €")]);
    check("[$-0409]0000", &[(123.0, "0123")]);
    check("[$-en-US]0000", &[(123.0, "0123")]);
    check("[$-fr-FR]0000", &[(123.0, "0123")]);
    unrendered("[$-F800]dddd, mmmm dd, yyyy", 45000.0);
    unrendered("[$-F400]0", 5.0);
    unrendered("[$-x-sysdate]0", 5.0);
    unrendered("[DBNum1]0", 5.0);
    unrendered("[NatNum1][$-804]0", 5.0);
    // Bits above the language id pick a numeral system or calendar: LibreOffice saves
    // `[NatNum1][$-804]0` (123 shown as 一二三) as `[$-1E000804]0`.
    unrendered("[$-1E000804]0", 123.0);
    unrendered("[$-2010409]0", 123.0);
    unrendered("[$$-1010409]0", 123.0);
    unrendered("[$-th-TH-u-nu-thai]0", 123.0);
}

#[test]
fn conditions_as_the_built_in_phone_number() {
    let phone = "[<=9999999]###-####;(###) ###-####";
    check(
        phone,
        &[
            (5551234.0, "555-1234"),
            (5551234567.0, "(555) 123-4567"),
            (0.0, "-"),
        ],
    );
    unrendered(phone, -5.0);
    let three = "[>=100]\"big\";[<0]\"neg\";\"small\"";
    check(three, &[(150.0, "big"), (5.0, "small")]);
    unrendered("[>=100]0;[<0]0", 5.0);
}

#[test]
fn decimals_thousands_percent_and_scaling() {
    check(
        "0.00",
        &[
            (3.14259, "3.14"),
            (2.675, "2.68"),
            (-1.5, "-1.50"),
            (0.0, "0.00"),
        ],
    );
    check(
        "#,##0",
        &[
            (1234567.0, "1,234,567"),
            (0.0, "0"),
            (999.5, "1,000"),
            (-1234.0, "-1,234"),
            (123.0, "123"),
        ],
    );
    check("#,##0.00", &[(1234.5, "1,234.50"), (0.5, "0.50")]);
    check("0,000", &[(5.0, "0,005")]);
    check("0%", &[(0.125, "13%"), (1.0, "100%"), (0.07, "7%")]);
    check("0.00%", &[(0.12345, "12.35%")]);
    check("0,", &[(12345.0, "12")]);
    check("#,##0,\"K\"", &[(1234567.0, "1,235K")]);
    check("0.0,,", &[(1234567.0, "1.2")]);
}

#[test]
fn scientific() {
    check(
        "0.00E+00",
        &[
            (12345.0, "1.23E+04"),
            (0.00012345, "1.23E-04"),
            (0.0, "0.00E+00"),
            (9.999, "1.00E+01"),
            (447701000000.0, "4.48E+11"),
            (-12345.0, "-1.23E+04"),
        ],
    );
    check("0.0E-0", &[(12345.0, "1.2E4"), (0.012, "1.2E-2")]);
    // Excel and LibreOffice disagree on several whole zeros (LibreOffice: `01.23E+04`).
    unrendered("00.00E+00", 12345.0);
    check(
        "##0.0E+0",
        &[
            (12345.0, "12.3E+3"),
            (1234567.0, "1.2E+6"),
            (0.00012345, "123.5E-6"),
        ],
    );
}

#[test]
fn what_cannot_be_shown_exactly_is_none() {
    for code in [
        "# ?/?",
        "# ??/??",
        "mm-dd-yy",
        "h:mm",
        "[h]:mm:ss",
        "General",
        "0 kg",
        "@",
        "\"unterminated",
        "0;0;0;@;0",
        "0.0.0",
        "0E0",
        "0.00E+#",
        "0!0",
    ] {
        unrendered(code, 12.0);
    }
    // A negative number that rounds to zero under one section: `-0` or `0`, not guessed.
    unrendered("0", -0.4);
    unrendered("\"N/A\"", -1.0);
    unrendered("0", f64::NAN);
}

#[test]
fn general_codes_are_known() {
    assert!(is_general("General"));
    assert!(is_general("GENERAL"));
    assert!(is_general("@"));
    assert!(is_general(""));
    assert!(!is_general("0"));
    // Behind a locale tag with no currency symbol, or a colour: still as it is.
    assert!(is_general("[$-409]General"));
    assert!(is_general("[$-en-US]General"));
    assert!(is_general("[$-409]@"));
    assert!(is_general("[Red][$-409] General"));
    assert!(!is_general("[$€-407]General"));
    assert!(!is_general("[$-F800]General"));
    assert!(!is_general("[$-1E000804]General"));
    assert!(is_general("[$-00000409]General"));
    assert!(!is_general("[$-409]0000"));
    assert!(!is_general("[>5]General"));
}

#[test]
fn text_cells_show_through_a_text_section() {
    let format = NumberFormat::parse("0;-0;0;\"+\"@");
    assert_eq!(format.render_text("1555").as_deref(), Some("+1555"));
    assert_eq!(format.render(1555.0).as_deref(), Some("1555"));
    assert_eq!(
        NumberFormat::parse(";;;").render_text("x").as_deref(),
        Some("")
    );
    assert_eq!(
        NumberFormat::parse("0000").render_text("x").as_deref(),
        Some("x")
    );
    assert_eq!(NumberFormat::parse("0;@").render_text("x"), None);
}
