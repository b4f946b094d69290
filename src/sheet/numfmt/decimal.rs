//! Numbers as the decimal digits a spreadsheet keeps, rounded as it rounds them for display.
//!
//! A spreadsheet keeps 15 significant digits of a double and rounds what it displays half
//! away from zero on those digits, so 2.675 (stored as 2.67499999999999982…) is shown
//! `2.68` with two decimals, and 1.005 `1.01`. Working on the 15 digits, never on the
//! binary value, gives the same answers.

use super::super::SHOWN_DIGITS;

/// A non-negative number as decimal digits: `0.d₁d₂…dₙ × 10^point`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decimal {
    /// The significant digits (ASCII), without leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// How many digits stand before the decimal point (negative or zero below 0.1).
    point: i32,
}

impl Decimal {
    /// `value` (finite, non-negative) to the 15 significant digits a spreadsheet keeps.
    pub fn of(value: f64) -> Decimal {
        if value == 0.0 || !value.is_finite() {
            return Decimal::zero();
        }
        let text = format!("{:.*e}", SHOWN_DIGITS - 1, value.abs());
        let Some((mantissa, exponent)) = text.split_once('e') else {
            return Decimal::zero();
        };
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Decimal {
            digits,
            point: exponent + 1,
        }
        .trimmed()
    }

    fn zero() -> Decimal {
        Decimal {
            digits: Vec::new(),
            point: 0,
        }
    }

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// The power of ten of the first digit (`2` for 123.4); zero for zero.
    pub fn magnitude(&self) -> i32 {
        if self.is_zero() { 0 } else { self.point - 1 }
    }

    /// The number times `10^power`.
    pub fn shifted(&self, power: i32) -> Decimal {
        if self.is_zero() {
            return self.clone();
        }
        Decimal {
            digits: self.digits.clone(),
            point: self.point + power,
        }
    }

    /// Rounded half away from zero to `places` decimals.
    pub fn rounded(&self, places: usize) -> Decimal {
        let kept = i64::from(self.point) + places as i64;
        if kept < 0 || self.is_zero() {
            return Decimal::zero();
        }
        let kept = kept as usize;
        if kept >= self.digits.len() {
            return self.clone();
        }
        let up = self.digits[kept] >= b'5';
        let mut digits = self.digits[..kept].to_vec();
        let mut point = self.point;
        if up {
            // Carry from the last kept digit leftwards; past the first, a new leading 1.
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    point += 1;
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        Decimal { digits, point }.trimmed()
    }

    /// The whole part's digits (empty for less than 1) and exactly `places` decimals, of a
    /// number already [`rounded`](Decimal::rounded) to `places`.
    pub fn fixed(&self, places: usize) -> (String, String) {
        let digit = |i: i64| -> char {
            usize::try_from(i)
                .ok()
                .and_then(|i| self.digits.get(i))
                .map_or('0', |d| char::from(*d))
        };
        let point = i64::from(self.point);
        let whole: String = (0..point.max(0)).map(digit).collect();
        let fraction: String = (0..places as i64).map(|i| digit(point + i)).collect();
        (whole, fraction)
    }

    fn trimmed(mut self) -> Decimal {
        while self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
        let leading = self.digits.iter().take_while(|d| **d == b'0').count();
        self.digits.drain(..leading);
        self.point -= leading as i32;
        if self.digits.is_empty() {
            self.point = 0;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(value: f64, places: usize) -> (String, String) {
        Decimal::of(value).rounded(places).fixed(places)
    }

    #[test]
    fn rounds_half_away_from_zero_on_fifteen_digits() {
        assert_eq!(fixed(2.675, 2), ("2".into(), "68".into()));
        assert_eq!(fixed(1.005, 2), ("1".into(), "01".into()));
        assert_eq!(fixed(0.125, 2), ("".into(), "13".into()));
        assert_eq!(fixed(123.6, 0), ("124".into(), "".into()));
        assert_eq!(fixed(0.4, 0), ("".into(), "".into()));
        assert_eq!(fixed(0.6, 0), ("1".into(), "".into()));
        assert_eq!(fixed(9.996, 2), ("10".into(), "00".into()));
        assert_eq!(fixed(0.0004, 3), ("".into(), "000".into()));
        assert_eq!(fixed(0.0005, 3), ("".into(), "001".into()));
        assert_eq!(fixed(434.99999999999994, 0), ("435".into(), "".into()));
        assert_eq!(fixed(0.0, 2), ("".into(), "00".into()));
    }

    #[test]
    fn keeps_fifteen_significant_digits_of_big_numbers() {
        assert_eq!(
            fixed(1234567890123456789.0, 0).0,
            "1234567890123460000".to_string()
        );
        assert_eq!(fixed(1e20, 0).0, "100000000000000000000");
    }

    #[test]
    fn magnitude_and_shift() {
        assert_eq!(Decimal::of(123.4).magnitude(), 2);
        assert_eq!(Decimal::of(0.05).magnitude(), -2);
        assert_eq!(
            Decimal::of(12345.0).shifted(-4).rounded(2).fixed(2),
            ("1".into(), "23".into())
        );
    }
}
