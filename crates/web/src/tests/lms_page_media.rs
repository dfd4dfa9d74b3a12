//! Pictures and formulas on course pages: the teacher uploads a picture with an alternative
//! text through the page's edit form ("Bild einfügen", no script) or takes one the course
//! already has; the student sees it in the page, served from the page's own address, and
//! the formulas as MathML. A student outside the course, a login of another school and —
//! once the page is hidden — the course's student get 404 for the picture. A picture
//! without alternative text, a file that is no picture and remote pictures are refused or
//! dropped. A copy of the course keeps the pictures of its pages.

use axum::http::{StatusCode, header};
use schulhof_types::ActivityId;

use super::*;

on_both_backends!(pictures_and_formulas_on_pages);

/// A 4×4 red PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x02, 0x00, 0x00, 0x00, 0x26, 0x93, 0x09,
    0x29, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0xa3, 0xa4, 0x04,
    0x47, 0x0c, 0xc4, 0x71, 0x00, 0xc4, 0xe3, 0x11, 0x01, 0x88, 0x91, 0xee, 0x10, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

pub(super) fn id_in(body: &str, before: &str) -> String {
    let at = body.find(before).expect("link") + before.len();
    body[at..at + 36].to_owned()
}

/// A new student of `school` (in no course), logged in.
pub(super) async fn new_student(app: &App, school: &str, admin: &str) -> String {
    app.post(
        "/verwaltung/benutzer/neu",
        admin,
        &[
            ("art", "schueler"),
            ("first_name", "Otto"),
            ("last_name", "Außen"),
        ],
    )
    .await
    .assert(StatusCode::OK);
    let login = "otto.aussen";
    app.platform
        .system_set_password(school, login, Some("otto-passwort-123"))
        .await
        .expect("password");
    app.ready_at(school, login, "otto-passwort-123").await
}

/// The text of a page, as stored.
async fn body_of(app: &App, teacher: &str, page: &str) -> String {
    let t = app.actor(teacher).await;
    let id = ActivityId(page.parse().expect("id"));
    app.platform
        .lms_open_material(&t, id)
        .await
        .expect("page")
        .ctx
        .activity
        .body
}

async fn new_page(app: &App, teacher: &str, section: &str, title: &str, text: &str) -> String {
    let r = app
        .post(
            &format!("/kurse/abschnitte/{section}/material/neu?art=page"),
            teacher,
            &[("titel", title), ("text", text), ("abschluss", "none")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let course = app.get(r.location(), teacher).await;
    let at = course.body.find(title).expect("page listed");
    let from = course.body[..at].rfind("/kurse/material/").expect("link");
    course.body[from + 16..from + 52].to_owned()
}

async fn pictures_and_formulas_on_pages(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let list = app.get("/kurse", &teacher).await;
    let at = list.body.find("Mathematik 5a").expect("course");
    let course = id_in(&list.body[at - 60..], "href=\"/kurse/");
    let course_page = app.get(&format!("/kurse/{course}"), &teacher).await;
    let section = id_in(&course_page.body, "/kurse/abschnitte/");
    let page = new_page(
        &app,
        &teacher,
        &section,
        "Satz des Pythagoras",
        "<p>Es gilt \\(a^2 + b^2 = c^2\\).</p><p>\\[\\frac{1}{2} \\cdot g \\cdot h\\]</p>\
         <p>\\(\\frac{1}{\\)</p><p><img src=\"https://example.org/x.png\" alt=\"fremd\"></p>",
    )
    .await;
    let edit = format!("/kurse/material/{page}/bearbeiten");
    app.get(&edit, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Bild einfügen")
        .has("<label for=\"bild-alt\">Alternativtext</label>")
        .has(&format!("action=\"/kurse/material/{page}/bilder\""));

    // Refused: no alternative text, no picture.
    let upload = format!("/kurse/material/{page}/bilder");
    let r = app
        .post_multipart(&upload, &teacher, &[("alt", "  ")], ("datei", "d.png", PNG))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.has("Alternativtext");
    let r = app
        .post_multipart(
            &upload,
            &teacher,
            &[("alt", "Dreieck")],
            ("datei", "d.svg", b"<svg onload=\"alert(1)\"/>"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!body_of(&app, &teacher, &page).await.contains("<img"));

    // Uploaded with an alternative text: appended to the text.
    app.post_multipart(
        &upload,
        &teacher,
        &[("alt", "Rechtwinkliges Dreieck mit a, b und c")],
        ("datei", "dreieck.png", PNG),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let stored = body_of(&app, &teacher, &page).await;
    assert!(!stored.contains("example.org"), "{stored}");
    let src = format!("/kurse/material/{page}/datei/");
    let at = stored.find(&src).expect("picture in the text");
    let href = stored[at..at + src.len() + 36].to_owned();
    app.get(&edit, &teacher)
        .await
        .has("dreieck.png")
        .has(&format!("&#60;img src=&#34;{href}&#34;"));

    // The student sees picture and formulas; the picture is no download in the file list.
    let shown = app.get(&format!("/kurse/material/{page}"), &student).await;
    shown
        .assert(StatusCode::OK)
        .has(&format!(
            "<img src=\"{href}\" alt=\"Rechtwinkliges Dreieck mit a, b und c\">"
        ))
        .has("<math><msup><mi>a</mi><mn>2</mn></msup>")
        .has("<math display=\"block\"><mfrac>")
        .has("<span class=\"math-error\"")
        .has("Formel nicht lesbar")
        .lacks("\\(a^2")
        .lacks("example.org")
        .lacks("download>dreieck.png");
    let picture = app.get(&href, &student).await;
    picture.assert(StatusCode::OK);
    assert_eq!(picture.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        picture.headers[header::CONTENT_LENGTH],
        PNG.len().to_string()
    );

    // Saving the text with an own picture but without alternative text is refused.
    let without_alt = format!("<p><img src=\"{href}\"></p>");
    let r = app
        .post(
            &edit,
            &teacher,
            &[
                ("titel", "Satz des Pythagoras"),
                ("text", &without_alt),
                ("abschluss", "none"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.has("Alternativtext");

    // A copy of the course shows the picture from the copy's own page.
    let r = app
        .post(&format!("/kurse/{course}/kopieren"), &teacher, &[])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let copied = app.get(r.location(), &teacher).await;
    let at = copied
        .body
        .find("Satz des Pythagoras")
        .expect("copied page");
    let from = copied.body[..at].rfind("/kurse/material/").expect("link");
    let copied_page = &copied.body[from + 16..from + 52];
    assert_ne!(copied_page, page);
    let shown = app
        .get(&format!("/kurse/material/{copied_page}"), &teacher)
        .await;
    let src = format!("<img src=\"/kurse/material/{copied_page}/datei/");
    let at = shown.body.find(&src).expect("picture in the copy") + 10;
    app.get(&shown.body[at..at + src.len() - 10 + 36], &teacher)
        .await
        .assert(StatusCode::OK);

    // A second page takes the picture the course already has: same content, own address.
    let second = new_page(&app, &teacher, &section, "Flächen", "<p>Dreiecke</p>").await;
    let edit2 = app
        .get(&format!("/kurse/material/{second}/bearbeiten"), &teacher)
        .await;
    edit2.has("Oder ein Bild, das der Kurs schon hat");
    let choice = edit2.body.find("id=\"kursbild\"").expect("choice");
    let file = id_in(&edit2.body[choice..], "<option value=\"");
    app.post(
        &format!("/kurse/material/{second}/bilder/auswahl"),
        &teacher,
        &[("datei", &file), ("alt", "Dreieck")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let stored2 = body_of(&app, &teacher, &second).await;
    let src2 = format!("/kurse/material/{second}/datei/");
    let at = stored2.find(&src2).expect("picked picture");
    let href2 = stored2[at..at + src2.len() + 36].to_owned();
    let picked = app.get(&href2, &student).await;
    picked.assert(StatusCode::OK);
    assert_eq!(picked.headers[header::CONTENT_TYPE], "image/png");
    // The student can insert nothing (as with every edit of material: 403).
    app.post(
        &format!("/kurse/material/{second}/bilder/auswahl"),
        &student,
        &[("datei", &file), ("alt", "Dreieck")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.post_multipart(
        &format!("/kurse/material/{second}/bilder"),
        &student,
        &[("alt", "x")],
        ("datei", "x.png", PNG),
    )
    .await
    .assert(StatusCode::FORBIDDEN);

    // A student outside the course and a login of another school: 404.
    let outsider = new_student(&app, "100000", &admin).await;
    app.get(&href, &outsider)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kurse/material/{page}"), &outsider)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let admin_b = app.ready_at("200000", "admin", "admin-passwort-b").await;
    let other_school = new_student(&app, "200000", &admin_b).await;
    app.get(&href, &other_school)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&href, &admin_b).await.assert(StatusCode::NOT_FOUND);

    // Hidden, the page's picture is gone for the student too (not for the teacher).
    app.post(
        &edit,
        &teacher,
        &[
            ("titel", "Satz des Pythagoras"),
            ("text", &stored),
            ("abschluss", "none"),
            ("versteckt", "ja"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&href, &student).await.assert(StatusCode::NOT_FOUND);
    app.get(&href, &teacher).await.assert(StatusCode::OK);
    // The other page's copy is its own: still there.
    app.get(&href2, &student).await.assert(StatusCode::OK);

    // A removed picture leaves no broken image behind.
    let r = app
        .post(
            &format!(
                "/kurse/material/{second}/dateien/{}/entfernen",
                &href2[href2.len() - 36..]
            ),
            &teacher,
            &[],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/material/{second}"), &student)
        .await
        .assert(StatusCode::OK)
        .lacks("<img");
}
