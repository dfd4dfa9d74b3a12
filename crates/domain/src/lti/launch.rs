//! Launches: the platform starts the tool's login (third-party initiated login, LTI Core
//! §4.1), the tool sends an OIDC authentication request, and the platform answers with an
//! ID token (response_mode form_post) that carries the LTI message: a resource link launch
//! for an activity, or a deep linking request for a section.

use schulhof_authz::check;
use schulhof_authz::lti::{LaunchTool, PickContent};
use schulhof_authz::oidc::Claim;
use schulhof_store::lti::{self as store, MessageRow, ToolRow};
use schulhof_store::oidc::ClientRow;
use schulhof_store::oidc::authorize::authorize_facts;
use schulhof_store::to_us;
use schulhof_types::{ActivityId, SectionId};

use super::{CONSENT_TTL_SECS, MESSAGE_TTL_SECS, PICK_TTL_SECS, handle, parse_handle};
use crate::identity::Actor;
use crate::oidc::{OidcError, facts};
use crate::{DomainError, Platform};

/// The tool's authentication request (LTI Core §5.1.1.1 / OIDC Core §3.1.2.1).
#[derive(Clone, Debug, Default)]
pub struct LtiAuthRequest {
    pub scope: String,
    pub response_type: String,
    pub response_mode: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub login_hint: String,
    pub lti_message_hint: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Option<String>,
    /// The person cancelled on the consent screen (as [`crate::oidc::AuthRequest`]).
    pub cancelled: bool,
}

/// The answer: a form the browser posts to the tool.
#[derive(Debug)]
pub enum LtiAuthorized {
    Post {
        redirect_uri: String,
        id_token: String,
    },
    /// Nobody logged in (and the tool did not say prompt=none): the login page first.
    Login,
    /// The consent screen first, as for an OpenID Connect login: the tool is registered for
    /// personal data the person may share, or has terms, and there is no consent yet. The
    /// launch stays unused; this request again afterwards continues it.
    Consent,
}

/// Where opening a tool from the course leads.
#[derive(Debug)]
pub enum LtiStart {
    /// The tool's login initiation.
    Tool(String),
    /// The consent screen for this tool first; nothing was sent to the tool. Opening it
    /// again afterwards goes to the tool.
    Consent { client_id: String },
}

fn tool_url(s: LtiStart) -> Result<String, DomainError> {
    match s {
        LtiStart::Tool(url) => Ok(url),
        LtiStart::Consent { .. } => Err(DomainError::Internal("consent not asked".into())),
    }
}

#[derive(Debug)]
pub enum LtiAuthFailure {
    /// Unknown tool or unregistered redirect URI: an error page, never a post to the URI.
    BadClient(&'static str),
    /// Posted back to the tool's verified redirect URI.
    Post {
        redirect_uri: String,
        error: OidcError,
    },
}

impl Platform {
    /// Starts a resource link launch of an activity the caller sees: the URL of the tool's
    /// login initiation.
    pub async fn lti_launch(
        &self,
        a: &Actor,
        activity: ActivityId,
        issuer: &str,
    ) -> Result<String, DomainError> {
        tool_url(self.launch(a, activity, issuer, false).await?)
    }

    /// Opens an activity from the course: the consent screen first where the login's rule
    /// asks for it ([`LtiStart::Consent`]), else as [`Platform::lti_launch`].
    pub async fn lti_start(
        &self,
        a: &Actor,
        activity: ActivityId,
        issuer: &str,
    ) -> Result<LtiStart, DomainError> {
        self.launch(a, activity, issuer, true).await
    }

    async fn launch(
        &self,
        a: &Actor,
        activity: ActivityId,
        issuer: &str,
        ask: bool,
    ) -> Result<LtiStart, DomainError> {
        let ctx = self.lms_activity(a, activity).await?;
        if ctx.activity.kind != super::KIND {
            return Err(DomainError::NotFound);
        }
        let client_id = tool_of_settings(&ctx.activity.settings).ok_or(DomainError::NotFound)?;
        let mut tx = self.db.begin().await?;
        let (client, tool) = self
            .lti_tool(&mut tx, &client_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        check(
            &a.token,
            LaunchTool {
                tool: facts(&client),
                course: ctx.course,
            },
        )?;
        if ask && self.consent_first(&mut tx, a, &client).await? {
            return Ok(LtiStart::Consent {
                client_id: client.client_id,
            });
        }
        let target = ctx
            .activity
            .url
            .clone()
            .unwrap_or(tool.target_link_uri.clone());
        let m = self.message(
            a,
            &client,
            "resource",
            Some(activity),
            None,
            MESSAGE_TTL_SECS,
        );
        store::insert_message(&mut tx, &m).await?;
        tx.commit().await?;
        Ok(LtiStart::Tool(login_url(
            issuer, &client, &tool, &m, &target,
        )))
    }

    /// Starts a deep linking request: a teacher picks content in the tool for a section.
    pub async fn lti_pick_content(
        &self,
        a: &Actor,
        section: SectionId,
        client_id: &str,
        issuer: &str,
    ) -> Result<String, DomainError> {
        tool_url(self.pick(a, section, client_id, issuer, false).await?)
    }

    /// Opens a tool to pick content from the course: the consent screen first where the
    /// login's rule asks for it, else as [`Platform::lti_pick_content`].
    pub async fn lti_pick_start(
        &self,
        a: &Actor,
        section: SectionId,
        client_id: &str,
        issuer: &str,
    ) -> Result<LtiStart, DomainError> {
        self.pick(a, section, client_id, issuer, true).await
    }

    async fn pick(
        &self,
        a: &Actor,
        section: SectionId,
        client_id: &str,
        issuer: &str,
        ask: bool,
    ) -> Result<LtiStart, DomainError> {
        let (_, ctx) = self.lms_section_for_edit(a, section).await?;
        let mut tx = self.db.begin().await?;
        let (client, tool) = self
            .lti_tool(&mut tx, client_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        check(
            &a.token,
            PickContent {
                tool: facts(&client),
                course: ctx.facts,
            },
        )?;
        if ask && self.consent_first(&mut tx, a, &client).await? {
            return Ok(LtiStart::Consent {
                client_id: client.client_id,
            });
        }
        let m = self.message(a, &client, "deeplink", None, Some(section), PICK_TTL_SECS);
        store::insert_message(&mut tx, &m).await?;
        tx.commit().await?;
        Ok(LtiStart::Tool(login_url(
            issuer,
            &client,
            &tool,
            &m,
            &tool.target_link_uri,
        )))
    }

    /// Whether the login's consent rule ([`Platform::login_consent`]) wants the consent
    /// screen before this person's launch of `client`. Asked before the tool is contacted:
    /// tools send their authentication request with `prompt=none` (the IMS Security
    /// Framework requires it), which forbids a consent screen in the middle of the launch.
    async fn consent_first(
        &self,
        tx: &mut schulhof_store::Tx,
        a: &Actor,
        client: &ClientRow,
    ) -> Result<bool, DomainError> {
        let (inst, user) = (a.token.instance(), a.token.user());
        let known = authorize_facts(tx, inst, user, &a.token_hash, client.id).await?;
        Ok(known.is_some_and(|k| {
            self.login_consent(a, client, &super::launch_claims(), &k)
                .is_none()
        }))
    }

    fn message(
        &self,
        a: &Actor,
        client: &ClientRow,
        kind: &str,
        activity: Option<ActivityId>,
        section: Option<SectionId>,
        ttl: i64,
    ) -> MessageRow {
        MessageRow {
            instance: a.token.instance(),
            id: uuid::Uuid::now_v7(),
            client_ref: client.id,
            user: a.token.user(),
            kind: kind.into(),
            activity,
            section,
            expires_at: to_us(self.now()) + ttl * 1_000_000,
        }
    }

    /// Decides the tool's authentication request for `actor` (`None`: nobody logged in).
    pub async fn lti_authorize(
        &self,
        actor: Option<&Actor>,
        r: &LtiAuthRequest,
        issuer: &str,
    ) -> Result<LtiAuthorized, LtiAuthFailure> {
        let back = |e: OidcError| LtiAuthFailure::Post {
            redirect_uri: r.redirect_uri.clone(),
            error: e,
        };
        let found = async {
            let mut c = self.db.read().await?;
            self.lti_tool(&mut c, &r.client_id).await
        };
        let (client, tool) = found
            .await
            .map_err(|_| LtiAuthFailure::BadClient("server_error"))?
            .ok_or(LtiAuthFailure::BadClient("unknown_client"))?;
        if !client.redirect_uris.contains(&r.redirect_uri) {
            return Err(LtiAuthFailure::BadClient("redirect_uri"));
        }
        check_request(r).map_err(back)?;
        let Some(actor) = actor else {
            let none = r.prompt.as_deref() == Some("none");
            return if none {
                Err(back(OidcError::LoginRequired))
            } else {
                Ok(LtiAuthorized::Login)
            };
        };
        if r.cancelled {
            return Err(back(OidcError::AccessDenied));
        }
        let id_token = self
            .launch_token(actor, &client, &tool, r, issuer)
            .await
            .map_err(back)?;
        Ok(match id_token {
            Some(id_token) => LtiAuthorized::Post {
                redirect_uri: r.redirect_uri.clone(),
                id_token,
            },
            None => LtiAuthorized::Consent,
        })
    }

    /// The launch the hints name, taken once, for this person and tool, with the personal
    /// claims the person's consent releases; `None` when the consent screen comes first
    /// (the same rule as the authorization endpoint's, [`Platform::login_consent`]): then
    /// the launch is left unused for the request that resumes it.
    async fn take_launch(
        &self,
        actor: &Actor,
        client: &ClientRow,
        r: &LtiAuthRequest,
    ) -> Result<Option<(MessageRow, Vec<Claim>)>, OidcError> {
        let (inst, id) = parse_handle(&r.lti_message_hint)
            .filter(|_| r.login_hint == r.lti_message_hint)
            .ok_or_else(|| OidcError::InvalidRequest("unknown lti_message_hint".into()))?;
        let mut tx = self.db.begin().await?;
        let m = store::take_message(&mut tx, inst, id, to_us(self.now())).await?;
        let Some(m) = m.filter(|m| {
            m.instance == actor.token.instance()
                && m.user == actor.token.user()
                && m.client_ref == client.id
        }) else {
            tx.commit().await?;
            // Someone else's launch, a used or an expired one: start again from the course.
            return Err(OidcError::InvalidRequest(
                "launch unknown, expired or already used".into(),
            ));
        };
        // Read inside the transaction, as the authorization endpoint does: a consent
        // withdrawn meanwhile is seen.
        let known = authorize_facts(
            &mut tx,
            inst,
            actor.token.user(),
            &actor.token_hash,
            client.id,
        )
        .await?
        .ok_or(OidcError::AccessDenied)?;
        let Some(consented) = self.login_consent(actor, client, &super::launch_claims(), &known)
        else {
            // Dropped, not committed: the launch stays unused.
            drop(tx);
            if r.prompt.as_deref() == Some("none") {
                return Err(OidcError::ConsentRequired);
            }
            // The person reads the consent screen now: the launch waits from here, still
            // for this person and tool only and still usable once.
            let now = to_us(self.now());
            let mut tx = self.db.begin().await?;
            let until = now + CONSENT_TTL_SECS * 1_000_000;
            store::hold_message(&mut tx, inst, id, now, until).await?;
            tx.commit().await?;
            return Ok(None);
        };
        // Logins to tools are kept like all log data (7 days), LTI launches too.
        let event = crate::audit::Event {
            kind: "tool",
            actor: Some(actor.token.user()),
            holder: actor.user.holder_id,
            action: "tool_login",
            object: Some(&client.client_id),
            client_addr: None,
            detail: Some(serde_json::json!({"tool": client.name, "lti": true})),
        };
        crate::audit::record(&mut tx, inst, self.now(), event).await?;
        tx.commit().await?;
        Ok(Some((m, consented)))
    }

    async fn launch_token(
        &self,
        actor: &Actor,
        client: &ClientRow,
        tool: &ToolRow,
        r: &LtiAuthRequest,
        issuer: &str,
    ) -> Result<Option<String>, OidcError> {
        let Some((m, consented)) = self.take_launch(actor, client, r).await? else {
            return Ok(None);
        };
        let nonce = r.nonce.as_deref().unwrap_or_default();
        let claims = match (m.activity, m.section) {
            (Some(a), _) => self.resource_claims(actor, client, tool, a, issuer).await?,
            (None, Some(s)) => {
                let h = handle(m.instance, m.id);
                self.deep_link_claims(actor, client, tool, s, &h, issuer)
                    .await?
            }
            (None, None) => return Err(OidcError::ServerError),
        };
        self.sign_launch(actor, client, tool, claims, &consented, nonce, issuer)
            .await
            .map(Some)
    }
}

fn check_request(r: &LtiAuthRequest) -> Result<(), OidcError> {
    if !r.scope.split(' ').any(|s| s == "openid") {
        return Err(OidcError::InvalidScope);
    }
    if r.response_type != "id_token" {
        return Err(OidcError::UnsupportedResponseType);
    }
    if r.response_mode != "form_post" {
        return Err(OidcError::InvalidRequest(
            "response_mode must be form_post".into(),
        ));
    }
    if r.nonce.as_deref().is_none_or(str::is_empty) {
        return Err(OidcError::InvalidRequest("nonce missing".into()));
    }
    Ok(())
}

/// The tool's client id in an LTI activity's settings.
pub(crate) fn tool_of_settings(settings: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(settings).ok()?;
    v["tool"].as_str().map(str::to_owned)
}

fn login_url(issuer: &str, c: &ClientRow, t: &ToolRow, m: &MessageRow, target: &str) -> String {
    let h = handle(m.instance, m.id);
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("iss", issuer)
        .append_pair("login_hint", &h)
        .append_pair("lti_message_hint", &h)
        .append_pair("target_link_uri", target)
        .append_pair("client_id", &c.client_id)
        .append_pair("lti_deployment_id", &t.deployment_id);
    let sep = if t.login_url.contains('?') { '&' } else { '?' };
    format!("{}{sep}{}", t.login_url, s.finish())
}
