//! `[[notify.targets]]` of the config file: where bucket notifications may be sent. Each
//! target has a `name` (its ARN's last part and its metrics' `sink` label) and a `kind`; the
//! rest of its table configures its sink (destination, batching, buffer, retries) and is
//! read by the sink machinery, which owns those keys.

use super::ConfigError;

/// Target kinds strata delivers to.
const KINDS: [&str; 1] = ["webhook"];

/// The notification targets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifyConfig {
    /// In file order.
    pub targets: Vec<NotifyTarget>,
}

/// One target.
#[derive(Clone, PartialEq)]
pub struct NotifyTarget {
    /// Its name: letters, digits, `-` and `_`, unique among the targets.
    pub name: String,
    /// Its kind (`webhook`).
    pub kind: String,
    /// The rest of its table: the sink's own settings.
    pub sink: toml::Table,
}

impl std::fmt::Debug for NotifyTarget {
    // A sink's settings may hold a secret (an auth header): only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyTarget")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("sink_keys", &self.sink.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl NotifyConfig {
    /// Reads the file's `notify` table, if it has one.
    pub fn from_toml(value: Option<toml::Value>) -> Result<Self, ConfigError> {
        let Some(value) = value else {
            return Ok(NotifyConfig::default());
        };
        let bad = |what: String| ConfigError::File(format!("notify: {what}"));
        let toml::Value::Table(mut table) = value else {
            return Err(bad("must be a table".into()));
        };
        let targets = match table.remove("targets") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items,
            Some(_) => return Err(bad("targets must be an array of tables".into())),
        };
        if let Some(key) = table.keys().next() {
            return Err(bad(format!("unknown key {key:?} (only `targets`)")));
        }
        let mut out: Vec<NotifyTarget> = Vec::with_capacity(targets.len());
        for (i, item) in targets.into_iter().enumerate() {
            let target = target(item).map_err(|e| bad(format!("targets[{i}]: {e}")))?;
            if out.iter().any(|t| t.name == target.name) {
                return Err(bad(format!("two targets are named {:?}", target.name)));
            }
            out.push(target);
        }
        Ok(NotifyConfig { targets: out })
    }
}

fn target(item: toml::Value) -> Result<NotifyTarget, String> {
    let toml::Value::Table(mut sink) = item else {
        return Err("must be a table".into());
    };
    let mut text = |key: &str| match sink.remove(key) {
        Some(toml::Value::String(s)) => Ok(s),
        Some(_) => Err(format!("{key} must be a string")),
        None => Err(format!("{key} is required")),
    };
    let name = text("name")?;
    let kind = text("kind")?;
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !name_ok {
        return Err(format!(
            "name {name:?}: 1-64 letters, digits, '-' or '_' (it ends the target's ARN)"
        ));
    }
    if !KINDS.contains(&kind.as_str()) {
        return Err(format!("kind {kind:?}: expected one of {KINDS:?}"));
    }
    Ok(NotifyTarget { name, kind, sink })
}
