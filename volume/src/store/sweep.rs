//! Removing shard files that no version or part references: files left by a crash between a
//! write's staging and its commit, by a failed commit, or by an unlink that never ran. Only
//! files older than the grace period go (a younger one may belong to a write in flight), and
//! only in the fan-out directories the pass collected references for.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use super::Inner;
use crate::disk::format::STRATA_DIR;
use crate::object::rebuild::REBUILD_SUFFIX;
use crate::pace::Pacer;
use crate::types::ScanReport;

impl Inner {
    /// Sweeps the fan-out directories `dirs` of every online volume of every class; `refs`
    /// holds every referenced id in them.
    pub(super) async fn sweep(
        &self,
        dirs: Range<u16>,
        refs: Arc<HashSet<[u8; 16]>>,
        cutoff: SystemTime,
        report: &mut ScanReport,
        pacer: &mut Pacer,
    ) {
        for set in &self.classes {
            for (_, v) in set.online() {
                let data = v.root.join(STRATA_DIR).join("data");
                for dir in dirs.clone() {
                    let fan = data.join(format!("{dir:02x}"));
                    let (path, refs) = (fan.clone(), refs.clone());
                    let swept =
                        tokio::task::spawn_blocking(move || sweep_dir(&path, &refs, cutoff)).await;
                    match swept.unwrap_or_else(|e| Err(std::io::Error::other(e.to_string()))) {
                        Ok((files, bytes)) => {
                            report.orphans_removed += files;
                            report.orphan_bytes += bytes;
                        }
                        Err(e) => {
                            tracing::warn!(dir = %fan.display(), error = %e, "scan: sweep failed");
                            report.errors.push(format!("sweep {}: {e}", fan.display()));
                        }
                    }
                    report.swept_dirs += 1;
                    pacer.tick().await;
                }
            }
        }
    }
}

/// Removes the unreferenced shard files (and abandoned rebuild files) of one fan-out
/// directory older than `cutoff`; returns how many and their bytes.
fn sweep_dir(
    dir: &Path,
    refs: &HashSet<[u8; 16]>,
    cutoff: SystemTime,
) -> std::io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let (stem, ext) = match name.split_once('.') {
            Some((s, e)) => (s, Some(e)),
            None => (name, None),
        };
        let Ok(id) = uuid::Uuid::try_parse(stem) else {
            continue; // not strata's
        };
        let orphan = match ext {
            None => !refs.contains(id.as_bytes()),
            Some(e) => e == REBUILD_SUFFIX,
        };
        if !orphan {
            continue;
        }
        let meta = entry.metadata()?;
        if !meta.is_file() || meta.modified()? >= cutoff {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => {
                files += 1;
                bytes += meta.len();
                tracing::info!(path = %entry.path().display(), "scan: removed an unreferenced shard file");
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok((files, bytes))
}
