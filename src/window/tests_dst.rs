//! Windows across DST transitions: the instants of the module doc's rules, each tested in a
//! zone that has the transition (Europe/Berlin: 2026-03-29 02:00 → 03:00 and 2026-10-25
//! 03:00 → 02:00; America/New_York: 2026-03-08 02:00 → 03:00 and 2026-11-01 02:00 → 01:00).

use jiff::SignedDuration;

use super::tests::{first, ts};
use super::*;

fn zoned(spec: &str, zone: &str) -> Window {
    Window::parse(spec, Some(zone), &[]).unwrap()
}

fn hours(start: Timestamp, end: Timestamp) -> f64 {
    end.duration_since(start).as_secs_f64() / 3600.0
}

#[test]
fn a_night_across_spring_forward_is_an_hour_shorter() {
    let w = zoned("22:00-05:30", "Europe/Berlin");
    let (start, end) = first(&w, "2026-03-28T12:00:00Z");
    assert_eq!(start, ts("2026-03-28T21:00:00Z"));
    assert_eq!(end, ts("2026-03-29T03:30:00Z"));
    assert_eq!(end.duration_since(start), SignedDuration::from_mins(390));
    assert_eq!(w.in_zone(start), "2026-03-28 22:00 CET");
    assert_eq!(w.in_zone(end), "2026-03-29 05:30 CEST");
}

#[test]
fn a_night_across_fall_back_is_an_hour_longer() {
    let w = zoned("22:00-05:30", "Europe/Berlin");
    let (start, end) = first(&w, "2026-10-24T12:00:00Z");
    assert_eq!(start, ts("2026-10-24T20:00:00Z"));
    assert_eq!(end, ts("2026-10-25T04:30:00Z"));
    assert_eq!(hours(start, end), 8.5);
    assert_eq!(w.in_zone(start), "2026-10-24 22:00 CEST");
    assert_eq!(w.in_zone(end), "2026-10-25 05:30 CET");
}

#[test]
fn a_range_inside_the_skipped_hour_opens_nothing_that_day() {
    let w = zoned("02:00-03:00", "Europe/Berlin");
    let all: Vec<_> = w.openings(ts("2026-03-28T00:00:00Z")).take(2).collect();
    assert_eq!(
        all,
        vec![
            // Saturday 02:00-03:00 CET; Sunday's has no length; Monday's is in CEST.
            (ts("2026-03-28T01:00:00Z"), ts("2026-03-28T02:00:00Z")),
            (ts("2026-03-30T00:00:00Z"), ts("2026-03-30T01:00:00Z")),
        ]
    );
    // On the Sunday itself it is closed throughout.
    assert_eq!(
        w.at(ts("2026-03-29T01:00:00Z")),
        Opening::Closed {
            opens: Some(ts("2026-03-30T00:00:00Z"))
        }
    );
}

#[test]
fn a_start_or_end_in_the_gap_is_the_first_instant_after_it() {
    // Starts in the gap: opens when the clocks jump (03:00 CEST = 01:00Z).
    let start = zoned("02:30-04:00", "Europe/Berlin");
    assert_eq!(
        first(&start, "2026-03-29T00:00:00Z"),
        (ts("2026-03-29T01:00:00Z"), ts("2026-03-29T02:00:00Z"))
    );
    // Ends in the gap: closes when the clocks jump.
    let end = zoned("01:00-02:30", "Europe/Berlin");
    assert_eq!(
        first(&end, "2026-03-29T00:00:00Z"),
        (ts("2026-03-29T00:00:00Z"), ts("2026-03-29T01:00:00Z"))
    );
    let new_york = zoned("02:30-04:00", "America/New_York");
    assert_eq!(
        first(&new_york, "2026-03-08T05:00:00Z"),
        (ts("2026-03-08T07:00:00Z"), ts("2026-03-08T08:00:00Z"))
    );
}

#[test]
fn new_york_fall_back_day() {
    // 02:30 and 04:00 exist once on the fall-back day (EST): 1.5 hours, as the day before
    // (EDT).
    let w = zoned("02:30-04:00", "America/New_York");
    let all: Vec<_> = w.openings(ts("2026-10-31T00:00:00Z")).take(2).collect();
    assert_eq!(
        all,
        vec![
            (ts("2026-10-31T06:30:00Z"), ts("2026-10-31T08:00:00Z")),
            (ts("2026-11-01T07:30:00Z"), ts("2026-11-01T09:00:00Z")),
        ]
    );
    assert_eq!(w.in_zone(all[1].0), "2026-11-01 02:30 EST");
}

#[test]
fn a_start_or_end_in_the_fold_is_its_earlier_instant() {
    // 01:30 happens twice on 2026-11-01 in New York: 05:30Z (EDT) and 06:30Z (EST).
    let start = zoned("01:30-04:00", "America/New_York");
    let (s, e) = first(&start, "2026-11-01T04:00:00Z");
    assert_eq!(
        (s, e),
        (ts("2026-11-01T05:30:00Z"), ts("2026-11-01T09:00:00Z"))
    );
    assert_eq!(hours(s, e), 3.5);
    // An end in the fold closes at the first 01:30: never past what the admin wrote.
    let end = zoned("00:00-01:30", "America/New_York");
    assert_eq!(
        first(&end, "2026-11-01T04:00:00Z"),
        (ts("2026-11-01T04:00:00Z"), ts("2026-11-01T05:30:00Z"))
    );
    assert_eq!(
        end.at(ts("2026-11-01T06:00:00Z")),
        Opening::Closed {
            opens: Some(ts("2026-11-02T05:00:00Z"))
        }
    );
    // Berlin: 02:30 happens twice on 2026-10-25 (00:30Z CEST, 01:30Z CET).
    let berlin = zoned("02:30-02:45", "Europe/Berlin");
    assert_eq!(
        first(&berlin, "2026-10-25T00:00:00Z"),
        (ts("2026-10-25T00:30:00Z"), ts("2026-10-25T00:45:00Z"))
    );
}

#[test]
fn frozen_days_follow_the_zones_midnights_across_dst() {
    // Sunday 2026-03-29 in Berlin is 23 hours long: from 2026-03-28T23:00Z to 22:00Z.
    let w = Window::always(Some("Europe/Berlin"), &["2026-03-29".into()]).unwrap();
    assert_eq!(
        w.at(ts("2026-03-28T22:59:59Z")),
        Opening::Open {
            closes: ts("2026-03-28T23:00:00Z")
        }
    );
    assert_eq!(
        w.at(ts("2026-03-29T12:00:00Z")),
        Opening::Closed {
            opens: Some(ts("2026-03-29T22:00:00Z"))
        }
    );
}
