//! Opening a tool from the platform (OpenID Connect Core §4, third-party initiated login):
//! the tiles of the tools a person may use, and the start that sends the browser to the
//! tool's initiate login URI with `iss` and `target_link_uri`. The tool then sends an
//! ordinary authorization request, which decides again.

use schulhof_authz::oidc::{ToolFacts, UseTool};
use schulhof_authz::{Denied, check};
use schulhof_store::oidc::clients::{self, LaunchRow};

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A tool the person may open from the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolTile {
    pub client_id: String,
    pub name: String,
    pub state_wide: bool,
}

/// The policy's verdict on `actor` using the tool (who may use it does not depend on the
/// claims it is registered for).
fn may_use(actor: &Actor, t: &LaunchRow) -> Result<(), Denied> {
    check(
        &actor.token,
        UseTool(ToolFacts {
            owner: t.instance,
            allowed: Vec::new(),
        }),
    )
    .map(|_| ())
}

/// `scheme://host[:port]/` of an absolute URL (the default landing page).
fn root_of(uri: &str) -> String {
    url::Url::parse(uri)
        .map(|mut u| {
            u.set_path("/");
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        })
        .unwrap_or_default()
}

/// Where a tile sends the browser: the initiate login URI with `iss` and `target_link_uri`
/// added to its query (percent-encoded).
pub fn initiate_url(initiate_login_uri: &str, target_link_uri: &str, issuer: &str) -> String {
    let target = if target_link_uri.is_empty() {
        root_of(initiate_login_uri)
    } else {
        target_link_uri.to_owned()
    };
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("iss", issuer);
    q.append_pair("target_link_uri", &target);
    let sep = if initiate_login_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{initiate_login_uri}{sep}{}", q.finish())
}

impl Platform {
    /// The tools `actor` may open from the platform: the school's own and the state-wide
    /// ones with an initiate login URI, as the policy allows (one statement; none for an
    /// account that may use no tool).
    pub async fn oidc_tool_tiles(&self, actor: &Actor) -> Result<Vec<ToolTile>, DomainError> {
        let any = LaunchRow {
            id: uuid::Uuid::nil(),
            instance: None,
            client_id: String::new(),
            name: String::new(),
            initiate_login_uri: String::new(),
            target_link_uri: String::new(),
        };
        if may_use(actor, &any).is_err() {
            return Ok(Vec::new());
        }
        let mut c = self.db.read().await?;
        let rows = clients::launchable(&mut c, actor.token.instance()).await?;
        Ok(rows
            .into_iter()
            .filter(|t| may_use(actor, t).is_ok())
            .map(|t| ToolTile {
                state_wide: t.instance.is_none(),
                client_id: t.client_id,
                name: t.name,
            })
            .collect())
    }

    /// Where the tile of `client_id` sends `actor`'s browser (`issuer`: this provider's).
    /// A tool the person may not use, another school's, or one without an initiate login
    /// URI is not found.
    pub async fn oidc_tool_start(
        &self,
        actor: &Actor,
        client_id: &str,
        issuer: &str,
    ) -> Result<String, DomainError> {
        let mut c = self.db.read().await?;
        let t = clients::launch_by_client_id(&mut c, client_id)
            .await?
            .filter(|t| !t.initiate_login_uri.is_empty())
            .ok_or(DomainError::NotFound)?;
        may_use(actor, &t).map_err(|_| DomainError::NotFound)?;
        Ok(initiate_url(
            &t.initiate_login_uri,
            &t.target_link_uri,
            issuer,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::initiate_url;

    #[test]
    fn the_parameters_are_encoded_and_added_to_an_existing_query() {
        assert_eq!(
            initiate_url("https://t.example/login", "", "https://p.example"),
            "https://t.example/login?iss=https%3A%2F%2Fp.example\
             &target_link_uri=https%3A%2F%2Ft.example%2F"
        );
        assert_eq!(
            initiate_url(
                "https://t.example/login?x=1",
                "https://t.example/app?a=b&c=d",
                "https://p.example/schule"
            ),
            "https://t.example/login?x=1&iss=https%3A%2F%2Fp.example%2Fschule\
             &target_link_uri=https%3A%2F%2Ft.example%2Fapp%3Fa%3Db%26c%3Dd"
        );
    }
}
