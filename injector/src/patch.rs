//! JSON Patch (RFC 6902) operations, built explicitly rather than by diffing two pods: an
//! explicit `add` says what the webhook meant, and never rewrites a field it did not mean to.

use serde::Serialize;
use serde_json::Value;

/// One `add` operation; the injector never removes or replaces what others wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOp {
    /// Always `"add"`.
    pub op: &'static str,
    /// JSON pointer.
    pub path: String,
    /// Value to add.
    pub value: Value,
}

impl PatchOp {
    /// An `add` at `path`.
    pub fn add(path: impl Into<String>, value: Value) -> PatchOp {
        PatchOp {
            op: "add",
            path: path.into(),
            value,
        }
    }
}

/// Escapes one JSON-pointer segment (`strata.io/status` -> `strata.io~1status`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Adds `items` to the array at `path`: creates it when absent, else appends one by one
/// (appending keeps the indexes of entries others rely on). `exists` is updated so that
/// later calls on the same path append.
pub fn append_all(ops: &mut Vec<PatchOp>, path: &str, exists: &mut bool, items: Vec<Value>) {
    if items.is_empty() {
        return;
    }
    if *exists {
        ops.extend(
            items
                .into_iter()
                .map(|item| PatchOp::add(format!("{path}/-"), item)),
        );
    } else {
        ops.push(PatchOp::add(path, Value::Array(items)));
        *exists = true;
    }
}

/// Sets `key` in the object at `path` (creating the object when absent).
pub fn set_key(ops: &mut Vec<PatchOp>, path: &str, exists: &mut bool, key: &str, value: Value) {
    if *exists {
        ops.push(PatchOp::add(format!("{path}/{}", escape(key)), value));
    } else {
        let mut map = serde_json::Map::new();
        map.insert(key.to_owned(), value);
        ops.push(PatchOp::add(path, Value::Object(map)));
        *exists = true;
    }
}
