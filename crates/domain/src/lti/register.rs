//! Registering LTI tools: from the command line (`schulhof lti tool add`, operator or
//! school), by a school's administrators at `/verwaltung/werkzeuge/lti` and by the operator
//! at `/betrieb/werkzeuge/lti` — the same checks, the policy's verdict, an audit row. The
//! tool's keys are pasted or fetched from its key set URL ([`super::keys`]).

use schulhof_authz::check;
use schulhof_authz::oidc::{ManageSchoolTools, ManageStateTools};
use schulhof_authz::operator::check_operator;
use schulhof_store::lti::{self as store, ToolRow};
use schulhof_store::oidc::{ClientRow, clients};
use schulhof_store::{Tx, instances, to_us};
use schulhof_types::InstanceId;
use serde_json::{Value, json};

use super::tools::{NewLtiTool, RegisteredLtiTool, bad, check_url};
use super::{jwt, keys};
use crate::identity::Actor;
use crate::oidc::clients::row_of;
use crate::oidc::{NewClient, random_value};
use crate::operators::OperatorActor;
use crate::{DomainError, Platform};

/// A checked registration: the client to store and the tool's public keys.
struct Prepared {
    client: NewClient,
    jwks: Value,
}

impl Platform {
    /// Checks everything (fetching the keys where a URL is given) before anything is stored.
    async fn prepare_lti(&self, n: &NewLtiTool) -> Result<Prepared, DomainError> {
        check_url("login_url", n.login_url.trim())?;
        check_url("target_link_uri", n.target_link_uri.trim())?;
        if let Some(c) = n
            .claims
            .iter()
            .find(|c| !["name", "email"].contains(&c.as_str()))
        {
            let m = format!("LTI tools receive name or email, not {c}");
            return Err(bad("claims", &m));
        }
        let (pasted, url) = (n.jwks.trim(), n.jwks_url.trim());
        let jwks = if !pasted.is_empty() {
            jwt::parse_jwks(pasted).map_err(|m| bad("jwks", m))?
        } else if !url.is_empty() {
            check_url("jwks_url", url)?;
            let loopback = self.config.tool_urls_on_loopback;
            crate::oidc::guard::check_uri(url, loopback)
                .await
                .map_err(|m| bad("jwks_url", &m))?;
            keys::fetch(url, loopback)
                .await
                .map_err(|m| bad("jwks_url", &m))?
        } else {
            return Err(bad(
                "jwks",
                "Bitte die Schlüssel einfügen oder die Adresse des Schlüsselsatzes angeben.",
            ));
        };
        let target = n.target_link_uri.trim().to_owned();
        let mut redirect_uris: Vec<String> = n
            .redirect_uris
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        if !redirect_uris.contains(&target) {
            redirect_uris.push(target);
        }
        Ok(Prepared {
            client: NewClient {
                school: n.school.clone(),
                name: n.name.clone(),
                redirect_uris,
                public: true,
                claims: n.claims.clone(),
                terms: n.terms.clone(),
                ..NewClient::default()
            },
            jwks,
        })
    }

    /// Stores the client and its launch details.
    async fn insert_lti(
        &self,
        tx: &mut Tx,
        n: &NewLtiTool,
        p: &Prepared,
        instance: Option<InstanceId>,
    ) -> Result<(ClientRow, RegisteredLtiTool), DomainError> {
        let now = to_us(self.now());
        let (row, registered) = row_of(&p.client, instance, now)?;
        clients::insert(tx, &row).await?;
        let deployment_id = format!("d{}", &random_value()[..16]);
        let jwks_url = if n.jwks.trim().is_empty() {
            n.jwks_url.trim().to_owned()
        } else {
            String::new()
        };
        let tool = ToolRow {
            client_ref: row.id,
            login_url: n.login_url.trim().to_owned(),
            target_link_uri: n.target_link_uri.trim().to_owned(),
            deployment_id: deployment_id.clone(),
            public_jwks: p.jwks.to_string(),
            created_at: now,
            jwks_fetched_at: if jwks_url.is_empty() { 0 } else { now },
            jwks_url,
        };
        store::insert_tool(tx, &tool).await?;
        let registered = RegisteredLtiTool {
            client_id: registered.client_id,
            deployment_id,
        };
        Ok((row, registered))
    }

    /// Registers an LTI tool from the command line (an OpenID Connect client without a
    /// secret: it authenticates with JWTs signed by its key).
    pub async fn system_lti_add_tool(
        &self,
        n: &NewLtiTool,
    ) -> Result<RegisteredLtiTool, DomainError> {
        let p = self.prepare_lti(n).await?;
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
        let (row, registered) = self.insert_lti(&mut tx, n, &p, instance).await?;
        if let Some(i) = instance {
            let detail = json!({"client_id": row.client_id, "name": row.name, "lti": true});
            let event = crate::audit::Event {
                kind: "tool",
                actor: None,
                holder: None,
                action: "tool_registered",
                object: Some(&row.client_id),
                client_addr: None,
                detail: Some(detail),
            };
            crate::audit::record(&mut tx, i, self.now(), event).await?;
        }
        tx.commit().await?;
        Ok(registered)
    }

    /// Registers an LTI tool for the actor's school (`/verwaltung/werkzeuge/lti`).
    pub async fn lti_register_school_tool(
        &self,
        actor: &Actor,
        n: &NewLtiTool,
    ) -> Result<RegisteredLtiTool, DomainError> {
        let grant = check(&actor.token, ManageSchoolTools)?;
        let n = NewLtiTool {
            school: None,
            ..n.clone()
        };
        let p = self.prepare_lti(&n).await?;
        let mut tx = self.db.begin().await?;
        let (row, registered) = self
            .insert_lti(&mut tx, &n, &p, Some(grant.instance()))
            .await?;
        crate::audit::admin_action(
            &mut tx,
            actor,
            self.now(),
            "tool.register",
            &row.client_id,
            Some(detail(&row, &n)),
        )
        .await?;
        tx.commit().await?;
        Ok(registered)
    }

    /// Registers a state-wide LTI tool (`/betrieb/werkzeuge/lti`, the operators' log).
    pub async fn operator_register_lti_tool(
        &self,
        actor: &OperatorActor,
        n: &NewLtiTool,
        client_addr: &str,
    ) -> Result<RegisteredLtiTool, DomainError> {
        let grant = check_operator(&actor.token, ManageStateTools)?;
        let n = NewLtiTool {
            school: None,
            ..n.clone()
        };
        let p = self.prepare_lti(&n).await?;
        let mut tx = self.db.begin().await?;
        let (row, registered) = self.insert_lti(&mut tx, &n, &p, None).await?;
        crate::operators::audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "tool.register",
            Some(&row.client_id),
            client_addr,
            Some(detail(&row, &n)),
        )
        .await?;
        tx.commit().await?;
        Ok(registered)
    }
}

fn detail(row: &ClientRow, n: &NewLtiTool) -> Value {
    json!({"name": row.name, "lti": true, "login_url": n.login_url.trim(),
        "redirect_uris": row.redirect_uris, "claims": row.claims,
        "jwks_url": n.jwks_url.trim()})
}
