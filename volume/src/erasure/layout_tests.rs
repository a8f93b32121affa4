use super::*;
use crate::ByteRange;
use proptest::prelude::*;

fn layouts() -> impl Strategy<Value = Layout> {
    (1usize..9, 0usize..5, 1u64..5000).prop_map(|(k, m, b)| Layout {
        data: k,
        parity: m,
        block_size: b,
    })
}

proptest! {
    #[test]
    fn shards_hold_every_byte_of_a_block(layout in layouts(), len in 1u64..20_000) {
        let len = len.min(layout.block_size);
        let sl = layout.shard_len(len) as u64;
        prop_assert!(sl * layout.data as u64 >= len);
        prop_assert!(sl * (layout.data as u64) < len + 2 * layout.data as u64 + 2);
        if !layout.replicates() { prop_assert_eq!(sl % 2, 0); }
    }

    #[test]
    fn blocks_tile_the_part(layout in layouts(), size in 0u64..100_000) {
        let n = layout.blocks(size);
        let total: u64 = (0..n).map(|i| layout.block_len(size, i)).sum();
        prop_assert_eq!(total, size);
        for i in 0..n { prop_assert!(layout.block_len(size, i) > 0); }
    }

    #[test]
    fn shard_file_length_is_the_sum_of_its_blocks(layout in layouts(), size in 1u64..100_000) {
        let n = layout.blocks(size);
        let sum: u64 = (0..n).map(|i| HASH_LEN as u64 + layout.shard_len(layout.block_len(size, i)) as u64).sum();
        prop_assert_eq!(layout.shard_file_len(size), sum);
    }

    #[test]
    fn range_blocks_cover_exactly_the_range(layout in layouts(), start in 0u64..50_000, len in 1u64..50_000) {
        let r = start..start + len;
        let b = layout.blocks_for(&r);
        prop_assert!(b.start * layout.block_size <= r.start);
        prop_assert!(b.end * layout.block_size >= r.end);
        prop_assert!((b.end - 1) * layout.block_size < r.end);
        prop_assert!((b.start + 1) * layout.block_size > r.start);
    }

    #[test]
    fn slots_and_shards_are_inverse(total in 1usize..20, rot in 0usize..40, slot in 0usize..20) {
        let slot = slot % total;
        let shard = shard_for_slot(slot, rot % total, total);
        prop_assert_eq!(slot_for_shard(shard, rot % total, total), slot);
    }

    #[test]
    fn resolved_ranges_stay_inside_the_object(first in 0u64..2000, last in 0u64..2000, size in 0u64..1500) {
        for r in [ByteRange::Bounded { first, last }, ByteRange::From { first }, ByteRange::Suffix { len: last }] {
            if let Some(x) = resolve_range(&r, size) {
                prop_assert!(x.start < x.end && x.end <= size);
            }
        }
    }
}

#[test]
fn http_range_examples_resolve_like_rfc_9110() {
    let r = |range, size| resolve_range(&range, size);
    assert_eq!(
        r(
            ByteRange::Bounded {
                first: 0,
                last: 499
            },
            10_000
        ),
        Some(0..500)
    );
    assert_eq!(
        r(ByteRange::Suffix { len: 500 }, 10_000),
        Some(9500..10_000)
    );
    assert_eq!(
        r(ByteRange::From { first: 9500 }, 10_000),
        Some(9500..10_000)
    );
    assert_eq!(
        r(
            ByteRange::Bounded {
                first: 0,
                last: 99_999
            },
            10
        ),
        Some(0..10)
    );
    assert_eq!(
        r(
            ByteRange::Bounded {
                first: 10,
                last: 20
            },
            10
        ),
        None
    );
    assert_eq!(r(ByteRange::Suffix { len: 5 }, 0), None);
    assert_eq!(r(ByteRange::Suffix { len: 50 }, 10), Some(0..10));
}
