//! Connected tools. A school sees its own tools and the state-wide ones, never another
//! school's: the filter is in every query.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::{ClientRow, split};
use crate::{AsConn, StoreError, on};

pub(super) type Raw = (
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
    String,
    String,
    String,
    String,
);

macro_rules! columns {
    () => {
        "SELECT id, instance_id, client_id, name, secret_hash, public, redirect_uris, \
         post_logout_uris, claims, terms, sector, created_at, backchannel_logout_uri, \
         frontchannel_logout_uri, terms_url, id_token_signed_response_alg FROM oidc_clients "
    };
}

pub(super) fn row(r: Raw) -> ClientRow {
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
        backchannel_logout_uri: r.12,
        frontchannel_logout_uri: r.13,
        terms_url: r.14,
        id_token_alg: r.15,
    }
}

pub async fn insert(c: &mut impl AsConn, r: &ClientRow) -> Result<(), StoreError> {
    let redirect = r.redirect_uris.join("\n");
    let logout = r.post_logout_uris.join("\n");
    let claims = r.claims.join(" ");
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_clients (id, instance_id, client_id, name, secret_hash, public,
             redirect_uris, post_logout_uris, claims, terms, sector, created_at,
             backchannel_logout_uri, frontchannel_logout_uri, terms_url,
             id_token_signed_response_alg)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
        .bind(r.id).bind(r.instance.map(|i| i.0)).bind(&r.client_id).bind(&r.name)
        .bind(&r.secret_hash).bind(r.public).bind(&redirect).bind(&logout).bind(&claims)
        .bind(&r.terms).bind(&r.sector).bind(r.created_at)
        .bind(&r.backchannel_logout_uri).bind(&r.frontchannel_logout_uri).bind(&r.terms_url)
        .bind(&r.id_token_alg)
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

/// How many persons use a tool: (tool row id, persons with a consent in force, persons
/// holding unexpired tokens). Counts only: never who, never what they did. `instance`:
/// one school's persons (its admin); `None`: every school (the operator).
pub async fn usage(
    c: &mut impl AsConn,
    instance: Option<InstanceId>,
    now: i64,
) -> Result<Vec<(Uuid, i64, i64)>, StoreError> {
    let inst = instance.map(|i| i.0);
    on!(c, c => sqlx::query_as(
        "SELECT t.id,
            (SELECT COUNT(*) FROM oidc_consents k WHERE k.client_ref = t.id
               AND k.revoked_at IS NULL AND ($1 IS NULL OR k.instance_id = $1)),
            (SELECT COUNT(DISTINCT g.user_id) FROM oidc_tokens g WHERE g.client_ref = t.id
               AND g.expires_at > $2 AND ($1 IS NULL OR g.instance_id = $1))
           FROM oidc_clients t
          WHERE t.instance_id IS NULL OR t.instance_id = $1")
        .bind(inst).bind(now).fetch_all(&mut *c).await)
    .map_err(Into::into)
}

/// The state-wide tools (the operator's list), by name.
pub async fn state_wide(c: &mut impl AsConn) -> Result<Vec<ClientRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(),
        "WHERE instance_id IS NULL ORDER BY name, id"))
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// A tool's third-party initiated login (OpenID Connect Core §4): where a tile sends the
/// browser, and where the tool should land afterwards ('' each when not offered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchRow {
    pub id: Uuid,
    /// `None`: state-wide.
    pub instance: Option<InstanceId>,
    pub client_id: String,
    pub name: String,
    pub initiate_login_uri: String,
    pub target_link_uri: String,
}

type LaunchRaw = (Uuid, Option<Uuid>, String, String, String, String);

fn launch_row(r: LaunchRaw) -> LaunchRow {
    LaunchRow {
        id: r.0,
        instance: r.1.map(InstanceId),
        client_id: r.2,
        name: r.3,
        initiate_login_uri: r.4,
        target_link_uri: r.5,
    }
}

/// Sets the tool's initiate login URI and target link URI (at registration).
pub async fn set_launch(
    c: &mut impl AsConn,
    id: Uuid,
    initiate_login_uri: &str,
    target_link_uri: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE oidc_clients SET initiate_login_uri = $2, target_link_uri = $3 WHERE id = $1")
        .bind(id).bind(initiate_login_uri).bind(target_link_uri)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The tools of `instance` and the state-wide ones that can be opened from the platform
/// (an initiate login URI is registered), by name: one statement.
pub async fn launchable(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<LaunchRow>, StoreError> {
    let r: Vec<LaunchRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, instance_id, client_id, name, initiate_login_uri, target_link_uri
           FROM oidc_clients
          WHERE (instance_id IS NULL OR instance_id = $1) AND initiate_login_uri <> ''
          ORDER BY name, id")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(launch_row).collect())
}

/// One tool's launch details by the `client_id` it is known by (the policy decides who
/// may use it).
pub async fn launch_by_client_id(
    c: &mut impl AsConn,
    client_id: &str,
) -> Result<Option<LaunchRow>, StoreError> {
    let r: Option<LaunchRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, instance_id, client_id, name, initiate_login_uri, target_link_uri
           FROM oidc_clients WHERE client_id = $1")
        .bind(client_id).fetch_optional(&mut *c).await)?;
    Ok(r.map(launch_row))
}
