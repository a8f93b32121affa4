//! The codecs of encrypted objects: sealing one stream on write, opening a run of streams
//! (the parts a read touches) on read.

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};
use strata_crypt::{ObjectKey, RangePlan, RangedOpener, Sealer, HEADER_LEN};

use crate::transform::{Codec, TransformError};

/// Seals client bytes into one stream of the format.
pub struct SealCodec(Option<Sealer>);

impl SealCodec {
    /// Seals with `sealer` (its stream number and cipher chosen by the caller).
    pub fn new(sealer: Sealer) -> Self {
        SealCodec(Some(sealer))
    }
}

fn sealing(e: strata_crypt::SealError) -> TransformError {
    TransformError::Damaged(format!("sealing failed: {e}"))
}

impl Codec for SealCodec {
    fn push(&mut self, input: Bytes, out: &mut BytesMut) -> Result<(), TransformError> {
        let sealer = self
            .0
            .as_mut()
            .ok_or_else(|| TransformError::Damaged("sealed after finish".into()))?;
        sealer.seal_into(input, out).map_err(sealing)
    }

    fn finish(&mut self, out: &mut BytesMut) -> Result<(), TransformError> {
        let sealer = self
            .0
            .take()
            .ok_or_else(|| TransformError::Damaged("finished twice".into()))?;
        sealer.finish_into(out).map_err(sealing)
    }
}

/// The bytes of one stream a read needs: its 16-byte header, then the packages holding the
/// requested plaintext (the bytes between are skipped: read and dropped, or for the first
/// segment of a read not read at all).
pub struct Segment {
    /// The stream number (0: a single put; `p`: part `p`).
    pub stream: u32,
    /// What to open.
    pub plan: RangePlan,
}

impl Segment {
    /// Stored bytes from the stream's start to the end of the packages the plan needs.
    pub fn stored_len(&self) -> u64 {
        self.plan.packages().end
    }

    /// Stored bytes between the header and the first package the plan needs.
    pub fn gap(&self) -> u64 {
        self.plan.packages().start - HEADER_LEN
    }
}

enum Step {
    /// Collecting the 16-byte stream header.
    Header(Vec<u8>),
    /// Dropping bytes between the header and the first needed package.
    Gap { header: Vec<u8>, left: u64 },
    /// Opening packages.
    Open {
        opener: Box<RangedOpener>,
        left: u64,
    },
}

/// Opens a run of segments, back to back in the stored bytes, into exactly the plaintext
/// they were planned for. Any failure (a changed byte, a cut, bytes from elsewhere) ends
/// the read with an error; no unauthenticated byte is ever returned.
pub struct OpenCodec {
    key: ObjectKey,
    segments: VecDeque<Segment>,
    step: Option<Step>,
    /// The first segment's gap is not in the bytes (its header was read apart).
    gap_elided: bool,
}

impl OpenCodec {
    /// Opens `segments` with the object's key; with `gap_elided`, the bytes are the first
    /// segment's header immediately followed by its packages.
    pub fn new(key: ObjectKey, segments: Vec<Segment>, gap_elided: bool) -> Self {
        OpenCodec {
            key,
            segments: segments.into(),
            step: Some(Step::Header(Vec::with_capacity(HEADER_LEN as usize))),
            gap_elided,
        }
    }

    fn opening(e: strata_crypt::OpenError) -> TransformError {
        TransformError::Damaged(e.to_string())
    }

    /// Moves to the segment after the current one, if any.
    fn next_segment(&mut self, out: &mut BytesMut) -> Result<(), TransformError> {
        if let Some(Step::Open { opener, .. }) = self.step.take() {
            out.extend_from_slice(&opener.finish().map_err(Self::opening)?);
        }
        self.segments.pop_front();
        self.gap_elided = false;
        self.step = (!self.segments.is_empty())
            .then(|| Step::Header(Vec::with_capacity(HEADER_LEN as usize)));
        Ok(())
    }
}

impl Codec for OpenCodec {
    fn push(&mut self, mut input: Bytes, out: &mut BytesMut) -> Result<(), TransformError> {
        while !input.is_empty() {
            let Some(segment) = self.segments.front() else {
                return Err(TransformError::Damaged(
                    "bytes after the last stream".into(),
                ));
            };
            match self.step.take() {
                None => return Err(TransformError::Damaged("opened after the end".into())),
                Some(Step::Header(mut header)) => {
                    let take = (HEADER_LEN as usize - header.len()).min(input.len());
                    header.extend_from_slice(&input.split_to(take));
                    self.step = Some(if header.len() == HEADER_LEN as usize {
                        Step::Gap {
                            header,
                            left: if self.gap_elided { 0 } else { segment.gap() },
                        }
                    } else {
                        Step::Header(header)
                    });
                }
                Some(Step::Gap { header, left }) => {
                    let take = left.min(input.len() as u64);
                    input.advance(take as usize);
                    self.step = Some(if left == take {
                        let opener = Box::new(
                            RangedOpener::new(&self.key, segment.stream, &header, &segment.plan)
                                .map_err(Self::opening)?,
                        );
                        let packages = segment.plan.packages();
                        Step::Open {
                            opener,
                            left: packages.end - packages.start,
                        }
                    } else {
                        Step::Gap {
                            header,
                            left: left - take,
                        }
                    });
                }
                Some(Step::Open { mut opener, left }) => {
                    let take = left.min(input.len() as u64);
                    opener
                        .open_into(input.split_to(take as usize), out)
                        .map_err(Self::opening)?;
                    self.step = Some(Step::Open {
                        opener,
                        left: left - take,
                    });
                    if left == take {
                        self.next_segment(out)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn authenticates(&self) -> bool {
        // Each segment's packages carry tags; its header is their associated data, its
        // stream number is in their key, and the final package is sealed as final.
        true
    }

    fn finish(&mut self, _out: &mut BytesMut) -> Result<(), TransformError> {
        if self.segments.is_empty() {
            Ok(())
        } else {
            Err(TransformError::Damaged(
                "the stored bytes end before the range".into(),
            ))
        }
    }
}
