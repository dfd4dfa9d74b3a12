//! The operators' realm, above all schools: operator accounts and their sessions, their
//! audit log, the state-wide defaults, and the school list with its counts. Nothing here
//! reads a school's content; the school queries return counts and metadata only.

pub mod accounts;
pub mod audit;
pub mod defaults;
pub mod purge;
pub mod recovery;
pub mod schools;
