//! IAM's pagination (`MaxItems`, `Marker`; `IsTruncated` and `Marker` in the result): every
//! listing is ordered by a key of its items, and a page resumes after the last key of the
//! one before, so that entities made or deleted between pages neither repeat nor push others
//! out of sight.

use crate::query_api::Form;
use crate::s3::error::{Code, S3Error};

/// AWS's page size when `MaxItems` is not given.
const DEFAULT_MAX_ITEMS: u64 = 100;

/// One page of a listing.
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// Whether more follow.
    pub is_truncated: bool,
    /// What to send as `Marker` for the next page; only when truncated.
    pub marker: Option<String>,
}

/// The page the request's `MaxItems` (1 to 1000, default 100) and `Marker` ask for, of
/// `items` given as (key, item) with unique keys in any order.
pub fn page<T>(
    form: &Form,
    items: impl IntoIterator<Item = (String, T)>,
) -> Result<Page<T>, S3Error> {
    let max = form
        .number("MaxItems", 1..=1000)?
        .unwrap_or(DEFAULT_MAX_ITEMS) as usize;
    let after = form.get("Marker").map(decode_marker).transpose()?;
    let mut keyed: Vec<(String, T)> = items
        .into_iter()
        .filter(|(key, _)| after.as_ref().is_none_or(|after| key > after))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let is_truncated = keyed.len() > max;
    keyed.truncate(max);
    let marker = match keyed.last() {
        Some((key, _)) if is_truncated => Some(hex::encode(key)),
        _ => None,
    };
    Ok(Page {
        items: keyed.into_iter().map(|(_, item)| item).collect(),
        is_truncated,
        marker,
    })
}

/// The key a `Marker` this module made names (hex, so that any key travels safely).
fn decode_marker(marker: &str) -> Result<String, S3Error> {
    hex::decode(marker)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| {
            Code::InvalidInput
                .with("Marker is not one strata gave: send the Marker of the previous page")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(params: &str) -> Form {
        Form::parse(format!("Action=ListUsers&Version=2010-05-08{params}").as_bytes()).unwrap()
    }

    fn keyed(names: &[&str]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|n| (n.to_string(), n.to_uppercase()))
            .collect()
    }

    #[test]
    fn pages_follow_key_order_and_resume_after_the_last_key() {
        let all = keyed(&["c", "a", "e", "b", "d"]);
        let first = page(&form("&MaxItems=2"), all.clone()).unwrap();
        assert_eq!(first.items, ["A", "B"]);
        assert!(first.is_truncated);
        let marker = first.marker.unwrap();
        // "b" deleted and "bb" made between the pages: nothing repeats, nothing is lost.
        let changed = keyed(&["c", "a", "e", "bb", "d"]);
        let second = page(&form(&format!("&MaxItems=2&Marker={marker}")), changed).unwrap();
        assert_eq!(second.items, ["BB", "C"]);
        let marker = second.marker.unwrap();
        let last = page(&form(&format!("&MaxItems=2&Marker={marker}")), all).unwrap();
        assert_eq!(last.items, ["D", "E"]);
        assert!(!last.is_truncated);
        assert_eq!(last.marker, None);
    }

    #[test]
    fn the_default_page_is_a_hundred_and_bounds_are_refused() {
        let many: Vec<(String, u32)> = (0..150).map(|i| (format!("{i:03}"), i)).collect();
        let first = page(&form(""), many).unwrap();
        assert_eq!(first.items.len(), 100);
        assert!(first.is_truncated);
        for bad in ["&MaxItems=0", "&MaxItems=1001", "&MaxItems=x"] {
            let e = page(&form(bad), keyed(&["a"])).err().unwrap();
            assert_eq!(e.code, Code::ValidationError, "{bad}");
        }
        for bad in ["&Marker=zz", "&Marker=ff"] {
            let e = page(&form(bad), keyed(&["a"])).err().unwrap();
            assert_eq!(e.code, Code::InvalidInput, "{bad}");
        }
    }
}
