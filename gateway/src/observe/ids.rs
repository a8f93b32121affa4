//! Request ids: `x-amz-request-id` and `x-amz-id-2` of each response, and the ids of audit
//! events no request made (lifecycle actions).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The ids every response carries.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// `x-amz-request-id`.
    pub request_id: String,
    /// `x-amz-id-2`.
    pub host_id: String,
}

/// A new request id (16 upper-case hex digits like S3's) and host id (this process's random
/// id, then the request id). Ids count up from a random start: unique within the process,
/// unlikely to repeat across restarts, and no `getrandom` call per request (a random id
/// each time cost a small GET 1% of its CPU).
pub fn request_ids() -> RequestIds {
    static IDS: OnceLock<(u64, AtomicU64)> = OnceLock::new();
    let (process, next) = IDS.get_or_init(|| {
        let (process, start) = uuid::Uuid::new_v4().as_u64_pair();
        (process, AtomicU64::new(start))
    });
    let id = next.fetch_add(1, Ordering::Relaxed);
    RequestIds {
        request_id: format!("{id:016X}"),
        host_id: format!("{process:016X}{id:016X}"),
    }
}

#[cfg(test)]
mod tests {
    use super::request_ids;

    #[test]
    fn request_ids_are_s3_shaped_and_distinct() {
        let ids: Vec<(String, String)> = (0..1000)
            .map(|_| {
                let ids = request_ids();
                (ids.request_id, ids.host_id)
            })
            .collect();
        for (id, host) in &ids {
            assert_eq!(id.len(), 16);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()));
            assert_eq!(host.len(), 32);
            assert!(host.ends_with(id.as_str()));
        }
        let mut unique: Vec<&String> = ids.iter().map(|(id, _)| id).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }
}
