//! The token endpoint: codes and refresh tokens exchanged for tokens; and revocation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schulhof_authz::check;
use schulhof_authz::oidc::UseTool;
use schulhof_store::oidc::grants::{self, GrantRow, Redeemed};
use schulhof_store::oidc::{ClientRow, clients};
use schulhof_store::{AsConn, Tx};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    ACCESS_TTL_SECS, OidcError, REFRESH_TTL_SECS, facts, hash, keys, parse_claims, random_value,
    userinfo,
};
use crate::Platform;
use crate::identity::Actor;

/// How the tool authenticated (client_secret_basic or client_secret_post; a public client
/// sends only its id).
#[derive(Clone, Debug)]
pub struct ClientAuth {
    pub client_id: String,
    pub secret: Option<String>,
}

/// The token response (RFC 6749 §5.1 with OIDC's `id_token`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

/// A PKCE verifier (RFC 7636 §4.1): 43 to 128 unreserved characters.
fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// What the PKCE check of a code says.
fn pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OidcError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (Some(c), Some(v)) if valid_verifier(v) => {
            let made = URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()));
            if made == c {
                Ok(())
            } else {
                Err(OidcError::InvalidGrant("PKCE verification failed".into()))
            }
        }
        (Some(_), _) => Err(OidcError::InvalidGrant(
            "code_verifier missing or malformed".into(),
        )),
        // A verifier for a code issued without a challenge: a downgrade attempt.
        (None, Some(_)) => Err(OidcError::InvalidGrant("no code_challenge was sent".into())),
    }
}

/// The tool, authenticated. A wrong or missing secret of a confidential client, a secret
/// sent by a public one, or an unknown id: invalid_client.
pub(crate) async fn authenticate(
    c: &mut impl AsConn,
    auth: &ClientAuth,
) -> Result<ClientRow, OidcError> {
    let client = clients::by_client_id(c, &auth.client_id)
        .await?
        .ok_or(OidcError::InvalidClient)?;
    let ok = match (&client.secret_hash, &auth.secret) {
        (Some(stored), Some(given)) => *stored == hash(given),
        (None, None) => client.public,
        _ => false,
    };
    if ok {
        Ok(client)
    } else {
        Err(OidcError::InvalidClient)
    }
}

/// Half of the SHA-256 of a token, base64url: `at_hash` (OIDC Core §3.1.3.6).
fn half_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(&d[..16])
}

impl Platform {
    /// The person of a grant as they act now; a deactivated account or a tool the policy
    /// no longer allows ends the grant.
    pub(crate) async fn grant_actor(
        &self,
        c: &mut impl AsConn,
        g: &GrantRow,
        client: &ClientRow,
    ) -> Result<Option<Actor>, OidcError> {
        let Some(actor) = self.system_actor_for(c, g.instance, g.user).await? else {
            return Ok(None);
        };
        Ok(check(&actor.token, UseTool(facts(client)))
            .is_ok()
            .then_some(actor))
    }

    /// The tool, authenticated on a read connection before any write transaction begins
    /// (SQLite has one writer; nothing that can be read first is read while holding it).
    async fn authenticated(&self, auth: &ClientAuth) -> Result<ClientRow, OidcError> {
        let mut c = self.db.read().await?;
        authenticate(&mut c, auth).await
    }

    /// Revokes a grant in a transaction of its own. Not in the one that found the replay:
    /// on PostgreSQL a redeeming UPDATE that waited for a concurrent one keeps the row it
    /// re-checked locked though it changed nothing, and a revocation holding the grant's
    /// turn (see `grants::revoke_grant`) would wait for that row while this transaction
    /// waits for the turn: a deadlock. Nothing the failed UPDATE did needs keeping.
    async fn revoke_apart(&self, grant: uuid::Uuid) -> Result<(), OidcError> {
        let mut tx = self.db.begin().await?;
        grants::revoke_grant(&mut tx, grant).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Exchanges a code (authorization_code grant).
    pub async fn oidc_exchange_code(
        &self,
        auth: &ClientAuth,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
        issuer: &str,
    ) -> Result<TokenResponse, OidcError> {
        let client = self.authenticated(auth).await?;
        let mut tx = self.db.begin().await?;
        let now = self.now().timestamp_micros();
        let row = match grants::redeem_code(&mut tx, &hash(code), now).await? {
            Redeemed::Fresh(r) => r,
            Redeemed::Replayed(grant) => {
                // A code used twice was stolen or leaked: what it produced is revoked too.
                drop(tx);
                self.revoke_apart(grant).await?;
                tracing::warn!(client = %client.client_id, "authorization code replayed");
                return Err(OidcError::InvalidGrant("code already used".into()));
            }
            Redeemed::Unknown => {
                return Err(OidcError::InvalidGrant("unknown or expired code".into()));
            }
        };
        if row.grant.client_ref != client.id || row.redirect_uri != redirect_uri {
            tx.commit().await?;
            return Err(OidcError::InvalidGrant(
                "code was issued for another client or redirect_uri".into(),
            ));
        }
        if let Err(e) = pkce(row.challenge.as_deref(), verifier) {
            tx.commit().await?;
            return Err(e);
        }
        let tokens = store_tokens(&mut tx, &row.grant, now).await?;
        tx.commit().await?;
        // The person is read after the commit, on a read connection: SQLite's one writer is
        // not held for it. Tokens of someone who may no longer use the tool are revoked
        // before anybody saw them.
        let actor = {
            let mut c = self.db.read().await?;
            self.grant_actor(&mut c, &row.grant, &client).await?
        };
        let Some(actor) = actor else {
            self.revoke_apart(row.grant.grant_id).await?;
            return Err(OidcError::InvalidGrant(
                "the account may not use this tool".into(),
            ));
        };
        self.signed(&client, &actor, tokens, row.nonce.as_deref(), issuer)
            .await
    }

    /// Exchanges a refresh token for new tokens; the old one is spent. Presenting a spent
    /// one again revokes the whole grant (someone holds a copy).
    pub async fn oidc_refresh(
        &self,
        auth: &ClientAuth,
        refresh_token: &str,
        issuer: &str,
    ) -> Result<TokenResponse, OidcError> {
        let client = self.authenticated(auth).await?;
        let mut tx = self.db.begin().await?;
        let now = self.now().timestamp_micros();
        let g = match grants::redeem_refresh(&mut tx, &hash(refresh_token), now).await? {
            Redeemed::Fresh(g) if g.client_ref == client.id => g,
            Redeemed::Fresh(_) | Redeemed::Unknown => {
                return Err(OidcError::InvalidGrant(
                    "unknown or expired refresh token".into(),
                ));
            }
            Redeemed::Replayed(grant) => {
                drop(tx);
                self.revoke_apart(grant).await?;
                tracing::warn!(client = %client.client_id, "refresh token reused");
                return Err(OidcError::InvalidGrant("refresh token already used".into()));
            }
        };
        let Some(actor) = self.grant_actor(&mut tx, &g, &client).await? else {
            tx.commit().await?;
            self.revoke_apart(g.grant_id).await?;
            return Err(OidcError::InvalidGrant(
                "the account may not use this tool".into(),
            ));
        };
        let tokens = store_tokens(&mut tx, &g, now).await?;
        tx.commit().await?;
        self.signed(&client, &actor, tokens, None, issuer).await
    }

    /// The token response with its ID token, signed after the commit: the signature (the
    /// dearest step) no longer holds the writer, and the key and school secret come from
    /// this node's memory.
    async fn signed(
        &self,
        client: &ClientRow,
        actor: &Actor,
        t: Stored,
        nonce: Option<&str>,
        issuer: &str,
    ) -> Result<TokenResponse, OidcError> {
        let g = &t.grant;
        let secret = self.oidc_school_secret(g.instance).await?;
        let mut claims = userinfo::claims(&secret, client, actor, &parse_claims(&g.claims))?;
        let secs = t.now / 1_000_000;
        let extra = json!({
            "iss": issuer,
            "aud": client.client_id,
            "azp": client.client_id,
            "iat": secs,
            "exp": secs + ACCESS_TTL_SECS,
            "auth_time": g.auth_time / 1_000_000,
            "at_hash": half_hash(&t.access),
        });
        if let (Value::Object(m), Value::Object(e)) = (&mut claims, extra) {
            m.extend(e);
            if let Some(n) = nonce {
                m.insert("nonce".into(), Value::String(n.to_owned()));
            }
            // The tool session (Back-Channel Logout §2.1): logout tokens name it again.
            if let Some(sid) = &g.sid {
                m.insert("sid".into(), Value::String(sid.clone()));
            }
        }
        let key = self.oidc_signer(&client.id_token_alg).await?;
        Ok(TokenResponse {
            id_token: Some(keys::sign_with(&key.pair, &key.kid, &claims, "JWT")?),
            access_token: t.access,
            token_type: "Bearer",
            expires_in: ACCESS_TTL_SECS,
            refresh_token: t.refresh,
            scope: g.scope.join(" "),
        })
    }

    /// Token revocation (RFC 7009): a refresh token ends its whole grant, an access token
    /// only itself. Unknown tokens and other clients' tokens are answered alike.
    pub async fn oidc_revoke(&self, auth: &ClientAuth, token: &str) -> Result<(), OidcError> {
        let client = self.authenticated(auth).await?;
        let mut tx = self.db.begin().await?;
        let h = hash(token);
        if let Some((kind, g)) = grants::find_token(&mut tx, &h).await?
            && g.client_ref == client.id
        {
            if kind == "refresh" {
                grants::revoke_grant(&mut tx, g.grant_id).await?;
            } else {
                grants::delete_token(&mut tx, &h).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// New access and refresh tokens of a grant, stored (hashed) but not yet handed out.
struct Stored {
    access: String,
    refresh: String,
    grant: GrantRow,
    now: i64,
}

async fn store_tokens(tx: &mut Tx, g: &GrantRow, now: i64) -> Result<Stored, OidcError> {
    let (access, refresh) = (random_value(), random_value());
    grants::insert_tokens(
        tx,
        &hash(&access),
        now + ACCESS_TTL_SECS * 1_000_000,
        &hash(&refresh),
        now + REFRESH_TTL_SECS * 1_000_000,
        g,
    )
    .await?;
    Ok(Stored {
        access,
        refresh,
        grant: g.clone(),
        now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_of_rfc7636_appendix_b() {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(pkce(Some(c), Some(v)), Ok(()));
        assert!(pkce(Some(c), Some(&v.replace('d', "e"))).is_err());
        assert!(pkce(Some(c), None).is_err());
        assert!(pkce(None, Some(v)).is_err());
        assert_eq!(pkce(None, None), Ok(()));
    }
}
