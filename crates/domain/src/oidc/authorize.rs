//! The authorization endpoint's decisions and the consent screen.

use schulhof_authz::oidc::{self as policy, Claim, UseTool};
use schulhof_authz::{Denied, check};
use schulhof_store::oidc::authorize::{AuthorizeFacts, authorize_facts};
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
    /// Seconds since the last login the tool accepts (OIDC Core §3.1.2.1).
    pub max_age: Option<String>,
    /// Set on the way back from a login this provider demanded (`prompt=login`, `max_age`):
    /// the login must be at or after this unix second. A tool forging it only forces more
    /// logins on itself.
    pub login_since: Option<i64>,
    /// The issuer the tool knows this provider as (said again in logout tokens).
    pub issuer: String,
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
    /// A fresh login is demanded (`prompt=login`, `max_age` passed): to the login page even
    /// though a session exists, and back here with `login_since = since` (unix seconds)
    /// instead of `prompt`/`max_age`.
    Reauthenticate { since: i64 },
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
    /// The school keeps this pupil's decision (under 16): nothing personal can be shared,
    /// the page says why.
    pub school_decides: bool,
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

/// The one rule of what a person's consent to a tool releases, for logins (OIDC and LTI)
/// and for the roster a tool reads: `share` is the under-16 verdict
/// ([`Platform::may_share_with`]), `consent` the claims of the consent in force, `must_ask`
/// whether a login without consent goes to the consent screen first (`None`).
pub(crate) fn standing_consent(
    share: bool,
    consent: Option<&[String]>,
    must_ask: bool,
) -> Option<Vec<Claim>> {
    match consent {
        // A consent given before the school kept the decision no longer counts.
        Some(_) if !share => Some(Vec::new()),
        Some(k) => Some(parse_claims(k)),
        None if must_ask => None,
        None => Some(Vec::new()),
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
        let prompt_has = |v: &str| {
            r.prompt
                .as_deref()
                .is_some_and(|p| p.split(' ').any(|x| x == v))
        };
        let prompt_none = prompt_has("none");
        if prompt_none && r.prompt.as_deref().is_some_and(|p| p.trim() != "none") {
            // OIDC Core §3.1.2.1: none with any other value is an error.
            return Err(server(OidcError::InvalidRequest(
                "prompt=none cannot be combined".into(),
            )));
        }
        let max_age = match r.max_age.as_deref().map(str::parse::<i64>) {
            None => None,
            Some(Ok(v)) if v >= 0 => Some(v),
            Some(_) => {
                return Err(server(OidcError::InvalidRequest(
                    "max_age must be a non-negative integer".into(),
                )));
            }
        };
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
        self.grant_code(actor, &client, r, prompt_none, max_age)
            .await
            .map_err(server)
    }

    /// The login's freshness, the consent check and, where both pass, a fresh code (stored
    /// hashed, audited). What is read about the person is one statement inside the write
    /// transaction: a consent withdrawn meanwhile is seen.
    async fn grant_code(
        &self,
        actor: &Actor,
        client: &ClientRow,
        r: &AuthRequest,
        prompt_none: bool,
        max_age: Option<i64>,
    ) -> Result<Authorized, OidcError> {
        let tool = facts(client);
        let requested = claims_of_scope(&scopes(&r.scope));
        let inst = actor.token.instance();
        let mut c = self.db.begin().await?;
        let known = authorize_facts(
            &mut c,
            inst,
            actor.token.user(),
            &actor.token_hash,
            client.id,
        )
        .await?
        .ok_or(OidcError::AccessDenied)?;
        let now = self.now().timestamp_micros();
        // When the platform session logged in (now for a session-less actor).
        let auth_time = if actor.token_hash.is_empty() {
            now
        } else {
            known.session_created.unwrap_or(now)
        };
        let prompt_login = r
            .prompt
            .as_deref()
            .is_some_and(|p| p.split(' ').any(|x| x == "login"));
        let stale = max_age.is_some_and(|m| auth_time + m * 1_000_000 < now)
            || r.login_since.is_some_and(|s| auth_time < s * 1_000_000)
            || (prompt_login && r.login_since.is_none());
        match (stale, prompt_none) {
            (true, true) => return Err(OidcError::LoginRequired),
            (true, false) => {
                return Ok(Authorized::Reauthenticate {
                    since: now / 1_000_000,
                });
            }
            _ => {}
        }
        let consented = match self.login_consent(actor, client, &requested, &known) {
            Some(c) => c,
            None if prompt_none => return Err(OidcError::ConsentRequired),
            None => return Ok(Authorized::Consent),
        };
        let code = random_value();
        let sid = super::logout::tool_session(
            &mut c,
            inst,
            &actor.token_hash,
            client.id,
            actor.token.user(),
            &r.issuer,
            now,
        )
        .await?;
        let row = CodeRow {
            grant: GrantRow {
                grant_id: uuid::Uuid::now_v7(),
                client_ref: client.id,
                instance: inst,
                user: actor.token.user(),
                scope: scopes(&r.scope),
                claims: claim_names(&policy::released(&tool, &requested, &consented)),
                auth_time,
                expires_at: now + CODE_TTL_SECS * 1_000_000,
                sid,
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

    /// The consent rule of a login to a tool (the authorization endpoint's and an LTI
    /// launch's), from what [`authorize_facts`] read: the personal claims the person's
    /// consent releases, or `None` when the consent screen must come first — the tool asks
    /// for personal data the person may share, or has terms, and there is no consent yet.
    pub(crate) fn login_consent(
        &self,
        actor: &Actor,
        client: &ClientRow,
        requested: &[Claim],
        known: &AuthorizeFacts,
    ) -> Option<Vec<Claim>> {
        let share = self.may_share_with(actor, known.under16.as_deref(), known.birthday.as_deref());
        let must_ask = (share && !policy::consent_needed(&facts(client), requested).is_empty())
            || !client.terms.is_empty();
        let consent = known.consent.as_ref().filter(|k| k.revoked_at.is_none());
        standing_consent(share, consent.map(|k| k.claims.as_slice()), must_ask)
    }

    pub(crate) async fn tool_event(
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
    pub(crate) async fn usable_tool(
        &self,
        actor: &Actor,
        client_id: &str,
    ) -> Result<ClientRow, DomainError> {
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
        let mut asked = policy::consent_needed(&facts(&client), &claims_of_scope(&scopes(scope)));
        let mut c = self.db.read().await?;
        let school_decides = !asked.is_empty() && !self.may_share(&mut c, actor).await?;
        if school_decides {
            asked.clear();
        }
        Ok(ConsentScreen {
            tool: ToolView::from(&client),
            asked,
            school_decides,
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
        let mut tx = self.db.begin().await?;
        let claims = if share && self.may_share(&mut tx, actor).await? {
            claim_names(&asked)
        } else {
            Vec::new()
        };
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
}
