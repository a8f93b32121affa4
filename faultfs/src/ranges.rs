//! A set of byte ranges: the parts of a file written since its last fsync.

/// Sorted, disjoint, non-adjacent half-open ranges `[start, end)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RangeSet {
    ranges: Vec<(u64, u64)>,
}

impl RangeSet {
    pub(crate) fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let (mut start, mut end) = (start, end);
        // Absorb every range that overlaps or touches [start, end).
        let mut kept = Vec::with_capacity(self.ranges.len() + 1);
        for &(s, e) in &self.ranges {
            if e < start || s > end {
                kept.push((s, e));
            } else {
                start = start.min(s);
                end = end.max(e);
            }
        }
        let at = kept.partition_point(|&(s, _)| s < start);
        kept.insert(at, (start, end));
        self.ranges = kept;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.ranges.clear();
    }

    /// The ranges cut at `limit` (a file's current size).
    pub(crate) fn clipped(&self, limit: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.ranges
            .iter()
            .filter(move |&&(s, _)| s < limit)
            .map(move |&(s, e)| (s, e.min(limit)))
    }
}

#[cfg(test)]
mod tests {
    use super::RangeSet;

    #[test]
    fn overlapping_and_touching_ranges_merge() {
        let mut r = RangeSet::default();
        r.insert(10, 20);
        r.insert(30, 40);
        r.insert(20, 25);
        r.insert(0, 5);
        assert_eq!(r.ranges, vec![(0, 5), (10, 25), (30, 40)]);
        r.insert(4, 31);
        assert_eq!(r.ranges, vec![(0, 40)]);
        assert_eq!(r.clipped(12).collect::<Vec<_>>(), vec![(0, 12)]);
    }
}
