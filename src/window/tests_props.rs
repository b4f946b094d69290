//! Properties of any window: its spec prints back to itself, and its openings are ordered,
//! apart, never on a frozen day, and agree with [`Window::at`] at their edges.

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;

const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    // Half-hour DST, and a zone without any.
    "Australia/Lord_Howe",
    "Asia/Kolkata",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn arb_range() -> impl Strategy<Value = String> {
    (0..9usize, 0..7usize, 0u32..1440, 1u32..=1440).prop_filter_map(
        "a zero-length range",
        |(first, last, start, end)| {
            if start == end || (start, end) == (0, 1440) && first == 8 {
                return None;
            }
            let prefix = match first {
                7 | 8 => String::new(),
                f if f == last => format!("{} ", DAYS[f]),
                f => format!("{}-{} ", DAYS[f], DAYS[last]),
            };
            let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
            Some(format!("{prefix}{}-{}", clock(start), clock(end)))
        },
    )
}

fn arb_window() -> impl Strategy<Value = (String, &'static str, Vec<String>, i64)> {
    (
        prop::collection::vec(arb_range(), 1..4),
        0..ZONES.len(),
        prop::collection::vec((0i64..60, 0i64..4), 0..3),
        // From 2026-01-01 over two years.
        1_767_225_600i64..1_830_297_600,
    )
        .prop_map(|(ranges, zone, freezes, from)| {
            let day = |offset: i64| {
                let d = Timestamp::from_second(from + offset * 86_400)
                    .unwrap()
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .date();
                d.to_string()
            };
            let freezes = freezes
                .into_iter()
                .map(|(start, len)| format!("{}/{}", day(start), day(start + len)))
                .collect();
            (ranges.join(", "), ZONES[zone], freezes, from)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn openings_are_ordered_apart_unfrozen_and_agree_with_at(
        (spec, zone, freezes, from) in arb_window()
    ) {
        let window = Window::parse(&spec, Some(zone), &freezes).unwrap();
        let again = Window::parse(&window.spec(), Some(window.zone_name()), &window.freezes())
            .unwrap();
        prop_assert_eq!(again.spec(), window.spec());
        let from = Timestamp::from_second(from).unwrap();
        let all: Vec<_> = window.openings(from).take(12).collect();
        let frozen = |t: Timestamp| window.frozen(zone::day_of(&window.zone, t));
        // An opening that reaches the horizon ends there; asked later, it ends later.
        let horizon = from + SignedDuration::from_hours(24 * i64::from(HORIZON_DAYS - 2));
        for (i, &(start, end)) in all.iter().enumerate().filter(|(_, (_, end))| *end < horizon) {
            prop_assert!(start < end && start >= from, "{spec}: {start} {end}");
            prop_assert!(!frozen(start) && !frozen(end - SignedDuration::from_secs(1)));
            let middle = start + SignedDuration::from_secs(end.duration_since(start).as_secs() / 2);
            prop_assert_eq!(window.at(middle), Opening::Open { closes: end });
            prop_assert_eq!(window.at(start), Opening::Open { closes: end });
            if let Some(&(next, _)) = all.get(i + 1) {
                prop_assert!(next > end, "{spec}: {end} touches {next}");
                prop_assert_eq!(window.at(end), Opening::Closed { opens: Some(next) });
            }
        }
    }
}
