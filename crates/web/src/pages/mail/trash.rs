//! `/mail/papierkorb/leeren`: emptying the trash, irrevocably. The folder page opens the
//! confirmation as a dialog; without JavaScript this page asks the same.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::mail::Special;
use schulhof_front::AppState;

use super::folders::Confirmed;
use super::{back_to, folder_href};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::render;

pub async fn confirm(State(state): State<AppState>, r: Ready) -> Response {
    let trash = match state.platform.mail_special(&r.actor, Special::Trash).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("mail.trash.empty")).signed_in(&r.page, &r.actor),
        heading: tr.t("mail.trash.empty").to_owned(),
        text: tr.t("mail.trash.empty_text").to_owned(),
        action: "/mail/papierkorb/leeren".into(),
        button: tr.t("mail.trash.empty"),
        cancel_href: folder_href(trash),
    };
    render::ok(&view)
}

pub async fn empty(
    State(state): State<AppState>,
    r: Ready,
    Form(form): Form<Confirmed>,
) -> Response {
    if form.bestaetigt != "ja" {
        return Redirect::to("/mail/papierkorb/leeren").into_response();
    }
    let p = &state.platform;
    let result = async {
        let trash = p.mail_special(&r.actor, Special::Trash).await?;
        p.mail_empty_trash(&r.actor).await?;
        Ok(trash)
    }
    .await;
    match result {
        Ok(trash) => back_to(&folder_href(trash), "mail_trash_emptied"),
        Err(e) => r.fail(e),
    }
}
