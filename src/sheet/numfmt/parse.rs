//! A number format code read into sections of pieces.
//!
//! Everything the renderer cannot show exactly leaves its section unreadable rather than
//! approximated: dates and times, fractions, text placeholders, `General` inside a code,
//! letters a code leaves unquoted, locale tags that stand for system formats or pick another
//! numeral system, fills of anything but spaces.

/// A digit placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placeholder {
    /// `0`: a digit, or a zero where the number has none.
    Zero,
    /// `#`: a digit, or nothing.
    Hash,
    /// `?`: a digit, or a space.
    Question,
}

/// One piece of a section as written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    Digit(Placeholder),
    Literal(String),
}

/// A comparison in a section's condition (`[<=9999999]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Condition {
    operator: Operator,
    operand: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Condition {
    /// Whether `value` meets the condition.
    pub fn holds(&self, value: f64) -> bool {
        let b = self.operand;
        match self.operator {
            Operator::Less => value < b,
            Operator::LessOrEqual => value <= b,
            Operator::Greater => value > b,
            Operator::GreaterOrEqual => value >= b,
            Operator::Equal => value == b,
            Operator::NotEqual => value != b,
        }
    }

    fn parse(text: &str) -> Option<Condition> {
        let (operator, rest) = [
            ("<=", Operator::LessOrEqual),
            (">=", Operator::GreaterOrEqual),
            ("<>", Operator::NotEqual),
            ("<", Operator::Less),
            (">", Operator::Greater),
            ("=", Operator::Equal),
        ]
        .into_iter()
        .find_map(|(sign, operator)| text.strip_prefix(sign).map(|rest| (operator, rest)))?;
        let operand = rest.trim().parse().ok()?;
        Some(Condition { operator, operand })
    }
}

/// How a section lays a number out: the pieces before the decimal point, after it, and
/// after the exponent.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    pub whole: Vec<Piece>,
    /// `None` when the section has no decimal point.
    pub fraction: Option<Vec<Piece>>,
    pub exponent: Option<Exponent>,
    /// A `,` between digit placeholders: digits grouped by thousands.
    pub thousands: bool,
    /// `,` after the last digit placeholder: the number divided by 1000 for each.
    pub scale: u32,
    /// `%` signs: the number multiplied by 100 for each.
    pub percent: u32,
}

/// The exponent of a scientific section (`E+00`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Exponent {
    /// `E+`: a sign always; `E-`: a minus sign only.
    pub always_sign: bool,
    pub pieces: Vec<Piece>,
}

/// A section of a format code: its condition, and its layout where sleipnir can render it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Section {
    pub condition: Option<Condition>,
    pub layout: Option<Layout>,
}

/// Where a piece goes while a section is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Whole,
    Fraction,
    Exponent,
}

/// A section while it is read.
#[derive(Default)]
struct Reading {
    condition: Option<Condition>,
    unreadable: bool,
    whole: Vec<Token>,
    fraction: Option<Vec<Token>>,
    exponent: Option<(bool, Vec<Token>)>,
    percent: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Piece(Piece),
    Comma,
}

impl Reading {
    fn area(&self) -> Area {
        match (&self.exponent, &self.fraction) {
            (Some(_), _) => Area::Exponent,
            (None, Some(_)) => Area::Fraction,
            (None, None) => Area::Whole,
        }
    }

    fn push(&mut self, token: Token) {
        match (&mut self.exponent, &mut self.fraction) {
            (Some((_, tokens)), _) => tokens.push(token),
            (None, Some(tokens)) => tokens.push(token),
            (None, None) => self.whole.push(token),
        }
    }

    fn literal(&mut self, text: &str) {
        match self.last_literal() {
            Some(last) => last.push_str(text),
            None => self.push(Token::Piece(Piece::Literal(text.to_string()))),
        }
    }

    fn last_literal(&mut self) -> Option<&mut String> {
        let tokens = match (&mut self.exponent, &mut self.fraction) {
            (Some((_, tokens)), _) => tokens,
            (None, Some(tokens)) => tokens,
            (None, None) => &mut self.whole,
        };
        match tokens.last_mut() {
            Some(Token::Piece(Piece::Literal(text))) => Some(text),
            _ => None,
        }
    }

    fn finish(self) -> Section {
        let condition = self.condition;
        let layout = match self.unreadable {
            true => None,
            false => self.layout(),
        };
        Section { condition, layout }
    }

    /// The commas resolved into grouping and scaling; `None` where one means anything else.
    fn layout(self) -> Option<Layout> {
        let digit = |t: &Token| matches!(t, Token::Piece(Piece::Digit(_)));
        let mut thousands = false;
        let mut scale = 0;
        let last_whole = self.whole.iter().rposition(digit);
        let first_whole = self.whole.iter().position(digit);
        let mut whole = Vec::new();
        for (i, token) in self.whole.into_iter().enumerate() {
            match token {
                Token::Piece(piece) => whole.push(piece),
                Token::Comma => match (first_whole, last_whole) {
                    (Some(first), Some(last)) if first < i && i < last => thousands = true,
                    (Some(_), Some(last)) if i > last && self.fraction.is_none() => scale += 1,
                    (Some(_), Some(last)) if i == last + 1 && self.fraction.is_some() => scale += 1,
                    _ => return None,
                },
            }
        }
        let fraction = match self.fraction {
            None => None,
            Some(tokens) => {
                let last = tokens.iter().rposition(digit);
                let mut pieces = Vec::new();
                for (i, token) in tokens.into_iter().enumerate() {
                    match token {
                        Token::Piece(piece) => pieces.push(piece),
                        Token::Comma if last.is_none_or(|last| i > last) => scale += 1,
                        Token::Comma => return None,
                    }
                }
                Some(pieces)
            }
        };
        let exponent = match self.exponent {
            None => None,
            Some((always_sign, tokens)) => {
                let mut pieces = Vec::new();
                for token in tokens {
                    match token {
                        Token::Piece(Piece::Digit(Placeholder::Zero)) => {
                            pieces.push(Piece::Digit(Placeholder::Zero))
                        }
                        Token::Piece(Piece::Literal(text)) => pieces.push(Piece::Literal(text)),
                        _ => return None,
                    }
                }
                Some(Exponent {
                    always_sign,
                    pieces,
                })
            }
        };
        let layout = Layout {
            whole,
            fraction,
            exponent,
            thousands,
            scale,
            percent: self.percent,
        };
        layout.is_rendered().then_some(layout)
    }
}

impl Layout {
    /// Whether the renderer shows this layout exactly: digits grouped only in one run of
    /// `0` and `#`, and a scientific layout only with a whole part that ends in its one `0`.
    fn is_rendered(&self) -> bool {
        let digits = |pieces: &[Piece]| {
            pieces
                .iter()
                .filter(|p| matches!(p, Piece::Digit(_)))
                .count()
        };
        if self.thousands {
            let first = self.whole.iter().position(|p| matches!(p, Piece::Digit(_)));
            let last = self
                .whole
                .iter()
                .rposition(|p| matches!(p, Piece::Digit(_)));
            let run_ok = match (first, last) {
                (Some(first), Some(last)) => self.whole[first..=last]
                    .iter()
                    .all(|p| matches!(p, Piece::Digit(Placeholder::Zero | Placeholder::Hash))),
                _ => false,
            };
            if !run_ok || self.exponent.is_some() {
                return false;
            }
        }
        // A whole part of one `0` (`0.00E+00`), or `##` before it (`##0.0E+0`, a power
        // that is a multiple of three); several `0`s (`00.00E+00`) are shown differently
        // by different spreadsheets.
        let zeros = self
            .whole
            .iter()
            .filter(|p| matches!(p, Piece::Digit(Placeholder::Zero)))
            .count();
        match &self.exponent {
            Some(exponent) => {
                zeros == 1
                    && matches!(digits(&self.whole), 1 | 3)
                    && matches!(
                        self.whole.iter().rfind(|p| matches!(p, Piece::Digit(_))),
                        Some(Piece::Digit(Placeholder::Zero))
                    )
                    && digits(&exponent.pieces) > 0
            }
            None => true,
        }
    }
}

/// The sections of `code`, or `None` when the code is malformed (an unterminated quote or
/// bracket, more than four sections).
pub(super) fn sections(code: &str) -> Option<Vec<Section>> {
    let mut sections = Vec::new();
    let mut reading = Reading::default();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => sections.push(std::mem::take(&mut reading).finish()),
            '"' => {
                let mut text = String::new();
                loop {
                    match chars.next()? {
                        '"' => break,
                        c => text.push(c),
                    }
                }
                reading.literal(&text);
            }
            '\\' => reading.literal(&chars.next()?.to_string()),
            // `_x` leaves the width of `x` blank; `*x` repeats `x` to fill the column's
            // width, which sleipnir does not know: a fill of spaces only aligns, any other
            // (`*0` shows `000000123` in a wide column) is not something to guess.
            '_' => {
                chars.next()?;
                reading.literal(" ");
            }
            '*' => {
                if chars.next()? != ' ' {
                    reading.unreadable = true;
                }
            }
            '[' => {
                let mut inside = String::new();
                loop {
                    match chars.next()? {
                        ']' => break,
                        c => inside.push(c),
                    }
                }
                bracket(&inside, &mut reading);
            }
            '0' => reading.push(Token::Piece(Piece::Digit(Placeholder::Zero))),
            '#' => reading.push(Token::Piece(Piece::Digit(Placeholder::Hash))),
            '?' => reading.push(Token::Piece(Piece::Digit(Placeholder::Question))),
            ',' => reading.push(Token::Comma),
            '.' if reading.area() == Area::Whole => reading.fraction = Some(Vec::new()),
            '%' => {
                reading.percent += 1;
                reading.literal("%");
            }
            'E' | 'e' if reading.area() != Area::Exponent => match chars.next() {
                Some(sign @ ('+' | '-')) => reading.exponent = Some((sign == '+', Vec::new())),
                _ => reading.unreadable = true,
            },
            '$' | '-' | '+' | '(' | ')' | ':' | '^' | '&' | '\'' | '~' | '{' | '}' | '<' | '>'
            | '=' | ' ' => reading.literal(&c.to_string()),
            // Currency and other symbols a code may leave unquoted (`€`, `£`, `¥`).
            c if !c.is_ascii() && !c.is_alphanumeric() => reading.literal(&c.to_string()),
            // Letters (dates, times, `General`), `@`, `/` (fractions), `!`, a second decimal
            // point, digits other than 0: nothing sleipnir shows exactly.
            _ => reading.unreadable = true,
        }
    }
    sections.push(reading.finish());
    (sections.len() <= 4).then_some(sections)
}

/// What a `[…]` means: a colour (nothing shown), a currency and locale (`[$€-407]`: the
/// symbol), a condition; anything else (elapsed times, other calendars and numeral systems,
/// system formats) leaves the section unreadable.
fn bracket(inside: &str, reading: &mut Reading) {
    if super::is_colour(inside) {
        return;
    }
    if let Some(currency) = inside.strip_prefix('$') {
        let (symbol, locale) = currency.split_once('-').unwrap_or((currency, ""));
        // `[$-F800]`, `[$-x-sysdate]`: the system's date and time formats; `[$-1E000804]`:
        // another numeral system.
        if super::locale_changes_shown(locale) {
            reading.unreadable = true;
        }
        if !symbol.is_empty() {
            reading.literal(symbol);
        }
        return;
    }
    match Condition::parse(inside) {
        Some(condition) if reading.condition.is_none() => reading.condition = Some(condition),
        _ => reading.unreadable = true,
    }
}
