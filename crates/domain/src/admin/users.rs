//! Creating, editing, deactivating and deleting logins; password resets.

use schulhof_authz::four_eyes::{RequestKind, grants_safe_access};
use schulhof_authz::{DeleteUser, EditUser, ReadUser, ResetPassword, UserScope, check, user_scope};
pub use schulhof_store::users::SortBy;
use schulhof_store::users::{ListScope, UserRow};
use schulhof_store::{four_eyes, grants, groups as group_store, sessions, users};
use schulhof_types::{AccountType, RightId};
use serde::{Deserialize, Serialize};

use super::{check_name, target};
use crate::audit::admin_action;
use crate::identity::{Actor, principal_of};
use crate::passwords::{check_password_rules, generate_initial_password};
use crate::{DomainError, Platform, account::normalize_external_mail};

/// One line of the user list. No last-login or activity data exists to show.
#[derive(Clone, Debug, Serialize)]
pub struct UserSummary {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type: String,
    pub function_role: Option<String>,
    pub mail: String,
    pub active: bool,
    /// The class (a group of kind `klasse`), where the list asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserList {
    pub users: Vec<UserSummary>,
    /// False for the principal's read-only view.
    pub editable: bool,
    pub more: bool,
}

/// A user card for administrators (and for teachers, of their own groups' members).
#[derive(Clone, Debug, Serialize)]
pub struct UserCard {
    #[serde(flatten)]
    pub summary: UserSummary,
    pub external_mail: Option<String>,
    pub holder: Option<String>,
    pub groups: Vec<String>,
    /// O-rights granted to this login directly.
    pub granted: Vec<RightId>,
    /// Every right in effect, with defaults and group grants.
    pub rights: Vec<RightId>,
    pub editable: bool,
    /// The login's file storage (used, quota) and the school's, for the user administration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<crate::files::Usage>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct UserUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub account_type: Option<String>,
    pub external_mail: Option<String>,
    pub holder: Option<String>,
}

pub(crate) fn summary(u: &UserRow) -> UserSummary {
    UserSummary {
        login: u.login.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        account_type: u.kind.clone(),
        function_role: u.function_role.clone(),
        mail: u.mail.clone(),
        active: u.active,
        class: None,
    }
}

pub(super) fn parse_account_type(s: &str) -> Result<AccountType, DomainError> {
    AccountType::parse(s.trim()).ok_or_else(|| {
        DomainError::invalid(
            "account_type",
            "must be one of lehrer, personal, schueler, extern",
        )
    })
}

/// A Schulleitung account waiting for confirmation is not activated by hand, and the last
/// active one is not removed: otherwise "no Schulleitung yet" would let an admin create
/// one without a second person.
async fn keeps_a_schulleitung(
    c: &mut impl schulhof_store::AsConn,
    user: &UserRow,
    active: bool,
) -> Result<(), DomainError> {
    if !grants_safe_access(principal_of(user)?) {
        return Ok(());
    }
    let (instance, kind) = (user.instance_id, RequestKind::SchulleitungCreate);
    if active {
        if four_eyes::pending_for(c, instance, kind.as_str(), user.id)
            .await?
            .is_some()
        {
            return Err(DomainError::conflict(
                "active",
                "this Schulleitung account waits for confirmation by the Schulleitung",
            ));
        }
        return Ok(());
    }
    let others = four_eyes::function_accounts(c, instance, "schulleitung", true).await?
        - i64::from(user.active);
    if others < 1 {
        return Err(DomainError::conflict(
            "login",
            "the last Schulleitung account stays; change its holder instead",
        ));
    }
    Ok(())
}

impl Platform {
    /// The logins the actor may see, filtered by `query` and account type.
    pub async fn list_users(
        &self,
        actor: &Actor,
        query: &str,
        kind: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<UserList, DomainError> {
        let sort = (SortBy::Name, false);
        self.list_users_sorted(actor, query, kind, sort, limit, offset)
            .await
    }

    /// The logins the actor may see with their class, filtered by `query` and account
    /// type, in the order asked for (`true`: descending).
    pub async fn list_users_sorted(
        &self,
        actor: &Actor,
        query: &str,
        kind: Option<&str>,
        sort: (SortBy, bool),
        limit: i64,
        offset: i64,
    ) -> Result<UserList, DomainError> {
        let scope = user_scope(&actor.token)?;
        let (store_scope, editable) = match scope {
            UserScope::AllEditable => (ListScope::All, true),
            UserScope::AllReadOnly => (ListScope::All, false),
            UserScope::GroupMembersOf { viewer, students } => {
                (ListScope::GroupMembersOf { viewer, students }, false)
            }
        };
        let kind = kind.filter(|k| !k.is_empty());
        let limit = limit.clamp(1, 500);
        let mut c = self.db.read().await?;
        let mut rows = users::list_with_class(
            &mut c,
            actor.token.instance(),
            store_scope,
            query,
            kind,
            sort,
            limit + 1,
            offset.max(0),
        )
        .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        Ok(UserList {
            users: rows
                .into_iter()
                .map(|(u, class)| UserSummary {
                    class,
                    ..summary(&u)
                })
                .collect(),
            editable,
            more,
        })
    }

    pub async fn user_card(&self, actor: &Actor, login: &str) -> Result<UserCard, DomainError> {
        let mut c = self.db.read().await?;
        let (user, t) = target(&mut c, actor.token.instance(), login).await?;
        let grant = check(&actor.token, ReadUser(t))?;
        let instance = grant.instance();
        let groups = group_store::of_user(&mut c, instance, user.id).await?;
        let direct = grants::of_subject(&mut c, instance, grants::Subject::User(user.id.0)).await?;
        let all = grants::for_user(&mut c, instance, user.id).await?;
        let principal = principal_of(&user)?;
        let mut rights: Vec<RightId> = schulhof_authz::effective_rights(
            principal,
            all.iter().filter_map(|r| RightId::parse(r)),
        )
        .into_iter()
        .collect();
        rights.sort_by_key(|r| r.as_str());
        let holder = match user.holder_id {
            Some(h) => users::get(&mut c, instance, h).await?.map(|u| u.login),
            None => None,
        };
        // How much space a login uses is administration data, not its content.
        let editable = actor.token.has(RightId::AdminUsers);
        let storage = if editable {
            Some(self.usage_in(&mut c, instance, user.id, principal).await?)
        } else {
            None
        };
        Ok(UserCard {
            summary: summary(&user),
            external_mail: user.external_mail.clone(),
            holder,
            groups: groups.into_iter().map(|g| g.name).collect(),
            granted: direct.iter().filter_map(|r| RightId::parse(r)).collect(),
            rights,
            editable,
            storage,
        })
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        login: &str,
        upd: UserUpdate,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let (mut user, t) = target(&mut tx, actor.token.instance(), login).await?;
        let grant = check(&actor.token, EditUser(t))?;
        if let Some(f) = &upd.first_name {
            user.first_name = check_name("first_name", f)?;
        }
        if let Some(l) = &upd.last_name {
            user.last_name = check_name("last_name", l)?;
        }
        if let Some(k) = upd.account_type.as_deref().filter(|k| !k.is_empty()) {
            if user.kind == "function" {
                return Err(DomainError::invalid(
                    "account_type",
                    "a function account has no account type",
                ));
            }
            user.kind = parse_account_type(k)?.as_str().into();
        }
        if let Some(m) = &upd.external_mail {
            user.external_mail = normalize_external_mail(m)?;
        }
        let old_holder = user.holder_id;
        if let Some(h) = &upd.holder {
            user.holder_id = match h.trim() {
                "" => None,
                h => Some(
                    users::find_by_login(&mut tx, grant.instance(), &h.to_lowercase())
                        .await?
                        .ok_or_else(|| DomainError::invalid("holder", "no such login"))?
                        .id,
                ),
            };
        }
        let now = self.now();
        if user.holder_id != old_holder && grants_safe_access(principal_of(&user)?) {
            // A new holder of the Safe-granting account waits for the Schulleitung.
            let detail = serde_json::json!({ "holder": user.holder_id.map(|h| h.to_string()) });
            let kind = RequestKind::SchulleitungHolder;
            crate::four_eyes::open_request(&mut tx, actor, kind, &user, Some(detail), now).await?;
            user.holder_id = old_holder;
        }
        users::update_profile(&mut tx, &user, now).await?;
        let detail = serde_json::json!({ "first_name": user.first_name, "last_name": user.last_name, "kind": user.kind });
        admin_action(
            &mut tx,
            actor,
            now,
            "user.update",
            &user.login,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deactivating ends every session of the login at once.
    pub async fn set_user_active(
        &self,
        actor: &Actor,
        login: &str,
        active: bool,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let (user, t) = target(&mut tx, actor.token.instance(), login).await?;
        let grant = check(&actor.token, EditUser(t))?;
        keeps_a_schulleitung(&mut tx, &user, active).await?;
        let now = self.now();
        users::set_active(&mut tx, grant.instance(), user.id, active, now).await?;
        if !active {
            sessions::delete_for_user(&mut tx, grant.instance(), user.id).await?;
            // Connected tools too: tokens revoked, back-channel logouts queued.
            let at = now.timestamp_micros();
            crate::oidc::logout::end_of_user(&mut tx, grant.instance(), user.id, None, true, at)
                .await?;
        }
        let action = if active {
            "user.activate"
        } else {
            "user.deactivate"
        };
        admin_action(&mut tx, actor, now, action, &user.login, None).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_user(&self, actor: &Actor, login: &str) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let (user, t) = target(&mut tx, actor.token.instance(), login).await?;
        let grant = check(&actor.token, DeleteUser(t))?;
        keeps_a_schulleitung(&mut tx, &user, false).await?;
        let now = self.now();
        let at = now.timestamp_micros();
        crate::oidc::logout::end_of_user(&mut tx, grant.instance(), user.id, None, true, at)
            .await?;
        users::delete(&mut tx, grant.instance(), user.id).await?;
        admin_action(
            &mut tx,
            actor,
            now,
            "user.delete",
            &user.login,
            Some(serde_json::json!({ "mail": user.mail })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password for someone else (generated unless given), to be changed at the
    /// next login. The target's sessions end. Returns the generated password.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        login: &str,
        password: Option<&str>,
    ) -> Result<Option<String>, DomainError> {
        let (user, t) = {
            let mut c = self.db.read().await?;
            target(&mut c, actor.token.instance(), login).await?
        };
        let grant = check(&actor.token, ResetPassword(t))?;
        let (generated, password) = match password.filter(|p| !p.is_empty()) {
            Some(p) => {
                check_password_rules(p, &user.login)?;
                (None, p.to_owned())
            }
            None => {
                let p = generate_initial_password();
                (Some(p.clone()), p)
            }
        };
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, grant.instance(), user.id, &hash, true, now).await?;
        sessions::delete_for_user(&mut tx, grant.instance(), user.id).await?;
        crate::app_passwords::revoke_all(&mut tx, grant.instance(), user.id).await?;
        admin_action(
            &mut tx,
            actor,
            now,
            "user.password_reset",
            &user.login,
            None,
        )
        .await?;
        // Whoever knows the new password must not reach the owner's private areas alone.
        crate::four_eyes::hold_after_reset(&mut tx, actor, &user, now).await?;
        tx.commit().await?;
        Ok(generated)
    }
}
