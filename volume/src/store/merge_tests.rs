use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn item(name: &str, rank: u128) -> Item<()> {
    Item {
        name: name.into(),
        sub: vec![],
        rank,
        value: (),
    }
}

fn page(names: &[(&str, u128)], limit: usize) -> Page<()> {
    let mut items: Vec<_> = names.iter().map(|(n, r)| item(n, *r)).collect();
    let truncated = items.len() > limit;
    items.truncate(limit);
    Page { items, truncated }
}

#[test]
fn an_item_on_too_few_volumes_is_not_listed() {
    let pages = vec![
        page(&[("a", 1), ("b", 1)], 10),
        page(&[("a", 1)], 10),
        page(&[("a", 1)], 10),
    ];
    let m = merge(pages, 2, 10);
    assert_eq!(
        m.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    assert_eq!(m.next, None);
}

#[test]
fn the_newest_rank_with_a_quorum_wins() {
    let pages = vec![
        page(&[("a", 2)], 10),
        page(&[("a", 1)], 10),
        page(&[("a", 1)], 10),
    ];
    assert_eq!(merge(pages, 2, 10).items[0].rank, 1);
    let pages = vec![
        page(&[("a", 2)], 10),
        page(&[("a", 2)], 10),
        page(&[("a", 1)], 10),
    ];
    assert_eq!(merge(pages, 2, 10).items[0].rank, 2);
}

#[test]
fn a_volume_that_stopped_early_bounds_the_page() {
    // Volume 1 returned only up to "b"; "c" and "d" might exist there too.
    let pages = vec![
        page(&[("a", 1), ("b", 1), ("c", 1)], 2),
        page(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)], 10),
    ];
    let m = merge(pages, 2, 10);
    assert_eq!(m.items.len(), 2);
    assert_eq!(m.next, Some(("b".to_string(), vec![])));
}

proptest! {
    /// Paging through the merge of volumes that all hold the same keys lists every key once,
    /// in order, whatever the page size.
    #[test]
    fn paging_lists_every_agreed_key_once(keys in proptest::collection::btree_set("[a-e]{1,4}", 0..60), volumes in 1usize..5, limit in 1usize..10) {
        let keys: Vec<String> = keys.into_iter().collect();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..200 {
            let pages = (0..volumes).map(|_| {
                let rest: Vec<(&str, u128)> = keys.iter().filter(|k| after.as_ref().is_none_or(|a| *k > a)).map(|k| (k.as_str(), 1)).collect();
                page(&rest, limit)
            }).collect();
            let m = merge(pages, volumes / 2 + 1, limit);
            seen.extend(m.items.iter().map(|i| i.name.clone()));
            match m.next { Some((n, _)) => after = Some(n), None => break }
        }
        prop_assert_eq!(seen, keys);
    }

    /// Keys present on fewer than a quorum of volumes never appear; keys on a quorum do.
    #[test]
    fn only_quorum_keys_appear(presence in proptest::collection::btree_map("[a-z]{1,3}", proptest::collection::vec(any::<bool>(), 3), 0..40)) {
        let presence: BTreeMap<String, Vec<bool>> = presence;
        let pages: Vec<Page<()>> = (0..3).map(|v| {
            let names: Vec<(&str, u128)> = presence.iter().filter(|(_, p)| p[v]).map(|(k, _)| (k.as_str(), 1)).collect();
            page(&names, 1000)
        }).collect();
        let m = merge(pages, 2, 1000);
        let expected: Vec<String> = presence.iter().filter(|(_, p)| p.iter().filter(|x| **x).count() >= 2).map(|(k, _)| k.clone()).collect();
        prop_assert_eq!(m.items.into_iter().map(|i| i.name).collect::<Vec<_>>(), expected);
    }
}
