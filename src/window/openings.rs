//! A window's open intervals, day by day: each range resolved on each day it starts, frozen
//! days cut out, clipped to the instant asked about, then merged where they touch.

use std::collections::VecDeque;

use jiff::Timestamp;
use jiff::civil::Date;

use super::parse::{DAY, Days, Range};
use super::{HORIZON_DAYS, Window, zone};

/// The iterator behind [`Window::openings`].
pub(super) struct Openings<'w> {
    window: &'w Window,
    from: Timestamp,
    /// The next day whose ranges are resolved.
    day: Option<Date>,
    /// The last day searched.
    last: Date,
    /// Pieces resolved but not yet merged, in order of their starts.
    pending: VecDeque<(Timestamp, Timestamp)>,
    /// The interval being merged.
    current: Option<(Timestamp, Timestamp)>,
}

impl<'w> Openings<'w> {
    pub(super) fn new(window: &'w Window, from: Timestamp) -> Openings<'w> {
        let today = zone::day_of(&window.zone, from);
        // Yesterday's ranges may run past midnight into today.
        let first = today.yesterday().unwrap_or(today);
        let last = today
            .checked_add(jiff::Span::new().days(HORIZON_DAYS))
            .unwrap_or(Date::MAX);
        Openings {
            window,
            from,
            day: Some(first),
            last,
            pending: VecDeque::new(),
            current: None,
        }
    }

    /// The pieces of `day`'s ranges that are open from `from` on, in order of their starts.
    fn resolve(&self, day: Date) -> Vec<(Timestamp, Timestamp)> {
        let always = [Range {
            days: Days::Every,
            start: 0,
            end: DAY,
        }];
        let ranges: &[Range] = match self.window.ranges.is_empty() {
            true => &always,
            false => &self.window.ranges,
        };
        let zone = &self.window.zone;
        let mut pieces = Vec::new();
        for range in ranges.iter().filter(|r| r.days.holds(day.weekday())) {
            let end_day = match range.overnight() {
                true => day.tomorrow().ok(),
                false => Some(day),
            };
            let start = zone::instant(zone, day, range.start);
            let end = end_day.and_then(|d| zone::instant(zone, d, range.end));
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            for (s, e) in self.unfrozen(start, end) {
                let s = s.max(self.from);
                if e > s {
                    pieces.push((s, e));
                }
            }
        }
        pieces.sort();
        pieces
    }

    /// `[start, end)` less the frozen days it touches.
    fn unfrozen(&self, start: Timestamp, end: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let zone = &self.window.zone;
        let mut pieces = Vec::new();
        let mut day = zone::day_of(zone, start);
        while let Some(day_start) = zone::start_of(zone, day) {
            if day_start >= end {
                break;
            }
            let Some(next) = day.tomorrow().ok() else {
                break;
            };
            let day_end = zone::start_of(zone, next).unwrap_or(end);
            let (s, e) = (start.max(day_start), end.min(day_end));
            if s < e && !self.window.frozen(day) {
                pieces.push((s, e));
            }
            day = next;
        }
        pieces
    }
}

impl Iterator for Openings<'_> {
    type Item = (Timestamp, Timestamp);

    fn next(&mut self) -> Option<(Timestamp, Timestamp)> {
        loop {
            while self.pending.is_empty() {
                let Some(day) = self.day.filter(|d| *d <= self.last) else {
                    break;
                };
                self.pending.extend(self.resolve(day));
                self.day = day.tomorrow().ok();
            }
            let Some(piece) = self.pending.pop_front() else {
                return self.current.take();
            };
            match self.current {
                None => self.current = Some(piece),
                Some((start, end)) if piece.0 <= end => {
                    self.current = Some((start, end.max(piece.1)));
                }
                Some(done) => {
                    self.current = Some(piece);
                    return Some(done);
                }
            }
        }
    }
}
