//! Windows without DST: weekday prefixes, merging, freezes, `at` at the edges, clipping, the
//! spec's normal form, errors and durations. (DST: `tests_dst.rs`.)

use std::time::Duration;

use jiff::Timestamp;

use super::*;

pub(super) fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn utc(spec: &str, freezes: &[&str]) -> Window {
    let freezes: Vec<String> = freezes.iter().map(|f| f.to_string()).collect();
    Window::parse(spec, Some("UTC"), &freezes).unwrap()
}

pub(super) fn first(window: &Window, from: &str) -> (Timestamp, Timestamp) {
    window.openings(ts(from)).next().unwrap()
}

fn open(closes: &str) -> Opening {
    Opening::Open { closes: ts(closes) }
}

fn closed(opens: &str) -> Opening {
    Opening::Closed {
        opens: Some(ts(opens)),
    }
}

#[test]
fn open_at_the_first_instant_and_closed_at_the_end() {
    let w = utc("22:00-05:30", &[]);
    assert_eq!(
        w.at(ts("2026-12-07T21:59:59Z")),
        closed("2026-12-07T22:00:00Z")
    );
    assert_eq!(
        w.at(ts("2026-12-07T22:00:00Z")),
        open("2026-12-08T05:30:00Z")
    );
    assert_eq!(
        w.at(ts("2026-12-08T05:29:59Z")),
        open("2026-12-08T05:30:00Z")
    );
    assert_eq!(
        w.at(ts("2026-12-08T05:30:00Z")),
        closed("2026-12-08T22:00:00Z")
    );
}

#[test]
fn the_opening_holding_from_starts_at_from() {
    let w = utc("22:00-05:30", &[]);
    let all: Vec<_> = w.openings(ts("2026-12-08T01:00:00Z")).take(2).collect();
    assert_eq!(
        all,
        vec![
            (ts("2026-12-08T01:00:00Z"), ts("2026-12-08T05:30:00Z")),
            (ts("2026-12-08T22:00:00Z"), ts("2026-12-09T05:30:00Z")),
        ]
    );
}

#[test]
fn a_weekday_prefix_names_the_day_a_range_starts() {
    // 2026-12-07 is a Monday.
    let w = utc("Mon-Fri 22:00-05:30", &[]);
    // Friday's range runs into Saturday morning.
    assert_eq!(
        w.at(ts("2026-12-12T03:00:00Z")),
        open("2026-12-12T05:30:00Z")
    );
    // Saturday and Sunday evenings are closed; the next opening is Monday's.
    for at in [
        "2026-12-12T22:00:00Z",
        "2026-12-13T23:00:00Z",
        "2026-12-14T03:00:00Z",
    ] {
        assert_eq!(w.at(ts(at)), closed("2026-12-14T22:00:00Z"), "{at}");
    }
    // Monday morning belongs to Sunday's range, which there is not.
    assert_eq!(
        w.at(ts("2026-12-07T03:00:00Z")),
        closed("2026-12-07T22:00:00Z")
    );
    let weekend = utc("Fri-Mon 01:00-02:00", &[]);
    let days: Vec<String> = weekend
        .openings(ts("2026-12-07T00:00:00Z"))
        .take(5)
        .map(|(s, _)| s.to_string())
        .collect();
    assert_eq!(
        days,
        [
            "2026-12-07T01:00:00Z",
            "2026-12-11T01:00:00Z",
            "2026-12-12T01:00:00Z",
            "2026-12-13T01:00:00Z",
            "2026-12-14T01:00:00Z"
        ]
    );
}

#[test]
fn ranges_that_touch_or_overlap_are_one_opening() {
    let midnight = utc("22:00-24:00, 00:00-05:30", &[]);
    assert_eq!(
        first(&midnight, "2026-12-07T12:00:00Z"),
        (ts("2026-12-07T22:00:00Z"), ts("2026-12-08T05:30:00Z"))
    );
    let overlapping = utc("20:00-23:00, 22:00-02:00", &[]);
    assert_eq!(
        first(&overlapping, "2026-12-07T12:00:00Z"),
        (ts("2026-12-07T20:00:00Z"), ts("2026-12-08T02:00:00Z"))
    );
    let apart: Vec<_> = utc("03:00-04:00, 01:00-02:00", &[])
        .openings(ts("2026-12-07T00:00:00Z"))
        .take(3)
        .collect();
    assert_eq!(
        apart,
        vec![
            (ts("2026-12-07T01:00:00Z"), ts("2026-12-07T02:00:00Z")),
            (ts("2026-12-07T03:00:00Z"), ts("2026-12-07T04:00:00Z")),
            (ts("2026-12-08T01:00:00Z"), ts("2026-12-08T02:00:00Z")),
        ]
    );
    // Every day whole: one opening to the horizon.
    let (start, end) = first(&utc("00:00-24:00", &[]), "2026-12-07T12:00:00Z");
    assert_eq!(start, ts("2026-12-07T12:00:00Z"));
    assert!(end >= ts("2028-12-01T00:00:00Z"), "{end}");
}

#[test]
fn a_frozen_day_denies_every_instant_of_it() {
    let w = utc("22:00-05:30", &["2026-12-24/2026-12-26"]);
    let all: Vec<_> = w.openings(ts("2026-12-23T12:00:00Z")).take(3).collect();
    assert_eq!(
        all,
        vec![
            // The evening before closes at the frozen day's midnight…
            (ts("2026-12-23T22:00:00Z"), ts("2026-12-24T00:00:00Z")),
            // …and the last frozen day's range opens at the next day's.
            (ts("2026-12-27T00:00:00Z"), ts("2026-12-27T05:30:00Z")),
            (ts("2026-12-27T22:00:00Z"), ts("2026-12-28T05:30:00Z")),
        ]
    );
    // Days are the window's zone's: Berlin's 24 December is 23:00Z to 23:00Z.
    let berlin = Window::always(Some("Europe/Berlin"), &["2026-12-24".into()]).unwrap();
    assert_eq!(
        berlin.at(ts("2026-12-23T22:00:00Z")),
        open("2026-12-23T23:00:00Z")
    );
    assert_eq!(
        berlin.at(ts("2026-12-23T23:30:00Z")),
        closed("2026-12-24T23:00:00Z")
    );
    // Every day frozen for longer than the horizon: it never opens.
    let never = Window::always(Some("UTC"), &["2026-01-01/2030-12-31".into()]).unwrap();
    assert_eq!(
        never.at(ts("2026-12-07T12:00:00Z")),
        Opening::Closed { opens: None }
    );
    assert_eq!(never.openings(ts("2026-12-07T12:00:00Z")).count(), 0);
}

#[test]
fn always_is_open_but_on_frozen_days() {
    let w = Window::always(Some("UTC"), &["2026-12-24, 2026-12-31".into()]).unwrap();
    assert!(w.is_always());
    assert_eq!(w.spec(), "00:00-24:00");
    assert_eq!(w.freezes(), ["2026-12-24", "2026-12-31"]);
    assert_eq!(
        w.at(ts("2026-12-20T10:00:00Z")),
        open("2026-12-24T00:00:00Z")
    );
    assert_eq!(
        w.at(ts("2026-12-24T10:00:00Z")),
        closed("2026-12-25T00:00:00Z")
    );
    assert_eq!(
        w.describe(),
        "any time (UTC), frozen 2026-12-24, 2026-12-31"
    );
}

#[test]
fn the_spec_prints_normalised_and_parses_back_to_itself() {
    let w = Window::parse(
        "mon-FRI 22:00-05:30,sat - sun 20:00 - 6:00:30, Tuesday 00:00-24:00",
        Some("europe/berlin"),
        &[
            "2026-12-24/2026-12-27".into(),
            " 2027-01-01/2027-01-01 ".into(),
        ],
    )
    .unwrap();
    assert_eq!(
        w.spec(),
        "Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00:30, Tue 00:00-24:00"
    );
    assert_eq!(w.zone_name(), "Europe/Berlin");
    assert_eq!(w.freezes(), ["2026-12-24/2026-12-27", "2027-01-01"]);
    assert_eq!(
        w.describe(),
        "`Mon-Fri 22:00-05:30, Sat-Sun 20:00-06:00:30, Tue 00:00-24:00` (Europe/Berlin), \
         frozen 2026-12-24/2026-12-27, 2027-01-01"
    );
    let again = Window::parse(&w.spec(), Some(w.zone_name()), &w.freezes()).unwrap();
    assert_eq!(again.spec(), w.spec());
    let from = ts("2026-12-20T00:00:00Z");
    let a: Vec<_> = w.openings(from).take(20).collect();
    let b: Vec<_> = again.openings(from).take(20).collect();
    assert_eq!(a, b);
}

#[test]
fn the_machines_zone_is_named_and_parses_back() {
    let w = Window::parse("22:00-05:30", None, &[]).unwrap();
    let name = w.zone_name().to_string();
    let again = Window::parse("22:00-05:30", Some(&name), &[]).unwrap();
    assert_eq!(again.zone_name(), name);
    let t = ts("2026-07-01T12:34:00Z");
    assert_eq!(local(t), w.in_zone(t));
}

#[test]
fn wall_time_names_the_zone() {
    let berlin = Window::parse("22:00-05:30", Some("Europe/Berlin"), &[]).unwrap();
    assert_eq!(
        berlin.in_zone(ts("2026-12-07T21:00:00Z")),
        "2026-12-07 22:00 CET"
    );
    assert_eq!(
        berlin.in_zone(ts("2026-07-07T20:00:05Z")),
        "2026-07-07 22:00:05 CEST"
    );
    let utc = utc("22:00-05:30", &[]);
    assert_eq!(
        utc.in_zone(ts("2026-12-07T21:00:00Z")),
        "2026-12-07 21:00 UTC"
    );
    let kolkata = Window::parse("22:00-05:30", Some("Asia/Kolkata"), &[]).unwrap();
    assert_eq!(
        kolkata.in_zone(ts("2026-12-07T16:30:00Z")),
        "2026-12-07 22:00 IST"
    );
}

fn error(spec: &str) -> String {
    Window::parse(spec, Some("UTC"), &[])
        .unwrap_err()
        .to_string()
}

#[test]
fn a_bad_spec_names_its_bad_part_and_what_is_allowed() {
    for (spec, says) in [
        (
            "25:00-03:00",
            "`25:00` is not a time of day (HH:MM or HH:MM:SS, 00:00 to 24:00)",
        ),
        ("22:00-24:30", "`24:30` is not a time of day"),
        ("22:60-05:00", "`22:60` is not a time of day"),
        ("22:0-05:00", "`22:0` is not a time of day"),
        (
            "24:00-05:00",
            "`24:00-05:00`: 24:00 can only end a range; start it at 00:00",
        ),
        ("22:00-22:00", "`22:00-22:00` is zero-length"),
        ("00:00-00:00", "for a whole day write `00:00-24:00`"),
        ("Mom 22:00-05:30", "`Mom` is not a weekday: use Mon, Tue"),
        ("Mom 22:00-05:30", "did you mean `Mon`?"),
        ("Mon-Frx 22:00-05:30", "`Frx` is not a weekday"),
        ("Mon,Wed 01:00-03:00", "`Mon` names days but no times"),
        ("22:00", "`22:00` is not a range: write `HH:MM-HH:MM`"),
        ("nightly", "`nightly` is not a range"),
        ("22:00-05:30,", "has a comma with no range after it"),
        ("  ", "the window holds no range"),
    ] {
        let message = error(spec);
        assert!(message.contains(says), "{spec}: {message}");
    }
}

#[test]
fn an_unknown_zone_is_named_with_the_form_of_one() {
    let message = Window::parse("22:00-05:30", Some("Europe/Berln"), &[])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("unknown time zone `Europe/Berln`"),
        "{message}"
    );
    assert!(message.contains("such as `Europe/Berlin`"), "{message}");
    assert!(
        message.contains("did you mean `Europe/Berlin`?"),
        "{message}"
    );
    assert!(Window::always(Some("Mars/Olympus_Mons"), &[]).is_err());
    assert!(Window::always(Some(" "), &[]).is_err());
    assert_eq!(Window::always(Some("utc"), &[]).unwrap().zone_name(), "UTC");
}

#[test]
fn a_bad_freeze_says_the_forms() {
    for (freeze, says) in [
        (
            "2026-02-30",
            "`2026-02-30` is not a freeze: give a day `YYYY-MM-DD`",
        ),
        ("24.12.2026", "`24.12.2026` is not a freeze"),
        ("2026-12-24/", "`2026-12-24/` is not a freeze"),
        ("2026-12-27/2026-12-24", "its last day is before its first"),
    ] {
        let message = Window::always(Some("UTC"), &[freeze.into()])
            .unwrap_err()
            .to_string();
        assert!(message.contains(says), "{freeze}: {message}");
    }
}

#[test]
fn cutoffs_are_whole_seconds_minutes_and_hours() {
    for (text, seconds) in [
        ("10m", 600),
        ("90s", 90),
        ("1h", 3600),
        ("0", 0),
        ("1h30m", 5400),
        (" 0s ", 0),
    ] {
        assert_eq!(
            parse_duration(text).unwrap(),
            Duration::from_secs(seconds),
            "{text}"
        );
    }
    for text in ["", "10", "10x", "m", "-5m", "1.5h", "10 m"] {
        let message = parse_duration(text).unwrap_err().to_string();
        assert!(
            message.contains("is not a duration: give a whole number with s, m or h"),
            "{text}: {message}"
        );
    }
}
