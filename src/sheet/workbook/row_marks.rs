//! The hidden rows of a worksheet, gathered as its row records go by: each format marks a
//! row hidden (XLSX `hidden`, XLS and XLSB fDyZero) and may hide every row it does not
//! describe (XLSX `zeroHeight`, XLS and XLSB "rows hidden by default").

/// Rows seen so far, hidden or shown, and whether unseen rows are hidden.
#[derive(Debug, Default)]
pub(super) struct RowMarks {
    hidden_by_default: bool,
    hidden: Vec<(usize, usize)>,
    shown: Vec<(usize, usize)>,
}

impl RowMarks {
    /// Row `n` (1-based) as its record marks it.
    pub fn row(&mut self, n: usize, hidden: bool) {
        add(
            match hidden {
                true => &mut self.hidden,
                false => &mut self.shown,
            },
            n,
        );
    }

    /// Whether rows without a record of their own are hidden.
    pub fn hidden_by_default(&mut self, hidden: bool) {
        self.hidden_by_default = hidden;
    }

    /// The hidden rows of a worksheet of `last` rows, as inclusive 1-based ranges.
    pub fn hidden(self, last: usize) -> Vec<(usize, usize)> {
        match self.hidden_by_default {
            true => complement(&self.shown, last),
            false => self.hidden,
        }
    }
}

/// Row `n` added to ascending ranges, joined with the last where it follows it.
fn add(ranges: &mut Vec<(usize, usize)>, n: usize) {
    match ranges.last_mut() {
        Some(last) if last.1 + 1 == n => last.1 = n,
        _ => ranges.push((n, n)),
    }
}

/// The rows of 1..=`last` not in `shown` (ranges in file order).
fn complement(shown: &[(usize, usize)], last: usize) -> Vec<(usize, usize)> {
    let mut shown = shown.to_vec();
    shown.sort_unstable();
    let mut hidden = Vec::new();
    let mut next = 1;
    for (first, end) in shown {
        if first > next {
            hidden.push((next, first - 1));
        }
        next = next.max(end + 1);
    }
    if next <= last {
        hidden.push((next, last));
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_rows_are_those_marked_or_without_a_record_when_hidden_by_default() {
        let mut marks = RowMarks::default();
        for (n, hidden) in [(1, false), (3, true), (4, true), (6, true), (7, false)] {
            marks.row(n, hidden);
        }
        assert_eq!(marks.hidden(100), vec![(3, 4), (6, 6)]);
        let mut marks = RowMarks::default();
        marks.hidden_by_default(true);
        for n in [1, 2, 5] {
            marks.row(n, false);
        }
        marks.row(6, true);
        assert_eq!(marks.hidden(65_536), vec![(3, 4), (6, 65_536)]);
        let mut every = RowMarks::default();
        every.hidden_by_default(true);
        every.row(10, false);
        assert_eq!(every.hidden(10), vec![(1, 9)]);
    }
}
