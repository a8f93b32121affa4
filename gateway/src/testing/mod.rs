//! Stand-ins for the request stack's seams, used by its tests the way the next stages will use
//! the seams: a transform that changes the length of what is stored (as encryption will), an
//! authenticator that vouches for whoever the test says, an observer that keeps every event,
//! and an in-memory exchange instead of a socket.

mod doubles;
mod exchange;
mod harness;
mod stretch;

pub use doubles::{Recorder, Vouching};
pub use exchange::MemoryExchange;
pub use harness::{request_head, TestStack, ROOT_KEY};
pub use stretch::Stretch;
