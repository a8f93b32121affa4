//! Merging the sorted listings of several volumes into one, keeping only what a read quorum
//! of volumes agrees on.
//!
//! Each volume returns up to `limit` items in order and says whether it stopped early. Past
//! the last item of a volume that stopped early, that volume has not spoken, so the merged
//! page ends there (the bound) and the caller continues after it.

/// One listed thing: ordered by `(name, sub)`; among copies of the same `(name, sub)`, the
/// highest `rank` that enough volumes agree on wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<T> {
    /// Key or common prefix.
    pub name: String,
    /// Secondary order within a name (version order, upload id); empty if none.
    pub sub: Vec<u8>,
    /// Identity for voting; higher is newer.
    pub rank: u128,
    /// The payload.
    pub value: T,
}

/// One volume's answer.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Items in order.
    pub items: Vec<Item<T>>,
    /// Whether the volume had more.
    pub truncated: bool,
}

/// The merged page: items, and where to continue when there is more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged<T> {
    /// Items in order.
    pub items: Vec<Item<T>>,
    /// `(name, sub)` to continue after, when truncated.
    pub next: Option<(String, Vec<u8>)>,
}

/// Merges volume pages; an item is kept when at least `quorum` volumes hold the same rank.
pub fn merge<T: Clone>(pages: Vec<Page<T>>, quorum: usize, limit: usize) -> Merged<T> {
    let bound: Option<(String, Vec<u8>)> = pages
        .iter()
        .filter(|p| p.truncated)
        .filter_map(|p| p.items.last().map(|i| (i.name.clone(), i.sub.clone())))
        .min();
    let mut all: Vec<Item<T>> = pages.into_iter().flat_map(|p| p.items).collect();
    all.sort_by(|a, b| {
        (&a.name, &a.sub)
            .cmp(&(&b.name, &b.sub))
            .then(b.rank.cmp(&a.rank))
    });
    let mut items = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].name == all[i].name && all[j].sub == all[i].sub {
            j += 1;
        }
        let group = &all[i..j];
        let key = (group[0].name.clone(), group[0].sub.clone());
        if bound.as_ref().is_some_and(|b| key > *b) {
            break;
        }
        if items.len() == limit {
            let last: &Item<T> = &items[limit - 1];
            return Merged {
                next: Some((last.name.clone(), last.sub.clone())),
                items,
            };
        }
        // Group is sorted newest rank first: take the first rank with enough votes.
        let mut k = 0;
        while k < group.len() {
            let votes = group[k..]
                .iter()
                .take_while(|x| x.rank == group[k].rank)
                .count();
            if votes >= quorum {
                items.push(group[k].clone());
                break;
            }
            k += votes;
        }
        i = j;
    }
    Merged { next: bound, items }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
