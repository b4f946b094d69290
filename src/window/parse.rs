//! The text of windows: ranges with their weekday prefixes, freezes, and `--window-cutoff`
//! durations. Each parsed value prints back in its normalised form.

use std::fmt;

use jiff::civil::{Date, Weekday};

use super::WindowError;

/// Seconds in a day: a range's end may be this (`24:00`).
pub(super) const DAY: u32 = 86_400;

/// The days of the week, Monday first, as a spec writes them.
const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Which days a range starts on, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Days {
    /// No prefix: every day.
    Every,
    /// From the first to the last, Monday-zero offsets, wrapping past Sunday when the last
    /// is before the first (`Fri-Mon`); one day when they are equal.
    Span(i8, i8),
}

impl Days {
    /// Whether a range with these days starts on `day`.
    pub(super) fn holds(self, day: Weekday) -> bool {
        match self {
            Days::Every => true,
            Days::Span(first, last) => {
                let d = day.to_monday_zero_offset();
                match first <= last {
                    true => (first..=last).contains(&d),
                    false => d >= first || d <= last,
                }
            }
        }
    }
}

/// One range of a spec: the days it starts on, and its start and end in seconds after
/// midnight (`end` may be [`DAY`]; at or before `start`, the end is on the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Range {
    pub(super) days: Days,
    pub(super) start: u32,
    pub(super) end: u32,
}

impl Range {
    /// Whether the end is on the day after the start.
    pub(super) fn overnight(self) -> bool {
        self.end <= self.start
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.days {
            Days::Every => {}
            Days::Span(a, b) if a == b => write!(f, "{} ", NAMES[a as usize])?,
            Days::Span(a, b) => write!(f, "{}-{} ", NAMES[a as usize], NAMES[b as usize])?,
        }
        write!(f, "{}-{}", clock(self.start), clock(self.end))
    }
}

/// Seconds after midnight as `HH:MM`, or `HH:MM:SS` where the seconds are not zero.
fn clock(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match s {
        0 => format!("{h:02}:{m:02}"),
        _ => format!("{h:02}:{m:02}:{s:02}"),
    }
}

/// The ranges of `spec`, or the first thing wrong with it.
pub(super) fn ranges(spec: &str) -> Result<Vec<Range>, WindowError> {
    if spec.trim().is_empty() {
        return Err(WindowError::Empty);
    }
    if spec.split(',').any(|part| part.trim().is_empty()) {
        return Err(WindowError::EmptyRange(spec.trim().to_string()));
    }
    spec.split(',').map(range).collect()
}

fn range(part: &str) -> Result<Range, WindowError> {
    let part = part.trim();
    if part.is_empty() {
        return Err(WindowError::Range(String::new()));
    }
    let Some(digit) = part.find(|c: char| c.is_ascii_digit()) else {
        return Err(match days(part) {
            Ok(_) => WindowError::DaysAlone(part.to_string()),
            Err(_) => WindowError::Range(part.to_string()),
        });
    };
    let (prefix, times) = part.split_at(digit);
    let days = match prefix.trim() {
        "" => Days::Every,
        prefix => days(prefix)?,
    };
    let times: String = times.chars().filter(|c| !c.is_whitespace()).collect();
    let Some((start, end)) = times.split_once('-') else {
        return Err(WindowError::Range(part.to_string()));
    };
    let (start, end) = (time(start)?, time(end)?);
    if start == DAY {
        return Err(WindowError::StartsAtEndOfDay(times));
    }
    if start == end {
        return Err(WindowError::ZeroLength(times));
    }
    Ok(Range { days, start, end })
}

/// A weekday prefix: `Sat`, `Mon-Fri`, `fri - mon`.
fn days(text: &str) -> Result<Days, WindowError> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    match text.split_once('-') {
        Some((first, last)) => Ok(Days::Span(weekday(first)?, weekday(last)?)),
        None => {
            let day = weekday(&text)?;
            Ok(Days::Span(day, day))
        }
    }
}

/// A day's Monday-zero offset from its short or whole English name, in any case.
fn weekday(name: &str) -> Result<i8, WindowError> {
    const WHOLE: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = name.to_lowercase();
    let found = (0..7).find(|&i| {
        lower == NAMES[i].to_lowercase()
            || lower == WHOLE[i]
            || (i == 1 && lower == "tues")
            || (i == 3 && (lower == "thur" || lower == "thurs"))
    });
    match found {
        Some(i) => Ok(i as i8),
        None => Err(WindowError::Weekday {
            text: name.to_string(),
            suggestion: crate::suggest::did_you_mean(&crate::suggest::closest(
                name,
                NAMES.iter().copied(),
            )),
        }),
    }
}

/// `HH:MM` or `HH:MM:SS` (hour of one or two digits) as seconds after midnight, up to
/// `24:00`.
fn time(text: &str) -> Result<u32, WindowError> {
    let bad = || WindowError::Time(text.to_string());
    let parts: Vec<&str> = text.split(':').collect();
    let number = |part: &str, widths: &[usize]| -> Result<u32, WindowError> {
        if !widths.contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (number(h, &[1, 2])?, number(m, &[2])?, 0),
        [h, m, s] => (number(h, &[1, 2])?, number(m, &[2])?, number(s, &[2])?),
        _ => return Err(bad()),
    };
    if m > 59 || s > 59 || h > 24 || (h == 24 && (m, s) != (0, 0)) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60 + s)
}

/// Days denied whole, from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Freeze {
    first: Date,
    last: Date,
}

impl Freeze {
    /// Whether `day` is frozen by this.
    pub(super) fn holds(self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }
}

impl fmt::Display for Freeze {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.first == self.last {
            true => write!(f, "{}", self.first),
            false => write!(f, "{}/{}", self.first, self.last),
        }
    }
}

/// Each freeze of `texts` (a value may hold several, comma-separated).
pub(super) fn freezes(texts: &[String]) -> Result<Vec<Freeze>, WindowError> {
    let mut all = Vec::new();
    for text in texts {
        for part in text.split(',') {
            all.push(freeze(part.trim())?);
        }
    }
    Ok(all)
}

fn freeze(text: &str) -> Result<Freeze, WindowError> {
    let bad = || WindowError::Freeze(text.to_string());
    let (first, last) = match text.split_once('/') {
        Some((first, last)) => (first.trim(), last.trim()),
        None => (text, text),
    };
    let (first, last) = (day(first).ok_or_else(bad)?, day(last).ok_or_else(bad)?);
    if last < first {
        return Err(WindowError::FreezeBackwards(text.to_string()));
    }
    Ok(Freeze { first, last })
}

/// `YYYY-MM-DD`, a day that exists.
fn day(text: &str) -> Option<Date> {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// A `--window-cutoff` value: `0`, or whole numbers each with `h`, `m` or `s` (`10m`, `90s`,
/// `1h`, `1h30m`).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, WindowError> {
    let bad = || WindowError::Duration(text.to_string());
    let trimmed = text.trim();
    if trimmed == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let mut seconds: u64 = 0;
    let mut number = String::new();
    for c in trimmed.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let unit = match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                let n: u64 = number.parse().map_err(|_| bad())?;
                seconds = n
                    .checked_mul(unit)
                    .and_then(|s| seconds.checked_add(s))
                    .ok_or_else(bad)?;
                number.clear();
            }
            _ => return Err(bad()),
        }
    }
    if trimmed.is_empty() || !number.is_empty() {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs(seconds))
}
