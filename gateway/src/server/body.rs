//! The request body as a stream: socket reads go through the payload verifier, chunk by
//! chunk, so the store sees decoded, verified bytes and memory stays bounded.

use std::io;

use bytes::BytesMut;
use futures::StreamExt;
use pingora::protocols::http::ServerSession;

use crate::auth::PayloadVerifier;
use crate::s3::body::Body;
use crate::s3::error::BodyError;
use crate::s3::ops::PayloadSlot;

struct State<'a> {
    session: &'a mut ServerSession,
    verifier: Option<PayloadVerifier>,
    slot: PayloadSlot,
    /// `Expect: 100-continue` not yet answered: answered on the first read, so a request
    /// refused before its body is read never gets a `100` (and the client sends nothing).
    send_continue: bool,
    out: BytesMut,
}

/// Wraps the session's body reads. The verifier's `finish()` runs when the socket says the
/// body ended; its failure becomes the stream's last item, so the store aborts the write.
pub fn request_body<'a>(
    session: &'a mut ServerSession,
    verifier: PayloadVerifier,
    slot: PayloadSlot,
    send_continue: bool,
    length: Option<u64>,
) -> Body<'a> {
    let state = State {
        session,
        verifier: Some(verifier),
        slot,
        send_continue,
        out: BytesMut::new(),
    };
    let stream = futures::stream::unfold(state, |mut st| async move {
        // `None` verifier: the body already ended (or failed); the stream is over.
        st.verifier.as_ref()?;
        if st.send_continue {
            st.send_continue = false;
            if let Err(e) = st.session.write_continue_response().await {
                st.verifier = None;
                return Some((Err(truncated(e.to_string())), st));
            }
        }
        loop {
            let read = st.session.read_request_body().await;
            let verifier = st.verifier.as_mut()?;
            match read {
                Ok(Some(chunk)) => {
                    let result = if verifier.is_identity() {
                        verifier.observe(&chunk).map(|()| chunk)
                    } else {
                        verifier
                            .push(&chunk, &mut st.out)
                            .map(|()| st.out.split().freeze())
                    };
                    match result {
                        Ok(bytes) if bytes.is_empty() => continue,
                        Ok(bytes) => return Some((Ok(bytes), st)),
                        Err(e) => {
                            st.verifier = None;
                            return Some((Err(io::Error::other(e)), st));
                        }
                    }
                }
                Ok(None) => {
                    let verifier = st.verifier.take()?;
                    return match verifier.finish() {
                        Ok(summary) => {
                            if let Ok(mut slot) = st.slot.lock() {
                                *slot = Some(summary);
                            }
                            None
                        }
                        Err(e) => Some((Err(io::Error::other(e)), st)),
                    };
                }
                Err(e) => {
                    st.verifier = None;
                    return Some((Err(truncated(e.to_string())), st));
                }
            }
        }
    });
    Body::new(stream.boxed(), length)
}

fn truncated(reason: String) -> io::Error {
    io::Error::other(BodyError::Truncated(reason))
}
