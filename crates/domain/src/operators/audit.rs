//! The operators' audit log: written in the transaction of each action, read by
//! operator-admins at `/betrieb/protokoll`.

use schulhof_authz::operator::{ReadOperatorLog, check_operator};
use schulhof_store::AsConn;
use schulhof_store::operators::audit::{self as store, OperatorAuditEntry};

use super::OperatorActor;
use crate::{DomainError, Platform};

pub use schulhof_store::operators::audit::OperatorAuditEntry as OperatorLogEntry;

/// How many entries the log page shows.
const SHOWN: i64 = 500;

pub(crate) async fn record(
    c: &mut impl AsConn,
    p: &Platform,
    operator: Option<uuid::Uuid>,
    action: &str,
    object: Option<&str>,
    client_addr: &str,
    detail: Option<serde_json::Value>,
) -> Result<(), DomainError> {
    let e = OperatorAuditEntry {
        id: uuid::Uuid::now_v7(),
        at: p.now(),
        operator_id: operator,
        operator_login: None,
        action: action.into(),
        object: object.map(str::to_owned),
        client_addr: Some(client_addr.to_owned()).filter(|a| !a.is_empty()),
        detail: detail.map(|d| d.to_string()),
    };
    store::insert(c, &e).await?;
    Ok(())
}

impl Platform {
    /// The newest entries of the operators' log (operator-admins only).
    pub async fn operator_log(
        &self,
        actor: &OperatorActor,
    ) -> Result<Vec<OperatorLogEntry>, DomainError> {
        check_operator(&actor.token, ReadOperatorLog)?;
        let mut c = self.db.read().await?;
        Ok(store::recent(&mut c, SHOWN).await?)
    }
}
