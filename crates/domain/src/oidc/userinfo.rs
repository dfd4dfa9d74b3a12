//! The claims a tool receives, for the ID token and the userinfo endpoint; and the
//! end-session endpoint's checks.

use schulhof_authz::oidc::Claim;
use schulhof_store::oidc::{ClientRow, clients, grants, keys as key_store};
use serde_json::{Map, Value, json};

use super::{OidcError, hash, pairwise_subject, parse_claims};
use crate::Platform;
use crate::identity::Actor;

/// `sub` and the released claims of `actor` for `client`.
pub(crate) fn claims(
    secret: &[u8],
    client: &ClientRow,
    actor: &Actor,
    released: &[Claim],
) -> Result<Value, OidcError> {
    let mut m = Map::new();
    m.insert(
        "sub".into(),
        pairwise_subject(secret, &client.sector, actor.token.user()).into(),
    );
    let u = &actor.user;
    for claim in released {
        match claim {
            Claim::School => {
                m.insert("school".into(), actor.school_number.clone().into());
            }
            Claim::Role => {
                m.insert("role".into(), u.kind.clone().into());
            }
            Claim::Name => {
                m.insert(
                    "name".into(),
                    format!("{} {}", u.first_name, u.last_name).into(),
                );
                m.insert("given_name".into(), u.first_name.clone().into());
                m.insert("family_name".into(), u.last_name.clone().into());
            }
            Claim::Email => {
                m.insert("email".into(), u.mail.clone().into());
                m.insert("email_verified".into(), true.into());
            }
            Claim::Groups => {
                let names: Vec<&str> = actor.groups.iter().map(|g| g.name.as_str()).collect();
                m.insert("groups".into(), json!(names));
            }
        }
    }
    Ok(Value::Object(m))
}

impl Platform {
    /// The userinfo response for a bearer access token.
    pub async fn oidc_userinfo(&self, access_token: &str) -> Result<Value, OidcError> {
        let now = self.now().timestamp_micros();
        let (g, actor, client) = {
            let mut c = self.db.read().await?;
            let (g, client) = grants::access_with_client(&mut c, &hash(access_token), now)
                .await?
                .ok_or(OidcError::InvalidToken)?;
            let actor = self
                .grant_actor(&mut c, &g, &client)
                .await?
                .ok_or(OidcError::InvalidToken)?;
            (g, actor, client)
        };
        let secret = self.oidc_school_secret(g.instance).await?;
        claims(&secret, &client, &actor, &parse_claims(&g.claims))
    }

    /// RP-initiated logout: where to send the browser afterwards, if the request names a
    /// tool (by a valid `id_token_hint` or `client_id`) that registered that exact URI.
    pub async fn oidc_logout_target(
        &self,
        id_token_hint: Option<&str>,
        client_id: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
    ) -> Result<Option<String>, OidcError> {
        let Some(target) = post_logout_redirect_uri else {
            return Ok(None);
        };
        let mut c = self.db.read().await?;
        let now = self.now().timestamp_micros();
        let hinted = match id_token_hint {
            Some(h) => {
                let keys = key_store::published(&mut c, now).await?;
                let claims = super::keys::verify(&keys, h).ok_or_else(|| {
                    OidcError::InvalidRequest(
                        "id_token_hint is not a token of this provider".into(),
                    )
                })?;
                claims["aud"].as_str().map(str::to_owned)
            }
            None => None,
        };
        let Some(id) = hinted.as_deref().or(client_id) else {
            return Ok(None);
        };
        if client_id.is_some_and(|c| c != id) {
            return Err(OidcError::InvalidRequest(
                "client_id does not match id_token_hint".into(),
            ));
        }
        let Some(client) = clients::by_client_id(&mut c, id).await? else {
            return Ok(None);
        };
        Ok(client
            .post_logout_uris
            .iter()
            .any(|u| u == target)
            .then(|| target.to_owned()))
    }
}
