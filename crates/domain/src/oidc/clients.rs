//! Registering connected tools: state-wide (operator) or for one school.

use schulhof_store::instances;
use schulhof_store::oidc::{ClientRow, clients};

use super::keys::{ES256, SIGNING_ALG};
use super::{OidcError, hash, random_value};
use crate::{DomainError, Platform};

/// A tool to register.
#[derive(Clone, Debug, Default)]
pub struct NewClient {
    /// The school number; `None`: state-wide.
    pub school: Option<String>,
    pub name: String,
    /// Exact redirect URIs (https, or http on loopback), all on one host.
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may lead back to.
    pub post_logout_uris: Vec<String>,
    /// A public client (an app without a secret) must use PKCE.
    pub public: bool,
    /// The claims it may ask for: role, name, email, groups.
    pub claims: Vec<String>,
    /// Its terms of use, shown on the consent screen.
    pub terms: String,
    /// Where its terms of use are published (shown as a link), or empty.
    pub terms_url: String,
    /// Back-Channel Logout: where logout tokens are POSTed, or empty.
    pub backchannel_logout_uri: String,
    /// Front-Channel Logout: loaded in a hidden frame at logout, or empty.
    pub frontchannel_logout_uri: String,
    /// `id_token_signed_response_alg`: RS256 (also when empty) or ES256.
    pub id_token_alg: String,
    /// Third-party initiated login (OpenID Connect Core §4): where the platform's tile sends
    /// the browser with `iss` and `target_link_uri`, or empty (no tile).
    pub initiate_login_uri: String,
    /// Where the tool should land after such a login (same host), or empty: the root of
    /// the initiate login URI's host.
    pub target_link_uri: String,
}

/// What the registering person must hand to the tool: shown once.
#[derive(Clone, Debug)]
pub struct RegisteredClient {
    pub client_id: String,
    /// `None` for a public client.
    pub secret: Option<String>,
}

/// A tool as the consent screen and Mein Konto show it.
#[derive(Clone, Debug)]
pub struct ToolView {
    pub client_id: String,
    pub name: String,
    pub terms: String,
    pub terms_url: String,
    pub state_wide: bool,
}

impl From<&ClientRow> for ToolView {
    fn from(c: &ClientRow) -> Self {
        ToolView {
            client_id: c.client_id.clone(),
            name: c.name.clone(),
            terms: c.terms.clone(),
            terms_url: c.terms_url.clone(),
            state_wide: c.instance.is_none(),
        }
    }
}

/// Checks one redirect URI and returns its host. Exact matching later compares the whole
/// string, so what is stored is what the tool must send.
fn redirect_host(uri: &str) -> Result<String, DomainError> {
    let bad = |m: &str| DomainError::invalid("redirect_uri", format!("{uri}: {m}"));
    let u = url::Url::parse(uri).map_err(|e| bad(&e.to_string()))?;
    if u.fragment().is_some() {
        return Err(bad("must not contain a fragment"));
    }
    let host = u.host_str().ok_or_else(|| bad("needs a host"))?.to_owned();
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
    match u.scheme() {
        "https" => Ok(host),
        "http" if loopback => Ok(host),
        _ => Err(bad("must use https (http only on loopback)")),
    }
}

/// The sector pairwise subjects are made for: the one host of all redirect URIs.
fn sector_of(uris: &[String]) -> Result<String, DomainError> {
    let mut hosts = uris.iter().map(|u| redirect_host(u));
    let first = hosts
        .next()
        .ok_or_else(|| DomainError::invalid("redirect_uri", "at least one is needed"))??;
    for h in hosts {
        if h? != first {
            return Err(DomainError::invalid(
                "redirect_uri",
                "all redirect URIs must be on one host",
            ));
        }
    }
    Ok(first)
}

pub(crate) fn row_of(
    n: &NewClient,
    instance: Option<schulhof_types::InstanceId>,
    now: i64,
) -> Result<(ClientRow, RegisteredClient), DomainError> {
    let name = n.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid("name", "1 to 200 characters"));
    }
    let sector = sector_of(&n.redirect_uris)?;
    for u in &n.post_logout_uris {
        redirect_host(u)?;
    }
    for (field, u) in [
        ("backchannel_logout_uri", &n.backchannel_logout_uri),
        ("frontchannel_logout_uri", &n.frontchannel_logout_uri),
        ("terms_url", &n.terms_url),
    ] {
        if !u.trim().is_empty() {
            redirect_host(u.trim()).map_err(|e| DomainError::invalid(field, e.to_string()))?;
        }
    }
    if let Some(c) = n
        .claims
        .iter()
        .find(|c| schulhof_authz::oidc::Claim::parse(c).is_none())
    {
        return Err(DomainError::invalid("claims", format!("unknown claim {c}")));
    }
    let id_token_alg = match n.id_token_alg.trim() {
        "" | SIGNING_ALG => SIGNING_ALG,
        ES256 => ES256,
        other => {
            return Err(DomainError::invalid(
                "id_token_signed_response_alg",
                format!("{other}: RS256 or ES256"),
            ));
        }
    };
    launch_uris(n)?;
    let secret = (!n.public).then(random_value);
    let client_id = format!("t{}", &random_value()[..22]);
    let row = ClientRow {
        id: uuid::Uuid::now_v7(),
        instance,
        client_id: client_id.clone(),
        name: name.to_owned(),
        secret_hash: secret.as_deref().map(hash),
        public: n.public,
        redirect_uris: n.redirect_uris.clone(),
        post_logout_uris: n.post_logout_uris.clone(),
        claims: n.claims.clone(),
        terms: n.terms.trim().to_owned(),
        sector,
        created_at: now,
        backchannel_logout_uri: n.backchannel_logout_uri.trim().to_owned(),
        frontchannel_logout_uri: n.frontchannel_logout_uri.trim().to_owned(),
        terms_url: n.terms_url.trim().to_owned(),
        id_token_alg: id_token_alg.to_owned(),
    };
    Ok((row, RegisteredClient { client_id, secret }))
}

/// The checked (initiate login URI, target link URI) of a registration; both empty when the
/// tool is not opened from the platform.
pub(crate) fn launch_uris(n: &NewClient) -> Result<(String, String), DomainError> {
    let initiate = n.initiate_login_uri.trim();
    let target = n.target_link_uri.trim();
    if initiate.is_empty() {
        if !target.is_empty() {
            return Err(DomainError::invalid(
                "target_link_uri",
                "only with an initiate login URI",
            ));
        }
        return Ok((String::new(), String::new()));
    }
    let host = redirect_host(initiate)
        .map_err(|e| DomainError::invalid("initiate_login_uri", e.to_string()))?;
    if !target.is_empty() {
        let t = redirect_host(target)
            .map_err(|e| DomainError::invalid("target_link_uri", e.to_string()))?;
        if t != host {
            return Err(DomainError::invalid(
                "target_link_uri",
                format!("{target}: must be on the host of the initiate login URI ({host})"),
            ));
        }
    }
    Ok((initiate.to_owned(), target.to_owned()))
}

/// Stores a tool; one signing with ES256 gets the ES256 key now if there is none yet, so the
/// JWKS a tool fetches before its first login already holds it.
pub(crate) async fn insert(
    tx: &mut impl schulhof_store::AsConn,
    row: &ClientRow,
    n: &NewClient,
    now: i64,
) -> Result<(), DomainError> {
    clients::insert(tx, row).await?;
    let (initiate, target) = launch_uris(n)?;
    if !initiate.is_empty() {
        clients::set_launch(tx, row.id, &initiate, &target).await?;
    }
    if row.id_token_alg == ES256 {
        super::keys::signing_key(tx, ES256, now)
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?;
    }
    Ok(())
}

impl Platform {
    /// Refuses a tool whose back-channel logout URI points into the server's own network:
    /// the server itself POSTs there (see [`super::guard`]).
    pub(crate) async fn guard_client_uris(&self, n: &NewClient) -> Result<(), DomainError> {
        let bcl = n.backchannel_logout_uri.trim();
        if bcl.is_empty() {
            return Ok(());
        }
        super::guard::check_uri(bcl, self.config.tool_urls_on_loopback)
            .await
            .map_err(|m| DomainError::invalid("backchannel_logout_uri", format!("{bcl}: {m}")))
    }

    /// Registers a tool from the command line (the operator's or a school's): prints the
    /// client id and secret the tool is configured with.
    pub async fn system_oidc_add_client(
        &self,
        n: &NewClient,
    ) -> Result<RegisteredClient, DomainError> {
        self.guard_client_uris(n).await?;
        let mut tx = self.db.begin().await?;
        let instance = match n.school.as_deref() {
            None => None,
            Some(number) => Some(
                instances::find_by_number(&mut tx, number.trim())
                    .await?
                    .ok_or_else(|| DomainError::invalid("instance", "no such school"))?
                    .id,
            ),
        };
        let now = self.now().timestamp_micros();
        let (row, registered) = row_of(n, instance, now)?;
        insert(&mut tx, &row, n, now).await?;
        if let Some(i) = instance {
            let detail = serde_json::json!({"client_id": row.client_id, "name": row.name});
            crate::audit::record(
                &mut tx,
                i,
                self.now(),
                crate::audit::Event {
                    kind: "tool",
                    actor: None,
                    holder: None,
                    action: "tool_registered",
                    object: Some(&row.client_id),
                    client_addr: None,
                    detail: Some(detail),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(registered)
    }

    /// The tool with this `client_id`, if it exists (for the error page of a bad request).
    pub(crate) async fn oidc_client(
        &self,
        client_id: &str,
    ) -> Result<Option<ClientRow>, OidcError> {
        let mut c = self.db.read().await?;
        Ok(clients::by_client_id(&mut c, client_id).await?)
    }
}
