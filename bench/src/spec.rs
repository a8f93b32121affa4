//! Parsers for the command line's value languages: byte sizes (`4KiB`), durations (`20s`),
//! object-size specifications (`4KiB`, `1KiB..1MiB`, `4KiB:70,1MiB:30`) and operation mixes
//! (`get=45,put=15,delete=10,head=30`, `put=50,overwrite=50`).
//!
//! They are kept apart from clap so the rules can be tested as plain functions.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rand::Rng;

/// A value on the command line that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// A byte size such as `4KiB` is malformed or too large.
    #[error(
        "invalid size {0:?}: expected a number with an optional unit B, KiB, MiB, GiB, KB, MB, GB"
    )]
    Size(String),
    /// A duration such as `20s` is malformed.
    #[error("invalid duration {0:?}: expected a number with unit ms, s, m or h")]
    Duration(String),
    /// A size range has its bounds the wrong way round.
    #[error("invalid size range {0:?}: the lower bound is above the upper bound")]
    EmptyRange(String),
    /// A weighted list has a malformed entry, or all weights are zero.
    #[error("invalid weight in {0:?}: expected ITEM:WEIGHT (size list) or OP=WEIGHT (mix) with positive total")]
    Weight(String),
    /// An operation name is not one the generator knows.
    #[error(
        "unknown operation {0:?}: expected put, overwrite, get, rget, head, list, delete or multipart"
    )]
    UnknownOp(String),
    /// The same operation appears twice in a mix.
    #[error("operation {0:?} appears twice in the mix")]
    DuplicateOp(String),
}

/// Parses a byte size: a non-negative integer with an optional unit.
///
/// `KiB`/`MiB`/`GiB` (and the short `K`/`M`/`G`) are powers of 1024; `KB`/`MB`/`GB` are powers
/// of 1000, because that is how people write them on the command line of warp and fio.
pub fn parse_size(text: &str) -> Result<u64, SpecError> {
    let err = || SpecError::Size(text.to_string());
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    if digits.is_empty() {
        return Err(err());
    }
    let n: u64 = digits.parse().map_err(|_| err())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(err()),
    };
    n.checked_mul(mult).ok_or_else(err)
}

/// Formats a byte count with the largest binary unit that divides it exactly.
pub fn format_size(n: u64) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{}{unit}", n >> shift);
        }
    }
    format!("{n}B")
}

/// Parses a duration: `500ms`, `20s`, `2m`, `1h`; a bare number means seconds.
pub fn parse_duration(text: &str) -> Result<Duration, SpecError> {
    let err = || SpecError::Duration(text.to_string());
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| err())?;
    let ms = match unit {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1_000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => None,
    };
    ms.map(Duration::from_millis).ok_or_else(err)
}

/// How object sizes are chosen for each PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeSpec {
    /// Every object has this size.
    Fixed(u64),
    /// Uniformly distributed between the two bounds, both included.
    Uniform {
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// One of several sizes, chosen with probability proportional to its weight.
    Weighted(Vec<(u64, u32)>),
}

impl SizeSpec {
    /// The largest size this spec can produce: the random payload buffer is this long.
    pub fn max(&self) -> u64 {
        match self {
            SizeSpec::Fixed(n) => *n,
            SizeSpec::Uniform { max, .. } => *max,
            SizeSpec::Weighted(list) => list.iter().map(|(s, _)| *s).max().unwrap_or(0),
        }
    }

    /// The mean size, used to size the prepare phase's report and for sanity checks.
    pub fn mean(&self) -> f64 {
        match self {
            SizeSpec::Fixed(n) => *n as f64,
            SizeSpec::Uniform { min, max } => (*min as f64 + *max as f64) / 2.0,
            SizeSpec::Weighted(list) => {
                let total: f64 = list.iter().map(|(_, w)| f64::from(*w)).sum();
                list.iter()
                    .map(|(s, w)| *s as f64 * f64::from(*w))
                    .sum::<f64>()
                    / total
            }
        }
    }

    /// Draws one size.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> u64 {
        match self {
            SizeSpec::Fixed(n) => *n,
            SizeSpec::Uniform { min, max } => rng.gen_range(*min..=*max),
            SizeSpec::Weighted(list) => pick_weighted(list, rng).copied().unwrap_or(0),
        }
    }
}

impl FromStr for SizeSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        if let Some((lo, hi)) = text.split_once("..") {
            let (min, max) = (parse_size(lo)?, parse_size(hi)?);
            if min > max {
                return Err(SpecError::EmptyRange(text.to_string()));
            }
            return Ok(SizeSpec::Uniform { min, max });
        }
        if text.contains(':') {
            let list = parse_weighted(text, ':', parse_size)?;
            return Ok(SizeSpec::Weighted(list));
        }
        Ok(SizeSpec::Fixed(parse_size(text)?))
    }
}

impl fmt::Display for SizeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeSpec::Fixed(n) => f.write_str(&format_size(*n)),
            SizeSpec::Uniform { min, max } => {
                write!(f, "{}..{}", format_size(*min), format_size(*max))
            }
            SizeSpec::Weighted(list) => {
                let parts: Vec<String> = list
                    .iter()
                    .map(|(s, w)| format!("{}:{w}", format_size(*s)))
                    .collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

/// The S3 operations the generator can issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// PutObject with a body from the shared buffer.
    Put,
    /// PutObject to the key of an existing object, replacing it.
    Overwrite,
    /// GetObject of a whole object.
    Get,
    /// GetObject of one random range (`--range-size`).
    Rget,
    /// HeadObject.
    Head,
    /// One page of ListObjectsV2.
    List,
    /// DeleteObject.
    Delete,
    /// A whole multipart upload: create, upload parts, complete.
    Multipart,
}

impl OpKind {
    /// Every operation, in report order.
    pub const ALL: [OpKind; 8] = [
        OpKind::Put,
        OpKind::Overwrite,
        OpKind::Get,
        OpKind::Rget,
        OpKind::Head,
        OpKind::List,
        OpKind::Delete,
        OpKind::Multipart,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Put => "put",
            OpKind::Overwrite => "overwrite",
            OpKind::Get => "get",
            OpKind::Rget => "rget",
            OpKind::Head => "head",
            OpKind::List => "list",
            OpKind::Delete => "delete",
            OpKind::Multipart => "multipart",
        }
    }

    /// Position in [`OpKind::ALL`], used to index per-operation arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether this operation reads, replaces or deletes objects that the prepare phase must
    /// create first.
    pub fn needs_objects(self) -> bool {
        matches!(
            self,
            OpKind::Overwrite
                | OpKind::Get
                | OpKind::Rget
                | OpKind::Head
                | OpKind::List
                | OpKind::Delete
        )
    }
}

impl FromStr for OpKind {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "mpu" | "multipart-put" => return Ok(OpKind::Multipart),
            "get-range" | "ranged-get" => return Ok(OpKind::Rget),
            _ => {}
        }
        OpKind::ALL
            .into_iter()
            .find(|op| op.name() == lower)
            .ok_or_else(|| SpecError::UnknownOp(text.to_string()))
    }
}

/// A weighted choice of operations; a single operation is a mix of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix(Vec<(OpKind, u32)>);

impl Mix {
    /// A mix that always picks `op`.
    pub fn single(op: OpKind) -> Self {
        Mix(vec![(op, 1)])
    }

    /// The operations with their weights, as given.
    pub fn entries(&self) -> &[(OpKind, u32)] {
        &self.0
    }

    /// Whether any operation of the mix needs prepared objects.
    pub fn needs_objects(&self) -> bool {
        self.0.iter().any(|(op, _)| op.needs_objects())
    }

    /// Whether the mix contains `op` with a positive weight.
    pub fn contains(&self, op: OpKind) -> bool {
        self.0.iter().any(|(o, w)| *o == op && *w > 0)
    }

    /// Draws one operation.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> OpKind {
        pick_weighted(&self.0, rng).copied().unwrap_or(OpKind::Get)
    }
}

impl FromStr for Mix {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        let list = parse_weighted(text, '=', |s| s.parse::<OpKind>())?;
        for (i, (op, _)) in list.iter().enumerate() {
            if list[..i].iter().any(|(o, _)| o == op) {
                return Err(SpecError::DuplicateOp(op.name().to_string()));
            }
        }
        Ok(Mix(list))
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(op, w)| format!("{}={w}", op.name()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Parses `A<sep>W,B<sep>W,...`; the total weight must be positive.
fn parse_weighted<T>(
    text: &str,
    sep: char,
    item: impl Fn(&str) -> Result<T, SpecError>,
) -> Result<Vec<(T, u32)>, SpecError> {
    let err = || SpecError::Weight(text.to_string());
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, weight) = part.split_once(sep).ok_or_else(err)?;
        let weight: u32 = weight.trim().parse().map_err(|_| err())?;
        out.push((item(name.trim())?, weight));
    }
    let total: u64 = out.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 {
        return Err(err());
    }
    Ok(out)
}

/// Picks an item with probability proportional to its weight; `None` only for a zero total.
fn pick_weighted<'a, T, R: Rng>(list: &'a [(T, u32)], rng: &mut R) -> Option<&'a T> {
    let total: u64 = list.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut x = rng.gen_range(0..total);
    for (item, w) in list {
        let w = u64::from(*w);
        if x < w {
            return Some(item);
        }
        x -= w;
    }
    None
}
