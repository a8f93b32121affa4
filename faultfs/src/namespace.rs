//! The directory trees: the live one (what the mount shows) and the durable one (what a
//! power cut would leave), with the journal of directory changes not yet durable.
//!
//! Node ids are the filesystem's own inode numbers, given once and never reused, so that a
//! file keeps its identity (and its durable contents) across renames and links.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::rng::Rng;

pub(crate) type NodeId = u64;
/// The root's id, fixed by FUSE.
pub(crate) const ROOT: NodeId = 1;

pub(crate) type Entries = BTreeMap<OsString, NodeId>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink(PathBuf),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    /// Live names of this node; a directory has at most one.
    pub(crate) links: Vec<(NodeId, OsString)>,
    /// The path (relative to the root) it had when it last had a name.
    pub(crate) last_path: PathBuf,
}

/// Half of a directory change: one name added to or removed from one directory.
#[derive(Clone, Debug)]
struct Half {
    /// The change this half belongs to (a rename has two or three halves).
    change: u64,
    dir: NodeId,
    name: OsString,
    id: NodeId,
    add: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Namespace {
    nodes: HashMap<NodeId, Node>,
    live: HashMap<NodeId, Entries>,
    durable: HashMap<NodeId, Entries>,
    /// Halves not yet durable, by sequence number (the order they happened in).
    journal: BTreeMap<u64, Half>,
    /// Sequence numbers per directory (may name halves already gone from `journal`), so
    /// that fsyncdir costs what that directory changed, not what every directory did.
    by_dir: HashMap<NodeId, Vec<u64>>,
    /// Sequence numbers per change (the two or three halves of a rename).
    by_change: HashMap<u64, Vec<u64>>,
    next_seq: u64,
    next_id: NodeId,
    next_change: u64,
}

impl Namespace {
    pub(crate) fn new() -> Namespace {
        let mut ns = Namespace {
            next_id: ROOT + 1,
            ..Namespace::default()
        };
        let root = Node {
            kind: Kind::Dir,
            links: Vec::new(),
            last_path: PathBuf::new(),
        };
        ns.nodes.insert(ROOT, root);
        ns.live.insert(ROOT, Entries::new());
        ns.durable.insert(ROOT, Entries::new());
        ns
    }

    pub(crate) fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    pub(crate) fn kind(&self, id: NodeId) -> Option<&Kind> {
        self.nodes.get(&id).map(|n| &n.kind)
    }

    pub(crate) fn child(&self, dir: NodeId, name: &OsStr) -> Option<NodeId> {
        self.live.get(&dir)?.get(name).copied()
    }

    pub(crate) fn children(&self, dir: NodeId) -> Option<&Entries> {
        self.live.get(&dir)
    }

    /// The live path relative to the root, if the node still has a name.
    pub(crate) fn path(&self, id: NodeId) -> Option<PathBuf> {
        let mut parts = Vec::new();
        let mut cur = id;
        while cur != ROOT {
            let (parent, name) = self.nodes.get(&cur)?.links.first()?;
            parts.push(name.clone());
            cur = *parent;
            if parts.len() > 4096 {
                return None; // a cycle would be a bug; do not loop forever on it
            }
        }
        Some(parts.iter().rev().collect())
    }

    /// The path used by fault matchers: live if named, else the last one known.
    pub(crate) fn match_path(&self, id: NodeId) -> PathBuf {
        self.path(id)
            .or_else(|| self.nodes.get(&id).map(|n| n.last_path.clone()))
            .unwrap_or_default()
    }

    pub(crate) fn parent(&self, id: NodeId) -> NodeId {
        self.nodes
            .get(&id)
            .and_then(|n| n.links.first())
            .map_or(ROOT, |(p, _)| *p)
    }

    /// A new node, not yet in any directory.
    pub(crate) fn new_node(&mut self, kind: Kind) -> NodeId {
        let id = self.next_id;
        self.next_id += 1;
        if kind == Kind::Dir {
            self.live.insert(id, Entries::new());
        }
        let node = Node {
            kind,
            links: Vec::new(),
            last_path: PathBuf::new(),
        };
        self.nodes.insert(id, node);
        id
    }

    /// Starts a directory change whose halves share one journal id.
    pub(crate) fn begin_change(&mut self) -> u64 {
        self.next_change += 1;
        self.next_change
    }

    pub(crate) fn add(&mut self, change: u64, dir: NodeId, name: &OsStr, id: NodeId) {
        self.live
            .entry(dir)
            .or_default()
            .insert(name.to_owned(), id);
        let path = self.path(dir).unwrap_or_default().join(name);
        if let Some(node) = self.nodes.get_mut(&id) {
            node.links.push((dir, name.to_owned()));
            node.last_path = path;
        }
        self.record(Half {
            change,
            dir,
            name: name.to_owned(),
            id,
            add: true,
        });
    }

    fn record(&mut self, half: Half) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_dir.entry(half.dir).or_default().push(seq);
        self.by_change.entry(half.change).or_default().push(seq);
        self.journal.insert(seq, half);
    }

    pub(crate) fn remove(&mut self, change: u64, dir: NodeId, name: &OsStr) -> Option<NodeId> {
        let path = self.path(dir).unwrap_or_default().join(name);
        let id = self.live.get_mut(&dir)?.remove(name)?;
        if let Some(node) = self.nodes.get_mut(&id) {
            node.links.retain(|(d, n)| !(*d == dir && n == name));
            node.last_path = path;
        }
        self.record(Half {
            change,
            dir,
            name: name.to_owned(),
            id,
            add: false,
        });
        Some(id)
    }

    /// Records what was on disk at mount time: live and durable at once, no journal.
    pub(crate) fn add_durable(&mut self, dir: NodeId, name: &OsStr, id: NodeId) {
        self.add(0, dir, name, id);
        self.journal.clear();
        self.by_dir.clear();
        self.by_change.clear();
        self.durable
            .entry(dir)
            .or_default()
            .insert(name.to_owned(), id);
        if self.kind(id) == Some(&Kind::Dir) {
            self.durable.entry(id).or_default();
        }
    }

    /// fsyncdir: the directory's live entries become its durable entries. A rename whose new
    /// name becomes durable here takes its old name's removal with it (as a journaling
    /// filesystem commits a rename whole), so no file is ever durable under both names.
    pub(crate) fn sync_dir(&mut self, dir: NodeId) {
        let snapshot = self.live.get(&dir).cloned().unwrap_or_default();
        self.durable.insert(dir, snapshot);
        for seq in self.by_dir.remove(&dir).unwrap_or_default() {
            let Some(half) = self.journal.remove(&seq) else {
                continue;
            };
            // Only a rename whose new name is still there carries its removal: one undone
            // since (renamed back) must not lose the file.
            let carries = half.add
                && self.durable.get(&dir).and_then(|e| e.get(&half.name)) == Some(&half.id);
            let siblings = self.by_change.remove(&half.change).unwrap_or_default();
            let mut rest = Vec::new();
            for other in siblings {
                match self.journal.get(&other) {
                    Some(o) if carries && !o.add && o.dir != dir => {
                        let entries = self.durable.entry(o.dir).or_default();
                        if entries.get(&o.name) == Some(&o.id) {
                            entries.remove(&o.name);
                        }
                        self.journal.remove(&other);
                    }
                    Some(_) => rest.push(other),
                    None => {}
                }
            }
            if !rest.is_empty() {
                self.by_change.insert(half.change, rest);
            }
        }
    }

    /// The durable directories, plus (with an rng) a random subset of the pending changes,
    /// each applied whole or not at all and only where it still makes sense.
    pub(crate) fn durable_view(&self, rng: Option<&mut Rng>) -> (HashMap<NodeId, Entries>, usize) {
        let mut dirs = self.durable.clone();
        let Some(rng) = rng else {
            return (dirs, 0);
        };
        let mut applied = 0;
        let halves: Vec<&Half> = self.journal.values().collect();
        for group in halves.chunk_by(|a, b| a.change == b.change) {
            let group: Vec<Half> = group.iter().map(|h| (*h).clone()).collect();
            if rng.coin() && self.try_apply(&mut dirs, &group) {
                applied += 1;
            }
        }
        (dirs, applied)
    }

    fn try_apply(&self, dirs: &mut HashMap<NodeId, Entries>, halves: &[Half]) -> bool {
        let mut scratch: HashMap<NodeId, Entries> = HashMap::new();
        for h in halves {
            scratch
                .entry(h.dir)
                .or_insert_with(|| dirs.get(&h.dir).cloned().unwrap_or_default());
            let present = scratch.get(&h.dir).and_then(|e| e.get(&h.name)).copied();
            if h.add {
                if present.is_some() {
                    return false;
                }
            } else {
                if present != Some(h.id) {
                    return false;
                }
                let is_dir = self.kind(h.id) == Some(&Kind::Dir);
                let empty = scratch
                    .get(&h.id)
                    .or_else(|| dirs.get(&h.id))
                    .is_none_or(|e| e.is_empty());
                let moved = halves.iter().any(|o| o.add && o.id == h.id);
                if is_dir && !empty && !moved {
                    return false; // rmdir of a directory that is not empty in this view
                }
            }
            if let Some(entries) = scratch.get_mut(&h.dir) {
                if h.add {
                    entries.insert(h.name.clone(), h.id);
                } else {
                    entries.remove(&h.name);
                }
            }
        }
        dirs.extend(scratch);
        true
    }
}

/// One entry of a tree to rebuild, parents before children.
#[derive(Debug)]
pub(crate) struct Placed {
    pub(crate) path: PathBuf,
    pub(crate) id: NodeId,
    pub(crate) kind: Kind,
}

/// Walks `dirs` from the root. A directory reached twice (possible only in a Partial view)
/// is kept at its first place; cycles are cut the same way.
pub(crate) fn walk(ns: &Namespace, dirs: &HashMap<NodeId, Entries>) -> Vec<Placed> {
    let mut out = Vec::new();
    let mut seen = HashSet::from([ROOT]);
    let mut stack = vec![(ROOT, PathBuf::new())];
    while let Some((dir, path)) = stack.pop() {
        let Some(entries) = dirs.get(&dir) else {
            continue;
        };
        for (name, &id) in entries {
            let Some(kind) = ns.kind(id) else { continue };
            let child = path.join(name);
            if *kind == Kind::Dir {
                if !seen.insert(id) {
                    continue;
                }
                stack.push((id, child.clone()));
            }
            out.push(Placed {
                path: child,
                id,
                kind: kind.clone(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

#[cfg(test)]
#[path = "namespace_tests.rs"]
mod tests;
