//! The run over time as inline SVG: per-second series drawn as lines on one panel with its own
//! scale. The chart takes plain series, so a new counter in the timeline is one more
//! [`Series`], not a change here.

use std::fmt::Write;

use crate::rundir::TimelinePoint;

use super::escape::escape;

/// One line of a chart: a value per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend text.
    pub label: String,
    /// The line colour (CSS).
    pub colour: &'static str,
    /// A value per second of the run.
    pub values: Vec<f64>,
}

/// Per-second differences of a cumulative counter read from each point by `counter`. The
/// attempts of a resumed run follow one another: a point whose second is not after the
/// previous one starts a new attempt, whose counters start again at 0.
pub fn per_second(points: &[TimelinePoint], counter: impl Fn(&TimelinePoint) -> u64) -> Vec<f64> {
    let mut values = Vec::with_capacity(points.len());
    let mut previous: Option<(u64, u64)> = None;
    for point in points {
        let now = counter(point);
        let (base_second, base) = match previous {
            Some((second, value)) if point.second > second => (second, value),
            _ => (0, 0),
        };
        // Seconds the collector skipped (a stalled runtime) share the difference.
        let gap = point.second.saturating_sub(base_second).max(1);
        let delta = now.saturating_sub(base) as f64 / gap as f64;
        values.extend(std::iter::repeat_n(delta, gap as usize));
        previous = Some((point.second, now));
    }
    values
}

/// At most `max` values: consecutive seconds averaged into buckets; also the seconds per
/// bucket.
fn bucketed(values: &[f64], max: usize) -> (Vec<f64>, usize) {
    let size = values.len().div_ceil(max.max(1)).max(1);
    let buckets = values
        .chunks(size)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    (buckets, size)
}

/// A round number at or above `value` for the top of an axis (1, 2 or 5 × a power of 10).
fn nice_ceiling(value: f64) -> f64 {
    if value <= 1.0 {
        return 1.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|top| *top >= value)
        .unwrap_or(10.0 * power)
}

/// `seconds` as `m:ss`, or `h:mm:ss` past an hour.
fn clock(seconds: usize) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

const WIDTH: f64 = 1200.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 36.0;

/// An SVG panel `height` units high (1,200 wide, scaled to the page) titled `title`, with a
/// line per series, a y axis of 5 gridlines, a time axis, and a legend.
pub fn panel(title: &str, series: &[Series], height: f64) -> String {
    let seconds = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = height - TOP - BOTTOM;
    let max_points = plot_w as usize / 2;
    let lines: Vec<(&Series, Vec<f64>, usize)> = series
        .iter()
        .map(|s| {
            let (values, size) = bucketed(&s.values, max_points);
            (s, values, size)
        })
        .collect();
    let peak = lines
        .iter()
        .flat_map(|(_, v, _)| v.iter().copied())
        .fold(0.0, f64::max);
    let top = nice_ceiling(peak);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="18" class="title">{}</text>"#,
        escape(title)
    );
    // The legend, right-aligned along the top.
    let mut x = WIDTH - RIGHT;
    for s in series.iter().rev() {
        let label = escape(&s.label);
        x -= 28.0 + 8.5 * s.label.chars().count() as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x:.0}" y="8" width="14" height="14" fill="{c}"/><text x="{:.0}" y="20" class="legend">{label}</text>"#,
            x + 19.0,
            c = s.colour
        );
    }
    for i in 0..=4 {
        let value = top * f64::from(i) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.0}" y2="{y:.1}" class="grid"/><text x="{:.0}" y="{:.1}" class="axis" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 8.0,
            y + 4.0,
            axis_number(value)
        );
    }
    let ticks = 6.min(seconds.max(1));
    for i in 0..=ticks {
        let second = seconds * i / ticks;
        let x = LEFT + plot_w * i as f64 / ticks as f64;
        let _ = write!(
            svg,
            r#"<text x="{x:.0}" y="{:.0}" class="axis" text-anchor="middle">{}</text>"#,
            height - 12.0,
            clock(second)
        );
    }
    for (s, values, size) in &lines {
        if values.is_empty() {
            continue;
        }
        let span = seconds.max(1) as f64;
        let mut points = String::new();
        for (i, v) in values.iter().enumerate() {
            let middle = ((i as f64 + 0.5) * *size as f64).min(span);
            let x = LEFT + plot_w * middle / span;
            let y = TOP + plot_h - plot_h * (v / top);
            let _ = write!(points, "{x:.1},{y:.1} ");
        }
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>"#,
            points.trim_end(),
            s.colour
        );
    }
    svg.push_str("</svg>");
    svg
}

fn axis_number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odin::RequestCounts;
    use crate::rundir::StatusCounts;

    fn point(second: u64, requests: u64) -> TimelinePoint {
        TimelinePoint {
            second,
            requests: RequestCounts {
                requests,
                ..RequestCounts::default()
            },
            steps: StatusCounts::default(),
            users_done: 0,
            users_total: 0,
            wall_seconds: None,
        }
    }

    #[test]
    fn attempts_follow_one_another_and_gaps_are_shared() {
        let points = [point(1, 10), point(2, 25), point(4, 45), point(1, 7)];
        let values = per_second(&points, |p| p.requests.requests);
        assert_eq!(values, [10.0, 15.0, 10.0, 10.0, 7.0]);
    }

    #[test]
    fn a_panel_has_a_line_per_series_and_escapes_labels() {
        let series = [
            Series {
                label: "requests <per s>".into(),
                colour: "#2563eb",
                values: (0..5000).map(f64::from).collect(),
            },
            Series {
                label: "429s".into(),
                colour: "#dc2626",
                values: vec![0.0; 10],
            },
        ];
        let svg = panel("over time", &series, 300.0);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("requests &lt;per s&gt;"));
        assert!(!svg.contains("http"));
        assert_eq!(nice_ceiling(4999.0), 5000.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(clock(3725), "1:02:05");
    }
}
