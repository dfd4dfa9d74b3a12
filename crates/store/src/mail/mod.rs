//! Mailboxes: folders, messages, addresses, and the bytes each mailbox holds; the queue of
//! mail leaving the platform and the traffic data of every message.

pub mod absence;
pub mod abuse;
pub mod abuse_scope;
pub mod addresses;
pub mod at_once;
pub mod bulk;
pub mod delegations;
pub mod dkim;
pub mod expunged;
pub mod filtering;
pub mod folders;
pub mod inspections;
pub mod ip_limits;
pub mod messages;
pub mod quarantine;
pub mod queue;
pub mod traffic;
