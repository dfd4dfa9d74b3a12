//! The help network: the documentation and FAQ every account type reads (help.docs).

use schulhof_types::RightId;

use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// Read the documentation and the FAQ, and search them.
#[derive(Clone, Copy, Debug)]
pub struct ReadHelp;

impl Action for ReadHelp {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::HelpDocs) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}
