//! The school's switch "CardDAV an" (off unless its admin turns it on).

use schulhof_types::InstanceId;

use crate::{AsConn, StoreError, on};

/// Whether the school's address books may be synchronised over CardDAV.
pub async fn carddav(c: &mut impl AsConn, instance: InstanceId) -> Result<bool, StoreError> {
    let r: Option<(bool,)> = on!(c, c => sqlx::query_as("SELECT carddav FROM instances WHERE id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.is_some_and(|(on,)| on))
}

pub async fn set_carddav(
    c: &mut impl AsConn,
    instance: InstanceId,
    on: bool,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET carddav = $2 WHERE id = $1")
        .bind(instance.0).bind(on).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
