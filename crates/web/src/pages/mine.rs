//! `/gruppen` "Meine Gruppen": the groups one is in, with their members; teachers reset
//! the passwords of students in their own groups here.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_front::{AppState, error_info};
use serde::Deserialize;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::views::{ConfirmPage, PasswordShown};
use crate::render;
use crate::url;

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    c: Chrome,
    groups: Vec<GroupBlock>,
    error: Option<String>,
}

struct GroupBlock {
    id: String,
    name: String,
    kind: &'static str,
    members: Vec<Member>,
    /// The one-step hand-in folder for this group, where the policy allows it.
    handin_href: Option<String>,
}

struct Member {
    name: String,
    login: String,
    kind: String,
    reset_href: Option<String>,
}

async fn render_mine(state: &AppState, r: &Ready, error: Option<(StatusCode, String)>) -> Response {
    let tr = r.page.tr();
    let all = match state.platform.list_groups(&r.actor, "").await {
        Ok(g) => g,
        Err(e) => return r.fail(e),
    };
    let mut groups = Vec::new();
    use crate::pages::files;
    let handin = files::handin::may_create(state, &r.actor).await;
    // Admins and the principal see every group elsewhere; here only one's own count.
    for g in all.into_iter().filter(|g| r.actor.token.is_member(g.id)) {
        let detail = match state.platform.group_detail(&r.actor, g.id).await {
            Ok(d) => d,
            Err(e) => return r.fail(e),
        };
        let members = detail
            .members
            .iter()
            .map(|m| Member {
                name: format!("{} {}", m.first_name, m.last_name),
                login: m.login.clone(),
                kind: tr.kind_label(&m.account_type, None),
                reset_href: m
                    .may_reset_password
                    .then(|| reset_href(&g.id.to_string(), &m.login)),
            })
            .collect();
        groups.push(GroupBlock {
            handin_href: handin.then(|| files::handin::new_href(&g.id.to_string())),
            id: g.id.to_string(),
            name: g.name,
            kind: tr.group_kind(&g.kind),
            members,
        });
    }
    let (status, error) = match error {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let view = MinePage {
        c: Chrome::new(&r.page, tr.t("mine.title")).signed_in(&r.page, &r.actor),
        groups,
        error,
    };
    render::html(status, &view)
}

pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_mine(&state, &r, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct Confirmed {
    #[serde(default)]
    bestaetigt: String,
}

/// `GET /gruppen/{id}/passwort/{login}`: "really reset?" — a new password locks the student
/// out until they get it, so the button alone never resets.
pub async fn reset_confirm(r: Ready, Path((group, login)): Path<(String, String)>) -> Response {
    confirm_page(&r, &group, &login)
}

fn confirm_page(r: &Ready, group: &str, login: &str) -> Response {
    let tr = r.page.tr();
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("admin.reset.title")).signed_in(&r.page, &r.actor),
        heading: tr.t("admin.reset.title").to_owned(),
        text: tr.t("admin.reset.text").replace("{login}", login),
        action: reset_href(group, login),
        button: tr.t("mine.reset"),
        cancel_href: "/gruppen".into(),
    };
    render::ok(&view)
}

fn reset_href(group: &str, login: &str) -> String {
    format!(
        "/gruppen/{}/passwort/{}",
        url::encode(group),
        url::encode(login)
    )
}

/// The group in the path is only where the button was; the domain decides from the
/// groups the teacher and the student actually share. Without the confirmation, the
/// confirmation page answers.
pub async fn reset_password(
    State(state): State<AppState>,
    r: Ready,
    Path((group, login)): Path<(String, String)>,
    Form(f): Form<Confirmed>,
) -> Response {
    let tr = r.page.tr();
    if f.bestaetigt != "ja" {
        return confirm_page(&r, &group, &login);
    }
    match state.platform.reset_password(&r.actor, &login, None).await {
        Ok(password) => {
            let view = PasswordShown {
                c: Chrome::new(&r.page, tr.t("password.reset_title")).signed_in(&r.page, &r.actor),
                heading: tr.t("password.reset_title").to_owned(),
                login,
                password: password.unwrap_or_default(),
                back_href: "/gruppen".into(),
                back_label: tr.t("mine.back"),
            };
            render::ok(&view)
        }
        Err(e @ (DomainError::NotFound | DomainError::Forbidden | DomainError::Denied(_))) => {
            let status = error_info(&e).status;
            let message = match e {
                DomainError::Denied(_) => tr.error_text(&e, &error_info(&e)),
                _ => tr.t("mine.reset_refused").to_owned(),
            };
            render_mine(&state, &r, Some((status, message))).await
        }
        Err(e) => r.fail(e),
    }
}
