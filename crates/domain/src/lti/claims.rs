//! The claims of an LTI launch (LTI Core 1.3 §5.3–5.4, Deep Linking 2.0 §4.4, NRPS 2.0 §3.6,
//! AGS 2.0 §3.1), signed as an ID token with the provider's key.

use schulhof_authz::check;
use schulhof_authz::lms::CourseRole;
use schulhof_authz::lti::{self as policy, LaunchTool, PickContent};
use schulhof_authz::oidc::Claim;
use schulhof_store::lti::{ToolRow, grades};
use schulhof_store::oidc::ClientRow;
use schulhof_store::to_us;
use schulhof_types::{ActivityId, CourseId, InstanceId, SectionId};
use serde_json::{Map, Value, json};

use super::{ID_TOKEN_TTL_SECS, claim, path, scope};
use crate::Platform;
use crate::identity::Actor;
use crate::oidc::{OidcError, facts, keys, pairwise_subject};

/// The services' base URL of a course.
pub(crate) fn course_base(issuer: &str, inst: InstanceId, course: CourseId) -> String {
    format!("{issuer}{}/{}/{}", path::SERVICES, inst.0, course.0)
}

fn context(course: CourseId, title: &str, role: CourseRole) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        claim::CONTEXT.into(),
        json!({
            "id": course.0.to_string(),
            "title": title,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        }),
    );
    m.insert(claim::ROLES.into(), json!(policy::roles(role)));
    m
}

fn services(m: &mut Map<String, Value>, base: &str, lineitem: Option<String>) {
    let mut ags = json!({
        "scope": [scope::LINEITEM, scope::LINEITEM_READ, scope::SCORE, scope::RESULT_READ],
        "lineitems": format!("{base}/bewertungen"),
    });
    if let Some(li) = lineitem {
        ags["lineitem"] = li.into();
    }
    m.insert(claim::AGS.into(), ags);
    m.insert(
        claim::NRPS.into(),
        json!({
            "context_memberships_url": format!("{base}/mitglieder"),
            "service_versions": ["2.0"],
        }),
    );
}

impl Platform {
    /// LtiResourceLinkRequest for an activity the actor may still launch.
    pub(crate) async fn resource_claims(
        &self,
        actor: &Actor,
        client: &ClientRow,
        tool: &ToolRow,
        activity: ActivityId,
        issuer: &str,
    ) -> Result<Map<String, Value>, OidcError> {
        let ctx = self.lms_activity(actor, activity).await?;
        let course = ctx.course;
        check(
            &actor.token,
            LaunchTool {
                tool: facts(client),
                course,
            },
        )
        .map_err(|_| OidcError::AccessDenied)?;
        let title = self.lms_course(actor, course.id).await?.row.name;
        let a = &ctx.activity;
        let target = a.url.clone().unwrap_or(tool.target_link_uri.clone());
        let settings: Value = serde_json::from_str(&a.settings).unwrap_or(Value::Null);
        let item = {
            let mut c = self.db.read().await?;
            grades::item_of_activity(&mut c, course.instance, activity).await?
        };
        let base = course_base(issuer, course.instance, course.id);
        let mut m = context(course.id, &title, ctx.role);
        m.insert(claim::MESSAGE_TYPE.into(), "LtiResourceLinkRequest".into());
        m.insert(claim::TARGET.into(), target.into());
        m.insert(
            claim::RESOURCE_LINK.into(),
            json!({"id": a.id.0.to_string(), "title": a.title}),
        );
        if let Some(custom) = settings.get("custom").filter(|c| c.is_object()) {
            m.insert(claim::CUSTOM.into(), custom.clone());
        }
        let lineitem = item.map(|i| format!("{base}/bewertungen/{}", i.id));
        services(&mut m, &base, lineitem);
        Ok(m)
    }

    /// LtiDeepLinkingRequest for a section the actor edits; `data` comes back with the
    /// response and names this launch.
    pub(crate) async fn deep_link_claims(
        &self,
        actor: &Actor,
        client: &ClientRow,
        tool: &ToolRow,
        section: SectionId,
        data: &str,
        issuer: &str,
    ) -> Result<Map<String, Value>, OidcError> {
        let (_, ctx) = self.lms_section_for_edit(actor, section).await?;
        check(
            &actor.token,
            PickContent {
                tool: facts(client),
                course: ctx.facts,
            },
        )
        .map_err(|_| OidcError::AccessDenied)?;
        let base = course_base(issuer, ctx.facts.instance, ctx.facts.id);
        let mut m = context(ctx.facts.id, &ctx.row.name, ctx.role);
        m.insert(claim::MESSAGE_TYPE.into(), "LtiDeepLinkingRequest".into());
        m.insert(claim::TARGET.into(), tool.target_link_uri.clone().into());
        m.insert(
            claim::DL_SETTINGS.into(),
            json!({
                "deep_link_return_url": format!("{issuer}{}", path::DEEP_LINK_RETURN),
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": true,
                "auto_create": true,
                "data": data,
            }),
        );
        services(&mut m, &base, None);
        Ok(m)
    }

    /// Adds who and for whom, and signs: the pairwise subject always; name and mail only
    /// where the tool is registered for them and `consented` (what the person's consent
    /// releases under the login rule, [`Platform::login_consent`]) holds them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn sign_launch(
        &self,
        actor: &Actor,
        client: &ClientRow,
        tool: &ToolRow,
        mut m: Map<String, Value>,
        consented: &[Claim],
        nonce: &str,
        issuer: &str,
    ) -> Result<String, OidcError> {
        let now = to_us(self.now());
        let (inst, user) = (actor.token.instance(), actor.token.user());
        // Key and school secret as this node keeps them (as for ID tokens).
        let secret = self.oidc_school_secret(inst).await?;
        let key = self.oidc_signer(crate::oidc::SIGNING_ALG).await?;
        let secs = now / 1_000_000;
        let u = &actor.user;
        for c in policy::personal_claims(&facts(client), consented) {
            match c.as_str() {
                "name" => {
                    m.insert(
                        "name".into(),
                        format!("{} {}", u.first_name, u.last_name).into(),
                    );
                    m.insert("given_name".into(), u.first_name.clone().into());
                    m.insert("family_name".into(), u.last_name.clone().into());
                }
                "email" => {
                    m.insert("email".into(), u.mail.clone().into());
                }
                _ => {}
            }
        }
        let sub = pairwise_subject(&secret, &client.sector, user);
        let head = json!({
            "iss": issuer,
            "aud": client.client_id,
            "azp": client.client_id,
            "sub": sub,
            "iat": secs,
            "exp": secs + ID_TOKEN_TTL_SECS,
            "nonce": nonce,
            (claim::VERSION): "1.3.0",
            (claim::DEPLOYMENT): tool.deployment_id,
            (claim::PLATFORM): {"guid": issuer, "name": "Schulhof", "product_family_code": "schulhof"},
        });
        if let Value::Object(h) = head {
            m.extend(h);
        }
        keys::sign_with(&key.pair, &key.kid, &Value::Object(m), "JWT")
    }
}
