//! What an authorization request reads about the person, in one statement: when their
//! platform session logged in, their consent to the tool, the school's under-16 rule and
//! their birthday. It runs inside the request's write transaction (so a consent withdrawn
//! meanwhile is seen, as before), where every statement saved shortens SQLite's one writer.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::consents::ConsentRow;
use super::split;
use crate::{AsConn, StoreError, on};

/// The person's side of an authorization request.
#[derive(Clone, Debug, Default)]
pub struct AuthorizeFacts {
    /// When the platform session logged in (`None`: no such session).
    pub session_created: Option<i64>,
    /// The consent to the tool, withdrawn or not.
    pub consent: Option<ConsentRow>,
    /// The school's rule for pupils under 16, if one was set.
    pub under16: Option<String>,
    /// The birthday as imported, if known.
    pub birthday: Option<String>,
}

type Raw = (
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<Uuid>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// The facts for `user` of `instance` asking for tool `client_ref` with the platform
/// session `token_hash` (empty: none). `None` if the login does not exist.
pub async fn authorize_facts(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    token_hash: &[u8],
    client_ref: Uuid,
) -> Result<Option<AuthorizeFacts>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT (SELECT s.created_at FROM sessions s
                  WHERE s.instance_id = $1 AND s.token_hash = $3),
                (SELECT o.under16 FROM oidc_school_settings o WHERE o.instance_id = $1),
                u.birthday, k.client_ref, k.claims, k.granted_at, k.revoked_at
           FROM users u LEFT JOIN oidc_consents k
             ON k.instance_id = u.instance_id AND k.user_id = u.id AND k.client_ref = $4
          WHERE u.instance_id = $1 AND u.id = $2")
        .bind(instance.0).bind(user.0).bind(token_hash).bind(client_ref)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| AuthorizeFacts {
        session_created: r.0,
        under16: r.1,
        birthday: r.2,
        consent: match (r.3, r.4, r.5) {
            (Some(client_ref), Some(claims), Some(granted_at)) => Some(ConsentRow {
                client_ref,
                claims: split(&claims),
                granted_at,
                revoked_at: r.6,
            }),
            _ => None,
        },
    }))
}
