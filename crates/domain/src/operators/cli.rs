//! The command line's care of operator accounts: the list, and a reset for an operator who
//! lost the password or the authenticator (new one-time password and new TOTP key, every
//! session ended). There is no operator above an operator-admin, so this lives on the
//! command line of the server, where the installation's owner works; it is audited.

use chrono::{DateTime, Utc};
use schulhof_store::operators::accounts as store;

use super::{CreatedOperator, OperatorRole, audit, recovery, totp};
use crate::passwords::generate_initial_password;
use crate::{DomainError, Platform};

/// An operator account as the list shows it.
#[derive(Clone, Debug)]
pub struct OperatorListing {
    pub login: String,
    pub role: String,
    pub active: bool,
    pub must_change_password: bool,
    pub created: DateTime<Utc>,
}

impl Platform {
    /// Every operator account, by login.
    pub async fn system_list_operators(&self) -> Result<Vec<OperatorListing>, DomainError> {
        let mut c = self.db.read().await?;
        Ok(store::list(&mut c)
            .await?
            .into_iter()
            .map(|o| OperatorListing {
                login: o.login,
                role: o.role,
                active: o.active,
                must_change_password: o.must_change_password,
                created: o.created_at,
            })
            .collect())
    }

    /// Gives an operator a new one-time password, a new TOTP key (the old authenticator
    /// entry stops working) and new recovery codes (the old ones stop working too), and
    /// ends every session; audited.
    pub async fn system_reset_operator(&self, login: &str) -> Result<CreatedOperator, DomainError> {
        let mut tx = self.db.begin().await?;
        let Some(row) = store::find_by_login(&mut tx, login.trim()).await? else {
            return Err(DomainError::NotFound);
        };
        let role = OperatorRole::parse(&row.role).ok_or_else(|| {
            DomainError::Internal(format!("operator {} has an unknown role", row.login))
        })?;
        let password = generate_initial_password();
        let secret = totp::new_secret();
        let hash = self.hasher.hash(&password).await?;
        store::reset_credentials(&mut tx, row.id, &hash, &self.seal_totp(&secret)?).await?;
        let recovery_codes = recovery::issue(&mut tx, row.id, self.now()).await?;
        audit::record(
            &mut tx,
            self,
            None,
            "operator.reset",
            Some(&row.login),
            "",
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedOperator {
            otpauth_uri: totp::otpauth_uri(&row.login, &secret),
            login: row.login,
            role,
            one_time_password: password,
            recovery_codes,
        })
    }
}
