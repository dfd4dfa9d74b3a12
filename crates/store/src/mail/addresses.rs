//! Which school and login an address belongs to: standard addresses (users.mail), aliases,
//! and the further domains of a school.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

/// The school whose standard or further domain `domain` is, with its standard domain.
pub async fn school_of_domain(
    c: &mut impl AsConn,
    domain: &str,
) -> Result<Option<(InstanceId, String)>, StoreError> {
    let r: Option<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT id, mail_domain FROM instances WHERE mail_domain = $1
         UNION ALL
         SELECT i.id, i.mail_domain FROM mail_domains d JOIN instances i ON i.id = d.instance_id WHERE d.domain = $1
         LIMIT 1")
        .bind(domain).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, d)| (InstanceId(i), d)))
}

/// The school whose standard or further domain `domain` is, and the active login whose
/// standard address or alias is `local@domain` (under a further domain, else
/// `local@<standard domain>`), in one statement: a recipient resolved in one round trip
/// instead of two or three. `local` and `domain` in lower case.
pub async fn school_and_owner(
    c: &mut impl AsConn,
    domain: &str,
    local: &str,
) -> Result<Option<(InstanceId, Option<UserId>)>, StoreError> {
    // COALESCE keeps the order of the separate lookups: the address as given before the same
    // local part under the standard domain; a standard address before an alias.
    let r: Option<(Uuid, Option<Uuid>)> = on!(c, c => sqlx::query_as(
        "SELECT s.id, COALESCE(
            (SELECT u.id FROM users u
             WHERE u.instance_id = s.id AND lower(u.mail) = $2 AND u.active LIMIT 1),
            (SELECT a.user_id FROM mail_aliases a JOIN users u ON u.instance_id = a.instance_id AND u.id = a.user_id
             WHERE a.instance_id = s.id AND a.address = $2 AND u.active LIMIT 1),
            (SELECT u.id FROM users u
             WHERE s.mail_domain <> $1 AND u.instance_id = s.id
               AND lower(u.mail) = $3 || '@' || s.mail_domain AND u.active LIMIT 1),
            (SELECT a.user_id FROM mail_aliases a JOIN users u ON u.instance_id = a.instance_id AND u.id = a.user_id
             WHERE s.mail_domain <> $1 AND a.instance_id = s.id
               AND a.address = $3 || '@' || s.mail_domain AND u.active LIMIT 1))
         FROM (SELECT id, mail_domain FROM instances WHERE mail_domain = $1
               UNION ALL
               SELECT i.id, i.mail_domain FROM mail_domains d JOIN instances i ON i.id = d.instance_id
               WHERE d.domain = $1
               LIMIT 1) s")
        .bind(domain).bind(format!("{local}@{domain}")).bind(local)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, u)| (InstanceId(i), u.map(UserId))))
}

/// The aliases of a login, in the order they were added.
pub async fn aliases_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT address FROM mail_aliases WHERE instance_id = $1 AND user_id = $2 ORDER BY created_at, address")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(a,)| a).collect())
}

/// Whether any login of any school has `address` as standard address or alias.
pub async fn taken(c: &mut impl AsConn, address: &str) -> Result<bool, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) WHERE EXISTS (SELECT 1 FROM mail_aliases WHERE address = $1)
            OR EXISTS (SELECT 1 FROM users WHERE lower(mail) = $1)")
        .bind(address).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

pub async fn add_alias(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_aliases (address, instance_id, user_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(address).bind(instance.0).bind(user.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes an alias of the login; false when it had no such alias.
pub async fn remove_alias(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    address: &str,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM mail_aliases WHERE instance_id = $1 AND user_id = $2 AND address = $3")
        .bind(instance.0).bind(user.0).bind(address).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The further domains of a school.
pub async fn domains_of(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT domain FROM mail_domains WHERE instance_id = $1 ORDER BY domain")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(d,)| d).collect())
}

pub async fn add_domain(
    c: &mut impl AsConn,
    instance: InstanceId,
    domain: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("INSERT INTO mail_domains (domain, instance_id, created_at) VALUES ($1, $2, $3)")
        .bind(domain).bind(instance.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_domain(
    c: &mut impl AsConn,
    instance: InstanceId,
    domain: &str,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM mail_domains WHERE instance_id = $1 AND domain = $2")
        .bind(instance.0).bind(domain).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The mail quota of an account type set by the school, if any.
pub async fn quota_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    account_type: &str,
) -> Result<Option<i64>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT bytes FROM mail_quotas WHERE instance_id = $1 AND account_type = $2")
        .bind(instance.0).bind(account_type).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(b,)| b))
}

/// Removes every alias of the school under `domain`.
pub async fn remove_aliases_at_domain(
    c: &mut impl AsConn,
    instance: InstanceId,
    domain: &str,
) -> Result<u64, StoreError> {
    let suffix = format!("@{domain}");
    let n = on!(c, c => sqlx::query(
        "DELETE FROM mail_aliases WHERE instance_id = $1
         AND substr(address, CAST(length(address) - length($2) + 1 AS INTEGER)) = $2")
        .bind(instance.0).bind(&suffix).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Sets the school's mail quota of an account type (bytes); `None` returns to the default.
pub async fn set_quota(
    c: &mut impl AsConn,
    instance: InstanceId,
    account_type: &str,
    bytes: Option<i64>,
) -> Result<(), StoreError> {
    match bytes {
        Some(b) => on!(c, c => sqlx::query(
            "INSERT INTO mail_quotas (instance_id, account_type, bytes) VALUES ($1, $2, $3)
             ON CONFLICT (instance_id, account_type) DO UPDATE SET bytes = excluded.bytes")
            .bind(instance.0).bind(account_type).bind(b).execute(&mut *c).await.map(|r| r.rows_affected()))?,
        None => {
            on!(c, c => sqlx::query("DELETE FROM mail_quotas WHERE instance_id = $1 AND account_type = $2")
            .bind(instance.0).bind(account_type).execute(&mut *c).await.map(|r| r.rows_affected()))?
        }
    };
    Ok(())
}
