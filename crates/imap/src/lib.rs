//! IMAP4rev1 front-end of the school mail service.
//!
//! imap-codec parses commands and writes responses, imap-next's sans-I/O server handles
//! literals, continuations, AUTHENTICATE and IDLE; this crate keeps the session state and turns
//! commands into calls of the mail service ([`MailStore`]). Capabilities: IMAP4rev1, IDLE,
//! UIDPLUS, MOVE, SPECIAL-USE, CONDSTORE, QRESYNC, QUOTA, NAMESPACE, LITERAL+, ID, ENABLE,
//! UNSELECT, STARTTLS and AUTH=PLAIN (plain-text logins only over TLS or from loopback).

mod conn;
mod driver;
mod listener;
mod long;
mod mime;
mod op;
mod platform;
mod quickack;
mod respond;
mod selected;
mod session;
pub mod store;
mod utf7;

#[cfg(test)]
mod memstore;
#[cfg(test)]
mod tests;

pub use driver::run;
pub use listener::serve;
pub use session::Peer;
pub use store::{MailStore, StoreError};
