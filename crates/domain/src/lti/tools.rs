//! LTI tools as a school sees them (registering: [`super::register`]) and placing one in a
//! course section (a teacher). A placed tool is an activity of kind `lti` whose settings
//! name the tool; each gets a line item, so a score the tool posts is a grade of the course.

use schulhof_authz::check;
use schulhof_authz::lti::PickContent;
use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lti::{self as store, ToolRow, grades};
use schulhof_store::oidc::{ClientRow, clients};
use schulhof_store::{Tx, to_us};
use schulhof_types::{ActivityId, CourseId, InstanceId, SectionId};
use serde_json::{Map, Value, json};

use super::{KIND, MILLI};
use crate::identity::Actor;
use crate::oidc::facts;
use crate::{DomainError, Platform};

/// A tool to register.
#[derive(Clone, Debug, Default)]
pub struct NewLtiTool {
    /// The school number; `None`: state-wide.
    pub school: Option<String>,
    pub name: String,
    /// The tool's OIDC login initiation URL.
    pub login_url: String,
    /// Where launches go unless an activity names another target.
    pub target_link_uri: String,
    /// Exact redirect URIs (launch URLs); the target link URI is added when missing.
    pub redirect_uris: Vec<String>,
    /// The tool's public keys (a JSON Web Key Set or one JWK), pasted; or empty and
    /// fetched from `jwks_url`.
    pub jwks: String,
    /// Where the tool publishes its key set (fetched by the server, public addresses only).
    pub jwks_url: String,
    /// Personal claims it may receive with consent (name, email).
    pub claims: Vec<String>,
    pub terms: String,
}

/// What the tool is configured with on its side (besides the platform's URLs).
#[derive(Clone, Debug)]
pub struct RegisteredLtiTool {
    pub client_id: String,
    pub deployment_id: String,
}

/// A tool as the teacher's form lists it.
#[derive(Clone, Debug)]
pub struct LtiToolView {
    pub client_id: String,
    pub name: String,
}

/// A teacher's placement of a tool.
#[derive(Clone, Debug, Default)]
pub struct LtiActivityInput {
    pub client_id: String,
    pub title: String,
    /// Empty: the tool's target link URI.
    pub target_link_uri: String,
    /// `key=value` per line: custom parameters sent with every launch.
    pub custom: String,
}

pub(crate) fn bad(field: &'static str, m: &str) -> DomainError {
    DomainError::invalid(field, m.to_owned())
}

pub(crate) fn check_url(field: &'static str, u: &str) -> Result<(), DomainError> {
    let parsed = url::Url::parse(u).map_err(|_| bad(field, "keine gültige Adresse"))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad(field, "https nötig (http nur auf loopback)")),
    }
}

/// Custom parameters: `key=value` lines, keys of letters, digits and `_`.
pub(crate) fn parse_custom(text: &str) -> Result<Map<String, Value>, DomainError> {
    let mut m = Map::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| bad("custom", "Bitte je Zeile name=wert angeben."))?;
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("custom", "Namen aus Buchstaben, Ziffern und _."));
        }
        m.insert(k.to_owned(), Value::String(v.trim().to_owned()));
    }
    Ok(m)
}

impl Platform {
    /// The LTI tools the caller's school may place, by name.
    pub async fn lti_tools(&self, a: &Actor) -> Result<Vec<LtiToolView>, DomainError> {
        let mut c = self.db.read().await?;
        let inst = a.token.instance();
        let tools = store::tools_visible_to(&mut c, inst).await?;
        let clients = clients::visible_to(&mut c, inst).await?;
        Ok(clients
            .into_iter()
            .filter(|k| tools.iter().any(|t| t.client_ref == k.id))
            .map(|k| LtiToolView {
                client_id: k.client_id,
                name: k.name,
            })
            .collect())
    }

    /// A tool by client id with its launch details, as the caller's school sees it.
    pub(crate) async fn lti_tool(
        &self,
        c: &mut impl schulhof_store::AsConn,
        client_id: &str,
    ) -> Result<Option<(ClientRow, ToolRow)>, DomainError> {
        let Some(client) = clients::by_client_id(c, client_id).await? else {
            return Ok(None);
        };
        Ok(store::tool(c, client.id).await?.map(|t| (client, t)))
    }

    /// Places a tool in a section the caller edits; returns the new activity.
    pub async fn lti_add_activity(
        &self,
        a: &Actor,
        section: SectionId,
        input: &LtiActivityInput,
    ) -> Result<ActivityId, DomainError> {
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(bad(
                "title",
                "Bitte einen Titel mit höchstens 200 Zeichen angeben.",
            ));
        }
        let target = input.target_link_uri.trim();
        if !target.is_empty() {
            check_url("target_link_uri", target)?;
        }
        let custom = parse_custom(&input.custom)?;
        let (_, ctx) = self.lms_section_for_edit(a, section).await?;
        let mut tx = self.db.begin().await?;
        let (client, _) = self
            .lti_tool(&mut tx, &input.client_id)
            .await?
            .ok_or_else(|| bad("tool", "Unbekanntes Werkzeug."))?;
        check(
            &a.token,
            PickContent {
                tool: facts(&client),
                course: ctx.facts,
            },
        )
        .map_err(|_| bad("tool", "Unbekanntes Werkzeug."))?;
        let place = Placement {
            instance: ctx.facts.instance,
            course: ctx.facts.id,
            section,
            client: &client,
            title,
            target: (!target.is_empty()).then_some(target),
            custom,
            max_points: 100.0,
        };
        let id = self.place_tool(&mut tx, &place).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Inserts an LTI activity and its line item.
    pub(crate) async fn place_tool(
        &self,
        tx: &mut Tx,
        p: &Placement<'_>,
    ) -> Result<ActivityId, DomainError> {
        let id = ActivityId::new();
        let now = to_us(self.now());
        let settings = json!({"tool": p.client.client_id, "custom": p.custom}).to_string();
        activities::insert(
            tx,
            p.instance,
            &NewActivity {
                id,
                course_id: p.course,
                section_id: p.section,
                kind: KIND,
                title: p.title,
                body: "",
                url: p.target,
                transcript: "",
                hidden: false,
                visible_from: None,
                restricted: false,
                completion: "none",
                due_at: None,
                settings: &settings,
                now,
            },
        )
        .await?;
        let item = grades::LineItemRow {
            id: uuid::Uuid::now_v7(),
            course: p.course,
            client_ref: p.client.id,
            activity: Some(id),
            label: p.title.to_owned(),
            score_maximum: (p.max_points * MILLI).round() as i64,
            resource_id: String::new(),
            tag: String::new(),
        };
        grades::insert_item(tx, p.instance, &item, now).await?;
        Ok(id)
    }
}

/// Where and what to place.
pub(crate) struct Placement<'a> {
    pub instance: InstanceId,
    pub course: CourseId,
    pub section: SectionId,
    pub client: &'a ClientRow,
    pub title: &'a str,
    pub target: Option<&'a str>,
    pub custom: Map<String, Value>,
    pub max_points: f64,
}
