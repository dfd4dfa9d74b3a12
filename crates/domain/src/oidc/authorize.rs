//! The authorization endpoint's decisions and the consent screen.

use schulhof_authz::oidc::{self as policy, Claim, UseTool};
use schulhof_authz::{Denied, check};
use schulhof_store::oidc::grants::{self, CodeRow, GrantRow};
use schulhof_store::oidc::{ClientRow, clients, consents};

use super::{
    CODE_TTL_SECS, OidcError, ToolView, claim_names, claims_of_scope, facts, hash, parse_claims,
    random_value,
};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// An authorization request as the tool sent it.
#[derive(Clone, Debug, Default)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    /// The person cancelled on the consent screen.
    pub cancelled: bool,
}

/// What happens next.
#[derive(Debug)]
pub enum Authorized {
    /// Back to the tool with a fresh code.
    Code { redirect_uri: String, code: String },
    /// Nobody is logged in: to the login page, and back here afterwards.
    Login,
    /// The consent screen first.
    Consent,
}

/// Why a request fails.
#[derive(Debug)]
pub enum AuthFailure {
    /// Unknown tool or redirect URI not registered: an error page, never a redirect (the
    /// URI might be an attacker's).
    BadClient(&'static str),
    /// Back to the tool's (verified) redirect URI with this error.
    Redirect {
        redirect_uri: String,
        error: OidcError,
    },
}

/// What the consent screen shows.
#[derive(Clone, Debug)]
pub struct ConsentScreen {
    pub tool: ToolView,
    /// The personal claims the tool asks for (may be empty: then only its terms).
    pub asked: Vec<Claim>,
}

fn scopes(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A PKCE S256 challenge: base64url of a SHA-256, 43 characters.
fn valid_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks what does not depend on who asks; errors after the redirect URI is verified go
/// back to the tool.
fn check_request(c: &ClientRow, r: &AuthRequest) -> Result<(), OidcError> {
    if r.response_type != "code" {
        return Err(OidcError::UnsupportedResponseType);
    }
    if !scopes(&r.scope).iter().any(|s| s == "openid") {
        return Err(OidcError::InvalidScope);
    }
    match (&r.code_challenge, r.code_challenge_method.as_deref()) {
        (None, None) if c.public => Err(OidcError::InvalidRequest(
            "PKCE (S256) is required for public clients".into(),
        )),
        (None, None) => Ok(()),
        (Some(ch), Some("S256")) if valid_challenge(ch) => Ok(()),
        (Some(_), Some("S256")) => {
            Err(OidcError::InvalidRequest("malformed code_challenge".into()))
        }
        _ => Err(OidcError::InvalidRequest(
            "code_challenge_method must be S256".into(),
        )),
    }
}

impl Platform {
    /// Decides an authorization request for `actor` (`None`: nobody logged in).
    pub async fn oidc_authorize(
        &self,
        actor: Option<&Actor>,
        r: &AuthRequest,
    ) -> Result<Authorized, AuthFailure> {
        let server = |e: OidcError| AuthFailure::Redirect {
            redirect_uri: r.redirect_uri.clone(),
            error: e,
        };
        let client = self
            .oidc_client(&r.client_id)
            .await
            .map_err(|_| AuthFailure::BadClient("server_error"))?
            .ok_or(AuthFailure::BadClient("unknown_client"))?;
        if !client.redirect_uris.contains(&r.redirect_uri) {
            return Err(AuthFailure::BadClient("redirect_uri"));
        }
        check_request(&client, r).map_err(server)?;
        let prompt_none = r
            .prompt
            .as_deref()
            .is_some_and(|p| p.split(' ').any(|x| x == "none"));
        let Some(actor) = actor else {
            return if prompt_none {
                Err(server(OidcError::LoginRequired))
            } else {
                Ok(Authorized::Login)
            };
        };
        match check(&actor.token, UseTool(facts(&client))) {
            Ok(_) => {}
            Err(Denied::NotFound) => return Err(AuthFailure::BadClient("unknown_client")),
            Err(_) => return Err(server(OidcError::AccessDenied)),
        }
        if r.cancelled {
            return Err(server(OidcError::AccessDenied));
        }
        self.grant_code(actor, &client, r, prompt_none)
            .await
            .map_err(server)
    }

    /// The consent check and, where it passes, a fresh code (stored hashed, audited).
    async fn grant_code(
        &self,
        actor: &Actor,
        client: &ClientRow,
        r: &AuthRequest,
        prompt_none: bool,
    ) -> Result<Authorized, OidcError> {
        let tool = facts(client);
        let requested = claims_of_scope(&scopes(&r.scope));
        let mut c = self.db.begin().await?;
        let inst = actor.token.instance();
        let consent = consents::get(&mut c, inst, actor.token.user(), client.id)
            .await?
            .filter(|k| k.revoked_at.is_none());
        let must_ask =
            !policy::consent_needed(&tool, &requested).is_empty() || !client.terms.is_empty();
        let consented = match consent {
            Some(k) => parse_claims(&k.claims),
            None if must_ask && prompt_none => return Err(OidcError::ConsentRequired),
            None if must_ask => return Ok(Authorized::Consent),
            None => Vec::new(),
        };
        let code = random_value();
        let now = self.now().timestamp_micros();
        let row = CodeRow {
            grant: GrantRow {
                grant_id: uuid::Uuid::now_v7(),
                client_ref: client.id,
                instance: inst,
                user: actor.token.user(),
                scope: scopes(&r.scope),
                claims: claim_names(&policy::released(&tool, &requested, &consented)),
                auth_time: now,
                expires_at: now + CODE_TTL_SECS * 1_000_000,
            },
            redirect_uri: r.redirect_uri.clone(),
            nonce: r.nonce.clone(),
            challenge: r.code_challenge.clone(),
        };
        grants::insert_code(&mut c, &hash(&code), &row).await?;
        self.tool_event(&mut c, actor, "tool_login", client).await?;
        c.commit().await?;
        Ok(Authorized::Code {
            redirect_uri: r.redirect_uri.clone(),
            code,
        })
    }

    async fn tool_event(
        &self,
        c: &mut schulhof_store::Tx,
        actor: &Actor,
        action: &str,
        client: &ClientRow,
    ) -> Result<(), DomainError> {
        crate::audit::record(
            c,
            actor.token.instance(),
            self.now(),
            crate::audit::Event {
                kind: "tool",
                actor: Some(actor.token.user()),
                holder: actor.user.holder_id,
                action,
                object: Some(&client.client_id),
                client_addr: None,
                detail: Some(serde_json::json!({"tool": client.name})),
            },
        )
        .await
    }

    /// The tool `client_id` as `actor` may see it, with the policy's verdict.
    async fn usable_tool(&self, actor: &Actor, client_id: &str) -> Result<ClientRow, DomainError> {
        let mut c = self.db.read().await?;
        let client = clients::by_client_id(&mut c, client_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        check(&actor.token, UseTool(facts(&client)))?;
        Ok(client)
    }

    /// What the consent screen asks for a request with `scope`.
    pub async fn oidc_consent_screen(
        &self,
        actor: &Actor,
        client_id: &str,
        scope: &str,
    ) -> Result<ConsentScreen, DomainError> {
        let client = self.usable_tool(actor, client_id).await?;
        let asked = policy::consent_needed(&facts(&client), &claims_of_scope(&scopes(scope)));
        Ok(ConsentScreen {
            tool: ToolView::from(&client),
            asked,
        })
    }

    /// Records the person's answer: the terms accepted, and the asked personal claims
    /// shared (`share`) or not (then the tool gets only the pseudonym).
    pub async fn oidc_give_consent(
        &self,
        actor: &Actor,
        client_id: &str,
        scope: &str,
        share: bool,
    ) -> Result<(), DomainError> {
        let client = self.usable_tool(actor, client_id).await?;
        let asked = policy::consent_needed(&facts(&client), &claims_of_scope(&scopes(scope)));
        let claims = if share {
            claim_names(&asked)
        } else {
            Vec::new()
        };
        let mut tx = self.db.begin().await?;
        let now = self.now().timestamp_micros();
        consents::put(
            &mut tx,
            actor.token.instance(),
            actor.token.user(),
            client.id,
            &claims,
            now,
        )
        .await?;
        self.tool_event(&mut tx, actor, "tool_consent", &client)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws the consent to a tool and ends every token it holds for the person.
    pub async fn oidc_revoke_consent(
        &self,
        actor: &Actor,
        client_id: &str,
    ) -> Result<(), DomainError> {
        let client = self.usable_tool(actor, client_id).await?;
        let (inst, user) = (actor.token.instance(), actor.token.user());
        let mut tx = self.db.begin().await?;
        let now = self.now().timestamp_micros();
        if !consents::revoke(&mut tx, inst, user, client.id, now).await? {
            return Err(DomainError::NotFound);
        }
        grants::revoke_user(&mut tx, inst, user, Some(client.id)).await?;
        self.tool_event(&mut tx, actor, "tool_consent_revoked", &client)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person's consents to tools, with when given and whether withdrawn (Mein Konto).
    pub async fn oidc_my_consents(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(ToolView, consents::ConsentRow)>, DomainError> {
        let mut c = self.db.read().await?;
        let rows = consents::of_user(&mut c, actor.token.instance(), actor.token.user()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            if let Some(client) = clients::get(&mut c, r.client_ref).await? {
                out.push((ToolView::from(&client), r));
            }
        }
        Ok(out)
    }
}
