//! Long answers (a FETCH of 50,000 messages): each response is turned into bytes soon after
//! it is made instead of all of them waiting as values in imap-next's queue until the
//! command ends, so such an answer holds a few bytes per message, not a few hundred.
//!
//! Why pulling bytes out of the server in the middle of a command is safe: imap-next hands
//! a command to us only when its send queue is empty, and nothing is received while a command
//! runs, so the queue holds just what this command enqueued, in order. For each response
//! enqueued with a handle, `Server::next` yields exactly its bytes, then `ResponseSent`. We
//! pull no more than we enqueued, so `next` never reaches the receiving side.

use imap_next::server::Event;
use imap_next::{Interrupt, Io, State};
use imap_types::response::Data;

use crate::session::Ctx;
use crate::store::MailStore;

/// Responses encoded at a time.
const EVERY: usize = 256;

impl<S: MailStore> Ctx<S> {
    /// Enqueues one response of a long answer (only from a command that enqueued nothing
    /// before it).
    pub fn data_long(&mut self, d: Data<'static>) {
        self.server.enqueue_data(d);
        self.long_queued += 1;
        if self.long_queued >= EVERY {
            self.encode_long();
        }
    }

    /// Turns the responses enqueued by [`Ctx::data_long`] into bytes.
    pub fn encode_long(&mut self) {
        for _ in 0..std::mem::take(&mut self.long_queued) {
            match self.server.next() {
                Err(Interrupt::Io(Io::Output(bytes))) => self.encoded.extend_from_slice(&bytes),
                _ => {
                    tracing::error!("IMAP: a queued response did not come out as bytes");
                    return;
                }
            }
            if !matches!(self.server.next(), Ok(Event::ResponseSent { .. })) {
                tracing::error!("IMAP: a queued response was not reported sent");
                return;
            }
        }
    }
}
