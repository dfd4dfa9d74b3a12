//! Registering and listing connected tools from the web: a school's administrators for
//! their school (`/verwaltung/werkzeuge`), the operator state-wide (`/betrieb/werkzeuge`).
//! What the command line does (`schulhof oidc client add`), with the policy's check and an
//! audit row. The lists carry counts of persons only, never what anyone did in a tool.

use schulhof_authz::check;
use schulhof_authz::oidc::{ManageSchoolTools, ManageStateTools};
use schulhof_authz::operator::check_operator;
use schulhof_store::oidc::{ClientRow, clients};
use schulhof_types::InstanceId;

use super::clients::{insert, row_of};
use super::{NewClient, RegisteredClient};
use crate::identity::Actor;
use crate::operators::OperatorActor;
use crate::{DomainError, Platform};

/// A tool in the administrators' list.
#[derive(Clone, Debug)]
pub struct ToolSummary {
    pub client_id: String,
    pub name: String,
    pub public: bool,
    pub state_wide: bool,
    pub redirect_uris: Vec<String>,
    pub claims: Vec<String>,
    pub backchannel_logout_uri: String,
    pub frontchannel_logout_uri: String,
    /// Persons with a consent in force.
    pub consented: i64,
    /// Persons holding unexpired tokens (logged in to the tool lately).
    pub active: i64,
}

async fn summaries(
    c: &mut impl schulhof_store::AsConn,
    rows: Vec<ClientRow>,
    instance: Option<InstanceId>,
    now: i64,
) -> Result<Vec<ToolSummary>, DomainError> {
    let counts = clients::usage(c, instance, now).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (_, consented, active) = counts
                .iter()
                .find(|(id, _, _)| *id == r.id)
                .copied()
                .unwrap_or((r.id, 0, 0));
            ToolSummary {
                client_id: r.client_id,
                name: r.name,
                public: r.public,
                state_wide: r.instance.is_none(),
                redirect_uris: r.redirect_uris,
                claims: r.claims,
                backchannel_logout_uri: r.backchannel_logout_uri,
                frontchannel_logout_uri: r.frontchannel_logout_uri,
                consented,
                active,
            }
        })
        .collect())
}

impl Platform {
    /// Registers a tool for the actor's school; the secret is shown once.
    pub async fn oidc_register_school_tool(
        &self,
        actor: &Actor,
        n: &NewClient,
    ) -> Result<RegisteredClient, DomainError> {
        let grant = check(&actor.token, ManageSchoolTools)?;
        self.guard_client_uris(n).await?;
        let now = self.now();
        let (row, registered) = row_of(n, Some(grant.instance()), now.timestamp_micros())?;
        let mut tx = self.db.begin().await?;
        insert(&mut tx, &row, n, now.timestamp_micros()).await?;
        let detail = serde_json::json!({"name": row.name, "public": row.public,
            "redirect_uris": row.redirect_uris, "claims": row.claims,
            "id_token_signed_response_alg": row.id_token_alg,
            "initiate_login_uri": n.initiate_login_uri.trim()});
        crate::audit::admin_action(
            &mut tx,
            actor,
            now,
            "tool.register",
            &row.client_id,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(registered)
    }

    /// The tools the school's people see (its own and the state-wide ones), with how many
    /// of its persons consented to and use each.
    pub async fn oidc_school_tools(&self, actor: &Actor) -> Result<Vec<ToolSummary>, DomainError> {
        let grant = check(&actor.token, ManageSchoolTools)?;
        let mut c = self.db.read().await?;
        let rows = clients::visible_to(&mut c, grant.instance()).await?;
        let now = self.now().timestamp_micros();
        summaries(&mut c, rows, Some(grant.instance()), now).await
    }

    /// Registers a state-wide tool (operator console; audited in the operators' log).
    pub async fn operator_register_tool(
        &self,
        actor: &OperatorActor,
        n: &NewClient,
        client_addr: &str,
    ) -> Result<RegisteredClient, DomainError> {
        let grant = check_operator(&actor.token, ManageStateTools)?;
        self.guard_client_uris(n).await?;
        let now = self.now().timestamp_micros();
        let (row, registered) = row_of(n, None, now)?;
        let mut tx = self.db.begin().await?;
        insert(&mut tx, &row, n, now).await?;
        let detail = serde_json::json!({"name": row.name, "public": row.public,
            "redirect_uris": row.redirect_uris, "claims": row.claims,
            "id_token_signed_response_alg": row.id_token_alg,
            "initiate_login_uri": n.initiate_login_uri.trim()});
        crate::operators::audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "tool.register",
            Some(&row.client_id),
            client_addr,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(registered)
    }

    /// The state-wide tools with how many persons of all schools consented to and use each.
    pub async fn operator_tools(
        &self,
        actor: &OperatorActor,
    ) -> Result<Vec<ToolSummary>, DomainError> {
        check_operator(&actor.token, ManageStateTools)?;
        let mut c = self.db.read().await?;
        let rows = clients::state_wide(&mut c).await?;
        let now = self.now().timestamp_micros();
        summaries(&mut c, rows, None, now).await
    }
}
