//! Numbers as a spreadsheet shows them.
//!
//! A workbook stores every number as a double, which often holds binary noise a spreadsheet
//! never shows: `434.99999999999994` is displayed, edited and copied as `435`. Spreadsheets
//! show and keep 15 significant digits, so that is how sleipnir reads them; a whole number
//! longer than that is not what the admin typed (Excel turns the 16th digit on into zeros),
//! and CSV text in scientific notation (`4.47701E+11`) is a number whose other digits a
//! spreadsheet dropped when it saved the file.

/// The significant digits a spreadsheet shows and keeps of a number.
pub const SHOWN_DIGITS: usize = 15;

/// The smallest whole number with more digits than [`SHOWN_DIGITS`].
const TOO_LONG: f64 = 1e15;

/// `n` as a spreadsheet shows it: rounded to 15 significant digits (`434.99999999999994` →
/// `435`, `0.30000000000000004` → `0.3`). Whole numbers are returned as they are, so the
/// digits of a long one are never changed silently (see [`too_long`]).
pub fn shown(n: f64) -> f64 {
    if !n.is_finite() || n.fract() == 0.0 {
        // `+ 0.0` turns a negative zero into zero.
        return n + 0.0;
    }
    format!("{n:.*e}", SHOWN_DIGITS - 1)
        .parse::<f64>()
        .map_or(n, |rounded| rounded + 0.0)
}

/// Whether `n` is a whole number with more digits than a spreadsheet keeps: its last digits
/// may not be the ones typed, so it cannot stand for text such as a phone number or an id.
pub fn too_long(n: f64) -> bool {
    shown(n).abs() >= TOO_LONG
}

/// A workbook number as text, as a spreadsheet shows it: never with `.0` or an exponent
/// (`9871515000`, `435` for `434.99999999999994`, `12.5`).
pub fn format_number(n: f64) -> String {
    // Rust prints floats in full, without an exponent, and whole ones without `.0`.
    format!("{}", shown(n))
}

/// Whether `text` is a number in scientific notation as spreadsheets write it when a column
/// is too narrow for all its digits: a mantissa with `.` or `,` (a decimal comma, in some
/// locales), `E` or `e`, and a signed exponent (`4.47701E+11`, `4,47701E+11`, `1E+11`).
pub fn is_scientific(text: &str) -> bool {
    let text = text.strip_prefix(['+', '-']).unwrap_or(text);
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once(['.', ',']) {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.strip_prefix(['+', '-']).is_some_and(digits);
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_print_without_fraction_or_exponent() {
        assert_eq!(format_number(9871515000.0), "9871515000");
        assert_eq!(format_number(1234.0), "1234");
        assert_eq!(format_number(-5.0), "-5");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.1), "0.1");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e20), "100000000000000000000");
    }

    #[test]
    fn binary_noise_is_shown_as_the_spreadsheet_shows_it() {
        assert_eq!(format_number(434.99999999999994), "435");
        assert_eq!(format_number(1001.0), "1001");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(4.35), "4.35");
        assert_eq!(format_number(123456789012.345), "123456789012.345");
        assert_eq!(shown(2.9999999999999996), 3.0);
        assert!(shown(f64::NAN).is_nan());
    }

    #[test]
    fn whole_numbers_of_more_than_15_digits_are_too_long() {
        assert!(!too_long(999_999_999_999_999.0));
        assert!(too_long(1_000_000_000_000_000.0));
        assert!(too_long(1_234_567_890_123_456.0));
        assert!(too_long(-1e18));
        assert!(too_long(999_999_999_999_999.9));
        assert!(!too_long(447_701_000_000.0));
    }

    #[test]
    fn scientific_notation_as_spreadsheets_write_it() {
        for text in [
            "4.47701E+11",
            "4,47701E+11",
            "1E+11",
            "4.47701e+11",
            "-1.5E-05",
            "+4.4E+11",
        ] {
            assert!(is_scientific(text), "{text}");
        }
        for text in [
            "447701000000",
            "+15551234567",
            "4E",
            "12E3",
            "E+11",
            "4.E+11",
            "4.4E+",
            "Suite 4E+1",
            "0x1E+2",
        ] {
            assert!(!is_scientific(text), "{text}");
        }
    }
}
