//! Splitting a range of a multipart object into ranges of its parts' streams.

use std::ops::Range;

use crate::error::RangeError;

/// The piece of a multipart range that falls in one part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartRange {
    /// The part's index in `part_sizes` (0-based; its stream number is its part number).
    pub index: usize,
    /// The plaintext range within that part, for [`crate::RangePlan::new`].
    pub range: Range<u64>,
}

/// Splits plaintext `range` (exclusive end) of an object made of parts of `part_sizes`
/// plaintext bytes, in order, into one range per part it touches.
pub fn split_range(part_sizes: &[u64], range: Range<u64>) -> Result<Vec<PartRange>, RangeError> {
    if range.start >= range.end {
        return Err(RangeError::Empty);
    }
    let total = part_sizes
        .iter()
        .try_fold(0u64, |sum, &size| sum.checked_add(size))
        .unwrap_or(u64::MAX);
    if range.end > total {
        return Err(RangeError::OutOfBounds {
            end: range.end,
            size: total,
        });
    }
    let mut pieces = Vec::new();
    let mut part_start = 0u64;
    for (index, &size) in part_sizes.iter().enumerate() {
        let part_end = part_start.saturating_add(size);
        let start = range.start.max(part_start);
        let end = range.end.min(part_end);
        if start < end {
            pieces.push(PartRange {
                index,
                range: start - part_start..end - part_start,
            });
        }
        if part_end >= range.end {
            break;
        }
        part_start = part_end;
    }
    Ok(pieces)
}
