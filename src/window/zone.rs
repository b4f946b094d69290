//! Zones: a name to a jiff `TimeZone`, a day's wall time to an instant (the DST rules of the
//! module doc), and an instant to wall time for messages.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::WindowError;
use super::parse::DAY;

/// The zone `name` names (an IANA name in any case, `UTC`), or the machine's for `None` or
/// `local`; with the name messages use (its IANA name, or `local`).
pub(super) fn named(name: Option<&str>) -> Result<(TimeZone, String), WindowError> {
    match name.map(str::trim) {
        None | Some("local") => {
            let zone = TimeZone::system();
            let name = zone.iana_name().unwrap_or("local").to_string();
            Ok((zone, name))
        }
        Some(name) => match TimeZone::get(name) {
            Ok(zone) => {
                let shown = zone.iana_name().unwrap_or(name).to_string();
                Ok((zone, shown))
            }
            Err(_) => {
                let db = jiff::tz::db();
                let names: Vec<String> = db.available().map(|n| n.as_str().to_string()).collect();
                let closest = crate::suggest::closest(name, names.iter().map(String::as_str));
                Err(WindowError::Zone {
                    name: name.to_string(),
                    suggestion: crate::suggest::did_you_mean(&closest),
                })
            }
        },
    }
}

/// The instant `seconds` after the midnight that begins `day` on the wall clocks of `zone`
/// (`seconds` may be [`DAY`]: the next day's midnight). A wall time the clocks skip is the
/// first instant after the gap; one they show twice is the earlier. `None` only out of
/// jiff's range of dates.
pub(super) fn instant(zone: &TimeZone, day: Date, seconds: u32) -> Option<Timestamp> {
    let (day, seconds) = match seconds >= DAY {
        true => (day.tomorrow().ok()?, seconds - DAY),
        false => (day, seconds),
    };
    let dt: DateTime = day.at(
        (seconds / 3600) as i8,
        (seconds / 60 % 60) as i8,
        (seconds % 60) as i8,
        0,
    );
    match zone.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { before, after } => {
            // Read with the offset after the gap, the wall time is an instant before the
            // transition; the next transition from there is where the gap ends.
            let early = after.to_timestamp(dt).ok()?;
            match zone.following(early).next() {
                Some(transition) => Some(transition.timestamp()),
                None => before.to_timestamp(dt).ok(),
            }
        }
    }
}

/// The first instant of `day` in `zone`.
pub(super) fn start_of(zone: &TimeZone, day: Date) -> Option<Timestamp> {
    instant(zone, day, 0)
}

/// The day `t` falls on in `zone`.
pub(super) fn day_of(zone: &TimeZone, t: Timestamp) -> Date {
    zone.to_datetime(t).date()
}

/// `t` on the wall clocks of `zone`: `2026-12-07 22:00 CET` (`22:00:05` where the seconds
/// are not zero; the offset, `+0530`, where the zone has no abbreviation).
pub(super) fn wall(zone: &TimeZone, t: Timestamp) -> String {
    let dt = zone.to_datetime(t);
    let info = zone.to_offset_info(t);
    let clock = match dt.second() {
        0 => dt.strftime("%Y-%m-%d %H:%M").to_string(),
        _ => dt.strftime("%Y-%m-%d %H:%M:%S").to_string(),
    };
    let abbreviation = info.abbreviation();
    match abbreviation.is_empty() {
        true => format!("{clock} {}", info.offset()),
        false => format!("{clock} {abbreviation}"),
    }
}
