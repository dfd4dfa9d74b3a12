//! Connected tools. A school sees its own tools and the state-wide ones, never another
//! school's: the filter is in every query.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::{ClientRow, split};
use crate::{AsConn, StoreError, on};

type Raw = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    Option<String>,
    bool,
    String,
    String,
    String,
    String,
    String,
    i64,
);

macro_rules! columns {
    () => {
        "SELECT id, instance_id, client_id, name, secret_hash, public, redirect_uris, \
         post_logout_uris, claims, terms, sector, created_at FROM oidc_clients "
    };
}

fn row(r: Raw) -> ClientRow {
    ClientRow {
        id: r.0,
        instance: r.1.map(InstanceId),
        client_id: r.2,
        name: r.3,
        secret_hash: r.4,
        public: r.5,
        redirect_uris: r.6.lines().map(str::to_owned).collect(),
        post_logout_uris: r.7.lines().map(str::to_owned).collect(),
        claims: split(&r.8),
        terms: r.9,
        sector: r.10,
        created_at: r.11,
    }
}

pub async fn insert(c: &mut impl AsConn, r: &ClientRow) -> Result<(), StoreError> {
    let redirect = r.redirect_uris.join("\n");
    let logout = r.post_logout_uris.join("\n");
    let claims = r.claims.join(" ");
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_clients (id, instance_id, client_id, name, secret_hash, public,
             redirect_uris, post_logout_uris, claims, terms, sector, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(r.id).bind(r.instance.map(|i| i.0)).bind(&r.client_id).bind(&r.name)
        .bind(&r.secret_hash).bind(r.public).bind(&redirect).bind(&logout).bind(&claims)
        .bind(&r.terms).bind(&r.sector).bind(r.created_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A tool by the `client_id` it sends, whoever registered it (the policy decides who may
/// use it).
pub async fn by_client_id(
    c: &mut impl AsConn,
    client_id: &str,
) -> Result<Option<ClientRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), "WHERE client_id = $1"))
        .bind(client_id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// A tool by its row id.
pub async fn get(c: &mut impl AsConn, id: Uuid) -> Result<Option<ClientRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), "WHERE id = $1"))
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The tools a school's people may see: its own and the state-wide ones, by name.
pub async fn visible_to(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<ClientRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(),
        "WHERE instance_id IS NULL OR instance_id = $1 ORDER BY name, id"))
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}
