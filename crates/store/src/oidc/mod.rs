//! The OpenID Connect provider's rows: connected tools (clients), the per-school pairwise
//! secret, signing keys, codes and tokens (hashed), and consents.

pub mod authorize;
pub mod clients;
pub mod consents;
pub mod grants;
pub mod keys;
pub mod logout;
pub mod person;

use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A stored tool.
#[derive(Clone, Debug)]
pub struct ClientRow {
    /// The row's own id (what codes, tokens and consents point to).
    pub id: Uuid,
    /// `None`: registered state-wide by the operator.
    pub instance: Option<InstanceId>,
    /// What the tool sends as `client_id`.
    pub client_id: String,
    pub name: String,
    /// SHA-256 hex of the secret; `None` for a public client.
    pub secret_hash: Option<String>,
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_uris: Vec<String>,
    /// The claims it may receive (school, role, name, email, groups).
    pub claims: Vec<String>,
    pub terms: String,
    /// The host pairwise subjects are made for.
    pub sector: String,
    pub created_at: i64,
    /// Back-Channel Logout 1.0: where logout tokens are POSTed ('' = not supported).
    pub backchannel_logout_uri: String,
    /// Front-Channel Logout 1.0: loaded in a hidden frame at logout ('' = not supported).
    pub frontchannel_logout_uri: String,
    /// Where the tool's terms of use are published ('' = only `terms`).
    pub terms_url: String,
    /// `id_token_signed_response_alg`: what its ID tokens are signed with (RS256, ES256).
    pub id_token_alg: String,
}

/// The school's pairwise secret: `fresh` is stored when there is none yet (any node may
/// race; the first one wins and every node reads the same).
pub async fn school_secret(
    c: &mut impl AsConn,
    instance: InstanceId,
    fresh: &[u8],
    now: i64,
) -> Result<Vec<u8>, StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_school_secrets (instance_id, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id) DO NOTHING")
        .bind(instance.0).bind(fresh).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let (secret,): (Vec<u8>,) = on!(c, c => sqlx::query_as(
        "SELECT secret FROM oidc_school_secrets WHERE instance_id = $1")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok(secret)
}

/// The school's pairwise secret if it was made already (for read-only connections).
pub async fn existing_school_secret(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Option<Vec<u8>>, StoreError> {
    let r: Option<(Vec<u8>,)> = on!(c, c => sqlx::query_as(
        "SELECT secret FROM oidc_school_secrets WHERE instance_id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(s,)| s))
}

/// Splits a stored list (one item per line, or space separated for claims).
pub(crate) fn split(s: &str) -> Vec<String> {
    s.split(['\n', ' '])
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}
