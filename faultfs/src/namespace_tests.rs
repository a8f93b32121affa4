use std::ffi::OsStr;

use super::*;

fn file(ns: &mut Namespace, dir: NodeId, name: &str) -> NodeId {
    let id = ns.new_node(Kind::File);
    let c = ns.begin_change();
    ns.add(c, dir, OsStr::new(name), id);
    id
}

fn rename(ns: &mut Namespace, from: (NodeId, &str), to: (NodeId, &str)) {
    let c = ns.begin_change();
    let id = ns
        .remove(c, from.0, OsStr::new(from.1))
        .expect("source exists");
    ns.add(c, to.0, OsStr::new(to.1), id);
}

fn durable_names(ns: &Namespace, dir: NodeId) -> Vec<String> {
    let (dirs, _) = ns.durable_view(None);
    dirs.get(&dir)
        .map(|e| e.keys().map(|k| k.to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn an_entry_is_durable_only_once_its_directory_is_synced() {
    let mut ns = Namespace::new();
    file(&mut ns, ROOT, "a");
    assert!(durable_names(&ns, ROOT).is_empty());
    ns.sync_dir(ROOT);
    assert_eq!(durable_names(&ns, ROOT), vec!["a"]);
}

#[test]
fn syncing_the_new_parent_of_a_rename_also_drops_the_old_name() {
    let mut ns = Namespace::new();
    let a = ns.new_node(Kind::Dir);
    let b = ns.new_node(Kind::Dir);
    ns.add_durable(ROOT, OsStr::new("a"), a);
    ns.add_durable(ROOT, OsStr::new("b"), b);
    let f = ns.new_node(Kind::File);
    ns.add_durable(a, OsStr::new("f"), f);
    rename(&mut ns, (a, "f"), (b, "g"));
    ns.sync_dir(b);
    assert_eq!(durable_names(&ns, b), vec!["g"]);
    assert!(
        durable_names(&ns, a).is_empty(),
        "never durable under both names"
    );
}

#[test]
fn syncing_only_the_old_parent_of_a_rename_loses_the_file() {
    let mut ns = Namespace::new();
    let a = ns.new_node(Kind::Dir);
    let b = ns.new_node(Kind::Dir);
    ns.add_durable(ROOT, OsStr::new("a"), a);
    ns.add_durable(ROOT, OsStr::new("b"), b);
    let f = ns.new_node(Kind::File);
    ns.add_durable(a, OsStr::new("f"), f);
    rename(&mut ns, (a, "f"), (b, "g"));
    ns.sync_dir(a);
    assert!(durable_names(&ns, a).is_empty());
    assert!(durable_names(&ns, b).is_empty());
}

#[test]
fn partial_views_apply_a_rename_whole_or_not_at_all() {
    for seed in 0..64 {
        let mut ns = Namespace::new();
        let f = ns.new_node(Kind::File);
        ns.add_durable(ROOT, OsStr::new("old"), f);
        rename(&mut ns, (ROOT, "old"), (ROOT, "new"));
        file(&mut ns, ROOT, "other");
        let (dirs, _) = ns.durable_view(Some(&mut Rng::new(seed)));
        let names: Vec<_> = dirs[&ROOT].keys().cloned().collect();
        let has = |n: &str| names.iter().any(|k| k == n);
        assert!(has("old") != has("new"), "seed {seed}: {names:?}");
    }
}

#[test]
fn partial_views_never_remove_a_directory_that_is_not_empty() {
    for seed in 0..64 {
        let mut ns = Namespace::new();
        let d = ns.new_node(Kind::Dir);
        ns.add_durable(ROOT, OsStr::new("d"), d);
        let f = ns.new_node(Kind::File);
        ns.add_durable(d, OsStr::new("f"), f);
        let c = ns.begin_change();
        ns.remove(c, d, OsStr::new("f"));
        let c = ns.begin_change();
        ns.remove(c, ROOT, OsStr::new("d"));
        let (dirs, _) = ns.durable_view(Some(&mut Rng::new(seed)));
        let d_gone = !dirs[&ROOT].contains_key(OsStr::new("d"));
        let f_gone = dirs.get(&d).is_none_or(|e| e.is_empty());
        assert!(
            !d_gone || f_gone,
            "seed {seed}: rmdir applied before the unlink"
        );
    }
}

#[test]
fn a_rename_undone_before_the_sync_does_not_lose_the_file() {
    let mut ns = Namespace::new();
    let a = ns.new_node(Kind::Dir);
    let b = ns.new_node(Kind::Dir);
    ns.add_durable(ROOT, OsStr::new("a"), a);
    ns.add_durable(ROOT, OsStr::new("b"), b);
    let f = ns.new_node(Kind::File);
    ns.add_durable(a, OsStr::new("f"), f);
    rename(&mut ns, (a, "f"), (b, "g"));
    rename(&mut ns, (b, "g"), (a, "f"));
    ns.sync_dir(b);
    assert_eq!(durable_names(&ns, a), vec!["f"]);
    assert!(durable_names(&ns, b).is_empty());
}
