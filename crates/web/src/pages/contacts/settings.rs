//! `/adressbuch/{book}/einstellungen`: the owner renames a book, shares it with persons or
//! groups of the school (to read or to write) and ends shares; `…/loeschen` deletes a
//! further book after a confirmation (the personal book stays).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::contacts::{
    AddressBookId, BookInfo, BookKind, ContactsError, Share, ShareLevel, ShareWith,
};
use schulhof_front::AppState;

use super::books::{BookForm, book_fields};
use super::{back_to, book_href, book_label, fail, failure, parse_book};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::render;

pub struct ShareRow {
    pub name: String,
    pub level: &'static str,
    /// `person` or `gruppe`, and the id, for the remove button.
    pub kind: &'static str,
    pub id: String,
}

#[derive(Template)]
#[template(path = "contacts/settings.html")]
struct SettingsPage {
    c: Chrome,
    name: String,
    base: String,
    /// The name form; not for the personal book, whose name the pages give.
    book_form: Option<FormView>,
    shares: Vec<ShareRow>,
    share_form: FormView,
    delete_href: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SettingsForm {
    /// Which form was sent: `name`, `freigabe` or `entfernen`.
    #[serde(default)]
    pub teil: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub beschreibung: String,
    /// Whom to share with: login, school address or group name.
    #[serde(default)]
    pub wer: String,
    /// `lesen` or `schreiben`.
    #[serde(default)]
    pub zugriff: String,
    /// The share to end: `person` or `gruppe`, and its id.
    #[serde(default)]
    pub art: String,
    #[serde(default)]
    pub id: String,
}

fn share_row(tr: crate::i18n::Tr, s: Share) -> ShareRow {
    let (kind, id) = match s.with {
        ShareWith::User(u) => ("person", u.to_string()),
        ShareWith::Group(g) => ("gruppe", g.to_string()),
    };
    ShareRow {
        name: s.name,
        level: tr.t(match s.level {
            ShareLevel::Write => "contacts.access.write",
            ShareLevel::Read => "contacts.access.read",
        }),
        kind,
        id,
    }
}

async fn render_page(
    state: &AppState,
    r: &Ready,
    id: AddressBookId,
    f: &SettingsForm,
    failure: Option<Failure>,
) -> Result<Response, ContactsError> {
    let tr = r.page.tr();
    let p = &state.platform;
    let info: BookInfo = p.address_book(&r.actor, id).await?;
    let shares = p.address_book_shares(&r.actor, id).await?;
    let personal = info.kind == BookKind::Personal;
    let filled = if f.teil == "name" {
        BookForm {
            name: f.name.clone(),
            beschreibung: f.beschreibung.clone(),
        }
    } else {
        BookForm {
            name: info.name.clone(),
            beschreibung: info.description.clone(),
        }
    };
    let level = if f.zugriff == "schreiben" {
        "schreiben"
    } else {
        "lesen"
    };
    let share_form = FormView::new(
        "share",
        vec![
            Field::new(tr, "share-who", "wer", "contacts.share.who")
                .value(f.wer.clone())
                .hint(tr, "contacts.share.who_hint")
                .required()
                .answers(&["share_with"]),
            Field::new(tr, "share-level", "zugriff", "contacts.share.level")
                .value(level)
                .options([
                    ("lesen".to_owned(), tr.t("contacts.access.read").to_owned()),
                    (
                        "schreiben".to_owned(),
                        tr.t("contacts.access.write").to_owned(),
                    ),
                ]),
        ],
        failure.as_ref(),
    );
    let base = book_href(id);
    let view = SettingsPage {
        c: Chrome::new(&r.page, tr.t("contacts.settings")).signed_in(&r.page, &r.actor),
        name: book_label(tr, &info),
        book_form: (!personal).then(|| book_fields(r, &filled, failure.as_ref())),
        shares: shares.into_iter().map(|s| share_row(tr, s)).collect(),
        share_form,
        delete_href: (!personal).then(|| format!("{base}/loeschen")),
        base,
    };
    Ok(match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    })
}

/// `GET /adressbuch/{book}/einstellungen`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(book): Path<String>) -> Response {
    let shown = match parse_book(&book) {
        Ok(id) => render_page(&state, &r, id, &SettingsForm::default(), None).await,
        Err(e) => Err(e.into()),
    };
    shown.unwrap_or_else(|e| fail(&r, e))
}

/// What one sent form does.
async fn apply(
    state: &AppState,
    r: &Ready,
    id: AddressBookId,
    f: &SettingsForm,
) -> Result<&'static str, ContactsError> {
    let p = &state.platform;
    match f.teil.as_str() {
        "name" => {
            p.address_book_update(&r.actor, id, &f.name, &f.beschreibung)
                .await?;
            Ok("book_saved")
        }
        "entfernen" => {
            let with = match f.art.as_str() {
                "person" => f.id.parse().map(ShareWith::User),
                _ => f.id.parse().map(ShareWith::Group),
            }
            .map_err(|_| ContactsError::NotFound)?;
            p.address_book_unshare(&r.actor, id, with).await?;
            Ok("share_removed")
        }
        _ => {
            let with = p.address_book_share_target(&r.actor, &f.wer).await?;
            let level = if f.zugriff == "schreiben" {
                ShareLevel::Write
            } else {
                ShareLevel::Read
            };
            p.address_book_share(&r.actor, id, with, level).await?;
            Ok("share_saved")
        }
    }
}

/// `POST /adressbuch/{book}/einstellungen`.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Response {
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match apply(&state, &r, id, &f).await {
        Ok(ok) => back_to(&format!("{}/einstellungen", book_href(id)), ok),
        Err(e @ (ContactsError::NotFound | ContactsError::Forbidden)) => fail(&r, e),
        Err(e) => {
            let form = if f.teil == "name" { "book" } else { "share" };
            let failure = failure(form, r.page.tr(), e);
            render_page(&state, &r, id, &f, Some(failure))
                .await
                .unwrap_or_else(|e| fail(&r, e))
        }
    }
}

/// `GET /adressbuch/{book}/loeschen`.
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
) -> Response {
    let tr = r.page.tr();
    let info = match parse_book(&book) {
        Ok(id) => state.platform.address_book(&r.actor, id).await,
        Err(e) => Err(e.into()),
    };
    let info = match info {
        Ok(b)
            if b.kind == BookKind::Shared
                && b.access == schulhof_domain::contacts::BookAccess::Owner =>
        {
            b
        }
        Ok(_) => return fail(&r, ContactsError::Forbidden),
        Err(e) => return fail(&r, e),
    };
    let base = book_href(info.id);
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("contacts.delete_book")).signed_in(&r.page, &r.actor),
        heading: tr.t("contacts.delete_book").to_owned(),
        text: tr
            .t("contacts.delete_book_text")
            .replace("{name}", &info.name),
        action: format!("{base}/loeschen"),
        button: tr.t("contacts.delete"),
        cancel_href: format!("{base}/einstellungen"),
    };
    render::ok(&view)
}

/// `POST /adressbuch/{book}/loeschen`.
pub async fn delete(State(state): State<AppState>, r: Ready, Path(book): Path<String>) -> Response {
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match state.platform.address_book_delete(&r.actor, id).await {
        Ok(()) => back_to("/adressbuch", "book_deleted"),
        Err(e) => fail(&r, e),
    }
}
