//! The course pages: the demo course for 5a as teacher and student, material the student
//! may not see answers 404, the student ticks off and the teacher sees it in the progress
//! (and as CSV), files download with ranges, the one-click creation, and the course page
//! costs the same few statements for 2 or 30 activities; the setting "courses without a
//! click" is the school admin's alone, and the school's settings page leads to it.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use schulhof_domain::lms::MaterialInput;

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    pages_per_role,
    creating_and_editing,
    courses_without_a_click
);

/// The id in a path `/kurse/<id>…` or `/kurse/material/<id>…`.
fn id_in(body: &str, before: &str) -> String {
    let at = body.find(before).expect("link") + before.len();
    body[at..at + 36].to_owned()
}

async fn pages_per_role(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let list = app.get("/kurse", &teacher).await;
    list.assert(StatusCode::OK)
        .has("Mathematik 5a")
        .has("Lehrkraft");
    let at = list.body.find("Mathematik 5a").expect("course");
    let course = id_in(&list.body[at - 60..], "href=\"/kurse/");
    let page = app.get(&format!("/kurse/{course}"), &student).await;
    page.assert(StatusCode::OK)
        .has("Arbeitsblatt Brüche")
        .has("Willkommen im Kurs")
        .has("0 von ")
        .lacks("Kurseinstellungen");
    app.get(&format!("/kurse/{course}"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Kurseinstellungen")
        .has("Neuer Abschnitt");
    // Opening a page completes it; the manual one is ticked by the student.
    let welcome = id_in(&page.body, "href=\"/kurse/material/");
    app.get(&format!("/kurse/material/{welcome}"), &student)
        .await
        .assert(StatusCode::OK)
        .has("<strong>5a</strong>");
    let at = page.body.find("Übungen im Buch").expect("manual item");
    let manual = id_in(&page.body[at - 120..], "href=\"/kurse/material/");
    app.get(&format!("/kurse/material/{manual}"), &student)
        .await
        .has("Als erledigt markieren");
    app.post(
        &format!("/kurse/material/{manual}/erledigt"),
        &student,
        &[("erledigt", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/{course}"), &student)
        .await
        .has("2 von ");
    let progress = app
        .get(&format!("/kurse/{course}/fortschritt"), &teacher)
        .await;
    progress
        .assert(StatusCode::OK)
        .has("Erledigt")
        .lacks("<th scope=\"row\">Lena");
    let csv = app
        .get(&format!("/kurse/{course}/fortschritt.csv"), &teacher)
        .await;
    csv.assert(StatusCode::OK).has("schueler");
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    app.get(&format!("/kurse/{course}/fortschritt"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("/kurse/{course}/einstellungen"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    // A hidden page: the student does not learn it exists.
    let t = app.actor(&teacher).await;
    let view = app
        .platform
        .lms_outline(&t, course.parse().expect("id"))
        .await
        .expect("o");
    let hidden = MaterialInput {
        kind: "page".into(),
        title: "Lösungen".into(),
        hidden: true,
        completion: "none".into(),
        ..MaterialInput::default()
    };
    let hidden = app
        .platform
        .lms_add_material(&t, view.sections[0].row.id, &hidden)
        .await
        .expect("hidden");
    app.get(&format!("/kurse/{course}"), &student)
        .await
        .lacks("Lösungen");
    app.get(&format!("/kurse/material/{hidden}"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kurse/{course}"), &teacher)
        .await
        .has("Lösungen")
        .has("Versteckt");
    // The worksheet downloads, also in part.
    let file = page.body.find("/datei/").expect("file link");
    let href = &page.body[page.body[..file].rfind('"').expect("q") + 1..file + 43];
    let whole = app.get(href, &student).await;
    whole.assert(StatusCode::OK).has("Arbeitsblatt Brüche");
    let req = Request::get(href)
        .header(header::COOKIE, &student)
        .header(header::RANGE, "bytes=0-11")
        .body(Body::empty())
        .expect("request");
    let part = app.send(req).await;
    part.assert(StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, "Arbeitsblatt");
    app.get("/kurse/faellig", &student)
        .await
        .assert(StatusCode::OK)
        .has("Fällige Aufgaben");
    // Nobody of another course reaches it.
    app.get(&format!("/kurse/{}", uuid::Uuid::now_v7()), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn creating_and_editing(app: App) {
    let teacher = app.ready("lehrer").await;
    let list = app.get("/kurse", &teacher).await;
    list.assert(StatusCode::OK).has("Kurs anlegen");
    let group = id_in(&list.body, "name=\"gruppe\" value=\"");
    let r = app
        .post("/kurse/anlegen", &teacher, &[("gruppe", &group)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let course = r.location().trim_start_matches("/kurse/")[..36].to_owned();
    let page = app.get(&format!("/kurse/{course}"), &teacher).await;
    let section = id_in(&page.body, "/kurse/abschnitte/");
    app.get(
        &format!("/kurse/abschnitte/{section}/material/neu?art=link"),
        &teacher,
    )
    .await
    .assert(StatusCode::OK)
    .has("Adresse");
    let path = format!("/kurse/abschnitte/{section}/material/neu?art=link");
    app.post(
        &path,
        &teacher,
        &[("titel", "Wiki"), ("adresse", "javascript:alert(1)")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("https://");
    app.post(
        &path,
        &teacher,
        &[
            ("titel", "Wiki"),
            ("adresse", "https://de.wikipedia.org/"),
            ("abschluss", "none"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("/kurse/{course}/abschnitte"),
        &teacher,
        &[("titel", "Woche 2")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/{course}"), &teacher)
        .await
        .has("Wiki")
        .has("Woche 2");
    app.post(
        &format!("/kurse/{course}/einstellungen"),
        &teacher,
        &[("name", "Mathe"), ("zusammenfassung", "Zahlen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/{course}/einstellungen"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Mathe");
    let student = app.ready("schueler").await;
    app.get(&format!("/kurse/{course}"), &student)
        .await
        .assert(StatusCode::OK)
        .has("Wiki");
    app.post(
        &format!("/kurse/{course}/abschnitte"),
        &student,
        &[("titel", "X")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    // Announcements: the teacher writes, the student reads; the forum: both write.
    let news = format!("/kurse/{course}/mitteilungen");
    app.post(&news, &student, &[("titel", "X"), ("text", "Y")])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(
        &news,
        &teacher,
        &[("titel", "Klassenarbeit"), ("text", "<b>Montag</b>")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&news, &student)
        .await
        .assert(StatusCode::OK)
        .has("Klassenarbeit")
        .has("&#60;b&#62;Montag")
        .lacks("<b>Montag");
    let r = app
        .post(
            &format!("/kurse/{course}/forum"),
            &student,
            &[("titel", "Seite 34?"), ("text", "Welche Nummern?")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let thread = r.location().split('?').next().unwrap_or("").to_owned();
    app.post(&thread, &teacher, &[("text", "Nr. 1 bis 5")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&thread, &student)
        .await
        .assert(StatusCode::OK)
        .has("Welche Nummern?")
        .has("Nr. 1 bis 5");
}

#[tokio::test]
async fn the_course_page_costs_the_same_few_statements_for_2_or_30_activities() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let t = app.actor(&teacher).await;
    let course = app.platform.lms_courses(&t).await.expect("courses")[0].id;
    let path = format!("/kurse/{course}");
    let few = statements_of(&app, &path, &student).await;
    let few_teacher = statements_of(&app, &path, &teacher).await;
    for s in 0..6 {
        let input = schulhof_domain::lms::SectionInput {
            title: format!("Woche {s}"),
            ..Default::default()
        };
        let sec = app
            .platform
            .lms_add_section(&t, course, &input)
            .await
            .expect("section");
        for i in 0..5 {
            let m = MaterialInput {
                kind: "page".into(),
                title: format!("Seite {s}.{i}"),
                completion: "view".into(),
                hidden: i == 3,
                ..MaterialInput::default()
            };
            app.platform
                .lms_add_material(&t, sec, &m)
                .await
                .expect("material");
        }
    }
    let many = statements_of(&app, &path, &student).await;
    let many_teacher = statements_of(&app, &path, &teacher).await;
    app.get(&path, &student).await.has("Seite 5.4");
    assert!(few > 0, "statements are counted");
    assert_eq!(
        few, many,
        "the course page does not grow with its activities"
    );
    assert_eq!(few_teacher, many_teacher);
    // The session (3), the course with the caller's role, its sections with their
    // activities, and their files.
    assert_eq!(many, 6, "the course page costs six statements, not {many}");
}

async fn courses_without_a_click(app: App) {
    let admin = app.ready("admin").await;
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    app.get("/kurse", &admin)
        .await
        .assert(StatusCode::OK)
        .has("action=\"/kurse/automatisch\"")
        .has("value=\"aus\" checked");
    // The school's settings page names the setting and leads to its form.
    app.get("/verwaltung/schule", &admin)
        .await
        .assert(StatusCode::OK)
        .has("<a href=\"/kurse#auto-h\">")
        .has("<strong>Keine – Kurse entstehen mit einem Klick</strong>");
    for who in [&teacher, &student] {
        app.get("/kurse", who)
            .await
            .assert(StatusCode::OK)
            .lacks("/kurse/automatisch");
        let r = app
            .post("/kurse/automatisch", who, &[("auto", "klassen")])
            .await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{}",
            r.status
        );
    }
    // A word outside the choices: refused, nothing changes.
    let r = app
        .post("/kurse/automatisch", &admin, &[("auto", "alle")])
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    app.get("/kurse", &admin).await.has("value=\"aus\" checked");
    let r = app
        .post("/kurse/automatisch", &admin, &[("auto", "klassen")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/kurse?ok=lms_auto_saved");
    let page = app.get("/kurse", &admin).await;
    page.has("value=\"klassen\" checked")
        .lacks("value=\"aus\" checked");
    app.get("/verwaltung/schule", &admin)
        .await
        .has("<strong>Jede Klasse</strong>");
    // Every class has its course now: the one-click list offers none.
    let list = app.get("/kurse", &teacher).await;
    assert!(
        !list.body.contains(">Kurs anlegen: 5a<"),
        "5a still offered"
    );
}
