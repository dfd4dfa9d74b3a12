//! Arranging the course page: the teacher's "Nach unten" button (a form, no script) and the
//! script's `position` (answered 204 when it asks for JSON) reorder material and sections;
//! the student and people outside the course get 404 and change nothing; bad
//! input changes nothing; the page carries the script and its hooks for editors only; a
//! move costs the same few statements for 3 or 30 items.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use schulhof_domain::lms::{MaterialInput, SectionInput};

use super::statements::{self, statements_of_post};
use super::*;

on_both_backends!(buttons_and_positions_reorder);

/// The ids after each `marker` in the page, in page order.
fn ids_after(body: &str, marker: &str) -> Vec<String> {
    body.match_indices(marker)
        .map(|(i, _)| body[i + marker.len()..i + marker.len() + 36].to_owned())
        .collect()
}

/// The ids of the course page's activities in page order.
fn material(body: &str) -> Vec<String> {
    ids_after(body, "<li id=\"a-")
}

async fn post_json(app: &App, path: &str, cookie: &str, form: &str) -> Resp {
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(form.to_owned()))
        .expect("request");
    app.send(req).await
}

async fn demo_course(app: &App, teacher: &str) -> String {
    let list = app.get("/kurse", teacher).await;
    let at = list.body.find("Mathematik 5a").expect("course");
    let from = list.body[..at].rfind("href=\"/kurse/").expect("link") + 13;
    list.body[from..from + 36].to_owned()
}

async fn buttons_and_positions_reorder(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let course = demo_course(&app, &teacher).await;
    let path = format!("/kurse/{course}");
    let page = app.get(&path, &teacher).await;
    page.assert(StatusCode::OK)
        .has("lms_arrange.js")
        .has("data-arrange=\"activity\"")
        .has("id=\"arrange-live\"");
    app.get(&path, &student)
        .await
        .assert(StatusCode::OK)
        .lacks("lms_arrange.js")
        .lacks("data-move=")
        .lacks("verschieben");
    let before = material(&page.body);
    assert!(before.len() >= 2, "{before:?}");
    let sections = ids_after(&page.body, "<h2 id=\"s-");
    // The button: the first activity one place down, back to the course at it.
    let first = &before[0];
    let r = app
        .post(
            &format!("/kurse/material/{first}/verschieben"),
            &teacher,
            &[("richtung", "runter")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("/kurse/{course}#a-{first}"));
    let after = material(&app.get(&path, &teacher).await.body);
    assert_eq!((&after[0], &after[1]), (&before[1], &before[0]));
    // The script: straight back to the top, 204 and no page.
    let r = post_json(
        &app,
        &format!("/kurse/material/{first}/verschieben"),
        &teacher,
        "position=0",
    )
    .await;
    r.assert(StatusCode::NO_CONTENT);
    assert_eq!(material(&app.get(&path, &student).await.body), before);
    // Others: 404, and nothing changes.
    let (extern_, staff) = (app.ready("extern").await, app.ready("personal").await);
    for who in [&student, &extern_, &staff] {
        app.post(
            &format!("/kurse/material/{first}/verschieben"),
            who,
            &[("richtung", "runter")],
        )
        .await
        .assert(StatusCode::NOT_FOUND);
        post_json(
            &app,
            &format!("/kurse/abschnitte/{}/verschieben", sections[0]),
            who,
            "position=5",
        )
        .await
        .assert(StatusCode::NOT_FOUND);
    }
    // Bad input: refused, nothing changes.
    let forms: [&[(&str, &str)]; 4] = [
        &[("position", "oben")],
        &[("richtung", "seitwärts")],
        &[("richtung", "hoch"), ("position", "1")],
        &[],
    ];
    for form in forms {
        let r = app
            .post(
                &format!("/kurse/material/{first}/verschieben"),
                &teacher,
                form,
            )
            .await;
        assert!(r.status.is_client_error(), "{form:?}: {}", r.status);
    }
    assert_eq!(material(&app.get(&path, &teacher).await.body), before);
    // Sections: the first to the end by the script, then up again by the button.
    if sections.len() > 1 {
        let s0 = &sections[0];
        post_json(
            &app,
            &format!("/kurse/abschnitte/{s0}/verschieben"),
            &teacher,
            "position=99",
        )
        .await
        .assert(StatusCode::NO_CONTENT);
        let now = ids_after(&app.get(&path, &student).await.body, "<h2 id=\"s-");
        assert_eq!(now.last(), Some(s0));
        let r = app
            .post(
                &format!("/kurse/abschnitte/{s0}/verschieben"),
                &teacher,
                &[("richtung", "hoch")],
            )
            .await;
        r.assert(StatusCode::SEE_OTHER);
        assert!(r.location().ends_with(&format!("#s-{s0}")));
    }
}

#[tokio::test]
async fn a_move_costs_the_same_few_statements_for_3_or_30_items() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    let teacher = app.ready("lehrer").await;
    let t = app
        .platform
        .session(teacher.split_once('=').map_or("", |(_, v)| v))
        .await
        .expect("session")
        .actor;
    let g = t.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    let course = app.platform.lms_create_course(&t, g).await.expect("course");
    let mut counts = Vec::new();
    for n in [3, 30] {
        let input = SectionInput {
            title: format!("{n} Seiten"),
            ..SectionInput::default()
        };
        let sec = app
            .platform
            .lms_add_section(&t, course, &input)
            .await
            .expect("section");
        let mut last = None;
        for i in 0..n {
            let m = MaterialInput {
                kind: "page".into(),
                title: format!("Seite {i}"),
                completion: "none".into(),
                ..MaterialInput::default()
            };
            last = Some(app.platform.lms_add_material(&t, sec, &m).await.expect("m"));
        }
        let last = last.expect("material");
        // The last to the top: every item gets a new position.
        let (count, r) = statements_of_post(
            &app,
            &format!("/kurse/material/{last}/verschieben"),
            &teacher,
            &[("position", "0")],
        )
        .await;
        r.assert(StatusCode::SEE_OTHER);
        counts.push(count);
    }
    assert_eq!(counts[0], counts[1], "a move does not grow with the list");
    assert!(
        counts[1] <= 12,
        "a move costs a few statements, not {}",
        counts[1]
    );
}
