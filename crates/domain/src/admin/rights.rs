//! Granting and revoking O-rights to users and groups, within the matrix.

use schulhof_authz::{ChangeRight, Grant, GrantSubject, check};
use schulhof_store::{Tx, grants, groups as group_store};
use schulhof_types::{GroupId, RightId};

use super::target;
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::{DomainError, Platform};

fn parse_right(id: &str) -> Result<RightId, DomainError> {
    RightId::parse(id.trim())
        .ok_or_else(|| DomainError::invalid("right", format!("{id} is not a right of the matrix")))
}

impl Platform {
    /// Grants (`on = true`) or revokes an O-right to a login.
    pub async fn set_user_right(
        &self,
        actor: &Actor,
        login: &str,
        right: &str,
        on: bool,
    ) -> Result<(), DomainError> {
        let right = parse_right(right)?;
        let mut tx = self.db.begin().await?;
        let (user, t) = target(&mut tx, actor.token.instance(), login).await?;
        let grant = check(
            &actor.token,
            ChangeRight {
                right,
                subject: GrantSubject::User(t),
            },
        )?;
        self.apply(
            tx,
            actor,
            &grant,
            grants::Subject::User(user.id.0),
            &user.login,
            on,
        )
        .await
    }

    /// Grants or revokes an O-right to a group. It takes effect for those members whose
    /// account type the matrix allows it for.
    pub async fn set_group_right(
        &self,
        actor: &Actor,
        group: GroupId,
        right: &str,
        on: bool,
    ) -> Result<(), DomainError> {
        let right = parse_right(right)?;
        let subject = GrantSubject::Group {
            instance: actor.token.instance(),
            id: group,
        };
        let grant = check(&actor.token, ChangeRight { right, subject })?;
        let mut tx = self.db.begin().await?;
        let g = group_store::get(&mut tx, grant.instance(), group)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.apply(
            tx,
            actor,
            &grant,
            grants::Subject::Group(group.0),
            &format!("group:{}", g.name),
            on,
        )
        .await
    }

    /// Stores the change the grant allows and logs it, if it changed anything.
    async fn apply(
        &self,
        mut tx: Tx,
        actor: &Actor,
        grant: &Grant<ChangeRight>,
        subject: grants::Subject,
        label: &str,
        on: bool,
    ) -> Result<(), DomainError> {
        let right = grant.action().right.as_str();
        let now = self.now();
        let changed = if on {
            grants::grant(
                &mut tx,
                grant.instance(),
                subject,
                right,
                grant.actor(),
                now,
            )
            .await?
        } else {
            grants::revoke(&mut tx, grant.instance(), subject, right).await?
        };
        if changed {
            let action = if on { "right.grant" } else { "right.revoke" };
            admin_action(
                &mut tx,
                actor,
                now,
                action,
                label,
                Some(serde_json::json!({ "right": right })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
