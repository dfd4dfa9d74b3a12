//! The tool's deep linking response (Deep Linking 2.0 §4.5): a JWT signed by the tool,
//! posted back by the teacher's browser. Checked like every tool JWT (signature with the
//! registered keys, issuer, audience, expiry, single-use nonce), tied to the deep linking
//! request by its `data`, and turned into LTI activities of the section.

use schulhof_authz::check;
use schulhof_authz::lti::PickContent;
use schulhof_store::lti::{self as store};
use schulhof_store::to_us;
use schulhof_types::CourseId;
use serde_json::{Map, Value};

use super::jwt::{self, JwtFault};
use super::tools::{Placement, parse_custom};
use super::{claim, parse_handle};
use crate::Platform;
use crate::oidc::{OidcError, facts};

/// At most this many items per response.
const MAX_ITEMS: usize = 20;

fn refused(f: JwtFault) -> OidcError {
    OidcError::InvalidRequest(f.describe().into())
}

fn invalid(m: &str) -> OidcError {
    OidcError::InvalidRequest(m.into())
}

impl Platform {
    /// Accepts a deep linking response; returns the course and how many activities were
    /// made. Anything wrong: refused with `invalid_request`, nothing stored, logged.
    pub async fn lti_deep_link_return(
        &self,
        token: &str,
        issuer: &str,
    ) -> Result<(CourseId, usize), OidcError> {
        let unverified = jwt::unverified_claims(token).map_err(refused)?;
        let client_id = unverified["iss"]
            .as_str()
            .ok_or_else(|| invalid("iss missing"))?;
        // Before the transaction: the keys may have to be fetched from the tool.
        let keys = self.lti_tool_keys(client_id, token).await;
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let (client, tool) = self
            .lti_tool(&mut tx, client_id)
            .await?
            .ok_or_else(|| refused(JwtFault::WrongIssuer))?;
        let claims = jwt::verify(&keys, token).map_err(refused)?;
        let exp = jwt::check_claims(&claims, &client.client_id, &[issuer], now / 1_000_000)
            .map_err(refused)?;
        if claims[claim::MESSAGE_TYPE] != "LtiDeepLinkingResponse"
            || claims[claim::VERSION] != "1.3.0"
            || claims[claim::DEPLOYMENT] != tool.deployment_id.as_str()
        {
            return Err(invalid(
                "not an LTI 1.3 deep linking response of this deployment",
            ));
        }
        let nonce = claims["nonce"].as_str().filter(|n| !n.is_empty());
        let fresh = match nonce {
            Some(n) => store::use_nonce(&mut tx, client.id, n, (exp + 60) * 1_000_000).await?,
            None => false,
        };
        if !fresh {
            // The replay is recorded nowhere else: commit nothing, tell the log.
            tracing::warn!(client = %client.client_id, "LTI deep linking nonce reused");
            return Err(refused(JwtFault::Replayed));
        }
        let (inst, id) = claims[claim::DL_DATA]
            .as_str()
            .and_then(parse_handle)
            .ok_or_else(|| invalid("data does not name a deep linking request"))?;
        let m = store::get_message(&mut tx, inst, id).await?;
        let m = m
            .filter(|m| m.kind == "deeplink" && m.client_ref == client.id)
            .filter(|m| m.expires_at > now)
            .ok_or_else(|| invalid("deep linking request unknown or expired"))?;
        let section = m.section.ok_or(OidcError::ServerError)?;
        // The teacher as they are now: still an editor of the course, tool still allowed.
        let actor = self
            .system_actor_for(&mut tx, inst, m.user)
            .await?
            .ok_or(OidcError::AccessDenied)?;
        let (_, ctx) = self.lms_section_for_edit(&actor, section).await?;
        check(
            &actor.token,
            PickContent {
                tool: facts(&client),
                course: ctx.facts,
            },
        )
        .map_err(|_| OidcError::AccessDenied)?;
        let items = claims[claim::DL_ITEMS]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if items.len() > MAX_ITEMS {
            return Err(invalid("too many content items"));
        }
        let mut made = 0;
        for item in items.iter().filter(|i| i["type"] == "ltiResourceLink") {
            let p = placement(item, inst, ctx.facts.id, section, &client)?;
            self.place_tool(&mut tx, &p).await?;
            made += 1;
        }
        tx.commit().await?;
        tracing::info!(client = %client.client_id, made, "LTI deep linking response accepted");
        Ok((ctx.facts.id, made))
    }
}

fn placement<'a>(
    item: &'a Value,
    instance: schulhof_types::InstanceId,
    course: CourseId,
    section: schulhof_types::SectionId,
    client: &'a schulhof_store::oidc::ClientRow,
) -> Result<Placement<'a>, OidcError> {
    let title = item["title"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let title = title.unwrap_or("LTI");
    let title = if title.chars().count() > 200 {
        "LTI"
    } else {
        title
    };
    let target = item["url"].as_str();
    if let Some(u) = target {
        url::Url::parse(u).map_err(|_| invalid("content item url is not a URL"))?;
    }
    let custom: Map<String, Value> = match item.get("custom") {
        Some(Value::Object(o)) => {
            let text: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect();
            parse_custom(&text.join("\n")).map_err(|e| invalid(&e.to_string()))?
        }
        _ => Map::new(),
    };
    let max = item["lineItem"]["scoreMaximum"].as_f64().unwrap_or(100.0);
    if !(max > 0.0 && max <= 100_000.0) {
        return Err(invalid("lineItem.scoreMaximum out of range"));
    }
    Ok(Placement {
        instance,
        course,
        section,
        client,
        title,
        target,
        custom,
        max_points: max,
    })
}
