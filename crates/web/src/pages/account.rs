//! `/konto` "Mein Konto": the own user card, groups and rights; password, external mail
//! address, logging out everywhere, and revoking consent.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_front::{AppState, expire_session_cookie};
use schulhof_types::{RightCategory, RightId};
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::files::usage_text;
use crate::pages::password_change::{PasswordForm, password_fields};
use crate::pages::views::{ConfirmPage, MessagePage, RightRow, effective_rows};
use crate::render;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    facts: Vec<(&'static str, String)>,
    groups: Vec<String>,
    rights: Vec<RightGroup>,
    password: Option<FormView>,
    mail: Option<FormView>,
    has_external: bool,
    /// The login has a mailbox, so an absence note.
    has_mailbox: bool,
}

/// The rights of one module, in words.
struct RightGroup {
    id: &'static str,
    title: &'static str,
    rows: Vec<RightRow>,
}

/// The module a right belongs to, as the account page groups them: (anchor, title key).
/// `None` for modules not built yet (news, contacts, calendars, help) and for mail
/// delegation (it comes with mail governance): their rights would promise what nobody can use.
fn module_of(right: RightId) -> Option<(&'static str, &'static str)> {
    match right.category() {
        RightCategory::Account => Some(("konto", "admin.module.account")),
        RightCategory::Groups => Some(("gruppen", "admin.module.groups")),
        RightCategory::FilesOwn | RightCategory::FilesTeaching | RightCategory::FilesStaff => {
            Some(("dateien", "admin.module.files"))
        }
        RightCategory::Media => Some(("mediathek", "admin.module.media")),
        RightCategory::Safe => Some(("safe", "admin.module.safe")),
        RightCategory::Function => match right {
            RightId::SchoolCalendarEdit | RightId::NewsPublish => None,
            _ => Some(("verwaltung", "admin.module.admin")),
        },
        RightCategory::Mail => match right {
            RightId::MailForward => None,
            _ => Some(("mail", "admin.module.mail")),
        },
        RightCategory::News
        | RightCategory::Contacts
        | RightCategory::Calendar
        | RightCategory::Help
        | RightCategory::Chat => None,
    }
}

/// The rights grouped by module, in the order of the modules' first rights.
fn grouped_rights(tr: crate::i18n::Tr, rights: &[RightId], kind: &str) -> Vec<RightGroup> {
    let mut groups: Vec<RightGroup> = Vec::new();
    let built: Vec<RightId> = rights
        .iter()
        .copied()
        .filter(|r| module_of(*r).is_some())
        .collect();
    let rows = effective_rows(tr, &built, kind, None);
    for (right, row) in built.iter().zip(rows) {
        let Some((id, title)) = module_of(*right) else {
            continue;
        };
        match groups.iter_mut().find(|g| g.id == id) {
            Some(g) => g.rows.push(row),
            None => groups.push(RightGroup {
                id,
                title: tr.t(title),
                rows: vec![row],
            }),
        }
    }
    groups
}

async fn render_account(
    state: &AppState,
    r: &Ready,
    failure: Option<&Failure>,
    mail_input: Option<&str>,
) -> Response {
    let tr = r.page.tr();
    let me = match state.platform.me(&r.actor) {
        Ok(me) => me,
        Err(e) => return r.fail(e),
    };
    let usage = match state.platform.file_usage(&r.actor).await {
        Ok(u) => u,
        Err(e) => return r.fail(e),
    };
    let role = match &me.function_role {
        Some(f) => format!("{} ({})", tr.function_role(f), tr.t("account.function")),
        None => tr.account_type(&me.account_type).to_owned(),
    };
    let none = tr.t("account.none");
    let facts = vec![
        (
            tr.t("field.name"),
            format!("{} {}", me.first_name, me.last_name),
        ),
        (tr.t("field.login"), me.login.clone()),
        (
            tr.t("field.school_name"),
            format!("{} ({})", me.school_name, me.instance),
        ),
        (tr.t("field.account_type"), role),
        (tr.t("field.mail"), me.mail.clone()),
        (
            tr.t("field.external_mail"),
            me.external_mail.clone().unwrap_or_else(|| none.to_owned()),
        ),
        (
            tr.t("files.storage_account"),
            usage_text(tr, usage.used, usage.quota),
        ),
    ];
    let has = |right| r.actor.token.has(right);
    let mail = has(RightId::AccountExternalMail).then(|| {
        let value = mail_input.map_or_else(
            || me.external_mail.clone().unwrap_or_default(),
            str::to_owned,
        );
        let field = Field::new(tr, "ext-mail", "external_mail", "field.external_mail")
            .kind("email")
            .value(value)
            .auto("email")
            .hint(tr, "account.external_hint");
        FormView::new("mail", vec![field], failure)
    });
    let view = AccountPage {
        c: Chrome::new(&r.page, tr.t("account.title")).signed_in(&r.page, &r.actor),
        rights: grouped_rights(tr, &me.rights, &me.account_type),
        has_external: me.external_mail.is_some(),
        has_mailbox: schulhof_authz::check(&r.actor.token, schulhof_authz::mail::UseOwnMailbox)
            .is_ok(),
        facts,
        groups: me.groups,
        password: has(RightId::AccountPassword).then(|| password_fields(tr, "password", failure)),
        mail,
    };
    render::html(
        failure.map_or(axum::http::StatusCode::OK, |f| f.status),
        &view,
    )
}

pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_account(&state, &r, None, None).await
}

pub async fn change_password(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<PasswordForm>,
) -> Response {
    let tr = r.page.tr();
    if let Some(failure) = f.mismatch(tr, "password") {
        return render_account(&state, &r, Some(&failure), None).await;
    }
    match state
        .platform
        .change_own_password(&r.actor, &f.old, &f.new, &r.addr)
        .await
    {
        Ok(()) => Redirect::to("/konto?ok=password_changed").into_response(),
        Err(e) => {
            render_account(
                &state,
                &r,
                Some(&Failure::from_domain("password", tr, &e)),
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MailForm {
    #[serde(default)]
    external_mail: String,
    #[serde(default)]
    aktion: String,
}

pub async fn external_mail(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<MailForm>,
) -> Response {
    let remove = f.aktion == "entfernen";
    let value = if remove { "" } else { f.external_mail.as_str() };
    match state.platform.set_own_external_mail(&r.actor, value).await {
        Ok(()) if value.trim().is_empty() => Redirect::to("/konto?ok=mail_removed").into_response(),
        Ok(()) => Redirect::to("/konto?ok=mail_saved").into_response(),
        Err(e) => {
            let failure = Failure::from_domain("mail", r.page.tr(), &e);
            render_account(&state, &r, Some(&failure), Some(&f.external_mail)).await
        }
    }
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    r: Ready,
    jar: CookieJar,
) -> Response {
    match state.platform.logout_everywhere(&r.actor, &r.addr).await {
        Ok(()) => {
            let jar = jar.add(expire_session_cookie(state.secure_cookies));
            (jar, Redirect::to("/?ok=logged_out_everywhere")).into_response()
        }
        Err(e) => r.fail(e),
    }
}

pub async fn revoke_confirm(r: Ready) -> Response {
    let tr = r.page.tr();
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("revoke.title")).signed_in(&r.page, &r.actor),
        heading: tr.t("revoke.title").to_owned(),
        text: tr.t("revoke.text").to_owned(),
        action: "/konto/zustimmung-widerrufen".into(),
        button: tr.t("revoke.button"),
        cancel_href: "/konto".into(),
    };
    render::ok(&view)
}

#[derive(Debug, Default, Deserialize)]
pub struct Confirmed {
    #[serde(default)]
    pub bestaetigt: String,
}

/// Revoking deactivates the account and ends every session, so the answer is a page
/// for someone who is no longer signed in.
pub async fn revoke(
    State(state): State<AppState>,
    r: Ready,
    jar: CookieJar,
    Form(f): Form<Confirmed>,
) -> Response {
    if f.bestaetigt != "ja" {
        return Redirect::to("/konto/zustimmung-widerrufen").into_response();
    }
    if let Err(e) = state.platform.revoke_consent(&r.actor, &r.addr).await {
        return r.fail(e);
    }
    let tr = r.page.tr();
    let view = MessagePage {
        c: Chrome::new(&r.page, tr.t("revoked.title")),
        heading: tr.t("revoked.title"),
        paragraphs: vec![tr.t("revoked.text").to_owned()],
        link: Some(("/", tr.t("error.back_home"))),
        logout: false,
    };
    let jar = jar.add(expire_session_cookie(state.secure_cookies));
    (jar, render::ok(&view)).into_response()
}
