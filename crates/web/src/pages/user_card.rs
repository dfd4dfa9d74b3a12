//! `/verwaltung/benutzer/{login}`: one user's card, and the admin's forms on it: edit,
//! (de)activate, reset the password, delete. Rights are in `user_rights`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::admin::{UserCard, UserUpdate};
use schulhof_front::AppState;
use schulhof_types::AccountType;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::account::Confirmed;
use crate::pages::user_consent::{ConsentSection, consent_section};
use crate::pages::user_rights::{GrantSection, grant_section};
use crate::pages::views::{ConfirmPage, PasswordShown, RightRow, effective_rows};
use crate::render;
use crate::url;

#[derive(Template)]
#[template(path = "user_card.html")]
struct CardPage {
    c: Chrome,
    name: String,
    base: String,
    facts: Vec<(&'static str, String)>,
    groups: Vec<String>,
    rights: Vec<RightRow>,
    editable: bool,
    active: bool,
    edit: Option<FormView>,
    grants: Option<GrantSection>,
    consent: Option<ConsentSection>,
    action_error: Option<String>,
}

/// A failed form on the card, and what was typed into the edit form.
#[derive(Default)]
pub struct CardFailure {
    pub failure: Option<Failure>,
    pub edit: Option<EditForm>,
}

impl CardFailure {
    pub fn of(failure: Failure) -> CardFailure {
        CardFailure {
            failure: Some(failure),
            edit: None,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    account_type: Option<String>,
    #[serde(default)]
    external_mail: String,
    holder: Option<String>,
}

fn facts(tr: Tr, card: &UserCard) -> Vec<(&'static str, String)> {
    let s = &card.summary;
    let mut v = vec![
        (tr.t("field.login"), s.login.clone()),
        (
            tr.t("field.account_type"),
            tr.kind_label(&s.account_type, s.function_role.as_deref()),
        ),
        (tr.t("field.mail"), s.mail.clone()),
        (
            tr.t("field.external_mail"),
            card.external_mail
                .clone()
                .unwrap_or_else(|| tr.t("account.none").to_owned()),
        ),
        (
            tr.t("field.status"),
            if s.active {
                tr.t("status.active")
            } else {
                tr.t("status.inactive")
            }
            .to_owned(),
        ),
    ];
    if let Some(u) = card.storage {
        v.push((
            tr.t("files.storage"),
            super::files::usage_text(tr, u.used, u.quota),
        ));
    }
    if s.function_role.is_some() {
        v.push((
            tr.t("field.holder"),
            card.holder
                .clone()
                .unwrap_or_else(|| tr.t("account.none").to_owned()),
        ));
    }
    v
}

fn edit_fields(
    tr: Tr,
    card: &UserCard,
    input: Option<&EditForm>,
    failure: Option<&Failure>,
) -> FormView {
    let s = &card.summary;
    let value =
        |typed: Option<&str>, stored: &str| typed.map_or_else(|| stored.to_owned(), str::to_owned);
    let mut fields = vec![
        Field::new(tr, "e-first", "first_name", "field.first_name")
            .value(value(input.map(|i| i.first_name.as_str()), &s.first_name))
            .required(),
        Field::new(tr, "e-last", "last_name", "field.last_name")
            .value(value(input.map(|i| i.last_name.as_str()), &s.last_name))
            .required(),
    ];
    if s.function_role.is_none() {
        let options = AccountType::ALL.iter().map(|t| {
            (
                t.as_str().to_owned(),
                tr.account_type(t.as_str()).to_owned(),
            )
        });
        let typed = input.and_then(|i| i.account_type.as_deref());
        fields.push(
            Field::new(tr, "e-type", "account_type", "field.account_type")
                .value(value(typed, &s.account_type))
                .options(options),
        );
    }
    let mail = card.external_mail.as_deref().unwrap_or("");
    fields.push(
        Field::new(tr, "e-mail", "external_mail", "field.external_mail")
            .kind("email")
            .value(value(input.map(|i| i.external_mail.as_str()), mail)),
    );
    if s.function_role.is_some() {
        let typed = input.and_then(|i| i.holder.as_deref());
        fields.push(
            Field::new(tr, "e-holder", "holder", "field.holder")
                .value(value(typed, card.holder.as_deref().unwrap_or("")))
                .hint(tr, "users.holder_hint"),
        );
    }
    FormView::new("edit", fields, failure)
}

pub async fn render_card(state: &AppState, r: &Ready, login: &str, cf: CardFailure) -> Response {
    let tr = r.page.tr();
    let card = match state.platform.user_card(&r.actor, login).await {
        Ok(card) => card,
        Err(e) => return r.fail(e),
    };
    let failure = cf.failure.as_ref();
    let s = &card.summary;
    let name = format!("{} {}", s.first_name, s.last_name);
    let view = CardPage {
        c: Chrome::new(&r.page, name.clone()).signed_in(&r.page, &r.actor),
        base: format!("/verwaltung/benutzer/{}", url::encode(&s.login)),
        facts: facts(tr, &card),
        rights: effective_rows(tr, &card.rights, &s.account_type, Some(&card.granted)),
        editable: card.editable,
        active: s.active,
        edit: card
            .editable
            .then(|| edit_fields(tr, &card, cf.edit.as_ref(), failure)),
        grants: grant_section(tr, &r.actor, &card, failure),
        consent: consent_section(state, &r.actor, &card, failure).await,
        action_error: failure
            .filter(|f| f.form == "actions")
            .map(|f| f.message.clone()),
        groups: card.groups.clone(),
        name,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

fn back_to_card(login: &str, ok: &str) -> Response {
    Redirect::to(&format!(
        "/verwaltung/benutzer/{}?ok={ok}",
        url::encode(login)
    ))
    .into_response()
}

pub async fn show(State(state): State<AppState>, r: Ready, Path(login): Path<String>) -> Response {
    render_card(&state, &r, &login, CardFailure::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<EditForm>,
) -> Response {
    let upd = UserUpdate {
        first_name: Some(f.first_name.clone()),
        last_name: Some(f.last_name.clone()),
        account_type: f.account_type.clone(),
        external_mail: Some(f.external_mail.clone()),
        holder: f.holder.clone(),
    };
    match state.platform.update_user(&r.actor, &login, upd).await {
        Ok(()) => back_to_card(&login, "user_saved"),
        Err(e) => {
            let failure = Failure::from_domain("edit", r.page.tr(), &e);
            render_card(
                &state,
                &r,
                &login,
                CardFailure {
                    failure: Some(failure),
                    edit: Some(f),
                },
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    aktiv: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Response {
    let active = f.aktiv == "ja";
    match state
        .platform
        .set_user_active(&r.actor, &login, active)
        .await
    {
        Ok(()) => back_to_card(
            &login,
            if active {
                "user_activated"
            } else {
                "user_deactivated"
            },
        ),
        Err(e) => action_failed(&state, &r, &login, &e).await,
    }
}

async fn action_failed(
    state: &AppState,
    r: &Ready,
    login: &str,
    e: &schulhof_domain::DomainError,
) -> Response {
    let failure = Failure::from_domain("actions", r.page.tr(), e);
    render_card(state, r, login, CardFailure::of(failure)).await
}

pub async fn reset_password(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
) -> Response {
    let tr = r.page.tr();
    match state.platform.reset_password(&r.actor, &login, None).await {
        Ok(Some(password)) => {
            let view = PasswordShown {
                c: Chrome::new(&r.page, tr.t("password.reset_title")).signed_in(&r.page, &r.actor),
                heading: tr.t("password.reset_title").to_owned(),
                back_href: format!("/verwaltung/benutzer/{}", url::encode(&login)),
                back_label: tr.t("users.back_to_card"),
                login,
                password,
            };
            render::ok(&view)
        }
        Ok(None) => back_to_card(&login, "password_reset"),
        Err(e) => action_failed(&state, &r, &login, &e).await,
    }
}

pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
) -> Response {
    let tr = r.page.tr();
    let card = match state.platform.user_card(&r.actor, &login).await {
        Ok(card) => card,
        Err(e) => return r.fail(e),
    };
    let base = format!("/verwaltung/benutzer/{}", url::encode(&card.summary.login));
    let who = format!(
        "{} {} ({})",
        card.summary.first_name, card.summary.last_name, card.summary.login
    );
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("users.delete_title")).signed_in(&r.page, &r.actor),
        heading: tr.t("users.delete_title").to_owned(),
        text: tr.t("users.delete_text").replace("{who}", &who),
        action: format!("{base}/loeschen"),
        button: tr.t("users.delete_button"),
        cancel_href: base,
    };
    render::ok(&view)
}

pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<Confirmed>,
) -> Response {
    if f.bestaetigt != "ja" {
        return Redirect::to(&format!(
            "/verwaltung/benutzer/{}/loeschen",
            url::encode(&login)
        ))
        .into_response();
    }
    match state.platform.delete_user(&r.actor, &login).await {
        Ok(()) => Redirect::to("/verwaltung/benutzer?ok=user_deleted").into_response(),
        Err(e) => action_failed(&state, &r, &login, &e).await,
    }
}
