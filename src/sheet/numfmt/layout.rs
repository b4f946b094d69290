//! A section's layout filled with the digits of a number.

use super::decimal::Decimal;
use super::parse::{Layout, Piece, Placeholder};

/// `value` (non-negative) as `layout` displays it, or `None` where the layout has no place
/// for digits the number has.
pub(super) fn render(layout: &Layout, value: f64) -> Option<String> {
    let power = 2 * layout.percent as i32 - 3 * layout.scale as i32;
    let number = Decimal::of(value).shifted(power);
    let places = layout.fraction.as_deref().map_or(0, digit_count);
    let (whole, fraction, exponent) = match &layout.exponent {
        None => {
            let (whole, fraction) = number.rounded(places).fixed(places);
            (whole, fraction, None)
        }
        Some(_) => {
            let (mantissa, power) = scientific(layout, &number, places);
            let (whole, fraction) = mantissa.fixed(places);
            (whole, fraction, Some(power))
        }
    };
    if digit_count(&layout.whole) == 0 && !whole.is_empty() && places + exponent_len(layout) > 0 {
        // `.00` for 12.5: whether the whole digits show is not something to guess.
        return None;
    }
    let mut out = place_whole(&layout.whole, &whole, layout.thousands);
    if let Some(pieces) = &layout.fraction {
        out.push('.');
        out.push_str(&place_fraction(pieces, &fraction));
    }
    if let (Some(exponent), Some(power)) = (&layout.exponent, exponent) {
        out.push('E');
        if power < 0 {
            out.push('-');
        } else if exponent.always_sign {
            out.push('+');
        }
        let digits = match power {
            0 => String::new(),
            _ => power.unsigned_abs().to_string(),
        };
        out.push_str(&place_whole(&exponent.pieces, &digits, false));
    }
    Some(out)
}

fn digit_count(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .filter(|p| matches!(p, Piece::Digit(_)))
        .count()
}

fn exponent_len(layout: &Layout) -> usize {
    layout
        .exponent
        .as_ref()
        .map_or(0, |e| digit_count(&e.pieces))
}

/// The mantissa rounded to `places` and its power of ten: one whole digit for `0.00E+00`;
/// with `#`s before the `0` (`##0.0E+0`), a power that is a multiple of the placeholders
/// (engineering notation).
fn scientific(layout: &Layout, number: &Decimal, places: usize) -> (Decimal, i32) {
    let width = digit_count(&layout.whole).max(1) as i32;
    let power_for = |magnitude: i32| magnitude.div_euclid(width) * width;
    if number.is_zero() {
        return (number.clone(), 0);
    }
    let power = power_for(number.magnitude());
    let mantissa = number.shifted(-power).rounded(places);
    // Rounding up may carry into another digit (9.996 → 10.00): one more power of ten.
    let again = power_for(mantissa.magnitude() + power);
    match again == power {
        true => (mantissa, power),
        false => (mantissa.shifted(power - again).rounded(places), again),
    }
}

/// The whole part laid into its placeholders from the right; digits beyond them go where
/// the first placeholder is. `0` pads with a zero, `?` with a space, `#` with nothing.
fn place_whole(pieces: &[Piece], digits: &str, thousands: bool) -> String {
    let first = pieces.iter().position(|p| matches!(p, Piece::Digit(_)));
    let mut digits = digits.chars().rev();
    let mut out: Vec<char> = Vec::new();
    let mut placed = 0;
    let mut place = |out: &mut Vec<char>, digit: char| {
        if thousands && placed > 0 && placed % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
        placed += 1;
    };
    for (i, piece) in pieces.iter().enumerate().rev() {
        match piece {
            Piece::Literal(text) => out.extend(text.chars().rev()),
            Piece::Digit(placeholder) => {
                match (digits.next(), placeholder) {
                    (Some(digit), _) => place(&mut out, digit),
                    (None, Placeholder::Zero) => place(&mut out, '0'),
                    (None, Placeholder::Question) => out.push(' '),
                    (None, Placeholder::Hash) => {}
                }
                if Some(i) == first {
                    for digit in digits.by_ref() {
                        place(&mut out, digit);
                    }
                }
            }
        }
    }
    out.into_iter().rev().collect()
}

/// The decimals laid into their placeholders from the left; trailing zeros are dropped at
/// `#` and blanked at `?`.
fn place_fraction(pieces: &[Piece], digits: &str) -> String {
    let digits: Vec<char> = digits.chars().collect();
    let placeholders: Vec<Placeholder> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Digit(placeholder) => Some(*placeholder),
            Piece::Literal(_) => None,
        })
        .collect();
    let mut shown = digits.len();
    while shown > 0 && digits[shown - 1] == '0' && placeholders[shown - 1] != Placeholder::Zero {
        shown -= 1;
    }
    let mut out = String::new();
    let mut j = 0;
    for piece in pieces {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Digit(placeholder) => {
                match (j < shown, placeholder) {
                    (true, _) => out.push(digits.get(j).copied().unwrap_or('0')),
                    (false, Placeholder::Question) => out.push(' '),
                    (false, _) => {}
                }
                j += 1;
            }
        }
    }
    out
}
