//! DKIM signing keys of a school's mail domains: the private key sealed, the public key as
//! the DNS record publishes it.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;

use crate::{AsConn, StoreError, on, to_us};

/// One signing key of a domain.
#[derive(Clone, Debug)]
pub struct DkimKeyRow {
    pub domain: String,
    pub selector: String,
    /// PKCS#8 DER, sealed with the school's key.
    pub sealed_key: Vec<u8>,
    /// Base64 of the SubjectPublicKeyInfo (the `p=` of the DNS record).
    pub public_key: String,
}

type Row = (String, String, Vec<u8>, String);

fn row((domain, selector, sealed_key, public_key): Row) -> DkimKeyRow {
    DkimKeyRow {
        domain,
        selector,
        sealed_key,
        public_key,
    }
}

/// The key of `domain` under `selector`, if one was made.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    domain: &str,
    selector: &str,
) -> Result<Option<DkimKeyRow>, StoreError> {
    let r: Option<Row> = on!(c, c => sqlx::query_as(
        "SELECT domain, selector, sealed_key, public_key FROM mail_dkim_keys
         WHERE instance_id = $1 AND domain = $2 AND selector = $3")
        .bind(instance.0).bind(domain).bind(selector).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Every key of the school under `selector`, by domain.
pub async fn of_instance(
    c: &mut impl AsConn,
    instance: InstanceId,
    selector: &str,
) -> Result<Vec<DkimKeyRow>, StoreError> {
    let r: Vec<Row> = on!(c, c => sqlx::query_as(
        "SELECT domain, selector, sealed_key, public_key FROM mail_dkim_keys
         WHERE instance_id = $1 AND selector = $2 ORDER BY domain")
        .bind(instance.0).bind(selector).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Stores a key unless the domain has one under this selector (two nodes racing keep the
/// first; read it back with [`get`]).
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: &DkimKeyRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_dkim_keys (instance_id, domain, selector, sealed_key, public_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id, domain, selector) DO NOTHING")
        .bind(instance.0).bind(&key.domain).bind(&key.selector).bind(&key.sealed_key)
        .bind(&key.public_key).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
