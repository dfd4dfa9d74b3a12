//! The help network's forums (state-wide), support tickets (per school and person), the
//! guides support edited or added, and the blog.

pub mod blog;
pub mod forum;
pub mod guides;
pub mod tickets;
