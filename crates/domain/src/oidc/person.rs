//! The person of a grant as they act now, for the token and userinfo endpoints: like
//! `Platform::system_actor_for`, in one statement instead of four (login, school, hold,
//! groups and rights). Both endpoints run for every tool login of a whole school at 08:00.

use schulhof_authz::AccessToken;
use schulhof_store::AsConn;
use schulhof_store::oidc::person;
use schulhof_types::{InstanceId, RightId, UserId};

use crate::identity::{Actor, principal_of};
use crate::{DomainError, Platform};

impl Platform {
    /// The login `user` as it would act now; inactive or deleted logins give `None`.
    pub(crate) async fn tool_actor_for(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
        user: UserId,
    ) -> Result<Option<Actor>, DomainError> {
        let Some(p) = person::active_person(c, instance, user).await? else {
            return Ok(None);
        };
        let token = AccessToken::resolve(
            instance,
            user,
            principal_of(&p.user)?,
            p.groups.iter().map(|g| g.id).collect(),
            p.rights.iter().filter_map(|r| RightId::parse(r)),
        )
        .with_holder(p.user.holder_id)
        .with_private_hold(p.held);
        Ok(Some(Actor {
            token,
            user: p.user,
            groups: p.groups,
            school_number: p.school_number,
            school_name: p.school_name,
            demo: p.demo,
            time_zone: crate::school_settings::stored_time_zone(&p.time_zone),
            // Acts for a tool; no page speaks to it.
            du_students: false,
            unread_notifications: 0,
            unread_chat: 0,
            token_hash: Vec::new(),
            safe: false,
        }))
    }
}
