//! Building the erasure sets at start: recognising every configured volume by its format
//! record, formatting blank ones, refusing foreign and stale ones.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use uuid::Uuid;

use crate::config::{ClassConfig, Scheme};
use crate::disk::format::{self, Found, VolumeFormat};
use crate::disk::meta_db::IndexSettings;
use crate::disk::rebuild_mark::{self, RebuildMark};
use crate::disk::volume::Volume;
use crate::erasure::layout::Layout;
use crate::error::{Error, Result};
use crate::set::watch::is_mount_point;
use crate::set::{ErasureSet, SetParts, Slot};

/// Opens one class, with a metadata index on each volume when `index` is given (the namespace
/// class). `deployment` is shared by all classes: the first class to find one fixes it.
pub fn open_class(
    cfg: &ClassConfig,
    deployment: &mut Option<Uuid>,
    index: Option<IndexSettings>,
    reserve: u64,
) -> Result<ErasureSet> {
    let n = cfg.volumes.len();
    if n == 0 {
        return Err(Error::config(format!("class {} has no volumes", cfg.name)));
    }
    let scheme = cfg.scheme.unwrap_or_else(|| Scheme::default_for(n));
    let (k, m) = scheme
        .shards(n)
        .map_err(|e| Error::config(format!("class {}: {e}", cfg.name)))?;
    let found: Vec<(PathBuf, Found)> = cfg
        .volumes
        .iter()
        .map(|p| (p.clone(), format::inspect(p)))
        .collect();

    let mut refused = Vec::new();
    let mut formatted = Vec::new();
    let mut blank = Vec::new();
    for (path, f) in found {
        match f {
            Found::Missing => refused.push((path, "the directory does not exist".to_string())),
            Found::Unreadable(why) => refused.push((path, why)),
            Found::Blank => blank.push(path),
            Found::Formatted(fmt) => formatted.push((path, fmt)),
        }
    }

    // The deployment: as fixed by an earlier class, else the most common among ours.
    if deployment.is_none() {
        *deployment = most_common(formatted.iter().map(|(_, f)| f.deployment));
    }
    let dep = *deployment.get_or_insert_with(Uuid::new_v4);
    formatted.retain(|(path, f)| {
        let why = if f.deployment != dep {
            Some(format!(
                "foreign volume: deployment {} is not {dep}",
                f.deployment
            ))
        } else if f.class != cfg.name {
            Some(format!(
                "volume of class {:?}, configured in class {:?}",
                f.class, cfg.name
            ))
        } else {
            None
        };
        if let Some(w) = &why {
            refused.push((path.clone(), w.clone()));
        }
        why.is_none()
    });

    let scheme_text = scheme.to_string();
    if let Some((path, f)) = formatted.iter().find(|(_, f)| f.scheme != scheme_text) {
        return Err(Error::config(format!(
            "class {}: volume {} was formatted as {}, configured as {scheme_text}; changing a class's scheme needs a migration",
            cfg.name,
            path.display(),
            f.scheme
        )));
    }

    // The set as most volumes remember it.
    let mut set: Vec<Uuid> = if formatted.is_empty() {
        if !refused.is_empty() && blank.len() < n {
            return Err(Error::config(format!(
                "class {}: cannot create a new set while volumes are missing or unreadable: {}",
                cfg.name,
                describe(&refused)
            )));
        }
        (0..n).map(|_| Uuid::nil()).collect()
    } else {
        let counts = count(formatted.iter().map(|(_, f)| f.set.clone()));
        let best = counts
            .iter()
            .max_by_key(|(_, c)| *c)
            .map(|(s, c)| (s.clone(), *c));
        let Some((set, votes)) = best else {
            return Err(Error::internal("no set"));
        };
        if counts.values().filter(|c| **c == votes).count() > 1 {
            return Err(Error::config(format!(
                "class {}: volumes disagree about the set and no view has a majority",
                cfg.name
            )));
        }
        set
    };
    if set.len() != n {
        return Err(Error::config(format!(
            "class {}: {n} volumes configured, the formatted set has {}",
            cfg.name,
            set.len()
        )));
    }

    let mut slots: Vec<Option<(PathBuf, VolumeFormat)>> = vec![None; n];
    for (path, f) in formatted {
        match set.iter().position(|u| *u == f.this) {
            Some(i) if slots[i].is_none() => {
                if f.slot() != Some(i) {
                    tracing::info!(path = %path.display(), slot = i, "volume found at another position");
                }
                slots[i] = Some((path, f));
            }
            Some(_) => refused.push((path, "duplicate of another volume (same id)".into())),
            None => refused.push((
                path,
                "stale volume: its slot was given to a replacement".into(),
            )),
        }
    }
    let mut replaced = Vec::new();
    let formatted_before = slots.iter().any(Option::is_some);
    for path in blank {
        let Some(i) = slots.iter().position(Option::is_none) else {
            refused.push((path, "blank volume with no free slot".into()));
            continue;
        };
        let id = Uuid::new_v4();
        set[i] = id;
        // A new set starts empty; a volume that joins an existing one must be refilled.
        if formatted_before {
            let mark = RebuildMark {
                since_ns: crate::record::now_ns(),
                after: None,
            };
            rebuild_mark::write(&path, &mark)?;
        }
        replaced.push(i);
        let f = VolumeFormat::member(dep, &cfg.name, &scheme_text, id, vec![]);
        slots[i] = Some((path, f));
    }
    // Every member records the current set, so that a replaced volume is known as stale;
    // the members of before first, so that a crash half-way leaves a majority that knows the
    // new ids (a blank volume not written yet is formatted again at the next start).
    let (new, old): (Vec<_>, Vec<_>) = slots
        .iter_mut()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.as_mut()?)))
        .partition(|(i, _)| replaced.contains(i));
    for (_, (path, f)) in old.into_iter().chain(new) {
        if f.set != set {
            f.set = set.clone();
            format::write(path, f)?;
        }
    }
    if replaced.len() == n {
        tracing::info!(class = %cfg.name, volumes = n, "formatted a new erasure set");
    } else if !replaced.is_empty() {
        tracing::info!(class = %cfg.name, slots = ?replaced, "formatted blank volumes as replacements; they need healing");
    }

    let mut out = Vec::with_capacity(n);
    for slot in slots {
        out.push(match slot {
            Some((path, _)) => {
                let v = Arc::new(Volume::open(&path, index)?);
                let mount = is_mount_point(&path);
                Slot::up(path, v, mount)
            }
            None => Slot::empty("no configured directory holds this slot".into()),
        });
    }
    for (p, why) in &refused {
        tracing::warn!(class = %cfg.name, path = %p.display(), reason = %why, "volume refused");
    }
    Ok(ErasureSet::new(SetParts {
        name: cfg.name.clone(),
        scheme,
        layout: Layout::new(k, m),
        reserve,
        slots: out,
        unplaced: refused,
        members: set,
        deployment: dep,
        index,
    }))
}

fn count<T: std::hash::Hash + Eq>(items: impl Iterator<Item = T>) -> HashMap<T, usize> {
    let mut c = HashMap::new();
    for i in items {
        *c.entry(i).or_insert(0) += 1;
    }
    c
}

fn most_common<T: std::hash::Hash + Eq + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
    count(items)
        .into_iter()
        .max_by_key(|(_, c)| *c)
        .map(|(t, _)| t)
}

fn describe(list: &[(PathBuf, String)]) -> String {
    list.iter()
        .map(|(p, w)| format!("{} ({w})", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}
