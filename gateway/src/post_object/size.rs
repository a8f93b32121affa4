//! The file's size against the policy's `content-length-range` (and strata's largest object),
//! counted as it streams: the body fails before anything is committed, and the verdict says
//! which S3 error that is.

use std::io;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use futures::StreamExt;

use super::policy::LengthRange;
use crate::s3::body::WireBody;
use crate::s3::error::{Code, S3Error};

// 0: within its bounds (so far).
const TOO_LARGE: u8 = 1;
const TOO_SMALL: u8 = 2;

/// Whether the file kept to its bounds; read after the upload failed.
#[derive(Clone, Default)]
pub struct SizeVerdict(Arc<AtomicU8>);

impl SizeVerdict {
    /// The error to answer instead of the body's own, if the size was the cause.
    pub fn error(&self, range: LengthRange) -> Option<S3Error> {
        match self.0.load(Ordering::Acquire) {
            TOO_LARGE => Some(Code::EntityTooLarge.with(format!(
                "Your proposed upload exceeds the maximum allowed size of {} bytes",
                range.max
            ))),
            TOO_SMALL => Some(Code::EntityTooSmall.with(format!(
                "Your proposed upload is smaller than the minimum allowed size of {} bytes",
                range.min
            ))),
            _ => None,
        }
    }
}

/// `file`, failing once it passes `range.max` or ends short of `range.min`.
pub fn bounded(file: WireBody<'_>, range: LengthRange) -> (WireBody<'_>, SizeVerdict) {
    let verdict = SizeVerdict::default();
    let flag = verdict.0.clone();
    let fail = move |what: u8| {
        flag.store(what, Ordering::Release);
        Some(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the file is outside the policy's content-length-range",
        )))
    };
    let stream = futures::stream::unfold((file, 0u64, false), move |(mut file, seen, done)| {
        let fail = fail.clone();
        async move {
            if done {
                return None;
            }
            match file.next().await {
                Some(Ok(chunk)) => {
                    let seen = seen + chunk.len() as u64;
                    if seen > range.max {
                        return fail(TOO_LARGE).map(|e| (e, (file, seen, true)));
                    }
                    Some((Ok(chunk), (file, seen, false)))
                }
                Some(Err(e)) => Some((Err(e), (file, seen, true))),
                None if seen < range.min => fail(TOO_SMALL).map(|e| (e, (file, seen, true))),
                None => None,
            }
        }
    })
    .boxed();
    (stream, verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    async fn run(sizes: &[usize], range: LengthRange) -> (usize, Option<Code>) {
        let chunks: Vec<io::Result<Bytes>> = sizes
            .iter()
            .map(|n| Ok(Bytes::from(vec![0u8; *n])))
            .collect();
        let (mut s, verdict) = bounded(futures::stream::iter(chunks).boxed(), range);
        let mut got = 0;
        while let Some(c) = s.next().await {
            match c {
                Ok(c) => got += c.len(),
                Err(_) => return (got, verdict.error(range).map(|e| e.code)),
            }
        }
        (got, verdict.error(range).map(|e| e.code))
    }

    #[test]
    fn sizes_outside_the_range_fail_the_stream_and_say_why() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let range = LengthRange { min: 3, max: 10 };
        assert_eq!(rt.block_on(run(&[4, 6], range)), (10, None));
        assert_eq!(
            rt.block_on(run(&[4, 6, 1], range)),
            (10, Some(Code::EntityTooLarge))
        );
        assert_eq!(
            rt.block_on(run(&[1, 1], range)),
            (2, Some(Code::EntityTooSmall))
        );
        assert_eq!(
            rt.block_on(run(&[], LengthRange { min: 0, max: 0 })),
            (0, None)
        );
    }
}
