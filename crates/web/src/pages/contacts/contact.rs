//! One contact: `/adressbuch/{book}/kontakt/{id}` shows it; `/adressbuch/{book}/neu` and
//! `…/bearbeiten` fill the form that goes through the same ingest as CardDAV and the import;
//! `…/loeschen` deletes after a confirmation.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::contacts::vcard::details;
use schulhof_domain::contacts::{
    AddressBookId, BookInfo, ContactForm, ContactId, ContactsError, StoredContact,
};
use schulhof_front::AppState;

use super::{
    back_to, book_href, book_label, contact_href, fail, failure, parse_book, parse_contact,
};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::{render, url};

/// One line of the contact page.
pub struct Line {
    pub label: &'static str,
    pub value: String,
    /// A link for mail addresses (to write), phone numbers and web sites.
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "contacts/contact.html")]
struct ContactPage {
    c: Chrome,
    name: String,
    book_name: String,
    book_href: String,
    lines: Vec<Line>,
    edit_href: Option<String>,
    delete_href: Option<String>,
}

async fn load(
    state: &AppState,
    r: &Ready,
    book: &str,
    id: &str,
) -> Result<(BookInfo, StoredContact), ContactsError> {
    let book = parse_book(book)?;
    let id = parse_contact(id)?;
    let p = &state.platform;
    let info = p.address_book(&r.actor, book).await?;
    let stored = p.contact_by_id(&r.actor, book, id).await?;
    Ok((info, stored))
}

fn line(r: &Ready, kind: &'static str, value: String) -> Line {
    let tr = r.page.tr();
    let href = match kind {
        "email" => Some(format!("/mail/neu?an={}", url::encode(&value))),
        "tel" => Some(format!(
            "tel:{}",
            value
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect::<String>()
        )),
        "url" if value.starts_with("https://") || value.starts_with("http://") => {
            Some(value.clone())
        }
        _ => None,
    };
    Line {
        label: tr.t(&format!("contacts.detail.{kind}")),
        value,
        href,
    }
}

/// `GET /adressbuch/{book}/kontakt/{id}`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path((book, id)): Path<(String, String)>,
) -> Response {
    let (info, stored) = match load(&state, &r, &book, &id).await {
        Ok(x) => x,
        Err(e) => return fail(&r, e),
    };
    let tr = r.page.tr();
    let here = contact_href(info.id, stored.info.id);
    let may_write = info.access.may_write();
    let view = ContactPage {
        c: Chrome::new(
            &r.page,
            format!("{} · {}", stored.info.display_name, tr.t("contacts.title")),
        )
        .signed_in(&r.page, &r.actor),
        name: stored.info.display_name.clone(),
        book_name: book_label(tr, &info),
        book_href: book_href(info.id),
        lines: details(&stored.raw)
            .into_iter()
            .map(|d| line(&r, d.kind, d.value))
            .collect(),
        edit_href: may_write.then(|| format!("{here}/bearbeiten")),
        delete_href: may_write.then(|| format!("{here}/loeschen")),
    };
    render::ok(&view)
}

#[derive(Template)]
#[template(path = "contacts/contact_form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    action: String,
    button: &'static str,
    form: FormView,
    etag: String,
    cancel_href: String,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ContactFields {
    #[serde(default)]
    pub vorname: String,
    #[serde(default)]
    pub nachname: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub email2: String,
    #[serde(default)]
    pub telefon: String,
    #[serde(default)]
    pub telefon2: String,
    #[serde(default)]
    pub notiz: String,
    /// The ETag the form was filled from (editing).
    #[serde(default)]
    pub etag: String,
}

impl ContactFields {
    fn of(form: &ContactForm, etag: &str) -> ContactFields {
        let nth = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        ContactFields {
            vorname: form.given_name.clone(),
            nachname: form.family_name.clone(),
            organisation: form.organisation.clone(),
            email: nth(&form.emails, 0),
            email2: nth(&form.emails, 1),
            telefon: nth(&form.phones, 0),
            telefon2: nth(&form.phones, 1),
            notiz: form.note.clone(),
            etag: etag.to_owned(),
        }
    }

    /// The form for the service; further addresses and numbers of a stored card beyond
    /// the two the form shows are kept from `stored`.
    fn form(&self, stored: Option<&ContactForm>) -> ContactForm {
        let keep =
            |v: Option<&Vec<String>>| v.map(|v| v.iter().skip(2).cloned().collect::<Vec<_>>());
        let mut emails = vec![self.email.clone(), self.email2.clone()];
        emails.extend(keep(stored.map(|s| &s.emails)).unwrap_or_default());
        let mut phones = vec![self.telefon.clone(), self.telefon2.clone()];
        phones.extend(keep(stored.map(|s| &s.phones)).unwrap_or_default());
        ContactForm {
            given_name: self.vorname.clone(),
            family_name: self.nachname.clone(),
            organisation: self.organisation.clone(),
            emails,
            phones,
            note: self.notiz.clone(),
        }
    }
}

fn fields(r: &Ready, f: &ContactFields, failure: Option<&Failure>) -> FormView {
    let tr = r.page.tr();
    let text = |id: &str, name: &'static str, key: &str, v: &str, auto: &'static str| {
        Field::new(tr, format!("contact-{id}"), name, key)
            .value(v.to_owned())
            .auto(auto)
    };
    FormView::new(
        "contact",
        vec![
            text(
                "given",
                "vorname",
                "contacts.field.given",
                &f.vorname,
                "off",
            )
            .answers(&["name", "contact"]),
            text(
                "family",
                "nachname",
                "contacts.field.family",
                &f.nachname,
                "off",
            ),
            text(
                "org",
                "organisation",
                "contacts.field.org",
                &f.organisation,
                "off",
            ),
            text("email", "email", "contacts.field.email", &f.email, "off")
                .kind("email")
                .answers(&["vcard"]),
            text(
                "email2",
                "email2",
                "contacts.field.email2",
                &f.email2,
                "off",
            )
            .kind("email"),
            text("tel", "telefon", "contacts.field.phone", &f.telefon, "off").kind("tel"),
            text(
                "tel2",
                "telefon2",
                "contacts.field.phone2",
                &f.telefon2,
                "off",
            )
            .kind("tel"),
            text("note", "notiz", "contacts.field.note", &f.notiz, "off").kind("textarea"),
        ],
        failure,
    )
}

struct Target {
    heading: String,
    action: String,
    button: &'static str,
    cancel_href: String,
}

fn form_page(r: &Ready, t: Target, f: &ContactFields, failure: Option<Failure>) -> Response {
    let view = FormPage {
        c: Chrome::new(&r.page, t.heading.clone()).signed_in(&r.page, &r.actor),
        heading: t.heading,
        action: t.action,
        button: t.button,
        form: fields(r, f, failure.as_ref()),
        etag: f.etag.clone(),
        cancel_href: t.cancel_href,
    };
    match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    }
}

fn new_target(r: &Ready, book: AddressBookId) -> Target {
    let tr = r.page.tr();
    Target {
        heading: tr.t("contacts.new_contact").to_owned(),
        action: format!("{}/neu", book_href(book)),
        button: tr.t("contacts.create"),
        cancel_href: book_href(book),
    }
}

/// `GET /adressbuch/{book}/neu`.
pub async fn new_form(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
) -> Response {
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    match state.platform.address_book(&r.actor, id).await {
        Ok(b) if b.access.may_write() => {
            form_page(&r, new_target(&r, id), &ContactFields::default(), None)
        }
        Ok(_) => fail(&r, ContactsError::Forbidden),
        Err(e) => fail(&r, e),
    }
}

/// `POST /adressbuch/{book}/neu`.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Path(book): Path<String>,
    Form(f): Form<ContactFields>,
) -> Response {
    let id = match parse_book(&book) {
        Ok(id) => id,
        Err(e) => return r.fail(e),
    };
    let saved = state
        .platform
        .contact_save_form(&r.actor, id, None, None, &f.form(None))
        .await;
    match saved {
        Ok(c) => back_to(&contact_href(id, c.id), "contact_saved"),
        Err(e @ (ContactsError::NotFound | ContactsError::Forbidden)) => fail(&r, e),
        Err(e) => {
            let failure = failure("contact", r.page.tr(), e);
            form_page(&r, new_target(&r, id), &f, Some(failure))
        }
    }
}

fn edit_target(r: &Ready, book: AddressBookId, id: ContactId) -> Target {
    let tr = r.page.tr();
    let here = contact_href(book, id);
    Target {
        heading: tr.t("contacts.edit_title").to_owned(),
        action: format!("{here}/bearbeiten"),
        button: tr.t("contacts.save"),
        cancel_href: here,
    }
}

/// `GET /adressbuch/{book}/kontakt/{id}/bearbeiten`.
pub async fn edit_form(
    State(state): State<AppState>,
    r: Ready,
    Path((book, id)): Path<(String, String)>,
) -> Response {
    let (info, stored) = match load(&state, &r, &book, &id).await {
        Ok(x) if x.0.access.may_write() => x,
        Ok(_) => return fail(&r, ContactsError::Forbidden),
        Err(e) => return fail(&r, e),
    };
    let f = ContactFields::of(&ContactForm::of(&stored.raw), &stored.info.etag);
    form_page(&r, edit_target(&r, info.id, stored.info.id), &f, None)
}

/// `POST /adressbuch/{book}/kontakt/{id}/bearbeiten`. Changed elsewhere in between: the
/// form shows the new version with a note.
pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path((book, id)): Path<(String, String)>,
    Form(f): Form<ContactFields>,
) -> Response {
    let (info, stored) = match load(&state, &r, &book, &id).await {
        Ok(x) => x,
        Err(e) => return fail(&r, e),
    };
    let before = ContactForm::of(&stored.raw);
    let target = edit_target(&r, info.id, stored.info.id);
    let saved = state
        .platform
        .contact_save_form(
            &r.actor,
            info.id,
            Some(stored.info.id),
            Some(&f.etag),
            &f.form(Some(&before)),
        )
        .await;
    match saved {
        Ok(c) => back_to(&contact_href(info.id, c.id), "contact_saved"),
        Err(ContactsError::PreconditionFailed) => {
            let failure = failure("contact", r.page.tr(), ContactsError::PreconditionFailed);
            let fresh = ContactFields::of(&before, &stored.info.etag);
            form_page(&r, target, &fresh, Some(failure))
        }
        Err(e @ (ContactsError::NotFound | ContactsError::Forbidden)) => fail(&r, e),
        Err(e) => {
            let failure = failure("contact", r.page.tr(), e);
            form_page(&r, target, &f, Some(failure))
        }
    }
}

/// `GET /adressbuch/{book}/kontakt/{id}/loeschen`.
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path((book, id)): Path<(String, String)>,
) -> Response {
    let (info, stored) = match load(&state, &r, &book, &id).await {
        Ok(x) if x.0.access.may_write() => x,
        Ok(_) => return fail(&r, ContactsError::Forbidden),
        Err(e) => return fail(&r, e),
    };
    let tr = r.page.tr();
    let here = contact_href(info.id, stored.info.id);
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("contacts.delete_contact")).signed_in(&r.page, &r.actor),
        heading: tr.t("contacts.delete_contact").to_owned(),
        text: tr
            .t("contacts.delete_contact_text")
            .replace("{name}", &stored.info.display_name),
        action: format!("{here}/loeschen"),
        button: tr.t("contacts.delete"),
        cancel_href: here,
    };
    render::ok(&view)
}

/// `POST /adressbuch/{book}/kontakt/{id}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path((book, id)): Path<(String, String)>,
) -> Response {
    let (info, stored) = match load(&state, &r, &book, &id).await {
        Ok(x) => x,
        Err(e) => return fail(&r, e),
    };
    let done = state
        .platform
        .contact_delete(
            &r.actor,
            info.id,
            &stored.info.href,
            schulhof_domain::contacts::Precondition::None,
        )
        .await;
    match done {
        Ok(()) => back_to(&book_href(info.id), "contact_deleted"),
        Err(e) => fail(&r, e),
    }
}
