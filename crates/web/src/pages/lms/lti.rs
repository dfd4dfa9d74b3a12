//! LTI tools in a course: the teacher's form to place a tool in a section (or to pick
//! content in it by deep linking), and an LTI activity's page with the launch button and
//! the grades the tool posted (editors see all, a participant their own). Launches
//! themselves are the protocol crate's (`/lti/start/{a}`).

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use schulhof_domain::DomainError;
use schulhof_domain::lti::LtiActivityInput;
use schulhof_front::AppState;
use schulhof_types::{ActivityId, SectionId};

use super::course::course_href;
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

type Pairs = Vec<(String, String)>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kurse/abschnitte/{s}/lti/neu", get(form).post(create))
        .route("/kurse/lti/{a}", get(show))
}

#[derive(Template)]
#[template(path = "lms/lti/new.html")]
struct NewPage {
    c: Chrome,
    action: String,
    pick: String,
    back: String,
    tools: Vec<(String, String)>,
    title: String,
    target: String,
    custom: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "lms/lti/show.html")]
struct ShowPage {
    c: Chrome,
    back: String,
    title: String,
    open: String,
    grades: Vec<(String, String, String)>,
}

fn field<'a>(f: &'a Pairs, k: &str) -> &'a str {
    f.iter()
        .find(|(n, _)| n == k)
        .map_or("", |(_, v)| v.as_str())
}

async fn page(
    state: &AppState,
    r: &Ready,
    s: SectionId,
    f: &Pairs,
    error: Option<String>,
) -> Response {
    let course = match state.platform.lms_section_for_edit(&r.actor, s).await {
        Ok((row, _)) => row.course_id,
        Err(e) => return r.fail(e),
    };
    let tools = match state.platform.lti_tools(&r.actor).await {
        Ok(t) => t.into_iter().map(|t| (t.client_id, t.name)).collect(),
        Err(e) => return r.fail(e),
    };
    let p = NewPage {
        c: Chrome::new(&r.page, r.page.tr().t("lti.new")).signed_in(&r.page, &r.actor),
        action: format!("/kurse/abschnitte/{s}/lti/neu"),
        pick: format!("/lti/auswahl/{s}"),
        back: course_href(course),
        tools,
        title: field(f, "titel").to_owned(),
        target: field(f, "ziel").to_owned(),
        custom: field(f, "parameter").to_owned(),
        error,
    };
    render::ok(&p)
}

/// `GET /kurse/abschnitte/{s}/lti/neu`.
async fn form(State(state): State<AppState>, r: Ready, Path(s): Path<String>) -> Response {
    let Ok(s) = s.parse::<SectionId>() else {
        return r.fail(DomainError::NotFound);
    };
    page(&state, &r, s, &Vec::new(), None).await
}

/// `POST /kurse/abschnitte/{s}/lti/neu`.
async fn create(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let Ok(s) = s.parse::<SectionId>() else {
        return r.fail(DomainError::NotFound);
    };
    let input = LtiActivityInput {
        client_id: field(&f, "werkzeug").to_owned(),
        title: field(&f, "titel").to_owned(),
        target_link_uri: field(&f, "ziel").to_owned(),
        custom: field(&f, "parameter").to_owned(),
    };
    match state.platform.lti_add_activity(&r.actor, s, &input).await {
        Ok(a) => axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            &format!("/kurse/lti/{a}?ok=lms_saved"),
        )),
        Err(DomainError::Invalid { message, .. }) => {
            let m = r.page.tr().message(&message);
            page(&state, &r, s, &f, Some(m)).await
        }
        Err(e) => r.fail(e),
    }
}

/// `GET /kurse/lti/{a}`.
async fn show(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let Ok(a) = a.parse::<ActivityId>() else {
        return r.fail(DomainError::NotFound);
    };
    let v = match state.platform.lti_activity(&r.actor, a).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let grades = v
        .grades
        .iter()
        .map(|(p, given, max, comment)| {
            let pts = given.map_or("–".to_owned(), |g| format!("{g:.1} / {max:.1}"));
            (
                format!("{} {}", p.first_name, p.last_name),
                pts,
                comment.clone(),
            )
        })
        .collect();
    let p = ShowPage {
        c: Chrome::new(&r.page, &v.ctx.activity.title).signed_in(&r.page, &r.actor),
        back: course_href(v.ctx.activity.course_id),
        title: v.ctx.activity.title.clone(),
        open: format!("/lti/start/{a}"),
        grades,
    };
    render::ok(&p)
}
