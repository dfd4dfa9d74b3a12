//! Arranging the course page: the teacher's "Nach unten" button (a form, no script) and the
//! script's `position` (answered 204 when it asks for JSON) reorder material and sections;
//! the student and people outside the course get 404 and change nothing; bad
//! input changes nothing; the page carries the script and its hooks for editors only; a
//! move costs the same few statements for 3 or 30 items. Material goes to another section
//! by its page (a form, no script) or the script's `abschnitt`, for editors only.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use schulhof_domain::lms::{MaterialInput, SectionInput};

use super::statements::{self, statements_of_post};
use super::*;

on_both_backends!(
    buttons_and_positions_reorder,
    material_goes_to_another_section
);

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

/// The section (by index in `sections`) whose heading comes last before activity `id`.
fn section_of(body: &str, sections: &[String], id: &str) -> usize {
    let at = body.find(&format!("<li id=\"a-{id}")).expect("item");
    sections
        .iter()
        .rposition(|s| body.find(&format!("<h2 id=\"s-{s}")).expect("section") < at)
        .expect("in a section")
}

async fn material_goes_to_another_section(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let course = demo_course(&app, &teacher).await;
    let path = format!("/kurse/{course}");
    let page = app.get(&path, &teacher).await;
    page.assert(StatusCode::OK)
        .has("Anderer Abschnitt")
        .has("data-section=\"");
    let before = material(&page.body);
    let sections = ids_after(&page.body, "<h2 id=\"s-");
    assert!(sections.len() > 1, "{sections:?}");
    let first = &before[0];
    let from = section_of(&page.body, &sections, first);
    let to = (from + 1) % sections.len();
    let url = format!("/kurse/material/{first}/verschieben");
    // The page without script: every section to choose, the current one marked.
    app.get(&url, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("<option value=\"{}\" selected>", sections[from]))
        .has(&format!("<option value=\"{}\">", sections[to]))
        .has("name=\"position\"");
    // Its form: to the end of the other section, back to the course at the item.
    let r = app
        .post(
            &url,
            &teacher,
            &[("abschnitt", sections[to].as_str()), ("position", "")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("/kurse/{course}#a-{first}"));
    let moved = app.get(&path, &student).await.body;
    assert_eq!(
        section_of(&moved, &sections, first),
        to,
        "the student sees it there"
    );
    // The script: back to the top of its old section, 204.
    post_json(
        &app,
        &url,
        &teacher,
        &format!("abschnitt={}&position=0", sections[from]),
    )
    .await
    .assert(StatusCode::NO_CONTENT);
    assert_eq!(material(&app.get(&path, &teacher).await.body), before);
    // Others: 404 for the page and the move, nothing changes.
    let (extern_, staff) = (app.ready("extern").await, app.ready("personal").await);
    for who in [&student, &extern_, &staff] {
        app.get(&url, who).await.assert(StatusCode::NOT_FOUND);
        app.post(&url, who, &[("abschnitt", sections[to].as_str())])
            .await
            .assert(StatusCode::NOT_FOUND);
    }
    // Bad input: refused with a message, nothing changes.
    let other = uuid::Uuid::now_v7().to_string();
    let forms: [&[(&str, &str)]; 4] = [
        &[("abschnitt", "woanders")],
        &[("abschnitt", other.as_str())],
        &[("abschnitt", sections[to].as_str()), ("richtung", "hoch")],
        &[("abschnitt", sections[to].as_str()), ("position", "oben")],
    ];
    for form in forms {
        let r = app.post(&url, &teacher, form).await;
        assert!(r.status.is_client_error(), "{form:?}: {}", r.status);
    }
    app.post(
        &format!("/kurse/abschnitte/{}/verschieben", sections[0]),
        &teacher,
        &[("abschnitt", sections[1].as_str())],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let after = app.get(&path, &teacher).await.body;
    assert_eq!(material(&after), before);
    assert_eq!(ids_after(&after, "<h2 id=\"s-"), sections);
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
    let mut across = Vec::new();
    let home = app
        .platform
        .lms_outline(&t, course)
        .await
        .expect("outline")
        .sections[0]
        .row
        .id;
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
        // Into another section: both sections renumbered, still one UPDATE.
        let (count, r) = statements_of_post(
            &app,
            &format!("/kurse/material/{last}/verschieben"),
            &teacher,
            &[("abschnitt", home.to_string().as_str()), ("position", "0")],
        )
        .await;
        r.assert(StatusCode::SEE_OTHER);
        across.push(count);
    }
    assert_eq!(counts[0], counts[1], "a move does not grow with the list");
    assert_eq!(across[0], across[1], "nor a move across sections");
    assert!(across[1] <= 14, "a few statements, not {}", across[1]);
    assert!(
        counts[1] <= 12,
        "a move costs a few statements, not {}",
        counts[1]
    );
}
