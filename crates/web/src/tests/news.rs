//! The news pages: readers see what concerns them with the unread mark (also on the home
//! page), the Sekretariat writes with preview and publishes, bad input is refused with a
//! clear message and nothing stored, the public item page needs no login and sets no cookie,
//! hidden items answer 404, and the list costs the same few statements for 3 or 30 items.

use axum::http::StatusCode;
use schulhof_domain::news::{AudienceInput, NewsInput};

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    readers_and_the_editor,
    bad_input_is_refused_and_nothing_stored
);

/// The id in a location `/neuigkeiten/<id>/bearbeiten?ok=…`.
fn id_of(location: &str) -> String {
    location
        .trim_start_matches("/neuigkeiten/")
        .split('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

async fn readers_and_the_editor(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    app.get("/neuigkeiten", &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Tag der offenen Tür")
        .has("Lehrerkonferenz verschoben")
        .has("ungelesen");
    app.get("/neuigkeiten", &student)
        .await
        .assert(StatusCode::OK)
        .has("Tag der offenen Tür")
        .lacks("Lehrerkonferenz");
    app.get("/", &student)
        .await
        .has("2 ungelesen")
        .has(r#"href="/neuigkeiten""#);
    // Readers write nothing.
    app.get("/neuigkeiten/neu", &student)
        .await
        .assert(StatusCode::FORBIDDEN);

    let sek = app.ready("sekretariat").await;
    app.get("/neuigkeiten/neu", &sek)
        .await
        .assert(StatusCode::OK)
        .has("Titel")
        .has("Vorschau");
    let form = |action: &'static str| {
        vec![
            ("titel", "Sportfest"),
            (
                "text",
                "<p>Bitte <b>Turnschuhe</b><script>alert(1)</script></p>",
            ),
            ("sichtbarkeit", "oeffentlich"),
            ("aktion", action),
        ]
    };
    app.post("/neuigkeiten/neu", &sek, &form("vorschau"))
        .await
        .assert(StatusCode::OK)
        .has("<b>Turnschuhe</b>")
        .lacks("<script>alert");
    let r = app
        .post("/neuigkeiten/neu", &sek, &form("veroeffentlichen"))
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let id = id_of(r.location());
    app.get(&format!("/neuigkeiten/{id}"), &student)
        .await
        .assert(StatusCode::OK)
        .has("Turnschuhe");
    // The student may read it but not edit it; the teachers-only item is hidden from them.
    app.get(&format!("/neuigkeiten/{id}/bearbeiten"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    let written = app.get("/neuigkeiten/verfasst", &sek).await;
    written
        .assert(StatusCode::OK)
        .has("Sportfest")
        .has("Lehrerkonferenz");
    let teachers_only = written
        .body
        .split(r#"href="/neuigkeiten/"#)
        .filter_map(|s| s.split('/').next())
        .filter(|s| s.len() == 36)
        .find(|s| {
            let page = written
                .body
                .split(&format!("/neuigkeiten/{s}"))
                .nth(1)
                .unwrap_or("");
            page.split("</li>")
                .next()
                .unwrap_or("")
                .contains("Lehrerkonferenz")
        })
        .expect("teachers-only item")
        .to_owned();
    app.get(&format!("/neuigkeiten/{teachers_only}"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    // Without login: the public page, no cookie; the restricted one is 404 there too.
    let public = app
        .get(&format!("/schule/100000/neuigkeiten/{id}"), "")
        .await;
    public.assert(StatusCode::OK).has("Sportfest");
    assert!(public.headers.get("set-cookie").is_none());
    app.get(&format!("/schule/100000/neuigkeiten/{teachers_only}"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/schule/999999/neuigkeiten/{id}"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    // Deleting after the confirmation.
    app.get(&format!("/neuigkeiten/{id}/loeschen"), &sek)
        .await
        .assert(StatusCode::OK);
    app.post(&format!("/neuigkeiten/{id}/loeschen"), &sek, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/neuigkeiten/{id}"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn bad_input_is_refused_and_nothing_stored(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let sek = app.ready("sekretariat").await;
    let before = app
        .get("/neuigkeiten/verfasst", &sek)
        .await
        .body
        .matches("<li class=\"card")
        .count();
    let r = app
        .post(
            "/neuigkeiten/neu",
            &sek,
            &[
                ("titel", "Rückwärts"),
                ("text", "x"),
                ("von", "2026-12-10T08:00"),
                ("bis", "2026-12-01T08:00"),
                ("sichtbarkeit", "oeffentlich"),
                ("aktion", "veroeffentlichen"),
            ],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("vor seinem Beginn")
        .has("aria-invalid");
    let r = app
        .post(
            "/neuigkeiten/neu",
            &sek,
            &[
                ("titel", "Niemand"),
                ("text", "x"),
                ("sichtbarkeit", "eingeschraenkt"),
                ("aktion", "entwurf"),
            ],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let after = app
        .get("/neuigkeiten/verfasst", &sek)
        .await
        .body
        .matches("<li class=\"card")
        .count();
    assert_eq!(before, after, "nothing stored");
}

#[tokio::test]
async fn the_news_list_costs_the_same_few_statements_for_3_or_30_items() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let few = statements_of(&app, "/neuigkeiten", &teacher).await;
    let home_few = statements_of(&app, "/", &teacher).await;
    let sek_cookie = app.ready("sekretariat").await;
    let sek = app
        .platform
        .session(sek_cookie.split_once('=').map_or("", |(_, v)| v))
        .await
        .expect("session")
        .actor;
    for i in 0..27 {
        let input = NewsInput {
            title: format!("Meldung {i}"),
            body: "<p>Text</p>".into(),
            from: None,
            until: None,
            audience: if i % 2 == 0 {
                AudienceInput::Public
            } else {
                AudienceInput::Restricted {
                    groups: vec![],
                    logins: vec![],
                    account_types: vec![schulhof_types::AccountType::Lehrer],
                }
            },
            publish: true,
        };
        app.platform.news_create(&sek, input).await.expect("create");
    }
    let many = statements_of(&app, "/neuigkeiten", &teacher).await;
    app.get("/neuigkeiten", &teacher)
        .await
        .has("Meldung 26")
        .has("Meldung 1<");
    let home_many = statements_of(&app, "/", &teacher).await;
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the list does not grow with the items");
    assert!(many <= 8, "the list costs a few statements, not {many}");
    assert_eq!(
        home_few, home_many,
        "the home page's unread card is one statement however many"
    );
}
