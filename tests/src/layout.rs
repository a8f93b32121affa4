//! Volume layouts: which storage classes a test server has, how many volume directories each
//! gets, and its erasure scheme.

use std::path::Path;

/// One storage class: `volumes` directories named `{name}0`, `{name}1`, ... under the server's
/// directory, stored with `erasure` (`2+2`, `mirror`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeClass {
    pub name: String,
    pub volumes: usize,
    pub erasure: String,
}

/// The storage classes of a server, in the order strata is told about them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    pub classes: Vec<VolumeClass>,
}

/// The settings a layout becomes once its directories exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutSettings {
    /// `STRATA_VOLUMES`: `fast=/d/fast0,/d/fast1;bulk=...`.
    pub volumes: String,
    /// `STRATA_ERASURE`: `fast=2+2;bulk=mirror`.
    pub erasure: String,
}

impl Layout {
    /// One class `fast` of four volumes as 2+2: what the gateway's own tests and the benches use.
    pub fn fast_2x2() -> Layout {
        Layout::default().class("fast", 4, "2+2")
    }

    /// `fast` 2+2 plus a mirrored `bulk` class of two volumes: what the real-client tests use.
    pub fn fast_2x2_bulk_mirror() -> Layout {
        Layout::fast_2x2().class("bulk", 2, "mirror")
    }

    /// This layout with one more class.
    pub fn class(mut self, name: &str, volumes: usize, erasure: &str) -> Layout {
        self.classes.push(VolumeClass {
            name: name.to_string(),
            volumes,
            erasure: erasure.to_string(),
        });
        self
    }

    /// Creates every volume directory under `root` and returns the settings that name them.
    pub fn create(&self, root: &Path) -> LayoutSettings {
        let mut volumes = Vec::new();
        let mut erasure = Vec::new();
        for class in &self.classes {
            let dirs: Vec<String> = (0..class.volumes)
                .map(|i| {
                    let dir = root.join(format!("{}{i}", class.name));
                    std::fs::create_dir_all(&dir)
                        .unwrap_or_else(|e| panic!("create volume dir {}: {e}", dir.display()));
                    dir.display().to_string()
                })
                .collect();
            volumes.push(format!("{}={}", class.name, dirs.join(",")));
            erasure.push(format!("{}={}", class.name, class.erasure));
        }
        LayoutSettings {
            volumes: volumes.join(";"),
            erasure: erasure.join(";"),
        }
    }
}
