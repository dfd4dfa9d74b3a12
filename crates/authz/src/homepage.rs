//! The school's public start page. Everyone may read what it publishes (no login at all);
//! only holders of homepage.admin — an O-right of every account type, granted by the admin —
//! edit its pages, pictures and settings. No function account holds it (rights-matrix.md):
//! the admin grants it to persons.

use schulhof_types::{InstanceId, RightId};

use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// Edit the start page of `instance`: texts, pages, pictures, the redirect.
#[derive(Clone, Copy, Debug)]
pub struct EditHomepage {
    pub instance: InstanceId,
}

impl Action for EditHomepage {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        // Another school's start page does not exist for this caller.
        if token.instance() != self.instance {
            return Err(Denied::NotFound);
        }
        if token.has(RightId::HomepageAdmin) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, FunctionRole, UserId};

    use super::*;
    use crate::{Principal, check};

    fn token(instance: InstanceId, p: Principal, grants: Vec<RightId>) -> AccessToken {
        AccessToken::resolve(instance, UserId(uuid::Uuid::now_v7()), p, vec![], grants)
    }

    #[test]
    fn only_holders_of_the_right_edit_and_only_their_own_school() {
        let school = InstanceId(uuid::Uuid::now_v7());
        let other = InstanceId(uuid::Uuid::now_v7());
        let edit = EditHomepage { instance: school };
        for t in AccountType::ALL {
            let p = Principal::Person(*t);
            assert_eq!(
                check(&token(school, p, vec![]), edit).err(),
                Some(Denied::Forbidden),
                "{t:?} without the grant"
            );
            let holder = token(school, p, vec![RightId::HomepageAdmin]);
            assert!(check(&holder, edit).is_ok(), "{t:?} with the grant");
            assert_eq!(
                check(&holder, EditHomepage { instance: other }).err(),
                Some(Denied::NotFound),
                "{t:?} at another school"
            );
        }
        for role in FunctionRole::ALL {
            let t = token(
                school,
                Principal::Function(*role),
                vec![RightId::HomepageAdmin],
            );
            assert_eq!(check(&t, edit).err(), Some(Denied::Forbidden), "{role:?}");
        }
    }
}
