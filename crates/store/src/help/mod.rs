//! The help network's forums (state-wide) and support tickets (per school and person).

pub mod forum;
pub mod tickets;
