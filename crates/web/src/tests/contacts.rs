//! The address books through their pages, without JavaScript: contacts created, edited with
//! a stale form caught, deleted; import with preview and errors by line; export; sharing
//! with a class; the school address book as each account type sees it and what its page
//! costs; the admin's CardDAV switch; and contacts in the mail suggestions.

use axum::http::{StatusCode, header};
use base64::Engine as _;
use schulhof_domain::admin::NewUser;

use super::mail::actor;
use super::statements::{self, statements_of};
use super::{App, app, app_on_postgres};

/// The id in the first link to `/adressbuch/<id>` after `after` on a page.
fn book_id(body: &str, after: &str) -> String {
    let from = body.find(after).unwrap_or(0);
    body[from..]
        .split("/adressbuch/")
        .skip(1)
        .map(|p| p.chars().take(36).collect::<String>())
        .find(|id| id.len() == 36 && id.chars().nth(8) == Some('-'))
        .expect("a book link")
}

async fn personal_book(app: &App, cookie: &str) -> String {
    let page = app.get("/adressbuch", cookie).await;
    page.assert(StatusCode::OK).has("Persönliches Adressbuch");
    book_id(&page.body, "books-cap")
}

/// The value of the hidden input `name` on a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let from = body.find(&marker).expect("hidden input") + marker.len();
    body[from..].split('"').next().unwrap_or("").to_owned()
}

async fn a_teacher_keeps_contacts_through_the_pages(app: App) {
    let t = app.ready("lehrer").await;
    let book = personal_book(&app, &t).await;
    let base = format!("/adressbuch/{book}");
    app.get(&base, &t)
        .await
        .assert(StatusCode::OK)
        .has("Noch keine Kontakte");
    app.get(&format!("{base}/neu"), &t)
        .await
        .assert(StatusCode::OK);
    let fields = [
        ("vorname", "Maria"),
        ("nachname", "Muster"),
        ("email", "maria@example.org"),
        ("telefon", "+49 211 1234"),
        ("notiz", "Elternvertretung <5a>"),
    ];
    let r = app.post(&format!("{base}/neu"), &t, &fields).await;
    r.assert(StatusCode::SEE_OTHER);
    let contact = r.location().split('?').next().unwrap_or("").to_owned();
    assert!(
        contact.starts_with(&format!("{base}/kontakt/")),
        "{contact}"
    );
    let page = app.get(&contact, &t).await;
    page.assert(StatusCode::OK)
        .has("Maria Muster")
        .has("/mail/neu?an=maria%40example.org")
        .has("tel:+492111234")
        .has("Elternvertretung &#60;5a&#62;");
    // A form without a name is refused at its field, nothing stored.
    app.post(&format!("{base}/neu"), &t, &[("email", "x@example.org")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("aria-invalid");
    // Editing: the form carries the ETag; a second edit from the old form is caught.
    let form = app.get(&format!("{contact}/bearbeiten"), &t).await;
    form.assert(StatusCode::OK).has("value=\"Maria\"");
    let etag = hidden(&form.body, "etag");
    let mut edited = fields.to_vec();
    edited[0] = ("vorname", "Marie");
    edited.push(("etag", &etag));
    app.post(&format!("{contact}/bearbeiten"), &t, &edited)
        .await
        .assert(StatusCode::SEE_OTHER);
    edited[0] = ("vorname", "Mia");
    app.post(&format!("{contact}/bearbeiten"), &t, &edited)
        .await
        .assert(StatusCode::CONFLICT)
        .has("inzwischen")
        .has("value=\"Marie\"");
    // Search, export, delete.
    app.get(&format!("{base}?q=marie"), &t)
        .await
        .has("Marie Muster");
    app.get(&format!("{base}?q=nobody"), &t)
        .await
        .has("Nichts gefunden");
    let vcf = app.get(&format!("{base}/export"), &t).await;
    vcf.assert(StatusCode::OK)
        .has("BEGIN:VCARD")
        .has("FN:Marie Muster");
    assert!(
        vcf.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("")
            .starts_with("text/vcard")
    );
    app.get(&format!("{contact}/loeschen"), &t)
        .await
        .assert(StatusCode::OK);
    let gone = app
        .post(&format!("{contact}/loeschen"), &t, &[("bestaetigt", "ja")])
        .await;
    gone.assert(StatusCode::SEE_OTHER);
    app.get(&contact, &t).await.assert(StatusCode::NOT_FOUND);
}

const GOOD: &str = "BEGIN:VCARD\nVERSION:3.0\nN:Mustermann;Erika;;;\nFN:Erika Mustermann\nEMAIL:erika@example.org\nUID:e-1\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Max Meier\nEND:VCARD\n";

async fn import_shows_a_preview_and_stores_all_or_nothing(app: App) {
    let t = app.ready("lehrer").await;
    let book = personal_book(&app, &t).await;
    let base = format!("/adressbuch/{book}");
    app.get(&format!("{base}/import"), &t)
        .await
        .assert(StatusCode::OK);
    // A broken file: its problems by line, no import button, nothing stored.
    let bad = "BEGIN:VCARD\nVERSION:4.0\nFN:A\nkaputt\nEND:VCARD\nBEGIN:VCARD\nVERSION:2.1\nFN:B\nEND:VCARD\n";
    let p = app
        .post_multipart(
            &format!("{base}/import"),
            &t,
            &[],
            ("datei", "a.vcf", bad.as_bytes()),
        )
        .await;
    p.assert(StatusCode::OK)
        .has("Zeile 4")
        .has("unlesbare Zeile")
        .has("Zeile 7")
        .has("nur vCard 3.0 und 4.0")
        .lacks("Jetzt importieren");
    // No file at all.
    app.post_multipart(&format!("{base}/import"), &t, &[], ("datei", "", b""))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Bitte eine Datei wählen");
    // A good file: the preview lists it; the button sends it back, exactly.
    let p = app
        .post_multipart(
            &format!("{base}/import"),
            &t,
            &[],
            ("datei", "a.vcf", GOOD.as_bytes()),
        )
        .await;
    p.assert(StatusCode::OK)
        .has("Erika Mustermann")
        .has("Max Meier")
        .has("Jetzt importieren");
    assert!(
        app.get(&base, &t)
            .await
            .body
            .contains("Noch keine Kontakte")
    );
    let content = hidden(&p.body, "inhalt");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&content)
            .expect("base64"),
        GOOD.as_bytes()
    );
    let done = app
        .post(
            &format!("{base}/import/ausfuehren"),
            &t,
            &[("inhalt", &content)],
        )
        .await;
    done.assert(StatusCode::SEE_OTHER);
    assert!(
        done.location().contains("importiert=2"),
        "{}",
        done.location()
    );
    app.get(done.location(), &t)
        .await
        .has("2 neu angelegt, 0 ersetzt")
        .has("Erika Mustermann")
        .has("Max Meier");
    // The stored text is the file's, byte for byte (line ends included).
    let vcf = app.get(&format!("{base}/export"), &t).await;
    assert!(
        vcf.body
            .contains("BEGIN:VCARD\nVERSION:3.0\nN:Mustermann;Erika;;;\n")
    );
}

async fn a_book_shared_with_the_class_is_read_only_for_students(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let personal = personal_book(&app, &t).await;
    let r = app
        .post(
            "/adressbuch/neu",
            &t,
            &[("name", "Klassenkontakte 5a"), ("beschreibung", "")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let shared = book_id(r.location(), "");
    let base = format!("/adressbuch/{shared}");
    app.post(
        &format!("{base}/neu"),
        &t,
        &[
            ("vorname", "Schul"),
            ("nachname", "Sozialarbeit"),
            ("email", "sozial@example.org"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // An unknown name is refused at its field.
    app.post(
        &format!("{base}/einstellungen"),
        &t,
        &[
            ("teil", "freigabe"),
            ("wer", "niemand-hier"),
            ("zugriff", "lesen"),
        ],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("keine Person und keine Gruppe");
    app.post(
        &format!("{base}/einstellungen"),
        &t,
        &[("teil", "freigabe"), ("wer", "5a"), ("zugriff", "lesen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("{base}/einstellungen"), &t)
        .await
        .assert(StatusCode::OK)
        .has("5a")
        .has("Nur lesen");
    // The student sees it, reads it, cannot write or manage it.
    app.get("/adressbuch", &s).await.has("Klassenkontakte 5a");
    app.get(&base, &s)
        .await
        .assert(StatusCode::OK)
        .has("Schul Sozialarbeit")
        .lacks("Neuer Kontakt")
        .lacks("/einstellungen");
    app.get(&format!("{base}/neu"), &s)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(&format!("{base}/neu"), &s, &[("vorname", "X")])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("{base}/einstellungen"), &s)
        .await
        .assert(StatusCode::FORBIDDEN);
    // The teacher's personal book does not exist for the student, nor for the admin.
    app.get(&format!("/adressbuch/{personal}"), &s)
        .await
        .assert(StatusCode::NOT_FOUND);
    let admin = app.ready("admin").await;
    app.get(&format!("/adressbuch/{personal}"), &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/adressbuch/{personal}/export"), &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/adressbuch", &admin)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get("/", &admin).await.lacks("href=\"/adressbuch\"");
    app.get("/", &s).await.has("href=\"/adressbuch\"");
    // Ending the share ends the student's access.
    let settings = app.get(&format!("{base}/einstellungen"), &t).await;
    let group = hidden(&settings.body, "id");
    app.post(
        &format!("{base}/einstellungen"),
        &t,
        &[("teil", "entfernen"), ("art", "gruppe"), ("id", &group)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&base, &s).await.assert(StatusCode::NOT_FOUND);
    // Deleting a further book; the personal book has no delete button.
    app.get(&format!("/adressbuch/{personal}/einstellungen"), &t)
        .await
        .lacks("/loeschen");
    app.post(&format!("{base}/loeschen"), &t, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&base, &t).await.assert(StatusCode::NOT_FOUND);
}

async fn the_school_address_book_shows_what_each_type_may_see(app: App) {
    let s = app.ready("schueler").await;
    let t = app.ready("lehrer").await;
    let e = app.ready("extern").await;
    let page = app.get("/adressbuch/schule", &s).await;
    page.assert(StatusCode::OK).has("Lehrkraft").has("5a");
    // The student sees the teacher but not the extern; the extern sees no student.
    let teacher_mail = actor(&app, &t).await.user.mail;
    let extern_mail = actor(&app, &e).await.user.mail;
    let student_mail = actor(&app, &s).await.user.mail;
    page.has(&teacher_mail).lacks(&extern_mail);
    app.get("/adressbuch/schule", &e)
        .await
        .has(&teacher_mail)
        .lacks(&student_mail);
    app.get("/adressbuch/schule", &t).await.has(&student_mail);
    // No private data: the external address set on the account never shows.
    app.get("/adressbuch/schule?q=nobody-at-all", &s)
        .await
        .has("Nichts gefunden");
    let admin = app.ready("admin").await;
    app.get("/adressbuch/schule", &admin)
        .await
        .assert(StatusCode::FORBIDDEN);
}

async fn the_admin_switches_carddav_on(app: App) {
    let admin = app.ready("admin").await;
    let a = actor(&app, &admin).await;
    assert!(
        !app.platform.carddav_enabled(&a).await.expect("setting"),
        "off by default"
    );
    app.get("/verwaltung/schule", &admin)
        .await
        .assert(StatusCode::OK)
        .has("CardDAV an")
        .lacks("name=\"carddav\" value=\"ja\" checked");
    app.post(
        "/verwaltung/schule",
        &admin,
        &[("teil", "carddav"), ("carddav", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    assert!(app.platform.carddav_enabled(&a).await.expect("setting"));
    app.get("/verwaltung/schule", &admin)
        .await
        .has("name=\"carddav\" value=\"ja\" checked");
    let log = app.platform.admin_log_actions(&a).await.expect("log");
    assert!(log.iter().any(|l| l == "school_carddav"), "{log:?}");
    // Nobody else turns it off.
    let t = app.ready("lehrer").await;
    app.post("/verwaltung/schule", &t, &[("teil", "carddav")])
        .await
        .assert(StatusCode::FORBIDDEN);
    assert!(app.platform.carddav_enabled(&a).await.expect("setting"));
}

async fn mail_suggestions_come_from_the_address_books(app: App) {
    let t = app.ready("lehrer").await;
    let book = personal_book(&app, &t).await;
    app.post(
        &format!("/adressbuch/{book}/neu"),
        &t,
        &[
            ("vorname", "Maria"),
            ("nachname", "Muster"),
            ("email", "maria@example.org"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get("/mail/adressen?q=muster", &t)
        .await
        .assert(StatusCode::OK)
        .has("maria@example.org");
    // Not for anyone else.
    let s = app.ready("schueler").await;
    app.get("/mail/adressen?q=muster", &s)
        .await
        .lacks("maria@example.org");
}

on_both_backends!(
    a_teacher_keeps_contacts_through_the_pages,
    import_shows_a_preview_and_stores_all_or_nothing,
    a_book_shared_with_the_class_is_read_only_for_students,
    the_school_address_book_shows_what_each_type_may_see,
    the_admin_switches_carddav_on,
    mail_suggestions_come_from_the_address_books,
);

/// The school address book page of a student of a class with many members costs the same
/// few statements as with a handful: people, count and shared groups come in one go each.
async fn school_book_statements(app: App) {
    let s = app.ready("schueler").await;
    let few = statements_of(&app, "/adressbuch/schule", &s).await;
    let admin = actor(&app, &app.ready("admin").await).await;
    for i in 0..60 {
        app.platform
            .create_user(
                &admin,
                NewUser {
                    first_name: format!("Kind{i}"),
                    last_name: "Klasse".into(),
                    account_type: Some("schueler".into()),
                    function_role: None,
                    login: Some(format!("kind{i}")),
                    password: None,
                    external_mail: None,
                    holder: None,
                    groups: vec!["5a".into()],
                },
            )
            .await
            .expect("student");
    }
    let page = app.get("/adressbuch/schule", &s).await;
    page.has("Kind1").has("rel=\"next\"");
    let many = statements_of(&app, "/adressbuch/schule", &s).await;
    eprintln!(
        "statements of the school address book page: {few} (few people), {many} (a full page)"
    );
    assert!(few > 0, "statements are counted");
    assert!(
        many <= few + 1,
        "one count at most is added: {few} → {many}"
    );
    assert!(many <= 10, "the page costs a few statements, not {many}");
}

#[tokio::test]
async fn the_school_address_book_costs_a_few_statements_on_sqlite() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    school_book_statements(app().await).await;
}

#[tokio::test]
async fn the_school_address_book_costs_a_few_statements_on_postgres() {
    if !statements::install() {
        return;
    }
    school_book_statements(app_on_postgres().await).await;
}
