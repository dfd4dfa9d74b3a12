//! The one policy. Every front-end resolves its caller into an [`AccessToken`] and asks
//! [`check`]; services that change data demand the resulting [`Grant`], so a forgotten
//! check does not compile.

pub mod calendar;
pub mod chat;
pub mod conference;
pub mod contacts;
pub mod files;
pub mod four_eyes;
pub mod help;
pub mod homepage;
pub mod lms;
pub mod lti;
pub mod mail;
pub mod mail_control;
pub mod mail_governance;
pub mod matrix;
pub mod news;
pub mod oidc;
pub mod operator;
mod policy;
pub mod safe;
mod token;

pub use matrix::{Granter, Mark};
pub use policy::*;
pub use token::{AccessToken, Principal, effective_rights};
