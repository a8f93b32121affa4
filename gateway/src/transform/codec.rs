//! One direction of a transform over one object or part, without I/O: bytes in, bytes out.

use bytes::{Bytes, BytesMut};

use super::TransformError;

/// Encodes client bytes into stored bytes, or decodes them back. Output may lag the input (a
/// codec that works in fixed packages holds a partial one) and is flushed by `finish`.
pub trait Codec: Send {
    /// Takes the next piece of input (a codec may hold on to it instead of copying it);
    /// appends whatever output is ready to `out`.
    fn push(&mut self, input: Bytes, out: &mut BytesMut) -> Result<(), TransformError>;

    /// Ends the input: appends the rest of the output, or fails if the input was incomplete.
    fn finish(&mut self, out: &mut BytesMut) -> Result<(), TransformError>;

    /// Whether decoding authenticates every input byte (an AEAD tag over each package, the
    /// stream's end included), so that a read need not check the stored bytes apart.
    fn authenticates(&self) -> bool {
        false
    }
}
