//! Registering LTI 1.3 tools on the web: a school's administrators at
//! `/verwaltung/werkzeuge/lti`, the operator state-wide at `/betrieb/werkzeuge/lti`. The
//! same as `schulhof lti tool add`: client id, login URL, target link and redirect URIs, the
//! tool's keys pasted or fetched from its key set URL. The page shows what the tool is then
//! configured with (the platform's ids and URLs). Registered tools appear in the tool list
//! of `/verwaltung/werkzeuge` with their counts.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::lti::{NewLtiTool, RegisteredLtiTool, path};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::operator::Operator;
use crate::render;

const SCHOOL: &str = "/verwaltung/werkzeuge/lti";
const STATE: &str = "/betrieb/werkzeuge/lti";

#[derive(Template)]
#[template(path = "oidc/lti_admin.html")]
struct LtiToolsPage {
    c: Chrome,
    action: &'static str,
    back: &'static str,
    form: FormView,
    /// Just registered: what the tool is configured with.
    registered: Option<Configured>,
}

/// The values the tool's administrator types into the tool.
struct Configured {
    issuer: String,
    client_id: String,
    deployment_id: String,
    auth_login_url: String,
    auth_token_url: String,
    key_set_url: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LtiForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    login_url: String,
    #[serde(default)]
    target_link_uri: String,
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    jwks_url: String,
    #[serde(default)]
    jwks: String,
    claim_name: Option<String>,
    claim_email: Option<String>,
    #[serde(default)]
    terms: String,
}

impl LtiForm {
    fn tool(&self) -> NewLtiTool {
        let claims = [("name", &self.claim_name), ("email", &self.claim_email)]
            .into_iter()
            .filter(|(_, on)| on.is_some())
            .map(|(c, _)| c.to_owned())
            .collect();
        NewLtiTool {
            school: None,
            name: self.name.clone(),
            login_url: self.login_url.clone(),
            target_link_uri: self.target_link_uri.clone(),
            redirect_uris: self.redirect_uris.lines().map(str::to_owned).collect(),
            jwks: self.jwks.clone(),
            jwks_url: self.jwks_url.clone(),
            claims,
            terms: self.terms.clone(),
        }
    }
}

fn fields(tr: Tr, f: &LtiForm) -> Vec<Field> {
    let text = |name: &'static str, v: &str| {
        Field::new(
            tr,
            format!("lti-{name}"),
            name,
            &format!("lti.admin.{name}"),
        )
        .value(v.to_owned())
        .answers(&[name])
    };
    let check = |name: &'static str, on: bool| {
        Field::new(
            tr,
            format!("lti-{name}"),
            name,
            &format!("lti.admin.{name}"),
        )
        .kind("checkbox")
        .checked(on)
        .answers(&["claims"])
    };
    vec![
        text("name", &f.name).required(),
        text("login_url", &f.login_url).required(),
        text("target_link_uri", &f.target_link_uri).required(),
        text("redirect_uris", &f.redirect_uris)
            .kind("textarea")
            .answers(&["redirect_uri"])
            .hint(tr, "lti.admin.redirect_hint"),
        text("jwks_url", &f.jwks_url).hint(tr, "lti.admin.jwks_url_hint"),
        text("jwks", &f.jwks)
            .kind("textarea")
            .hint(tr, "lti.admin.jwks_hint"),
        check("claim_name", f.claim_name.is_some()),
        check("claim_email", f.claim_email.is_some()),
        text("terms", &f.terms).kind("textarea"),
    ]
}

/// The issuer as `schulhof-oidc` names it: the public base URL, else the request's host.
pub(super) fn issuer(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state.platform.config().outbound.public_url.as_deref() {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The provider's key set (`schulhof_oidc::JWKS`): LTI ID tokens are signed with its keys.
const JWKS: &str = "/oidc/jwks";

fn configured(iss: String, t: RegisteredLtiTool) -> Configured {
    Configured {
        auth_login_url: format!("{iss}{}", path::AUTHORIZE),
        auth_token_url: format!("{iss}{}", path::TOKEN),
        key_set_url: format!("{iss}{}", JWKS),
        issuer: iss,
        client_id: t.client_id,
        deployment_id: t.deployment_id,
    }
}

struct Shown<'a> {
    form: &'a LtiForm,
    failure: Option<&'a Failure>,
    registered: Option<Configured>,
}

fn page(c: Chrome, action: &'static str, back: &'static str, s: Shown<'_>) -> Response {
    let p = LtiToolsPage {
        form: FormView::new("lti", fields(c.tr, s.form), s.failure),
        c,
        action,
        back,
        registered: s.registered,
    };
    match s.failure {
        Some(f) => render::html(f.status, &p),
        None => render::ok(&p),
    }
}

/// What a registration attempt shows next.
fn outcome<'a>(
    f: &'a LtiForm,
    empty: &'a LtiForm,
    failure: &'a mut Option<Failure>,
    tr: Tr,
    iss: String,
    r: Result<RegisteredLtiTool, DomainError>,
) -> Result<Shown<'a>, DomainError> {
    match r {
        Ok(t) => Ok(Shown {
            form: empty,
            failure: None,
            registered: Some(configured(iss, t)),
        }),
        Err(e @ DomainError::Invalid { .. }) => {
            *failure = Some(Failure::from_domain("lti", tr, &e));
            let shared: &'a Option<Failure> = failure;
            Ok(Shown {
                form: f,
                failure: shared.as_ref(),
                registered: None,
            })
        }
        Err(e) => Err(e),
    }
}

fn school_chrome(r: &Ready) -> Chrome {
    Chrome::new(&r.page, r.page.tr().t("lti.admin.title")).signed_in(&r.page, &r.actor)
}

/// `GET /verwaltung/werkzeuge/lti`: the form (school administrators only).
pub async fn school_show(State(state): State<AppState>, r: Ready) -> Response {
    // The policy decides: who may not register tools gets what the tool list gives them.
    if let Err(e) = state.platform.oidc_school_tools(&r.actor).await {
        return r.fail(e);
    }
    let f = LtiForm::default();
    let shown = Shown {
        form: &f,
        failure: None,
        registered: None,
    };
    page(school_chrome(&r), SCHOOL, "/verwaltung/werkzeuge", shown)
}

/// `POST /verwaltung/werkzeuge/lti`: registers an LTI tool for the school.
pub async fn school_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    r: Ready,
    Form(f): Form<LtiForm>,
) -> Response {
    let result = state
        .platform
        .lti_register_school_tool(&r.actor, &f.tool())
        .await;
    let (empty, mut failure) = (LtiForm::default(), None);
    let iss = issuer(&state, &headers);
    match outcome(&f, &empty, &mut failure, r.page.tr(), iss, result) {
        Ok(shown) => page(school_chrome(&r), SCHOOL, "/verwaltung/werkzeuge", shown),
        Err(e) => r.fail(e),
    }
}

/// `GET /betrieb/werkzeuge/lti`: the form for state-wide LTI tools.
pub async fn operator_show(State(state): State<AppState>, o: Operator) -> Response {
    if let Err(e) = state.platform.operator_tools(&o.actor).await {
        return o.fail(e);
    }
    let f = LtiForm::default();
    let shown = Shown {
        form: &f,
        failure: None,
        registered: None,
    };
    let c = o.chrome(o.page.tr().t("lti.admin.state_title"));
    page(c, STATE, "/betrieb/werkzeuge", shown)
}

/// `POST /betrieb/werkzeuge/lti`: registers a state-wide LTI tool.
pub async fn operator_register(
    State(state): State<AppState>,
    headers: HeaderMap,
    o: Operator,
    Form(f): Form<LtiForm>,
) -> Response {
    let result = state
        .platform
        .operator_register_lti_tool(&o.actor, &f.tool(), &o.addr)
        .await;
    let (empty, mut failure) = (LtiForm::default(), None);
    let iss = issuer(&state, &headers);
    match outcome(&f, &empty, &mut failure, o.page.tr(), iss, result) {
        Ok(shown) => {
            let c = o.chrome(o.page.tr().t("lti.admin.state_title"));
            page(c, STATE, "/betrieb/werkzeuge", shown)
        }
        Err(e) => o.fail(e),
    }
}
