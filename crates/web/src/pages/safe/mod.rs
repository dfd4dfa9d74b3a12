//! `/safe`: the Daten-Safe's door. Who may never enter gets "not found"; who has no Safe
//! password yet learns where it comes from; a locked Safe asks for its password; an open one
//! shows its areas and a button to lock it. Plus `/safe/passwoerter`, where the
//! Schulleitung (and the admin, for a forgotten one) generates Safe passwords.
//!
//! Every Safe page acts with the actor [`Platform::safe_actor`] hands out; only it sees Safe
//! content, and each use keeps the Safe open for another ten minutes.
//!
//! [`Platform::safe_actor`]: schulhof_domain::Platform::safe_actor

pub mod editor;
mod letters;
pub mod node;
pub mod password;
pub mod rename;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_types::RightId;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::files::{area_title, parse_node};
use crate::render;
use crate::url;
pub use letters::{generate, letters, passwords};

/// Where the Safe's pages live.
pub const SAFE: &str = "/safe";

pub fn safe_href(id: schulhof_types::NodeId) -> String {
    format!("{SAFE}/{id}")
}

/// To the unlock page, and back to `back` once the Safe is open.
pub fn to_unlock(back: &str) -> Response {
    Redirect::to(&format!("{SAFE}?zurueck={}", url::encode(back))).into_response()
}

/// The caller with the Safe open; locked, the answer is the way to the unlock page.
pub async fn open_safe(state: &AppState, r: &Ready, back: &str) -> Result<Actor, Response> {
    match state.platform.safe_actor(&r.actor).await {
        Ok(a) => Ok(a),
        Err(DomainError::SafeLocked) => Err(to_unlock(back)),
        Err(e) => Err(r.fail(e)),
    }
}

/// A node of the Safe the opened Safe's actor may see. Nodes of the file manager are not
/// served here (nor Safe nodes there).
pub async fn locate_safe(
    state: &AppState,
    safe: &Actor,
    id: &str,
) -> Result<(Located, FileEntry), DomainError> {
    let id = parse_node(id).ok_or(DomainError::NotFound)?;
    let located = state.platform.locate(safe, id).await?;
    if !located.area.is_safe() {
        return Err(DomainError::NotFound);
    }
    let entry = located.entry(safe).ok_or(DomainError::NotFound)?;
    Ok((located, entry))
}

/// Safe contents must not stay in any cache: every Safe answer says so.
pub async fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Whether the caller hands out Safe passwords (the Schulleitung, the admin).
pub(crate) fn manages_passwords(actor: &Actor) -> bool {
    actor.token.has(RightId::SafeAdmin) || actor.token.has(RightId::AdminSafePasswordReset)
}

#[derive(Template)]
#[template(path = "safe/start.html")]
struct SafePage {
    c: Chrome,
    no_password: bool,
    unlock: Option<FormView>,
    back: String,
    areas: Vec<AreaTile>,
    /// Some area has a trash the caller may use.
    any_trash: bool,
    manage: bool,
    /// Open with a generated Safe password: the form for the owner's own, first thing
    /// after unlocking.
    own_form: Option<FormView>,
}

struct AreaTile {
    href: String,
    title: &'static str,
    /// The policy lets the caller change nothing at the top of the area.
    read_only: bool,
    /// Its trash, where the caller may delete (and so restore) at the top of the area.
    trash_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    zurueck: String,
}

fn unlock_form(r: &Ready, failure: Option<&Failure>) -> FormView {
    let tr = r.page.tr();
    let field = Field::new(tr, "safe-password", "passwort", "safe.password")
        .kind("password")
        .auto("off")
        .required()
        .answers(&["password"]);
    FormView::new("unlock", vec![field], failure)
}

async fn render_start(
    state: &AppState,
    r: &Ready,
    back: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let p = &state.platform;
    let status = match p.safe_status(&r.actor).await {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    let mut areas = Vec::new();
    let mut unlock = None;
    if status.has_password {
        match p.safe_actor(&r.actor).await {
            Ok(safe) => match p.safe_areas(&safe).await {
                Ok(list) => {
                    areas = list
                        .iter()
                        .map(|a| AreaTile {
                            href: safe_href(a.id),
                            title: area_title(tr, a.area),
                            read_only: !a.caps.write,
                            trash_href: a
                                .caps
                                .relocate
                                .then(|| format!("{SAFE}/papierkorb?bereich={}", a.area)),
                        })
                        .collect();
                }
                Err(e) => return r.fail(e),
            },
            Err(DomainError::SafeLocked) => unlock = Some(unlock_form(r, failure)),
            Err(e) => return r.fail(e),
        }
    }
    let view = SafePage {
        c: Chrome::new(&r.page, tr.t("safe.title")).signed_in(&r.page, &r.actor),
        any_trash: areas.iter().any(|a| a.trash_href.is_some()),
        no_password: !status.has_password,
        unlock,
        back: back.to_owned(),
        own_form: (!areas.is_empty() && must_choose(state, r).await)
            .then(|| password::password_fields(tr, None)),
        areas,
        manage: manages_passwords(&r.actor),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /safe`.
pub async fn start(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<BackQuery>,
) -> Response {
    render_start(&state, &r, url::local_path(&q.zurueck), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct UnlockForm {
    #[serde(default)]
    passwort: String,
    #[serde(default)]
    zurueck: String,
}

/// `POST /safe/oeffnen`: the Safe password; then back where the caller wanted to go.
pub async fn unlock(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<UnlockForm>,
) -> Response {
    let back = url::local_path(&f.zurueck);
    match state
        .platform
        .safe_unlock(&r.actor, &f.passwort, &r.addr)
        .await
    {
        Ok(()) if back.starts_with(&format!("{SAFE}/")) => Redirect::to(back).into_response(),
        Ok(()) => Redirect::to(&format!("{SAFE}?ok=safe_opened")).into_response(),
        Err(e) => {
            let failure = Failure::from_domain("unlock", r.page.tr(), &e);
            render_start(&state, &r, back, Some(&failure)).await
        }
    }
}

/// Whether the caller's Safe password was generated by someone else; a failed look-up
/// asks nothing (the Safe's own checks still apply).
pub(crate) async fn must_choose(state: &AppState, r: &Ready) -> bool {
    state
        .platform
        .safe_must_choose_password(&r.actor)
        .await
        .unwrap_or(false)
}

/// `POST /safe/sperren`.
pub async fn lock(State(state): State<AppState>, r: Ready) -> Response {
    match state.platform.safe_lock(&r.actor).await {
        Ok(()) => Redirect::to(&format!("{SAFE}?ok=safe_locked")).into_response(),
        Err(e) => r.fail(e),
    }
}

/// A Safe password, shown this once.
#[derive(Template)]
#[template(path = "safe/password_shown.html")]
struct PasswordShown {
    c: Chrome,
    heading: String,
    label: String,
    login: String,
    password: String,
}

/// The page that shows a new Safe password once (to the Schulleitung only).
pub(crate) fn password_shown(r: &Ready, login: String, password: String) -> Response {
    secret_shown(r, "safe.passwords.shown", "safe.password", login, password)
}

/// Shows a generated password once: heading and label are text keys.
pub(crate) fn secret_shown(
    r: &Ready,
    heading: &str,
    label: &str,
    login: String,
    password: String,
) -> Response {
    let tr = r.page.tr();
    let heading = tr.t(heading).replace("{login}", &login);
    let view = PasswordShown {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        label: tr.t(label).to_owned(),
        login,
        password,
    };
    render::ok(&view)
}
