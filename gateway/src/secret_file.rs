//! Files that hold key material: made readable by their owner only, synced, never replaced.

use std::io::Write;
use std::path::Path;

/// Writes a new file readable by its owner only (mode 0600), synced; refuses to replace one.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
