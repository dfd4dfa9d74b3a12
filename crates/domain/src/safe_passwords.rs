//! Forgotten Safe passwords: the admin asks, a Schulleitung of another person confirms and
//! receives the new password to hand over. The admin never sees a Safe password.

use schulhof_authz::check;
use schulhof_authz::four_eyes::RequestKind;
use schulhof_authz::safe::RequestSafePasswordReset;
use schulhof_store::users::UserRow;
use schulhof_store::{AsConn, safe as store, users};

use crate::four_eyes::open_request;
use crate::identity::{Actor, principal_of};
use crate::notify::{Kind, notify};
use crate::safe::generate_password;
use crate::{DomainError, Platform};

impl Platform {
    /// Asks for a new Safe password for `login`; a Schulleitung confirms (four eyes).
    pub async fn request_safe_password_reset(
        &self,
        actor: &Actor,
        login: &str,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let target = users::find_by_login(&mut tx, instance, &login.trim().to_lowercase())
            .await?
            .ok_or(DomainError::NotFound)?;
        let principal = principal_of(&target)?;
        check(&actor.token, RequestSafePasswordReset { target: principal })?;
        open_request(
            &mut tx,
            actor,
            RequestKind::SafePassword,
            &target,
            None,
            now,
        )
        .await?;
        let by = serde_json::json!({ "by": actor.user.login });
        notify(&mut tx, &target, Kind::SafePasswordRequested, by, now).await?;
        Ok(tx.commit().await?)
    }

    /// The confirmed reset: a new Safe password, shown only to the confirming Schulleitung.
    pub(crate) async fn safe_password_confirmed(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
        target: &UserRow,
    ) -> Result<String, DomainError> {
        let instance = actor.token.instance();
        let now = self.now();
        let password = generate_password();
        let hash = self.hasher.hash(&password).await?;
        store::set_password(c, instance, target.id, &hash, actor.token.user(), now).await?;
        store::lock_all(c, instance, target.id).await?;
        let by = serde_json::json!({ "by": actor.user.login });
        notify(c, target, Kind::SafePasswordReset, by, now).await?;
        Ok(password)
    }
}
