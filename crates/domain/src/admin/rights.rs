//! Granting and revoking O-rights to users and groups, within the matrix.

use schulhof_authz::{ChangeRight, GrantSubject, check};
use schulhof_store::{grants, groups as group_store};
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
        let now = self.now();
        let subject = grants::Subject::User(user.id.0);
        let changed = if on {
            grants::grant(
                &mut tx,
                grant.instance(),
                subject,
                right.as_str(),
                grant.actor(),
                now,
            )
            .await?
        } else {
            grants::revoke(&mut tx, grant.instance(), subject, right.as_str()).await?
        };
        if changed {
            let action = if on { "right.grant" } else { "right.revoke" };
            admin_action(
                &mut tx,
                actor,
                now,
                action,
                &user.login,
                Some(serde_json::json!({ "right": right.as_str() })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
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
        let instance = actor.token.instance();
        let grant = check(
            &actor.token,
            ChangeRight {
                right,
                subject: GrantSubject::Group {
                    instance,
                    id: group,
                },
            },
        )?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let g = group_store::get(&mut tx, grant.instance(), group)
            .await?
            .ok_or(DomainError::NotFound)?;
        let subject = grants::Subject::Group(group.0);
        let changed = if on {
            grants::grant(
                &mut tx,
                grant.instance(),
                subject,
                right.as_str(),
                grant.actor(),
                now,
            )
            .await?
        } else {
            grants::revoke(&mut tx, grant.instance(), subject, right.as_str()).await?
        };
        if changed {
            let action = if on { "right.grant" } else { "right.revoke" };
            admin_action(
                &mut tx,
                actor,
                now,
                action,
                &format!("group:{}", g.name),
                Some(serde_json::json!({ "right": right.as_str() })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
