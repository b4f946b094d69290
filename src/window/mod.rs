//! Maintenance windows: when a run may start users. Parsed from `--window`, `--window-tz` and
//! `--freeze` (or a target's `window`, `window_tz`, `freeze`); pure: the clock is the
//! caller's, every function takes the instant it is about.
//!
//! # The spec
//!
//! One or more ranges separated by commas, each `HH:MM-HH:MM` (seconds allowed:
//! `HH:MM:SS`) with an optional weekday prefix: `22:00-05:30`,
//! `Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00`, `Sat 00:00-24:00`.
//! - The prefix is one day (`Sat`) or a span (`Mon-Fri`; `Fri-Mon` wraps over the weekend);
//!   names in any case, short or whole (`mon`, `Monday`). A list of days (`Mon,Wed`) is not
//!   taken: the comma already separates ranges, so each day or span gets its range
//!   (`Mon 01:00-03:00, Wed 01:00-03:00`). No prefix is every day.
//! - A range whose end is at or before its start runs past midnight into the next day; the
//!   prefix names the day the range **starts** on (`Mon-Fri 22:00-05:30`: Friday's runs into
//!   Saturday morning, Saturday 22:00 is closed).
//! - `24:00` is allowed as an end only (`Sat 00:00-24:00` is the whole Saturday). A range
//!   whose end equals its start (`22:00-22:00`) is refused as zero-length: for a whole day
//!   write `00:00-24:00`.
//! - Overlapping and adjacent ranges are one opening (`22:00-24:00, 00:00-05:30` is one
//!   interval from 22:00 to 05:30).
//!
//! # The zone
//!
//! Wall times are in the window's zone: an IANA name (`Europe/Berlin`, any case), `UTC`, or
//! none (or `local`): the machine's zone, named by its IANA name when jiff knows it, else
//! `local`. The zone database is bundled (jiff's `tzdb-bundle-always`), so a window means the
//! same on every host.
//!
//! # Freezes
//!
//! Each `YYYY-MM-DD/YYYY-MM-DD` (first and last day, both inclusive) or one `YYYY-MM-DD`;
//! several may be given (also comma-separated in one value). A frozen day denies **every
//! instant of that day** in the window's zone, from its first instant to the next day's: a
//! range that starts the evening before a frozen day closes at the frozen day's midnight,
//! and one that starts on the last frozen day opens at the next day's midnight if it still
//! runs then.
//!
//! # Daylight saving time
//!
//! A wall time is turned into an instant on the day it names:
//! - a time that exists once is that instant;
//! - a time in a spring-forward **gap** (Europe/Berlin 02:30 on 2026-03-29) is the first
//!   instant after the gap, the transition itself (03:00 CEST), for a start and an end alike:
//!   a range that starts in the gap opens when the clocks jump, one that ends in it closes
//!   then, and a range lying wholly in the gap (`02:00-03:00` that day) has no length and
//!   opens nothing;
//! - a time in a fall-back **fold** (America/New_York 01:30 on 2026-11-01, which happens
//!   twice) is the earlier of its two instants, for a start and an end alike: a window never
//!   runs past the first time the clocks show its end.
//!
//! So `22:00-05:30` in Europe/Berlin is 6.5 hours on the night of 2026-03-28/29 and 8.5 hours
//! on the night of 2026-10-24/25.
//!
//! # Horizon
//!
//! Openings are searched up to [`HORIZON_DAYS`] days ahead of the instant asked about, so that
//! a window whose every day is frozen ends; an opening that reaches the horizon (a window open
//! around the clock) closes there.

mod openings;
mod parse;
mod zone;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_dst;
#[cfg(test)]
mod tests_props;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

pub use parse::parse_duration;
use parse::{Freeze, Range};

/// How many days ahead of the instant asked about openings are searched (about two years).
pub const HORIZON_DAYS: i32 = 731;

/// A maintenance window: when runs may start users. Parsed from `--window`, `--window-tz`,
/// `--freeze` (see the [module](self) for the forms and the DST rules).
#[derive(Debug, Clone)]
pub struct Window {
    /// The ranges; empty for a window [`Window::always`] open (but on frozen days).
    ranges: Vec<Range>,
    /// The frozen days, in the order given.
    freezes: Vec<Freeze>,
    /// The zone wall times are in.
    zone: TimeZone,
    /// How messages name the zone: its IANA name, or `local`.
    zone_name: String,
}

/// What can be wrong with a window: each names the bad part and says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// The spec holds no range.
    #[error(
        "the window holds no range: write `HH:MM-HH:MM`, e.g. `22:00-05:30` or \
         `Mon-Fri 22:00-05:30`, several separated by commas"
    )]
    Empty,
    /// Nothing between two commas, or after the last one (`22:00-23:00,`).
    #[error(
        "the window `{0}` has a comma with no range after it: separate ranges by single \
         commas, e.g. `Mon-Fri 22:00-05:30, Sat 00:00-24:00`"
    )]
    EmptyRange(String),
    /// A part between commas that is not a range.
    #[error(
        "`{0}` is not a range: write `HH:MM-HH:MM` with an optional weekday prefix, e.g. \
         `22:00-05:30` or `Mon-Fri 22:00-05:30`"
    )]
    Range(String),
    /// Days without times (`Mon` of `Mon,Wed 01:00-03:00`).
    #[error(
        "`{0}` names days but no times: commas separate ranges, so give each day or span its \
         own range, e.g. `Mon 01:00-03:00, Wed 01:00-03:00` or `Mon-Wed 01:00-03:00`"
    )]
    DaysAlone(String),
    /// A time of day out of its range or form.
    #[error("`{0}` is not a time of day (HH:MM or HH:MM:SS, 00:00 to 24:00)")]
    Time(String),
    /// `24:00` as a range's start.
    #[error("`{0}`: 24:00 can only end a range; start it at 00:00")]
    StartsAtEndOfDay(String),
    /// A range whose end equals its start.
    #[error("`{0}` is zero-length (its end is its start): for a whole day write `00:00-24:00`")]
    ZeroLength(String),
    /// A weekday prefix that names no day.
    #[error(
        "`{text}` is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat or Sun, or a span such \
         as `Mon-Fri`{suggestion}"
    )]
    Weekday {
        /// The name as written.
        text: String,
        /// `; did you mean …?`, or nothing.
        suggestion: String,
    },
    /// A zone name the database does not hold.
    #[error(
        "unknown time zone `{name}`: give an IANA name such as `Europe/Berlin` or \
         `America/New_York`, or `UTC`{suggestion}"
    )]
    Zone {
        /// The name as written.
        name: String,
        /// `; did you mean …?`, or nothing.
        suggestion: String,
    },
    /// A freeze that is not a day or a span of days.
    #[error(
        "`{0}` is not a freeze: give a day `YYYY-MM-DD` or the first and last days \
         `YYYY-MM-DD/YYYY-MM-DD` (both frozen)"
    )]
    Freeze(String),
    /// A freeze whose last day is before its first.
    #[error("freeze `{0}`: its last day is before its first (write FIRST/LAST)")]
    FreezeBackwards(String),
    /// A `--window-cutoff` value that is not a duration.
    #[error(
        "`{0}` is not a duration: give a whole number with s, m or h (`90s`, `10m`, `1h`, \
         `1h30m`), or `0`"
    )]
    Duration(String),
}

/// Where an instant stands in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Open now, until `closes` (the first instant it is closed).
    Open {
        /// The end of the current opening (exclusive).
        closes: Timestamp,
    },
    /// Closed now.
    Closed {
        /// The next opening's start; `None`: none within [`HORIZON_DAYS`].
        opens: Option<Timestamp>,
    },
}

impl Window {
    /// The window of `spec` in `zone` (`None` or `local`: the machine's) with `freezes`
    /// denied. Errors name the bad range, time, weekday, zone or freeze.
    pub fn parse(
        spec: &str,
        zone: Option<&str>,
        freezes: &[String],
    ) -> Result<Window, WindowError> {
        let ranges = parse::ranges(spec)?;
        Window::build(ranges, zone, freezes)
    }

    /// A window open always except on the frozen days (`--freeze` without `--window`).
    pub fn always(zone: Option<&str>, freezes: &[String]) -> Result<Window, WindowError> {
        Window::build(Vec::new(), zone, freezes)
    }

    fn build(
        ranges: Vec<Range>,
        zone: Option<&str>,
        freezes: &[String],
    ) -> Result<Window, WindowError> {
        let (zone, zone_name) = zone::named(zone)?;
        let freezes = parse::freezes(freezes)?;
        Ok(Window {
            ranges,
            freezes,
            zone,
            zone_name,
        })
    }

    /// The zone's name: its IANA name (`Europe/Berlin`, `UTC`), or `local` for a machine
    /// zone that has none. [`Window::parse`] takes it back.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The ranges as `--window` takes them, normalised: `Mon-Fri 22:00-05:30, Sat 00:00-24:00`
    /// (day names short, times `HH:MM`, seconds only where given). A window [`Window::always`]
    /// open is `00:00-24:00`. `Window::parse(&w.spec(), Some(w.zone_name()), &w.freezes())` is
    /// the same window.
    pub fn spec(&self) -> String {
        if self.ranges.is_empty() {
            return "00:00-24:00".to_string();
        }
        let parts: Vec<String> = self.ranges.iter().map(Range::to_string).collect();
        parts.join(", ")
    }

    /// Whether it has no ranges of its own (made by [`Window::always`]).
    pub fn is_always(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The freezes as `--freeze` takes them, normalised: `2026-12-24/2026-12-27`, `2027-01-01`.
    pub fn freezes(&self) -> Vec<String> {
        self.freezes.iter().map(Freeze::to_string).collect()
    }

    /// The window in one phrase, for messages: `` `Mon-Fri 22:00-05:30` (Europe/Berlin), frozen
    /// 2026-12-24/2026-12-27 ``.
    pub fn describe(&self) -> String {
        let mut text = match self.is_always() {
            true => format!("any time ({})", self.zone_name),
            false => format!("`{}` ({})", self.spec(), self.zone_name),
        };
        if !self.freezes.is_empty() {
            text.push_str(", frozen ");
            text.push_str(&self.freezes().join(", "));
        }
        text
    }

    /// Where `now` stands: open until `closes` (open at an opening's first instant), or
    /// closed until `opens` (closed at an opening's end). A window open around the clock is
    /// resolved day by day to the horizon (about a millisecond in a debug build): ask once,
    /// and again when `closes` or `opens` has passed, not for every user.
    pub fn at(&self, now: Timestamp) -> Opening {
        match self.openings(now).next() {
            Some((start, end)) if start <= now => Opening::Open { closes: end },
            Some((start, _)) => Opening::Closed { opens: Some(start) },
            None => Opening::Closed { opens: None },
        }
    }

    /// The open intervals `[start, end)` from `from` on, in order: overlapping and adjacent
    /// ranges merged, frozen days cut out, the interval holding `from` starting at `from`.
    /// Ends after [`HORIZON_DAYS`] days.
    pub fn openings(&self, from: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        openings::Openings::new(self, from)
    }

    /// `t` as wall time in the window's zone: `2026-12-07 22:00 CET` (seconds where not zero;
    /// the zone's abbreviation, or its offset where it has none).
    pub fn in_zone(&self, t: Timestamp) -> String {
        zone::wall(&self.zone, t)
    }

    /// Whether `day` is frozen.
    fn frozen(&self, day: Date) -> bool {
        self.freezes.iter().any(|f| f.holds(day))
    }
}

/// `t` as wall time in the machine's zone (the admin's), as [`Window::in_zone`] writes it.
pub fn local(t: Timestamp) -> String {
    zone::wall(&TimeZone::system(), t)
}
