//! Connected tools for administrators: `/verwaltung/werkzeuge` (a school's admin registers
//! tools for the school, sees every tool its people can use with how many of them agreed to
//! and use it, and sets who decides for pupils under 16) and `/betrieb/werkzeuge` (the
//! operator, state-wide). The same as `schulhof oidc client add`; the secret is shown once.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::oidc::{NewClient, RegisteredClient, ToolSummary, Under16};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::operator::Operator;
use crate::render;

const SCHOOL: &str = "/verwaltung/werkzeuge";
const STATE: &str = "/betrieb/werkzeuge";

#[derive(Template)]
#[template(path = "oidc/admin.html")]
struct ToolsPage {
    c: Chrome,
    action: &'static str,
    tools: Vec<ToolSummary>,
    form: FormView,
    /// Just registered: what the tool is configured with (shown once).
    registered: Option<RegisteredClient>,
    /// The under-16 rule (school pages only).
    under16: Option<&'static str>,
}

/// The registration form (field names as the domain's errors name them in `answers`).
#[derive(Debug, Default, Deserialize)]
pub struct ToolForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    post_logout_uris: String,
    public: Option<String>,
    claim_school: Option<String>,
    claim_role: Option<String>,
    claim_name: Option<String>,
    claim_email: Option<String>,
    claim_groups: Option<String>,
    #[serde(default)]
    terms: String,
    #[serde(default)]
    terms_url: String,
    #[serde(default)]
    backchannel_logout_uri: String,
    #[serde(default)]
    frontchannel_logout_uri: String,
    #[serde(default)]
    id_token_signed_response_alg: String,
    #[serde(default)]
    initiate_login_uri: String,
    #[serde(default)]
    target_link_uri: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ToolForm {
    fn new_client(&self) -> NewClient {
        let claims = [
            ("school", &self.claim_school),
            ("role", &self.claim_role),
            ("name", &self.claim_name),
            ("email", &self.claim_email),
            ("groups", &self.claim_groups),
        ]
        .into_iter()
        .filter(|(_, on)| on.is_some())
        .map(|(c, _)| c.to_owned())
        .collect();
        NewClient {
            school: None,
            name: self.name.clone(),
            redirect_uris: lines(&self.redirect_uris),
            post_logout_uris: lines(&self.post_logout_uris),
            public: self.public.is_some(),
            claims,
            terms: self.terms.clone(),
            terms_url: self.terms_url.clone(),
            backchannel_logout_uri: self.backchannel_logout_uri.clone(),
            frontchannel_logout_uri: self.frontchannel_logout_uri.clone(),
            id_token_alg: self.id_token_signed_response_alg.clone(),
            initiate_login_uri: self.initiate_login_uri.clone(),
            target_link_uri: self.target_link_uri.clone(),
        }
    }
}

fn fields(tr: Tr, f: &ToolForm) -> Vec<Field> {
    let text = |id: &str, name: &'static str, answers: &'static str, v: &str| {
        Field::new(
            tr,
            format!("tool-{id}"),
            name,
            &format!("oidc.admin.{name}"),
        )
        .value(v.to_owned())
        .answers(&[answers])
    };
    let check = |name: &'static str, on: bool| {
        Field::new(
            tr,
            format!("tool-{name}"),
            name,
            &format!("oidc.admin.{name}"),
        )
        .kind("checkbox")
        .checked(on)
        .answers(&["claims"])
    };
    vec![
        text("name", "name", "name", &f.name).required(),
        text(
            "redirect",
            "redirect_uris",
            "redirect_uri",
            &f.redirect_uris,
        )
        .kind("textarea")
        .required()
        .hint(tr, "oidc.admin.redirect_hint"),
        check("public", f.public.is_some()).hint(tr, "oidc.admin.public_hint"),
        check("claim_school", f.claim_school.is_some()),
        check("claim_role", f.claim_role.is_some()),
        check("claim_name", f.claim_name.is_some()),
        check("claim_email", f.claim_email.is_some()),
        check("claim_groups", f.claim_groups.is_some()),
        text("terms", "terms", "terms", &f.terms).kind("textarea"),
        text("terms-url", "terms_url", "terms_url", &f.terms_url),
        text(
            "post",
            "post_logout_uris",
            "post_logout_uri",
            &f.post_logout_uris,
        )
        .kind("textarea"),
        text(
            "bcl",
            "backchannel_logout_uri",
            "backchannel_logout_uri",
            &f.backchannel_logout_uri,
        )
        .hint(tr, "oidc.admin.backchannel_hint"),
        text(
            "fcl",
            "frontchannel_logout_uri",
            "frontchannel_logout_uri",
            &f.frontchannel_logout_uri,
        ),
        text(
            "alg",
            "id_token_signed_response_alg",
            "id_token_signed_response_alg",
            &f.id_token_signed_response_alg,
        )
        .options([
            (String::new(), tr.t("oidc.admin.alg_rs256").to_owned()),
            ("ES256".to_owned(), tr.t("oidc.admin.alg_es256").to_owned()),
        ])
        .hint(tr, "oidc.admin.alg_hint"),
        text(
            "initiate",
            "initiate_login_uri",
            "initiate_login_uri",
            &f.initiate_login_uri,
        )
        .hint(tr, "oidc.admin.initiate_hint"),
        text(
            "target",
            "target_link_uri",
            "target_link_uri",
            &f.target_link_uri,
        )
        .hint(tr, "oidc.admin.target_hint"),
    ]
}

struct Shown<'a> {
    form: &'a ToolForm,
    failure: Option<&'a Failure>,
    registered: Option<RegisteredClient>,
}

fn view(c: Chrome, action: &'static str, tools: Vec<ToolSummary>, s: Shown<'_>) -> ToolsPage {
    let tr = c.tr;
    ToolsPage {
        form: FormView::new("tool", fields(tr, s.form), s.failure),
        c,
        action,
        tools,
        registered: s.registered,
        under16: None,
    }
}

fn respond(p: &ToolsPage, failure: Option<&Failure>) -> Response {
    match failure {
        Some(f) => render::html(f.status, p),
        None => render::ok(p),
    }
}

async fn school_page(state: &AppState, r: &Ready, s: Shown<'_>) -> Response {
    let p = &state.platform;
    let (tools, rule) = match (
        p.oidc_school_tools(&r.actor).await,
        p.oidc_under16(&r.actor).await,
    ) {
        (Ok(t), Ok(u)) => (t, u),
        (Err(e), _) | (_, Err(e)) => return r.fail(e),
    };
    let c = Chrome::new(&r.page, r.page.tr().t("oidc.admin.title")).signed_in(&r.page, &r.actor);
    let failure = s.failure;
    let mut page = view(c, SCHOOL, tools, s);
    page.under16 = Some(rule.as_str());
    respond(&page, failure)
}

/// `GET /verwaltung/werkzeuge`.
pub async fn school_show(State(state): State<AppState>, r: Ready) -> Response {
    let form = ToolForm::default();
    let shown = Shown {
        form: &form,
        failure: None,
        registered: None,
    };
    school_page(&state, &r, shown).await
}

/// `POST /verwaltung/werkzeuge`: registers a tool for the school.
pub async fn school_register(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<ToolForm>,
) -> Response {
    match state
        .platform
        .oidc_register_school_tool(&r.actor, &f.new_client())
        .await
    {
        Ok(reg) => {
            let empty = ToolForm::default();
            let shown = Shown {
                form: &empty,
                failure: None,
                registered: Some(reg),
            };
            school_page(&state, &r, shown).await
        }
        Err(e @ DomainError::Invalid { .. }) => {
            let failure = Failure::from_domain("tool", r.page.tr(), &e);
            let shown = Shown {
                form: &f,
                failure: Some(&failure),
                registered: None,
            };
            school_page(&state, &r, shown).await
        }
        Err(e) => r.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Under16Form {
    #[serde(default)]
    under16: String,
}

/// `POST /verwaltung/werkzeuge/unter16`.
pub async fn school_under16(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<Under16Form>,
) -> Response {
    let value = Under16::parse(&f.under16).map_or("", Under16::as_str);
    match state.platform.oidc_set_under16(&r.actor, value).await {
        Ok(()) => Redirect::to(&format!("{SCHOOL}?ok=tool_under16_saved")).into_response(),
        Err(e) => r.fail(e),
    }
}

async fn operator_page(state: &AppState, o: &Operator, s: Shown<'_>) -> Response {
    let tools = match state.platform.operator_tools(&o.actor).await {
        Ok(t) => t,
        Err(e) => return o.fail(e),
    };
    let c = o.chrome(o.page.tr().t("oidc.admin.state_title"));
    let failure = s.failure;
    respond(&view(c, STATE, tools, s), failure)
}

/// `GET /betrieb/werkzeuge`.
pub async fn operator_show(State(state): State<AppState>, o: Operator) -> Response {
    let form = ToolForm::default();
    operator_page(
        &state,
        &o,
        Shown {
            form: &form,
            failure: None,
            registered: None,
        },
    )
    .await
}

/// `POST /betrieb/werkzeuge`: registers a state-wide tool.
pub async fn operator_register(
    State(state): State<AppState>,
    o: Operator,
    Form(f): Form<ToolForm>,
) -> Response {
    match state
        .platform
        .operator_register_tool(&o.actor, &f.new_client(), &o.addr)
        .await
    {
        Ok(reg) => {
            let empty = ToolForm::default();
            let shown = Shown {
                form: &empty,
                failure: None,
                registered: Some(reg),
            };
            operator_page(&state, &o, shown).await
        }
        Err(e @ DomainError::Invalid { .. }) => {
            let failure = Failure::from_domain("tool", o.page.tr(), &e);
            let shown = Shown {
                form: &f,
                failure: Some(&failure),
                registered: None,
            };
            operator_page(&state, &o, shown).await
        }
        Err(e) => o.fail(e),
    }
}
